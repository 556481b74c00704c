//! The group writer of messages. A send is one transaction with the message, its order
//! number, the sender's read mark, the event for the live streams, its audit entry and
//! the e-mail notices that are due; on SQLite every commit waits for the disk, and on
//! PostgreSQL every commit takes the audit chain's lock. Under load the sends that
//! arrive while one group commits are written together in the next (sorted by
//! conversation, so two servers' groups lock rows in one order): sixteen people typing
//! at once cost a few commits, not sixteen. Each sender still waits for their own
//! message to be committed before they hear it was sent.

use crate::secrets::SecretBox;
use rondom_db::audit::AuditEvent;
use rondom_db::messages::{self as db, Message, Sent};
use rondom_db::{AnyConnection, Db, DbError};
use rondom_domain::ids::{ConversationId, MessageId, UserId};
use rondom_domain::message::{NoticeChoice, notice_due};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// Most sends in one transaction: bounds how long the locks are held.
const MAX_GROUP: usize = 128;

/// One send as the use case checked it.
#[derive(Clone)]
pub(crate) struct Send {
    pub network_id: String,
    pub conversation_id: String,
    pub author_id: String,
    pub body: String,
    pub client_id: Option<String>,
    pub audit: AuditEvent,
    /// Who takes part besides the sender (for the e-mail notices).
    pub recipients: Vec<String>,
}

/// What a send did: the message, and the addresses to mail a notice to.
pub(crate) type Done = (Sent, Vec<String>);

/// A send waiting for the writer, with where to answer (boxed: the answer is large).
type Pending = (Send, oneshot::Sender<Box<Result<Done, String>>>);

/// The queue to this server's writer, started on first use (it needs the runtime).
#[derive(Default, Clone)]
pub struct Queue(Arc<OnceLock<mpsc::UnboundedSender<Pending>>>);

impl Queue {
    /// Writes the send (with others that arrive meanwhile) and answers once committed.
    pub(crate) async fn send(
        &self,
        db: &Db,
        secrets: &SecretBox,
        s: Send,
    ) -> Result<Done, crate::Error> {
        let queue = self.0.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            // The writer holds the database and the key, not the queue: it stops when the
            // last sender (the services) is gone.
            tokio::spawn(group_writer(db.clone(), secrets.clone(), rx));
            tx
        });
        let (reply, answer) = oneshot::channel();
        if let Err(mpsc::error::SendError((s, _))) = queue.send((s, reply)) {
            let secrets = secrets.clone();
            return Ok(db.write(move |c| write_one(c, &secrets, &s)).await?);
        }
        (*answer
            .await
            .map_err(|_| crate::Error::internal("the message writer stopped"))?)
        .map_err(|e| crate::Error::Db(DbError::Unavailable(e)))
    }
}

async fn group_writer(db: Db, secrets: SecretBox, mut rx: mpsc::UnboundedReceiver<Pending>) {
    while let Some(first) = rx.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(p) => group.push(p),
                Err(_) => break,
            }
        }
        group.sort_by(|a, b| a.0.conversation_id.cmp(&b.0.conversation_id));
        let (sends, replies): (Vec<Send>, Vec<_>) = group.into_iter().unzip();
        let alone = sends.len() == 1;
        let written = {
            let (sends, secrets) = (sends.clone(), secrets.clone());
            db.write(move |c| write_all(c, &secrets, &sends)).await
        };
        match written {
            Ok(done) => {
                for (reply, d) in replies.into_iter().zip(done) {
                    // A sender that gave up (its request was cancelled) needs no answer.
                    let _ = reply.send(Box::new(Ok(d)));
                }
            }
            Err(e) if alone => {
                let _ = replies
                    .into_iter()
                    .next()
                    .map(|r| r.send(Box::new(Err(e.to_string()))));
            }
            // One send that cannot be written must not cost the others theirs.
            Err(_) => {
                for (s, reply) in sends.into_iter().zip(replies) {
                    let secrets = secrets.clone();
                    let one = db.write(move |c| write_one(c, &secrets, &s)).await;
                    let _ = reply.send(Box::new(one.map_err(|e| e.to_string())));
                }
            }
        }
    }
}

fn write_one(c: &mut AnyConnection, secrets: &SecretBox, s: &Send) -> Result<Done, DbError> {
    write_all(c, secrets, std::slice::from_ref(s)).map(|mut v| v.remove(0))
}

/// The sends in one transaction, conversation by conversation (the caller sorted them):
/// per conversation its row locked once, earlier sends with the same client id found in
/// one query, the new messages and their events stored in one statement each, the
/// senders' read marks, the e-mail notices due; the audit entries and the announcements
/// at the end. Answers per send, in the given order.
fn write_all(
    c: &mut AnyConnection,
    secrets: &SecretBox,
    sends: &[Send],
) -> Result<Vec<Done>, DbError> {
    let mut keys: HashMap<&str, SecretBox> = HashMap::new();
    let mut out: Vec<Option<Done>> = vec![None; sends.len()];
    let mut audit = Vec::new();
    let mut networks: Vec<&str> = Vec::new();
    let now = rondom_db::now();
    let since = now - chrono::Duration::minutes(rondom_domain::message::NOTICE_GAP_MINUTES);
    let mut start = 0;
    while start < sends.len() {
        let conv = sends[start].conversation_id.as_str();
        let network = sends[start].network_id.as_str();
        let end = start
            + sends[start..]
                .iter()
                .take_while(|s| s.conversation_id == conv)
                .count();
        let group = &sends[start..end];
        let key = match keys.get(network) {
            Some(k) => k,
            None => {
                let wrapped = db::network_key(c, network)?
                    .ok_or_else(|| DbError::Unavailable("the network has no key".into()))?;
                let k = secrets
                    .open_data_key(&wrapped)
                    .map_err(DbError::Unavailable)?;
                keys.entry(network).or_insert(k)
            }
        };
        let last = db::lock_conversation(c, conv)?;
        // A retry finds the message its first try stored (in an earlier commit, or
        // earlier in this group).
        let client_ids: Vec<String> = group.iter().filter_map(|s| s.client_id.clone()).collect();
        let earlier = db::by_client_ids(c, conv, &client_ids)?;
        let mut fresh: Vec<(usize, Message)> = Vec::new();
        for (i, s) in group.iter().enumerate() {
            let same = |m: &Message| {
                s.client_id.is_some()
                    && m.client_id == s.client_id
                    && m.author_id.as_str() == s.author_id
            };
            if let Some(m) = earlier.iter().find(|m| same(m)) {
                out[start + i] = Some((Sent::Again(m.clone()), vec![]));
                continue;
            }
            if let Some((_, m)) = fresh.iter().find(|(_, m)| same(m)) {
                out[start + i] = Some((Sent::Again(m.clone()), vec![]));
                continue;
            }
            let seq = last + 1 + fresh.len() as i64;
            fresh.push((
                i,
                Message {
                    id: MessageId::trusted(rondom_db::new_id()),
                    conversation_id: ConversationId::trusted(conv),
                    seq,
                    author_id: UserId::trusted(s.author_id.clone()),
                    body_sealed: key.seal(&s.body).map_err(DbError::Unavailable)?,
                    client_id: s.client_id.clone(),
                    sent_at: now,
                    edited_at: None,
                    withdrawn_at: None,
                },
            ));
        }
        if !fresh.is_empty() {
            let rows: Vec<db::NewMessage<'_>> = fresh
                .iter()
                .map(|(_, m)| db::NewMessage {
                    id: m.id.as_str(),
                    seq: m.seq,
                    author_id: m.author_id.as_str(),
                    body_sealed: &m.body_sealed,
                    client_id: m.client_id.as_deref(),
                })
                .collect();
            db::insert_messages(c, network, conv, &rows, now)?;
            let mut marks: Vec<(&str, i64)> = Vec::new();
            for (_, m) in &fresh {
                match marks.iter_mut().find(|(u, _)| *u == m.author_id.as_str()) {
                    Some(mark) => mark.1 = m.seq,
                    None => marks.push((m.author_id.as_str(), m.seq)),
                }
            }
            db::set_read_marks(c, conv, &marks, now)?;
            if !networks.contains(&network) {
                networks.push(network);
            }
            // E-mail notices: to those who chose them at once and were not mailed about
            // this conversation this quarter (nor earlier in this group).
            let mut everyone: Vec<String> =
                group.iter().flat_map(|s| s.recipients.clone()).collect();
            everyone.sort();
            everyone.dedup();
            let mut state = db::notice_state(c, conv, &everyone)?;
            for (i, m) in &fresh {
                let s = &group[*i];
                audit.push(AuditEvent {
                    object_type: "message".into(),
                    object_id: Some(m.id.to_string()),
                    ..s.audit.clone()
                });
                let mut due = Vec::new();
                for (user, _, mailed, choice) in state.iter_mut() {
                    if !s.recipients.contains(user) || *user == s.author_id {
                        continue;
                    }
                    let choice = choice
                        .as_deref()
                        .and_then(NoticeChoice::parse)
                        .unwrap_or_default();
                    if notice_due(choice, *mailed, false, now)
                        && db::mailed_unless_since(c, conv, user, since)?
                    {
                        *mailed = Some(now);
                        due.push(user.clone());
                    }
                }
                let mail = rondom_db::users::emails_of(c, &due)?
                    .into_iter()
                    .map(|(_, e)| e)
                    .collect();
                out[start + i] = Some((Sent::New(m.clone()), mail));
            }
        }
        start = end;
    }
    db::announce_networks(c, &networks)?;
    rondom_db::audit::append_all(c, &audit)?;
    out.into_iter()
        .map(|d| d.ok_or_else(|| DbError::Unavailable("a send was not written".into())))
        .collect()
}
