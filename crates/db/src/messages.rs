//! Messages in a child's network: each network's data key (sealed by the use cases under
//! the installation key), its conversations, their messages numbered per conversation,
//! earlier texts of edited messages, how far each person read, and the network's
//! events that the live streams read. Texts arrive and leave sealed.

use crate::schema::{
    conversation_members, conversation_reads, conversations, message_edits, messages,
    network_events, network_keys, notice_choices, users,
};
use crate::{AnyConnection, DbError, new_id, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rondom_domain::ids::{ConversationId, MemberId, MessageId, NetworkId, UserId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = conversations)]
pub struct Conversation {
    pub id: ConversationId,
    pub network_id: NetworkId,
    pub kind: String,
    pub title_sealed: String,
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
    pub last_seq: i64,
    pub last_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = messages)]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub seq: i64,
    pub author_id: UserId,
    pub body_sealed: String,
    pub client_id: Option<String>,
    pub sent_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    pub withdrawn_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = network_events)]
pub struct Event {
    pub id: i64,
    pub tx: i64,
    pub network_id: String,
    pub conversation_id: Option<String>,
    pub message_id: Option<String>,
    pub user_id: Option<String>,
    pub kind: String,
    pub at: NaiveDateTime,
}

/// Kinds of event.
pub const MESSAGE: &str = "message";
pub const EDIT: &str = "edit";
pub const WITHDRAWN: &str = "withdrawn";
pub const READ: &str = "read";
pub const CONVERSATION: &str = "conversation";
pub const MEMBERSHIP: &str = "membership";

/// The network's wrapped data key, if it has one yet.
pub fn network_key(conn: &mut AnyConnection, network_id: &str) -> Result<Option<String>, DbError> {
    Ok(network_keys::table
        .find(network_id)
        .select(network_keys::wrapped)
        .first(conn)
        .optional()?)
}

/// The wrapped data keys of several networks, in one query: (network, wrapped key).
pub fn network_keys_of(
    conn: &mut AnyConnection,
    network_ids: &[String],
) -> Result<Vec<(String, String)>, DbError> {
    if network_ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(network_keys::table
        .filter(crate::in_list(network_keys::network_id, network_ids))
        .select((network_keys::network_id, network_keys::wrapped))
        .load(conn)?)
}

/// Stores a network's first data key; when another server stored one first, answers
/// that one (a network has one key).
pub fn put_network_key(
    conn: &mut AnyConnection,
    network_id: &str,
    wrapped: &str,
) -> Result<String, DbError> {
    let at = now();
    crate::on_backend!(conn, |c| {
        diesel::insert_into(network_keys::table)
            .values((
                network_keys::network_id.eq(network_id),
                network_keys::wrapped.eq(wrapped),
                network_keys::created_at.eq(at),
                network_keys::wrapped_at.eq(at),
            ))
            .on_conflict(network_keys::network_id)
            .do_nothing()
            .execute(c)
    })?;
    Ok(network_keys::table
        .find(network_id)
        .select(network_keys::wrapped)
        .first(conn)?)
}

/// Opens a conversation (with its chosen members, for that kind), with its event.
pub fn create_conversation(
    conn: &mut AnyConnection,
    network_id: &str,
    kind: &str,
    title_sealed: &str,
    by: &str,
    chosen: &[String],
) -> Result<ConversationId, DbError> {
    let id = new_id();
    let at = now();
    diesel::insert_into(conversations::table)
        .values((
            conversations::id.eq(&id),
            conversations::network_id.eq(network_id),
            conversations::kind.eq(kind),
            conversations::title_sealed.eq(title_sealed),
            conversations::created_by.eq(by),
            conversations::created_at.eq(at),
            conversations::last_seq.eq(0i64),
            conversations::last_at.eq(at),
        ))
        .execute(conn)?;
    for m in chosen {
        diesel::insert_into(conversation_members::table)
            .values((
                conversation_members::conversation_id.eq(&id),
                conversation_members::member_id.eq(m),
            ))
            .execute(conn)?;
    }
    event(conn, network_id, Some(&id), None, None, CONVERSATION)?;
    Ok(ConversationId::trusted(id))
}

pub fn conversation(conn: &mut AnyConnection, id: &str) -> Result<Option<Conversation>, DbError> {
    Ok(conversations::table
        .find(id)
        .select(Conversation::as_select())
        .first(conn)
        .optional()?)
}

/// A network's conversations, the latest news first.
pub fn conversations_of(
    conn: &mut AnyConnection,
    network_id: &str,
) -> Result<Vec<Conversation>, DbError> {
    Ok(conversations::table
        .filter(conversations::network_id.eq(network_id))
        .order(conversations::last_at.desc())
        .select(Conversation::as_select())
        .load(conn)?)
}

/// The conversations of these networks (for a person's list over all of theirs).
pub fn conversations_of_networks(
    conn: &mut AnyConnection,
    network_ids: &[String],
) -> Result<Vec<Conversation>, DbError> {
    if network_ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(conversations::table
        .filter(conversations::network_id.eq_any(network_ids.to_vec()))
        .order(conversations::last_at.desc())
        .select(Conversation::as_select())
        .load(conn)?)
}

/// The chosen members of these conversations: (conversation, member).
pub fn chosen_of(
    conn: &mut AnyConnection,
    conversation_ids: &[String],
) -> Result<Vec<(String, MemberId)>, DbError> {
    if conversation_ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(conversation_members::table
        .filter(conversation_members::conversation_id.eq_any(conversation_ids.to_vec()))
        .select((
            conversation_members::conversation_id,
            conversation_members::member_id,
        ))
        .load(conn)?)
}

/// How far this person read each of these conversations: (conversation, seq).
pub fn reads_of(
    conn: &mut AnyConnection,
    user_id: &str,
    conversation_ids: &[String],
) -> Result<Vec<(String, i64)>, DbError> {
    if conversation_ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(conversation_reads::table
        .filter(conversation_reads::user_id.eq(user_id))
        .filter(conversation_reads::conversation_id.eq_any(conversation_ids.to_vec()))
        .select((conversation_reads::conversation_id, conversation_reads::seq))
        .load(conn)?)
}

/// Who read how far in a conversation: (person, seq, when).
pub fn readers(
    conn: &mut AnyConnection,
    conversation_id: &str,
) -> Result<Vec<(UserId, i64, Option<NaiveDateTime>)>, DbError> {
    Ok(conversation_reads::table
        .filter(conversation_reads::conversation_id.eq(conversation_id))
        .select((
            conversation_reads::user_id,
            conversation_reads::seq,
            conversation_reads::read_at,
        ))
        .load(conn)?)
}

/// What a send stored: a new message, or the one an earlier try with the same client id
/// stored already.
#[derive(Debug, Clone)]
pub enum Sent {
    New(Message),
    Again(Message),
}

/// A message the group writer stores (with others, in one statement).
pub struct NewMessage<'a> {
    pub id: &'a str,
    pub seq: i64,
    pub author_id: &'a str,
    pub body_sealed: &'a str,
    pub client_id: Option<&'a str>,
}

/// A conversation, its row locked for the rest of the transaction, so that its last
/// number (what a send numbers its messages from) is read under the lock. NO KEY UPDATE
/// on PostgreSQL, as the UPDATE that follows takes: it leaves other writers' foreign-key
/// checks (a read mark, a notice) free to pass, where FOR UPDATE deadlocks with them.
/// SQLite's writer holds the file.
pub fn conversation_locked(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<Conversation>, DbError> {
    Ok(match conn {
        AnyConnection::Postgresql(c) => conversations::table
            .find(id)
            .select(Conversation::as_select())
            .for_no_key_update()
            .first(c)
            .optional()?,
        AnyConnection::Sqlite(c) => conversations::table
            .find(id)
            .select(Conversation::as_select())
            .first(c)
            .optional()?,
    })
}

/// The messages of a conversation stored under any of these client ids (any author:
/// the caller matches the author).
pub fn by_client_ids(
    conn: &mut AnyConnection,
    conversation_id: &str,
    client_ids: &[String],
) -> Result<Vec<Message>, DbError> {
    if client_ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(crate::on_backend!(conn, |c| messages::table
        .filter(messages::conversation_id.eq(conversation_id))
        .filter(messages::client_id.eq_any(client_ids))
        .select(Message::as_select())
        .load(c))?)
}

diesel::define_sql_function! {
    /// See the migration `send_prepared`: the UPDATE of a send, kept prepared.
    #[sql_name = "rondom_conversation_moved"]
    fn conversation_moved(
        conversation: diesel::sql_types::Text,
        seq: diesel::sql_types::BigInt,
        at: diesel::sql_types::Timestamp,
    ) -> diesel::sql_types::Integer
}

diesel::define_sql_function! {
    /// See the migration `send_prepared`: the senders' read marks, kept prepared.
    #[sql_name = "rondom_read_marks"]
    fn read_marks(
        conversation: diesel::sql_types::Text,
        readers: diesel::sql_types::Array<diesel::sql_types::Text>,
        seqs: diesel::sql_types::Array<diesel::sql_types::BigInt>,
        at: diesel::sql_types::Timestamp,
    ) -> diesel::sql_types::Integer
}

/// Stores messages of one conversation at once (their numbers taken under its lock),
/// moves the conversation's last number and time, and records one event each, in order.
pub fn insert_messages(
    conn: &mut AnyConnection,
    network_id: &str,
    conversation_id: &str,
    rows: &[NewMessage<'_>],
    at: NaiveDateTime,
) -> Result<(), DbError> {
    let Some(last) = rows.iter().map(|r| r.seq).max() else {
        return Ok(());
    };
    // Owned values: a statement kept prepared is known by its type, which must not
    // borrow (`fixed_rows`).
    let values: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                messages::id.eq(r.id.to_owned()),
                messages::conversation_id.eq(conversation_id.to_owned()),
                messages::seq.eq(r.seq),
                messages::author_id.eq(r.author_id.to_owned()),
                messages::body_sealed.eq(r.body_sealed.to_owned()),
                messages::client_id.eq(r.client_id.map(str::to_owned)),
                messages::sent_at.eq(at),
            )
        })
        .collect();
    let events: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                network_events::network_id.eq(network_id.to_owned()),
                network_events::conversation_id.eq(Some(conversation_id.to_owned())),
                network_events::message_id.eq(Some(r.id.to_owned())),
                network_events::kind.eq(MESSAGE),
                network_events::at.eq(at),
            )
        })
        .collect();
    match conn {
        AnyConnection::Postgresql(c) => {
            diesel::select(conversation_moved(conversation_id, last, at)).get_result::<i32>(c)?;
        }
        AnyConnection::Sqlite(c) => {
            diesel::update(conversations::table.find(conversation_id))
                .set((
                    conversations::last_seq.eq(last),
                    conversations::last_at.eq(at),
                ))
                .execute(c)?;
        }
    }
    crate::fixed_rows!(values, |rows| crate::on_backend!(&mut *conn, |c| {
        diesel::insert_into(messages::table).values(rows).execute(c)
    })?);
    crate::fixed_rows!(events, |rows| crate::on_backend!(&mut *conn, |c| {
        diesel::insert_into(network_events::table)
            .values(rows)
            .execute(c)
    })?);
    Ok(())
}

/// Sets senders' read marks to their own latest message (the newest there is).
pub fn set_read_marks(
    conn: &mut AnyConnection,
    conversation_id: &str,
    marks: &[(&str, i64)],
    at: NaiveDateTime,
) -> Result<(), DbError> {
    if marks.is_empty() {
        return Ok(());
    }
    // One statement for all the senders of a group.
    match conn {
        AnyConnection::Postgresql(c) => {
            let readers: Vec<&str> = marks.iter().map(|(user, _)| *user).collect();
            let seqs: Vec<i64> = marks.iter().map(|(_, seq)| *seq).collect();
            diesel::select(read_marks(conversation_id, readers, seqs, at)).get_result::<i32>(c)?;
        }
        AnyConnection::Sqlite(c) => {
            use diesel::upsert::excluded;
            let rows: Vec<_> = marks
                .iter()
                .map(|(user, seq)| {
                    (
                        conversation_reads::conversation_id.eq(conversation_id),
                        conversation_reads::user_id.eq(*user),
                        conversation_reads::seq.eq(*seq),
                        conversation_reads::read_at.eq(at),
                    )
                })
                .collect();
            diesel::insert_into(conversation_reads::table)
                .values(&rows)
                .on_conflict((
                    conversation_reads::conversation_id,
                    conversation_reads::user_id,
                ))
                .do_update()
                .set((
                    conversation_reads::seq.eq(excluded(conversation_reads::seq)),
                    conversation_reads::read_at.eq(excluded(conversation_reads::read_at)),
                ))
                .execute(c)?;
        }
    }
    Ok(())
}

/// Moves a person's read mark forward (never back), without an event (the sender's own).
fn mark_read_in(
    conn: &mut AnyConnection,
    conversation_id: &str,
    user_id: &str,
    seq: i64,
    at: NaiveDateTime,
) -> Result<bool, DbError> {
    let moved = diesel::update(
        conversation_reads::table
            .filter(conversation_reads::conversation_id.eq(conversation_id))
            .filter(conversation_reads::user_id.eq(user_id))
            .filter(conversation_reads::seq.lt(seq)),
    )
    .set((
        conversation_reads::seq.eq(seq),
        conversation_reads::read_at.eq(at),
    ))
    .execute(conn)?;
    if moved == 1 {
        return Ok(true);
    }
    let inserted = crate::on_backend!(conn, |c| {
        diesel::insert_into(conversation_reads::table)
            .values((
                conversation_reads::conversation_id.eq(conversation_id),
                conversation_reads::user_id.eq(user_id),
                conversation_reads::seq.eq(seq),
                conversation_reads::read_at.eq(at),
            ))
            .on_conflict((
                conversation_reads::conversation_id,
                conversation_reads::user_id,
            ))
            .do_nothing()
            .execute(c)
    })?;
    Ok(inserted == 1)
}

/// A person read up to `seq`: moves their mark and tells the others (read receipts),
/// when it moved.
pub fn mark_read(
    conn: &mut AnyConnection,
    network_id: &str,
    conversation_id: &str,
    user_id: &str,
    seq: i64,
) -> Result<bool, DbError> {
    let moved = mark_read_in(conn, conversation_id, user_id, seq, now())?;
    if moved {
        event(
            conn,
            network_id,
            Some(conversation_id),
            None,
            Some(user_id),
            READ,
        )?;
    }
    Ok(moved)
}

/// Up to `limit` messages after `after_seq`, in order.
pub fn after(
    conn: &mut AnyConnection,
    conversation_id: &str,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<Message>, DbError> {
    Ok(crate::on_backend!(conn, |c| messages::table
        .filter(messages::conversation_id.eq(conversation_id))
        .filter(messages::seq.gt(after_seq))
        .order(messages::seq)
        .limit(limit)
        .select(Message::as_select())
        .load(c))?)
}

/// The latest `limit` messages before `before_seq` (all, with None), oldest first.
pub fn latest(
    conn: &mut AnyConnection,
    conversation_id: &str,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<Message>, DbError> {
    let mut q = messages::table
        .filter(messages::conversation_id.eq(conversation_id))
        .into_boxed();
    if let Some(b) = before_seq {
        q = q.filter(messages::seq.lt(b));
    }
    let mut v: Vec<Message> = q
        .order(messages::seq.desc())
        .limit(limit)
        .select(Message::as_select())
        .load(conn)?;
    v.reverse();
    Ok(v)
}

pub fn message(conn: &mut AnyConnection, id: &str) -> Result<Option<Message>, DbError> {
    Ok(messages::table
        .find(id)
        .select(Message::as_select())
        .first(conn)
        .optional()?)
}

/// These messages by id (for events).
pub fn messages_by_ids(conn: &mut AnyConnection, ids: &[String]) -> Result<Vec<Message>, DbError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(messages::table
        .filter(messages::id.eq_any(ids.to_vec()))
        .select(Message::as_select())
        .load(conn)?)
}

/// Replaces a message's text, keeping the earlier one, with its event.
pub fn edit(
    conn: &mut AnyConnection,
    network_id: &str,
    m: &Message,
    new_sealed: &str,
) -> Result<(), DbError> {
    let at = now();
    diesel::insert_into(message_edits::table)
        .values((
            message_edits::id.eq(new_id()),
            message_edits::message_id.eq(&m.id),
            message_edits::body_sealed.eq(&m.body_sealed),
            message_edits::replaced_at.eq(at),
        ))
        .execute(conn)?;
    diesel::update(messages::table.find(&m.id))
        .set((
            messages::body_sealed.eq(new_sealed),
            messages::edited_at.eq(at),
        ))
        .execute(conn)?;
    event(
        conn,
        network_id,
        Some(m.conversation_id.as_str()),
        Some(m.id.as_str()),
        None,
        EDIT,
    )
}

/// The earlier texts of a message, oldest first: (sealed text, replaced at).
pub fn edits_of(
    conn: &mut AnyConnection,
    message_id: &str,
) -> Result<Vec<(String, NaiveDateTime)>, DbError> {
    Ok(message_edits::table
        .filter(message_edits::message_id.eq(message_id))
        .order(message_edits::replaced_at)
        .select((message_edits::body_sealed, message_edits::replaced_at))
        .load(conn)?)
}

/// Marks a message withdrawn (its text stays for the log), with its event; false when it
/// was withdrawn already.
pub fn withdraw(conn: &mut AnyConnection, network_id: &str, m: &Message) -> Result<bool, DbError> {
    let n = diesel::update(
        messages::table
            .filter(messages::id.eq(&m.id))
            .filter(messages::withdrawn_at.is_null()),
    )
    .set(messages::withdrawn_at.eq(now()))
    .execute(conn)?;
    if n == 1 {
        event(
            conn,
            network_id,
            Some(m.conversation_id.as_str()),
            Some(m.id.as_str()),
            None,
            WITHDRAWN,
        )?;
    }
    Ok(n == 1)
}

/// Records what happened in a network for the live streams. On PostgreSQL the stored
/// event announces itself to the other servers (trigger `network_events_announced`, at
/// commit, none on rollback). With `user_id`, the event is (also) for that person.
pub fn event(
    conn: &mut AnyConnection,
    network_id: &str,
    conversation_id: Option<&str>,
    message_id: Option<&str>,
    user_id: Option<&str>,
    kind: &str,
) -> Result<(), DbError> {
    crate::on_backend!(conn, |c| diesel::insert_into(network_events::table)
        .values((
            network_events::network_id.eq(network_id),
            network_events::conversation_id.eq(conversation_id),
            network_events::message_id.eq(message_id),
            network_events::user_id.eq(user_id),
            network_events::kind.eq(kind),
            network_events::at.eq(now()),
        ))
        .execute(c))?;
    Ok(())
}

/// Where a stream stands: past every event up to (tx, id).
pub type Cursor = (i64, i64);

/// The events of these networks, and those for this person, after `cursor`, in order.
/// On PostgreSQL only those every older transaction is done with (see the migration):
/// an event committed later can then never sort before one already read.
pub fn events_after(
    conn: &mut AnyConnection,
    network_ids: &[String],
    user_id: &str,
    cursor: Cursor,
    limit: i64,
) -> Result<Vec<Event>, DbError> {
    use diesel::dsl::sql;
    use diesel::sql_types::Bool;
    let (tx, id) = cursor;
    let after = network_events::tx
        .gt(tx)
        .or(network_events::tx.eq(tx).and(network_events::id.gt(id)));
    let settled =
        || -> Box<dyn diesel::BoxableExpression<network_events::table, _, SqlType = Bool>> {
            Box::new(sql::<Bool>(
                "tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
            ))
        };
    Ok(match conn {
        AnyConnection::Sqlite(c) => network_events::table
            .filter(after)
            .filter(
                network_events::network_id
                    .eq_any(network_ids.to_vec())
                    .or(network_events::user_id.eq(user_id)),
            )
            .order((network_events::tx, network_events::id))
            .limit(limit)
            .select(Event::as_select())
            .load(c)?,
        AnyConnection::Postgresql(c) => network_events::table
            .filter(after)
            .filter(settled())
            .filter(
                network_events::network_id
                    .eq_any(network_ids.to_vec())
                    .or(network_events::user_id.eq(user_id)),
            )
            .order((network_events::tx, network_events::id))
            .limit(limit)
            .select(Event::as_select())
            .load(c)?,
    })
}

/// Whether events after `cursor` for these networks or this person are committed but
/// not yet settled (an older transaction is still open; PostgreSQL only): a reader
/// should look again in a moment rather than wait for the next news.
pub fn unsettled(
    conn: &mut AnyConnection,
    network_ids: &[String],
    user_id: &str,
    cursor: Cursor,
) -> Result<bool, DbError> {
    let AnyConnection::Postgresql(c) = conn else {
        return Ok(false);
    };
    let (tx, id) = cursor;
    let found: Option<i64> = network_events::table
        .filter(
            network_events::tx
                .gt(tx)
                .or(network_events::tx.eq(tx).and(network_events::id.gt(id))),
        )
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "tx >= pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
        ))
        .filter(
            network_events::network_id
                .eq_any(network_ids.to_vec())
                .or(network_events::user_id.eq(user_id)),
        )
        .select(network_events::id)
        .first(c)
        .optional()?;
    Ok(found.is_some())
}

/// The cursor of "now": past every event committed so far. (A transaction still
/// committing at this moment may land before it; a client that must miss nothing keeps
/// its Last-Event-ID instead.)
pub fn cursor_now(conn: &mut AnyConnection) -> Result<Cursor, DbError> {
    let last: Option<(i64, i64)> = crate::on_backend!(conn, |c| network_events::table
        .order((network_events::tx.desc(), network_events::id.desc()))
        .select((network_events::tx, network_events::id))
        .first(c)
        .optional())?;
    Ok(last.unwrap_or((0, 0)))
}

/// Forgets events older than `before` (a stream away that long starts afresh).
pub fn prune_events(conn: &mut AnyConnection, before: NaiveDateTime) -> Result<usize, DbError> {
    Ok(
        diesel::delete(network_events::table.filter(network_events::at.lt(before)))
            .execute(conn)?,
    )
}

/// How this person chose to hear of new messages (None: the default).
pub fn notice_choice(conn: &mut AnyConnection, user_id: &str) -> Result<Option<String>, DbError> {
    Ok(notice_choices::table
        .find(user_id)
        .select(notice_choices::choice)
        .first(conn)
        .optional()?)
}

pub fn set_notice_choice(
    conn: &mut AnyConnection,
    user_id: &str,
    choice: &str,
) -> Result<(), DbError> {
    crate::on_backend!(conn, |c| diesel::insert_into(notice_choices::table)
        .values((
            notice_choices::user_id.eq(user_id),
            notice_choices::choice.eq(choice),
        ))
        .on_conflict(notice_choices::user_id)
        .do_update()
        .set(notice_choices::choice.eq(choice))
        .execute(c))?;
    Ok(())
}

/// (person, read up to seq, last mailed at, their notice choice if they made one)
pub type NoticeState = (String, i64, Option<NaiveDateTime>, Option<String>);

/// For the e-mail notices of one conversation: per person, when they were last mailed
/// and how far they read.
pub fn notice_state(
    conn: &mut AnyConnection,
    conversation_id: &str,
    user_ids: &[String],
) -> Result<Vec<NoticeState>, DbError> {
    if user_ids.is_empty() {
        return Ok(vec![]);
    }
    // One statement: each person with their read mark here (if any) and their choice.
    type Row = (String, Option<i64>, Option<NaiveDateTime>, Option<String>);
    let rows: Vec<Row> = users::table
        .left_join(
            conversation_reads::table.on(conversation_reads::user_id
                .eq(users::id)
                .and(conversation_reads::conversation_id.eq(conversation_id.to_owned()))),
        )
        .left_join(notice_choices::table.on(notice_choices::user_id.eq(users::id)))
        .filter(users::id.eq_any(user_ids.to_vec()))
        .select((
            users::id,
            conversation_reads::seq.nullable(),
            conversation_reads::mailed_at.nullable(),
            notice_choices::choice.nullable(),
        ))
        .load(conn)?;
    Ok(user_ids
        .iter()
        .map(|u| {
            let r = rows.iter().find(|r| &r.0 == u);
            (
                u.clone(),
                r.and_then(|r| r.1).unwrap_or(0),
                r.and_then(|r| r.2),
                r.and_then(|r| r.3.clone()),
            )
        })
        .collect())
}

/// Notes that a person is mailed about a conversation now, if they were not mailed
/// since `since` (keeping their read mark). False when another server just did: at
/// most one notice goes out.
pub fn mailed_unless_since(
    conn: &mut AnyConnection,
    conversation_id: &str,
    user_id: &str,
    since: NaiveDateTime,
) -> Result<bool, DbError> {
    let at = now();
    let updated = diesel::update(
        conversation_reads::table
            .filter(conversation_reads::conversation_id.eq(conversation_id))
            .filter(conversation_reads::user_id.eq(user_id))
            .filter(
                conversation_reads::mailed_at
                    .is_null()
                    .or(conversation_reads::mailed_at.le(since)),
            ),
    )
    .set(conversation_reads::mailed_at.eq(at))
    .execute(conn)?;
    if updated == 1 {
        return Ok(true);
    }
    let inserted = crate::on_backend!(conn, |c| diesel::insert_into(conversation_reads::table)
        .values((
            conversation_reads::conversation_id.eq(conversation_id),
            conversation_reads::user_id.eq(user_id),
            conversation_reads::seq.eq(0i64),
            conversation_reads::mailed_at.eq(at),
        ))
        .on_conflict((
            conversation_reads::conversation_id,
            conversation_reads::user_id
        ))
        .do_nothing()
        .execute(c))?;
    Ok(inserted == 1)
}

/// Conversations with news that a person was mailed about before `mailed_before` and has
/// not read since (their notice was held back by the quarter): (conversation, person).
pub fn notices_owed(
    conn: &mut AnyConnection,
    mailed_before: NaiveDateTime,
    limit: i64,
) -> Result<Vec<(String, String)>, DbError> {
    Ok(conversation_reads::table
        .inner_join(conversations::table)
        .filter(conversation_reads::mailed_at.le(mailed_before))
        .filter(
            conversations::last_at
                .nullable()
                .gt(conversation_reads::mailed_at),
        )
        .filter(conversation_reads::seq.lt(conversations::last_seq))
        .select((
            conversation_reads::conversation_id,
            conversation_reads::user_id,
        ))
        .limit(limit)
        .load(conn)?)
}

/// The people who chose the daily mail and were not sent it since `sent_before`.
pub fn daily_due(
    conn: &mut AnyConnection,
    sent_before: NaiveDateTime,
) -> Result<Vec<String>, DbError> {
    Ok(notice_choices::table
        .filter(notice_choices::choice.eq("daily"))
        .filter(
            notice_choices::daily_sent_at
                .is_null()
                .or(notice_choices::daily_sent_at.lt(sent_before)),
        )
        .select(notice_choices::user_id)
        .load(conn)?)
}

/// Notes that a person's daily mail goes out `at`, unless another server just did.
pub fn daily_sent(
    conn: &mut AnyConnection,
    user_id: &str,
    sent_before: NaiveDateTime,
    at: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = diesel::update(
        notice_choices::table
            .filter(notice_choices::user_id.eq(user_id))
            .filter(
                notice_choices::daily_sent_at
                    .is_null()
                    .or(notice_choices::daily_sent_at.lt(sent_before)),
            ),
    )
    .set(notice_choices::daily_sent_at.eq(at))
    .execute(conn)?;
    Ok(n == 1)
}
