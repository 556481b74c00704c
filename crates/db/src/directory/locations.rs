//! Where organisations work: locations with address and optional coordinates.

use super::bump_version;
use crate::schema::locations;
use crate::{AnyConnection, DbError};
use chrono::NaiveDate;
use diesel::prelude::*;
use rondom_domain::ids::{LocationId, OrganisationId};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = locations)]
pub struct Location {
    pub id: LocationId,
    pub organisation_id: OrganisationId,
    pub name: String,
    pub street: String,
    pub house_number: String,
    pub postcode: String,
    pub city: String,
    /// ISO 3166-1 alpha-2 ("NL").
    pub country: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub last_checked_on: NaiveDate,
}

pub fn insert_location(conn: &mut AnyConnection, l: &Location) -> Result<(), DbError> {
    diesel::insert_into(locations::table)
        .values(l.clone())
        .execute(conn)?;
    bump_version(conn)
}

pub fn update_location(conn: &mut AnyConnection, l: &Location) -> Result<(), DbError> {
    let n = diesel::update(locations::table.find(&l.id))
        .set(l.clone())
        .execute(conn)?;
    if n == 0 {
        return Err(DbError::NotFound);
    }
    bump_version(conn)
}

/// Locations of the given organisations (all when `None`), by name.
pub fn locations_of(
    conn: &mut AnyConnection,
    organisation_ids: Option<&[String]>,
) -> Result<Vec<Location>, DbError> {
    let mut q = locations::table
        .select(Location::as_select())
        .order((locations::organisation_id.asc(), locations::name.asc()))
        .into_boxed();
    if let Some(ids) = organisation_ids {
        q = q.filter(locations::organisation_id.eq_any(ids.to_vec()));
    }
    Ok(q.load(conn)?)
}

pub fn find_location(conn: &mut AnyConnection, id: &str) -> Result<Option<Location>, DbError> {
    Ok(locations::table
        .find(id)
        .select(Location::as_select())
        .first(conn)
        .optional()?)
}

/// Removes an organisation's locations (a re-import replaces them).
pub fn delete_locations_of(conn: &mut AnyConnection, organisation_id: &str) -> Result<(), DbError> {
    diesel::delete(locations::table.filter(locations::organisation_id.eq(organisation_id)))
        .execute(conn)?;
    bump_version(conn)
}
