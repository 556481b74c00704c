//! What the sociale kaart shows of an organisation and its people, and the rules about
//! organisation kinds and roles that decide it, so that the pages and the API tell the
//! same story.

use crate::dates;
use crate::error::Error;
use rondom_db::directory::{self, Change, Location, Person, ServiceRow, TeamLink, TeamWithMembers};
use rondom_db::organisations::{self as orgs, Organisation};
use rondom_domain::{OrganisationKind, Role};

/// The organisation, if the sociale kaart lists it: the platform's own organisation has
/// no place there.
pub fn in_directory(org: Option<Organisation>) -> Option<Organisation> {
    org.filter(|o| o.kind != OrganisationKind::Platform.as_str())
}

/// Whether an organisation of this kind is a general practice (the ones with a "Mijn
/// team" and with links to social teams).
pub fn is_practice(kind: &str) -> bool {
    kind == OrganisationKind::Huisartsenpraktijk.as_str()
}

/// Whether an organisation of this kind is a social team (with an overleglijn and links
/// to practices).
pub fn is_social_team(kind: &str) -> bool {
    kind == OrganisationKind::SociaalTeam.as_str()
}

/// The kind of organisation as the page names it.
pub fn kind_label(kind: &str) -> &'static str {
    OrganisationKind::parse(kind)
        .map(|k| k.label())
        .unwrap_or("Organisatie")
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
        .map(|p| (p.id.clone(), p.name.clone()))
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
            let from = dates::today().format("%Y-%m-%d").to_string();
            let (links, practices) = if is_social_team(&o.kind) {
                let practices: Vec<(String, String)> = orgs::list(c)?
                    .into_iter()
                    .filter(|p| is_practice(&p.kind))
                    .map(|p| (p.id, p.name))
                    .collect();
                (directory::links_of_team(c, &id, &from)?, practices)
            } else if is_practice(&o.kind) {
                (directory::links_of_practice(c, &id, &from)?, vec![])
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
    if entry.org.kind == OrganisationKind::Platform.as_str() {
        return Err(Error::NotFound);
    }
    Ok(entry)
}
