//! Documents shared in conversations: what a message list shows of them (name sealed,
//! kind, size) and, for a download only, the sealed content.

use crate::schema::message_documents as d;
use crate::{AnyConnection, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A document as lists show it (without its content).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = d)]
pub struct DocumentInfo {
    pub id: String,
    pub message_id: String,
    pub network_id: String,
    pub name_sealed: String,
    pub media_type: String,
    pub size_bytes: i64,
}

/// A document the group writer stores with its message.
pub struct NewDocument<'a> {
    pub id: &'a str,
    pub message_id: &'a str,
    pub name_sealed: &'a str,
    pub media_type: &'a str,
    pub size_bytes: i64,
    pub content_sealed: &'a str,
}

pub fn insert(
    conn: &mut AnyConnection,
    network_id: &str,
    rows: &[NewDocument<'_>],
    at: NaiveDateTime,
) -> Result<(), DbError> {
    if rows.is_empty() {
        return Ok(());
    }
    let values: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                d::id.eq(r.id),
                d::message_id.eq(r.message_id),
                d::network_id.eq(network_id),
                d::name_sealed.eq(r.name_sealed),
                d::media_type.eq(r.media_type),
                d::size_bytes.eq(r.size_bytes),
                d::content_sealed.eq(r.content_sealed),
                d::created_at.eq(at),
            )
        })
        .collect();
    crate::on_backend!(conn, |c| diesel::insert_into(d::table)
        .values(&values)
        .execute(c))?;
    Ok(())
}

/// The documents of these messages (a list's worth).
pub fn of_messages(
    conn: &mut AnyConnection,
    message_ids: &[String],
) -> Result<Vec<DocumentInfo>, DbError> {
    if message_ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(crate::on_backend!(conn, |c| d::table
        .filter(d::message_id.eq_any(message_ids))
        .select(DocumentInfo::as_select())
        .load(c))?)
}

/// One document with its sealed content.
pub fn document(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<(DocumentInfo, String)>, DbError> {
    Ok(crate::on_backend!(conn, |c| d::table
        .find(id)
        .select((DocumentInfo::as_select(), d::content_sealed))
        .first(c)
        .optional())?)
}
