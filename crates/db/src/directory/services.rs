//! The offer (aanbod): services with target group, access route, tariff, contract,
//! capacity and waiting time, and the areas each one covers.

use super::bump_version;
use crate::schema::{organisations, service_areas, service_locations, services};
use crate::{AnyConnection, DbError, new_id, now};
use chrono::NaiveDate;
use diesel::prelude::*;
use rondom_domain::ids::{AreaId, OrganisationId, ServiceId};

/// One offer of the sociale kaart, with its organisation's name.
#[derive(Debug, Clone, Queryable)]
pub struct ServiceRow {
    pub id: ServiceId,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub access_route: String,
    pub age_min: i32,
    pub age_max: i32,
    pub problem_areas: String,
    pub cost: Option<String>,
    pub wait_weeks: Option<i32>,
    pub wait_reported_on: Option<NaiveDate>,
    pub last_checked_on: NaiveDate,
    pub tariff_cents: Option<i32>,
    pub tariff_unit: Option<String>,
    pub contracted_by: Option<String>,
    pub contract_from: Option<NaiveDate>,
    pub contract_until: Option<NaiveDate>,
    pub capacity: Option<i32>,
}

/// Validated input for a service.
#[derive(Debug, Clone, Default)]
pub struct NewService<'a> {
    pub organisation_id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub category: &'a str,
    pub access_route: &'a str,
    pub age_min: i32,
    pub age_max: i32,
    pub problem_areas: &'a str,
    pub cost: Option<&'a str>,
    pub wait_weeks: Option<i32>,
    pub wait_reported_on: Option<NaiveDate>,
    pub last_checked_on: NaiveDate,
    pub tariff_cents: Option<i32>,
    pub tariff_unit: Option<&'a str>,
    pub contracted_by: Option<&'a str>,
    pub contract_from: Option<NaiveDate>,
    pub contract_until: Option<NaiveDate>,
    pub capacity: Option<i32>,
}

pub fn create_service(conn: &mut AnyConnection, s: &NewService<'_>) -> Result<String, DbError> {
    let id = new_id();
    insert_service(conn, &id, s)?;
    Ok(id)
}

/// Inserts a service under an identifier given from outside (an HSDS import).
pub fn insert_service(
    conn: &mut AnyConnection,
    id: &str,
    s: &NewService<'_>,
) -> Result<(), DbError> {
    insert_services_bulk(conn, &[(id, s.clone())], &[], &[], None)
}

/// Replaces every field of a service; its organisation stays.
pub fn update_service(
    conn: &mut AnyConnection,
    id: &str,
    s: &NewService<'_>,
) -> Result<(), DbError> {
    let n = diesel::update(services::table.find(id))
        .set((
            services::name.eq(s.name),
            services::description.eq(s.description),
            services::category.eq(s.category),
            services::access_route.eq(s.access_route),
            services::age_min.eq(s.age_min),
            services::age_max.eq(s.age_max),
            services::problem_areas.eq(s.problem_areas),
            services::cost.eq(s.cost),
            services::wait_weeks.eq(s.wait_weeks),
            services::wait_reported_on.eq(s.wait_reported_on),
            services::last_checked_on.eq(s.last_checked_on),
            services::updated_at.eq(now()),
            (
                services::tariff_cents.eq(s.tariff_cents),
                services::tariff_unit.eq(s.tariff_unit),
                services::contracted_by.eq(s.contracted_by),
                services::contract_from.eq(s.contract_from),
                services::contract_until.eq(s.contract_until),
                services::capacity.eq(s.capacity),
            ),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(DbError::NotFound);
    }
    bump_version(conn)
}

/// The columns of a `ServiceRow`, in its order.
type ServiceColumns = (
    services::id,
    services::organisation_id,
    organisations::name,
    services::name,
    services::description,
    services::category,
    services::access_route,
    services::age_min,
    services::age_max,
    services::problem_areas,
    services::cost,
    services::wait_weeks,
    services::wait_reported_on,
    services::last_checked_on,
    services::tariff_cents,
    services::tariff_unit,
    services::contracted_by,
    services::contract_from,
    services::contract_until,
    services::capacity,
);

fn service_columns() -> ServiceColumns {
    (
        services::id,
        services::organisation_id,
        organisations::name,
        services::name,
        services::description,
        services::category,
        services::access_route,
        services::age_min,
        services::age_max,
        services::problem_areas,
        services::cost,
        services::wait_weeks,
        services::wait_reported_on,
        services::last_checked_on,
        services::tariff_cents,
        services::tariff_unit,
        services::contracted_by,
        services::contract_from,
        services::contract_until,
        services::capacity,
    )
}

/// All services (the search ranks them in memory; see rondom-app's directory index).
pub fn all_services(conn: &mut AnyConnection) -> Result<Vec<ServiceRow>, DbError> {
    Ok(services::table
        .inner_join(organisations::table)
        // The platform's own organisation is not part of the sociale kaart.
        .filter(organisations::kind.ne(PLATFORM))
        .order(services::name.asc())
        .select(service_columns())
        .load(conn)?)
}

pub fn find_service(conn: &mut AnyConnection, id: &str) -> Result<Option<ServiceRow>, DbError> {
    Ok(services::table
        .inner_join(organisations::table)
        // The platform's own organisation is not part of the sociale kaart.
        .filter(organisations::kind.ne(PLATFORM))
        .filter(services::id.eq(id))
        .select(service_columns())
        .first(conn)
        .optional()?)
}

/// The services of some organisations.
pub fn services_of_all(
    conn: &mut AnyConnection,
    organisation_ids: &[String],
) -> Result<Vec<ServiceRow>, DbError> {
    Ok(services::table
        .inner_join(organisations::table)
        // The platform's own organisation is not part of the sociale kaart.
        .filter(organisations::kind.ne(PLATFORM))
        .filter(services::organisation_id.eq_any(organisation_ids))
        .order(services::name.asc())
        .select(service_columns())
        .load(conn)?)
}

/// The services of one organisation.
pub fn services_of(
    conn: &mut AnyConnection,
    organisation_id: &str,
) -> Result<Vec<ServiceRow>, DbError> {
    services_of_all(conn, &[organisation_id.to_owned()])
}

/// One area a service covers.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct AreaRow {
    pub id: AreaId,
    pub service_id: ServiceId,
    /// `gemeente`, `wijk` or `postcode`.
    pub kind: String,
    pub code: String,
}

/// Replaces the areas of a service. Ids are kept when given (an HSDS import).
pub fn set_service_areas(
    conn: &mut AnyConnection,
    service_id: &str,
    areas: &[(Option<String>, String, String)],
) -> Result<(), DbError> {
    diesel::delete(service_areas::table.filter(service_areas::service_id.eq(service_id)))
        .execute(conn)?;
    for (id, kind, code) in areas {
        diesel::insert_into(service_areas::table)
            .values((
                service_areas::id.eq(id.clone().unwrap_or_else(new_id)),
                service_areas::service_id.eq(service_id),
                service_areas::kind.eq(kind),
                service_areas::code.eq(code),
            ))
            .execute(conn)?;
    }
    bump_version(conn)
}

/// The areas of the given services (all services when `None`).
pub fn areas_of(
    conn: &mut AnyConnection,
    service_ids: Option<&[String]>,
) -> Result<Vec<AreaRow>, DbError> {
    let mut q = service_areas::table
        .select((
            service_areas::id,
            service_areas::service_id,
            service_areas::kind,
            service_areas::code,
        ))
        .order((service_areas::service_id.asc(), service_areas::id.asc()))
        .into_boxed();
    if let Some(ids) = service_ids {
        q = q.filter(service_areas::service_id.eq_any(ids.to_vec()));
    }
    Ok(q.load(conn)?)
}

/// Replaces where a service is given (locations of its own organisation).
pub fn set_service_locations(
    conn: &mut AnyConnection,
    service_id: &str,
    location_ids: &[String],
) -> Result<(), DbError> {
    diesel::delete(service_locations::table.filter(service_locations::service_id.eq(service_id)))
        .execute(conn)?;
    for l in location_ids {
        diesel::insert_into(service_locations::table)
            .values((
                service_locations::service_id.eq(service_id),
                service_locations::location_id.eq(l),
            ))
            .execute(conn)?;
    }
    bump_version(conn)
}

/// (service id, location id) pairs for the given services (all when `None`).
pub fn service_location_links(
    conn: &mut AnyConnection,
    service_ids: Option<&[String]>,
) -> Result<Vec<(String, String)>, DbError> {
    let mut q = service_locations::table
        .select((
            service_locations::service_id,
            service_locations::location_id,
        ))
        .order((
            service_locations::service_id.asc(),
            service_locations::location_id.asc(),
        ))
        .into_boxed();
    if let Some(ids) = service_ids {
        q = q.filter(service_locations::service_id.eq_any(ids.to_vec()));
    }
    Ok(q.load(conn)?)
}

pub fn delete_service(conn: &mut AnyConnection, id: &str) -> Result<(), DbError> {
    let n = diesel::delete(services::table.find(id)).execute(conn)?;
    if n == 0 {
        return Err(DbError::NotFound);
    }
    bump_version(conn)
}

/// Which of these service ids exist already: id → (organisation, import source).
pub fn existing_services(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<std::collections::HashMap<String, (String, Option<String>)>, DbError> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let found: Vec<(String, String, Option<String>)> = services::table
            .filter(services::id.eq_any(chunk))
            .select((
                services::id,
                services::organisation_id,
                services::import_source,
            ))
            .load(conn)?;
        out.extend(found.into_iter().map(|(id, o, s)| (id, (o, s))));
    }
    Ok(out)
}

pub fn delete_services(conn: &mut AnyConnection, ids: &[String]) -> Result<(), DbError> {
    for chunk in ids.chunks(CHUNK) {
        diesel::delete(services::table.filter(services::id.eq_any(chunk))).execute(conn)?;
    }
    bump_version(conn)
}

/// The kind of the installation's own organisation (`OrganisationKind::Platform`).
const PLATFORM: &str = "platform";

/// Rows per statement in bulk writes: well below both engines' limits on bound values.
const CHUNK: usize = 500;

#[derive(Insertable)]
#[diesel(table_name = services)]
struct ServiceInsert<'a> {
    id: &'a str,
    organisation_id: &'a str,
    name: &'a str,
    description: &'a str,
    category: &'a str,
    access_route: &'a str,
    age_min: i32,
    age_max: i32,
    problem_areas: &'a str,
    cost: Option<&'a str>,
    wait_weeks: Option<i32>,
    wait_reported_on: Option<NaiveDate>,
    last_checked_on: NaiveDate,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
    tariff_cents: Option<i32>,
    tariff_unit: Option<&'a str>,
    contracted_by: Option<&'a str>,
    contract_from: Option<NaiveDate>,
    contract_until: Option<NaiveDate>,
    capacity: Option<i32>,
    import_source: Option<&'a str>,
}

/// Inserts many new services with their areas and locations in a few statements (an
/// import of a whole region, marked with its `source`). Ids must be new.
pub fn insert_services_bulk(
    conn: &mut AnyConnection,
    rows: &[(&str, NewService<'_>)],
    areas: &[(String, String, String, String)],
    links: &[(String, String)],
    source: Option<&str>,
) -> Result<(), DbError> {
    let t = now();
    let records: Vec<ServiceInsert<'_>> = rows
        .iter()
        .map(|(id, s)| ServiceInsert {
            id,
            organisation_id: s.organisation_id,
            name: s.name,
            description: s.description,
            category: s.category,
            access_route: s.access_route,
            age_min: s.age_min,
            age_max: s.age_max,
            problem_areas: s.problem_areas,
            cost: s.cost,
            wait_weeks: s.wait_weeks,
            wait_reported_on: s.wait_reported_on,
            last_checked_on: s.last_checked_on,
            created_at: t,
            updated_at: t,
            tariff_cents: s.tariff_cents,
            tariff_unit: s.tariff_unit,
            contracted_by: s.contracted_by,
            contract_from: s.contract_from,
            contract_until: s.contract_until,
            capacity: s.capacity,
            import_source: source,
        })
        .collect();
    for chunk in records.chunks(CHUNK) {
        // Multi-row inserts are not available through the multi-backend wrapper.
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(services::table)
            .values(chunk)
            .execute(c))?;
    }
    // (area id, service id, kind, code)
    let area_rows: Vec<_> = areas
        .iter()
        .map(|(id, service, kind, code)| {
            (
                service_areas::id.eq(id),
                service_areas::service_id.eq(service),
                service_areas::kind.eq(kind),
                service_areas::code.eq(code),
            )
        })
        .collect();
    for chunk in area_rows.chunks(CHUNK) {
        // Multi-row inserts are not available through the multi-backend wrapper.
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(service_areas::table)
            .values(chunk)
            .execute(c))?;
    }
    let link_rows: Vec<_> = links
        .iter()
        .map(|(service, location)| {
            (
                service_locations::service_id.eq(service),
                service_locations::location_id.eq(location),
            )
        })
        .collect();
    for chunk in link_rows.chunks(CHUNK) {
        // Multi-row inserts are not available through the multi-backend wrapper.
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(
            service_locations::table
        )
        .values(chunk)
        .execute(c))?;
    }
    bump_version(conn)
}
