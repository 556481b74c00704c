//! The group writer of messages. A send is one transaction with the message, its order
//! number, the sender's read mark, the event for the live streams, its audit entry and
//! the e-mail notices that are due; on SQLite every commit waits for the disk, and on
//! PostgreSQL every commit takes the audit chain's lock. Under load the sends that
//! arrive while one group commits are written together in the next (sorted by
//! conversation, so two servers' groups lock rows in one order): sixteen people typing
//! at once cost a few commits, not sixteen. Each sender still waits for their own
//! message to be committed before they hear it was sent.

use super::{conversation_event, participant_users, place_of};
use crate::context::Principal;
use crate::secrets::SecretBox;
use rondom_db::audit::AuditEvent;
use rondom_db::messages::{self as db, Message, Sent};
use rondom_db::{AnyConnection, Db, DbError};
use rondom_domain::ids::{ConversationId, MessageId, UserId};
use rondom_domain::message::{NoticeChoice, notice_due};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Most sends in one transaction: bounds how long the locks are held.
const MAX_GROUP: usize = 128;

/// Who sends, as the request knew them (the writer checks their place itself).
#[derive(Clone)]
pub(crate) struct Acting {
    actor: rondom_domain::Actor,
    name: String,
    source: Option<String>,
}

impl Acting {
    pub(crate) fn of(who: &impl Principal) -> Self {
        Self {
            actor: who.actor().clone(),
            name: who.display_name().to_owned(),
            source: who.source_address().map(str::to_owned),
        }
    }
}

impl Principal for Acting {
    fn actor(&self) -> &rondom_domain::Actor {
        &self.actor
    }
    fn display_name(&self) -> &str {
        &self.name
    }
    fn source_address(&self) -> Option<&str> {
        self.source.as_deref()
    }
}

/// One send, its text checked.
#[derive(Clone)]
pub(crate) struct Send {
    pub conversation_id: String,
    pub who: Acting,
    pub body: String,
    pub client_id: Option<String>,
    /// A document shared with the message, checked, scanned and sealed with the
    /// network's key (shared, not copied, while the writer holds it).
    pub document: Option<Arc<SealedDocument>>,
}

/// A document ready to store.
pub(crate) struct SealedDocument {
    pub name_sealed: String,
    pub media_type: &'static str,
    pub size: i64,
    pub content_sealed: String,
}

/// What became of a send.
#[derive(Clone)]
pub(crate) enum Outcome {
    /// Stored (or found stored by an earlier try), in this network.
    Sent(Sent, String),
    /// The conversation is not there for this person (the refusal is logged).
    NotFound,
    /// This person takes part but documents are not theirs to share (no consent).
    NoDocuments,
}

/// What a send did, and the addresses to mail a notice to.
pub(crate) type Done = (Outcome, Vec<String>);

/// A send waiting for the writer, with where to answer (boxed: the answer is large).
type Pending = (Send, oneshot::Sender<Box<Result<Done, String>>>);

/// The queue to this server's writers, started on first use (they need the runtime).
#[derive(Default, Clone)]
pub struct Queue(Arc<OnceLock<Lanes>>);

/// Writers on PostgreSQL, which commits transactions side by side (SQLite has one
/// writer at a time: one). Fewer than the connection pool holds, so that pages still
/// find a connection while every lane writes.
const POSTGRES_LANES: usize = 4;

/// The writers, and which conversation each is busy with.
struct Lanes {
    queues: Vec<mpsc::UnboundedSender<Pending>>,
    busy: Mutex<Busy>,
}

/// A conversation with sends waiting stays with its lane, so two lanes never hold its
/// row at once and its sends commit in the order they came; a conversation with none
/// goes to the lane with the fewest sends waiting (a fixed lane per conversation put
/// two busy conversations on one lane while another stood idle).
struct Busy {
    conversations: HashMap<String, (usize, usize)>,
    waiting: Vec<usize>,
}

/// A send's place in a lane until it is answered (or its request is dropped).
struct InLane<'a> {
    lanes: &'a Lanes,
    conversation: String,
    lane: usize,
}

impl Lanes {
    fn enter(&self, conversation: &str) -> InLane<'_> {
        let mut b = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        let lane = match b.conversations.get_mut(conversation) {
            Some((lane, n)) => {
                *n += 1;
                *lane
            }
            None => {
                let lane = (0..self.queues.len())
                    .min_by_key(|l| b.waiting.get(*l).copied().unwrap_or(0))
                    .unwrap_or(0);
                b.conversations.insert(conversation.to_owned(), (lane, 1));
                lane
            }
        };
        if let Some(w) = b.waiting.get_mut(lane) {
            *w += 1;
        }
        InLane {
            lanes: self,
            conversation: conversation.to_owned(),
            lane,
        }
    }
}

impl Drop for InLane<'_> {
    fn drop(&mut self) {
        let mut b = self.lanes.busy.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(w) = b.waiting.get_mut(self.lane) {
            *w = w.saturating_sub(1);
        }
        if let Some((_, n)) = b.conversations.get_mut(&self.conversation) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                b.conversations.remove(&self.conversation);
            }
        }
    }
}

impl Queue {
    /// Writes the send (with others that arrive meanwhile) and answers once committed.
    pub(crate) async fn send(
        &self,
        db: &Db,
        secrets: &SecretBox,
        s: Send,
    ) -> Result<Done, crate::Error> {
        let lanes = self.0.get_or_init(|| {
            let n = match db.backend() {
                rondom_db::Backend::Postgres => POSTGRES_LANES,
                rondom_db::Backend::Sqlite => 1,
            };
            let queues = (0..n)
                .map(|_| {
                    let (tx, rx) = mpsc::unbounded_channel();
                    // The writer holds the database and the key, not the queue: it stops
                    // when the last sender (the services) is gone.
                    tokio::spawn(group_writer(db.unmarked(), secrets.clone(), rx));
                    tx
                })
                .collect();
            Lanes {
                queues,
                busy: Mutex::new(Busy {
                    conversations: HashMap::new(),
                    waiting: vec![0; n],
                }),
            }
        });
        let place = lanes.enter(&s.conversation_id);
        let Some(queue) = lanes.queues.get(place.lane) else {
            return Err(crate::Error::internal("no message writer"));
        };
        let (reply, answer) = oneshot::channel();
        if let Err(mpsc::error::SendError((s, _))) = queue.send((s, reply)) {
            let secrets = secrets.clone();
            return Ok(db
                .write(move |c| write_one(c, &secrets, &Keys::default(), &s))
                .await?);
        }
        let answered = answer
            .await
            .map_err(|_| crate::Error::internal("the message writer stopped"))?;
        drop(place);
        (*answered).map_err(|e| crate::Error::Db(DbError::Unavailable(e)))
    }
}

/// The networks' keys a lane opened lately. A network keeps its key for its whole life
/// (a new installation key wraps it again, the key stays), so a copy saves a read and
/// an unwrap on every group; a copy is dropped after a minute, so that a key taken away
/// later (crypto-shredding) stops sealing within that.
#[derive(Default, Clone)]
struct Keys(Arc<Mutex<HashMap<String, (Instant, SecretBox)>>>);

const KEY_KEPT: Duration = Duration::from_secs(60);
/// Past this many networks a lane starts over (a bound on memory).
const KEYS_KEPT: usize = 1_000;

impl Keys {
    fn get(&self, network: &str) -> Option<SecretBox> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(network)
            .filter(|(at, _)| at.elapsed() < KEY_KEPT)
            .map(|(_, k)| k.clone())
    }

    fn put(&self, network: &str, key: SecretBox) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= KEYS_KEPT {
            map.clear();
        }
        map.insert(network.to_owned(), (Instant::now(), key));
    }

    /// The network's key: the copy kept, else read and opened (and kept).
    fn open(
        &self,
        c: &mut AnyConnection,
        secrets: &SecretBox,
        network: &str,
    ) -> Result<SecretBox, DbError> {
        if let Some(k) = self.get(network) {
            return Ok(k);
        }
        let wrapped = db::network_key(c, network)?
            .ok_or_else(|| DbError::Unavailable("the network has no key".into()))?;
        let k = secrets
            .open_data_key(&wrapped)
            .map_err(DbError::Unavailable)?;
        self.put(network, k.clone());
        Ok(k)
    }
}

async fn group_writer(db: Db, secrets: SecretBox, mut rx: mpsc::UnboundedReceiver<Pending>) {
    let kept = Keys::default();
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
            let (sends, secrets, kept) = (sends.clone(), secrets.clone(), kept.clone());
            db.write(move |c| write_all(c, &secrets, &kept, &sends))
                .await
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
                    let (secrets, kept) = (secrets.clone(), kept.clone());
                    let one = db.write(move |c| write_one(c, &secrets, &kept, &s)).await;
                    let _ = reply.send(Box::new(one.map_err(|e| e.to_string())));
                }
            }
        }
    }
}

fn write_one(
    c: &mut AnyConnection,
    secrets: &SecretBox,
    kept: &Keys,
    s: &Send,
) -> Result<Done, DbError> {
    write_all(c, secrets, kept, std::slice::from_ref(s)).map(|mut v| v.remove(0))
}

/// The sends in one transaction, conversation by conversation (the caller sorted them):
/// per conversation its row locked once and its network's facts read once (who takes
/// part, by consent at this moment), earlier sends with the same client id found in one
/// query, the new messages and their events stored in one statement each, the senders'
/// read marks, the e-mail notices due; the audit entries (refusals included) at the end.
/// (On PostgreSQL the stored events announce themselves to the other servers.) Answers
/// per send, in the given order.
fn write_all(
    c: &mut AnyConnection,
    secrets: &SecretBox,
    kept: &Keys,
    sends: &[Send],
) -> Result<Vec<Done>, DbError> {
    let mut out: Vec<Option<Done>> = vec![None; sends.len()];
    let mut audit = Vec::new();
    let now = rondom_db::now();
    let since = now - chrono::Duration::minutes(rondom_domain::message::NOTICE_GAP_MINUTES);
    let mut start = 0;
    while start < sends.len() {
        let conv_id = sends[start].conversation_id.as_str();
        let end = start
            + sends[start..]
                .iter()
                .take_while(|s| s.conversation_id == conv_id)
                .count();
        let group = &sends[start..end];
        // Locked at once: its number is read under the lock, in one statement.
        let found = match db::conversation_locked(c, conv_id)? {
            Some(conv) => {
                let facts = crate::network::facts_in(c, conv.network_id.as_str())?;
                facts.map(|f| (conv, f))
            }
            None => None,
        };
        let Some((conv, facts)) = found else {
            for slot in &mut out[start..end] {
                *slot = Some((Outcome::NotFound, vec![]));
            }
            start = end;
            continue;
        };
        // Only a conversation of chosen members has a list of them.
        let chosen = if conv.kind == rondom_domain::message::ConversationKind::Chosen.code() {
            db::chosen_of(c, std::slice::from_ref(&conv.id.to_string()))?
        } else {
            Vec::new()
        };
        let network = conv.network_id.to_string();
        // Each sender's place, as consent stands now; a refusal is logged like a read's.
        let mut allowed: Vec<(usize, super::Place)> = Vec::new();
        for (i, s) in group.iter().enumerate() {
            let place = facts
                .reach(&s.who)
                .map(|r| place_of(facts.clone(), r, &s.who));
            match place {
                Some(p) if s.document.is_some() && !p.shares_documents(&conv, &chosen) => {
                    let takes_part = p.takes_part(&conv, &chosen);
                    audit.push(AuditEvent {
                        object_type: "conversation".into(),
                        ..conversation_event(&s.who, "document_share", &p, conv_id, "denied")
                    });
                    out[start + i] = Some((
                        if takes_part {
                            Outcome::NoDocuments
                        } else {
                            Outcome::NotFound
                        },
                        vec![],
                    ));
                }
                Some(p) if p.takes_part(&conv, &chosen) => allowed.push((i, p)),
                Some(p) => {
                    audit.push(conversation_event(
                        &s.who,
                        "message_send",
                        &p,
                        conv_id,
                        "denied",
                    ));
                    out[start + i] = Some((Outcome::NotFound, vec![]));
                }
                None => {
                    let mut e = crate::access::event(
                        &s.who,
                        "message_send",
                        rondom_domain::Resource::DirectoryEntry(&facts.network.coordinator_org_id),
                        "denied",
                    );
                    e.object_type = "conversation".into();
                    e.object_id = Some(conv_id.to_owned());
                    audit.push(e);
                    out[start + i] = Some((Outcome::NotFound, vec![]));
                }
            }
        }
        if allowed.is_empty() {
            start = end;
            continue;
        }
        let key = &kept.open(c, secrets, &network)?;
        let last = conv.last_seq;
        // A retry finds the message its first try stored (in an earlier commit, or
        // earlier in this group).
        let client_ids: Vec<String> = allowed
            .iter()
            .filter_map(|(i, _)| group[*i].client_id.clone())
            .collect();
        let earlier = db::by_client_ids(c, conv_id, &client_ids)?;
        let mut fresh: Vec<(usize, Message)> = Vec::new();
        for (i, _) in &allowed {
            let s = &group[*i];
            let author = s.who.actor.user_id.as_str();
            let same = |m: &Message| {
                s.client_id.is_some()
                    && m.client_id == s.client_id
                    && m.author_id.as_str() == author
            };
            if let Some(m) = earlier.iter().find(|m| same(m)) {
                out[start + i] = Some((
                    Outcome::Sent(Sent::Again(m.clone()), network.clone()),
                    vec![],
                ));
                continue;
            }
            if let Some((_, m)) = fresh.iter().find(|(_, m)| same(m)) {
                out[start + i] = Some((
                    Outcome::Sent(Sent::Again(m.clone()), network.clone()),
                    vec![],
                ));
                continue;
            }
            let seq = last + 1 + fresh.len() as i64;
            fresh.push((
                *i,
                Message {
                    id: MessageId::trusted(rondom_db::new_id()),
                    conversation_id: ConversationId::trusted(conv_id),
                    seq,
                    author_id: UserId::trusted(author),
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
            db::insert_messages(c, &network, conv_id, &rows, now)?;
            let doc_ids: Vec<String> = fresh.iter().map(|_| rondom_db::new_id()).collect();
            let docs: Vec<rondom_db::documents::NewDocument<'_>> = fresh
                .iter()
                .zip(&doc_ids)
                .filter_map(|((i, m), id)| {
                    group[*i]
                        .document
                        .as_deref()
                        .map(|d| rondom_db::documents::NewDocument {
                            id,
                            message_id: m.id.as_str(),
                            name_sealed: &d.name_sealed,
                            media_type: d.media_type,
                            size_bytes: d.size,
                            content_sealed: &d.content_sealed,
                        })
                })
                .collect();
            rondom_db::documents::insert(c, &network, &docs, now)?;
            let mut marks: Vec<(&str, i64)> = Vec::new();
            for (_, m) in &fresh {
                match marks.iter_mut().find(|(u, _)| *u == m.author_id.as_str()) {
                    Some(mark) => mark.1 = m.seq,
                    None => marks.push((m.author_id.as_str(), m.seq)),
                }
            }
            db::set_read_marks(c, conv_id, &marks, now)?;
            // E-mail notices: to those who take part, chose them at once and were not
            // mailed about this conversation this quarter (nor earlier in this group).
            let recipients = allowed
                .first()
                .map(|(_, p)| participant_users(p, &conv, &chosen))
                .unwrap_or_default();
            let mut state = db::notice_state(c, conv_id, &recipients)?;
            for (i, m) in &fresh {
                let s = &group[*i];
                let p = allowed
                    .iter()
                    .find(|(j, _)| j == i)
                    .map(|(_, p)| p)
                    .ok_or_else(|| DbError::Unavailable("a send lost its place".into()))?;
                let action = if s.document.is_some() {
                    "document_share"
                } else {
                    "message_send"
                };
                audit.push(AuditEvent {
                    object_type: "message".into(),
                    object_id: Some(m.id.to_string()),
                    ..conversation_event(&s.who, action, p, conv_id, "allowed")
                });
                let mut due = Vec::new();
                for (user, _, mailed, choice) in state.iter_mut() {
                    if user.as_str() == m.author_id.as_str() {
                        continue;
                    }
                    let choice = choice
                        .as_deref()
                        .and_then(NoticeChoice::parse)
                        .unwrap_or_default();
                    if notice_due(choice, *mailed, false, now)
                        && db::mailed_unless_since(c, conv_id, user, since)?
                    {
                        *mailed = Some(now);
                        due.push(user.clone());
                    }
                }
                let mail = rondom_db::users::emails_of(c, &due)?
                    .into_iter()
                    .map(|(_, e)| e)
                    .collect();
                out[start + i] = Some((Outcome::Sent(Sent::New(m.clone()), network.clone()), mail));
            }
        }
        start = end;
    }
    rondom_db::audit::append_all(c, &audit)?;
    out.into_iter()
        .map(|d| d.ok_or_else(|| DbError::Unavailable("a send was not written".into())))
        .collect()
}
