//! The verwijskader: the version that applies to a referral (the municipality's version
//! in force on the day it was sent, or the defaults while it has set none), the versions
//! as their page lists them, and a new version added by the municipality's admins.

use crate::access;
use crate::context::{Principal, Services};
use crate::dates;
use crate::error::{Checked, Error};
use chrono::NaiveDate;
use rondom_db::audit::{self, AuditEvent};
use rondom_db::referrals::{self as db, Referral};
use rondom_db::{AnyConnection, DbError};
use rondom_domain::agreements::{Agreements, AgreementsInput};
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, Actor, OrganisationKind, Resource, authorize, workdays};

/// The agreements that apply, and where they come from.
#[derive(Debug, Clone)]
pub struct InForce {
    /// The stored version; None while the municipality has set none (defaults apply).
    pub id: Option<String>,
    pub gemeente_code: String,
    /// The municipality as people name it ("Gemeente Voorbeeld"), or its code while it
    /// is not in Rondom itself.
    pub gemeente_name: String,
    /// yyyy-mm-dd the version took effect.
    pub effective_from: Option<NaiveDate>,
    pub rules: Agreements,
}

impl InForce {
    pub fn from_row(row: db::AgreementsRow) -> Self {
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
            id: Some(row.id.into()),
            gemeente_name: row.gemeente_code.clone(),
            gemeente_code: row.gemeente_code,
            effective_from: Some(row.effective_from),
        }
    }

    fn defaults(gemeente_code: &str) -> Self {
        Self {
            id: None,
            gemeente_code: gemeente_code.to_owned(),
            gemeente_name: gemeente_code.to_owned(),
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

    /// "Verwijskader Gemeente Voorbeeld, geldig vanaf 1 januari 2026" or the defaults.
    pub fn describe(&self) -> String {
        match &self.effective_from {
            Some(d) => format!(
                "Verwijskader {}, geldig vanaf {}",
                self.gemeente_name,
                dates::long_date(*d)
            ),
            None => format!(
                "Standaardafspraken ({} heeft nog geen verwijskader vastgelegd)",
                self.gemeente_name
            ),
        }
    }

    /// With the municipality's name looked up, for a page that shows it (`describe`);
    /// the rules alone need no name.
    pub(crate) fn named(mut self, conn: &mut AnyConnection) -> Result<Self, DbError> {
        if let Some(name) = rondom_db::organisations::municipality_name(conn, &self.gemeente_code)?
        {
            self.gemeente_name = name;
        }
        Ok(self)
    }
}

/// The agreements of a municipality in force on `day`.
pub(crate) fn in_force(
    conn: &mut AnyConnection,
    gemeente_code: &str,
    day: NaiveDate,
) -> Result<InForce, DbError> {
    Ok(match db::agreements_in_force(conn, gemeente_code, day)? {
        Some(row) => InForce::from_row(row),
        None => InForce::defaults(gemeente_code),
    })
}

/// The agreements a referral was made under.
pub(crate) fn applied_to(conn: &mut AnyConnection, r: &Referral) -> Result<InForce, DbError> {
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

/// The first interim feedback moment after `after`, counted from acceptance.
pub(crate) fn next_feedback_moment(
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

/// A municipality as a list offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gemeente {
    pub code: String,
    pub name: String,
}

/// The municipalities Rondom serves (those its organisations are seated in), by name:
/// the municipality's own organisation's name, or its CBS code while it has none here.
pub fn known_gemeenten(orgs: &[rondom_db::organisations::Organisation]) -> Vec<Gemeente> {
    let mut out: Vec<Gemeente> = Vec::new();
    for o in orgs.iter().filter(|o| o.kind != OrganisationKind::Platform) {
        let own = o.kind.is_municipality().then(|| o.name.clone());
        match out.iter_mut().find(|g| g.code == o.gemeente_code) {
            Some(g) => {
                if let Some(name) = own
                    && g.name == g.code
                {
                    g.name = name;
                }
            }
            None => out.push(Gemeente {
                name: own.unwrap_or_else(|| o.gemeente_code.clone()),
                code: o.gemeente_code.clone(),
            }),
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// One stored version of a municipality's agreements, newest first, as its page lists it.
pub struct Version {
    /// yyyy-mm-dd.
    pub effective_from: NaiveDate,
    /// The version that applies today.
    pub in_force: bool,
    /// Takes effect after today.
    pub future: bool,
    pub rules: Agreements,
    pub note: String,
    /// Who set it.
    pub by: String,
}

/// The versions of one municipality's agreements (newest first), and the municipalities
/// Rondom serves (codes, sorted), to choose from.
pub async fn versions(svc: &Services, actor: &Actor, gemeente: &str) -> Result<Versions, Error> {
    let g = gemeente.to_owned();
    let (rows, orgs, names) = svc
        .db
        .read(move |c| {
            let rows = db::agreement_versions(c, &g)?;
            let orgs = rondom_db::organisations::list(c)?;
            let mut names = Vec::new();
            for r in &rows {
                names.push(
                    rondom_db::users::get(c, &r.created_by)
                        .map(|u| u.name)
                        .unwrap_or_default(),
                );
            }
            Ok((rows, orgs, names))
        })
        .await?;
    let gemeenten = known_gemeenten(&orgs);
    let maintainer = maintainer(&orgs, actor, gemeente);
    let today = dates::today();
    let mut seen_in_force = false;
    let versions = rows
        .into_iter()
        .zip(names)
        .map(|(row, by)| {
            let future = row.effective_from > today;
            let in_force = !future && !seen_in_force;
            if in_force {
                seen_in_force = true;
            }
            Version {
                effective_from: row.effective_from,
                note: row.note.clone().unwrap_or_default(),
                rules: InForce::from_row(row).rules,
                in_force,
                future,
                by,
            }
        })
        .collect();
    Ok(Versions {
        versions,
        gemeenten,
        maintainer,
    })
}

/// A municipality's versions, the municipalities to choose from, and the organisation
/// through which the person may add a version (none: they may only read).
pub struct Versions {
    pub versions: Vec<Version>,
    pub gemeenten: Vec<Gemeente>,
    pub maintainer: Option<String>,
}

/// Among these organisations, the municipality of `code` whose agreements the person
/// keeps.
fn maintainer(
    orgs: &[rondom_db::organisations::Organisation],
    actor: &Actor,
    code: &str,
) -> Option<String> {
    orgs.iter()
        .filter(|o| o.kind.is_municipality() && o.gemeente_code == code)
        .find(|o| {
            authorize(actor, Action::Update, Resource::ReferralAgreements(&o.id)).is_allowed()
        })
        .map(|o| o.id.to_string())
}

/// The municipality organisation for a code whose agreements this person maintains.
pub async fn maintained_by(
    svc: &Services,
    actor: &Actor,
    gemeente: &str,
) -> Result<Option<String>, Error> {
    let orgs = svc.db.read(rondom_db::organisations::list).await?;
    Ok(maintainer(&orgs, actor, gemeente))
}

/// The municipality a person works in: that of their first organisation.
pub async fn home_gemeente(svc: &Services, actor: &Actor) -> Result<String, Error> {
    let first = actor
        .memberships
        .first()
        .map(|(o, _)| o.clone())
        .unwrap_or_default();
    Ok(svc
        .db
        .read(move |c| rondom_db::organisations::find(c, &first))
        .await?
        .map(|o| o.gemeente_code)
        .unwrap_or_default())
}

/// A new version of a municipality's agreements, from a date (today or later, so what
/// applied to earlier referrals never changes), by one of the municipality's admins (a
/// refusal is logged and answered `Forbidden`).
pub async fn add_version(
    svc: &Services,
    who: &impl Principal,
    gemeente: &str,
    input: &AgreementsInput,
    effective_from: &str,
    note: &str,
) -> Result<Checked<()>, Error> {
    let Some(org) = maintained_by(svc, who.actor(), gemeente).await? else {
        access::require(
            svc,
            who,
            Action::Update,
            Resource::ReferralAgreements(gemeente),
        )
        .await?;
        return Err(Error::Forbidden);
    };
    let note = note.trim().to_owned();
    let mut errors = Vec::new();
    let checked = Agreements::check(input);
    if let Err(e) = &checked {
        errors.extend(e.iter().cloned());
    }
    let date = super::parse_date(effective_from);
    match date {
        None => errors.push(ValidationError::new(
            "ingang",
            "Vul de datum in waarop deze versie ingaat.",
        )),
        Some(d) if d < dates::today() => errors.push(ValidationError::new(
            "ingang",
            "Een nieuwe versie gaat vandaag of later in: wat voor eerdere verwijzingen gold, blijft zo.",
        )),
        Some(_) => {}
    }
    if note.chars().count() > 2000 {
        errors.push(ValidationError::new(
            "toelichting",
            "Houd de toelichting onder 2000 tekens.",
        ));
    }
    let (Ok(rules), Some(date), true) = (checked, date, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let e = access::event(
        who,
        "referral_agreements_create",
        Resource::ReferralAgreements(&org),
        "allowed",
    );
    let (g, uid) = (gemeente.to_owned(), who.actor().user_id.clone());
    let saved = svc
        .db
        .write(move |c| {
            let id = db::insert_agreements(
                c,
                &db::NewAgreements {
                    gemeente_code: &g,
                    effective_from: date,
                    rules: &rules,
                    note: (!note.is_empty()).then_some(note.as_str()),
                    created_by: &uid,
                },
            )?;
            audit::append(
                c,
                &AuditEvent {
                    object_id: Some(id),
                    reason: Some(format!("verwijskader {g} vanaf {}", dates::iso_date(date))),
                    ..e
                },
            )
        })
        .await;
    match saved {
        Ok(_) => Ok(Ok(())),
        Err(DbError::Conflict(_)) => Ok(Err(vec![ValidationError::new(
            "ingang",
            "Op deze datum gaat al een versie in. Kies een andere datum.",
        )])),
        Err(e) => Err(e.into()),
    }
}
