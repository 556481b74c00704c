//! The append-only, hash-chained audit log (NEN 7513 style).

use crate::schema::audit_log;
use crate::{AnyConnection, DbError, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rondom_domain::audit::{AuditKeys, ChainedFields, Checkpoint, GENESIS_HASH};

/// What happened, by whom, to what. Built by the use cases (rondom-app) for every decision they log.
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
    /// The organisations whose data this is about (a referral's two sides, a
    /// consultation's practice and team, the organisation itself): their admins see the
    /// entry in their audit view, refused attempts by outsiders included.
    pub subject_org_ids: Vec<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
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
    pub keyed: bool,
    pub subject_org_id: Option<String>,
    pub other_subject_org_id: Option<String>,
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
            subject_org_id: self.subject_org_id.as_deref(),
            other_subject_org_id: self.other_subject_org_id.as_deref(),
            prev_hash: &self.prev_hash,
        }
    }
}

/// The longest text a field of an entry keeps. Entries are built from what people send
/// (an address, a reason they typed): a bound keeps one request from bloating the log.
const FIELD_MAX_CHARS: usize = 2_000;

/// Text as the log stores it: no NUL (PostgreSQL cannot store one, and one entry that
/// cannot be written would fail every entry committed with it), and bounded.
fn stored(s: &str) -> String {
    let clean: String = s
        .chars()
        .take(FIELD_MAX_CHARS)
        .map(|c| if c == '\0' { '\u{FFFD}' } else { c })
        .collect();
    clean
}

fn stored_opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(stored)
}

/// Appends one entry. Must run inside `Db::write` so the entry commits with the change it
/// describes.
pub fn append(conn: &mut AnyConnection, e: &AuditEvent) -> Result<i64, DbError> {
    let seqs = append_all(conn, std::slice::from_ref(e))?;
    seqs.first()
        .copied()
        .ok_or_else(|| DbError::Unavailable("audit entry not written".into()))
}

/// Appends entries in order, each chained to the one before and keyed. On PostgreSQL an
/// advisory lock orders concurrent appends from several app servers; on SQLite the
/// writer lock already does. Runs only inside `Db::write`, which lends the keys; without
/// them nothing is written (fail closed).
pub fn append_all(conn: &mut AnyConnection, events: &[AuditEvent]) -> Result<Vec<i64>, DbError> {
    if events.is_empty() {
        return Ok(vec![]);
    }
    let keys = crate::keys::audit_keys().ok_or_else(|| {
        DbError::Unavailable("the audit log's key is not set; nothing was written".into())
    })?;
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
    let mut entries = Vec::with_capacity(events.len());
    for e in events {
        seq += 1;
        let mut subjects = e.subject_org_ids.iter().map(|o| stored(o));
        let mut entry = AuditEntry {
            seq,
            at,
            actor_user_id: stored_opt(&e.actor_user_id),
            actor_name: stored(&e.actor_name),
            actor_role: stored_opt(&e.actor_role),
            actor_organisation_id: stored_opt(&e.actor_organisation_id),
            action: stored(&e.action),
            object_type: stored(&e.object_type),
            object_id: stored_opt(&e.object_id),
            child_id: stored_opt(&e.child_id),
            reason: stored_opt(&e.reason),
            source_address: stored_opt(&e.source_address),
            outcome: stored(&e.outcome),
            prev_hash: std::mem::take(&mut prev_hash),
            hash: String::new(),
            keyed: true,
            subject_org_id: subjects.next(),
            other_subject_org_id: subjects.next(),
        };
        entry.hash = entry.chained().mac(&keys);
        prev_hash.clone_from(&entry.hash);
        seqs.push(seq);
        entries.push(entry);
    }
    // Several rows per statement: a request that logs many children (a list page) and
    // the load tests' millions of entries write in few round trips. 18 columns × 500
    // rows stays under both engines' limit on bound parameters.
    for chunk in entries.chunks(500) {
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(audit_log::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(seqs)
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// What members of this organisation did, and what anyone did to the organisation's
    /// data (so its admins also see refused attempts on it).
    pub organisation_id: Option<String>,
    pub actor_user_id: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    pub object_type: Option<String>,
    /// Entries about this child.
    pub child_id: Option<String>,
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
                .or(audit_log::subject_org_id.eq(o.clone()))
                .or(audit_log::other_subject_org_id.eq(o.clone()))
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
    if let Some(ch) = &f.child_id {
        q = q.filter(audit_log::child_id.eq(ch.clone()));
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
    /// Every entry checks out, and so does every checkpoint given.
    Intact {
        entries: i64,
        /// How many checkpoints were checked, and the latest entry they vouch for.
        checkpoints: usize,
        latest_checkpoint: Option<i64>,
    },
    /// The first entry whose content, link or position is wrong, or a checkpoint the log
    /// no longer matches.
    Broken { seq: i64, problem: String },
}

/// The chain's current head: (number of entries, last hash, first keyed entry).
pub fn head(conn: &mut AnyConnection) -> Result<Option<(i64, String, i64)>, DbError> {
    let last: Option<(i64, String)> = audit_log::table
        .order(audit_log::seq.desc())
        .select((audit_log::seq, audit_log::hash))
        .first(conn)
        .optional()?;
    let Some((seq, hash)) = last else {
        return Ok(None);
    };
    Ok(Some((seq, hash, first_keyed(conn, seq)?)))
}

/// The first keyed entry (`last + 1` when none is keyed). Keyed entries are a suffix of
/// the log, so a binary search over the sequence numbers finds the first in a few
/// primary-key lookups, where a filter on `keyed` would read the whole log (every
/// checkpoint asks, every ten seconds).
fn first_keyed(conn: &mut AnyConnection, last: i64) -> Result<i64, DbError> {
    // The entry at or after `seq`, whether it is keyed.
    let mut keyed_from_here = |seq: i64| -> Result<Option<(i64, bool)>, DbError> {
        Ok(audit_log::table
            .filter(audit_log::seq.ge(seq))
            .order(audit_log::seq.asc())
            .select((audit_log::seq, audit_log::keyed))
            .first(conn)
            .optional()?)
    };
    let (mut lo, mut hi) = (1i64, last + 1);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match keyed_from_here(mid)? {
            Some((found, true)) => hi = found.min(mid),
            Some((found, false)) => lo = found + 1,
            None => hi = mid,
        }
    }
    // `lo` is the first sequence number from which on the log is keyed; the entry there
    // (or after it, where an entry is missing) is the first keyed one.
    Ok(keyed_from_here(lo)?.map_or(last + 1, |(found, _)| found))
}

/// A checkpoint of the chain as it stands now (None for an empty log).
pub fn checkpoint_now(conn: &mut AnyConnection) -> Result<Option<Checkpoint>, DbError> {
    Ok(head(conn)?.map(|(seq, head, keyed_from)| Checkpoint {
        at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        seq,
        head,
        keyed_from,
    }))
}

/// Recomputes the whole chain in pages, so memory stays flat however long the log is,
/// and holds it against the checkpoints: each must name an entry that is still there
/// with the hash it had, and the keyed part must start where they say it did. Entries
/// written before the log was keyed keep their plain hashes, but only as a prefix: after
/// the first keyed entry, every entry must be keyed.
pub fn verify(
    conn: &mut AnyConnection,
    keys: &AuditKeys,
    checkpoints: &[Checkpoint],
) -> Result<VerifyOutcome, DbError> {
    let mut expected_seq = 1i64;
    let mut prev = GENESIS_HASH.to_owned();
    let mut keyed_from: Option<i64> = None;
    let mut by_seq: std::collections::BTreeMap<i64, Vec<&Checkpoint>> = Default::default();
    for c in checkpoints {
        by_seq.entry(c.seq).or_default().push(c);
    }
    loop {
        let page: Vec<AuditEntry> = audit_log::table
            .filter(audit_log::seq.ge(expected_seq))
            .order(audit_log::seq.asc())
            .limit(5_000)
            .select(AuditEntry::as_select())
            .load(conn)?;
        if page.is_empty() {
            break;
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
            match (keyed_from, e.keyed) {
                (None, true) => keyed_from = Some(e.seq),
                (Some(_), false) => {
                    return Ok(VerifyOutcome::Broken {
                        seq: e.seq,
                        problem: "is not keyed, though entries before it are".into(),
                    });
                }
                _ => {}
            }
            if !e.chained().matches(&e.hash, e.keyed, keys) {
                return Ok(VerifyOutcome::Broken {
                    seq: e.seq,
                    problem: if e.keyed {
                        "its content no longer matches its keyed hash (changed, or re-chained without the installation's key)".into()
                    } else {
                        "its content no longer matches its hash".into()
                    },
                });
            }
            if let Some(cs) = by_seq.get(&e.seq)
                && let Some(c) = cs.iter().find(|c| c.head != e.hash)
            {
                return Ok(VerifyOutcome::Broken {
                    seq: e.seq,
                    problem: format!(
                        "differs from the checkpoint of {}: the log was rewritten",
                        c.at
                    ),
                });
            }
            prev = e.hash.clone();
            expected_seq += 1;
        }
    }
    let entries = expected_seq - 1;
    let latest = checkpoints.iter().max_by_key(|c| c.seq);
    if let Some(c) = latest
        && c.seq > entries
    {
        return Ok(VerifyOutcome::Broken {
            seq: entries + 1,
            problem: format!(
                "the checkpoint of {} vouches for {} entries, the log holds {entries}: entries were removed from its end",
                c.at, c.seq
            ),
        });
    }
    let first_keyed = keyed_from.unwrap_or(entries + 1);
    if let Some(c) = checkpoints
        .iter()
        .find(|c| c.keyed_from != first_keyed && c.keyed_from <= c.seq)
    {
        return Ok(VerifyOutcome::Broken {
            seq: first_keyed.min(c.keyed_from),
            problem: format!(
                "the checkpoint of {} says the log is keyed from entry {}, the log says from {first_keyed}",
                c.at, c.keyed_from
            ),
        });
    }
    Ok(VerifyOutcome::Intact {
        entries,
        checkpoints: checkpoints.len(),
        latest_checkpoint: latest.map(|c| c.seq),
    })
}
