//! The reads behind the HSDS API: whole records and the tables its pages are cut from.
//! The sociale kaart is no child's data; who may read it is checked by the caller.

use super::{Snapshot, derived_id, location_json, service_brief};
use crate::context::Services;
use crate::error::Error;
use rondom_db::directory::{self, Location};
use rondom_db::organisations::{self as orgs, Organisation};
use rondom_domain::ids::OrganisationId;
use serde_json::{Value, json};
use std::collections::HashMap;

/// One service's whole HSDS record.
pub async fn service(svc: &Services, id: &str) -> Result<Value, Error> {
    let id = id.to_owned();
    svc.db
        .read(move |c| {
            let Some(s) = directory::find_service(c, &id)? else {
                return Ok(None);
            };
            let snap = Snapshot::load(c, Some(&[s.organisation_id.to_string()]))?;
            Ok(Some(snap.service_full(&s)))
        })
        .await?
        .ok_or(Error::NotFound)
}

/// These organisations' whole HSDS records.
pub async fn organizations_full(svc: &Services, ids: Vec<String>) -> Result<Vec<Value>, Error> {
    Ok(svc
        .db
        .read(move |c| Snapshot::load(c, Some(&ids)).map(|s| s.organizations_full()))
        .await?)
}

/// Every organisation (the API filters and pages them).
/// Every organisation the sociale kaart lists (the API filters and pages them).
pub async fn organisations(svc: &Services) -> Result<Vec<Organisation>, Error> {
    let all = svc.db.read(orgs::list).await?;
    Ok(all.into_iter().filter(|o| o.kind.is_public()).collect())
}

/// These organisations by id.
pub async fn organisations_by_id(
    svc: &Services,
    ids: Vec<String>,
) -> Result<HashMap<OrganisationId, Organisation>, Error> {
    Ok(svc
        .db
        .read(move |c| orgs::list_by_ids(c, &ids))
        .await?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect())
}

/// Which service is given at which location (service id, location id), and every
/// location.
pub async fn service_locations(
    svc: &Services,
) -> Result<(Vec<(String, String)>, Vec<Location>), Error> {
    Ok(svc
        .db
        .read(|c| {
            Ok((
                directory::service_location_links(c, None)?,
                directory::locations_of(c, None)?,
            ))
        })
        .await?)
}

/// One service at one location, by its derived id.
pub async fn service_at_location(svc: &Services, id: &str) -> Result<Value, Error> {
    let id = id.to_owned();
    svc.db
        .read(move |c| {
            for (s, l) in directory::service_location_links(c, None)? {
                if derived_id(&s, &format!("at/{l}")) != id {
                    continue;
                }
                let (Some(service), Some(location)) = (
                    directory::find_service(c, &s)?,
                    directory::find_location(c, &l)?,
                ) else {
                    return Ok(None);
                };
                let org = orgs::find(c, &service.organisation_id)?;
                return Ok(Some(json!({
                    "id": id,
                    "service_id": s,
                    "location_id": l,
                    "location": location_json(&location),
                    "service": service_brief(&service, org.as_ref()),
                })));
            }
            Ok(None)
        })
        .await?
        .ok_or(Error::NotFound)
}
