//! What the sociale kaart shows of an organisation and its people, and the rules about
//! organisation kinds and roles that decide it, so that the pages and the API tell the
//! same story.

use crate::dates;
use crate::error::Error;
use rondom_db::directory::{self, Change, Location, Person, ServiceRow, TeamLink, TeamWithMembers};
use rondom_db::organisations::{self as orgs, Organisation};
use rondom_domain::{Action, OrganisationKind, Resource, Role};

/// The organisation, if the sociale kaart lists it: the platform's own organisation has
/// no place there.
pub fn in_directory(org: Option<Organisation>) -> Option<Organisation> {
    org.filter(|o| o.kind != OrganisationKind::Platform)
}

/// Whether an organisation of this kind is a general practice (the ones with a "Mijn
/// team" and with links to social teams).
pub fn is_practice(kind: OrganisationKind) -> bool {
    kind == OrganisationKind::Huisartsenpraktijk
}

/// Whether an organisation of this kind is a social team (with an overleglijn and links
/// to practices).
pub fn is_social_team(kind: OrganisationKind) -> bool {
    kind.is_social_team()
}

/// The kind of organisation as the page names it.
pub fn kind_label(kind: OrganisationKind) -> &'static str {
    kind.label()
}

/// A stored role as the page names it, if it is one.
pub fn role_label(role: &str) -> Option<&'static str> {
    Role::parse(role).map(Role::label)
}

/// The people who may be linked to a practice as its consultant: (id, name).
pub fn consultants(people: &[Person]) -> Vec<(String, String)> {
    people
        .iter()
        .filter(|p| p.work.iter().any(|w| w.2 == Role::Consulent.as_str()))
        .map(|p| (p.id.to_string(), p.name.clone()))
        .collect()
}

/// An organisation with everything its page in the sociale kaart can show.
pub struct OrganisationEntry {
    pub org: Organisation,
    pub services: Vec<ServiceRow>,
    pub locations: Vec<Location>,
    pub people: Vec<Person>,
    pub history: Vec<Change>,
    pub teams: Vec<TeamWithMembers>,
    /// A social team's links, or a practice's (proposals included).
    pub links: Vec<TeamLink>,
    /// For a social team: the practices a new link can be made with, (id, name).
    pub practices: Vec<(String, String)>,
}

/// An organisation's own offer on the sociale kaart, for its admins to keep current: its
/// services by name, with their waiting time and when they were last checked.
pub async fn offer_of(
    svc: &crate::Services,
    id: &str,
) -> Result<Vec<rondom_db::directory::ServiceRow>, Error> {
    let id = id.to_owned();
    let mut services = svc.db.read(move |c| directory::services_of(c, &id)).await?;
    services.sort_by(|a, b| {
        a.last_checked_on
            .cmp(&b.last_checked_on)
            .then(a.name.cmp(&b.name))
    });
    Ok(services)
}

/// An organisation's entry, read at once; the caller has checked that the sociale kaart
/// may be read.
pub async fn organisation(svc: &crate::Services, id: &str) -> Result<OrganisationEntry, Error> {
    let id = id.to_owned();
    let entry = svc
        .db
        .read(move |c| {
            let Some(o) = orgs::find(c, &id)? else {
                return Ok(None);
            };
            let services = directory::services_of(c, &id)?;
            let locations = directory::locations_of(c, Some(std::slice::from_ref(&id)))?;
            let people = directory::people_of(c, &id)?;
            let history = directory::changes(c, None, Some(&id), 10)?;
            let teams = directory::teams_of(c, &id)?;
            let from = dates::today();
            let (links, practices) = if is_social_team(o.kind) {
                let practices: Vec<(String, String)> = orgs::list(c)?
                    .into_iter()
                    .filter(|p| is_practice(p.kind))
                    .map(|p| (p.id.into(), p.name))
                    .collect();
                (directory::links_of_team(c, &id, from)?, practices)
            } else if is_practice(o.kind) {
                (directory::links_of_practice(c, &id, from)?, vec![])
            } else {
                (vec![], vec![])
            };
            Ok(Some(OrganisationEntry {
                org: o,
                services,
                locations,
                people,
                history,
                teams,
                links,
                practices,
            }))
        })
        .await?;
    let entry = entry.ok_or(Error::NotFound)?;
    if entry.org.kind == OrganisationKind::Platform {
        return Err(Error::NotFound);
    }
    Ok(entry)
}

/// What a service's page shows: the record, the areas it covers (its organisation's when
/// it has none of its own), the locations it is given at, and its last changes.
pub struct ServiceFacts {
    pub row: ServiceRow,
    pub areas: Vec<(String, String)>,
    pub locations: Vec<Location>,
    pub history: Vec<Change>,
}

pub async fn service(
    svc: &crate::Services,
    who: &impl crate::Principal,
    id: &str,
) -> Result<ServiceFacts, Error> {
    crate::access::require(svc, who, Action::Read, Resource::Directory).await?;
    let id = id.to_owned();
    svc.db
        .read(move |c| {
            let Some(row) = directory::find_service(c, &id)? else {
                return Ok(None);
            };
            let ids = [id.clone()];
            let areas = directory::areas_of(c, Some(&ids))?;
            let linked: Vec<String> = directory::service_location_links(c, Some(&ids))?
                .into_iter()
                .map(|(_, l)| l)
                .collect();
            let locations = directory::locations_of(c, Some(&[row.organisation_id.to_string()]))?
                .into_iter()
                .filter(|l| linked.iter().any(|k| *k == l.id))
                .collect::<Vec<_>>();
            let history = directory::changes(c, Some(&id), None, 10)?;
            let areas: Vec<(String, String)> = if areas.is_empty() {
                directory::organisation_areas(c, Some(&[row.organisation_id.to_string()]))?
                    .into_iter()
                    .map(|(_, k, c)| (k, c))
                    .collect()
            } else {
                areas.into_iter().map(|a| (a.kind, a.code)).collect()
            };
            Ok(Some(ServiceFacts {
                row,
                areas,
                locations,
                history,
            }))
        })
        .await?
        .ok_or(Error::NotFound)
}

/// A professional as the sociale kaart shows them: the person, the practices they are
/// linked to (as of `from`) and the teams they are in.
pub async fn person(
    svc: &crate::Services,
    who: &impl crate::Principal,
    id: &str,
    from: chrono::NaiveDate,
) -> Result<
    (
        Person,
        Vec<directory::ConsultantLink>,
        Vec<(String, String)>,
    ),
    Error,
> {
    crate::access::require(svc, who, Action::Read, Resource::Directory).await?;
    let id = id.to_owned();
    svc.db
        .read(move |c| {
            let Some(p) = directory::person(c, &id)? else {
                return Ok(None);
            };
            let links = directory::links_of_consultant(c, &id, from)?;
            let teams = directory::teams_of_person(c, &id)?;
            Ok(Some((p, links, teams)))
        })
        .await?
        .ok_or(Error::NotFound)
}

/// The consultants linked to this practice (as of `from`), with their hours.
pub async fn practice_team(
    svc: &crate::Services,
    who: &impl crate::Principal,
    practice_id: &str,
    from: chrono::NaiveDate,
) -> Result<Vec<directory::LinkedConsultant>, Error> {
    crate::access::require(svc, who, Action::Read, Resource::PracticeTeam(practice_id)).await?;
    let pid = practice_id.to_owned();
    Ok(svc
        .db
        .read(move |c| directory::practice_team(c, &pid, from))
        .await?)
}
