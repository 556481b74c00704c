//! Retention (Jeugdwet 7.3.8, 7.3.9): when a child's help ended, the longer terms set,
//! the family's requests for destruction, and the removal of a child's content in one
//! transaction with the fact of its removal kept. Texts arrive sealed.

use crate::schema::{
    children, consent_answers, conversation_members, conversation_reads, conversations,
    deletion_requests, emergency_access, meeting_item_guests, meeting_items, message_documents,
    message_edits, messages, network_events, network_keys, network_members, networks,
    not_for_parents, plan_actions, plan_responses, plan_versions, plans, referral_attachments,
    referral_events, referral_feedback, referrals, removals, retention_terms,
};
use crate::{AnyConnection, DbError, new_id, now};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::HashMap;

/// A child whose help ended: (child id, when the last referral ended, the longer term
/// set, if any).
pub struct Ended {
    pub child_id: String,
    pub ended_at: NaiveDateTime,
    pub keep_until: Option<NaiveDate>,
}

/// The children whose every referral has ended (a final status), with when the last one
/// did, not removed yet. `is_final` says which statuses end a referral.
pub fn ended_help(
    conn: &mut AnyConnection,
    is_final: impl Fn(&str) -> bool,
) -> Result<Vec<Ended>, DbError> {
    let rows: Vec<(String, String, NaiveDateTime)> = referrals::table
        .select((
            referrals::child_id,
            referrals::status,
            referrals::updated_at,
        ))
        .load(conn)?;
    let removed: Vec<String> = removals::table.select(removals::child_id).load(conn)?;
    let terms: HashMap<String, NaiveDate> = retention_terms::table
        .select((retention_terms::child_id, retention_terms::keep_until))
        .load::<(String, NaiveDate)>(conn)?
        .into_iter()
        .collect();
    let mut by_child: HashMap<String, (bool, NaiveDateTime)> = HashMap::new();
    for (child, status, at) in rows {
        let e = by_child.entry(child).or_insert((true, at));
        e.0 &= is_final(&status);
        e.1 = e.1.max(at);
    }
    let mut out: Vec<Ended> = by_child
        .into_iter()
        .filter(|(child, (ended, _))| *ended && !removed.contains(child))
        .map(|(child, (_, at))| Ended {
            keep_until: terms.get(&child).copied(),
            child_id: child,
            ended_at: at,
        })
        .collect();
    out.sort_by(|a, b| (a.ended_at, &a.child_id).cmp(&(b.ended_at, &b.child_id)));
    Ok(out)
}

/// Sets (or moves) a longer retention term for a child.
pub fn keep_until(
    conn: &mut AnyConnection,
    child_id: &str,
    until: NaiveDate,
    reason: &str,
    by: &str,
) -> Result<(), DbError> {
    diesel::delete(retention_terms::table.find(child_id)).execute(conn)?;
    diesel::insert_into(retention_terms::table)
        .values((
            retention_terms::child_id.eq(child_id),
            retention_terms::keep_until.eq(until),
            retention_terms::reason.eq(reason),
            retention_terms::set_by.eq(by),
            retention_terms::set_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// A family's request for destruction.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = deletion_requests)]
pub struct DeletionRequest {
    pub id: String,
    pub child_id: String,
    pub network_id: String,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub note_sealed: Option<String>,
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_reason: Option<String>,
}

pub const REQUESTED: &str = "requested";
pub const CARRIED_OUT: &str = "carried_out";
pub const REFUSED: &str = "refused";

/// Records a family's request; answers its id. One open request per child.
pub fn request_deletion(
    conn: &mut AnyConnection,
    child_id: &str,
    network_id: &str,
    by: &str,
    note_sealed: Option<&str>,
) -> Result<String, DbError> {
    let open = deletion_requests::table
        .filter(deletion_requests::child_id.eq(child_id))
        .filter(deletion_requests::state.eq(REQUESTED))
        .count()
        .get_result::<i64>(conn)?;
    if open > 0 {
        return Err(DbError::Conflict("deletion request".into()));
    }
    let id = new_id();
    diesel::insert_into(deletion_requests::table)
        .values((
            deletion_requests::id.eq(&id),
            deletion_requests::child_id.eq(child_id),
            deletion_requests::network_id.eq(network_id),
            deletion_requests::requested_by.eq(by),
            deletion_requests::requested_at.eq(now()),
            deletion_requests::note_sealed.eq(note_sealed),
            deletion_requests::state.eq(REQUESTED),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A network's requests, newest first.
pub fn requests_of(
    conn: &mut AnyConnection,
    network_id: &str,
) -> Result<Vec<DeletionRequest>, DbError> {
    Ok(deletion_requests::table
        .filter(deletion_requests::network_id.eq(network_id))
        .order(deletion_requests::requested_at.desc())
        .select(DeletionRequest::as_select())
        .load(conn)?)
}

/// The open requests of every network (for the retention report), oldest first.
pub fn open_requests(conn: &mut AnyConnection) -> Result<Vec<DeletionRequest>, DbError> {
    Ok(deletion_requests::table
        .filter(deletion_requests::state.eq(REQUESTED))
        .order(deletion_requests::requested_at.asc())
        .select(DeletionRequest::as_select())
        .load(conn)?)
}

/// Decides an open request; answers whether it was still open.
pub fn decide(
    conn: &mut AnyConnection,
    id: &str,
    state: &str,
    by: &str,
    reason: Option<&str>,
) -> Result<bool, DbError> {
    Ok(diesel::update(
        deletion_requests::table
            .filter(deletion_requests::id.eq(id))
            .filter(deletion_requests::state.eq(REQUESTED)),
    )
    .set((
        deletion_requests::state.eq(state),
        deletion_requests::decided_by.eq(Some(by)),
        deletion_requests::decided_at.eq(Some(now())),
        deletion_requests::decision_reason.eq(reason),
    ))
    .execute(conn)?
        == 1)
}

/// Whether a child's content was removed, and when.
pub fn removed_at(
    conn: &mut AnyConnection,
    child_id: &str,
) -> Result<Option<NaiveDateTime>, DbError> {
    Ok(removals::table
        .filter(removals::child_id.eq(child_id))
        .select(removals::removed_at)
        .first(conn)
        .optional()?)
}

/// Removes a child's content in the caller's transaction: the name becomes `marker` (a
/// sealed "verwijderd"), the BSN and the match keys go, the birth date keeps its year
/// (the figures count age bands); referrals keep their dates and statuses with their
/// reason and feedback replaced by the marker; attachments, the network's messages and
/// documents (and its key), the plan, consent answers and the meetings' texts about the
/// child are deleted; family members' names go. The removal is recorded (`removals`).
/// Answers what went, in words.
pub fn remove_child(
    conn: &mut AnyConnection,
    child_id: &str,
    marker: &str,
    basis: &str,
    by: &str,
) -> Result<String, DbError> {
    if removed_at(conn, child_id)?.is_some() {
        return Err(DbError::Conflict("already removed".into()));
    }
    let birth: NaiveDate = children::table
        .find(child_id)
        .select(children::birth_date)
        .first(conn)?;
    diesel::update(children::table.find(child_id))
        .set((
            children::name_sealed.eq(marker),
            children::bsn_sealed.eq(None::<String>),
            children::match_bsn.eq(None::<String>),
            children::match_name.eq(None::<String>),
            children::birth_date.eq(NaiveDate::from_ymd_opt(birth.year(), 1, 1).unwrap_or(birth)),
        ))
        .execute(conn)?;
    let refs: Vec<String> = referrals::table
        .filter(referrals::child_id.eq(child_id))
        .select(referrals::id)
        .load(conn)?;
    diesel::update(referrals::table.filter(referrals::id.eq_any(&refs)))
        .set(referrals::reason_sealed.eq(marker))
        .execute(conn)?;
    diesel::update(referral_events::table.filter(referral_events::referral_id.eq_any(&refs)))
        .set(referral_events::reason_sealed.eq(None::<String>))
        .execute(conn)?;
    let feedback = diesel::update(
        referral_feedback::table.filter(referral_feedback::referral_id.eq_any(&refs)),
    )
    .set(referral_feedback::body_sealed.eq(marker))
    .execute(conn)?;
    let attachments = diesel::delete(
        referral_attachments::table.filter(referral_attachments::referral_id.eq_any(&refs)),
    )
    .execute(conn)?;
    let (mut message_count, mut versions) = (0, 0);
    let network: Option<String> = networks::table
        .filter(networks::child_id.eq(child_id))
        .select(networks::id)
        .first(conn)
        .optional()?;
    if let Some(n) = &network {
        let convs: Vec<String> = conversations::table
            .filter(conversations::network_id.eq(n))
            .select(conversations::id)
            .load(conn)?;
        let msg_ids: Vec<String> = messages::table
            .filter(messages::conversation_id.eq_any(&convs))
            .select(messages::id)
            .load(conn)?;
        message_count = msg_ids.len();
        diesel::delete(message_documents::table.filter(message_documents::network_id.eq(n)))
            .execute(conn)?;
        diesel::delete(message_edits::table.filter(message_edits::message_id.eq_any(&msg_ids)))
            .execute(conn)?;
        diesel::delete(network_events::table.filter(network_events::network_id.eq(n)))
            .execute(conn)?;
        diesel::delete(messages::table.filter(messages::conversation_id.eq_any(&convs)))
            .execute(conn)?;
        diesel::delete(
            conversation_reads::table.filter(conversation_reads::conversation_id.eq_any(&convs)),
        )
        .execute(conn)?;
        diesel::delete(
            conversation_members::table
                .filter(conversation_members::conversation_id.eq_any(&convs)),
        )
        .execute(conn)?;
        diesel::delete(conversations::table.filter(conversations::network_id.eq(n)))
            .execute(conn)?;
        diesel::delete(network_keys::table.find(n)).execute(conn)?;
        diesel::delete(plan_responses::table.filter(plan_responses::network_id.eq(n)))
            .execute(conn)?;
        diesel::delete(plan_actions::table.filter(plan_actions::network_id.eq(n))).execute(conn)?;
        versions = diesel::delete(plan_versions::table.filter(plan_versions::network_id.eq(n)))
            .execute(conn)?;
        diesel::delete(plans::table.find(n)).execute(conn)?;
        diesel::delete(consent_answers::table.filter(consent_answers::network_id.eq(n)))
            .execute(conn)?;
        diesel::delete(not_for_parents::table.filter(not_for_parents::network_id.eq(n)))
            .execute(conn)?;
        diesel::delete(emergency_access::table.filter(emergency_access::network_id.eq(n)))
            .execute(conn)?;
        diesel::update(network_members::table.filter(network_members::network_id.eq(n)))
            .set(network_members::name_sealed.eq(None::<String>))
            .execute(conn)?;
        let items: Vec<String> = meeting_items::table
            .filter(meeting_items::network_id.eq(n))
            .select(meeting_items::id)
            .load(conn)?;
        diesel::delete(
            meeting_item_guests::table.filter(meeting_item_guests::item_id.eq_any(&items)),
        )
        .execute(conn)?;
        diesel::update(meeting_items::table.filter(meeting_items::id.eq_any(&items)))
            .set((
                meeting_items::question_sealed.eq(None::<String>),
                meeting_items::discussion_sealed.eq(None::<String>),
                meeting_items::decisions_sealed.eq(None::<String>),
                meeting_items::actions_sealed.eq(None::<String>),
            ))
            .execute(conn)?;
    }
    let summary = format!(
        "{} verwijzing(en), {feedback} terugkoppeling(en), {attachments} bijlage(n), {message_count} bericht(en), {versions} planversie(s)",
        refs.len()
    );
    diesel::insert_into(removals::table)
        .values((
            removals::id.eq(new_id()),
            removals::child_id.eq(child_id),
            removals::basis.eq(basis),
            removals::removed_by.eq(by),
            removals::removed_at.eq(now()),
            removals::summary.eq(&summary),
        ))
        .execute(conn)?;
    Ok(summary)
}
