//! A new referral: checked whole, stored whole (child, referral, audit entry and the
//! receivers' notices in one transaction), or not at all.

use super::notify::{announce, mail_receivers};
use super::{InForce, REASON_MAX, age_on, in_force, parse_date, service_with_kind};
use crate::access;
use crate::context::{Principal, Services};
use crate::dates;
use crate::error::{Checked, Error};
use chrono::NaiveDate;
use rondom_db::audit::{self, AuditEvent};
use rondom_db::directory::ServiceRow;
use rondom_db::organisations::Organisation;
use rondom_db::referrals as db;
use rondom_domain::catalogue::PROBLEM_AREAS;
use rondom_domain::ids::OrganisationId;
use rondom_domain::referral::{Status, Urgency};
use rondom_domain::validate::{GemeenteCode, ValidationError, bsn_is_valid};
use rondom_domain::{Action, Actor, OrganisationKind, Resource, Role, authorize, workdays};

/// What someone asks to refer; the same for the form and the API.
#[derive(Debug, Clone, Default)]
pub struct NewInput {
    pub from_org: String,
    pub on_behalf_of: Option<String>,
    pub child_name: String,
    pub birth_date: String,
    pub gemeente: String,
    /// The district the child lives in (a CBS code WK + 6), optional: stuurinformatie
    /// per wijk.
    pub wijk: String,
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
    /// Files sent along (a letter, a report): (file name, content).
    pub attachments: Vec<(String, Vec<u8>)>,
}

/// At most this many files go with a new referral; more can be added on its page.
pub const ATTACHMENTS_WITH_NEW: usize = 5;

/// Checks and stores a new referral for a person who may refer for `input.from_org`
/// (when it is empty: the one organisation they refer for), and returns its id. Nothing
/// is stored unless everything is right.
pub async fn create(
    svc: &Services,
    who: &impl Principal,
    mut input: NewInput,
) -> Result<Checked<String>, Error> {
    if input.from_org.trim().is_empty() {
        match super::sending_orgs(who.actor()).as_slice() {
            [only] => input.from_org = only.clone(),
            _ => {
                return Ok(Err(vec![ValidationError::new(
                    "van",
                    "Kies namens welke organisatie u verwijst.",
                )]));
            }
        }
    }
    access::require(
        svc,
        who,
        Action::Create,
        Resource::ReferralFrom(&input.from_org),
    )
    .await?;
    let facts = load_facts(svc, &input).await?;
    let today = dates::today();
    let checked = match check(who.actor(), &input, &facts, today) {
        Ok(checked) => checked,
        Err(errors) => return Ok(Err(errors)),
    };
    for (_, bytes) in &input.attachments {
        if let Some(refused) = crate::scan::refusal(svc, "bijlage", bytes).await {
            return Ok(Err(vec![refused]));
        }
    }
    let Some(in_force) = facts.in_force else {
        return Err(Error::internal(
            "a checked referral without its verwijskader",
        ));
    };
    let (match_bsn, match_name) =
        crate::secrets::child_match(&svc.secrets, &checked.bsn, &checked.name, checked.birth);
    let sealed = SealedChild {
        name: svc.secrets.seal(&checked.name).map_err(Error::internal)?,
        bsn: match checked.bsn.as_str() {
            "" => None,
            bsn => Some(svc.secrets.seal(bsn).map_err(Error::internal)?),
        },
        reason: svc.secrets.seal(&checked.reason).map_err(Error::internal)?,
    };
    let mut files = Vec::with_capacity(checked.files.len());
    for (name, media, i) in &checked.files {
        let bytes = &input.attachments[*i].1;
        files.push((
            svc.secrets.seal(name).map_err(Error::internal)?,
            *media,
            i32::try_from(bytes.len()).unwrap_or(i32::MAX),
            svc.secrets.seal_bytes(bytes).map_err(Error::internal)?,
        ));
    }
    let status = if input.draft {
        Status::Draft
    } else {
        Status::Requested
    };
    let due = (!input.draft).then(|| {
        workdays::add_working_days(today, in_force.rules.accept_days_for(checked.urgency))
    });
    let event = access::event(
        who,
        "referral_create",
        Resource::ReferralFrom(&input.from_org),
        "allowed",
    );
    let attach_event = access::event(
        who,
        "referral_attachment_add",
        Resource::ReferralFrom(&input.from_org),
        "allowed",
    );
    let user_id = who.actor().user_id.to_string();
    let from_id = input.from_org.clone();
    let agreements_id = in_force.id;
    let (id, receivers) = svc
        .db
        .write(move |c| {
            let child = db::create_child(
                c,
                &db::NewChild {
                    name_sealed: &sealed.name,
                    birth_date: checked.birth,
                    gemeente_code: &checked.gemeente,
                    wijk_code: checked.wijk.as_deref(),
                    bsn_sealed: sealed.bsn.as_deref(),
                    created_by: &user_id,
                    match_bsn: match_bsn.as_deref(),
                    match_name: match_name.as_deref(),
                },
            )?;
            let id = db::create(
                c,
                &db::NewReferral {
                    child_id: &child,
                    parent_id: None,
                    consultation_id: checked.consultation_id.as_deref(),
                    agreements_id: agreements_id.as_deref(),
                    from_org_id: &from_id,
                    referrer_id: &user_id,
                    on_behalf_of_id: checked.on_behalf_of.as_deref(),
                    to_org_id: &checked.target.org,
                    service_id: checked.target.service.as_deref(),
                    school_id: checked.school_id.as_deref(),
                    reason_sealed: &sealed.reason,
                    problem_areas: &checked.areas.join(","),
                    urgency: checked.urgency,
                    status,
                    case_director_id: None,
                    due_on: due,
                },
            )?;
            if let (Some(cid), Status::Requested) = (&checked.consultation_id, status) {
                // The question became a referral: it is done.
                rondom_db::consultations::set_status(
                    c,
                    cid,
                    rondom_domain::consultation::Status::Closed,
                    None,
                    false,
                )?;
            }
            audit::append(
                c,
                &AuditEvent {
                    object_type: "referral".into(),
                    object_id: Some(id.clone()),
                    child_id: Some(child.clone()),
                    ..event
                },
            )?;
            // The files go in the same transaction: a referral is sent whole or not at all.
            for (name_sealed, media, size, content) in &files {
                let aid = db::add_attachment(
                    c,
                    &db::NewAttachment {
                        referral_id: &id,
                        file_name_sealed: name_sealed,
                        media_type: media,
                        size_bytes: *size,
                        content_sealed: content,
                        uploaded_by: &user_id,
                    },
                )?;
                audit::append(
                    c,
                    &AuditEvent {
                        object_type: "referral".into(),
                        object_id: Some(id.clone()),
                        child_id: Some(child.clone()),
                        reason: Some(format!("bijlage {aid}")),
                        ..attach_event.clone()
                    },
                )?;
            }
            let receivers = if status == Status::Requested {
                announce(c, &id, &checked.target.org)?
            } else {
                None
            };
            Ok((id, receivers))
        })
        .await?;
    mail_receivers(svc, receivers, &id);
    Ok(Ok(id))
}

/// Everything the checks need from the database, read at once.
struct Facts {
    from_org: Organisation,
    /// The social teams linked to the referring practice: (id, name).
    team_links: Vec<(String, String)>,
    target_org: Option<Organisation>,
    service: Option<(ServiceRow, Option<OrganisationKind>)>,
    school: Option<Organisation>,
    consultation: Option<rondom_db::consultations::Consultation>,
    /// The practice's GPs, for a POH referring on their behalf: (id, name).
    huisartsen: Vec<(String, String)>,
    /// The verwijskader in force today in the child's municipality, once it is known.
    in_force: Option<InForce>,
    /// The districts of the child's municipality: (code, name).
    wijken: Vec<(String, String)>,
}

async fn load_facts(svc: &Services, input: &NewInput) -> Result<Facts, Error> {
    // What the reads need, without the files.
    let probe = NewInput {
        attachments: vec![],
        from_org: input.from_org.clone(),
        to_team: input.to_team.clone(),
        service: input.service.clone(),
        school: input.school.clone(),
        consultation: input.consultation.clone(),
        gemeente: input.gemeente.clone(),
        ..NewInput::default()
    };
    let facts = svc
        .db
        .read(move |c| {
            let find = |c: &mut _, id: &Option<String>| match id {
                Some(id) => rondom_db::organisations::find(c, id),
                None => Ok(None),
            };
            Ok(
                rondom_db::organisations::find(c, &probe.from_org)?.map(|from_org| {
                    (
                        from_org,
                        rondom_db::consultations::teams_of_practice(c, &probe.from_org),
                        find(c, &probe.to_team),
                        probe.service.as_ref().map(|s| service_with_kind(c, s)),
                        find(c, &probe.school),
                        probe
                            .consultation
                            .as_ref()
                            .map(|id| rondom_db::consultations::find(c, id)),
                        super::gps_of(c, &probe.from_org),
                        GemeenteCode::parse(&probe.gemeente)
                            .ok()
                            .map(|g| in_force(c, g.as_str(), dates::today())?.named(c)),
                        rondom_db::stuur::wijken(c, probe.gemeente.trim()),
                    )
                }),
            )
        })
        .await?;
    let Some((from_org, links, target, service, school, consultation, gps, rules, wijken)) = facts
    else {
        return Err(Error::NotFound);
    };
    Ok(Facts {
        from_org,
        team_links: links?,
        target_org: target?,
        service: service.transpose()?.flatten(),
        school: school?,
        consultation: consultation.transpose()?.flatten(),
        huisartsen: gps?,
        in_force: rules.transpose()?,
        wijken: wijken?,
    })
}

/// Where the referral goes.
struct Target {
    org: String,
    service: Option<String>,
    is_team: bool,
}

/// The input, checked.
struct Valid {
    name: String,
    birth: NaiveDate,
    gemeente: String,
    wijk: Option<String>,
    bsn: String,
    reason: String,
    areas: Vec<&'static str>,
    urgency: Urgency,
    target: Target,
    on_behalf_of: Option<String>,
    school_id: Option<String>,
    consultation_id: Option<String>,
    /// (name, media type, index into the input's attachments)
    files: Vec<(String, &'static str, usize)>,
}

struct SealedChild {
    name: String,
    bsn: Option<String>,
    reason: String,
}

/// Checks every field and names each that is wrong; reads nothing.
fn check(
    actor: &Actor,
    input: &NewInput,
    facts: &Facts,
    today: NaiveDate,
) -> Result<Valid, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let name = input.child_name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(ValidationError::new(
            "naam",
            "Vul de naam van het kind in (hoogstens 120 tekens).",
        ));
    }
    let birth = check_birth(&input.birth_date, today).map_err(|e| errors.push(e));
    let gemeente = GemeenteCode::parse(&input.gemeente)
        .map(GemeenteCode::into_inner)
        .map_err(|e| errors.push(ValidationError::new("gemeente", e.message)));
    let wijk = match input.wijk.trim() {
        "" => None,
        w if facts.wijken.iter().any(|(code, _)| code == w) => Some(w.to_owned()),
        _ => {
            errors.push(ValidationError::new(
                "wijk",
                "Deze wijk ligt niet in de gekozen gemeente. Kies een wijk van de woongemeente, of laat het leeg.",
            ));
            None
        }
    };
    let bsn = check_bsn(&input.bsn).map_err(|e| errors.push(e));
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX {
        errors.push(ValidationError::new(
            "reden",
            "Beschrijf de reden van verwijzing (hoogstens 4000 tekens).",
        ));
    }
    let areas = check_areas(&input.areas).map_err(|e| errors.push(e));
    let urgency = Urgency::parse(&input.urgency)
        .ok_or_else(|| errors.push(ValidationError::new("urgentie", "Kies regulier of spoed.")));
    let target = check_target(input, facts).map_err(|e| errors.push(e));
    let on_behalf_of = check_on_behalf(actor, input, facts).map_err(|e| errors.push(e));
    let school_id = match (&input.school, &facts.school) {
        (None, _) => Ok(None),
        (Some(_), Some(s)) if s.kind == OrganisationKind::School => Ok(Some(s.id.to_string())),
        (Some(_), _) => {
            errors.push(ValidationError::new(
                "school",
                "Kies een school uit de lijst, of laat het leeg.",
            ));
            Err(())
        }
    };
    let consultation_id = check_consultation(actor, input, facts).map_err(|e| errors.push(e));
    let mut files = Vec::new();
    if input.attachments.len() > ATTACHMENTS_WITH_NEW {
        errors.push(ValidationError::new(
            "bijlage",
            format!("Voeg hier hoogstens {ATTACHMENTS_WITH_NEW} bestanden toe; meer kan op de pagina van de verwijzing."),
        ));
    }
    for (i, (name, bytes)) in input.attachments.iter().enumerate() {
        match super::care::check_file(name, bytes) {
            Ok((name, media)) => files.push((name, media, i)),
            Err(e) => errors.extend(e),
        }
    }
    if let (Some(rules), Ok(areas), Ok(urgency), Ok(target)) =
        (&facts.in_force, &areas, &urgency, &target)
        && let Some(error) = team_first(input, &facts.from_org, target, rules, areas, *urgency)
    {
        errors.push(error);
    }
    match (
        birth,
        gemeente,
        bsn,
        areas,
        urgency,
        target,
        on_behalf_of,
        school_id,
        consultation_id,
    ) {
        (
            Ok(birth),
            Ok(gemeente),
            Ok(bsn),
            Ok(areas),
            Ok(urgency),
            Ok(target),
            Ok(on_behalf_of),
            Ok(school_id),
            Ok(consultation_id),
        ) if errors.is_empty() => Ok(Valid {
            name: name.to_owned(),
            birth,
            gemeente,
            wijk,
            bsn,
            reason: reason.to_owned(),
            areas,
            urgency,
            target,
            on_behalf_of,
            school_id,
            consultation_id,
            files,
        }),
        _ => Err(errors),
    }
}

fn check_birth(text: &str, today: NaiveDate) -> Result<NaiveDate, ValidationError> {
    let error = |m: &str| ValidationError::new("geboortedatum", m);
    match parse_date(text) {
        None => Err(error("Vul de geboortedatum in als dd-mm-jjjj.")),
        Some(b) if b > today => Err(error("De geboortedatum ligt in de toekomst.")),
        // Youth care runs to 18, extended youth care to 23.
        Some(b) if age_on(b, today) >= 23 => Err(error(
            "Rondom is voor jeugdigen tot 23 jaar; controleer de geboortedatum.",
        )),
        Some(b) => Ok(b),
    }
}

/// The BSN's digits, or empty when none was given.
fn check_bsn(text: &str) -> Result<String, ValidationError> {
    // Digits, with the spaces, dots or dashes people group them with; nothing else.
    let bsn: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    let chars_ok = text
        .trim()
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-'));
    if text.trim().is_empty() || (chars_ok && bsn_is_valid(&bsn)) {
        Ok(bsn)
    } else {
        Err(ValidationError::new(
            "bsn",
            "Dit BSN klopt niet: het voldoet niet aan de elfproef. Controleer het, of laat het leeg.",
        ))
    }
}

fn check_areas(given: &[String]) -> Result<Vec<&'static str>, ValidationError> {
    let mut areas: Vec<&'static str> = Vec::new();
    for a in given {
        match PROBLEM_AREAS.iter().find(|(c, _)| c == a) {
            Some((c, _)) if !areas.contains(c) => areas.push(c),
            Some(_) => {}
            None => {
                return Err(ValidationError::new(
                    "gebieden",
                    "Kies probleemgebieden uit de lijst.",
                ));
            }
        }
    }
    if areas.is_empty() {
        return Err(ValidationError::new(
            "gebieden",
            "Kies ten minste één probleemgebied.",
        ));
    }
    Ok(areas)
}

/// The target: a linked social team, or a service of another organisation.
fn check_target(input: &NewInput, facts: &Facts) -> Result<Target, ValidationError> {
    let from = &facts.from_org;
    let gp = from.kind == OrganisationKind::Huisartsenpraktijk;
    // A practice reaches the teams it is linked to; others reach every team.
    let reaches_team = |id: &OrganisationId| !gp || facts.team_links.iter().any(|(t, _)| t == id);
    match (&input.to_team, &facts.service) {
        (Some(_), _) => match &facts.target_org {
            Some(t)
                if t.kind == OrganisationKind::SociaalTeam
                    && reaches_team(&t.id)
                    && t.id != from.id =>
            {
                Ok(Target {
                    org: t.id.to_string(),
                    service: None,
                    is_team: true,
                })
            }
            _ => Err(ValidationError::new(
                "doel",
                "Kies het sociaal team dat aan uw praktijk gekoppeld is.",
            )),
        },
        // A provider's service, or one of a social team the referrer may reach: only
        // those organisations have people who take referrals in.
        (None, Some((s, kind)))
            if s.organisation_id != from.id
                && (*kind == Some(OrganisationKind::Zorgaanbieder)
                    || (*kind == Some(OrganisationKind::SociaalTeam)
                        && reaches_team(&s.organisation_id))) =>
        {
            Ok(Target {
                org: s.organisation_id.to_string(),
                service: Some(s.id.to_string()),
                is_team: *kind == Some(OrganisationKind::SociaalTeam),
            })
        }
        _ => Err(ValidationError::new(
            "doel",
            "Kies waarheen u verwijst: het sociaal team of een aanbod uit de sociale kaart.",
        )),
    }
}

/// The GP a POH refers for; a GP refers for themself.
fn check_on_behalf(
    actor: &Actor,
    input: &NewInput,
    facts: &Facts,
) -> Result<Option<String>, ValidationError> {
    let org = &facts.from_org.id;
    let error = |m: &str| ValidationError::new("namens", m);
    match input.on_behalf_of.as_deref().filter(|s| !s.is_empty()) {
        _ if actor.has_role_in(org, Role::Huisarts) => Ok(None),
        Some(gp) if facts.huisartsen.iter().any(|(id, _)| id == gp) => Ok(Some(gp.to_owned())),
        Some(_) => Err(error("Kies een huisarts van uw praktijk.")),
        None if actor.has_role_in(org, Role::Poh) => Err(error(
            "Een POH verwijst namens een huisarts: kies de huisarts.",
        )),
        None => Ok(None),
    }
}

/// The consultation the referral follows from: one of the practice's own that this
/// person may read.
fn check_consultation(
    actor: &Actor,
    input: &NewInput,
    facts: &Facts,
) -> Result<Option<String>, ValidationError> {
    match (&input.consultation, &facts.consultation) {
        (None, _) => Ok(None),
        (Some(_), Some(c))
            if c.practice_id == facts.from_org.id
                && authorize(
                    actor,
                    Action::Read,
                    Resource::Consultation {
                        practice: &c.practice_id,
                        team: &c.team_id,
                    },
                )
                .is_allowed() =>
        {
            Ok(Some(c.id.to_string()))
        }
        (Some(_), _) => Err(ValidationError::new(
            "overleg",
            "Deze overlegvraag hoort niet bij uw praktijk.",
        )),
    }
}

/// The agreements advise the team first; the GP keeps the right to refer directly when
/// they say so.
fn team_first(
    input: &NewInput,
    from: &Organisation,
    target: &Target,
    in_force: &InForce,
    areas: &[&str],
    urgency: Urgency,
) -> Option<ValidationError> {
    (from.kind == OrganisationKind::Huisartsenpraktijk
        && !target.is_team
        && in_force.rules.team_first(areas, urgency)
        && !input.direct_ack)
        .then(|| {
            ValidationError::new(
                "doel",
                format!(
                    "Volgens het verwijskader van {} gaat dit eerst via het sociaal team: stel een overlegvraag of verwijs naar het team. U mag rechtstreeks verwijzen; vink dan aan dat u dat bewust doet.",
                    in_force.gemeente_name
                ),
            )
        })
}

/// What the new-referral form offers a person referring from `current` (one of their
/// sending organisations): those organisations, the practice's GPs, its teams, the
/// services one may refer to, the schools, and the verwijskader in force in `gemeente`
/// (or the organisation's own municipality when that is empty).
pub struct FormChoices {
    pub orgs: Vec<rondom_db::organisations::Organisation>,
    pub gps: Vec<(String, String)>,
    pub teams: Vec<(String, String)>,
    pub services: Vec<(String, String)>,
    pub schools: Vec<(String, String)>,
    pub rules: super::InForce,
    /// The municipalities a child may live in, to choose from.
    pub gemeenten: Vec<super::agreements::Gemeente>,
    /// The districts (wijken) known, each with its municipality's name: (code, label).
    pub wijken: Vec<(String, String)>,
}

pub async fn form_choices(
    svc: &Services,
    actor: &rondom_domain::Actor,
    current: &str,
    gemeente: &str,
) -> Result<FormChoices, Error> {
    let ids = super::sending_orgs(actor);
    // Only an organisation the person refers for: its GPs and teams are what is shown.
    let current = if ids.iter().any(|i| i == current) {
        current
    } else {
        ids.first().map_or("", String::as_str)
    };
    let (cur, gem) = (current.to_owned(), gemeente.to_owned());
    Ok(svc
        .db
        .read(move |c| {
            let orgs = rondom_db::organisations::list_by_ids(c, &ids)?;
            let gemeente = if gem.trim().is_empty() {
                rondom_db::organisations::find(c, &cur)?
                    .map(|o| o.gemeente_code)
                    .unwrap_or_default()
            } else {
                gem.trim().to_uppercase()
            };
            // Every organisation once: schools, providers and municipalities come from it.
            let all = rondom_db::organisations::list(c)?;
            Ok(FormChoices {
                orgs,
                gps: super::gps_of(c, &cur)?,
                teams: rondom_db::consultations::teams_of_practice(c, &cur)?,
                services: super::referable_services(c, &all, &cur, false)?,
                schools: super::schools(&all),
                rules: super::in_force(c, &gemeente, crate::dates::today())?.named(c)?,
                wijken: {
                    let gemeenten = super::agreements::known_gemeenten(&all);
                    let mut list: Vec<(String, String)> = rondom_db::organisations::districts(c)?
                        .into_iter()
                        .map(|d| {
                            let g = gemeenten
                                .iter()
                                .find(|g| g.code == d.gemeente_code)
                                .map_or(d.gemeente_code.clone(), |g| g.name.clone());
                            (d.code, format!("{} ({g})", d.name))
                        })
                        .collect();
                    list.sort_by(|a, b| a.1.cmp(&b.1));
                    list
                },
                gemeenten: super::agreements::known_gemeenten(&all),
            })
        })
        .await?)
}
