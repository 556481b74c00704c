//! Case meetings (casuïstiekoverleg): the meeting, its participants, its items with the
//! chair's minutes, and family members invited to their own child's item; and the reads
//! the agenda is built from (plans due for evaluation, agreements past their date,
//! referrals late or on hold). Texts arrive sealed and leave sealed.

use crate::schema::{
    meeting_item_guests, meeting_items, meeting_participants, meetings, networks, plan_actions,
    plans,
};
use crate::{AnyConnection, DbError, new_id, now};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = meetings, treat_none_as_default_value = false)]
pub struct Meeting {
    pub id: String,
    pub team_org_id: String,
    pub title: String,
    pub starts_at: NaiveDateTime,
    pub place: String,
    pub video_link: Option<String>,
    pub chair_id: String,
    pub state: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = meeting_items, treat_none_as_default_value = false)]
pub struct Item {
    pub id: String,
    pub meeting_id: String,
    pub position: i32,
    pub kind: String,
    pub network_id: Option<String>,
    pub referral_id: Option<String>,
    pub question_sealed: Option<String>,
    pub added_by: String,
    pub added_at: NaiveDateTime,
    pub discussion_sealed: Option<String>,
    pub decisions_sealed: Option<String>,
    pub actions_sealed: Option<String>,
    pub plan_version: Option<i32>,
    pub recorded_by: Option<String>,
    pub recorded_at: Option<NaiveDateTime>,
}

/// A family member invited to an item: (item, user, member).
pub type Guest = (String, String, String);

/// Everything of one meeting, read at once.
pub struct MeetingRecord {
    pub meeting: Meeting,
    pub participants: Vec<String>,
    pub items: Vec<Item>,
    pub guests: Vec<Guest>,
}

pub const PLANNED: &str = "planned";
pub const HELD: &str = "held";

/// Schedules a meeting with its participants; answers it.
pub fn create(
    conn: &mut AnyConnection,
    m: &Meeting,
    participants: &[String],
) -> Result<(), DbError> {
    diesel::insert_into(meetings::table)
        .values(m)
        .execute(conn)?;
    for p in participants {
        diesel::insert_into(meeting_participants::table)
            .values((
                meeting_participants::meeting_id.eq(&m.id),
                meeting_participants::user_id.eq(p),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A meeting with its participants, items and guests, in two queries: the meeting with
/// its participants, and the items with their guests (each a left join; on PostgreSQL a
/// round trip costs more than the repeated columns).
pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<MeetingRecord>, DbError> {
    let rows: Vec<(Meeting, Option<String>)> = meetings::table
        .left_join(meeting_participants::table)
        .filter(meetings::id.eq(id))
        .order(meeting_participants::user_id.asc())
        .select((
            Meeting::as_select(),
            meeting_participants::user_id.nullable(),
        ))
        .load(conn)?;
    let mut rows = rows.into_iter();
    let Some((meeting, first)) = rows.next() else {
        return Ok(None);
    };
    let participants = first
        .into_iter()
        .chain(rows.filter_map(|(_, p)| p))
        .collect();
    let rows: Vec<(Item, Option<Guest>)> = meeting_items::table
        .left_join(meeting_item_guests::table)
        .filter(meeting_items::meeting_id.eq(id))
        .order((
            meeting_items::position.asc(),
            meeting_items::id.asc(),
            meeting_item_guests::user_id.asc(),
        ))
        .select((
            Item::as_select(),
            (
                meeting_item_guests::item_id,
                meeting_item_guests::user_id,
                meeting_item_guests::member_id,
            )
                .nullable(),
        ))
        .load(conn)?;
    // An item with several guests comes once per guest, one after the other.
    let (items, guests): (Vec<Item>, Vec<Vec<Guest>>) =
        crate::fold_left_join(rows, |a: &Item, b| a.id == b.id)
            .into_iter()
            .unzip();
    let guests = guests.into_iter().flatten().collect();
    Ok(Some(MeetingRecord {
        meeting,
        participants,
        items,
        guests,
    }))
}

/// The meetings a person is in (as participant, chair or organiser), of the teams given
/// (a team leader's), or with an item they are a guest at; newest first.
pub fn of_person(
    conn: &mut AnyConnection,
    user_id: &str,
    teams: &[String],
    limit: i64,
) -> Result<Vec<Meeting>, DbError> {
    let mut ids: Vec<String> = meeting_participants::table
        .filter(meeting_participants::user_id.eq(user_id))
        .select(meeting_participants::meeting_id)
        .load(conn)?;
    ids.extend(
        meeting_item_guests::table
            .inner_join(meeting_items::table)
            .filter(meeting_item_guests::user_id.eq(user_id))
            .select(meeting_items::meeting_id)
            .load::<String>(conn)?,
    );
    let mut q = meetings::table
        .filter(
            meetings::id
                .eq_any(ids)
                .or(meetings::chair_id.eq(user_id))
                .or(meetings::created_by.eq(user_id)),
        )
        .into_boxed();
    if !teams.is_empty() {
        q = q.or_filter(meetings::team_org_id.eq_any(teams.to_vec()));
    }
    Ok(q.order((meetings::starts_at.desc(), meetings::id.desc()))
        .limit(limit)
        .select(Meeting::as_select())
        .load(conn)?)
}

/// Adds an item at the end of the agenda. A network or referral already on it is not
/// added twice (`Conflict`).
#[allow(clippy::too_many_arguments)]
pub fn add_item(
    conn: &mut AnyConnection,
    meeting_id: &str,
    kind: &str,
    network_id: Option<&str>,
    referral_id: Option<&str>,
    question_sealed: Option<&str>,
    added_by: &str,
) -> Result<Item, DbError> {
    let existing: Vec<Item> = meeting_items::table
        .filter(meeting_items::meeting_id.eq(meeting_id))
        .select(Item::as_select())
        .load(conn)?;
    let same = existing.iter().any(|i| {
        (network_id.is_some() && i.network_id.as_deref() == network_id)
            || (referral_id.is_some() && i.referral_id.as_deref() == referral_id)
    });
    if same {
        return Err(DbError::Conflict("meeting item".into()));
    }
    let item = Item {
        id: new_id(),
        meeting_id: meeting_id.to_owned(),
        position: i32::try_from(existing.len()).unwrap_or(i32::MAX) + 1,
        kind: kind.to_owned(),
        network_id: network_id.map(ToOwned::to_owned),
        referral_id: referral_id.map(ToOwned::to_owned),
        question_sealed: question_sealed.map(ToOwned::to_owned),
        added_by: added_by.to_owned(),
        added_at: now(),
        discussion_sealed: None,
        decisions_sealed: None,
        actions_sealed: None,
        plan_version: None,
        recorded_by: None,
        recorded_at: None,
    };
    diesel::insert_into(meeting_items::table)
        .values(&item)
        .execute(conn)?;
    Ok(item)
}

/// Records an item's minutes (again: a correction replaces them).
#[allow(clippy::too_many_arguments)]
pub fn record(
    conn: &mut AnyConnection,
    item_id: &str,
    discussion_sealed: Option<&str>,
    decisions_sealed: Option<&str>,
    actions_sealed: Option<&str>,
    plan_version: Option<i32>,
    by: &str,
) -> Result<(), DbError> {
    diesel::update(meeting_items::table.find(item_id))
        .set((
            meeting_items::discussion_sealed.eq(discussion_sealed),
            meeting_items::decisions_sealed.eq(decisions_sealed),
            meeting_items::actions_sealed.eq(actions_sealed),
            meeting_items::plan_version.eq(plan_version),
            meeting_items::recorded_by.eq(Some(by)),
            meeting_items::recorded_at.eq(Some(now())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Invites a family member to their child's item (idempotent).
pub fn invite(
    conn: &mut AnyConnection,
    item_id: &str,
    user_id: &str,
    member_id: &str,
    by: &str,
) -> Result<(), DbError> {
    let there = meeting_item_guests::table
        .find((item_id, user_id))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !there {
        diesel::insert_into(meeting_item_guests::table)
            .values((
                meeting_item_guests::item_id.eq(item_id),
                meeting_item_guests::user_id.eq(user_id),
                meeting_item_guests::member_id.eq(member_id),
                meeting_item_guests::invited_by.eq(by),
                meeting_item_guests::invited_at.eq(now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Marks a meeting held (its minutes sent); answers whether it was still planned.
pub fn close(conn: &mut AnyConnection, id: &str) -> Result<bool, DbError> {
    Ok(diesel::update(
        meetings::table
            .filter(meetings::id.eq(id))
            .filter(meetings::state.eq(PLANNED)),
    )
    .set(meetings::state.eq(HELD))
    .execute(conn)?
        == 1)
}

/// The networks a team coordinates whose plan's evaluation date falls on or before
/// `by`: (network, date).
pub fn evaluations_due(
    conn: &mut AnyConnection,
    team: &str,
    by: NaiveDate,
    limit: i64,
) -> Result<Vec<(String, NaiveDate)>, DbError> {
    let rows: Vec<(String, Option<NaiveDate>)> = plans::table
        .inner_join(networks::table)
        .filter(networks::coordinator_org_id.eq(team))
        .filter(plans::evaluation_on.le(by))
        .order(plans::evaluation_on.asc())
        .limit(limit)
        .select((plans::network_id, plans::evaluation_on))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(n, d)| Some((n, d?)))
        .collect())
}

/// The networks a team coordinates with open agreements past their date, the most
/// recently late first: (network, how many are late). Found along the plans' earliest
/// open date (`plans.next_due_on`), then the late agreements of those networks counted.
pub fn overdue_actions(
    conn: &mut AnyConnection,
    team: &str,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<(String, i64)>, DbError> {
    let ids: Vec<String> = plans::table
        .inner_join(networks::table)
        .filter(networks::coordinator_org_id.eq(team))
        .filter(plans::next_due_on.lt(today))
        .order(plans::next_due_on.desc())
        .limit(limit)
        .select(plans::network_id)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let late: Vec<String> = plan_actions::table
        .filter(plan_actions::network_id.eq_any(ids.clone()))
        .filter(plan_actions::status.eq_any(["open", "busy"]))
        .filter(plan_actions::due_on.lt(today))
        .select(plan_actions::network_id)
        .load(conn)?;
    Ok(ids
        .into_iter()
        .map(|n| {
            let count = late.iter().filter(|m| **m == n).count();
            (n, i64::try_from(count).unwrap_or(i64::MAX))
        })
        .collect())
}

/// The items of networks (their latest minutes first), for a network's history of
/// meetings.
pub fn items_of_network(conn: &mut AnyConnection, network_id: &str) -> Result<Vec<Item>, DbError> {
    Ok(meeting_items::table
        .filter(meeting_items::network_id.eq(network_id))
        .order(meeting_items::added_at.desc())
        .select(Item::as_select())
        .load(conn)?)
}
