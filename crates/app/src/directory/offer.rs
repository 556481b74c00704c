//! Organisations keep their own offer in the sociale kaart: a service added, changed,
//! confirmed as still right, or removed. Each write carries its line in the change
//! history and its audit entry in the same transaction, so neither exists without the
//! other; saving an entry also marks it as checked today.

use crate::access;
use crate::context::{Principal, Services};
use crate::dates;
use crate::error::Error;
use chrono::NaiveDate;
use rondom_db::audit::{self, AuditEvent};
use rondom_db::directory::{self, AreaRow, Location, ServiceRow};
use rondom_db::organisations::Organisation;
use rondom_domain::area::Area;
use rondom_domain::{Action, Resource};

/// A checked service, owning its values.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceInput {
    pub name: String,
    pub description: String,
    pub category: String,
    pub access_route: String,
    pub age_min: i32,
    pub age_max: i32,
    pub problem_areas: String,
    pub cost: Option<String>,
    pub tariff_cents: Option<i32>,
    pub tariff_unit: Option<String>,
    pub wait_weeks: Option<i32>,
    pub capacity: Option<i32>,
    pub contracted_by: Option<String>,
    pub contract_from: Option<NaiveDate>,
    pub contract_until: Option<NaiveDate>,
    pub areas: Vec<Area>,
    pub locations: Vec<String>,
}

/// A stored service with its own areas and the ids of the locations it is offered at.
pub struct ServiceEntry {
    pub row: ServiceRow,
    pub areas: Vec<AreaRow>,
    pub locations: Vec<String>,
}

/// An organisation of the sociale kaart with its locations (the only ones its services
/// may be offered at).
pub async fn organisation_and_locations(
    svc: &Services,
    org_id: &str,
) -> Result<(Organisation, Vec<Location>), Error> {
    let id = org_id.to_owned();
    let (org, locations) = svc
        .db
        .read(move |c| {
            Ok((
                rondom_db::organisations::find(c, &id)?,
                directory::locations_of(c, Some(std::slice::from_ref(&id)))?,
            ))
        })
        .await?;
    let org = super::entries::in_directory(org).ok_or(Error::NotFound)?;
    Ok((org, locations))
}

/// What the form for a new service needs, for someone who may add one.
pub async fn for_new(
    svc: &Services,
    who: &impl Principal,
    org_id: &str,
) -> Result<(Organisation, Vec<Location>), Error> {
    access::require(svc, who, Action::Create, Resource::DirectoryEntry(org_id)).await?;
    organisation_and_locations(svc, org_id).await
}

/// A service with what its form needs.
pub async fn load(svc: &Services, id: &str) -> Result<ServiceEntry, Error> {
    let id = id.to_owned();
    svc.db
        .read(move |c| {
            let Some(row) = directory::find_service(c, &id)? else {
                return Ok(None);
            };
            let ids = [id.clone()];
            let areas = directory::areas_of(c, Some(&ids))?;
            let locations = directory::service_location_links(c, Some(&ids))?
                .into_iter()
                .map(|(_, l)| l)
                .collect();
            Ok(Some(ServiceEntry {
                row,
                areas,
                locations,
            }))
        })
        .await?
        .ok_or(Error::NotFound)
}

/// A service, its organisation and that organisation's locations, for someone who may
/// change it.
pub async fn for_edit(
    svc: &Services,
    who: &impl Principal,
    id: &str,
) -> Result<(ServiceEntry, Organisation, Vec<Location>), Error> {
    let entry = load(svc, id).await?;
    access::require(
        svc,
        who,
        Action::Update,
        Resource::DirectoryEntry(&entry.row.organisation_id),
    )
    .await?;
    let (org, locations) = organisation_and_locations(svc, &entry.row.organisation_id).await?;
    Ok((entry, org, locations))
}

fn new_service<'a>(
    org: &'a str,
    i: &'a ServiceInput,
    wait_reported_on: Option<NaiveDate>,
    today: NaiveDate,
) -> directory::NewService<'a> {
    directory::NewService {
        organisation_id: org,
        name: &i.name,
        description: &i.description,
        category: &i.category,
        access_route: &i.access_route,
        age_min: i.age_min,
        age_max: i.age_max,
        problem_areas: &i.problem_areas,
        cost: i.cost.as_deref(),
        wait_weeks: i.wait_weeks,
        wait_reported_on,
        last_checked_on: today,
        tariff_cents: i.tariff_cents,
        tariff_unit: i.tariff_unit.as_deref(),
        contracted_by: i.contracted_by.as_deref(),
        contract_from: i.contract_from,
        contract_until: i.contract_until,
        capacity: i.capacity,
    }
}

fn area_rows(i: &ServiceInput) -> Vec<(Option<String>, String, String)> {
    i.areas
        .iter()
        .map(|a| (None, a.kind().to_owned(), a.code()))
        .collect()
}

/// Adds a checked service to the organisation's offer; answers its id.
pub async fn create(
    svc: &Services,
    who: &impl Principal,
    org_id: &str,
    input: ServiceInput,
) -> Result<String, Error> {
    access::require(svc, who, Action::Create, Resource::DirectoryEntry(org_id)).await?;
    let event = access::event(
        who,
        "directory_service_create",
        Resource::DirectoryEntry(org_id),
        "allowed",
    );
    let user_id = who.actor().user_id.clone();
    let org_id = org_id.to_owned();
    let id = svc
        .db
        .write(move |c| {
            let day = dates::today();
            let reported = input.wait_weeks.map(|_| day);
            let id = directory::create_service(c, &new_service(&org_id, &input, reported, day))?;
            directory::set_service_areas(c, &id, &area_rows(&input))?;
            directory::set_service_locations(c, &id, &input.locations)?;
            directory::record_change(
                c,
                &org_id,
                "service",
                &id,
                Some(&user_id),
                &summary(None, &input),
            )?;
            audit::append(
                c,
                &AuditEvent {
                    object_type: "service".into(),
                    object_id: Some(id.clone()),
                    ..event
                },
            )?;
            Ok(id)
        })
        .await?;
    Ok(id)
}

/// Replaces a service with its checked new version; the history says what changed.
pub async fn update(
    svc: &Services,
    who: &impl Principal,
    old: ServiceEntry,
    input: ServiceInput,
) -> Result<(), Error> {
    let org_id = old.row.organisation_id.clone();
    access::require(svc, who, Action::Update, Resource::DirectoryEntry(&org_id)).await?;
    let text = summary(Some((&old.row, &old.areas, &old.locations)), &input);
    let event = access::event(
        who,
        "directory_service_update",
        Resource::DirectoryEntry(&org_id),
        "allowed",
    );
    let user_id = who.actor().user_id.clone();
    let old = old.row;
    svc.db
        .write(move |c| {
            let day = dates::today();
            // The waiting time is dated when it is reported anew.
            let reported = match (input.wait_weeks, old.wait_weeks == input.wait_weeks) {
                (None, _) => None,
                (Some(_), true) => old.wait_reported_on.or(Some(day)),
                (Some(_), false) => Some(day),
            };
            directory::update_service(c, &old.id, &new_service(&org_id, &input, reported, day))?;
            directory::set_service_areas(c, &old.id, &area_rows(&input))?;
            directory::set_service_locations(c, &old.id, &input.locations)?;
            directory::record_change(c, &org_id, "service", &old.id, Some(&user_id), &text)?;
            audit::append(
                c,
                &AuditEvent {
                    object_type: "service".into(),
                    object_id: Some(old.id.to_string()),
                    ..event
                },
            )?;
            Ok(())
        })
        .await?;
    Ok(())
}

/// "Still right": the quick answer to a stale-entry warning; only the check date moves.
/// Marks a service as checked today (nothing changed); answers its organisation's id.
pub async fn mark_checked(svc: &Services, who: &impl Principal, id: &str) -> Result<String, Error> {
    let s = load(svc, id).await?.row;
    let org_id = s.organisation_id.clone();
    access::require(svc, who, Action::Update, Resource::DirectoryEntry(&org_id)).await?;
    let event = access::event(
        who,
        "directory_service_checked",
        Resource::DirectoryEntry(&org_id),
        "allowed",
    );
    let user_id = who.actor().user_id.clone();
    let org = org_id.to_string();
    svc.db
        .write(move |c| {
            let day = dates::today();
            let row = directory::NewService {
                organisation_id: &s.organisation_id,
                name: &s.name,
                description: &s.description,
                category: &s.category,
                access_route: &s.access_route,
                age_min: s.age_min,
                age_max: s.age_max,
                problem_areas: &s.problem_areas,
                cost: s.cost.as_deref(),
                wait_weeks: s.wait_weeks,
                wait_reported_on: s.wait_reported_on,
                last_checked_on: day,
                tariff_cents: s.tariff_cents,
                tariff_unit: s.tariff_unit.as_deref(),
                contracted_by: s.contracted_by.as_deref(),
                contract_from: s.contract_from,
                contract_until: s.contract_until,
                capacity: s.capacity,
            };
            directory::update_service(c, &s.id, &row)?;
            directory::record_change(
                c,
                &org_id,
                "service",
                &s.id,
                Some(&user_id),
                "Gecontroleerd, niets gewijzigd.",
            )?;
            audit::append(
                c,
                &AuditEvent {
                    object_type: "service".into(),
                    object_id: Some(s.id.to_string()),
                    ..event
                },
            )
        })
        .await?;
    Ok(org)
}

/// Removes a service from the offer; answers the organisation it belonged to.
pub async fn delete(svc: &Services, who: &impl Principal, id: &str) -> Result<String, Error> {
    let s = load(svc, id).await?.row;
    let org_id = s.organisation_id.clone();
    access::require(svc, who, Action::Update, Resource::DirectoryEntry(&org_id)).await?;
    let event = access::event(
        who,
        "directory_service_delete",
        Resource::DirectoryEntry(&org_id),
        "allowed",
    );
    let user_id = who.actor().user_id.clone();
    let oid = org_id.clone();
    svc.db
        .write(move |c| {
            directory::delete_service(c, &s.id)?;
            directory::record_change(
                c,
                &oid,
                "service",
                &s.id,
                Some(&user_id),
                &format!("Aanbod ‘{}’ verwijderd.", s.name),
            )?;
            audit::append(
                c,
                &AuditEvent {
                    object_type: "service".into(),
                    object_id: Some(s.id.to_string()),
                    ..event
                },
            )
        })
        .await?;
    Ok(org_id.into())
}

/// What changed, in Dutch, for the change history.
pub fn summary(old: Option<(&ServiceRow, &[AreaRow], &[String])>, new: &ServiceInput) -> String {
    let Some((o, old_areas, old_locations)) = old else {
        return format!("Aanbod ‘{}’ toegevoegd.", new.name);
    };
    let mut parts = Vec::new();
    let weeks = |w: Option<i32>| w.map_or("onbekend".to_owned(), |w| format!("{w} weken"));
    if o.name != new.name {
        parts.push(format!("naam: ‘{}’ → ‘{}’", o.name, new.name));
    }
    if o.description != new.description {
        parts.push("beschrijving gewijzigd".into());
    }
    if o.category != new.category {
        parts.push(format!("soort hulp: {} → {}", o.category, new.category));
    }
    if o.access_route != new.access_route {
        parts.push(format!(
            "toegang: {} → {}",
            o.access_route, new.access_route
        ));
    }
    if (o.age_min, o.age_max) != (new.age_min, new.age_max) {
        parts.push(format!(
            "leeftijd: {}–{} → {}–{}",
            o.age_min, o.age_max, new.age_min, new.age_max
        ));
    }
    if o.problem_areas != new.problem_areas {
        parts.push(format!(
            "probleemgebieden: {} → {}",
            o.problem_areas, new.problem_areas
        ));
    }
    if o.wait_weeks != new.wait_weeks {
        parts.push(format!(
            "wachttijd: {} → {}",
            weeks(o.wait_weeks),
            weeks(new.wait_weeks)
        ));
    }
    if o.cost != new.cost || o.tariff_cents != new.tariff_cents || o.tariff_unit != new.tariff_unit
    {
        parts.push("kosten of tarief gewijzigd".into());
    }
    if o.capacity != new.capacity {
        parts.push("capaciteit gewijzigd".into());
    }
    if (&o.contracted_by, &o.contract_from, &o.contract_until)
        != (&new.contracted_by, &new.contract_from, &new.contract_until)
    {
        parts.push("contract gewijzigd".into());
    }
    let old_area_codes: Vec<(String, String)> = old_areas
        .iter()
        .map(|a| (a.kind.clone(), a.code.clone()))
        .collect();
    let new_area_codes: Vec<(String, String)> = new
        .areas
        .iter()
        .map(|a| (a.kind().to_owned(), a.code()))
        .collect();
    if old_area_codes != new_area_codes {
        parts.push("werkgebied gewijzigd".into());
    }
    if old_locations != new.locations.as_slice() {
        parts.push("locaties gewijzigd".into());
    }
    if parts.is_empty() {
        "Gecontroleerd, niets gewijzigd.".into()
    } else {
        let mut s = parts.join("; ");
        if let Some(first) = s.get(..1) {
            s = first.to_uppercase() + &s[1..];
        }
        s + "."
    }
}

/// One service's record, for anyone who may read the sociale kaart.
pub async fn service(svc: &Services, who: &impl Principal, id: &str) -> Result<ServiceRow, Error> {
    access::require(svc, who, Action::Read, Resource::Directory).await?;
    let id = id.to_owned();
    svc.db
        .read(move |c| directory::find_service(c, &id))
        .await?
        .ok_or(Error::NotFound)
}
