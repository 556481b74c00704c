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
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
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
    /// Which of the side-by-side chains the entry links into (always 0 on SQLite).
    pub chain: i32,
}

/// How many chains the log runs side by side on PostgreSQL. An append holds its chain's
/// lock until its transaction has committed, so this many audited transactions can
/// commit at once; more chains only lengthen the checkpoints.
pub const CHAINS: i32 = 16;

/// Chains that a group writer holds for as long as its own connection lives (see
/// [`WriterChain`]), numbered after the [`CHAINS`]: a transaction that finds all of those
/// busy waits for one of them, never for a chain a writer keeps.
pub const WRITER_CHAINS: i32 = 16;

/// The advisory lock key space of the chains (the second key is the chain).
const CHAIN_LOCKS: i32 = 7513;

/// Most rows in one insert statement: 18 columns × 500 rows stays under both engines'
/// limit on bound parameters.
pub const ROWS_PER_STATEMENT: usize = 500;

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

/// Appends entries in order, each chained to the one before it in its chain and keyed.
/// On PostgreSQL the entry goes into the first of the [`CHAINS`] chains whose lock is
/// free (waiting only when all are taken), so that concurrent appends from one or
/// several app servers need not wait for each other's commits; its sequence number
/// comes from a sequence, under that lock. On SQLite the writer lock already orders
/// everything: one chain, numbered without gaps. Runs only inside `Db::write`, which
/// lends the keys; without them nothing is written (fail closed).
pub fn append_all(conn: &mut AnyConnection, events: &[AuditEvent]) -> Result<Vec<i64>, DbError> {
    if events.is_empty() {
        return Ok(vec![]);
    }
    let keys = crate::keys::audit_keys().ok_or_else(|| {
        DbError::Unavailable("the audit log's key is not set; nothing was written".into())
    })?;
    let claim = match conn {
        AnyConnection::Postgresql(c) => claim_pg_chain(c, events.len())?,
        AnyConnection::Sqlite(_) => Claim {
            chain: 0,
            numbers: vec![],
            end: chain_end(conn, 0)?,
        },
    };
    Ok(write_chained(conn, events, claim, &keys)?.0)
}

/// Builds the entries on the claimed chain's end, keyed, and inserts them. Answers their
/// sequence numbers and the chain's new end.
fn write_chained(
    conn: &mut AnyConnection,
    events: &[AuditEvent],
    claim: Claim,
    keys: &AuditKeys,
) -> Result<(Vec<i64>, (i64, String)), DbError> {
    let Claim {
        chain,
        numbers,
        end,
    } = claim;
    let (last_seq, mut prev_hash) = end.unwrap_or_else(|| (0, GENESIS_HASH.to_owned()));
    let numbers = if numbers.is_empty() {
        (last_seq + 1..).take(events.len()).collect()
    } else {
        numbers
    };
    let at = now();
    let mut seqs = Vec::with_capacity(events.len());
    let mut entries = Vec::with_capacity(events.len());
    for (e, seq) in events.iter().zip(numbers) {
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
            chain,
        };
        entry.hash = entry.chained().mac(keys);
        prev_hash.clone_from(&entry.hash);
        seqs.push(seq);
        entries.push(entry);
    }
    let new_end = (seqs.last().copied().unwrap_or(last_seq), prev_hash);
    // Several rows per statement: a request that logs many children (a list page) and
    // the load tests' millions of entries write in few round trips. (A few rows go in a
    // statement that stays prepared: `fixed_rows`.)
    let mut rest = entries;
    while !rest.is_empty() {
        let after = rest.split_off(rest.len().min(ROWS_PER_STATEMENT));
        let chunk = std::mem::replace(&mut rest, after);
        crate::fixed_rows!(chunk, |rows| crate::on_backend!(&mut *conn, |c| {
            diesel::insert_into(audit_log::table)
                .values(rows)
                .execute(c)
        })?);
    }
    Ok((seqs, new_end))
}

/// A chain held by one group writer on a connection of its own (PostgreSQL). The lock
/// is the session's, not a transaction's: no one else appends to the chain while the
/// connection lives, so its end is known here between appends, and an append costs two
/// round trips (its sequence numbers, then the insert, which commits by itself) where a
/// claim costs four (BEGIN, the claim, the insert, COMMIT). The connection closing (or
/// failing: the writer drops it then) releases the lock; whoever takes the chain next
/// reads its end from the log.
pub struct WriterChain {
    conn: AnyConnection,
    chain: i32,
    end: Option<(i64, String)>,
}

impl WriterChain {
    /// Takes the first free writer chain on `conn` and reads its end; None when every
    /// writer chain is held (by other app servers) or the database is SQLite.
    pub fn take(mut conn: AnyConnection) -> Result<Option<Self>, DbError> {
        let AnyConnection::Postgresql(pg) = &mut conn else {
            return Ok(None);
        };
        let free: Option<i32> = diesel::select(diesel::dsl::sql::<
            diesel::sql_types::Nullable<diesel::sql_types::Integer>,
        >(&format!(
            "(SELECT c FROM generate_series({CHAINS}, {}) AS c \
             WHERE pg_try_advisory_lock({CHAIN_LOCKS}, c) LIMIT 1)",
            CHAINS + WRITER_CHAINS - 1
        )))
        .get_result(pg)?;
        let Some(chain) = free else {
            return Ok(None);
        };
        let end = chain_end(&mut conn, chain)?;
        Ok(Some(Self { conn, chain, end }))
    }

    pub fn chain(&self) -> i32 {
        self.chain
    }

    /// Appends the entries to this chain; each statement commits by itself, so the
    /// entries go in one statement (at most [`ROWS_PER_STATEMENT`]). On an error the
    /// chain's end here may be stale: drop the `WriterChain`.
    pub fn append_all(
        &mut self,
        events: &[AuditEvent],
        keys: &AuditKeys,
    ) -> Result<Vec<i64>, DbError> {
        if events.is_empty() {
            return Ok(vec![]);
        }
        if events.len() > ROWS_PER_STATEMENT {
            return Err(DbError::Unavailable(
                "too many audit entries for one statement".into(),
            ));
        }
        let AnyConnection::Postgresql(pg) = &mut self.conn else {
            return Err(DbError::Unavailable(
                "a writer chain needs PostgreSQL".into(),
            ));
        };
        let n = i32::try_from(events.len())
            .map_err(|_| DbError::Unavailable("too many audit entries".into()))?;
        let mut numbers: Vec<i64> = NextNumbers(n).load(pg)?;
        numbers.sort_unstable();
        let claim = Claim {
            chain: self.chain,
            numbers,
            end: self.end.clone(),
        };
        let (seqs, end) = write_chained(&mut self.conn, events, claim, keys)?;
        self.end = Some(end);
        Ok(seqs)
    }
}

/// `n` numbers of the audit log's sequence. A statement of its own type, so that diesel
/// keeps it prepared on the writer's connection: as a literal it was parsed and planned
/// on every group, 0.10 of the 0.16 ms PostgreSQL spent on a one-entry group (logged).
#[derive(diesel::query_builder::QueryId)]
struct NextNumbers(i32);

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for NextNumbers {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> diesel::QueryResult<()> {
        out.push_sql("SELECT nextval('audit_log_seq') FROM generate_series(1, ");
        out.push_bind_param::<diesel::sql_types::Integer, _>(&self.0)?;
        out.push_sql(")");
        Ok(())
    }
}

impl diesel::query_builder::Query for NextNumbers {
    type SqlType = diesel::sql_types::BigInt;
}

impl diesel::RunQueryDsl<diesel::PgConnection> for NextNumbers {}

diesel::define_sql_function! {
    /// See the migration `audit_claim`: the lock of a chain, `n` sequence numbers under
    /// it and the chain's last entry, read after the lock is held.
    #[sql_name = "rondom_audit_claim"]
    fn audit_claim(
        n: diesel::sql_types::Integer,
        chains: diesel::sql_types::Integer,
    ) -> diesel::pg::sql_types::Record<(
        diesel::sql_types::Integer,
        diesel::sql_types::Array<diesel::sql_types::BigInt>,
        diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
        diesel::sql_types::Nullable<diesel::sql_types::Text>,
    )>
}

/// Takes the lock of the first free chain (all taken: waits for one), `n` sequence
/// numbers under it, rising, and the chain's last entry, in one round trip. The lock is
/// the transaction's until it ends.
fn claim_pg_chain(c: &mut diesel::PgConnection, n: usize) -> Result<Claim, DbError> {
    let n = i32::try_from(n).map_err(|_| DbError::Unavailable("too many audit entries".into()))?;
    let (chain, mut numbers, last_seq, last_hash): (i32, Vec<i64>, Option<i64>, Option<String>) =
        diesel::select(audit_claim(n, CHAINS)).get_result(c)?;
    numbers.sort_unstable();
    Ok(Claim {
        chain,
        numbers,
        end: last_seq.zip(last_hash),
    })
}

/// Where new entries go: their chain, their sequence numbers (none yet on SQLite, where
/// they follow the chain's end) and the chain's last entry.
struct Claim {
    chain: i32,
    numbers: Vec<i64>,
    end: Option<(i64, String)>,
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

/// The last entry (sequence number, hash) of one chain, by the `(chain, seq)` index.
/// The chain is written into the statement, not bound: a prepared statement with the
/// chain as a parameter gets PostgreSQL's generic plan after five runs, which walks the
/// primary key backwards filtering on the chain (nearly every entry is in chain 0), and
/// so read the whole log for every other chain at every checkpoint (584 ms a chain at a
/// million entries). Planned for its value, a rare chain is read on its own index.
fn chain_end(conn: &mut AnyConnection, chain: i32) -> Result<Option<(i64, String)>, DbError> {
    Ok(audit_log::table
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
            "audit_log.chain = {chain}"
        )))
        .order(audit_log::seq.desc())
        .select((audit_log::seq, audit_log::hash))
        .first(conn)
        .optional()?)
}

/// The last entry (sequence number, hash) of every chain, oldest first: one index
/// lookup per chain.
pub fn chain_heads(conn: &mut AnyConnection) -> Result<Vec<(i64, String)>, DbError> {
    let chains = match conn {
        AnyConnection::Postgresql(_) => CHAINS + WRITER_CHAINS,
        AnyConnection::Sqlite(_) => 1,
    };
    let mut heads = Vec::new();
    for k in 0..chains {
        heads.extend(chain_end(conn, k)?);
    }
    heads.sort_unstable();
    Ok(heads)
}

/// A checkpoint of the log as it stands now (None for an empty log): its latest entry,
/// where it is keyed from, and the end of every other chain.
pub fn checkpoint_now(conn: &mut AnyConnection) -> Result<Option<Checkpoint>, DbError> {
    let mut heads = chain_heads(conn)?;
    let Some((seq, head)) = heads.pop() else {
        return Ok(None);
    };
    Ok(Some(Checkpoint {
        at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        keyed_from: first_keyed(conn, seq)?,
        seq,
        head,
        other_heads: heads,
    }))
}

/// Recomputes every chain in pages, so memory stays flat however long the log is, and
/// holds the log against the checkpoints: each entry a checkpoint vouches for (its
/// latest, and every other chain's end) must still be there with the hash it had, and
/// the keyed part must start where they say it did. Each entry must link to the entry
/// before it in its chain, so a removed entry breaks the chain after it, and an entry
/// moved to another chain breaks both. Entries written before the log was keyed keep
/// their plain hashes, but only as a prefix: after the first keyed entry, every entry
/// must be keyed.
pub fn verify(
    conn: &mut AnyConnection,
    keys: &AuditKeys,
    checkpoints: &[Checkpoint],
) -> Result<VerifyOutcome, DbError> {
    use std::collections::{BTreeMap, HashMap};
    let mut after = 0i64;
    let mut entries = 0i64;
    // Each chain's last hash so far.
    let mut chain_prev: HashMap<i32, String> = HashMap::new();
    let mut keyed_from: Option<i64> = None;
    // Every vouched entry, with the checkpoints that vouch for it; removed once seen.
    let mut vouched: BTreeMap<i64, Vec<(&Checkpoint, &str)>> = BTreeMap::new();
    for c in checkpoints {
        for (seq, hash) in c.vouched() {
            vouched.entry(seq).or_default().push((c, hash));
        }
    }
    loop {
        let page: Vec<AuditEntry> = audit_log::table
            .filter(audit_log::seq.gt(after))
            .order(audit_log::seq.asc())
            .limit(5_000)
            .select(AuditEntry::as_select())
            .load(conn)?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            let prev = chain_prev
                .get(&e.chain)
                .map_or(GENESIS_HASH, String::as_str);
            if e.prev_hash != prev {
                return Ok(VerifyOutcome::Broken {
                    seq: e.seq,
                    problem:
                        "does not point to the entry before it (an entry was removed, or moved)"
                            .into(),
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
            if let Some(cs) = vouched.remove(&e.seq)
                && let Some((c, _)) = cs.iter().find(|(_, hash)| *hash != e.hash)
            {
                return Ok(VerifyOutcome::Broken {
                    seq: e.seq,
                    problem: format!(
                        "differs from the checkpoint of {}: the log was rewritten",
                        c.at
                    ),
                });
            }
            chain_prev.insert(e.chain, e.hash.clone());
            after = e.seq;
            entries += 1;
        }
    }
    // What a checkpoint vouched for and the log no longer holds.
    if let Some((&missing, cs)) = vouched.iter().next()
        && let Some((c, _)) = cs.first()
    {
        return Ok(if missing > after {
            let last_vouched = vouched.keys().next_back().copied().unwrap_or(missing);
            VerifyOutcome::Broken {
                seq: after + 1,
                problem: format!(
                    "the checkpoint of {} vouches for entry {last_vouched}, the log ends at entry {after}: entries were removed from its end",
                    c.at
                ),
            }
        } else {
            VerifyOutcome::Broken {
                seq: missing,
                problem: format!(
                    "entry {missing} is missing, though the checkpoint of {} vouches for it: entries were removed from the end of its chain",
                    c.at
                ),
            }
        });
    }
    let latest = checkpoints.iter().max_by_key(|c| c.seq);
    let first_keyed = keyed_from.unwrap_or(after + 1);
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
