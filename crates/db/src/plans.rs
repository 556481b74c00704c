//! The family plan (gezinsplan): its versions, kept whole and never rewritten; the
//! agreements of the latest version as rows (who owes what by when), replaced with each
//! version in one transaction; and the family's answers (akkoord, a comment). Texts
//! arrive sealed by the use cases and leave sealed.

use crate::schema::{
    network_members, networks, plan_actions, plan_responses, plan_versions, plans,
};
use crate::{AnyConnection, DbError, new_id, now};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = plan_versions, treat_none_as_default_value = false)]
pub struct PlanVersion {
    pub id: String,
    pub network_id: String,
    pub number: i32,
    pub content_sealed: String,
    pub source: String,
    pub meeting_id: Option<String>,
    pub saved_by: String,
    pub saved_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = plan_actions, treat_none_as_default_value = false)]
pub struct ActionRow {
    pub network_id: String,
    pub item_key: String,
    pub owner_member_id: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub status: String,
    pub what_sealed: String,
    pub not_for_parents: bool,
    pub reminded_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = plan_responses)]
pub struct Response {
    pub id: String,
    pub network_id: String,
    pub version_id: String,
    pub member_id: String,
    pub kind: String,
    pub comment_sealed: Option<String>,
    pub by_user: String,
    pub at: NaiveDateTime,
}

/// An agreement of a new version, as its row.
pub struct NewAction {
    pub item_key: String,
    pub owner_member_id: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub status: &'static str,
    pub what_sealed: String,
    pub not_for_parents: bool,
}

/// A new version, as the use case made it.
pub struct NewVersion {
    pub network_id: String,
    /// The number of the version it was written on (0: the first plan).
    pub base: i32,
    pub content_sealed: String,
    pub evaluation_on: Option<NaiveDate>,
    pub source: &'static str,
    pub meeting_id: Option<String>,
    pub saved_by: String,
    pub actions: Vec<NewAction>,
}

/// Everything of one network's plan: its versions oldest first, the answers to them.
pub struct PlanRecord {
    pub versions: Vec<PlanVersion>,
    pub responses: Vec<Response>,
}

/// The plan of a network: every version and every answer, in two queries.
pub fn of_network(conn: &mut AnyConnection, network_id: &str) -> Result<PlanRecord, DbError> {
    let versions = plan_versions::table
        .filter(plan_versions::network_id.eq(network_id))
        .order(plan_versions::number.asc())
        .select(PlanVersion::as_select())
        .load(conn)?;
    let responses = if versions.is_empty() {
        vec![]
    } else {
        plan_responses::table
            .filter(plan_responses::network_id.eq(network_id))
            .order((plan_responses::at.asc(), plan_responses::id.asc()))
            .select(Response::as_select())
            .load(conn)?
    };
    Ok(PlanRecord {
        versions,
        responses,
    })
}

/// One version by its id (the FHIR CarePlan).
pub fn version_by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<PlanVersion>, DbError> {
    Ok(plan_versions::table
        .find(id)
        .select(PlanVersion::as_select())
        .first(conn)
        .optional()?)
}

/// Saves a new version on top of `base`, in the caller's transaction. Answers
/// `Conflict` when another version was saved since `base` (nothing is written).
pub fn save(conn: &mut AnyConnection, v: NewVersion) -> Result<PlanVersion, DbError> {
    let at = now();
    let number = v.base + 1;
    let next_due = v
        .actions
        .iter()
        .filter(|a| matches!(a.status, "open" | "busy"))
        .filter_map(|a| a.due_on)
        .min();
    let moved = if v.base == 0 {
        // The first version: a second first version loses on the primary key.
        diesel::insert_into(plans::table)
            .values((
                plans::network_id.eq(&v.network_id),
                plans::latest.eq(number),
                plans::evaluation_on.eq(v.evaluation_on),
                plans::updated_at.eq(at),
                plans::next_due_on.eq(next_due),
            ))
            .execute(conn)?
    } else {
        // Only on the version it was written on: a row lock serialises two saves, and the
        // later one finds the number moved and changes nothing.
        diesel::update(
            plans::table
                .filter(plans::network_id.eq(&v.network_id))
                .filter(plans::latest.eq(v.base)),
        )
        .set((
            plans::latest.eq(number),
            plans::evaluation_on.eq(v.evaluation_on),
            plans::updated_at.eq(at),
            plans::next_due_on.eq(next_due),
        ))
        .execute(conn)?
    };
    if moved == 0 {
        return Err(DbError::Conflict("plan version".into()));
    }
    let version = PlanVersion {
        id: new_id(),
        network_id: v.network_id.clone(),
        number,
        content_sealed: v.content_sealed,
        source: v.source.to_owned(),
        meeting_id: v.meeting_id,
        saved_by: v.saved_by,
        saved_at: at,
    };
    diesel::insert_into(plan_versions::table)
        .values((
            plan_versions::id.eq(&version.id),
            plan_versions::network_id.eq(&version.network_id),
            plan_versions::number.eq(version.number),
            plan_versions::content_sealed.eq(&version.content_sealed),
            plan_versions::source.eq(&version.source),
            plan_versions::meeting_id.eq(&version.meeting_id),
            plan_versions::saved_by.eq(&version.saved_by),
            plan_versions::saved_at.eq(version.saved_at),
        ))
        .execute(conn)?;
    // A reminder already sent stays sent while the agreement keeps its due date.
    let reminded: HashMap<String, (Option<NaiveDate>, Option<NaiveDate>)> = plan_actions::table
        .filter(plan_actions::network_id.eq(&v.network_id))
        .select((
            plan_actions::item_key,
            plan_actions::due_on,
            plan_actions::reminded_on,
        ))
        .load::<(String, Option<NaiveDate>, Option<NaiveDate>)>(conn)?
        .into_iter()
        .map(|(k, due, r)| (k, (due, r)))
        .collect();
    diesel::delete(plan_actions::table.filter(plan_actions::network_id.eq(&v.network_id)))
        .execute(conn)?;
    let rows: Vec<ActionRow> = v
        .actions
        .into_iter()
        .map(|a| {
            let kept = reminded
                .get(&a.item_key)
                .filter(|(due, _)| *due == a.due_on)
                .and_then(|(_, r)| *r);
            ActionRow {
                network_id: v.network_id.clone(),
                item_key: a.item_key,
                owner_member_id: a.owner_member_id,
                due_on: a.due_on,
                status: a.status.to_owned(),
                what_sealed: a.what_sealed,
                not_for_parents: a.not_for_parents,
                reminded_on: kept,
            }
        })
        .collect();
    if !rows.is_empty() {
        // A batch insert is per engine (SQLite's has its own form).
        crate::on_backend!(&mut *conn, |c| {
            diesel::insert_into(plan_actions::table)
                .values(rows)
                .execute(c)
        })?;
    }
    Ok(version)
}

/// Records the family's answer to a version.
pub fn respond(
    conn: &mut AnyConnection,
    network_id: &str,
    version_id: &str,
    member_id: &str,
    kind: &str,
    comment_sealed: Option<&str>,
    by_user: &str,
) -> Result<Response, DbError> {
    let r = Response {
        id: new_id(),
        network_id: network_id.to_owned(),
        version_id: version_id.to_owned(),
        member_id: member_id.to_owned(),
        kind: kind.to_owned(),
        comment_sealed: comment_sealed.map(ToOwned::to_owned),
        by_user: by_user.to_owned(),
        at: now(),
    };
    diesel::insert_into(plan_responses::table)
        .values((
            plan_responses::id.eq(&r.id),
            plan_responses::network_id.eq(&r.network_id),
            plan_responses::version_id.eq(&r.version_id),
            plan_responses::member_id.eq(&r.member_id),
            plan_responses::kind.eq(&r.kind),
            plan_responses::comment_sealed.eq(&r.comment_sealed),
            plan_responses::by_user.eq(&r.by_user),
            plan_responses::at.eq(r.at),
        ))
        .execute(conn)?;
    Ok(r)
}

/// The open agreements owned by these members (a person's memberships), due by `until`.
pub fn open_actions_of_members(
    conn: &mut AnyConnection,
    user_id: &str,
    organisations: &[String],
    until: NaiveDate,
) -> Result<Vec<ActionRow>, DbError> {
    let mut members: Vec<String> = network_members::table
        .filter(network_members::user_id.eq(user_id))
        .filter(network_members::state.eq("active"))
        .select(network_members::id)
        .load(conn)?;
    if !organisations.is_empty() {
        members.extend(
            network_members::table
                .filter(network_members::organisation_id.eq_any(organisations.to_vec()))
                .filter(network_members::user_id.is_null())
                .filter(network_members::state.eq("active"))
                .select(network_members::id)
                .load::<String>(conn)?,
        );
    }
    if members.is_empty() {
        return Ok(vec![]);
    }
    Ok(plan_actions::table
        .filter(plan_actions::owner_member_id.eq_any(members))
        .filter(plan_actions::status.eq_any(["open", "busy"]))
        .filter(plan_actions::due_on.le(until))
        .order((plan_actions::due_on.asc(), plan_actions::item_key.asc()))
        .select(ActionRow::as_select())
        .load(conn)?)
}

/// The open agreements past their date in the networks this case director coordinates.
pub fn overdue_of_coordinator(
    conn: &mut AnyConnection,
    coordinator_id: &str,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<ActionRow>, DbError> {
    Ok(plan_actions::table
        .inner_join(networks::table)
        .filter(networks::coordinator_id.eq(coordinator_id))
        .filter(plan_actions::status.eq_any(["open", "busy"]))
        .filter(plan_actions::due_on.lt(today))
        .order((plan_actions::due_on.asc(), plan_actions::item_key.asc()))
        .limit(limit)
        .select(ActionRow::as_select())
        .load(conn)?)
}

/// A plan whose evaluation date has passed: (network, its case director, the date).
pub fn evaluations_passed(
    conn: &mut AnyConnection,
    coordinating_orgs: &[String],
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<(String, String, NaiveDate)>, DbError> {
    if coordinating_orgs.is_empty() {
        return Ok(vec![]);
    }
    let rows: Vec<(String, String, Option<NaiveDate>)> = plans::table
        .inner_join(networks::table)
        .filter(networks::coordinator_org_id.eq_any(coordinating_orgs.to_vec()))
        .filter(plans::evaluation_on.lt(today))
        .order((plans::evaluation_on.asc(), plans::network_id.asc()))
        .limit(limit)
        .select((
            plans::network_id,
            networks::coordinator_id,
            plans::evaluation_on,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(n, c, d)| Some((n, c, d?)))
        .collect())
}

/// The open agreements due by `until` whose owner was not reminded of this due date
/// yet, with the owner's account: (action, user id).
pub fn due_for_reminder(
    conn: &mut AnyConnection,
    until: NaiveDate,
    limit: i64,
) -> Result<Vec<(ActionRow, String)>, DbError> {
    let rows: Vec<(ActionRow, Option<String>)> = plan_actions::table
        .inner_join(
            network_members::table
                .on(plan_actions::owner_member_id.eq(network_members::id.nullable())),
        )
        .filter(plan_actions::due_on.le(until))
        .filter(plan_actions::status.eq_any(["open", "busy"]))
        .filter(plan_actions::reminded_on.is_null())
        .filter(network_members::state.eq("active"))
        .order(plan_actions::due_on.asc())
        .limit(limit)
        .select((ActionRow::as_select(), network_members::user_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(a, u)| Some((a, u?)))
        .collect())
}

/// Notes that the owner was reminded (whichever server's housekeeping did it first).
/// Answers whether this call was the first.
pub fn mark_reminded(
    conn: &mut AnyConnection,
    network_id: &str,
    item_key: &str,
    on: NaiveDate,
) -> Result<bool, DbError> {
    Ok(diesel::update(
        plan_actions::table
            .filter(plan_actions::network_id.eq(network_id))
            .filter(plan_actions::item_key.eq(item_key))
            .filter(plan_actions::reminded_on.is_null()),
    )
    .set(plan_actions::reminded_on.eq(Some(on)))
    .execute(conn)?
        == 1)
}

/// Sets when a version was saved (the demo's history of a few months).
pub fn backdate_version(
    conn: &mut AnyConnection,
    network_id: &str,
    number: i32,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(
        plan_versions::table
            .filter(plan_versions::network_id.eq(network_id))
            .filter(plan_versions::number.eq(number)),
    )
    .set(plan_versions::saved_at.eq(at))
    .execute(conn)?;
    diesel::update(plans::table.filter(plans::network_id.eq(network_id)))
        .set(plans::updated_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// Sets when an answer was given (the demo's history).
pub fn backdate_response(
    conn: &mut AnyConnection,
    id: &str,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(plan_responses::table.find(id))
        .set(plan_responses::at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// The head row of a plan (the latest version's number and evaluation date), for bulk
/// loads.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = plans, treat_none_as_default_value = false)]
pub struct PlanHead {
    pub network_id: String,
    pub latest: i32,
    pub evaluation_on: Option<NaiveDate>,
    pub updated_at: NaiveDateTime,
    /// The earliest date among its open agreements.
    pub next_due_on: Option<NaiveDate>,
}

/// Writes many plans at once (the load tests' networks), in chunks both engines take.
pub fn insert_bulk(
    conn: &mut AnyConnection,
    heads: &[PlanHead],
    versions: &[PlanVersion],
    actions: &[ActionRow],
) -> Result<(), DbError> {
    for chunk in heads.chunks(1000) {
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(plans::table)
            .values(chunk)
            .execute(c))?;
    }
    for chunk in versions.chunks(1000) {
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(plan_versions::table)
            .values(chunk)
            .execute(c))?;
    }
    for chunk in actions.chunks(1000) {
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(plan_actions::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// A version without its content (the history of a plan with years of versions).
#[derive(Queryable, Selectable)]
#[diesel(table_name = plan_versions)]
struct VersionHead {
    id: String,
    network_id: String,
    number: i32,
    source: String,
    meeting_id: Option<String>,
    saved_by: String,
    saved_at: NaiveDateTime,
}

/// The plan of a network as its page needs it: every version's head, every answer, and
/// the content of only the latest version and the latest one agreed to (the others'
/// `content_sealed` is empty). Three queries, however long the history.
pub fn of_network_light(conn: &mut AnyConnection, network_id: &str) -> Result<PlanRecord, DbError> {
    let heads: Vec<VersionHead> = plan_versions::table
        .filter(plan_versions::network_id.eq(network_id))
        .order(plan_versions::number.asc())
        .select(VersionHead::as_select())
        .load(conn)?;
    if heads.is_empty() {
        return Ok(PlanRecord {
            versions: vec![],
            responses: vec![],
        });
    }
    let responses: Vec<Response> = plan_responses::table
        .filter(plan_responses::network_id.eq(network_id))
        .order((plan_responses::at.asc(), plan_responses::id.asc()))
        .select(Response::as_select())
        .load(conn)?;
    let latest = heads.last().map_or(0, |h| h.number);
    let agreed = responses
        .iter()
        .filter(|r| r.kind == "akkoord")
        .filter_map(|r| {
            heads
                .iter()
                .find(|h| h.id == r.version_id)
                .map(|h| h.number)
        })
        .max()
        .unwrap_or(latest);
    let contents: Vec<(i32, String)> = plan_versions::table
        .filter(plan_versions::network_id.eq(network_id))
        .filter(plan_versions::number.eq_any([latest, agreed]))
        .select((plan_versions::number, plan_versions::content_sealed))
        .load(conn)?;
    let versions = heads
        .into_iter()
        .map(|h| PlanVersion {
            content_sealed: contents
                .iter()
                .find(|(n, _)| *n == h.number)
                .map(|(_, c)| c.clone())
                .unwrap_or_default(),
            id: h.id,
            network_id: h.network_id,
            number: h.number,
            source: h.source,
            meeting_id: h.meeting_id,
            saved_by: h.saved_by,
            saved_at: h.saved_at,
        })
        .collect();
    Ok(PlanRecord {
        versions,
        responses,
    })
}

/// The latest version of each of these networks' plans (those that have one), in one
/// statement: an agenda shows the plan of every item.
pub fn latest_of(
    conn: &mut AnyConnection,
    network_ids: &[String],
) -> Result<Vec<PlanVersion>, DbError> {
    if network_ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(plan_versions::table
        .inner_join(
            plans::table.on(plans::network_id
                .eq(plan_versions::network_id)
                .and(plans::latest.eq(plan_versions::number))),
        )
        .filter(crate::in_list(plans::network_id, network_ids))
        .select(PlanVersion::as_select())
        .load(conn)?)
}
