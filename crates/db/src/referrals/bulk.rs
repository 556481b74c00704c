//! Writing many referrals at once: the demo's year of work and the load tests.

use super::*;
use crate::schema::{children, referral_events, referral_feedback, referrals};
use crate::{AnyConnection, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rondom_domain::referral::{FeedbackKind, Status};

/// Sets when a referral and its history happened (the demo's year of work): the moves
/// a working day apart, except that a finished referral's last move happens at
/// `updated_at`; each piece of feedback at the move it reports on (interim news halfway
/// between acceptance and `updated_at`).
pub fn backdate(
    conn: &mut AnyConnection,
    id: &str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(referrals::table.find(id))
        .set((
            referrals::created_at.eq(created_at),
            referrals::updated_at.eq(updated_at),
        ))
        .execute(conn)?;
    let events: Vec<(String, String)> = referral_events::table
        .filter(referral_events::referral_id.eq(id))
        .order(referral_events::at.asc())
        .select((referral_events::id, referral_events::to_status))
        .load(conn)?;
    let finished = events.last().is_some_and(|(_, to)| {
        matches!(
            to.as_str(),
            "completed" | "rejected" | "cancelled" | "failed" | "on-hold"
        )
    });
    let mut when: Vec<(String, NaiveDateTime)> = Vec::new();
    for (i, (event, to)) in events.iter().enumerate() {
        let mut at = created_at + chrono::Duration::days(i as i64);
        if finished && i + 1 == events.len() && updated_at > at {
            at = updated_at;
        }
        diesel::update(referral_events::table.find(event))
            .set(referral_events::at.eq(at))
            .execute(conn)?;
        when.push((to.clone(), at));
    }
    let at_move = |status: &str| when.iter().find(|(to, _)| to == status).map(|(_, at)| *at);
    let accepted = at_move("accepted").unwrap_or(created_at);
    let feedback: Vec<(String, String)> = referral_feedback::table
        .filter(referral_feedback::referral_id.eq(id))
        .select((referral_feedback::id, referral_feedback::kind))
        .load(conn)?;
    for (f, kind) in feedback {
        let at = match kind.as_str() {
            "accepted" => accepted,
            "onward" => accepted + chrono::Duration::days(2),
            "interim" => accepted + (updated_at - accepted) / 2,
            "ended" => at_move("cancelled")
                .or(at_move("failed"))
                .unwrap_or(updated_at),
            other => at_move(other).unwrap_or(updated_at),
        };
        diesel::update(referral_feedback::table.find(&f))
            .set(referral_feedback::at.eq(at))
            .execute(conn)?;
    }
    crate::stuur::refresh(conn, id)
}

/// Refreshes the planner's statistics (and PostgreSQL's visibility map, which its
/// index-only scans need) after a bulk insert; outside any transaction.
pub fn analyze(conn: &mut AnyConnection) -> Result<(), DbError> {
    let sql = match conn {
        AnyConnection::Sqlite(_) => "ANALYZE",
        AnyConnection::Postgresql(_) => "VACUUM ANALYZE referrals, children, referral_facts",
    };
    diesel::sql_query(sql).execute(conn)?;
    Ok(())
}

/// One move of a referral, written in bulk (the region generator's five years).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = referral_events)]
pub struct EventRow {
    pub id: String,
    pub referral_id: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub actor_id: String,
    pub reason_sealed: Option<String>,
    pub at: NaiveDateTime,
}

/// One piece of feedback, written in bulk.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = referral_feedback)]
pub struct FeedbackRow {
    pub id: String,
    pub referral_id: String,
    pub author_id: String,
    pub kind: FeedbackKind,
    pub body_sealed: String,
    pub at: NaiveDateTime,
    pub source_id: Option<String>,
}

/// Children, referrals and their whole history at once (the region generator): the
/// facts the figures read are derived after everything is in.
pub fn insert_history(
    conn: &mut AnyConnection,
    kids: &[Child],
    rows: &[Referral],
    events: &[EventRow],
    feedback: &[FeedbackRow],
) -> Result<(), DbError> {
    insert_rows(conn, kids, rows)?;
    for chunk in events.chunks(500) {
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(referral_events::table)
            .values(chunk.to_vec())
            .execute(c))?;
    }
    for chunk in feedback.chunks(500) {
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(
            referral_feedback::table
        )
        .values(chunk.to_vec())
        .execute(c))?;
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
    crate::stuur::refresh_many(conn, &ids)
}

/// Inserts many children and referrals in few statements (load tests, the demo at
/// scale). Ids must be new; every referral's child must be among `kids` or stored.
pub fn insert_bulk(
    conn: &mut AnyConnection,
    kids: &[Child],
    rows: &[Referral],
) -> Result<(), DbError> {
    insert_rows(conn, kids, rows)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
    crate::stuur::refresh_many(conn, &ids)
}

fn insert_rows(conn: &mut AnyConnection, kids: &[Child], rows: &[Referral]) -> Result<(), DbError> {
    const CHUNK: usize = 500;
    for chunk in kids.chunks(CHUNK) {
        // Multi-row inserts are not available through the multi-backend wrapper.
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(children::table)
            .values(chunk)
            .execute(c))?;
    }
    for chunk in rows.chunks(CHUNK) {
        // Owned rows: the status is written through its conversion to text.
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(referrals::table)
            .values(chunk.to_vec())
            .execute(c))?;
    }
    Ok(())
}
