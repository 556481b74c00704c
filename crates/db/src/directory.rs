//! The sociale kaart's storage. So far: consultants linked to general practices, their
//! weekly hours there with exceptions, and the team's overleglijn.

use crate::schema::{consultation_hours, hour_exceptions, organisations, practice_links, users};
use crate::{AnyConnection, DbError, new_id, now};
use diesel::prelude::*;

#[derive(Debug, Clone)]
pub struct LinkedConsultant {
    pub link_id: String,
    pub consultant_id: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub team_id: String,
    pub team_name: String,
    pub overleglijn_phone: Option<String>,
    pub overleglijn_hours: Option<String>,
    /// (ISO weekday, start minute, end minute)
    pub slots: Vec<(i32, i32, i32)>,
    /// Dates (yyyy-mm-dd) from today on when the consultant is not in the practice.
    pub exceptions: Vec<(String, Option<String>)>,
}

type LinkRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// Everyone linked to this practice, with hours and exceptions from `from_date` on.
pub fn practice_team(
    conn: &mut AnyConnection,
    practice_id: &str,
    from_date: &str,
) -> Result<Vec<LinkedConsultant>, DbError> {
    let rows: Vec<LinkRow> = practice_links::table
        .inner_join(users::table)
        .inner_join(organisations::table.on(organisations::id.eq(practice_links::team_id)))
        .filter(practice_links::practice_id.eq(practice_id))
        .order(users::name.asc())
        .select((
            practice_links::id,
            users::id,
            users::name,
            users::email,
            users::phone,
            organisations::id,
            organisations::name,
            organisations::overleglijn_phone,
            organisations::overleglijn_hours,
        ))
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let slots: Vec<(String, i32, i32, i32)> = consultation_hours::table
        .filter(consultation_hours::link_id.eq_any(&ids))
        .order((
            consultation_hours::weekday.asc(),
            consultation_hours::start_minute.asc(),
        ))
        .select((
            consultation_hours::link_id,
            consultation_hours::weekday,
            consultation_hours::start_minute,
            consultation_hours::end_minute,
        ))
        .load(conn)?;
    let exceptions: Vec<(String, String, Option<String>)> = hour_exceptions::table
        .filter(hour_exceptions::link_id.eq_any(&ids))
        .filter(hour_exceptions::on_date.ge(from_date))
        .order(hour_exceptions::on_date.asc())
        .select((
            hour_exceptions::link_id,
            hour_exceptions::on_date,
            hour_exceptions::reason,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(link_id, consultant_id, name, email, phone, team_id, team_name, olp, olh)| {
                LinkedConsultant {
                    slots: slots
                        .iter()
                        .filter(|s| s.0 == link_id)
                        .map(|s| (s.1, s.2, s.3))
                        .collect(),
                    exceptions: exceptions
                        .iter()
                        .filter(|e| e.0 == link_id)
                        .map(|e| (e.1.clone(), e.2.clone()))
                        .collect(),
                    link_id,
                    consultant_id,
                    name,
                    email,
                    phone,
                    team_id,
                    team_name,
                    overleglijn_phone: olp,
                    overleglijn_hours: olh,
                }
            },
        )
        .collect())
}

pub fn link_consultant(
    conn: &mut AnyConnection,
    practice_id: &str,
    team_id: &str,
    consultant_id: &str,
) -> Result<String, DbError> {
    let id = new_id();
    diesel::insert_into(practice_links::table)
        .values((
            practice_links::id.eq(&id),
            practice_links::practice_id.eq(practice_id),
            practice_links::team_id.eq(team_id),
            practice_links::consultant_id.eq(consultant_id),
            practice_links::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn add_hours(
    conn: &mut AnyConnection,
    link_id: &str,
    weekday: i32,
    start_minute: i32,
    end_minute: i32,
) -> Result<(), DbError> {
    diesel::insert_into(consultation_hours::table)
        .values((
            consultation_hours::id.eq(new_id()),
            consultation_hours::link_id.eq(link_id),
            consultation_hours::weekday.eq(weekday),
            consultation_hours::start_minute.eq(start_minute),
            consultation_hours::end_minute.eq(end_minute),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn add_exception(
    conn: &mut AnyConnection,
    link_id: &str,
    on_date: &str,
    reason: Option<&str>,
) -> Result<(), DbError> {
    diesel::insert_into(hour_exceptions::table)
        .values((
            hour_exceptions::id.eq(new_id()),
            hour_exceptions::link_id.eq(link_id),
            hour_exceptions::on_date.eq(on_date),
            hour_exceptions::reason.eq(reason),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_overleglijn(
    conn: &mut AnyConnection,
    team_id: &str,
    phone: &str,
    hours: &str,
) -> Result<(), DbError> {
    diesel::update(organisations::table.find(team_id))
        .set((
            organisations::overleglijn_phone.eq(phone),
            organisations::overleglijn_hours.eq(hours),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_phone(conn: &mut AnyConnection, user_id: &str, phone: &str) -> Result<(), DbError> {
    diesel::update(users::table.find(user_id))
        .set(users::phone.eq(phone))
        .execute(conn)?;
    Ok(())
}

/// One offer of the sociale kaart, with its organisation's name.
#[derive(Debug, Clone, Queryable)]
pub struct ServiceRow {
    pub id: String,
    pub organisation_id: String,
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
    pub wait_reported_on: Option<String>,
    pub last_checked_on: String,
}

/// Validated input for a service.
#[derive(Debug, Clone)]
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
    pub wait_reported_on: Option<&'a str>,
    pub last_checked_on: &'a str,
}

pub fn create_service(conn: &mut AnyConnection, s: &NewService<'_>) -> Result<String, DbError> {
    use crate::schema::services;
    let id = new_id();
    let t = now();
    diesel::insert_into(services::table)
        .values((
            services::id.eq(&id),
            services::organisation_id.eq(s.organisation_id),
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
            services::created_at.eq(t),
            services::updated_at.eq(t),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The columns of a `ServiceRow`, in its order.
type ServiceColumns = (
    crate::schema::services::id,
    crate::schema::services::organisation_id,
    organisations::name,
    crate::schema::services::name,
    crate::schema::services::description,
    crate::schema::services::category,
    crate::schema::services::access_route,
    crate::schema::services::age_min,
    crate::schema::services::age_max,
    crate::schema::services::problem_areas,
    crate::schema::services::cost,
    crate::schema::services::wait_weeks,
    crate::schema::services::wait_reported_on,
    crate::schema::services::last_checked_on,
);

fn service_columns() -> ServiceColumns {
    use crate::schema::services;
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
    )
}

/// All services (the search ranks them in memory; see the web layer).
pub fn all_services(conn: &mut AnyConnection) -> Result<Vec<ServiceRow>, DbError> {
    use crate::schema::services;
    Ok(services::table
        .inner_join(organisations::table)
        .order(services::name.asc())
        .select(service_columns())
        .load(conn)?)
}

pub fn find_service(conn: &mut AnyConnection, id: &str) -> Result<Option<ServiceRow>, DbError> {
    use crate::schema::services;
    Ok(services::table
        .inner_join(organisations::table)
        .filter(services::id.eq(id))
        .select(service_columns())
        .first(conn)
        .optional()?)
}

/// The services of one organisation.
pub fn services_of(
    conn: &mut AnyConnection,
    organisation_id: &str,
) -> Result<Vec<ServiceRow>, DbError> {
    use crate::schema::services;
    Ok(services::table
        .inner_join(organisations::table)
        .filter(services::organisation_id.eq(organisation_id))
        .order(services::name.asc())
        .select(service_columns())
        .load(conn)?)
}
