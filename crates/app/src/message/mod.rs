//! Messages in a child's network (berichten, issue 15): conversations with the whole
//! network, the professionals only, or chosen members; text sealed with the network's
//! own key. Who reads follows the family's consent for messages at the moment of
//! reading (`rondom_domain::message::takes_part`), asked on every request and for every
//! event a live stream delivers: a withdrawal stops the next read on every server.
//!
//! `conversations` lists a network's, `start` opens one, `read` shows one (and moves the
//! reader's mark), `send`, `edit` and `withdraw` change one, `live` feeds the streams.

pub mod documents;
pub mod live;
pub mod notices;
pub mod writer;

use crate::access::{self, Disclosed};
use crate::context::{Principal, Services};
use crate::error::{Checked, Error};
use crate::network::{Facts, Reach, family_of, load};
use crate::secrets::SecretBox;
use rondom_db::audit::AuditEvent;
use rondom_db::messages::{self as db, Conversation, Message};
use rondom_domain::Resource;
use rondom_domain::consent::{Category, kept_from};
use rondom_domain::ids::{ConversationId, MemberId, MessageId};
use rondom_domain::message::{self as rules, ConversationKind, Seat, Segment};
use rondom_domain::validate::ValidationError;
use std::collections::HashMap;

/// The kind of item a message is in `not_for_parents`.
pub const MESSAGE_ITEM: &str = "message";

/// How many messages a conversation page shows at once.
pub const PAGE: i64 = 50;

/// A person's place in one network, as messages read it.
pub(crate) struct Place {
    pub f: Facts,
    /// Only that the network exists (no consent for membership): nothing of the child.
    pub exists_only: bool,
    pub seat: Seat,
    /// The member this person is (for chosen conversations).
    pub member: Option<MemberId>,
    /// Items marked not for the parents are hidden from this person.
    pub kept: bool,
}

impl Place {
    /// This person's seat in one conversation (its kind, and whether they were chosen).
    fn seat_in(
        &self,
        c: &Conversation,
        chosen: &[(String, MemberId)],
    ) -> Option<(ConversationKind, Seat)> {
        let kind = ConversationKind::parse(&c.kind)?;
        let seat = Seat {
            chosen: self.member.as_ref().is_some_and(|m| {
                chosen
                    .iter()
                    .any(|(conv, member)| conv == c.id.as_str() && member == m)
            }),
            ..self.seat
        };
        Some((kind, seat))
    }

    pub fn takes_part(&self, c: &Conversation, chosen: &[(String, MemberId)]) -> bool {
        self.seat_in(c, chosen)
            .is_some_and(|(kind, seat)| rules::takes_part(kind, seat))
    }

    /// Sees and shares the conversation's documents (consent for documents).
    pub fn shares_documents(&self, c: &Conversation, chosen: &[(String, MemberId)]) -> bool {
        self.seat_in(c, chosen)
            .is_some_and(|(kind, seat)| rules::shares_documents(kind, seat))
    }
}

/// Where this person stands in a network; "not found" (logged) when they are not in it.
pub(crate) async fn place(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
) -> Result<Place, Error> {
    let (f, reach) = load(svc, who, network_id).await?;
    Ok(place_of(f, reach, who))
}

pub(crate) fn place_of(f: Facts, reach: Reach, who: &impl Principal) -> Place {
    let today = crate::dates::today();
    let family = f.family_member(who).cloned();
    let member = family
        .as_ref()
        .map(|m| m.id.clone())
        .or_else(|| crate::network::membership_of(who, &f.members).map(|m| m.id.clone()));
    let user = who.actor().user_id.as_str();
    let emergency = f.emergencies.iter().any(|(u, _)| u == user);
    let seat = if reach == Reach::ExistsOnly {
        Seat::default()
    } else {
        Seat {
            coordinator: reach == Reach::Coordinates,
            family: family.is_some(),
            decides: family.as_ref().is_some_and(|m| f.decides(&m.id)),
            consent: emergency
                || member
                    .as_ref()
                    .is_some_and(|m| f.standing(m, Category::Messages).holds()),
            chosen: false,
            documents: emergency
                || member
                    .as_ref()
                    .is_some_and(|m| f.standing(m, Category::Documents).holds()),
        }
    };
    let kept = family.as_ref().is_some_and(|m| {
        family_of(&f.members)
            .iter()
            .find(|x| x.id == m.id.as_str())
            .is_none_or(|x| kept_from(f.child.birth_date, today, x))
    });
    Place {
        f,
        exists_only: reach == Reach::ExistsOnly,
        seat,
        member,
        kept,
    }
}

/// The audit entry for something done in a conversation, with the child.
pub(crate) fn conversation_event(
    who: &impl Principal,
    action: &str,
    p: &Place,
    conversation_id: &str,
    outcome: &str,
) -> AuditEvent {
    let n = &p.f.network;
    let e = access::event(
        who,
        action,
        Resource::DirectoryEntry(&n.coordinator_org_id),
        outcome,
    );
    AuditEvent {
        object_type: "conversation".into(),
        object_id: Some(conversation_id.to_owned()),
        child_id: Some(n.child_id.to_string()),
        subject_org_ids: vec![n.coordinator_org_id.to_string()],
        ..e
    }
}

/// The network's data key, opened.
fn data_key(svc: &Services, wrapped: &str) -> Result<SecretBox, Error> {
    svc.secrets.open_data_key(wrapped).map_err(|e| {
        tracing::error!(error = %e, "a network's data key does not open");
        Error::internal("a network's data key does not open")
    })
}

/// Opens a text sealed with the network's key (a value that does not open shows as such).
fn open_text(key: Option<&SecretBox>, sealed: &str, what: &'static str) -> String {
    match key {
        Some(k) => k.open_shown(sealed, what),
        None => crate::secrets::UNREADABLE.to_owned(),
    }
}

/// A conversation in a list.
pub struct ConversationLine {
    pub id: String,
    pub title: String,
    pub kind: ConversationKind,
    pub unread: i64,
    pub last_at: String,
    pub messages: i64,
    /// For chosen conversations: who is in it.
    pub with: Vec<String>,
    /// For a conversation with the whole network: the members who are not in it.
    pub left_out: Vec<String>,
}

impl ConversationLine {
    /// Who takes part, in words.
    pub fn audience(&self) -> String {
        rondom_domain::message::audience(self.kind, &self.left_out)
    }
}

/// A network's conversations as this person may see them.
pub struct ConversationList {
    pub network_id: String,
    pub child_name: String,
    pub conversations: Vec<ConversationLine>,
    /// The kinds of conversation this person may start.
    pub may_start: Vec<ConversationKind>,
    /// Members who can be chosen for a conversation: (member id, name, what).
    pub choosable: Vec<(String, String, String)>,
    /// This person is family (the page speaks to them).
    pub viewer_is_family: bool,
    /// This person is in the network but messages are not (yet) allowed for them.
    pub no_consent: bool,
}

/// Members by name: (member id, name, what they are for the child).
type Names = Vec<(String, String, String)>;

/// The names of members (people by account, others by sealed name or organisation).
async fn member_names(svc: &Services, f: &Facts) -> Result<Names, Error> {
    let (people, orgs) = named_in(f);
    let named: HashMap<String, String> = svc
        .db
        .read(move |c| rondom_db::users::names_with_organisations(c, &people, &orgs))
        .await?
        .into_iter()
        .collect();
    Ok(names_from(svc, f, &named))
}

/// The people and organisations a network's members are named after (by id).
fn named_in(f: &Facts) -> (Vec<String>, Vec<String>) {
    let people = f
        .members
        .iter()
        .filter_map(|m| m.user_id.as_ref().map(ToString::to_string))
        .collect();
    let orgs = f
        .members
        .iter()
        .filter_map(|m| m.organisation_id.as_ref().map(ToString::to_string))
        .collect();
    (people, orgs)
}

/// The members' names, from the names of people and organisations by id.
fn names_from(svc: &Services, f: &Facts, named: &HashMap<String, String>) -> Names {
    f.members
        .iter()
        .filter(|m| m.is_active())
        .map(|m| {
            let org = m
                .organisation_id
                .as_deref()
                .and_then(|o| named.get(o))
                .cloned()
                .unwrap_or_default();
            let name = match (&m.user_id, &m.name_sealed) {
                (Some(u), _) => named.get(u.as_str()).cloned().unwrap_or_default(),
                (None, Some(sealed)) => svc.secrets.open_shown(sealed, "member name"),
                (None, None) => org.clone(),
            };
            let what = match m.relation.as_deref() {
                Some("jeugdige") => "jongere".to_owned(),
                Some(r) => r.to_owned(),
                None if m.user_id.is_some() && !org.is_empty() => {
                    format!("{} bij {org}", m.role_label)
                }
                None => m.role_label.clone(),
            };
            (m.id.to_string(), name, what)
        })
        .collect()
}

/// The conversations of a network this person takes part in; the look is logged.
pub async fn conversations(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
) -> Result<Disclosed<ConversationList>, Error> {
    let p = place(svc, who, network_id).await?;
    let (nid, user) = (p.f.network.id.to_string(), who.actor().user_id.clone());
    let (convs, chosen, reads, wrapped) = svc
        .db
        .read(move |c| {
            let convs = db::conversations_of(c, &nid)?;
            let ids: Vec<String> = convs.iter().map(|c| c.id.to_string()).collect();
            Ok((
                convs,
                db::chosen_of(c, &ids)?,
                db::reads_of(c, &user, &ids)?,
                db::network_key(c, &nid)?,
            ))
        })
        .await?;
    crate::network::record(svc, who, "conversation_list_read", &p.f.network, "allowed").await?;
    let key = wrapped.as_deref().map(|w| data_key(svc, w)).transpose()?;
    let names = member_names(svc, &p.f).await?;
    let lines = convs
        .iter()
        .filter(|c| p.takes_part(c, &chosen))
        .map(|c| {
            let read = reads
                .iter()
                .find(|(id, _)| id == c.id.as_str())
                .map_or(0, |r| r.1);
            let with = chosen
                .iter()
                .filter(|(conv, _)| conv == c.id.as_str())
                .filter_map(|(_, m)| names.iter().find(|n| n.0 == m.as_str()))
                .map(|n| n.1.clone())
                .collect();
            ConversationLine {
                id: c.id.to_string(),
                title: open_text(key.as_ref(), &c.title_sealed, "conversation title"),
                kind: ConversationKind::parse(&c.kind).unwrap_or(ConversationKind::Chosen),
                unread: (c.last_seq - read).max(0),
                last_at: crate::dates::datetime(c.last_at),
                messages: c.last_seq,
                with,
                left_out: left_out(&p, c, &chosen, &names),
            }
        })
        .collect();
    let may_start: Vec<ConversationKind> = ConversationKind::ALL
        .into_iter()
        .filter(|k| {
            rules::takes_part(
                *k,
                Seat {
                    chosen: true,
                    ..p.seat
                },
            )
        })
        .collect();
    let me = p.member.as_ref().map(ToString::to_string);
    // A member without consent for membership learns nothing of the child or the others.
    let choosable = if p.exists_only {
        vec![]
    } else {
        names
            .into_iter()
            .filter(|(id, _, _)| Some(id) != me.as_ref())
            .collect()
    };
    Ok(Disclosed::logged(ConversationList {
        network_id: p.f.network.id.to_string(),
        child_name: if p.exists_only {
            "een kind".to_owned()
        } else {
            svc.secrets.open_shown(&p.f.child.name_sealed, "child name")
        },
        no_consent: may_start.is_empty(),
        may_start,
        choosable,
        viewer_is_family: p.seat.family,
        conversations: lines,
    }))
}

/// A new conversation as typed.
#[derive(Debug, Default, Clone)]
pub struct NewConversation {
    pub kind: String,
    pub title: String,
    /// Member ids, for a conversation of chosen members.
    pub chosen: Vec<String>,
    /// The first message, if one was written.
    pub body: String,
}

/// Opens a conversation in the network, with its first message when one was written.
pub async fn start(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    input: NewConversation,
) -> Result<Checked<ConversationId>, Error> {
    let p = place(svc, who, network_id).await?;
    let mut problems = Vec::new();
    let kind = ConversationKind::parse(&input.kind);
    if kind.is_none() {
        problems.push(ValidationError::new(
            "kind",
            "Kies met wie u het gesprek voert.",
        ));
    }
    let title = rules::title(&input.title)
        .map_err(|e| problems.push(e))
        .ok();
    let body = if input.body.trim().is_empty() {
        None
    } else {
        rules::body(&input.body).map_err(|e| problems.push(e)).ok()
    };
    // Whether this person may start this kind of conversation at all, before anything
    // about the network's members is looked at.
    if let Some(k) = kind
        && !rules::takes_part(
            k,
            Seat {
                chosen: true,
                ..p.seat
            },
        )
    {
        return Err(crate::access::deny(
            svc,
            who,
            "conversation_start",
            Resource::DirectoryEntry(&p.f.network.coordinator_org_id),
            p.f.network.id.as_str(),
        )
        .await);
    }
    // The chosen members must be active members of this network, and not the person
    // themselves (who is added).
    let mut chosen: Vec<String> = Vec::new();
    if kind == Some(ConversationKind::Chosen) {
        for id in &input.chosen {
            let found =
                p.f.members
                    .iter()
                    .find(|m| m.is_active() && m.id.as_str() == id.trim());
            match found {
                Some(m) if Some(&m.id) != p.member.as_ref() => {
                    if !chosen.contains(&m.id.to_string()) {
                        chosen.push(m.id.to_string());
                    }
                }
                Some(_) => {}
                None => {
                    return Err(Error::NotFound);
                }
            }
        }
        if chosen.is_empty() {
            problems.push(ValidationError::new(
                "chosen",
                "Kies minstens één persoon voor dit gesprek.",
            ));
        }
    }
    let Some(kind) = kind else {
        return Ok(Err(problems));
    };
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let seat = Seat {
        chosen: true,
        ..p.seat
    };
    if !rules::takes_part(kind, seat) {
        return Err(crate::access::deny(
            svc,
            who,
            "conversation_start",
            Resource::DirectoryEntry(&p.f.network.coordinator_org_id),
            p.f.network.id.as_str(),
        )
        .await);
    }
    let title = title
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| default_title(kind).to_owned());
    if let Some(me) = &p.member {
        chosen.push(me.to_string());
    }
    let nid = p.f.network.id.to_string();
    let user = who.actor().user_id.clone();
    let secrets = svc.secrets.clone();
    let fresh = svc.secrets.new_data_key().map_err(Error::internal)?.1;
    let mut started = conversation_event(who, "conversation_start", &p, "", "allowed");
    let id = svc
        .db
        .write(move |c| {
            let wrapped = match db::network_key(c, &nid)? {
                Some(w) => w,
                None => db::put_network_key(c, &nid, &fresh)?,
            };
            let key = secrets
                .open_data_key(&wrapped)
                .map_err(rondom_db::DbError::Unavailable)?;
            let seal = |t: &str| key.seal(t).map_err(rondom_db::DbError::Unavailable);
            let chosen = if kind == ConversationKind::Chosen {
                chosen
            } else {
                vec![]
            };
            let id = db::create_conversation(c, &nid, kind.code(), &seal(&title)?, &user, &chosen)?;
            started.object_id = Some(id.to_string());
            rondom_db::audit::append(c, &started)?;
            Ok(id)
        })
        .await?;
    svc.db.news().announce(p.f.network.id.as_str());
    // The first message goes the way every message goes: checked, logged, announced,
    // with its notices.
    if let Some(b) = body {
        send(svc, who, id.as_str(), &b, None)
            .await?
            .map_err(|_| Error::internal("a first message that passed its checks was refused"))?;
    }
    Ok(Ok(id))
}

/// The title of a conversation nobody named.
pub fn default_title(kind: ConversationKind) -> &'static str {
    match kind {
        ConversationKind::Network => "Gesprek met het hele netwerk",
        ConversationKind::Professionals => "Overleg tussen professionals",
        ConversationKind::Chosen => "Gesprek",
    }
}

/// A message as a reader sees it.
#[derive(Debug, Clone)]
pub struct MessageView {
    pub id: String,
    pub seq: i64,
    pub author_id: String,
    pub author: String,
    pub mine: bool,
    /// Empty when withdrawn or kept from this reader.
    pub body: String,
    pub segments: Vec<Segment>,
    pub sent_at: chrono::NaiveDateTime,
    pub sent: String,
    pub edited: bool,
    pub withdrawn: bool,
    /// Kept from this reader (marked not for the parents).
    pub kept: bool,
    /// Marked not for the parents (shown to those who still see it).
    pub kept_from_parents: bool,
    pub may_withdraw: bool,
    /// The document shared with this message (none when withdrawn or kept).
    pub document: Option<documents::DocumentView>,
}

/// A conversation as a reader sees it.
pub struct ConversationView {
    pub id: String,
    pub network_id: String,
    pub child_name: String,
    pub title: String,
    pub kind: ConversationKind,
    pub messages: Vec<MessageView>,
    /// An earlier page starts before this seq.
    pub older_before: Option<i64>,
    pub last_seq: i64,
    /// Per message (seq): who read it, by name (not the author).
    pub read_by: Vec<(String, i64)>,
    /// Who takes part now, by name.
    pub participants: Vec<String>,
    /// For a conversation with the whole network: the members who are not in it.
    pub left_out: Vec<String>,
    /// This person may mark messages not for the parents (a professional, the child
    /// 12 or over).
    pub may_mark: bool,
    /// This person sees and shares documents here (the family's consent for documents).
    pub may_share_documents: bool,
}

impl ConversationView {
    /// Who takes part, in words.
    pub fn audience(&self) -> String {
        rondom_domain::message::audience(self.kind, &self.left_out)
    }
}

/// A conversation loaded for this person, or "not found" (the refusal logged).
pub(crate) async fn conversation_for(
    svc: &Services,
    who: &impl Principal,
    conversation_id: &str,
) -> Result<(Place, Conversation, Vec<(String, MemberId)>), Error> {
    let id = conversation_id.to_owned();
    // The conversation and its network's facts in one read.
    let found = svc
        .db
        .read(move |c| {
            let Some(conv) = db::conversation(c, &id)? else {
                return Ok(None);
            };
            let chosen = db::chosen_of(c, std::slice::from_ref(&id))?;
            let facts = crate::network::facts_in(c, conv.network_id.as_str())?;
            Ok(Some((conv, chosen, facts)))
        })
        .await?;
    let Some((conv, chosen, facts)) = found else {
        return Err(Error::NotFound);
    };
    let f = facts.ok_or(Error::NotFound)?;
    let Some(reach) = f.reach(who) else {
        crate::network::record(svc, who, "network_read", &f.network, "denied").await?;
        return Err(Error::NotFound);
    };
    let p = place_of(f, reach, who);
    if !p.takes_part(&conv, &chosen) {
        access::record(
            svc,
            conversation_event(who, "conversation_read", &p, conversation_id, "denied"),
        )
        .await?;
        return Err(Error::NotFound);
    }
    Ok((p, conv, chosen))
}

/// What showing messages needs besides them, read with them: the names of their
/// authors (and of `people`), the items kept from the parents, their documents.
pub(crate) struct Read {
    pub names: Vec<(String, String)>,
    pub marks: Vec<(String, String)>,
    pub documents: Vec<rondom_db::documents::DocumentInfo>,
}

impl Read {
    fn of(
        c: &mut rondom_db::AnyConnection,
        network_id: &str,
        msgs: &[Message],
        people: impl Iterator<Item = String>,
    ) -> Result<Self, rondom_db::DbError> {
        let mut ids: Vec<String> = msgs.iter().map(|m| m.author_id.to_string()).collect();
        ids.extend(people);
        ids.sort();
        ids.dedup();
        let message_ids: Vec<String> = msgs.iter().map(|m| m.id.to_string()).collect();
        Ok(Self {
            names: rondom_db::users::names_of(c, &ids)?,
            marks: rondom_db::networks::not_for_parents(c, network_id)?,
            documents: rondom_db::documents::of_messages(c, &message_ids)?,
        })
    }
}

/// Messages as this person sees them.
#[allow(clippy::too_many_arguments)]
fn views(
    who: &impl Principal,
    p: &Place,
    conv: &Conversation,
    chosen: &[(String, MemberId)],
    key: Option<&SecretBox>,
    msgs: Vec<Message>,
    read: &Read,
) -> Vec<MessageView> {
    let (names, marks, docs) = (&read.names, &read.marks, &read.documents);
    let me = who.actor().user_id.as_str();
    let now = rondom_db::now();
    let may_open = p.shares_documents(conv, chosen);
    msgs.into_iter()
        .map(|m| {
            let marked = marks
                .iter()
                .any(|(k, id)| k == MESSAGE_ITEM && id == m.id.as_str());
            let kept = marked && p.kept;
            let withdrawn = m.withdrawn_at.is_some();
            let body = if withdrawn || kept {
                String::new()
            } else {
                open_text(key, &m.body_sealed, "message")
            };
            let mine = m.author_id.as_str() == me;
            MessageView {
                id: m.id.to_string(),
                seq: m.seq,
                author_id: m.author_id.to_string(),
                author: names
                    .iter()
                    .find(|(u, _)| u == m.author_id.as_str())
                    .map_or_else(String::new, |(_, n)| n.clone()),
                mine,
                segments: rules::segments(&body),
                body,
                sent_at: m.sent_at,
                sent: crate::dates::datetime(m.sent_at),
                edited: m.edited_at.is_some(),
                withdrawn,
                kept,
                kept_from_parents: marked,
                may_withdraw: mine && !withdrawn && rules::may_withdraw(m.sent_at, now),
                document: if withdrawn || kept {
                    None
                } else {
                    docs.iter()
                        .find(|d| d.message_id == m.id.as_str())
                        .map(|d| documents::view(may_open, key, d))
                },
            }
        })
        .collect()
}

/// A conversation's latest messages (or those before `before`), the reader's mark moved
/// to the last one shown; the look is logged with the child.
pub async fn read(
    svc: &Services,
    who: &impl Principal,
    conversation_id: &str,
    before: Option<i64>,
) -> Result<Disclosed<ConversationView>, Error> {
    let (p, conv, chosen) = conversation_for(svc, who, conversation_id).await?;
    let (cid, nid) = (conv.id.to_string(), conv.network_id.to_string());
    // The page of messages, who read how far, their names, the key: one read.
    let (msgs, readers, wrapped, extra) = svc
        .db
        .read(move |c| {
            let msgs = db::latest(c, &cid, before, PAGE + 1)?;
            let readers = db::readers(c, &cid)?;
            let people = readers.iter().map(|r| r.0.to_string());
            let extra = Read::of(c, &nid, &msgs, people)?;
            Ok((msgs, readers, db::network_key(c, &nid)?, extra))
        })
        .await?;
    let names = &extra.names;
    // One more than a page was read: then there is an earlier page, from the second on.
    let older_before = (msgs.len() as i64 > PAGE).then(|| msgs[1].seq);
    let msgs: Vec<Message> = if msgs.len() as i64 > PAGE {
        msgs.into_iter().skip(1).collect()
    } else {
        msgs
    };
    let key = wrapped.as_deref().map(|w| data_key(svc, w)).transpose()?;
    looked_and_read(svc, who, &p, &conv, msgs.last().map_or(0, |m| m.seq)).await?;
    let views = views(who, &p, &conv, &chosen, key.as_ref(), msgs, &extra);
    let me = who.actor().user_id.as_str();
    let read_by = readers
        .iter()
        .filter(|(u, _, _)| u.as_str() != me)
        .filter_map(|(u, seq, _)| {
            names
                .iter()
                .find(|(id, _)| id == u.as_str())
                .map(|(_, n)| (n.clone(), *seq))
        })
        .collect();
    let all_names = member_names(svc, &p.f).await?;
    let participants = participants(&p, &conv, &chosen, &all_names);
    let left_out = left_out(&p, &conv, &chosen, &all_names);
    Ok(Disclosed::logged(ConversationView {
        left_out,
        id: conv.id.to_string(),
        network_id: conv.network_id.to_string(),
        child_name: svc.secrets.open_shown(&p.f.child.name_sealed, "child name"),
        title: open_text(key.as_ref(), &conv.title_sealed, "conversation title"),
        kind: ConversationKind::parse(&conv.kind).unwrap_or(ConversationKind::Chosen),
        messages: views,
        older_before,
        last_seq: conv.last_seq,
        read_by,
        participants,
        may_mark: p
            .f
            .reach(who)
            .is_some_and(|r| crate::network::help::marks_as_professional(&p.f, who, r))
            && rondom_domain::consent::may_keep_from_parents(
                p.f.child.birth_date,
                crate::dates::today(),
            ),
        may_share_documents: p.shares_documents(&conv, &chosen),
    }))
}

/// A member's seat in a conversation, as `place_of` gives it to the member themselves;
/// None for a member who is not in the network (no consent for membership, not
/// deciding, no emergency access).
fn seat_of(
    p: &Place,
    m: &rondom_db::networks::Member,
    conv: &Conversation,
    chosen: &[(String, MemberId)],
) -> Option<Seat> {
    let f = &p.f;
    let coordinator = m.user_id.as_deref() == Some(f.network.coordinator_id.as_str());
    let decides = f.decides(&m.id);
    let emergency = m
        .user_id
        .as_deref()
        .is_some_and(|u| f.emergencies.iter().any(|(e, _)| e == u));
    let member =
        coordinator || decides || emergency || f.standing(&m.id, Category::Membership).holds();
    member.then(|| Seat {
        coordinator,
        family: m.kind == crate::network::FAMILY,
        decides,
        consent: emergency || f.standing(&m.id, Category::Messages).holds(),
        chosen: chosen
            .iter()
            .any(|(c, id)| c == conv.id.as_str() && id == &m.id),
        documents: emergency || f.standing(&m.id, Category::Documents).holds(),
    })
}

/// Members of a network, borrowed from its facts.
type MemberRefs<'a> = Vec<&'a rondom_db::networks::Member>;

/// The members of the network (those with a seat) as a conversation splits them: who
/// takes part now, and who does not.
fn split_by_part<'a>(
    p: &'a Place,
    conv: &Conversation,
    chosen: &[(String, MemberId)],
) -> (MemberRefs<'a>, MemberRefs<'a>) {
    let kind = ConversationKind::parse(&conv.kind).unwrap_or(ConversationKind::Chosen);
    let (part, rest): (Vec<_>, Vec<_>) =
        p.f.members
            .iter()
            .filter(|m| m.is_active())
            .filter_map(|m| seat_of(p, m, conv, chosen).map(|seat| (m, seat)))
            .partition(|(_, seat)| rules::takes_part(kind, *seat));
    let members = |side: Vec<(_, Seat)>| side.into_iter().map(|(m, _)| m).collect();
    (members(part), members(rest))
}

/// The members who take part in a conversation now.
fn participant_members<'a>(
    p: &'a Place,
    conv: &Conversation,
    chosen: &[(String, MemberId)],
) -> MemberRefs<'a> {
    split_by_part(p, conv, chosen).0
}

/// Members as a conversation names them: "name (what they are for the child)".
fn labelled(members: &[&rondom_db::networks::Member], names: &Names) -> Vec<String> {
    members
        .iter()
        .filter_map(|m| names.iter().find(|n| n.0 == m.id.as_str()))
        .map(|n| format!("{} ({})", n.1, n.2))
        .collect()
}

/// For a conversation with the whole network: the members of the network who are not in
/// it (a parent whose messages the youth keeps to herself, a professional the family
/// gave no consent for messages), by name, so that its label does not say "everyone".
fn left_out(
    p: &Place,
    conv: &Conversation,
    chosen: &[(String, MemberId)],
    names: &Names,
) -> Vec<String> {
    if ConversationKind::parse(&conv.kind) != Some(ConversationKind::Network) {
        return vec![];
    }
    labelled(&split_by_part(p, conv, chosen).1, names)
}

/// Who takes part in a conversation now, by name and what they do.
fn participants(
    p: &Place,
    conv: &Conversation,
    chosen: &[(String, MemberId)],
    names: &Names,
) -> Vec<String> {
    labelled(&participant_members(p, conv, chosen), names)
}

/// The people with an account who take part in a conversation now.
pub(crate) fn participant_users(
    p: &Place,
    conv: &Conversation,
    chosen: &[(String, MemberId)],
) -> Vec<String> {
    participant_members(p, conv, chosen)
        .into_iter()
        .filter_map(|m| m.user_id.as_ref().map(ToString::to_string))
        .collect()
}

/// Logs the look at a conversation and moves the reader's mark to the last message
/// shown, both at once.
async fn looked_and_read(
    svc: &Services,
    who: &impl Principal,
    p: &Place,
    conv: &Conversation,
    last_shown: i64,
) -> Result<(), Error> {
    let (logged, moved) = tokio::join!(
        access::record(
            svc,
            conversation_event(who, "conversation_read", p, conv.id.as_str(), "allowed"),
        ),
        mark_read(svc, who, conv, last_shown)
    );
    logged?;
    moved
}

/// Moves this person's read mark to `seq` (when it moves, the others see it).
async fn mark_read(
    svc: &Services,
    who: &impl Principal,
    conv: &Conversation,
    seq: i64,
) -> Result<(), Error> {
    if seq == 0 {
        return Ok(());
    }
    let (nid, cid, user) = (
        conv.network_id.to_string(),
        conv.id.to_string(),
        who.actor().user_id.clone(),
    );
    let moved = svc
        .db
        .write(move |c| db::mark_read(c, &nid, &cid, &user, seq))
        .await?;
    if moved {
        svc.db.news().announce(conv.network_id.as_str());
    }
    Ok(())
}

/// Messages after `after_seq` (for the API and the live page), the reader's mark moved
/// to the last one; the look is logged.
pub async fn after(
    svc: &Services,
    who: &impl Principal,
    conversation_id: &str,
    after_seq: i64,
    limit: i64,
) -> Result<Disclosed<Vec<MessageView>>, Error> {
    let (p, conv, chosen) = conversation_for(svc, who, conversation_id).await?;
    let (cid, nid) = (conv.id.to_string(), conv.network_id.to_string());
    let limit = limit.clamp(1, 500);
    let (msgs, wrapped, extra) = svc
        .db
        .read(move |c| {
            let msgs = db::after(c, &cid, after_seq.max(0), limit)?;
            let extra = Read::of(c, &nid, &msgs, std::iter::empty())?;
            Ok((msgs, db::network_key(c, &nid)?, extra))
        })
        .await?;
    let key = wrapped.as_deref().map(|w| data_key(svc, w)).transpose()?;
    looked_and_read(svc, who, &p, &conv, msgs.last().map_or(0, |m| m.seq)).await?;
    Ok(Disclosed::logged(views(
        who,
        &p,
        &conv,
        &chosen,
        key.as_ref(),
        msgs,
        &extra,
    )))
}

/// What a send stored.
#[derive(Debug, Clone)]
pub struct SentMessage {
    pub id: MessageId,
    pub seq: i64,
    /// False when a retry found the message its first try stored.
    pub new: bool,
}

/// The longest client id a sender may give.
const MAX_CLIENT_ID: usize = 100;

/// Sends a message into a conversation. A `client_id` the sender used before in this
/// conversation answers the message stored then (a retried send is stored once).
pub async fn send(
    svc: &Services,
    who: &impl Principal,
    conversation_id: &str,
    body: &str,
    client_id: Option<&str>,
) -> Result<Checked<SentMessage>, Error> {
    let body = match rules::body(body) {
        Ok(b) => b,
        Err(e) => return Ok(Err(vec![e])),
    };
    let client_id = match checked_client_id(client_id) {
        Ok(c) => c,
        Err(e) => return Ok(Err(vec![e])),
    };
    deliver(
        svc,
        writer::Send {
            conversation_id: conversation_id.to_owned(),
            who: writer::Acting::of(who),
            body,
            client_id,
            document: None,
        },
    )
    .await
    .map(Ok)
}

/// A sender's own id for a send: trimmed, printable, bounded; none when empty.
fn checked_client_id(client_id: Option<&str>) -> Result<Option<String>, ValidationError> {
    let client_id = client_id.map(str::trim).filter(|c| !c.is_empty());
    if client_id
        .is_some_and(|c| c.chars().count() > MAX_CLIENT_ID || c.chars().any(char::is_control))
    {
        return Err(ValidationError::new(
            "client_id",
            format!("client_id is at most {MAX_CLIENT_ID} printable characters"),
        ));
    }
    Ok(client_id.map(str::to_owned))
}

/// Hands a checked send to the writer and tells the others once it is stored. Who takes
/// part is checked by the writer, in the transaction that stores the message: consent
/// as it stands at the moment of writing, read once per conversation for all the sends
/// that commit together.
async fn deliver(svc: &Services, s: writer::Send) -> Result<SentMessage, Error> {
    let conversation_id = s.conversation_id.clone();
    let (done, mail) = svc.sends.send(&svc.db, &svc.secrets, s).await?;
    let (sent, network_id) = match done {
        writer::Outcome::Sent(sent, network_id) => (sent, network_id),
        writer::Outcome::NotFound => return Err(Error::NotFound),
        writer::Outcome::NoDocuments => return Err(Error::Refused(documents::NO_CONSENT.into())),
    };
    let (m, new) = match sent {
        db::Sent::New(m) => (m, true),
        db::Sent::Again(m) => (m, false),
    };
    if new {
        svc.db.news().announce(&network_id);
        for to in mail {
            notices::mail(svc, to, &conversation_id);
        }
    }
    Ok(SentMessage {
        id: m.id,
        seq: m.seq,
        new,
    })
}

/// A message of this person's, loaded with its place.
async fn own_message(
    svc: &Services,
    who: &impl Principal,
    message_id: &str,
) -> Result<(Place, Conversation, Message), Error> {
    let id = message_id.to_owned();
    let m = svc
        .db
        .read(move |c| db::message(c, &id))
        .await?
        .ok_or(Error::NotFound)?;
    let (p, conv, _) = conversation_for(svc, who, m.conversation_id.as_str()).await?;
    if m.author_id.as_str() != who.actor().user_id.as_str() {
        return Err(crate::access::deny(
            svc,
            who,
            "message_change",
            Resource::DirectoryEntry(&p.f.network.coordinator_org_id),
            message_id,
        )
        .await);
    }
    Ok((p, conv, m))
}

/// Changes the text of one's own message; the earlier text is kept for the log and the
/// message shows as edited.
pub async fn edit(
    svc: &Services,
    who: &impl Principal,
    message_id: &str,
    body: &str,
) -> Result<Checked<ConversationId>, Error> {
    let body = match rules::body(body) {
        Ok(b) => b,
        Err(e) => return Ok(Err(vec![e])),
    };
    let (p, conv, m) = own_message(svc, who, message_id).await?;
    if m.withdrawn_at.is_some() {
        return Err(Error::Refused(
            "Dit bericht is ingetrokken en kan niet meer worden gewijzigd.".into(),
        ));
    }
    let nid = conv.network_id.to_string();
    let secrets = svc.secrets.clone();
    let audit = AuditEvent {
        object_type: "message".into(),
        object_id: Some(m.id.to_string()),
        ..conversation_event(who, "message_edit", &p, conv.id.as_str(), "allowed")
    };
    svc.db
        .write(move |c| {
            let wrapped = db::network_key(c, &nid)?
                .ok_or_else(|| rondom_db::DbError::Unavailable("the network has no key".into()))?;
            let key = secrets
                .open_data_key(&wrapped)
                .map_err(rondom_db::DbError::Unavailable)?;
            let sealed = key.seal(&body).map_err(rondom_db::DbError::Unavailable)?;
            db::edit(c, &nid, &m, &sealed)?;
            rondom_db::audit::append(c, &audit)?;
            Ok(())
        })
        .await?;
    svc.db.news().announce(p.f.network.id.as_str());
    Ok(Ok(conv.id))
}

/// Withdraws one's own message within 15 minutes of sending; it then shows as withdrawn
/// (its text stays for the log).
pub async fn withdraw(
    svc: &Services,
    who: &impl Principal,
    message_id: &str,
) -> Result<ConversationId, Error> {
    let (p, conv, m) = own_message(svc, who, message_id).await?;
    if m.withdrawn_at.is_some() {
        return Ok(conv.id);
    }
    if !rules::may_withdraw(m.sent_at, rondom_db::now()) {
        return Err(Error::Refused(format!(
            "Een bericht kunt u tot {} minuten na het versturen intrekken. Die tijd is voorbij.",
            rules::WITHDRAW_MINUTES
        )));
    }
    let nid = conv.network_id.to_string();
    let audit = AuditEvent {
        object_type: "message".into(),
        object_id: Some(m.id.to_string()),
        ..conversation_event(who, "message_withdraw", &p, conv.id.as_str(), "allowed")
    };
    svc.db
        .write(move |c| {
            db::withdraw(c, &nid, &m)?;
            rondom_db::audit::append(c, &audit)
        })
        .await?;
    svc.db.news().announce(p.f.network.id.as_str());
    Ok(conv.id)
}

/// That this person reads the conversation the message is in (else "not found"): a
/// message is marked or unmarked only by someone who takes part.
pub(crate) async fn check_reader(
    svc: &Services,
    who: &impl Principal,
    message_id: &str,
) -> Result<(), Error> {
    let id = message_id.to_owned();
    let m = svc
        .db
        .read(move |c| db::message(c, &id))
        .await?
        .ok_or(Error::NotFound)?;
    conversation_for(svc, who, m.conversation_id.as_str()).await?;
    Ok(())
}

/// Whether a message belongs to this network (for marking it not for the parents).
pub(crate) fn belongs(
    c: &mut rondom_db::AnyConnection,
    network_id: &str,
    message_id: &str,
) -> Result<bool, rondom_db::DbError> {
    Ok(match db::message(c, message_id)? {
        Some(m) => db::conversation(c, m.conversation_id.as_str())?
            .is_some_and(|conv| conv.network_id.as_str() == network_id),
        None => false,
    })
}

/// A person acting without a request (the menu's counts): nothing of theirs is logged
/// by it, so it needs no name or address.
pub(crate) struct Quiet<'a>(pub(crate) &'a rondom_domain::Actor);

impl Principal for Quiet<'_> {
    fn actor(&self) -> &rondom_domain::Actor {
        self.0
    }
    fn display_name(&self) -> &str {
        ""
    }
    fn source_address(&self) -> Option<&str> {
        None
    }
}

/// The unread messages over every conversation this person takes part in (the menu's
/// count). Reads no message: only numbers, so nothing to log.
pub async fn unread_total(svc: &Services, actor: &rondom_domain::Actor) -> Result<i64, Error> {
    Ok(unread(svc, actor).await?.iter().map(|(_, n)| n).sum())
}

/// Per conversation with unread messages that this person takes part in: (id, count).
pub async fn unread(
    svc: &Services,
    actor: &rondom_domain::Actor,
) -> Result<Vec<(String, i64)>, Error> {
    let who = Quiet(actor);
    let user = actor.user_id.clone();
    let orgs: Vec<String> = actor.memberships.iter().map(|(o, _)| o.clone()).collect();
    let (unread, chosen) = svc
        .db
        .read(move |c| {
            let nets: Vec<String> = rondom_db::networks::of_member(c, &user, &orgs)?
                .into_iter()
                .map(|n| n.id.to_string())
                .collect();
            let convs = db::conversations_of_networks(c, &nets)?;
            let ids: Vec<String> = convs.iter().map(|c| c.id.to_string()).collect();
            let reads = db::reads_of(c, &user, &ids)?;
            let unread: Vec<(Conversation, i64)> = convs
                .into_iter()
                .filter_map(|conv| {
                    let read = reads
                        .iter()
                        .find(|(id, _)| id == conv.id.as_str())
                        .map_or(0, |r| r.1);
                    let n = conv.last_seq - read;
                    (n > 0).then_some((conv, n))
                })
                .collect();
            let ids: Vec<String> = unread.iter().map(|(c, _)| c.id.to_string()).collect();
            Ok((unread, db::chosen_of(c, &ids)?))
        })
        .await?;
    let mut places: HashMap<String, Option<Place>> = HashMap::new();
    let mut out = Vec::new();
    for (conv, n) in unread {
        let nid = conv.network_id.to_string();
        if !places.contains_key(&nid) {
            let p = match crate::network::facts(svc, &nid).await? {
                Some(f) => f.reach(&who).map(|r| place_of(f, r, &who)),
                None => None,
            };
            places.insert(nid.clone(), p);
        }
        if places
            .get(&nid)
            .and_then(Option::as_ref)
            .is_some_and(|p| p.takes_part(&conv, &chosen))
        {
            out.push((conv.id.to_string(), n));
        }
    }
    Ok(out)
}

/// A conversation in a person's list over all their networks.
pub struct MyConversation {
    pub line: ConversationLine,
    pub network_id: String,
    pub child_name: String,
}

/// How many conversations the overview shows at most.
const MINE_SHOWN: usize = 100;

/// The conversations this person takes part in over all their networks, the latest
/// news first; with `query`, those whose title, child or participant names hold it.
/// Each child shown is logged.
pub async fn mine(
    svc: &Services,
    who: &impl Principal,
    query: &str,
) -> Result<Disclosed<Vec<MyConversation>>, Error> {
    let user = who.actor().user_id.clone();
    let orgs: Vec<String> = who
        .actor()
        .memberships
        .iter()
        .map(|(o, _)| o.clone())
        .collect();
    // The conversations, and the facts, keys and members' names of their networks, in
    // one trip however many networks (a case director's list).
    let (convs, chosen, reads, keys, all_facts, named) = svc
        .db
        .read(move |c| {
            let member_of: Vec<String> = rondom_db::networks::of_member(c, &user, &orgs)?
                .into_iter()
                .map(|n| n.id.to_string())
                .collect();
            let convs = db::conversations_of_networks(c, &member_of)?;
            let ids: Vec<String> = convs.iter().map(|c| c.id.to_string()).collect();
            let mut nets: Vec<String> = Vec::new();
            for conv in &convs {
                if !nets.iter().any(|n| n == conv.network_id.as_str()) {
                    nets.push(conv.network_id.to_string());
                }
            }
            let facts = crate::network::facts_of(c, &nets)?;
            let (mut people, mut named_orgs) = (Vec::new(), Vec::new());
            for f in &facts {
                let (p, o) = named_in(f);
                people.extend(p);
                named_orgs.extend(o);
            }
            Ok((
                convs,
                db::chosen_of(c, &ids)?,
                db::reads_of(c, &user, &ids)?,
                db::network_keys_of(c, &nets)?,
                facts,
                rondom_db::users::names_with_organisations(c, &people, &named_orgs)?,
            ))
        })
        .await?;
    let words: Vec<String> = rondom_domain::search::fold(query)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let named: HashMap<String, String> = named.into_iter().collect();
    let places: HashMap<String, (Place, Names)> = all_facts
        .into_iter()
        .filter_map(|f| {
            let reach = f.reach(who)?;
            let p = place_of(f, reach, who);
            let names = names_from(svc, &p.f, &named);
            Some((p.f.network.id.to_string(), (p, names)))
        })
        .collect();
    let mut out = Vec::new();
    let mut shown_networks: Vec<String> = Vec::new();
    for conv in convs {
        if out.len() >= MINE_SHOWN {
            break;
        }
        let nid = conv.network_id.to_string();
        let Some((p, names)) = places.get(&nid) else {
            continue;
        };
        if !p.takes_part(&conv, &chosen) {
            continue;
        }
        let key = keys
            .iter()
            .find(|(n, _)| n == &nid)
            .map(|(_, w)| data_key(svc, w))
            .transpose()?;
        let title = open_text(key.as_ref(), &conv.title_sealed, "conversation title");
        let child_name = svc.secrets.open_shown(&p.f.child.name_sealed, "child name");
        let people = participants(p, &conv, &chosen, names);
        if !words.is_empty() {
            let hay =
                rondom_domain::search::fold(&format!("{title} {child_name} {}", people.join(" ")));
            if !words.iter().all(|w| hay.contains(w.as_str())) {
                continue;
            }
        }
        let read = reads
            .iter()
            .find(|(id, _)| id == conv.id.as_str())
            .map_or(0, |r| r.1);
        if !shown_networks.contains(&nid) {
            shown_networks.push(nid.clone());
        }
        out.push(MyConversation {
            network_id: nid,
            child_name,
            line: ConversationLine {
                id: conv.id.to_string(),
                title,
                kind: ConversationKind::parse(&conv.kind).unwrap_or(ConversationKind::Chosen),
                unread: (conv.last_seq - read).max(0),
                last_at: crate::dates::datetime(conv.last_at),
                messages: conv.last_seq,
                left_out: left_out(p, &conv, &chosen, names),
                with: people,
            },
        });
    }
    let shown: Vec<&rondom_db::networks::Network> = shown_networks
        .iter()
        .filter_map(|nid| places.get(nid).map(|(p, _)| &p.f.network))
        .collect();
    crate::network::record_all(svc, who, "conversation_list_read", &shown).await?;
    Ok(Disclosed::logged(out))
}

/// One message with its conversation, as exchange (FHIR Communication) shows it.
pub struct Single {
    pub message: MessageView,
    pub conversation_id: String,
    pub title: String,
    pub network_id: String,
    pub child_id: String,
    pub child_name: String,
    /// Who takes part now, by user id and name (the recipients).
    pub recipients: Vec<(String, String)>,
}

/// One message as this person may see it; the look is logged with the child.
pub async fn single(
    svc: &Services,
    who: &impl Principal,
    message_id: &str,
) -> Result<Disclosed<Single>, Error> {
    let id = message_id.to_owned();
    let m = svc
        .db
        .read(move |c| db::message(c, &id))
        .await?
        .ok_or(Error::NotFound)?;
    let (p, conv, chosen) = conversation_for(svc, who, m.conversation_id.as_str()).await?;
    let nid = conv.network_id.to_string();
    let mut users = participant_users(&p, &conv, &chosen);
    users.push(m.author_id.to_string());
    let mid = vec![m.id.to_string()];
    let (wrapped, read) = svc
        .db
        .read(move |c| {
            Ok((
                db::network_key(c, &nid)?,
                Read {
                    marks: rondom_db::networks::not_for_parents(c, &nid)?,
                    names: rondom_db::users::names_of(c, &users)?,
                    documents: rondom_db::documents::of_messages(c, &mid)?,
                },
            ))
        })
        .await?;
    let names = &read.names;
    access::record(
        svc,
        conversation_event(who, "conversation_read", &p, conv.id.as_str(), "allowed"),
    )
    .await?;
    let key = wrapped.as_deref().map(|w| data_key(svc, w)).transpose()?;
    let author = m.author_id.to_string();
    let message = views(who, &p, &conv, &chosen, key.as_ref(), vec![m], &read)
        .into_iter()
        .next()
        .ok_or(Error::NotFound)?;
    let recipients = names
        .iter()
        .filter(|(u, _)| *u != author)
        .cloned()
        .collect();
    Ok(Disclosed::logged(Single {
        message,
        conversation_id: conv.id.to_string(),
        title: open_text(key.as_ref(), &conv.title_sealed, "conversation title"),
        network_id: conv.network_id.to_string(),
        child_id: p.f.network.child_id.to_string(),
        child_name: svc.secrets.open_shown(&p.f.child.name_sealed, "child name"),
        recipients,
    }))
}

/// A conversation whole, as this person may see it (the family's copy of the file).
pub struct WholeConversation {
    pub id: String,
    pub title: String,
    pub kind: ConversationKind,
    /// Who takes part now: (user id, name).
    pub recipients: Vec<(String, String)>,
    pub messages: Vec<MessageView>,
}

/// Every conversation of a network this person takes part in, with all its messages, as
/// they may see them; the caller logs the look.
pub(crate) async fn whole(
    svc: &Services,
    who: &impl Principal,
    f: Facts,
    reach: Reach,
) -> Result<Vec<WholeConversation>, Error> {
    let p = place_of(f, reach, who);
    if p.exists_only {
        return Ok(vec![]);
    }
    let nid = p.f.network.id.to_string();
    let (convs, chosen, wrapped) = svc
        .db
        .read({
            let nid = nid.clone();
            move |c| {
                let convs = db::conversations_of(c, &nid)?;
                let ids: Vec<String> = convs.iter().map(|c| c.id.to_string()).collect();
                Ok((convs, db::chosen_of(c, &ids)?, db::network_key(c, &nid)?))
            }
        })
        .await?;
    let mine: Vec<Conversation> = convs
        .into_iter()
        .filter(|c| p.takes_part(c, &chosen))
        .collect();
    let ids: Vec<String> = mine.iter().map(|c| c.id.to_string()).collect();
    let users: Vec<String> = mine
        .iter()
        .flat_map(|c| participant_users(&p, c, &chosen))
        .collect();
    let (all, read) = svc
        .db
        .read(move |c| {
            let mut all = Vec::new();
            for id in &ids {
                all.push(db::latest(c, id, None, i64::MAX)?);
            }
            let flat: Vec<Message> = all.iter().flatten().cloned().collect();
            let read = Read::of(c, &nid, &flat, users.into_iter())?;
            Ok((all, read))
        })
        .await?;
    let key = wrapped.as_deref().map(|w| data_key(svc, w)).transpose()?;
    Ok(mine
        .iter()
        .zip(all)
        .map(|(conv, msgs)| {
            let recipients = participant_users(&p, conv, &chosen)
                .into_iter()
                .filter_map(|u| {
                    read.names
                        .iter()
                        .find(|(id, _)| *id == u)
                        .map(|(_, n)| (u.clone(), n.clone()))
                })
                .collect();
            WholeConversation {
                id: conv.id.to_string(),
                title: open_text(key.as_ref(), &conv.title_sealed, "conversation title"),
                kind: ConversationKind::parse(&conv.kind).unwrap_or(ConversationKind::Chosen),
                recipients,
                messages: views(who, &p, conv, &chosen, key.as_ref(), msgs, &read),
            }
        })
        .collect())
}
