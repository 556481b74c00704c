//! The people of the sociale kaart: a professional's function, phone and working days,
//! kept by an admin of an organisation where they work; and an organisation's teams.
//! Each change in the history with its audit entry, in one transaction.

use crate::access;
use crate::context::{Principal, Services};
use crate::dates;
use crate::error::Error;
use rondom_db::audit::{self, AuditEvent};
use rondom_db::directory::{self, Person, Team, TeamWithMembers};
use rondom_db::organisations::Organisation;
use rondom_domain::{Action, Resource, authorize};

/// Function, phone and ISO weekdays, checked.
pub type PersonInput = (Option<String>, Option<String>, Vec<i32>);

/// The organisation on whose behalf `who` may change this person's entry: one where the
/// person works and `who` is an admin.
fn editing_organisation(who: &impl Principal, person: &Person) -> Option<String> {
    person
        .work
        .iter()
        .map(|(org, _, _)| org)
        .find(|org| {
            authorize(who.actor(), Action::Update, Resource::DirectoryEntry(org)).is_allowed()
        })
        .cloned()
}

pub async fn load_person(svc: &Services, id: &str) -> Result<Person, Error> {
    let id = id.to_owned();
    svc.db
        .read(move |c| directory::person(c, &id))
        .await?
        .ok_or(Error::NotFound)
}

/// The organisation `who` changes this person's entry for; refused like any other
/// denial (logged).
async fn require_person_edit(
    svc: &Services,
    who: &impl Principal,
    p: &Person,
) -> Result<String, Error> {
    match editing_organisation(who, p) {
        Some(org) => Ok(org),
        None => {
            let first = p.work.first().map(|w| w.0.clone()).unwrap_or_default();
            access::require(svc, who, Action::Update, Resource::DirectoryEntry(&first)).await?;
            Err(Error::Forbidden)
        }
    }
}

/// A person, for someone who may change their entry.
pub async fn person_for_edit(
    svc: &Services,
    who: &impl Principal,
    id: &str,
) -> Result<Person, Error> {
    let p = load_person(svc, id).await?;
    require_person_edit(svc, who, &p).await?;
    Ok(p)
}

/// Stores a person's checked function, phone and working days.
pub async fn save_person(
    svc: &Services,
    who: &impl Principal,
    p: &Person,
    input: PersonInput,
) -> Result<(), Error> {
    let org = require_person_edit(svc, who, p).await?;
    let (title, phone, days) = input;
    let mut changed = Vec::new();
    if p.job_title != title {
        changed.push("functie");
    }
    if p.phone != phone {
        changed.push("telefoon");
    }
    if p.working_days != days {
        changed.push("werkdagen");
    }
    let summary = if changed.is_empty() {
        format!("Gegevens van {} gecontroleerd, niets gewijzigd.", p.name)
    } else {
        format!("Gegevens van {} gewijzigd: {}.", p.name, changed.join(", "))
    };
    let event = access::event(
        who,
        "directory_person_update",
        Resource::DirectoryEntry(&org),
        "allowed",
    );
    let user_id = who.actor().user_id.clone();
    let pid = p.id.clone();
    svc.db
        .write(move |c| {
            directory::set_person_profile(c, &pid, title.as_deref(), &days, Some(dates::today()))?;
            directory::set_person_phone(c, &pid, phone.as_deref())?;
            directory::record_change(c, &org, "person", &pid, Some(&user_id), &summary)?;
            audit::append(
                c,
                &AuditEvent {
                    object_type: "user".into(),
                    object_id: Some(pid.to_string()),
                    ..event
                },
            )
        })
        .await?;
    Ok(())
}

/// An organisation and its people (whom its teams are made of), for someone who may do
/// `action` to its entry.
pub async fn org_and_people(
    svc: &Services,
    who: &impl Principal,
    action: Action,
    org_id: &str,
) -> Result<(Organisation, Vec<Person>), Error> {
    let org = super::profile::editable(svc, who, action, org_id).await?;
    let id = org_id.to_owned();
    let people = svc.db.read(move |c| directory::people_of(c, &id)).await?;
    Ok((org, people))
}

/// A team with its organisation and that organisation's people, for someone who may
/// change it.
pub async fn team_for_edit(
    svc: &Services,
    who: &impl Principal,
    id: &str,
) -> Result<(TeamWithMembers, Organisation, Vec<Person>), Error> {
    let tid = id.to_owned();
    let t = svc
        .db
        .read(move |c| directory::find_team(c, &tid))
        .await?
        .ok_or(Error::NotFound)?;
    let (org, people) = org_and_people(svc, who, Action::Update, &t.team.organisation_id).await?;
    Ok((t, org, people))
}

/// Stores a checked team with its members: a `new` one, or a changed one.
pub async fn save_team(
    svc: &Services,
    who: &impl Principal,
    team: Team,
    members: Vec<String>,
    new: bool,
) -> Result<(), Error> {
    let action = if new { Action::Create } else { Action::Update };
    access::require(
        svc,
        who,
        action,
        Resource::DirectoryEntry(&team.organisation_id),
    )
    .await?;
    let what = if new { "toegevoegd" } else { "gewijzigd" };
    let event = access::event(
        who,
        "directory_team_save",
        Resource::DirectoryEntry(&team.organisation_id),
        "allowed",
    );
    let user_id = who.actor().user_id.clone();
    svc.db
        .write(move |c| {
            directory::save_team(c, &team, &members)?;
            directory::record_change(
                c,
                &team.organisation_id,
                "team",
                &team.id,
                Some(&user_id),
                &format!("Team ‘{}’ {what} ({} leden).", team.name, members.len()),
            )?;
            audit::append(
                c,
                &AuditEvent {
                    object_type: "team".into(),
                    object_id: Some(team.id.to_string()),
                    ..event
                },
            )
        })
        .await?;
    Ok(())
}
