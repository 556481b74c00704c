//! Referral (verwijzing, issue 4): a GP, POH, JGZ doctor or the social team refers a
//! child to the linked social team or to a service from the sociale kaart. The referral
//! moves through the FHIR Task lifecycle; every move is checked, recorded and
//! audit-logged, and the referrer hears back (terugkoppeling) at acceptance or rejection,
//! at the interim moments the municipality's agreements name, and at completion. The
//! social team names a case director on acceptance, who stays when the team refers on.
//!
//! This module holds the rules both faces share; `pages` is the browser's face, the API's
//! is in `api::referrals`, and the municipality's agreements are edited in `agreements`.

pub mod agreements;
pub mod pages;

use crate::access::{self, Principal};
use crate::error::AppError;
use crate::format;
use crate::state::AppState;
use rondom_db::audit::{self, AuditEvent};
use rondom_db::referrals::{self as db, Listed, Referral};
use rondom_db::{AnyConnection, DbError};
use rondom_domain::agreements::{Agreements, Recipient, Step};
use rondom_domain::catalogue::{PROBLEM_AREAS, parse_areas};
use rondom_domain::policy::{receives_for, refers_for};
use rondom_domain::referral::{FeedbackKind, Outcome, Side, Status, Urgency, transition};
use rondom_domain::validate::{GemeenteCode, ValidationError, bsn_is_valid};
use rondom_domain::{Action, Actor, OrganisationKind, Resource, Role, authorize, workdays};

/// The agreements that apply, and where they come from.
#[derive(Debug, Clone)]
pub struct InForce {
    /// The stored version; None while the municipality has set none (defaults apply).
    pub id: Option<String>,
    pub gemeente_code: String,
    /// yyyy-mm-dd the version took effect.
    pub effective_from: Option<String>,
    pub rules: Agreements,
}

impl InForce {
    pub(crate) fn from_row(row: db::AgreementsRow) -> Self {
        Self {
            rules: Agreements::from_stored(
                row.consultation_days,
                row.accept_days,
                row.urgent_accept_days,
                &row.feedback_days,
                &row.team_first_areas,
                &row.team_first_urgencies,
                &row.inform,
            ),
            id: Some(row.id),
            gemeente_code: row.gemeente_code,
            effective_from: Some(row.effective_from),
        }
    }

    fn defaults(gemeente_code: &str) -> Self {
        Self {
            id: None,
            gemeente_code: gemeente_code.to_owned(),
            effective_from: None,
            rules: Agreements::default(),
        }
    }

    /// "20, 60" for the page.
    pub fn feedback_days_text(&self) -> String {
        self.rules
            .feedback_days
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(" en ")
    }

    /// "Verwijskader GM9999, geldig vanaf 01-01-2026" or the defaults.
    pub fn describe(&self) -> String {
        match &self.effective_from {
            Some(d) => format!(
                "Verwijskader {}, geldig vanaf {}",
                self.gemeente_code,
                format::iso_to_dutch(d)
            ),
            None => format!(
                "Standaardafspraken (gemeente {} heeft nog geen verwijskader vastgelegd)",
                self.gemeente_code
            ),
        }
    }
}

/// The agreements of a municipality in force on `day`.
pub fn in_force(
    conn: &mut AnyConnection,
    gemeente_code: &str,
    day: &str,
) -> Result<InForce, DbError> {
    Ok(match db::agreements_in_force(conn, gemeente_code, day)? {
        Some(row) => InForce::from_row(row),
        None => InForce::defaults(gemeente_code),
    })
}

/// The agreements a referral was made under.
pub fn applied_to(conn: &mut AnyConnection, r: &Referral) -> Result<InForce, DbError> {
    let gemeente = db::child(conn, &r.child_id)?
        .map(|c| c.gemeente_code)
        .unwrap_or_default();
    Ok(match &r.agreements_id {
        Some(id) => db::agreements(conn, id)?
            .map(InForce::from_row)
            .unwrap_or_else(|| InForce::defaults(&gemeente)),
        None => InForce::defaults(&gemeente),
    })
}

/// Organisations this person refers for, and those they receive for.
pub fn sending_orgs(actor: &Actor) -> Vec<String> {
    rondom_domain::policy::organisations_where(actor, refers_for)
}

pub fn receiving_orgs(actor: &Actor) -> Vec<String> {
    rondom_domain::policy::organisations_where(actor, receives_for)
}

/// What someone asks to refer; the same for the form and the API.
#[derive(Debug, Clone, Default)]
pub struct NewInput {
    pub from_org: String,
    pub on_behalf_of: Option<String>,
    pub child_name: String,
    pub birth_date: String,
    pub gemeente: String,
    pub bsn: String,
    /// A social team as the target.
    pub to_team: Option<String>,
    /// Or a service from the sociale kaart.
    pub service: Option<String>,
    pub reason: String,
    pub areas: Vec<String>,
    pub urgency: String,
    pub school: Option<String>,
    pub consultation: Option<String>,
    /// The GP refers directly although the agreements advise the team first.
    pub direct_ack: bool,
    /// Keep as a draft instead of sending.
    pub draft: bool,
}

pub enum Created {
    Created(String),
    Invalid(Vec<ValidationError>),
}

/// Reads a date typed as 2014-03-01 or 01-03-2014.
pub fn parse_date(text: &str) -> Option<chrono::NaiveDate> {
    let t = text.trim();
    // Stored dates take the quick path; what people type (2014-3-1, 01-03-2014) the
    // general one.
    crate::format::parse_iso(t)
        .or_else(|| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
        .or_else(|| chrono::NaiveDate::parse_from_str(t, "%d-%m-%Y").ok())
        // Stored dates compare as text: only four-digit years sort right.
        .filter(|d| (1900..=2200).contains(&chrono::Datelike::year(d)))
}

/// Age in whole years on `today`.
pub fn age_on(birth: chrono::NaiveDate, today: chrono::NaiveDate) -> i32 {
    use chrono::Datelike;
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

const REASON_MAX: usize = 4000;

/// Checks and stores a new referral. The caller has checked that `who` may refer for
/// `input.from_org`. Nothing is stored unless everything is right.
pub async fn create(
    state: &AppState,
    who: &impl Principal,
    input: NewInput,
) -> Result<Created, AppError> {
    let actor = who.actor().clone();
    let from = input.from_org.clone();
    let probe = input.clone();
    // Everything the checks need from the database, read at once.
    let (from_org, team_links, target_org, service, school, consultation, huisartsen) = state
        .db
        .read(move |c| {
            let from_org = rondom_db::organisations::find(c, &from)?;
            let links = rondom_db::consultations::teams_of_practice(c, &from)?;
            let target = match &probe.to_team {
                Some(t) => rondom_db::organisations::find(c, t)?,
                None => None,
            };
            let service = match &probe.service {
                Some(s) => service_with_kind(c, s)?,
                None => None,
            };
            let school = match &probe.school {
                Some(s) => rondom_db::organisations::find(c, s)?,
                None => None,
            };
            let consultation = match &probe.consultation {
                Some(id) => rondom_db::consultations::find(c, id)?,
                None => None,
            };
            let huisartsen: Vec<(String, String)> = rondom_db::organisations::members(c, &from)?
                .into_iter()
                .filter(|m| m.role == Role::Huisarts.as_str() && !m.disabled)
                .map(|m| (m.user_id, m.name))
                .collect();
            Ok((
                from_org,
                links,
                target,
                service,
                school,
                consultation,
                huisartsen,
            ))
        })
        .await?;
    let from_org = from_org.ok_or(AppError::NotFound)?;
    let from_kind = OrganisationKind::parse(&from_org.kind);
    let mut errors = Vec::new();

    let name = input.child_name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(ValidationError::new(
            "naam",
            "Vul de naam van het kind in (hoogstens 120 tekens).",
        ));
    }
    let today = format::today();
    let birth = parse_date(&input.birth_date);
    match birth {
        None => errors.push(ValidationError::new(
            "geboortedatum",
            "Vul de geboortedatum in als dd-mm-jjjj.",
        )),
        Some(b) if b > today => errors.push(ValidationError::new(
            "geboortedatum",
            "De geboortedatum ligt in de toekomst.",
        )),
        // Youth care runs to 18, extended youth care to 23.
        Some(b) if age_on(b, today) >= 23 => errors.push(ValidationError::new(
            "geboortedatum",
            "Rondom is voor jeugdigen tot 23 jaar; controleer de geboortedatum.",
        )),
        Some(_) => {}
    }
    let gemeente = match GemeenteCode::parse(&input.gemeente) {
        Ok(g) => Some(g.into_inner()),
        Err(e) => {
            errors.push(ValidationError::new("gemeente", e.message));
            None
        }
    };
    // Digits, with the spaces, dots or dashes people group them with; nothing else.
    let bsn: String = input.bsn.chars().filter(|c| c.is_ascii_digit()).collect();
    let bsn_chars_ok = input
        .bsn
        .trim()
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-'));
    if !input.bsn.trim().is_empty() && (!bsn_chars_ok || !bsn_is_valid(&bsn)) {
        errors.push(ValidationError::new(
            "bsn",
            "Dit BSN klopt niet: het voldoet niet aan de elfproef. Controleer het, of laat het leeg.",
        ));
    }
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX {
        errors.push(ValidationError::new(
            "reden",
            "Beschrijf de reden van verwijzing (hoogstens 4000 tekens).",
        ));
    }
    let mut areas: Vec<&'static str> = Vec::new();
    for a in &input.areas {
        match PROBLEM_AREAS.iter().find(|(c, _)| c == a) {
            Some((c, _)) if !areas.contains(c) => areas.push(c),
            Some(_) => {}
            None => errors.push(ValidationError::new(
                "gebieden",
                "Kies probleemgebieden uit de lijst.",
            )),
        }
    }
    if areas.is_empty() && input.areas.is_empty() {
        errors.push(ValidationError::new(
            "gebieden",
            "Kies ten minste één probleemgebied.",
        ));
    }
    let urgency = Urgency::parse(&input.urgency);
    if urgency.is_none() {
        errors.push(ValidationError::new("urgentie", "Kies regulier of spoed."));
    }
    // The target: a linked social team, or a service of another organisation.
    let (to_org, service_id, to_is_team) = match (&input.to_team, &service) {
        (Some(_), _) => match &target_org {
            Some(t)
                if t.kind == OrganisationKind::SociaalTeam.as_str()
                    && (from_kind != Some(OrganisationKind::Huisartsenpraktijk)
                        || team_links.iter().any(|(id, _)| *id == t.id))
                    && t.id != from_org.id =>
            {
                (Some(t.id.clone()), None, true)
            }
            _ => {
                errors.push(ValidationError::new(
                    "doel",
                    "Kies het sociaal team dat aan uw praktijk gekoppeld is.",
                ));
                (None, None, false)
            }
        },
        // A provider's service, or one of a social team the referrer may reach: only
        // those organisations have people who take referrals in.
        (None, Some((s, kind)))
            if s.organisation_id != from_org.id
                && (kind == OrganisationKind::Zorgaanbieder.as_str()
                    || (kind == OrganisationKind::SociaalTeam.as_str()
                        && (from_kind != Some(OrganisationKind::Huisartsenpraktijk)
                            || team_links.iter().any(|(id, _)| *id == s.organisation_id)))) =>
        {
            (
                Some(s.organisation_id.clone()),
                Some(s.id.clone()),
                kind == OrganisationKind::SociaalTeam.as_str(),
            )
        }
        _ => {
            errors.push(ValidationError::new(
                "doel",
                "Kies waarheen u verwijst: het sociaal team of een aanbod uit de sociale kaart.",
            ));
            (None, None, false)
        }
    };
    let on_behalf_of = {
        let a = &actor;
        let is_gp = a.has_role_in(&from_org.id, Role::Huisarts);
        let is_poh = a.has_role_in(&from_org.id, Role::Poh);
        match input.on_behalf_of.as_deref().filter(|s| !s.is_empty()) {
            _ if is_gp => None,
            Some(gp) if huisartsen.iter().any(|(id, _)| id == gp) => Some(gp.to_owned()),
            Some(_) => {
                errors.push(ValidationError::new(
                    "namens",
                    "Kies een huisarts van uw praktijk.",
                ));
                None
            }
            None if is_poh => {
                errors.push(ValidationError::new(
                    "namens",
                    "Een POH verwijst namens een huisarts: kies de huisarts.",
                ));
                None
            }
            None => None,
        }
    };
    let school_id = match (&input.school, &school) {
        (None, _) => None,
        (Some(_), Some(s)) if s.kind == OrganisationKind::School.as_str() => Some(s.id.clone()),
        (Some(_), _) => {
            errors.push(ValidationError::new(
                "school",
                "Kies een school uit de lijst, of laat het leeg.",
            ));
            None
        }
    };
    let consultation_id = match (&input.consultation, &consultation) {
        (None, _) => None,
        (Some(_), Some(c))
            if c.practice_id == from_org.id
                && authorize(
                    &actor,
                    Action::Read,
                    Resource::Consultation {
                        practice: &c.practice_id,
                        team: &c.team_id,
                    },
                )
                .is_allowed() =>
        {
            Some(c.id.clone())
        }
        (Some(_), _) => {
            errors.push(ValidationError::new(
                "overleg",
                "Deze overlegvraag hoort niet bij uw praktijk.",
            ));
            None
        }
    };
    let today_iso = format::today_iso();
    let in_force = match &gemeente {
        Some(g) => {
            let (g, d) = (g.clone(), today_iso.clone());
            Some(state.db.read(move |c| in_force(c, &g, &d)).await?)
        }
        None => None,
    };
    // The agreements advise the team first; the GP keeps the right to refer directly.
    if let (Some(f), Some(u), false) = (&in_force, urgency, to_is_team)
        && from_kind == Some(OrganisationKind::Huisartsenpraktijk)
        && to_org.is_some()
        && f.rules.team_first(&areas, u)
        && !input.direct_ack
    {
        errors.push(ValidationError::new(
            "doel",
            format!(
                "Volgens het verwijskader van {} gaat dit eerst via het sociaal team: stel een overlegvraag of verwijs naar het team. U mag rechtstreeks verwijzen; vink dan aan dat u dat bewust doet.",
                f.gemeente_code
            ),
        ));
    }
    let (Some(birth), Some(gemeente), Some(urgency), Some(to_org), Some(in_force), true) = (
        birth,
        gemeente,
        urgency,
        to_org,
        in_force,
        errors.is_empty(),
    ) else {
        return Ok(Created::Invalid(errors));
    };

    let name_sealed = state.secrets.seal(name).map_err(AppError::internal)?;
    let bsn_sealed = if bsn.is_empty() {
        None
    } else {
        Some(state.secrets.seal(&bsn).map_err(AppError::internal)?)
    };
    let reason_sealed = state.secrets.seal(reason).map_err(AppError::internal)?;
    let status = if input.draft {
        Status::Draft
    } else {
        Status::Requested
    };
    let due = (!input.draft).then(|| {
        workdays::add_working_days(today, in_force.rules.accept_days_for(urgency))
            .format("%Y-%m-%d")
            .to_string()
    });
    let user_id = actor.user_id.clone();
    let event = access::event(
        who,
        "referral_create",
        Resource::ReferralFrom(&from_org.id),
        "allowed",
    );
    let from_id = from_org.id.clone();
    let areas_code = areas.join(",");
    let birth_iso = birth.format("%Y-%m-%d").to_string();
    let agreements_id = in_force.id.clone();
    let (id, receivers) = state
        .db
        .write(move |c| {
            let child = db::create_child(
                c,
                &db::NewChild {
                    name_sealed: &name_sealed,
                    birth_date: &birth_iso,
                    gemeente_code: &gemeente,
                    bsn_sealed: bsn_sealed.as_deref(),
                    created_by: &user_id,
                },
            )?;
            let id = db::create(
                c,
                &db::NewReferral {
                    child_id: &child,
                    parent_id: None,
                    consultation_id: consultation_id.as_deref(),
                    agreements_id: agreements_id.as_deref(),
                    from_org_id: &from_id,
                    referrer_id: &user_id,
                    on_behalf_of_id: on_behalf_of.as_deref(),
                    to_org_id: &to_org,
                    service_id: service_id.as_deref(),
                    school_id: school_id.as_deref(),
                    reason_sealed: &reason_sealed,
                    problem_areas: &areas_code,
                    urgency: urgency.code(),
                    status: status.code(),
                    case_director_id: None,
                    due_on: due.as_deref(),
                },
            )?;
            if let (Some(cid), Status::Requested) = (&consultation_id, status) {
                // The question became a referral: it is done.
                rondom_db::consultations::set_status(
                    c,
                    cid,
                    rondom_domain::consultation::Status::Closed.code(),
                    None,
                    false,
                )?;
            }
            audit::append(
                c,
                &AuditEvent {
                    object_type: "referral".into(),
                    object_id: Some(id.clone()),
                    child_id: Some(child),
                    ..event
                },
            )?;
            let receivers = if status == Status::Requested {
                announce(c, &id, &to_org)?
            } else {
                None
            };
            Ok((id, receivers))
        })
        .await?;
    mail_receivers(state, receivers, &id);
    Ok(Created::Created(id))
}

/// Tells the receiving organisation's staff in Rondom that a referral waits; returns the
/// organisation's general address for the e-mail.
fn announce(c: &mut AnyConnection, id: &str, to_org: &str) -> Result<Option<String>, DbError> {
    let link = link(id);
    for m in rondom_db::organisations::members(c, to_org)? {
        let receives = matches!(
            Role::parse(&m.role),
            Some(Role::Consulent | Role::Teamleider | Role::ZorgaanbiederMedewerker)
        );
        if receives && !m.disabled {
            rondom_db::consultations::notify(
                c,
                &m.user_id,
                "Er is een nieuwe verwijzing voor uw organisatie.",
                &link,
            )?;
        }
    }
    Ok(rondom_db::organisations::find(c, to_org)?.and_then(|o| o.email))
}

fn mail_receivers(state: &AppState, to: Option<String>, id: &str) {
    if let Some(to) = to.filter(|t| !t.is_empty()) {
        state.mailer.send_later(
            to,
            "Nieuwe verwijzing in Rondom".into(),
            format!(
                "Er is een nieuwe verwijzing voor uw organisatie.\n\nBekijk haar in Rondom: {}{}\n\nOm privacyredenen staat de inhoud niet in deze e-mail.\n",
                state.settings.base_url.trim_end_matches('/'),
                link(id)
            ),
        );
    }
}

pub fn link(id: &str) -> String {
    format!("/verwijzingen/{id}")
}

/// The referral, if this person takes part in it: otherwise 404 (and the refusal logged),
/// so that ids of others' referrals reveal nothing.
pub async fn load(
    state: &AppState,
    who: &impl Principal,
    id: &str,
    action: Action,
) -> Result<Referral, AppError> {
    let rid = id.to_owned();
    let r = state
        .db
        .read(move |c| db::find(c, &rid))
        .await?
        .ok_or(AppError::NotFound)?;
    let resource = Resource::Referral {
        from: &r.from_org_id,
        to: &r.to_org_id,
    };
    // A draft is the referrer's alone until it is sent.
    let draft_hidden =
        Status::parse(&r.status) == Some(Status::Draft) && !refers_for(who.actor(), &r.from_org_id);
    if draft_hidden || !authorize(who.actor(), action, resource).is_allowed() {
        // Named for what was tried: a refused change is not logged as a look.
        let e = access::event(
            who,
            &format!("referral_{}", action.as_str()),
            resource,
            "denied",
        );
        access::record(
            state,
            AuditEvent {
                object_id: Some(r.id.clone()),
                child_id: Some(r.child_id.clone()),
                ..e
            },
        )
        .await?;
        return Err(AppError::NotFound);
    }
    Ok(r)
}

/// Proof that a look at one referral was written to the audit log. `detail`, which opens
/// the child's name, BSN, reason, feedback and attachments, takes one, and only
/// `record_read` makes one: a page or an answer that shows a referral without its look
/// being logged does not compile (a form shown again after a failed check included).
pub struct Disclosure {
    referral_id: String,
}

/// Logs a look at a referral (and the child in it). With `receipt`, a receiver's first
/// look marks a new referral received (the page does; the API receives explicitly).
/// Answers whether it did, and the proof that the look is logged.
pub async fn record_read(
    state: &AppState,
    who: &impl Principal,
    r: &Referral,
    receipt: bool,
) -> Result<(bool, Disclosure), AppError> {
    let e = access::event(
        who,
        "referral_read",
        Resource::Referral {
            from: &r.from_org_id,
            to: &r.to_org_id,
        },
        "allowed",
    );
    let receipt = receipt
        && Status::parse(&r.status) == Some(Status::Requested)
        && receives_for(who.actor(), &r.to_org_id);
    let moved = access::event(
        who,
        "referral_transition",
        Resource::Referral {
            from: &r.from_org_id,
            to: &r.to_org_id,
        },
        "allowed",
    );
    let (id, child, uid) = (
        r.id.clone(),
        r.child_id.clone(),
        who.actor().user_id.clone(),
    );
    let due = r.due_on.clone();
    state
        .db
        .write(move |c| {
            audit::append(
                c,
                &AuditEvent {
                    object_id: Some(id.clone()),
                    child_id: Some(child.clone()),
                    ..e
                },
            )?;
            rondom_db::consultations::mark_read(c, &uid, &link(&id))?;
            if receipt {
                match db::apply_move(
                    c,
                    &id,
                    &db::Move {
                        from: Status::Requested.code(),
                        to: Status::Received.code(),
                        actor_id: &uid,
                        reason_sealed: None,
                        due_on: due.as_deref(),
                        accepted_on: None,
                        case_director_id: None,
                    },
                ) {
                    Ok(()) => {
                        audit::append(
                            c,
                            &AuditEvent {
                                object_id: Some(id.clone()),
                                child_id: Some(child.clone()),
                                reason: Some("requested → received (geopend)".into()),
                                ..moved
                            },
                        )?;
                        return Ok(true);
                    }
                    // Someone else received it a moment ago: fine.
                    Err(DbError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(false)
        })
        .await
        .map(|received| {
            (
                received,
                Disclosure {
                    referral_id: r.id.clone(),
                },
            )
        })
        .map_err(Into::into)
}

/// A service from the sociale kaart with the kind of organisation that offers it (a
/// referral's target must be a provider's or a team's).
fn service_with_kind(
    c: &mut AnyConnection,
    id: &str,
) -> Result<Option<(rondom_db::directory::ServiceRow, String)>, DbError> {
    let Some(service) = rondom_db::directory::find_service(c, id)? else {
        return Ok(None);
    };
    let kind = rondom_db::organisations::find(c, &service.organisation_id)?
        .map(|o| o.kind)
        .unwrap_or_default();
    Ok(Some((service, kind)))
}

/// Services a referral may go to (a provider's specialised help, or what it offers by
/// referral): (id, "name (organisation)"), by name. `exclude` is the referring side.
pub fn referable_services(
    c: &mut AnyConnection,
    exclude: &str,
    specialised_only: bool,
) -> Result<Vec<(String, String)>, DbError> {
    let providers: std::collections::HashSet<String> = rondom_db::organisations::list(c)?
        .into_iter()
        .filter(|o| o.kind == OrganisationKind::Zorgaanbieder.as_str())
        .map(|o| o.id)
        .collect();
    let mut out: Vec<(String, String)> = rondom_db::directory::all_services(c)?
        .into_iter()
        .filter(|s| s.organisation_id != exclude && providers.contains(&s.organisation_id))
        .filter(|s| {
            s.category == "specialistisch" || (!specialised_only && s.access_route == "verwijzing")
        })
        .map(|s| (s.id, format!("{} ({})", s.name, s.organisation_name)))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// Logs that a list showed these referrals (children's names and ages) to this person:
/// one entry naming them all, so that who saw which child can be traced.
pub async fn record_list(
    state: &AppState,
    who: &impl Principal,
    referral_ids: &[&str],
) -> Result<(), AppError> {
    if referral_ids.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<&str> = referral_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let e = access::event(
        who,
        "referral_list_read",
        Resource::ReferralInbox(""),
        "allowed",
    );
    access::record(
        state,
        AuditEvent {
            object_id: None,
            reason: Some(format!("{} getoond: {}", ids.len(), ids.join(","))),
            ..e
        },
    )
    .await
}

/// The moves this person may make now.
pub fn allowed_moves(actor: &Actor, r: &Referral) -> Vec<Status> {
    let Some(status) = Status::parse(&r.status) else {
        return vec![];
    };
    status
        .next()
        .iter()
        .copied()
        .filter(|to| match to.moved_by() {
            Side::Referrer => refers_for(actor, &r.from_org_id),
            Side::Receiver => receives_for(actor, &r.to_org_id),
        })
        .collect()
}

/// A move as asked for.
#[derive(Debug, Clone, Default)]
pub struct MoveInput {
    pub to: String,
    pub reason: String,
    pub note: String,
    /// On acceptance by a social team: the consultant who directs the case.
    pub case_director: String,
    pub help_given: String,
    pub given_by: String,
    pub next: String,
}

/// The consultants and team leaders of a team (who may direct a case): (id, name).
pub fn case_directors_of(
    c: &mut AnyConnection,
    team_id: &str,
) -> Result<Vec<(String, String)>, DbError> {
    Ok(rondom_db::organisations::members(c, team_id)?
        .into_iter()
        .filter(|m| {
            !m.disabled
                && matches!(
                    Role::parse(&m.role),
                    Some(Role::Consulent | Role::Teamleider)
                )
        })
        .map(|m| (m.user_id, m.name))
        .collect())
}

/// Makes one move, with its feedback, notifications and audit entry, or says why not:
/// `Err(AppError::TransitionNotAllowed)` for a move the lifecycle or this person's side
/// does not allow (409), `Ok(Err(..))` for missing or wrong input (422).
pub async fn make_move(
    state: &AppState,
    who: &impl Principal,
    r: Referral,
    input: MoveInput,
) -> Result<Result<(), Vec<ValidationError>>, AppError> {
    let from = Status::parse(&r.status).ok_or_else(|| AppError::internal("unknown status"))?;
    let allowed = allowed_moves(who.actor(), &r);
    let Some(to) = Status::parse(input.to.trim()) else {
        return Err(not_allowed(
            format!("‘{}’ is geen status van een verwijzing.", input.to.trim()),
            &allowed,
        ));
    };
    if let Err(e) = transition(from, to, Some(input.reason.as_str())) {
        return match e {
            rondom_domain::referral::TransitionError::ReasonRequired(_) => {
                Ok(Err(vec![ValidationError::new("reden", e.message())]))
            }
            other => Err(not_allowed(other.message(), &allowed)),
        };
    }
    if !allowed.contains(&to) {
        let whose = match to.moved_by() {
            Side::Referrer => "de verwijzer",
            Side::Receiver => "de organisatie waarnaar verwezen is",
        };
        return Err(not_allowed(
            format!(
                "Alleen {whose} kan een verwijzing op ‘{}’ zetten.",
                to.label()
            ),
            &allowed,
        ));
    }
    let mut errors = Vec::new();
    let (to_org, agreements, directors) = {
        let (t, rr) = (r.to_org_id.clone(), r.clone());
        state
            .db
            .read(move |c| {
                let org = rondom_db::organisations::find(c, &t)?;
                // A draft follows the agreements in force on the day it is sent.
                let a = if to == Status::Requested {
                    let gemeente = db::child(c, &rr.child_id)?
                        .map(|ch| ch.gemeente_code)
                        .unwrap_or_default();
                    in_force(c, &gemeente, &format::today_iso())?
                } else {
                    applied_to(c, &rr)?
                };
                let d = case_directors_of(c, &t)?;
                Ok((org, a, d))
            })
            .await?
    };
    let to_team = to_org
        .as_ref()
        .is_some_and(|o| o.kind == OrganisationKind::SociaalTeam.as_str());
    let mut case_director = None;
    if to == Status::Accepted && to_team {
        match directors.iter().find(|(id, _)| *id == input.case_director) {
            Some(d) => case_director = Some(d.clone()),
            None => errors.push(ValidationError::new(
                "casusregisseur",
                "Wijs bij acceptatie een casusregisseur van het team aan.",
            )),
        }
    }
    let outcome = if to == Status::Completed {
        match Outcome::check(&input.help_given, &input.given_by, &input.next) {
            Ok(o) => Some(o),
            Err(e) => {
                errors.extend(e);
                None
            }
        }
    } else {
        None
    };
    if input.note.chars().count() > REASON_MAX || input.reason.chars().count() > REASON_MAX {
        errors.push(ValidationError::new(
            "toelichting",
            "Houd de toelichting onder 4000 tekens.",
        ));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let today = format::today();
    let urgency = Urgency::parse(&r.urgency).unwrap_or(Urgency::Regulier);
    let rules = &agreements.rules;
    let accepted_on = if to == Status::Accepted {
        Some(today)
    } else {
        r.accepted_on.as_deref().and_then(parse_date)
    };
    let due = match to {
        Status::Requested => Some(workdays::add_working_days(
            today,
            rules.accept_days_for(urgency),
        )),
        Status::Received => r.due_on.as_deref().and_then(parse_date),
        Status::Accepted => next_feedback_moment(rules, today, today),
        Status::InProgress | Status::OnHold => r.due_on.as_deref().and_then(parse_date),
        _ => None,
    }
    .map(|d| d.format("%Y-%m-%d").to_string());

    // What the referrer reads.
    let feedback = FeedbackKind::of_transition(to).map(|kind| {
        let mut text = match (to, &outcome, &case_director) {
            (Status::Completed, Some(o), _) => o.text(),
            (Status::Accepted, _, Some((_, name))) => {
                format!("De verwijzing is geaccepteerd. Casusregisseur: {name}.")
            }
            (Status::Accepted, _, None) => "De verwijzing is geaccepteerd.".to_owned(),
            _ => format!("Reden: {}", input.reason.trim()),
        };
        if !input.note.trim().is_empty() {
            text.push('\n');
            text.push_str(input.note.trim());
        }
        (kind, text)
    });
    let feedback = match feedback {
        Some((k, t)) => Some((k, state.secrets.seal(&t).map_err(AppError::internal)?)),
        None => None,
    };
    let reason_sealed = if input.reason.trim().is_empty() {
        None
    } else {
        Some(
            state
                .secrets
                .seal(input.reason.trim())
                .map_err(AppError::internal)?,
        )
    };
    let step = match to {
        Status::Accepted => Some(Step::Accepted),
        Status::Rejected => Some(Step::Rejected),
        Status::Completed => Some(Step::Completed),
        // A pause is news between the fixed moments.
        Status::OnHold => Some(Step::Interim),
        _ => None,
    };
    let e = access::event(
        who,
        "referral_transition",
        Resource::Referral {
            from: &r.from_org_id,
            to: &r.to_org_id,
        },
        "allowed",
    );
    let uid = who.actor().user_id.clone();
    let rules = rules.clone();
    let agreements_id = agreements.id.clone();
    let r2 = r.clone();
    let mails = state
        .db
        .write(move |c| {
            let r = r2;
            db::apply_move(
                c,
                &r.id,
                &db::Move {
                    from: from.code(),
                    to: to.code(),
                    actor_id: &uid,
                    reason_sealed: reason_sealed.as_deref(),
                    due_on: due.as_deref(),
                    accepted_on: (to == Status::Accepted)
                        .then(|| accepted_on.map(|d| d.format("%Y-%m-%d").to_string()))
                        .flatten()
                        .as_deref(),
                    case_director_id: case_director.as_ref().map(|(id, _)| id.as_str()),
                },
            )?;
            if let Some((kind, sealed)) = &feedback {
                db::add_feedback(c, &r.id, &uid, kind.code(), sealed)?;
            }
            if to == Status::Requested {
                db::set_agreements(c, &r.id, agreements_id.as_deref())?;
                if let Some(cid) = &r.consultation_id {
                    rondom_db::consultations::set_status(
                        c,
                        cid,
                        rondom_domain::consultation::Status::Closed.code(),
                        None,
                        false,
                    )?;
                }
            }
            audit::append(
                c,
                &AuditEvent {
                    object_id: Some(r.id.clone()),
                    child_id: Some(r.child_id.clone()),
                    reason: Some(format!("{} → {}", from.code(), to.code())),
                    ..e
                },
            )?;
            let mut r = r;
            if let Some((cd, _)) = &case_director {
                r.case_director_id = Some(cd.clone());
            }
            let text = format!("Een verwijzing is {}.", to.label());
            let mut mails = match step {
                Some(step) => inform(c, &r, &rules, step, &uid, &text)?,
                // Withdrawn or failed: both sides hear it.
                None if to.is_final() => inform_people(c, &r, &[Recipient::Referrer], &uid, &text)?,
                None => vec![],
            };
            if to == Status::Cancelled {
                for m in rondom_db::organisations::members(c, &r.to_org_id)? {
                    if receives_for_role(&m.role) && !m.disabled {
                        rondom_db::consultations::notify(c, &m.user_id, &text, &link(&r.id))?;
                    }
                }
            }
            if let (Some((cd, _)), true) = (&case_director, to == Status::Accepted)
                && *cd != uid
            {
                rondom_db::consultations::notify(
                    c,
                    cd,
                    "U bent casusregisseur van een verwijzing.",
                    &link(&r.id),
                )?;
                if let Ok(u) = rondom_db::users::get(c, cd) {
                    mails.push(u.email);
                }
            }
            if let Some(parent) = &r.parent_id {
                // An onward referral: its case director passes the news on to the GP.
                if let Some(cd) = r.case_director_id.as_deref().filter(|cd| *cd != uid) {
                    rondom_db::consultations::notify(
                        c,
                        cd,
                        &format!(
                            "De doorverwijzing is {}. Geef de verwijzer terugkoppeling.",
                            to.label()
                        ),
                        &link(parent),
                    )?;
                }
            }
            if to == Status::Requested
                && let Some(addr) = announce(c, &r.id, &r.to_org_id)?
            {
                mails.push(addr);
            }
            Ok(mails)
        })
        .await?;
    mail_all(state, mails, &r.id);
    Ok(Ok(()))
}

fn receives_for_role(role: &str) -> bool {
    matches!(
        Role::parse(role),
        Some(Role::Consulent | Role::Teamleider | Role::ZorgaanbiederMedewerker)
    )
}

fn not_allowed(message: String, allowed: &[Status]) -> AppError {
    AppError::TransitionNotAllowed {
        message,
        allowed: allowed.iter().map(|s| s.code()).collect(),
    }
}

/// The first interim feedback moment after `after`, counted from acceptance.
pub fn next_feedback_moment(
    rules: &Agreements,
    accepted: chrono::NaiveDate,
    after: chrono::NaiveDate,
) -> Option<chrono::NaiveDate> {
    rules
        .feedback_days
        .iter()
        .map(|d| workdays::add_working_days(accepted, *d))
        .find(|d| *d > after)
}

/// Notifies whom the agreements name for `step`; returns the e-mail addresses of the
/// people to mail (the notice carries no content).
fn inform(
    c: &mut AnyConnection,
    r: &Referral,
    rules: &Agreements,
    step: Step,
    actor_id: &str,
    text: &str,
) -> Result<Vec<String>, DbError> {
    inform_people(c, r, rules.informs(step), actor_id, text)
}

fn inform_people(
    c: &mut AnyConnection,
    r: &Referral,
    recipients: &[Recipient],
    actor_id: &str,
    text: &str,
) -> Result<Vec<String>, DbError> {
    let mut people: Vec<String> = Vec::new();
    // Those who only hear that something happened, pointed to the referrer's contact
    // details: they take no part in the referral itself.
    let mut bystanders: Vec<String> = Vec::new();
    for rec in recipients {
        match rec {
            Recipient::Referrer => {
                people.push(r.referrer_id.clone());
                people.extend(r.on_behalf_of_id.clone());
            }
            Recipient::Poh => people.extend(
                rondom_db::organisations::members(c, &r.from_org_id)?
                    .into_iter()
                    .filter(|m| m.role == Role::Poh.as_str() && !m.disabled)
                    .map(|m| m.user_id),
            ),
            Recipient::CaseDirector => people.extend(r.case_director_id.clone()),
            Recipient::School => {
                if let Some(s) = &r.school_id {
                    bystanders.extend(
                        rondom_db::organisations::members(c, s)?
                            .into_iter()
                            .filter(|m| m.role == Role::School.as_str() && !m.disabled)
                            .map(|m| m.user_id),
                    );
                }
            }
            Recipient::Jgz => {
                let gemeente = db::child(c, &r.child_id)?
                    .map(|ch| ch.gemeente_code)
                    .unwrap_or_default();
                for org in rondom_db::organisations::list(c)? {
                    if org.kind == OrganisationKind::Jgz.as_str() && org.gemeente_code == gemeente {
                        bystanders.extend(
                            rondom_db::organisations::members(c, &org.id)?
                                .into_iter()
                                .filter(|m| m.role == Role::Jgz.as_str() && !m.disabled)
                                .map(|m| m.user_id),
                        );
                    }
                }
            }
        }
    }
    people.sort();
    people.dedup();
    people.retain(|p| p != actor_id);
    bystanders.sort();
    bystanders.dedup();
    bystanders.retain(|p| p != actor_id && !people.contains(p));
    let mut mails = Vec::new();
    for p in &people {
        let Ok(u) = rondom_db::users::get(c, p) else {
            continue;
        };
        // People who left are not told.
        if u.disabled {
            continue;
        }
        rondom_db::consultations::notify(c, p, text, &link(&r.id))?;
        mails.push(u.email);
    }
    for p in &bystanders {
        rondom_db::consultations::notify(
            c,
            p,
            &format!(
                "Volgens het verwijskader wordt u geïnformeerd: {} Neem voor meer contact op met de verwijzer.",
                text
            ),
            &format!("/sociale-kaart/organisaties/{}", r.from_org_id),
        )?;
    }
    Ok(mails)
}

fn mail_all(state: &AppState, mut to: Vec<String>, id: &str) {
    to.sort();
    to.dedup();
    for addr in to {
        state.mailer.send_later(
            addr,
            "Nieuws over een verwijzing in Rondom".into(),
            format!(
                "Er is nieuws over een verwijzing waarbij u betrokken bent.\n\nLees het in Rondom: {}{}\n\nOm privacyredenen staat de inhoud niet in deze e-mail.\n",
                state.settings.base_url.trim_end_matches('/'),
                link(id)
            ),
        );
    }
}

/// Interim feedback (terugkoppeling) from the receiving side to the referrer: allowed
/// while help runs; the next feedback moment moves on.
pub async fn give_feedback(
    state: &AppState,
    who: &impl Principal,
    r: Referral,
    text: &str,
) -> Result<Result<(), Vec<ValidationError>>, AppError> {
    let status = Status::parse(&r.status).unwrap_or(Status::Draft);
    if !receives_for(who.actor(), &r.to_org_id) {
        return Err(AppError::Forbidden);
    }
    let text = text.trim();
    let mut errors = Vec::new();
    if !status.is_running() && !status.awaits_acceptance() {
        errors.push(ValidationError::new(
            "terugkoppeling",
            format!(
                "Een verwijzing die {} is, krijgt geen tussentijdse terugkoppeling meer.",
                status.label()
            ),
        ));
    }
    if text.is_empty() || text.chars().count() > REASON_MAX {
        errors.push(ValidationError::new(
            "terugkoppeling",
            "Schrijf de terugkoppeling (hoogstens 4000 tekens).",
        ));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let sealed = state.secrets.seal(text).map_err(AppError::internal)?;
    let e = access::event(
        who,
        "referral_feedback",
        Resource::Referral {
            from: &r.from_org_id,
            to: &r.to_org_id,
        },
        "allowed",
    );
    let uid = who.actor().user_id.clone();
    let rid = r.id.clone();
    let mails = state
        .db
        .write(move |c| {
            let agreements = applied_to(c, &r)?;
            db::add_feedback(c, &r.id, &uid, FeedbackKind::Interim.code(), &sealed)?;
            if status.is_running() {
                let accepted = r
                    .accepted_on
                    .as_deref()
                    .and_then(parse_date)
                    .unwrap_or_else(format::today);
                let next = next_feedback_moment(&agreements.rules, accepted, format::today())
                    .map(|d| d.format("%Y-%m-%d").to_string());
                db::set_due(c, &r.id, next.as_deref())?;
            }
            audit::append(
                c,
                &AuditEvent {
                    object_id: Some(r.id.clone()),
                    child_id: Some(r.child_id.clone()),
                    ..e
                },
            )?;
            inform(
                c,
                &r,
                &agreements.rules,
                Step::Interim,
                &uid,
                "Er is tussentijdse terugkoppeling over een verwijzing.",
            )
        })
        .await?;
    mail_all(state, mails, &rid);
    Ok(Ok(()))
}

/// The team refers on to a service of a provider: a new referral linked to the first,
/// with the same child, agreements and case director. The GP hears of it on the first.
pub async fn refer_on(
    state: &AppState,
    who: &impl Principal,
    parent: Referral,
    service_id: &str,
    reason: &str,
) -> Result<Result<String, Vec<ValidationError>>, AppError> {
    let status = Status::parse(&parent.status).unwrap_or(Status::Draft);
    if !receives_for(who.actor(), &parent.to_org_id) || !refers_for(who.actor(), &parent.to_org_id)
    {
        return Err(AppError::Forbidden);
    }
    let sid = service_id.to_owned();
    let service = state.db.read(move |c| service_with_kind(c, &sid)).await?;
    let mut errors = Vec::new();
    if !status.is_running() {
        errors.push(ValidationError::new(
            "aanbod",
            "Verwijs door nadat het team de verwijzing heeft geaccepteerd.",
        ));
    }
    let service = match service {
        Some((s, kind))
            if s.organisation_id != parent.to_org_id
                && kind == OrganisationKind::Zorgaanbieder.as_str()
                && s.category == "specialistisch" =>
        {
            Some(s)
        }
        _ => {
            errors.push(ValidationError::new(
                "aanbod",
                "Kies specialistische hulp van een zorgaanbieder uit de sociale kaart.",
            ));
            None
        }
    };
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX {
        errors.push(ValidationError::new(
            "reden",
            "Beschrijf waarom u doorverwijst (hoogstens 4000 tekens).",
        ));
    }
    let (Some(service), true) = (service, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let reason_sealed = state.secrets.seal(reason).map_err(AppError::internal)?;
    let onward_text = state
        .secrets
        .seal(&format!(
            "Het sociaal team heeft doorverwezen naar {} ({}). De casusregisseur blijft uw aanspreekpunt.",
            service.name, service.organisation_name
        ))
        .map_err(AppError::internal)?;
    let e = access::event(
        who,
        "referral_refer_on",
        Resource::Referral {
            from: &parent.from_org_id,
            to: &parent.to_org_id,
        },
        "allowed",
    );
    let uid = who.actor().user_id.clone();
    let parent_id = parent.id.clone();
    let (id, mails, org_mail) = state
        .db
        .write(move |c| {
            let agreements = applied_to(c, &parent)?;
            let urgency = Urgency::parse(&parent.urgency).unwrap_or(Urgency::Regulier);
            let due = workdays::add_working_days(
                format::today(),
                agreements.rules.accept_days_for(urgency),
            )
            .format("%Y-%m-%d")
            .to_string();
            let id = db::create(
                c,
                &db::NewReferral {
                    child_id: &parent.child_id,
                    parent_id: Some(&parent.id),
                    consultation_id: None,
                    agreements_id: parent.agreements_id.as_deref(),
                    from_org_id: &parent.to_org_id,
                    referrer_id: &uid,
                    on_behalf_of_id: None,
                    to_org_id: &service.organisation_id,
                    service_id: Some(&service.id),
                    school_id: parent.school_id.as_deref(),
                    reason_sealed: &reason_sealed,
                    problem_areas: &parse_areas(&parent.problem_areas).join(","),
                    urgency: urgency.code(),
                    status: Status::Requested.code(),
                    case_director_id: parent.case_director_id.as_deref(),
                    due_on: Some(&due),
                },
            )?;
            db::add_feedback(
                c,
                &parent.id,
                &uid,
                FeedbackKind::Onward.code(),
                &onward_text,
            )?;
            audit::append(
                c,
                &AuditEvent {
                    object_id: Some(id.clone()),
                    child_id: Some(parent.child_id.clone()),
                    reason: Some(format!("doorverwezen vanuit {}", parent.id)),
                    ..e
                },
            )?;
            let mails = inform(
                c,
                &parent,
                &agreements.rules,
                Step::Onward,
                &uid,
                "Het sociaal team heeft een verwijzing doorverwezen naar specialistische hulp.",
            )?;
            let org_mail = announce(c, &id, &service.organisation_id)?;
            Ok((id, mails, org_mail))
        })
        .await?;
    // The parent's people hear of it on the parent, the one they can open.
    mail_all(state, mails, &parent_id);
    mail_receivers(state, org_mail, &id);
    Ok(Ok(id))
}

/// Changes the case director of a running referral (the team's own business).
pub async fn change_case_director(
    state: &AppState,
    who: &impl Principal,
    r: Referral,
    user_id: &str,
) -> Result<Result<(), Vec<ValidationError>>, AppError> {
    if !receives_for(who.actor(), &r.to_org_id) {
        return Err(AppError::Forbidden);
    }
    let team = r.to_org_id.clone();
    let directors = state.db.read(move |c| case_directors_of(c, &team)).await?;
    let Some((new_id, name)) = directors.into_iter().find(|(id, _)| id == user_id) else {
        return Ok(Err(vec![ValidationError::new(
            "casusregisseur",
            "Kies een consulent of teamleider van het team.",
        )]));
    };
    if !Status::parse(&r.status).is_some_and(Status::is_running) {
        return Ok(Err(vec![ValidationError::new(
            "casusregisseur",
            "Een casusregisseur wordt gekozen bij acceptatie en kan wisselen zolang de hulp loopt.",
        )]));
    }
    let e = access::event(
        who,
        "referral_case_director",
        Resource::Referral {
            from: &r.from_org_id,
            to: &r.to_org_id,
        },
        "allowed",
    );
    let uid = who.actor().user_id.clone();
    state
        .db
        .write(move |c| {
            db::set_case_director(c, &r.id, &new_id)?;
            // Onward referrals follow: the case director stays one person.
            for o in db::onward_of(c, &r.id)? {
                if !Status::parse(&o.r.status).is_none_or(Status::is_final) {
                    db::set_case_director(c, &o.r.id, &new_id)?;
                }
            }
            if new_id != uid {
                rondom_db::consultations::notify(
                    c,
                    &new_id,
                    "U bent casusregisseur van een verwijzing.",
                    &link(&r.id),
                )?;
            }
            audit::append(
                c,
                &AuditEvent {
                    object_id: Some(r.id.clone()),
                    child_id: Some(r.child_id.clone()),
                    reason: Some(format!("casusregisseur: {name}")),
                    ..e
                },
            )
        })
        .await?;
    Ok(Ok(()))
}

/// One move: (from, to, who, reason, when).
pub type EventView = (
    Option<Status>,
    Status,
    String,
    Option<String>,
    chrono::NaiveDateTime,
);

/// Everything a referral's page (or the API's detail) shows.
pub struct Detail {
    pub listed: Listed,
    pub child_name: String,
    pub birth_date: String,
    pub age: Option<i32>,
    pub gemeente: String,
    pub bsn: Option<String>,
    pub reason: String,
    pub agreements: InForce,
    pub service: Option<(String, String)>,
    pub on_behalf_of: Option<String>,
    pub school: Option<String>,
    /// (from label, to label, who, reason, when)
    pub events: Vec<EventView>,
    /// (kind, author, text, when)
    pub feedback: Vec<(FeedbackKind, String, String, chrono::NaiveDateTime)>,
    /// (id, file name, media type, size)
    pub attachments: Vec<(String, String, String, i32)>,
    pub onward: Vec<Listed>,
    pub parent: Option<Listed>,
}

/// The referral as `viewer` may see it: linked referrals (the parent, onward ones)
/// only when the viewer takes part in those too. `seen` is the proof that this look is
/// in the audit log.
pub async fn detail(
    state: &AppState,
    r: &Referral,
    viewer: &Actor,
    seen: &Disclosure,
) -> Result<Detail, AppError> {
    if seen.referral_id != r.id {
        return Err(AppError::internal(
            "a referral was about to be shown with another referral's logged look",
        ));
    }
    let rr = r.clone();
    let (listed, child, agreements, events, feedback, attachments, onward, parent, names) = state
        .db
        .read(move |c| {
            let listed = db::find_listed(c, &rr.id)?.ok_or(DbError::NotFound)?;
            let child = db::child(c, &rr.child_id)?.ok_or(DbError::NotFound)?;
            let agreements = applied_to(c, &rr)?;
            let events = db::events(c, &rr.id)?;
            let feedback = db::feedback(c, &rr.id)?;
            let attachments = db::attachments(c, &rr.id)?;
            let onward = db::onward_of(c, &rr.id)?;
            let parent = match &rr.parent_id {
                Some(p) => db::find_listed(c, p)?,
                None => None,
            };
            let service = match &rr.service_id {
                Some(s) => rondom_db::directory::find_service(c, s)?.map(|s| (s.id, s.name)),
                None => None,
            };
            let on_behalf = match &rr.on_behalf_of_id {
                Some(u) => rondom_db::users::get(c, u).ok().map(|u| u.name),
                None => None,
            };
            let school = match &rr.school_id {
                Some(s) => rondom_db::organisations::find(c, s)?.map(|o| o.name),
                None => None,
            };
            Ok((
                listed,
                child,
                agreements,
                events,
                feedback,
                attachments,
                onward,
                parent,
                (service, on_behalf, school),
            ))
        })
        .await?;
    let open = |s: &str| state.secrets.open_shown(s, "referral text");
    let birth = parse_date(&child.birth_date);
    Ok(Detail {
        child_name: open(&child.name_sealed),
        birth_date: birth
            .map(|b| b.format("%d-%m-%Y").to_string())
            .unwrap_or_default(),
        age: birth.map(|b| age_on(b, format::today())),
        gemeente: child.gemeente_code.clone(),
        bsn: child.bsn_sealed.as_deref().map(open),
        reason: open(&r.reason_sealed),
        agreements,
        service: names.0,
        on_behalf_of: names.1,
        school: names.2,
        events: events
            .into_iter()
            .map(|(f, t, who, reason, at)| {
                (
                    f.as_deref().and_then(Status::parse),
                    Status::parse(&t).unwrap_or(Status::Draft),
                    who,
                    reason.as_deref().map(open),
                    at,
                )
            })
            .collect(),
        feedback: feedback
            .into_iter()
            .map(|(k, who, body, at)| {
                (
                    FeedbackKind::parse(&k).unwrap_or(FeedbackKind::Interim),
                    who,
                    open(&body),
                    at,
                )
            })
            .collect(),
        attachments: attachments
            .into_iter()
            .map(|(id, name, media, size)| (id, open(&name), media, size))
            .collect(),
        onward: onward
            .into_iter()
            .filter(|l| may_read(viewer, &l.r))
            .collect(),
        parent: parent.filter(|l| may_read(viewer, &l.r)),
        listed,
    })
}

/// Whether this person takes part in a referral (and, for a draft, made it).
pub fn may_read(actor: &Actor, r: &Referral) -> bool {
    authorize(
        actor,
        Action::Read,
        Resource::Referral {
            from: &r.from_org_id,
            to: &r.to_org_id,
        },
    )
    .is_allowed()
        && (Status::parse(&r.status) != Some(Status::Draft) || refers_for(actor, &r.from_org_id))
}

/// Whether a referral in this state with this deadline is late.
pub fn is_overdue(status: Status, due_on: Option<&str>, today: chrono::NaiveDate) -> bool {
    !status.is_final()
        && status != Status::Draft
        && due_on.and_then(parse_date).is_some_and(|d| d < today)
}

/// What an attachment really is, read from its first bytes (not from its name or the
/// browser's say-so): PDF, PNG or JPEG, or nothing.
pub fn sniff_media_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// Largest attachment accepted.
pub const ATTACHMENT_MAX_BYTES: usize = 5 * 1024 * 1024;

/// Checks and stores an attachment for a referral this person takes part in.
pub async fn attach(
    state: &AppState,
    who: &impl Principal,
    r: &Referral,
    file_name: &str,
    bytes: &[u8],
) -> Result<Result<String, Vec<ValidationError>>, AppError> {
    let name: String = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    let closed = || {
        vec![ValidationError::new(
            "bijlage",
            "Deze verwijzing is afgesloten: er kunnen geen bijlagen meer bij.",
        )]
    };
    if Status::parse(&r.status).is_some_and(Status::is_final) {
        return Ok(Err(closed()));
    }
    let mut errors = Vec::new();
    if bytes.is_empty() {
        errors.push(ValidationError::new("bijlage", "Kies een bestand."));
    } else if bytes.len() > ATTACHMENT_MAX_BYTES {
        errors.push(ValidationError::new(
            "bijlage",
            "Het bestand is groter dan 5 MB.",
        ));
    }
    let media = sniff_media_type(bytes);
    if media.is_none() && !bytes.is_empty() {
        errors.push(ValidationError::new(
            "bijlage",
            "Alleen PDF-bestanden en afbeeldingen (PNG of JPEG) kunnen worden bijgevoegd; dit bestand is geen van beide.",
        ));
    }
    let (Some(media), true) = (media, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let name = if name.trim().is_empty() {
        "bijlage".to_owned()
    } else {
        name
    };
    let sealed = state
        .secrets
        .seal_bytes(bytes)
        .map_err(AppError::internal)?;
    let size = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
    // File names often name the child.
    let name_sealed = state.secrets.seal(&name).map_err(AppError::internal)?;
    let e = access::event(
        who,
        "referral_attachment_add",
        Resource::Referral {
            from: &r.from_org_id,
            to: &r.to_org_id,
        },
        "allowed",
    );
    let (rid, child, uid) = (
        r.id.clone(),
        r.child_id.clone(),
        who.actor().user_id.clone(),
    );
    let id = state
        .db
        .write(move |c| {
            // Checked again where it is written: a referral closed a moment ago takes
            // nothing more.
            let now = db::find(c, &rid)?.ok_or(rondom_db::DbError::NotFound)?;
            if Status::parse(&now.status).is_some_and(Status::is_final) {
                return Ok(None);
            }
            let id = db::add_attachment(
                c,
                &db::NewAttachment {
                    referral_id: &rid,
                    file_name_sealed: &name_sealed,
                    media_type: media,
                    size_bytes: size,
                    content_sealed: &sealed,
                    uploaded_by: &uid,
                },
            )?;
            audit::append(
                c,
                &AuditEvent {
                    object_id: Some(rid.clone()),
                    child_id: Some(child),
                    reason: Some(format!("bijlage {id}")),
                    ..e
                },
            )?;
            Ok(Some(id))
        })
        .await?;
    Ok(id.ok_or_else(closed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_are_known_by_their_content() {
        assert_eq!(sniff_media_type(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(
            sniff_media_type(b"\x89PNG\r\n\x1a\n\0\0"),
            Some("image/png")
        );
        assert_eq!(
            sniff_media_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some("image/jpeg")
        );
        assert_eq!(
            sniff_media_type(b"MZ\x90\0 (a program named scan.pdf)"),
            None
        );
        assert_eq!(sniff_media_type(b"<html>"), None);
    }

    #[test]
    fn ages_count_whole_years() {
        let d = |s| parse_date(s).unwrap();
        assert_eq!(age_on(d("2014-03-01"), d("2026-02-28")), 11);
        assert_eq!(age_on(d("2014-03-01"), d("2026-03-01")), 12);
        assert_eq!(parse_date("01-03-2014"), parse_date("2014-03-01"));
        assert_eq!(parse_date("1 maart"), None);
    }

    #[test]
    fn feedback_moments_follow_acceptance_in_working_days() {
        let rules = Agreements {
            feedback_days: vec![5, 20],
            ..Agreements::default()
        };
        let accepted = parse_date("2026-04-20").unwrap();
        // 5 working days after Monday 20 April skips King's Day (27 April).
        assert_eq!(
            next_feedback_moment(&rules, accepted, accepted),
            parse_date("2026-04-28")
        );
        let later = parse_date("2026-04-28").unwrap();
        assert_eq!(
            next_feedback_moment(&rules, accepted, later),
            Some(workdays::add_working_days(accepted, 20))
        );
        assert_eq!(
            next_feedback_moment(&rules, accepted, parse_date("2026-12-31").unwrap()),
            None
        );
    }

    #[test]
    fn lateness_counts_only_for_open_referrals() {
        let today = parse_date("2026-06-10").unwrap();
        assert!(is_overdue(Status::Received, Some("2026-06-09"), today));
        assert!(!is_overdue(Status::Received, Some("2026-06-10"), today));
        assert!(!is_overdue(Status::Completed, Some("2026-06-01"), today));
        assert!(!is_overdue(Status::Accepted, None, today));
    }
}
