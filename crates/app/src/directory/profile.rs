//! An organisation's profile in the sociale kaart (description, website, contact, its
//! werkgebied and, for a social team, the overleglijn), maintained by its own admins:
//! recorded in the change history with its audit entry in one transaction.

use super::entries::{in_directory, is_social_team};
use crate::access;
use crate::context::{Principal, Services};
use crate::dates;
use crate::error::Error;
use rondom_db::audit;
use rondom_db::directory;
use rondom_db::organisations::{self as orgs, Organisation};
use rondom_domain::area::Area;
use rondom_domain::{Action, Resource};

/// A checked profile.
pub struct Profile {
    pub description: Option<String>,
    pub website: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub areas: Vec<Area>,
    pub overleglijn: (Option<String>, Option<String>),
}

/// An organisation of the sociale kaart.
pub async fn organisation(svc: &Services, id: &str) -> Result<Organisation, Error> {
    let id = id.to_owned();
    let org = svc.db.read(move |c| orgs::find(c, &id)).await?;
    in_directory(org).ok_or(Error::NotFound)
}

/// An organisation of the sociale kaart, for someone who may do `action` to its entry
/// (change its profile, or add a location, team or service).
pub async fn editable(
    svc: &Services,
    who: &impl Principal,
    action: Action,
    id: &str,
) -> Result<Organisation, Error> {
    access::require(svc, who, action, Resource::DirectoryEntry(id)).await?;
    organisation(svc, id).await
}

/// The organisation's werkgebied: (id, kind, code).
pub async fn areas(svc: &Services, id: &str) -> Result<Vec<(String, String, String)>, Error> {
    let id = id.to_owned();
    Ok(svc
        .db
        .read(move |c| directory::organisation_areas(c, Some(&[id])))
        .await?)
}

/// Stores a checked profile; the history names what changed (or that it was checked).
pub async fn save(
    svc: &Services,
    who: &impl Principal,
    org: &Organisation,
    p: Profile,
) -> Result<(), Error> {
    access::require(svc, who, Action::Update, Resource::DirectoryEntry(&org.id)).await?;
    let mut changed = Vec::new();
    if org.description != p.description {
        changed.push("beschrijving");
    }
    if org.website != p.website {
        changed.push("website");
    }
    if org.phone != p.phone {
        changed.push("telefoon");
    }
    if org.email != p.email {
        changed.push("e-mail");
    }
    let old_areas: Vec<(String, String)> = areas(svc, &org.id)
        .await?
        .into_iter()
        .map(|(_, k, c)| (k, c))
        .collect();
    let new_areas: Vec<(String, String)> = p
        .areas
        .iter()
        .map(|a| (a.kind().to_owned(), a.code()))
        .collect();
    if old_areas != new_areas {
        changed.push("werkgebied");
    }
    // Only a social team has an overleglijn; anyone else's form field is ignored.
    let is_team = is_social_team(org.kind);
    if is_team && (org.overleglijn_phone.clone(), org.overleglijn_hours.clone()) != p.overleglijn {
        changed.push("overleglijn");
    }
    let summary = if changed.is_empty() {
        "Profiel gecontroleerd, niets gewijzigd.".to_owned()
    } else {
        format!("Profiel gewijzigd: {}.", changed.join(", "))
    };
    let event = access::event(
        who,
        "directory_profile_update",
        Resource::DirectoryEntry(&org.id),
        "allowed",
    );
    let user_id = who.actor().user_id.clone();
    let oid = org.id.clone();
    svc.db
        .write(move |c| {
            orgs::set_profile(
                c,
                &oid,
                p.description.as_deref(),
                p.website.as_deref(),
                Some(dates::today()),
            )?;
            orgs::set_contact(c, &oid, p.phone.as_deref(), p.email.as_deref())?;
            directory::set_organisation_areas(c, &oid, &new_areas)?;
            if is_team {
                directory::set_overleglijn_opt(
                    c,
                    &oid,
                    p.overleglijn.0.as_deref(),
                    p.overleglijn.1.as_deref(),
                )?;
            }
            directory::record_change(c, &oid, "organisation", &oid, Some(&user_id), &summary)?;
            audit::append(c, &event)
        })
        .await?;
    Ok(())
}
