//! The sociale kaart's storage: consultants linked to general practices (their weekly
//! hours there with exceptions, and the team's overleglijn) here; the offer, locations,
//! areas and the change history in the submodules.

mod history;
mod locations;
mod people;
mod services;
mod teams;

pub use history::*;
pub use locations::*;
pub use people::*;
pub use services::*;
pub use teams::*;

use crate::schema::{
    consultation_hours, hour_exceptions, memberships, organisations, practice_links, users,
};
use crate::{AnyConnection, DbError, new_id, now};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rondom_domain::ids::{OrganisationId, PracticeLinkId, UserId};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct LinkedConsultant {
    pub link_id: PracticeLinkId,
    pub consultant_id: UserId,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub team_id: OrganisationId,
    pub team_name: String,
    pub overleglijn_phone: Option<String>,
    pub overleglijn_hours: Option<String>,
    /// (ISO weekday, start minute, end minute)
    pub slots: Vec<(i32, i32, i32)>,
    /// Dates (yyyy-mm-dd) from today on when the consultant is not in the practice.
    pub exceptions: Vec<(NaiveDate, Option<String>)>,
}

type LinkRow = (
    PracticeLinkId,
    UserId,
    String,
    String,
    Option<String>,
    OrganisationId,
    String,
    Option<String>,
    Option<String>,
);

/// Everyone linked to this practice, with hours and exceptions from `from_date` on.
pub fn practice_team(
    conn: &mut AnyConnection,
    practice_id: &str,
    from_date: NaiveDate,
) -> Result<Vec<LinkedConsultant>, DbError> {
    let rows: Vec<LinkRow> = practice_links::table
        .inner_join(users::table)
        .inner_join(organisations::table.on(organisations::id.eq(practice_links::team_id)))
        .filter(practice_links::practice_id.eq(practice_id))
        .filter(practice_links::accepted_at.is_not_null())
        // Someone who left the team (or whose account is closed) is no longer shown.
        .filter(users::disabled.eq(false))
        .filter(diesel::dsl::exists(
            memberships::table
                .filter(memberships::user_id.eq(practice_links::consultant_id))
                .filter(memberships::organisation_id.eq(practice_links::team_id)),
        ))
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
    let ids: Vec<String> = rows.iter().map(|r| r.0.to_string()).collect();
    let (mut slots, mut exceptions) = hours_of(conn, &ids, from_date)?;
    Ok(rows
        .into_iter()
        .map(
            |(link_id, consultant_id, name, email, phone, team_id, team_name, olp, olh)| {
                LinkedConsultant {
                    slots: slots.remove(link_id.as_str()).unwrap_or_default(),
                    exceptions: exceptions.remove(link_id.as_str()).unwrap_or_default(),
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

/// Weekly slots and exceptions (from `from_date` on) of some links, by link id.
type Slots = HashMap<String, Vec<(i32, i32, i32)>>;
type Exceptions = HashMap<String, Vec<(NaiveDate, Option<String>)>>;

fn hours_of(
    conn: &mut AnyConnection,
    ids: &[String],
    from_date: NaiveDate,
) -> Result<(Slots, Exceptions), DbError> {
    let rows: Vec<(String, i32, i32, i32)> = consultation_hours::table
        .filter(consultation_hours::link_id.eq_any(ids))
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
    let mut slots: Slots = HashMap::new();
    for (link, d, start, end) in rows {
        slots.entry(link).or_default().push((d, start, end));
    }
    let rows: Vec<(String, NaiveDate, Option<String>)> = hour_exceptions::table
        .filter(hour_exceptions::link_id.eq_any(ids))
        .filter(hour_exceptions::on_date.ge(from_date))
        .order(hour_exceptions::on_date.asc())
        .select((
            hour_exceptions::link_id,
            hour_exceptions::on_date,
            hour_exceptions::reason,
        ))
        .load(conn)?;
    let mut exceptions: Exceptions = HashMap::new();
    for (link, day, reason) in rows {
        exceptions.entry(link).or_default().push((day, reason));
    }
    Ok((slots, exceptions))
}

/// Links a consultant to a practice in force at once (the demo, tests, an operator's
/// command; the web form goes through `propose_link`).
pub fn link_consultant(
    conn: &mut AnyConnection,
    practice_id: &str,
    team_id: &str,
    consultant_id: &str,
) -> Result<String, DbError> {
    insert_link(conn, practice_id, team_id, consultant_id, true)
}

/// A social team's proposal to link one of its consultants to a practice. With
/// `in_force` (both in one municipality) it applies at once; otherwise it waits for the
/// practice's admin (`accept_link`), and until then the team is nowhere in the
/// practice's Rondom: not in Mijn team, not among the teams it asks or refers to.
pub fn propose_link(
    conn: &mut AnyConnection,
    practice_id: &str,
    team_id: &str,
    consultant_id: &str,
    in_force: bool,
) -> Result<String, DbError> {
    insert_link(conn, practice_id, team_id, consultant_id, in_force)
}

fn insert_link(
    conn: &mut AnyConnection,
    practice_id: &str,
    team_id: &str,
    consultant_id: &str,
    in_force: bool,
) -> Result<String, DbError> {
    let id = new_id();
    let at = now();
    diesel::insert_into(practice_links::table)
        .values((
            practice_links::id.eq(&id),
            practice_links::practice_id.eq(practice_id),
            practice_links::team_id.eq(team_id),
            practice_links::consultant_id.eq(consultant_id),
            practice_links::created_at.eq(at),
            practice_links::accepted_at.eq(in_force.then_some(at)),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The practice's admin accepts a proposed link. Only a link to this practice that
/// still waits; answers whether one was accepted.
pub fn accept_link(
    conn: &mut AnyConnection,
    link_id: &str,
    practice_id: &str,
    by: &str,
) -> Result<bool, DbError> {
    Ok(diesel::update(
        practice_links::table
            .filter(practice_links::id.eq(link_id))
            .filter(practice_links::practice_id.eq(practice_id))
            .filter(practice_links::accepted_at.is_null()),
    )
    .set((
        practice_links::accepted_at.eq(Some(now())),
        practice_links::accepted_by.eq(Some(by)),
    ))
    .execute(conn)?
        == 1)
}

/// The practice's admin declines a proposed link: it is gone.
pub fn decline_link(
    conn: &mut AnyConnection,
    link_id: &str,
    practice_id: &str,
) -> Result<bool, DbError> {
    Ok(diesel::delete(
        practice_links::table
            .filter(practice_links::id.eq(link_id))
            .filter(practice_links::practice_id.eq(practice_id))
            .filter(practice_links::accepted_at.is_null()),
    )
    .execute(conn)?
        == 1)
}

/// Links that wait for this practice's answer: (link id, team name, consultant name).
pub fn pending_links_of_practice(
    conn: &mut AnyConnection,
    practice_id: &str,
) -> Result<Vec<(String, String, String)>, DbError> {
    Ok(practice_links::table
        .inner_join(organisations::table.on(organisations::id.eq(practice_links::team_id)))
        .inner_join(users::table)
        .filter(practice_links::practice_id.eq(practice_id))
        .filter(practice_links::accepted_at.is_null())
        .order(practice_links::created_at.asc())
        .select((practice_links::id, organisations::name, users::name))
        .load(conn)?)
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
    on_date: NaiveDate,
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

/// The practices a consultant is linked to, each with weekly slots and exception dates
/// from `from_date` on: (practice name, slots, dates).
pub type ConsultantLink = (String, Vec<(i32, i32, i32)>, Vec<NaiveDate>);

pub fn links_of_consultant(
    conn: &mut AnyConnection,
    consultant_id: &str,
    from_date: NaiveDate,
) -> Result<Vec<ConsultantLink>, DbError> {
    let links: Vec<(String, String)> = practice_links::table
        .inner_join(organisations::table.on(organisations::id.eq(practice_links::practice_id)))
        .filter(practice_links::consultant_id.eq(consultant_id))
        .filter(practice_links::accepted_at.is_not_null())
        .order(organisations::name.asc())
        .select((practice_links::id, organisations::name))
        .load(conn)?;
    let ids: Vec<String> = links.iter().map(|l| l.0.clone()).collect();
    let (mut slots, mut exceptions) = hours_of(conn, &ids, from_date)?;
    Ok(links
        .into_iter()
        .map(|(link, practice)| {
            let dates = exceptions
                .remove(&link)
                .unwrap_or_default()
                .into_iter()
                .map(|(d, _)| d)
                .collect();
            (practice, slots.remove(&link).unwrap_or_default(), dates)
        })
        .collect())
}

/// A social team's link of one consultant to one practice.
#[derive(Debug, Clone)]
pub struct TeamLink {
    pub link_id: PracticeLinkId,
    pub team_id: OrganisationId,
    pub team_name: String,
    pub practice_id: OrganisationId,
    pub practice_name: String,
    pub consultant_id: UserId,
    pub consultant_name: String,
    /// Whether the practice agreed (or both are in one municipality); until then the
    /// link is a proposal that only the team sees.
    pub in_force: bool,
    /// (ISO weekday, start minute, end minute)
    pub slots: Vec<(i32, i32, i32)>,
    /// (yyyy-mm-dd, reason) from the given date on.
    pub exceptions: Vec<(NaiveDate, Option<String>)>,
}

type TeamLinkRow = (
    PracticeLinkId,
    OrganisationId,
    OrganisationId,
    String,
    UserId,
    String,
    Option<NaiveDateTime>,
);

fn team_links_where(
    conn: &mut AnyConnection,
    team_id: Option<&str>,
    link_id: Option<&str>,
    practice_id: Option<&str>,
    from_date: NaiveDate,
) -> Result<Vec<TeamLink>, DbError> {
    let mut q = practice_links::table
        .inner_join(organisations::table.on(organisations::id.eq(practice_links::practice_id)))
        .inner_join(users::table)
        .select((
            practice_links::id,
            practice_links::team_id,
            organisations::id,
            organisations::name,
            users::id,
            users::name,
            practice_links::accepted_at,
        ))
        .order((organisations::name.asc(), users::name.asc()))
        .into_boxed();
    if let Some(t) = team_id {
        q = q.filter(practice_links::team_id.eq(t.to_owned()));
    }
    if let Some(l) = link_id {
        q = q.filter(practice_links::id.eq(l.to_owned()));
    }
    if let Some(p) = practice_id {
        q = q.filter(practice_links::practice_id.eq(p.to_owned()));
    }
    let rows: Vec<TeamLinkRow> = q.load(conn)?;
    let mut team_ids: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    team_ids.sort_unstable();
    team_ids.dedup();
    let team_names: HashMap<String, String> = organisations::table
        .filter(organisations::id.eq_any(&team_ids))
        .select((organisations::id, organisations::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let ids: Vec<String> = rows.iter().map(|r| r.0.to_string()).collect();
    let (mut slots, mut exceptions) = hours_of(conn, &ids, from_date)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                link_id,
                team_id,
                practice_id,
                practice_name,
                consultant_id,
                consultant_name,
                accepted_at,
            )| {
                TeamLink {
                    in_force: accepted_at.is_some(),
                    team_name: team_names
                        .get(team_id.as_str())
                        .cloned()
                        .unwrap_or_default(),
                    slots: slots.remove(link_id.as_str()).unwrap_or_default(),
                    exceptions: exceptions.remove(link_id.as_str()).unwrap_or_default(),
                    link_id,
                    team_id,
                    practice_id,
                    practice_name,
                    consultant_id,
                    consultant_name,
                }
            },
        )
        .collect())
}

/// The links a social team keeps with practices, with hours and exceptions from
/// `from_date` on.
pub fn links_of_team(
    conn: &mut AnyConnection,
    team_id: &str,
    from_date: NaiveDate,
) -> Result<Vec<TeamLink>, DbError> {
    team_links_where(conn, Some(team_id), None, None, from_date)
}

/// The links teams keep with one practice (in force and proposed).
pub fn links_of_practice(
    conn: &mut AnyConnection,
    practice_id: &str,
    from_date: NaiveDate,
) -> Result<Vec<TeamLink>, DbError> {
    team_links_where(conn, None, None, Some(practice_id), from_date)
}

pub fn find_link(
    conn: &mut AnyConnection,
    link_id: &str,
    from_date: NaiveDate,
) -> Result<Option<TeamLink>, DbError> {
    Ok(
        team_links_where(conn, None, Some(link_id), None, from_date)?
            .into_iter()
            .next(),
    )
}

/// Replaces a link's weekly hours, and its exceptions from `from_date` on (past ones
/// stay as a record).
pub fn replace_hours(
    conn: &mut AnyConnection,
    link_id: &str,
    slots: &[(i32, i32, i32)],
    exceptions: &[(NaiveDate, Option<String>)],
    from_date: NaiveDate,
) -> Result<(), DbError> {
    diesel::delete(consultation_hours::table.filter(consultation_hours::link_id.eq(link_id)))
        .execute(conn)?;
    for (d, s, e) in slots {
        add_hours(conn, link_id, *d, *s, *e)?;
    }
    diesel::delete(
        hour_exceptions::table
            .filter(hour_exceptions::link_id.eq(link_id))
            .filter(hour_exceptions::on_date.ge(from_date)),
    )
    .execute(conn)?;
    for (day, reason) in exceptions {
        add_exception(conn, link_id, *day, reason.as_deref())?;
    }
    Ok(())
}

pub fn delete_link(conn: &mut AnyConnection, link_id: &str) -> Result<(), DbError> {
    diesel::delete(practice_links::table.find(link_id)).execute(conn)?;
    Ok(())
}

/// Sets or clears a social team's overleglijn.
pub fn set_overleglijn_opt(
    conn: &mut AnyConnection,
    team_id: &str,
    phone: Option<&str>,
    hours: Option<&str>,
) -> Result<(), DbError> {
    diesel::update(organisations::table.find(team_id))
        .set((
            organisations::overleglijn_phone.eq(phone),
            organisations::overleglijn_hours.eq(hours),
        ))
        .execute(conn)?;
    Ok(())
}
