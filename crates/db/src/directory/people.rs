//! Professionals as the sociale kaart shows them: name, function, phone, e-mail, working
//! days and the organisations they work for. Family members never appear here.

use crate::schema::{memberships, organisations, users};
use crate::{AnyConnection, DbError};
use chrono::NaiveDate;
use diesel::prelude::*;
use rondom_domain::ids::UserId;

#[derive(Debug, Clone)]
pub struct Person {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub job_title: Option<String>,
    /// ISO weekdays.
    pub working_days: Vec<i32>,
    pub last_checked_on: Option<NaiveDate>,
    /// (organisation id, organisation name, role)
    pub work: Vec<(String, String, String)>,
}

type PersonRow = (
    UserId,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<NaiveDate>,
    String,
    String,
    String,
);

fn people_where(
    conn: &mut AnyConnection,
    user_id: Option<&str>,
    organisation_id: Option<&str>,
) -> Result<Vec<Person>, DbError> {
    let mut q = users::table
        .inner_join(memberships::table.inner_join(organisations::table))
        .filter(users::family_role.is_null())
        .filter(users::disabled.eq(false))
        .filter(organisations::kind.ne("platform"))
        .select((
            users::id,
            users::name,
            users::email,
            users::phone,
            users::job_title,
            users::working_days,
            users::last_checked_on,
            organisations::id,
            organisations::name,
            memberships::role,
        ))
        .order((
            users::name.asc(),
            users::id.asc(),
            organisations::name.asc(),
        ))
        .into_boxed();
    if let Some(u) = user_id {
        q = q.filter(users::id.eq(u.to_owned()));
    }
    if let Some(o) = organisation_id {
        q = q.filter(organisations::id.eq(o.to_owned()));
    }
    let rows: Vec<PersonRow> = q.load(conn)?;
    let mut out: Vec<Person> = Vec::new();
    for (id, name, email, phone, title, days, checked, org_id, org_name, role) in rows {
        if out.last().is_none_or(|p| p.id != id) {
            out.push(Person {
                id,
                name,
                email,
                phone,
                job_title: title,
                working_days: parse_days(days.as_deref().unwrap_or("")),
                last_checked_on: checked,
                work: Vec::new(),
            });
        }
        if let Some(p) = out.last_mut()
            && !p.work.iter().any(|w| w.0 == org_id && w.2 == role)
        {
            p.work.push((org_id, org_name, role));
        }
    }
    Ok(out)
}

fn parse_days(s: &str) -> Vec<i32> {
    s.split(',')
        .filter_map(|d| d.trim().parse().ok())
        .filter(|d| (1..=7).contains(d))
        .collect()
}

/// A professional with all their organisations, if they are one.
pub fn person(conn: &mut AnyConnection, user_id: &str) -> Result<Option<Person>, DbError> {
    Ok(people_where(conn, Some(user_id), None)?.into_iter().next())
}

/// The professionals of one organisation (their other organisations are not listed).
pub fn people_of(conn: &mut AnyConnection, organisation_id: &str) -> Result<Vec<Person>, DbError> {
    people_where(conn, None, Some(organisation_id))
}

/// Function, working days and the date the entry was checked.
pub fn set_person_profile(
    conn: &mut AnyConnection,
    user_id: &str,
    job_title: Option<&str>,
    working_days: &[i32],
    last_checked_on: Option<NaiveDate>,
) -> Result<(), DbError> {
    let days = working_days
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    diesel::update(users::table.find(user_id))
        .set((
            users::job_title.eq(job_title),
            users::working_days.eq((!days.is_empty()).then_some(days)),
            users::last_checked_on.eq(last_checked_on),
        ))
        .execute(conn)?;
    Ok(())
}

/// The phone number the sociale kaart shows (none to remove it).
pub fn set_person_phone(
    conn: &mut AnyConnection,
    user_id: &str,
    phone: Option<&str>,
) -> Result<(), DbError> {
    diesel::update(users::table.find(user_id))
        .set(users::phone.eq(phone))
        .execute(conn)?;
    Ok(())
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);
diesel::define_sql_function! {
    #[sql_name = "lower"]
    fn lower_opt(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// One professional and one organisation they work for, found by a search.
#[derive(Debug, Clone, Queryable)]
pub struct Found {
    pub user_id: UserId,
    pub name: String,
    pub job_title: Option<String>,
    pub organisation_id: rondom_domain::ids::OrganisationId,
    pub organisation_name: String,
    pub organisation_kind: rondom_domain::OrganisationKind,
    pub gemeente_code: String,
    pub role: rondom_domain::Role,
}

/// Professionals whose name, function or organisation holds every word (case folded by
/// the caller: lower case), one row per organisation they work for; at most `limit`.
pub fn search(
    conn: &mut AnyConnection,
    words: &[String],
    limit: i64,
) -> Result<Vec<Found>, DbError> {
    let mut q = users::table
        .inner_join(memberships::table.inner_join(organisations::table))
        .filter(users::family_role.is_null())
        .filter(users::disabled.eq(false))
        .filter(organisations::kind.ne("platform"))
        .into_boxed();
    for w in words {
        let like = format!("%{}%", w.replace(['%', '_', '\\'], ""));
        q = q.filter(
            lower(users::name)
                .like(like.clone())
                .or(lower_opt(users::job_title)
                    .like(like.clone())
                    .assume_not_null())
                .or(lower(organisations::name).like(like)),
        );
    }
    Ok(q.select((
        users::id,
        users::name,
        users::job_title,
        organisations::id,
        organisations::name,
        organisations::kind,
        organisations::gemeente_code,
        memberships::role,
    ))
    .order((users::name.asc(), organisations::name.asc()))
    .limit(limit)
    .load(conn)?)
}
