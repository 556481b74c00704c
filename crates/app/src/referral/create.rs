//! A new referral: checked whole, stored whole (child, referral, audit entry and the
//! receivers' notices in one transaction), or not at all.

use super::notify::{announce, mail_receivers};
use super::{REASON_MAX, age_on, in_force, parse_date, service_with_kind};
use crate::access;
use crate::context::{Principal, Services};
use crate::dates;
use crate::error::Error;
use rondom_db::audit::{self, AuditEvent};
use rondom_db::referrals as db;
use rondom_domain::catalogue::PROBLEM_AREAS;
use rondom_domain::referral::{Status, Urgency};
use rondom_domain::validate::{GemeenteCode, ValidationError, bsn_is_valid};
use rondom_domain::{Action, OrganisationKind, Resource, Role, authorize, workdays};

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

/// Checks and stores a new referral for a person who may refer for `input.from_org`
/// (when it is empty: the one organisation they refer for). Nothing is stored unless
/// everything is right.
pub async fn create(
    svc: &Services,
    who: &impl Principal,
    mut input: NewInput,
) -> Result<Created, Error> {
    if input.from_org.trim().is_empty() {
        match super::sending_orgs(who.actor()).as_slice() {
            [only] => input.from_org = only.clone(),
            _ => {
                return Ok(Created::Invalid(vec![ValidationError::new(
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
    let actor = who.actor().clone();
    let from = input.from_org.clone();
    let probe = input.clone();
    // Everything the checks need from the database, read at once.
    let (from_org, team_links, target_org, service, school, consultation, huisartsen) = svc
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
            let huisartsen = super::gps_of(c, &from)?;
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
    let from_org = from_org.ok_or(Error::NotFound)?;
    let from_kind = from_org.kind;
    let mut errors = Vec::new();

    let name = input.child_name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(ValidationError::new(
            "naam",
            "Vul de naam van het kind in (hoogstens 120 tekens).",
        ));
    }
    let today = dates::today();
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
                if t.kind == OrganisationKind::SociaalTeam
                    && (from_kind != OrganisationKind::Huisartsenpraktijk
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
                && (*kind == Some(OrganisationKind::Zorgaanbieder)
                    || (*kind == Some(OrganisationKind::SociaalTeam)
                        && (from_kind != OrganisationKind::Huisartsenpraktijk
                            || team_links.iter().any(|(id, _)| *id == s.organisation_id)))) =>
        {
            (
                Some(s.organisation_id.clone()),
                Some(s.id.clone()),
                *kind == Some(OrganisationKind::SociaalTeam),
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
        (Some(_), Some(s)) if s.kind == OrganisationKind::School => Some(s.id.clone()),
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
    let in_force = match &gemeente {
        Some(g) => {
            let g = g.clone();
            Some(svc.db.read(move |c| in_force(c, &g, today)).await?)
        }
        None => None,
    };
    // The agreements advise the team first; the GP keeps the right to refer directly.
    if let (Some(f), Some(u), false) = (&in_force, urgency, to_is_team)
        && from_kind == OrganisationKind::Huisartsenpraktijk
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

    let name_sealed = svc.secrets.seal(name).map_err(Error::internal)?;
    let bsn_sealed = if bsn.is_empty() {
        None
    } else {
        Some(svc.secrets.seal(&bsn).map_err(Error::internal)?)
    };
    let reason_sealed = svc.secrets.seal(reason).map_err(Error::internal)?;
    let status = if input.draft {
        Status::Draft
    } else {
        Status::Requested
    };
    let due = (!input.draft)
        .then(|| workdays::add_working_days(today, in_force.rules.accept_days_for(urgency)));
    let user_id = actor.user_id.clone();
    let event = access::event(
        who,
        "referral_create",
        Resource::ReferralFrom(&from_org.id),
        "allowed",
    );
    let from_id = from_org.id.clone();
    let areas_code = areas.join(",");
    let agreements_id = in_force.id.clone();
    let (id, receivers) = svc
        .db
        .write(move |c| {
            let child = db::create_child(
                c,
                &db::NewChild {
                    name_sealed: &name_sealed,
                    birth_date: birth,
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
                    urgency,
                    status,
                    case_director_id: None,
                    due_on: due,
                },
            )?;
            if let (Some(cid), Status::Requested) = (&consultation_id, status) {
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
    mail_receivers(svc, receivers, &id);
    Ok(Created::Created(id))
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
            Ok(FormChoices {
                orgs,
                gps: super::gps_of(c, &cur)?,
                teams: rondom_db::consultations::teams_of_practice(c, &cur)?,
                services: super::referable_services(c, &cur, false)?,
                schools: super::schools(c)?,
                rules: super::in_force(c, &gemeente, crate::dates::today())?,
            })
        })
        .await?)
}
