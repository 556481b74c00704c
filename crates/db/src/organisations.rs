use crate::schema::{districts, memberships, organisations, users};
use crate::{AnyConnection, DbError, new_id, now};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rondom_domain::OrganisationKind;
use rondom_domain::Role;
use rondom_domain::ids::{MembershipId, OrganisationId, UserId};

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
    pub agb_code: Option<String>,
    pub gemeente_code: String,
    pub wijk_code: Option<String>,
    pub street: String,
    pub house_number: String,
    pub postcode: String,
    pub city: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// A social team's line for consultation by phone, and when it is staffed.
    pub overleglijn_phone: Option<String>,
    pub overleglijn_hours: Option<String>,
    pub description: Option<String>,
    pub website: Option<String>,
    /// yyyy-mm-dd: when the organisation last confirmed its entry in the sociale kaart.
    pub last_checked_on: Option<NaiveDate>,
    /// The HSDS import source that made or last replaced it (None: made in Rondom).
    pub import_source: Option<String>,
}

/// Validated input for a new or changed organisation (validation lives in the use cases'
/// form parsing, using the domain types).
#[derive(Debug, Clone)]
pub struct OrganisationInput {
    pub name: String,
    pub kind: OrganisationKind,
    pub agb_code: Option<String>,
    pub gemeente_code: String,
    pub wijk_code: Option<String>,
    pub street: String,
    pub house_number: String,
    pub postcode: String,
    pub city: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

pub fn create(
    conn: &mut AnyConnection,
    input: &OrganisationInput,
) -> Result<Organisation, DbError> {
    create_with_id(conn, &new_id(), input)
}

/// As `create`, keeping an identifier given from outside (an HSDS import).
pub fn create_with_id(
    conn: &mut AnyConnection,
    id: &str,
    input: &OrganisationInput,
) -> Result<Organisation, DbError> {
    let t = now();
    diesel::insert_into(organisations::table)
        .values((
            organisations::id.eq(id),
            organisations::name.eq(&input.name),
            organisations::kind.eq(&input.kind),
            organisations::agb_code.eq(&input.agb_code),
            organisations::gemeente_code.eq(&input.gemeente_code),
            organisations::wijk_code.eq(&input.wijk_code),
            organisations::street.eq(&input.street),
            organisations::house_number.eq(&input.house_number),
            organisations::postcode.eq(&input.postcode),
            organisations::city.eq(&input.city),
            organisations::phone.eq(&input.phone),
            organisations::email.eq(&input.email),
            organisations::created_at.eq(t),
            organisations::updated_at.eq(t),
        ))
        .execute(conn)?;
    crate::directory::bump_version(conn)?;
    get(conn, id)
}

/// What the sociale kaart shows beyond the registration: a description, a website and
/// the date the entry was last checked.
pub fn set_profile(
    conn: &mut AnyConnection,
    id: &str,
    description: Option<&str>,
    website: Option<&str>,
    last_checked_on: Option<NaiveDate>,
) -> Result<(), DbError> {
    diesel::update(organisations::table.find(id))
        .set((
            organisations::description.eq(description),
            organisations::website.eq(website),
            organisations::last_checked_on.eq(last_checked_on),
            organisations::updated_at.eq(now()),
        ))
        .execute(conn)?;
    crate::directory::bump_version(conn)
}

pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    input: &OrganisationInput,
) -> Result<Organisation, DbError> {
    let n = diesel::update(organisations::table.find(id))
        .set((
            organisations::name.eq(&input.name),
            organisations::agb_code.eq(&input.agb_code),
            organisations::gemeente_code.eq(&input.gemeente_code),
            organisations::wijk_code.eq(&input.wijk_code),
            organisations::street.eq(&input.street),
            organisations::house_number.eq(&input.house_number),
            organisations::postcode.eq(&input.postcode),
            organisations::city.eq(&input.city),
            organisations::phone.eq(&input.phone),
            organisations::email.eq(&input.email),
            organisations::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(DbError::NotFound);
    }
    crate::directory::bump_version(conn)?;
    get(conn, id)
}

pub fn get(conn: &mut AnyConnection, id: &str) -> Result<Organisation, DbError> {
    Ok(organisations::table
        .find(id)
        .select(Organisation::as_select())
        .first(conn)?)
}

/// Marks an organisation as coming from an HSDS import source.
pub fn set_import_source(
    conn: &mut AnyConnection,
    id: &str,
    source: Option<&str>,
) -> Result<(), DbError> {
    diesel::update(organisations::table.find(id))
        .set(organisations::import_source.eq(source))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<Organisation>, DbError> {
    Ok(organisations::table
        .find(id)
        .select(Organisation::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_agb(conn: &mut AnyConnection, agb: &str) -> Result<Option<Organisation>, DbError> {
    Ok(organisations::table
        .filter(organisations::agb_code.eq(agb))
        .select(Organisation::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_name(conn: &mut AnyConnection, name: &str) -> Result<Option<Organisation>, DbError> {
    Ok(organisations::table
        .filter(organisations::name.eq(name))
        .select(Organisation::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut AnyConnection) -> Result<Vec<Organisation>, DbError> {
    Ok(organisations::table
        .order((organisations::kind.asc(), organisations::name.asc()))
        .select(Organisation::as_select())
        .load(conn)?)
}

pub fn list_by_ids(conn: &mut AnyConnection, ids: &[String]) -> Result<Vec<Organisation>, DbError> {
    Ok(organisations::table
        .filter(organisations::id.eq_any(ids))
        .order(organisations::name.asc())
        .select(Organisation::as_select())
        .load(conn)?)
}

pub fn count(conn: &mut AnyConnection) -> Result<i64, DbError> {
    Ok(organisations::table.count().get_result(conn)?)
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Member {
    pub membership_id: MembershipId,
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub totp_enabled: bool,
    pub disabled: bool,
}

pub fn members(conn: &mut AnyConnection, organisation_id: &str) -> Result<Vec<Member>, DbError> {
    let rows: Vec<(MembershipId, UserId, String, String, Role, bool, bool)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::organisation_id.eq(organisation_id))
        .order((users::name.asc(), memberships::role.asc()))
        .select((
            memberships::id,
            users::id,
            users::name,
            users::email,
            memberships::role,
            users::totp_enabled,
            users::disabled,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(membership_id, user_id, name, email, role, totp_enabled, disabled)| Member {
                membership_id,
                user_id,
                name,
                email,
                role,
                totp_enabled,
                disabled,
            },
        )
        .collect())
}

pub fn member_counts(conn: &mut AnyConnection) -> Result<Vec<(OrganisationId, i64)>, DbError> {
    Ok(memberships::table
        .group_by(memberships::organisation_id)
        .select((memberships::organisation_id, diesel::dsl::count_star()))
        .load(conn)?)
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = districts)]
pub struct District {
    pub code: String,
    pub gemeente_code: String,
    pub name: String,
    /// Postcode numbers in the wijk: "9901-9904,9910".
    pub postcodes: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

pub fn upsert_district(conn: &mut AnyConnection, d: &District) -> Result<(), DbError> {
    let exists = districts::table
        .find(&d.code)
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if exists {
        diesel::update(districts::table.find(&d.code))
            .set((
                districts::name.eq(&d.name),
                districts::gemeente_code.eq(&d.gemeente_code),
                districts::postcodes.eq(&d.postcodes),
                districts::latitude.eq(d.latitude),
                districts::longitude.eq(d.longitude),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(districts::table)
            .values((
                districts::code.eq(&d.code),
                districts::gemeente_code.eq(&d.gemeente_code),
                districts::name.eq(&d.name),
                districts::postcodes.eq(&d.postcodes),
                districts::latitude.eq(d.latitude),
                districts::longitude.eq(d.longitude),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Makes sure a wijk exists (named by its code until someone names it), so that an
/// imported organisation can refer to it.
pub fn ensure_district(
    conn: &mut AnyConnection,
    code: &str,
    gemeente_code: &str,
) -> Result<(), DbError> {
    let exists = districts::table
        .find(code)
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !exists {
        diesel::insert_into(districts::table)
            .values((
                districts::code.eq(code),
                districts::gemeente_code.eq(gemeente_code),
                districts::name.eq(code),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn districts(conn: &mut AnyConnection) -> Result<Vec<District>, DbError> {
    Ok(districts::table
        .order(districts::code.asc())
        .select(District::as_select())
        .load(conn)?)
}

/// Adds a membership; the membership id is returned.
pub fn add_membership(
    conn: &mut AnyConnection,
    user_id: &str,
    organisation_id: &str,
    role: &str,
) -> Result<String, DbError> {
    let id = new_id();
    diesel::insert_into(memberships::table)
        .values((
            memberships::id.eq(&id),
            memberships::user_id.eq(user_id),
            memberships::organisation_id.eq(organisation_id),
            memberships::role.eq(role),
            memberships::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Removes a membership only if it belongs to the given organisation, so an id from a
/// form cannot reach into another organisation.
pub fn remove_membership(
    conn: &mut AnyConnection,
    organisation_id: &str,
    membership_id: &str,
) -> Result<(String, String), DbError> {
    // Callers check afterwards that the organisation keeps an admin. On PostgreSQL two
    // removals could each see one admin left; locking the organisation's membership rows
    // makes the second wait for the first. (SQLite has a single writer already.)
    if let AnyConnection::Postgresql(c) = conn {
        memberships::table
            .filter(memberships::organisation_id.eq(organisation_id))
            .select(memberships::id)
            .for_update()
            .load::<String>(c)?;
    }
    let (user_id, role): (String, String) = memberships::table
        .filter(memberships::id.eq(membership_id))
        .filter(memberships::organisation_id.eq(organisation_id))
        .select((memberships::user_id, memberships::role))
        .first(conn)?;
    diesel::delete(memberships::table.filter(memberships::id.eq(membership_id))).execute(conn)?;
    Ok((user_id, role))
}

pub fn count_role(
    conn: &mut AnyConnection,
    organisation_id: &str,
    role: &str,
) -> Result<i64, DbError> {
    Ok(memberships::table
        .filter(memberships::organisation_id.eq(organisation_id))
        .filter(memberships::role.eq(role))
        .count()
        .get_result(conn)?)
}

/// Phone and e-mail as the sociale kaart shows them.
pub fn set_contact(
    conn: &mut AnyConnection,
    id: &str,
    phone: Option<&str>,
    email: Option<&str>,
) -> Result<(), DbError> {
    diesel::update(organisations::table.find(id))
        .set((
            organisations::phone.eq(phone),
            organisations::email.eq(email),
            organisations::updated_at.eq(now()),
        ))
        .execute(conn)?;
    crate::directory::bump_version(conn)
}

/// The name of the municipality with this CBS code, when it is in Rondom itself
/// ("Gemeente Voorbeeld").
pub fn municipality_name(conn: &mut AnyConnection, code: &str) -> Result<Option<String>, DbError> {
    Ok(organisations::table
        .filter(organisations::gemeente_code.eq(code))
        .filter(organisations::kind.eq(rondom_domain::OrganisationKind::Gemeente))
        .order(organisations::created_at.asc())
        .select(organisations::name)
        .first(conn)
        .optional()?)
}
