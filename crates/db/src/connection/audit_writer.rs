//! The audit log's group writer for entries that change nothing else (reads, refusals).

use crate::audit::{AuditEvent, append, append_all};
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
        let written = {
            let events = events.clone();
            db.write(move |c| append_all(c, &events)).await
        };
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
