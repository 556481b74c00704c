//! The audit log's group writer for entries that change nothing else (reads, refusals).

use crate::audit::{AuditEvent, ROWS_PER_STATEMENT, WriterChain, append, append_all};
use crate::backend::Backend;
use crate::error::DbError;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// An entry waiting for the group writer, with where to send its sequence number.
pub(crate) type Pending = (AuditEvent, oneshot::Sender<Result<i64, String>>);

/// Most entries in one transaction: bounds how long the chain lock is held.
const MAX_GROUP: usize = 256;

/// The group writer for entries that change nothing else (reads and refusals). Every
/// entry costs a transaction holding the chain's lock; under load, the entries that
/// arrive while one group commits are written together in the next, so twenty people
/// opening their inbox at once cost two commits instead of twenty. Each caller still
/// waits until its own entry is committed: no page is shown before its look is logged.
pub(crate) async fn group_writer(db: super::Db, mut rx: mpsc::UnboundedReceiver<Pending>) {
    let mut own = Own::default();
    while let Some(first) = rx.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(p) => group.push(p),
                Err(_) => break,
            }
        }
        let (events, replies): (Vec<AuditEvent>, Vec<_>) = group.into_iter().unzip();
        let alone = events.len() == 1;
        let written = write_group(&db, &mut own, events.clone()).await;
        match written {
            Ok(seqs) => {
                for (reply, seq) in replies.into_iter().zip(seqs) {
                    // A caller that gave up (its request was cancelled) needs no answer.
                    let _ = reply.send(Ok(seq));
                }
            }
            Err(e) if alone => {
                let _ = replies
                    .into_iter()
                    .next()
                    .map(|r| r.send(Err(e.to_string())));
            }
            // One entry that cannot be written must not cost the others theirs: each is
            // tried on its own, and only the ones that fail again answer with an error.
            Err(_) => {
                for (event, reply) in events.into_iter().zip(replies) {
                    let one = db.write(move |c| append(c, &event)).await;
                    let _ = reply.send(one.map_err(|e| e.to_string()));
                }
            }
        }
    }
}

/// The writer's own chain on PostgreSQL (see `WriterChain`), and when to try again to
/// take one after a failure or when every writer chain was held.
#[derive(Default)]
struct Own {
    chain: Option<WriterChain>,
    next_try: Option<Instant>,
}

/// How long the writer appends by claiming chains after it could not keep one of its own.
const RETRY_OWN_AFTER: Duration = Duration::from_secs(10);

/// Writes one group: on PostgreSQL on the writer's own chain (two round trips), and
/// otherwise, or when that fails, by claiming a chain in a transaction as every other
/// append does. After a failure on its own chain the writer drops it (the connection and
/// its lock with it) and writes the group the other way: if the failure came after the
/// insert had committed (a lost connection), the entries are in the log twice, which
/// loses nothing; missing a look would.
async fn write_group(
    db: &super::Db,
    own: &mut Own,
    events: Vec<AuditEvent>,
) -> Result<Vec<i64>, DbError> {
    let wanted = db.backend() == Backend::Postgres
        && events.len() <= ROWS_PER_STATEMENT
        && own.next_try.is_none_or(|t| Instant::now() >= t);
    let events = if wanted {
        let (held, db2) = (own.chain.take(), db.clone());
        // The events come back with the answer, for the other way if this one fails.
        let done = tokio::task::spawn_blocking(move || {
            let answer = db2.append_on_writer_chain(held, &events);
            (answer, events)
        })
        .await;
        match done {
            Ok(((Some(chain), Ok(seqs)), _)) => {
                own.chain = Some(chain);
                own.next_try = None;
                return Ok(seqs);
            }
            Ok(((_, Err(e)), events)) => {
                tracing::warn!(error = %e, "the audit writer's own chain failed; claiming chains for a while");
                own.next_try = Some(Instant::now() + RETRY_OWN_AFTER);
                events
            }
            Ok(((None, Ok(_)), events)) => {
                own.next_try = Some(Instant::now() + RETRY_OWN_AFTER);
                events
            }
            Err(e) => {
                return Err(DbError::Unavailable(format!(
                    "the audit writer's task failed: {e}"
                )));
            }
        }
    } else {
        events
    };
    db.write(move |c| append_all(c, &events)).await
}
