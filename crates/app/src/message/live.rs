//! The live stream of one person (`GET /api/v1/events`, and the pages' live updates):
//! every new message, edit, withdrawal, read receipt, new conversation and membership
//! change in their networks, in commit order, each with an id usable as Last-Event-ID.
//! The stream is woken by "network N has news" (`rondom_db::News`) and reads what
//! happened from the database; every event is checked against the network's consent as
//! it is delivered, so a withdrawal stops the stream's next delivery.

use super::{MessageView, conversation_event, data_key, place_of, views};
use crate::access;
use crate::context::{Principal, Services};
use crate::error::Error;
use rondom_db::messages::{self as db, Cursor};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::Notify;

/// How many events one read of the stream takes at most.
const BATCH: i64 = 200;

/// What a stream delivers.
#[derive(Debug, Clone)]
pub enum Live {
    /// A new message, or one edited or withdrawn (then `kind` says which).
    Message {
        network_id: String,
        conversation_id: String,
        message: Box<MessageView>,
    },
    /// Someone read a conversation up to `seq`.
    Read {
        network_id: String,
        conversation_id: String,
        user_id: String,
        seq: i64,
    },
    /// A conversation was opened that this person takes part in.
    Conversation {
        network_id: String,
        conversation_id: String,
    },
    /// Members or consent changed in a network (what the person sees may have changed).
    Membership { network_id: String },
}

#[derive(Debug, Clone)]
pub struct LiveEvent {
    /// The cursor after this event: a client that reconnects sends it as Last-Event-ID.
    pub id: String,
    /// message, edit, withdrawn, read, conversation, membership
    pub kind: String,
    pub data: Live,
}

/// The text form of a cursor ("tx-id").
pub fn cursor_text(c: Cursor) -> String {
    format!("{}-{}", c.0, c.1)
}

/// Reads a Last-Event-ID; None for anything that is not one of ours.
pub fn parse_cursor(text: &str) -> Option<Cursor> {
    let (tx, id) = text.trim().split_once('-')?;
    Some((tx.parse().ok()?, id.parse().ok()?))
}

/// What one read of a stream found.
#[derive(Debug, Default)]
pub struct Batch {
    /// What this person may see, in order.
    pub events: Vec<LiveEvent>,
    /// The read was full: read again at once.
    pub more: bool,
    /// Events are committed that cannot be read in order yet (PostgreSQL, an older
    /// transaction still open): read again in a moment.
    pub unsettled: bool,
}

/// One person's open stream.
pub struct Stream {
    networks: Vec<String>,
    cursor: Cursor,
    wake: Arc<Notify>,
    /// Conversations whose read this stream logged already (one entry per conversation
    /// per stream, not one per message).
    logged: HashSet<String>,
}

impl Stream {
    /// Opens a stream from `last_event_id` (what the client missed is delivered first),
    /// or from now.
    pub async fn open(
        svc: &Services,
        who: &impl Principal,
        last_event_id: Option<&str>,
    ) -> Result<Self, Error> {
        let cursor = match last_event_id.and_then(parse_cursor) {
            Some(c) => c,
            None => svc.db.read(db::cursor_now).await?,
        };
        let mut s = Self {
            networks: vec![],
            cursor,
            wake: Arc::new(Notify::new()),
            logged: HashSet::new(),
        };
        s.refresh(svc, who).await?;
        Ok(s)
    }

    /// The networks this person is in, subscribed to (again).
    async fn refresh(&mut self, svc: &Services, who: &impl Principal) -> Result<(), Error> {
        let user = who.actor().user_id.clone();
        let orgs: Vec<String> = who
            .actor()
            .memberships
            .iter()
            .map(|(o, _)| o.clone())
            .collect();
        let networks = svc
            .db
            .read(move |c| rondom_db::networks::of_member(c, &user, &orgs))
            .await?;
        self.networks = networks.into_iter().map(|n| n.id.to_string()).collect();
        let mut topics = self.networks.clone();
        topics.push(rondom_db::connection::user_topic(&who.actor().user_id));
        svc.db.news().subscribe(&topics, &self.wake);
        Ok(())
    }

    /// What wakes this stream: wait on it between reads.
    pub fn wake(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// The cursor of the last event read (delivered or not).
    pub fn cursor(&self) -> String {
        cursor_text(self.cursor)
    }

    /// The events since the last read that this person may see now.
    pub async fn next(&mut self, svc: &Services, who: &impl Principal) -> Result<Batch, Error> {
        let me = who.actor().user_id.clone();
        let (nets, cursor, user) = (self.networks.clone(), self.cursor, me.clone());
        // Everything in one read: the events, and for them the networks' facts (consent
        // as it stands at this moment), the conversations, the messages, the keys.
        let found = svc
            .db
            .read(move |c| {
                let events = db::events_after(c, &nets, &user, cursor, BATCH)?;
                let from = events.last().map_or(cursor, |e| (e.tx, e.id));
                let unsettled =
                    (events.len() as i64) < BATCH && db::unsettled(c, &nets, &user, from)?;
                let mut facts = Vec::new();
                let mut keys = Vec::new();
                let mut marks = Vec::new();
                let net_ids: HashSet<&str> = events.iter().map(|e| e.network_id.as_str()).collect();
                for n in net_ids {
                    if let Some(f) = crate::network::facts_in(c, n)? {
                        facts.push(f);
                    }
                    if let Some(k) = db::network_key(c, n)? {
                        keys.push((n.to_owned(), k));
                    }
                    marks.extend(rondom_db::networks::not_for_parents(c, n)?);
                }
                let conv_ids: Vec<String> = events
                    .iter()
                    .filter_map(|e| e.conversation_id.clone())
                    .collect::<HashSet<_>>()
                    .into_iter()
                    .collect();
                let mut convs = Vec::new();
                for id in &conv_ids {
                    if let Some(conv) = db::conversation(c, id)? {
                        convs.push(conv);
                    }
                }
                let msg_ids: Vec<String> =
                    events.iter().filter_map(|e| e.message_id.clone()).collect();
                let chosen = db::chosen_of(c, &conv_ids)?;
                let msgs = db::messages_by_ids(c, &msg_ids)?;
                let documents = rondom_db::documents::of_messages(c, &msg_ids)?;
                Ok((
                    events, unsettled, facts, keys, marks, convs, chosen, msgs, documents,
                ))
            })
            .await?;
        let (events, unsettled, facts, keys, marks, convs, chosen, msgs, documents) = found;
        let more = events.len() as i64 == BATCH;
        let Some(last) = events.last() else {
            return Ok(Batch {
                unsettled,
                ..Batch::default()
            });
        };
        self.cursor = (last.tx, last.id);
        if events
            .iter()
            .any(|e| e.kind == db::MEMBERSHIP && e.user_id.as_deref() == Some(me.as_str()))
        {
            self.refresh(svc, who).await?;
        }
        let mut places = HashMap::new();
        for f in facts {
            let Some(reach) = f.reach(who) else {
                continue;
            };
            places.insert(f.network.id.to_string(), place_of(f, reach, who));
        }
        let mut authors: Vec<String> = msgs.iter().map(|m| m.author_id.to_string()).collect();
        authors.sort();
        authors.dedup();
        let names = svc
            .db
            .read(move |c| rondom_db::users::names_of(c, &authors))
            .await?;
        let read = super::Read {
            names,
            marks,
            documents,
        };
        let mut out = Vec::new();
        let mut to_log = Vec::new();
        for e in &events {
            let id = cursor_text((e.tx, e.id));
            let Some(p) = places.get(&e.network_id) else {
                continue;
            };
            if e.kind == db::MEMBERSHIP {
                out.push(LiveEvent {
                    id,
                    kind: e.kind.clone(),
                    data: Live::Membership {
                        network_id: e.network_id.clone(),
                    },
                });
                continue;
            }
            let Some(conv) = e
                .conversation_id
                .as_deref()
                .and_then(|cid| convs.iter().find(|c| c.id.as_str() == cid))
            else {
                continue;
            };
            if !p.takes_part(conv, &chosen) {
                continue;
            }
            let (network_id, conversation_id) = (e.network_id.clone(), conv.id.to_string());
            let data = match e.kind.as_str() {
                db::CONVERSATION => Live::Conversation {
                    network_id,
                    conversation_id,
                },
                db::READ => Live::Read {
                    network_id,
                    conversation_id,
                    user_id: e.user_id.clone().unwrap_or_default(),
                    seq: 0,
                },
                _ => {
                    let Some(m) = e
                        .message_id
                        .as_deref()
                        .and_then(|mid| msgs.iter().find(|m| m.id.as_str() == mid))
                    else {
                        continue;
                    };
                    let key = keys
                        .iter()
                        .find(|(n, _)| n == &e.network_id)
                        .map(|(_, w)| data_key(svc, w))
                        .transpose()?;
                    let Some(view) =
                        views(who, p, conv, &chosen, key.as_ref(), vec![m.clone()], &read)
                            .into_iter()
                            .next()
                    else {
                        continue;
                    };
                    if self.logged.insert(conversation_id.clone()) {
                        to_log.push(conversation_event(
                            who,
                            "conversation_read",
                            p,
                            &conversation_id,
                            "allowed",
                        ));
                    }
                    Live::Message {
                        network_id,
                        conversation_id,
                        message: Box::new(view),
                    }
                }
            };
            out.push(LiveEvent {
                id,
                kind: e.kind.clone(),
                data,
            });
        }
        // Read receipts carry the reader's mark as it stands now.
        let reads: Vec<String> = out
            .iter()
            .filter_map(|e| match &e.data {
                Live::Read {
                    conversation_id, ..
                } => Some(conversation_id.clone()),
                _ => None,
            })
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        if !reads.is_empty() {
            let marks = svc
                .db
                .read(move |c| {
                    let mut all = Vec::new();
                    for cid in &reads {
                        for (u, seq, _) in db::readers(c, cid)? {
                            all.push((cid.clone(), u.to_string(), seq));
                        }
                    }
                    Ok(all)
                })
                .await?;
            for e in &mut out {
                if let Live::Read {
                    conversation_id,
                    user_id,
                    seq,
                    ..
                } = &mut e.data
                    && let Some(m) = marks
                        .iter()
                        .find(|(c, u, _)| c == conversation_id && u == user_id)
                {
                    *seq = m.2;
                }
            }
        }
        // What the stream shows of a child's conversation is a read of it.
        for entry in to_log {
            access::record(svc, entry).await?;
        }
        Ok(Batch {
            events: out,
            more,
            unsettled,
        })
    }
}
