//! An organisation's locations in the sociale kaart (where its services are offered),
//! kept by its own admins: each change in the history with its audit entry, in one
//! transaction.

use crate::access;
use crate::context::{Principal, Services};
use crate::error::Error;
use rondom_db::audit::{self, AuditEvent};
use rondom_db::directory::{self, Location};
use rondom_db::organisations::Organisation;
use rondom_domain::{Action, Resource};

pub async fn load(svc: &Services, id: &str) -> Result<Location, Error> {
    let id = id.to_owned();
    svc.db
        .read(move |c| directory::find_location(c, &id))
        .await?
        .ok_or(Error::NotFound)
}

/// A location and its organisation, for someone who may change it.
pub async fn for_edit(
    svc: &Services,
    who: &impl Principal,
    id: &str,
) -> Result<(Location, Organisation), Error> {
    let l = load(svc, id).await?;
    let org = super::profile::editable(svc, who, Action::Update, &l.organisation_id).await?;
    Ok((l, org))
}

/// Stores a checked location: a `new` one, or a changed one under its own id.
pub async fn save(
    svc: &Services,
    who: &impl Principal,
    l: Location,
    new: bool,
) -> Result<(), Error> {
    let action = if new { Action::Create } else { Action::Update };
    access::require(
        svc,
        who,
        action,
        Resource::DirectoryEntry(&l.organisation_id),
    )
    .await?;
    let event = access::event(
        who,
        if new {
            "directory_location_create"
        } else {
            "directory_location_update"
        },
        Resource::DirectoryEntry(&l.organisation_id),
        "allowed",
    );
    let user_id = who.actor().user_id.clone();
    svc.db
        .write(move |c| {
            if new {
                directory::insert_location(c, &l)?;
            } else {
                directory::update_location(c, &l)?;
            }
            let what = if new { "toegevoegd" } else { "gewijzigd" };
            directory::record_change(
                c,
                &l.organisation_id,
                "location",
                &l.id,
                Some(&user_id),
                &format!("Locatie ‘{}’ {what}.", l.name),
            )?;
            audit::append(
                c,
                &AuditEvent {
                    object_type: "location".into(),
                    object_id: Some(l.id.to_string()),
                    ..event
                },
            )
        })
        .await?;
    Ok(())
}
