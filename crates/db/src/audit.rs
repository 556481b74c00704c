//! The append-only, hash-chained audit log (NEN 7513 style).

use crate::schema::audit_log;
use crate::{AnyConnection, DbError, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rondom_domain::audit::{ChainedFields, GENESIS_HASH};
use tokio::sync::{mpsc, oneshot};

/// What happened, by whom, to what. Built by the web layer for every decision it logs.
#[derive(Debug, Clone, Default)]
pub struct AuditEvent {
    pub actor_user_id: Option<String>,
    pub actor_name: String,
    pub actor_role: Option<String>,
    pub actor_organisation_id: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub child_id: Option<String>,
    pub reason: Option<String>,
    pub source_address: Option<String>,
    /// `allowed`, `denied` or `failed`.
    pub outcome: String,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor_user_id: Option<String>,
    pub actor_name: String,
    pub actor_role: Option<String>,
    pub actor_organisation_id: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub child_id: Option<String>,
    pub reason: Option<String>,
    pub source_address: Option<String>,
    pub outcome: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    fn chained(&self) -> ChainedFields<'_> {
        ChainedFields {
            seq: self.seq,
            at: self.at,
            actor_user_id: self.actor_user_id.as_deref(),
            actor_name: &self.actor_name,
            actor_role: self.actor_role.as_deref(),
            actor_organisation_id: self.actor_organisation_id.as_deref(),
            action: &self.action,
            object_type: &self.object_type,
            object_id: self.object_id.as_deref(),
            child_id: self.child_id.as_deref(),
            reason: self.reason.as_deref(),
            source_address: self.source_address.as_deref(),
            outcome: &self.outcome,
            prev_hash: &self.prev_hash,
        }
    }
}

/// Appends one entry. Must run inside `Db::write` so the entry commits with the change it
/// describes.
pub fn append(conn: &mut AnyConnection, e: &AuditEvent) -> Result<i64, DbError> {
    let seqs = append_all(conn, std::slice::from_ref(e))?;
    seqs.first()
        .copied()
        .ok_or_else(|| DbError::Unavailable("audit entry not written".into()))
}

/// Appends entries in order, each chained to the one before. On PostgreSQL an advisory
/// lock orders concurrent appends from several app servers; on SQLite the writer lock
/// already does.
pub fn append_all(conn: &mut AnyConnection, events: &[AuditEvent]) -> Result<Vec<i64>, DbError> {
    if events.is_empty() {
        return Ok(vec![]);
    }
    if let AnyConnection::Postgresql(_) = conn {
        // As a typed select (not `sql_query`) the statement stays prepared on the
        // connection instead of being parsed for every append.
        diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "pg_advisory_xact_lock(7513) IS NULL",
        ))
        .execute(conn)?;
    }
    let last: Option<(i64, String)> = audit_log::table
        .order(audit_log::seq.desc())
        .select((audit_log::seq, audit_log::hash))
        .first(conn)
        .optional()?;
    let (mut seq, mut prev_hash) = match last {
        Some((s, h)) => (s, h),
        None => (0, GENESIS_HASH.to_owned()),
    };
    let at = now();
    let mut seqs = Vec::with_capacity(events.len());
    for e in events {
        seq += 1;
        let mut entry = AuditEntry {
            seq,
            at,
            actor_user_id: e.actor_user_id.clone(),
            actor_name: e.actor_name.clone(),
            actor_role: e.actor_role.clone(),
            actor_organisation_id: e.actor_organisation_id.clone(),
            action: e.action.clone(),
            object_type: e.object_type.clone(),
            object_id: e.object_id.clone(),
            child_id: e.child_id.clone(),
            reason: e.reason.clone(),
            source_address: e.source_address.clone(),
            outcome: e.outcome.clone(),
            prev_hash: std::mem::take(&mut prev_hash),
            hash: String::new(),
        };
        entry.hash = entry.chained().hash();
        diesel::insert_into(audit_log::table)
            .values((
                audit_log::seq.eq(entry.seq),
                audit_log::at.eq(entry.at),
                audit_log::actor_user_id.eq(&entry.actor_user_id),
                audit_log::actor_name.eq(&entry.actor_name),
                audit_log::actor_role.eq(&entry.actor_role),
                audit_log::actor_organisation_id.eq(&entry.actor_organisation_id),
                audit_log::action.eq(&entry.action),
                audit_log::object_type.eq(&entry.object_type),
                audit_log::object_id.eq(&entry.object_id),
                audit_log::child_id.eq(&entry.child_id),
                audit_log::reason.eq(&entry.reason),
                audit_log::source_address.eq(&entry.source_address),
                audit_log::outcome.eq(&entry.outcome),
                audit_log::prev_hash.eq(&entry.prev_hash),
                audit_log::hash.eq(&entry.hash),
            ))
            .execute(conn)?;
        prev_hash = entry.hash;
        seqs.push(seq);
    }
    Ok(seqs)
}

/// An entry waiting for the group writer, with where to send its sequence number.
pub(crate) type Pending = (AuditEvent, oneshot::Sender<Result<i64, String>>);

/// Most entries in one transaction: bounds how long the chain lock is held.
const MAX_GROUP: usize = 256;

/// The group writer for entries that change nothing else (reads and refusals). Every
/// entry costs a transaction holding the chain's lock; under load, the entries that
/// arrive while one group commits are written together in the next, so twenty people
/// opening their inbox at once cost two commits instead of twenty. Each caller still
/// waits until its own entry is committed: no page is shown before its look is logged.
pub(crate) async fn group_writer(db: crate::Db, mut rx: mpsc::UnboundedReceiver<Pending>) {
    while let Some(first) = rx.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(p) => group.push(p),
                Err(_) => break,
            }
        }
        let (events, replies): (Vec<AuditEvent>, Vec<_>) = group.into_iter().unzip();
        match db.write(move |c| append_all(c, &events)).await {
            Ok(seqs) => {
                for (reply, seq) in replies.into_iter().zip(seqs) {
                    // A caller that gave up (its request was cancelled) needs no answer.
                    let _ = reply.send(Ok(seq));
                }
            }
            Err(e) => {
                let why = e.to_string();
                for reply in replies {
                    let _ = reply.send(Err(why.clone()));
                }
            }
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// What members of this organisation did, and what anyone did to the organisation
    /// itself (so its admins also see refused attempts on it).
    pub organisation_id: Option<String>,
    pub actor_user_id: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    pub object_type: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
}

/// Newest first, `limit` rows from before `before_seq` (keyset paging stays fast however
/// long the log grows).
pub fn list(
    conn: &mut AnyConnection,
    f: &AuditFilter,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEntry>, DbError> {
    let mut q = audit_log::table.into_boxed();
    if let Some(o) = &f.organisation_id {
        q = q.filter(
            audit_log::actor_organisation_id
                .eq(o.clone())
                .or(audit_log::object_type
                    .eq("organisation")
                    .and(audit_log::object_id.eq(o.clone()))),
        );
    }
    if let Some(u) = &f.actor_user_id {
        q = q.filter(audit_log::actor_user_id.eq(u.clone()));
    }
    if let Some(a) = &f.action {
        q = q.filter(audit_log::action.eq(a.clone()));
    }
    if let Some(o) = &f.outcome {
        q = q.filter(audit_log::outcome.eq(o.clone()));
    }
    if let Some(t) = &f.object_type {
        q = q.filter(audit_log::object_type.eq(t.clone()));
    }
    if let Some(from) = f.from {
        q = q.filter(audit_log::at.ge(from));
    }
    if let Some(until) = f.until {
        q = q.filter(audit_log::at.lt(until));
    }
    if let Some(b) = before_seq {
        q = q.filter(audit_log::seq.lt(b));
    }
    Ok(q.order(audit_log::seq.desc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)?)
}

pub fn distinct_actions(conn: &mut AnyConnection) -> Result<Vec<String>, DbError> {
    Ok(audit_log::table
        .select(audit_log::action)
        .distinct()
        .order(audit_log::action.asc())
        .load(conn)?)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyOutcome {
    /// Every entry checks out.
    Intact { entries: i64 },
    /// The first entry whose content, link or position is wrong.
    Broken { seq: i64, problem: String },
}

/// Recomputes the whole chain in pages, so memory stays flat however long the log is.
pub fn verify(conn: &mut AnyConnection) -> Result<VerifyOutcome, DbError> {
    let mut expected_seq = 1i64;
    let mut prev = GENESIS_HASH.to_owned();
    loop {
        let page: Vec<AuditEntry> = audit_log::table
            .filter(audit_log::seq.ge(expected_seq))
            .order(audit_log::seq.asc())
            .limit(5_000)
            .select(AuditEntry::as_select())
            .load(conn)?;
        if page.is_empty() {
            return Ok(VerifyOutcome::Intact {
                entries: expected_seq - 1,
            });
        }
        for e in &page {
            if e.seq != expected_seq {
                return Ok(VerifyOutcome::Broken {
                    seq: expected_seq,
                    problem: format!("entry {expected_seq} is missing (next is {})", e.seq),
                });
            }
            if e.prev_hash != prev {
                return Ok(VerifyOutcome::Broken {
                    seq: e.seq,
                    problem: "does not point to the entry before it".into(),
                });
            }
            if e.chained().hash() != e.hash {
                return Ok(VerifyOutcome::Broken {
                    seq: e.seq,
                    problem: "its content no longer matches its hash".into(),
                });
            }
            prev = e.hash.clone();
            expected_seq += 1;
        }
    }
}
