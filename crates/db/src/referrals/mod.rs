//! Referrals (verwijzingen), the children they are about, their events, feedback and
//! attachments. Everything about a child arrives sealed by the use cases and leaves
//! sealed. `agreements` holds the municipalities' referral agreements (verwijskader),
//! `lists` the inbox queries, `bulk` what the demo and the load tests write at once.

mod agreements;
mod bulk;
mod lists;

pub use agreements::*;
pub use bulk::*;
pub use lists::*;

use crate::schema::{
    children, referral_attachments, referral_events, referral_feedback, referrals, users,
};
use crate::{AnyConnection, DbError, new_id, now};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rondom_domain::ids::{
    AgreementsId, ChildId, ConsultationId, OrganisationId, ReferralId, ServiceId, UserId,
};
use rondom_domain::referral::{FeedbackKind, Status, Urgency};

/// Referrals joined with their child's name and birth date.
macro_rules! listed_query {
    () => {
        referrals::table.inner_join(children::table).select((
            Referral::as_select(),
            children::name_sealed,
            children::birth_date,
        ))
    };
}
pub(crate) use listed_query;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = children)]
pub struct Child {
    pub id: ChildId,
    pub name_sealed: String,
    pub birth_date: NaiveDate,
    pub gemeente_code: String,
    pub bsn_sealed: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    /// The district the child lives in, when known (stuurinformatie per wijk).
    pub wijk_code: Option<String>,
}

pub struct NewChild<'a> {
    pub name_sealed: &'a str,
    pub birth_date: NaiveDate,
    pub gemeente_code: &'a str,
    pub wijk_code: Option<&'a str>,
    pub bsn_sealed: Option<&'a str>,
    pub created_by: &'a str,
    /// Keyed hashes to recognise the child by (see migration 000019).
    pub match_bsn: Option<&'a str>,
    pub match_name: Option<&'a str>,
}

pub fn create_child(conn: &mut AnyConnection, c: &NewChild<'_>) -> Result<String, DbError> {
    let id = new_id();
    diesel::insert_into(children::table)
        .values((
            children::id.eq(&id),
            children::name_sealed.eq(c.name_sealed),
            children::birth_date.eq(c.birth_date),
            children::gemeente_code.eq(c.gemeente_code),
            children::wijk_code.eq(c.wijk_code),
            children::bsn_sealed.eq(c.bsn_sealed),
            children::created_by.eq(c.created_by),
            children::created_at.eq(now()),
            children::match_bsn.eq(c.match_bsn),
            children::match_name.eq(c.match_name),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn child(conn: &mut AnyConnection, id: &str) -> Result<Option<Child>, DbError> {
    Ok(children::table
        .find(id)
        .select(Child::as_select())
        .first(conn)
        .optional()?)
}

/// These children, in one statement (those that exist).
pub fn children_by_ids(conn: &mut AnyConnection, ids: &[String]) -> Result<Vec<Child>, DbError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(children::table
        .filter(crate::in_list(children::id, ids))
        .select(Child::as_select())
        .load(conn)?)
}

/// The child of each of these referrals, in one statement: (referral, child).
pub fn child_ids_of(
    conn: &mut AnyConnection,
    referral_ids: &[String],
) -> Result<Vec<(ReferralId, ChildId)>, DbError> {
    if referral_ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(referrals::table
        .filter(crate::in_list(referrals::id, referral_ids))
        .select((referrals::id, referrals::child_id))
        .load(conn)?)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referrals)]
pub struct Referral {
    /// Ids and codes are read as their types: a stored value that is none fails the
    /// read instead of passing on as some other text.
    pub id: ReferralId,
    pub child_id: ChildId,
    pub parent_id: Option<ReferralId>,
    pub consultation_id: Option<ConsultationId>,
    pub agreements_id: Option<AgreementsId>,
    pub from_org_id: OrganisationId,
    pub referrer_id: UserId,
    pub on_behalf_of_id: Option<UserId>,
    pub to_org_id: OrganisationId,
    pub service_id: Option<ServiceId>,
    pub school_id: Option<OrganisationId>,
    pub reason_sealed: String,
    pub problem_areas: String,
    pub urgency: Urgency,
    /// Read as a `Status`: a stored value that is none fails the read, never passes for a
    /// draft.
    pub status: Status,
    pub case_director_id: Option<UserId>,
    pub due_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub struct NewReferral<'a> {
    pub child_id: &'a str,
    pub parent_id: Option<&'a str>,
    pub consultation_id: Option<&'a str>,
    pub agreements_id: Option<&'a str>,
    pub from_org_id: &'a str,
    pub referrer_id: &'a str,
    pub on_behalf_of_id: Option<&'a str>,
    pub to_org_id: &'a str,
    pub service_id: Option<&'a str>,
    pub school_id: Option<&'a str>,
    pub reason_sealed: &'a str,
    pub problem_areas: &'a str,
    pub urgency: Urgency,
    pub status: Status,
    pub case_director_id: Option<&'a str>,
    pub due_on: Option<NaiveDate>,
}

/// Stores a referral and its first event.
pub fn create(conn: &mut AnyConnection, r: &NewReferral<'_>) -> Result<String, DbError> {
    let id = new_id();
    let t = now();
    diesel::insert_into(referrals::table)
        .values((
            referrals::id.eq(&id),
            referrals::child_id.eq(r.child_id),
            referrals::parent_id.eq(r.parent_id),
            referrals::consultation_id.eq(r.consultation_id),
            referrals::agreements_id.eq(r.agreements_id),
            referrals::from_org_id.eq(r.from_org_id),
            referrals::referrer_id.eq(r.referrer_id),
            referrals::on_behalf_of_id.eq(r.on_behalf_of_id),
            referrals::to_org_id.eq(r.to_org_id),
            referrals::service_id.eq(r.service_id),
            referrals::school_id.eq(r.school_id),
            referrals::reason_sealed.eq(r.reason_sealed),
            referrals::problem_areas.eq(r.problem_areas),
            referrals::urgency.eq(r.urgency),
            referrals::status.eq(r.status),
            referrals::case_director_id.eq(r.case_director_id),
            referrals::due_on.eq(r.due_on),
            referrals::created_at.eq(t),
            referrals::updated_at.eq(t),
        ))
        .execute(conn)?;
    record_event(conn, &id, None, r.status, r.referrer_id, None)?;
    crate::stuur::refresh(conn, &id)?;
    Ok(id)
}

fn record_event(
    conn: &mut AnyConnection,
    referral_id: &str,
    from: Option<Status>,
    to: Status,
    actor_id: &str,
    reason_sealed: Option<&str>,
) -> Result<(), DbError> {
    diesel::insert_into(referral_events::table)
        .values((
            referral_events::id.eq(new_id()),
            referral_events::referral_id.eq(referral_id),
            referral_events::from_status.eq(from),
            referral_events::to_status.eq(to),
            referral_events::actor_id.eq(actor_id),
            referral_events::reason_sealed.eq(reason_sealed),
            referral_events::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<Referral>, DbError> {
    Ok(referrals::table
        .find(id)
        .select(Referral::as_select())
        .first(conn)
        .optional()?)
}

/// A move from `from` to `to`, recorded as an event. Only moves a referral that still
/// stands at `from`: when someone else moved it in the meantime nothing changes and the
/// answer is `Conflict`.
pub struct Move<'a> {
    pub from: Status,
    pub to: Status,
    pub actor_id: &'a str,
    pub reason_sealed: Option<&'a str>,
    /// The next deadline (None clears it).
    pub due_on: Option<NaiveDate>,
    /// Set on acceptance.
    pub accepted_on: Option<NaiveDate>,
    /// Set when a case director is named with the move.
    pub case_director_id: Option<&'a str>,
}

pub fn apply_move(conn: &mut AnyConnection, id: &str, m: &Move<'_>) -> Result<(), DbError> {
    let target = referrals::table
        .filter(referrals::id.eq(id))
        .filter(referrals::status.eq(m.from));
    let n = diesel::update(target)
        .set((
            referrals::status.eq(m.to),
            referrals::due_on.eq(m.due_on),
            referrals::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(DbError::Conflict("the referral moved meanwhile".into()));
    }
    if let Some(a) = m.accepted_on {
        diesel::update(referrals::table.find(id))
            .set(referrals::accepted_on.eq(a))
            .execute(conn)?;
    }
    if let Some(cd) = m.case_director_id {
        set_case_director(conn, id, cd)?;
    }
    record_event(conn, id, Some(m.from), m.to, m.actor_id, m.reason_sealed)?;
    crate::stuur::refresh(conn, id)
}

pub fn set_case_director(conn: &mut AnyConnection, id: &str, user_id: &str) -> Result<(), DbError> {
    diesel::update(referrals::table.find(id))
        .set((
            referrals::case_director_id.eq(user_id),
            referrals::updated_at.eq(now()),
        ))
        .execute(conn)?;
    crate::stuur::refresh(conn, id)
}

/// The agreements a referral follows (set again when a draft is sent).
pub fn set_agreements(
    conn: &mut AnyConnection,
    id: &str,
    agreements_id: Option<&str>,
) -> Result<(), DbError> {
    diesel::update(referrals::table.find(id))
        .set(referrals::agreements_id.eq(agreements_id))
        .execute(conn)?;
    crate::stuur::refresh(conn, id)
}

pub fn set_due(
    conn: &mut AnyConnection,
    id: &str,
    due_on: Option<NaiveDate>,
) -> Result<(), DbError> {
    diesel::update(referrals::table.find(id))
        .set(referrals::due_on.eq(due_on))
        .execute(conn)?;
    Ok(())
}

/// (from, to, actor name, sealed reason, when), oldest first.
pub type Event = (
    Option<Status>,
    Status,
    String,
    Option<String>,
    NaiveDateTime,
);

pub fn events(conn: &mut AnyConnection, referral_id: &str) -> Result<Vec<Event>, DbError> {
    Ok(referral_events::table
        .inner_join(users::table.on(users::id.eq(referral_events::actor_id)))
        .filter(referral_events::referral_id.eq(referral_id))
        .order(referral_events::at.asc())
        .select((
            referral_events::from_status,
            referral_events::to_status,
            users::name,
            referral_events::reason_sealed,
            referral_events::at,
        ))
        .load(conn)?)
}

pub fn add_feedback(
    conn: &mut AnyConnection,
    referral_id: &str,
    author_id: &str,
    kind: FeedbackKind,
    body_sealed: &str,
) -> Result<(), DbError> {
    insert_feedback(conn, referral_id, author_id, kind, body_sealed, None)
}

/// Passes the outcome of the onward referral `source_id` on to the referrer of its
/// parent `referral_id`.
pub fn add_forwarded_outcome(
    conn: &mut AnyConnection,
    referral_id: &str,
    author_id: &str,
    body_sealed: &str,
    source_id: &str,
) -> Result<(), DbError> {
    insert_feedback(
        conn,
        referral_id,
        author_id,
        FeedbackKind::OnwardOutcome,
        body_sealed,
        Some(source_id),
    )
}

fn insert_feedback(
    conn: &mut AnyConnection,
    referral_id: &str,
    author_id: &str,
    kind: FeedbackKind,
    body_sealed: &str,
    source_id: Option<&str>,
) -> Result<(), DbError> {
    diesel::insert_into(referral_feedback::table)
        .values((
            referral_feedback::id.eq(new_id()),
            referral_feedback::referral_id.eq(referral_id),
            referral_feedback::author_id.eq(author_id),
            referral_feedback::kind.eq(kind),
            referral_feedback::body_sealed.eq(body_sealed),
            referral_feedback::at.eq(now()),
            referral_feedback::source_id.eq(source_id),
        ))
        .execute(conn)?;
    crate::stuur::refresh(conn, referral_id)
}

/// The onward referrals whose outcome has been passed on to `referral_id`'s referrer.
pub fn forwarded_sources(
    conn: &mut AnyConnection,
    referral_id: &str,
) -> Result<Vec<ReferralId>, DbError> {
    Ok(referral_feedback::table
        .filter(referral_feedback::referral_id.eq(referral_id))
        .filter(referral_feedback::source_id.is_not_null())
        .select(referral_feedback::source_id.assume_not_null())
        .load(conn)?)
}

/// The sealed outcome the receiving side wrote when it completed the referral, and when.
pub fn completion_outcome(
    conn: &mut AnyConnection,
    referral_id: &str,
) -> Result<Option<(String, NaiveDateTime)>, DbError> {
    Ok(referral_feedback::table
        .filter(referral_feedback::referral_id.eq(referral_id))
        .filter(referral_feedback::kind.eq(FeedbackKind::Completed))
        .order(referral_feedback::at.desc())
        .select((referral_feedback::body_sealed, referral_feedback::at))
        .first(conn)
        .optional()?)
}

/// (kind, author name, sealed body, when), oldest first.
pub type Feedback = (FeedbackKind, String, String, NaiveDateTime);

pub fn feedback(conn: &mut AnyConnection, referral_id: &str) -> Result<Vec<Feedback>, DbError> {
    Ok(referral_feedback::table
        .inner_join(users::table.on(users::id.eq(referral_feedback::author_id)))
        .filter(referral_feedback::referral_id.eq(referral_id))
        .order(referral_feedback::at.asc())
        .select((
            referral_feedback::kind,
            users::name,
            referral_feedback::body_sealed,
            referral_feedback::at,
        ))
        .load(conn)?)
}

/// Every referral about this child (the first and the onward ones), oldest first.
pub fn of_child(conn: &mut AnyConnection, child_id: &str) -> Result<Vec<Referral>, DbError> {
    Ok(referrals::table
        .filter(referrals::child_id.eq(child_id))
        .order(referrals::created_at.asc())
        .select(Referral::as_select())
        .load(conn)?)
}

/// The referrals about a child, oldest first, with their feedback, oldest first: one
/// statement (the network page reads them on every look).
pub fn of_child_with_feedback(
    conn: &mut AnyConnection,
    child_id: &str,
) -> Result<(Vec<Referral>, Vec<FeedbackItem>), DbError> {
    type Fb = (
        String,
        ReferralId,
        FeedbackKind,
        String,
        String,
        NaiveDateTime,
    );
    let rows: Vec<(Referral, Option<Fb>)> = referrals::table
        .left_join(referral_feedback::table.on(referral_feedback::referral_id.eq(referrals::id)))
        .left_join(users::table.on(users::id.eq(referral_feedback::author_id)))
        .filter(referrals::child_id.eq(child_id))
        .order((
            referrals::created_at.asc(),
            referrals::id.asc(),
            referral_feedback::at.asc(),
        ))
        .select((
            Referral::as_select(),
            (
                referral_feedback::id,
                referral_feedback::referral_id,
                referral_feedback::kind,
                users::name,
                referral_feedback::body_sealed,
                referral_feedback::at,
            )
                .nullable(),
        ))
        .load(conn)?;
    let (referrals, feedback): (Vec<Referral>, Vec<Vec<Fb>>) =
        crate::fold_left_join(rows, |a: &Referral, b| a.id == b.id)
            .into_iter()
            .unzip();
    let mut feedback: Vec<FeedbackItem> = feedback
        .into_iter()
        .flatten()
        .map(
            |(id, referral_id, kind, author, body_sealed, at)| FeedbackItem {
                id,
                referral_id,
                kind,
                author,
                body_sealed,
                at,
            },
        )
        .collect();
    // Oldest first over all referrals.
    feedback.sort_by_key(|fb| fb.at);
    Ok((referrals, feedback))
}

/// A piece of feedback with its id (to mark it), for the child's network.
#[derive(Debug, Clone, Queryable)]
pub struct FeedbackItem {
    pub id: String,
    pub referral_id: ReferralId,
    pub kind: FeedbackKind,
    pub author: String,
    pub body_sealed: String,
    pub at: NaiveDateTime,
}

pub struct NewAttachment<'a> {
    pub referral_id: &'a str,
    pub file_name_sealed: &'a str,
    pub media_type: &'a str,
    pub size_bytes: i32,
    pub content_sealed: &'a str,
    pub uploaded_by: &'a str,
}

pub fn add_attachment(conn: &mut AnyConnection, a: &NewAttachment<'_>) -> Result<String, DbError> {
    let id = new_id();
    diesel::insert_into(referral_attachments::table)
        .values((
            referral_attachments::id.eq(&id),
            referral_attachments::referral_id.eq(a.referral_id),
            referral_attachments::file_name_sealed.eq(a.file_name_sealed),
            referral_attachments::media_type.eq(a.media_type),
            referral_attachments::size_bytes.eq(a.size_bytes),
            referral_attachments::content_sealed.eq(a.content_sealed),
            referral_attachments::uploaded_by.eq(a.uploaded_by),
            referral_attachments::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// (id, sealed file name, media type, size) without the content.
pub fn attachments(
    conn: &mut AnyConnection,
    referral_id: &str,
) -> Result<Vec<(String, String, String, i32)>, DbError> {
    Ok(referral_attachments::table
        .filter(referral_attachments::referral_id.eq(referral_id))
        .order(referral_attachments::at.asc())
        .select((
            referral_attachments::id,
            referral_attachments::file_name_sealed,
            referral_attachments::media_type,
            referral_attachments::size_bytes,
        ))
        .load(conn)?)
}

/// (sealed file name, media type, sealed content) of one attachment of one referral.
pub fn attachment(
    conn: &mut AnyConnection,
    referral_id: &str,
    id: &str,
) -> Result<Option<(String, String, String)>, DbError> {
    Ok(referral_attachments::table
        .filter(referral_attachments::id.eq(id))
        .filter(referral_attachments::referral_id.eq(referral_id))
        .select((
            referral_attachments::file_name_sealed,
            referral_attachments::media_type,
            referral_attachments::content_sealed,
        ))
        .first(conn)
        .optional()?)
}
