//! What a change of the installation key touches: the root key row (`installation_keys`)
//! and every column sealed directly under the installation key, read and replaced in
//! batches. A replacement only lands when the column still holds what was read (a
//! compare-and-set), so a value changed meanwhile by a running server is left to the
//! next pass instead of being overwritten.

use crate::schema::installation_keys as k;
use crate::{AnyConnection, DbError};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

/// The name of the root key's row.
pub const ROOT: &str = "root";

/// Columns sealed under the installation key: (table, key column, column). A rotation
/// re-seals each of them; `NETWORK_SEALED` are sealed with a network's own key instead
/// and need nothing (their network key, in `network_keys`, is here).
pub const SEALED: &[(&str, &str, &str)] = &[
    ("installation_keys", "name", "wrapped"),
    ("network_keys", "network_id", "wrapped"),
    ("users", "id", "totp_secret"),
    ("children", "id", "name_sealed"),
    ("children", "id", "bsn_sealed"),
    ("network_members", "id", "name_sealed"),
    ("referrals", "id", "reason_sealed"),
    ("referral_events", "id", "reason_sealed"),
    ("referral_feedback", "id", "body_sealed"),
    ("referral_attachments", "id", "file_name_sealed"),
    ("referral_attachments", "id", "content_sealed"),
    ("consultations", "id", "subject_sealed"),
    ("consultation_messages", "id", "body_sealed"),
    ("plan_versions", "id", "content_sealed"),
    // An agreement's row is known by its network and key together.
    (
        "plan_actions",
        "(network_id || '/' || item_key)",
        "what_sealed",
    ),
    ("plan_responses", "id", "comment_sealed"),
    ("meeting_items", "id", "question_sealed"),
    ("meeting_items", "id", "discussion_sealed"),
    ("meeting_items", "id", "decisions_sealed"),
    ("meeting_items", "id", "actions_sealed"),
    ("deletion_requests", "id", "note_sealed"),
];

/// Columns sealed with a network's own key (untouched by a change of the installation
/// key: only their network's key is re-wrapped).
pub const NETWORK_SEALED: &[(&str, &str)] = &[
    ("conversations", "title_sealed"),
    ("messages", "body_sealed"),
    ("message_edits", "body_sealed"),
    ("message_documents", "name_sealed"),
    ("message_documents", "content_sealed"),
];

/// The root key's row (sealed), if written; `None` also before the table exists (an
/// installation not yet migrated).
pub fn root(conn: &mut AnyConnection) -> Option<String> {
    crate::on_backend!(conn, |c| k::table
        .find(ROOT)
        .select(k::wrapped)
        .first::<String>(c)
        .optional())
    .ok()
    .flatten()
}

/// Writes the root key's row unless one is there (two servers starting at once both
/// write the same root; the first stays).
pub fn put_root_if_absent(conn: &mut AnyConnection, wrapped: &str) -> Result<(), DbError> {
    let row = (
        k::name.eq(ROOT),
        k::wrapped.eq(wrapped),
        k::wrapped_at.eq(crate::now()),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(k::table)
        .values(row)
        .on_conflict(k::name)
        .do_nothing()
        .execute(c))?;
    Ok(())
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    k: String,
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

/// Up to `limit` (key, sealed value) of one column after key `after`, in key order.
/// `table`, `key` and `column` come from `SEALED`, never from input.
pub fn sealed_batch(
    conn: &mut AnyConnection,
    (table, key, column): (&str, &str, &str),
    after: &str,
    limit: i64,
) -> Result<Vec<(String, Option<String>)>, DbError> {
    let rows: Vec<Row> = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(format!(
            "SELECT {key} AS k, {column} AS v FROM {table} WHERE {key} > ? ORDER BY {key} LIMIT {limit}"
        ))
        .bind::<Text, _>(after)
        .load(c)?,
        AnyConnection::Postgresql(c) => diesel::sql_query(format!(
            "SELECT {key} AS k, {column} AS v FROM {table} WHERE {key} > $1 ORDER BY {key} LIMIT {limit}"
        ))
        .bind::<Text, _>(after)
        .load(c)?,
    };
    Ok(rows.into_iter().map(|r| (r.k, r.v)).collect())
}

/// Replaces one sealed value if it is still `old`; whether it was.
pub fn replace_sealed(
    conn: &mut AnyConnection,
    (table, key, column): (&str, &str, &str),
    id: &str,
    old: &str,
    new: &str,
) -> Result<bool, DbError> {
    let n = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(format!(
            "UPDATE {table} SET {column} = ? WHERE {key} = ? AND {column} = ?"
        ))
        .bind::<Text, _>(new)
        .bind::<Text, _>(id)
        .bind::<Text, _>(old)
        .execute(c)?,
        AnyConnection::Postgresql(c) => diesel::sql_query(format!(
            "UPDATE {table} SET {column} = $1 WHERE {key} = $2 AND {column} = $3"
        ))
        .bind::<Text, _>(new)
        .bind::<Text, _>(id)
        .bind::<Text, _>(old)
        .execute(c)?,
    };
    Ok(n == 1)
}
