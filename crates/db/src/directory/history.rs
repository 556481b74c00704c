//! The change history of the sociale kaart, and the version counter that tells each app
//! server when its search index is out of date.

use crate::schema::{directory_changes, directory_version, users};
use crate::{AnyConnection, DbError, new_id, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable)]
pub struct Change {
    pub changed_at: NaiveDateTime,
    pub user_name: Option<String>,
    pub object_type: String,
    pub object_id: String,
    pub summary: String,
}

/// Records one change and bumps the directory version; call inside the writing
/// transaction so both land with the change or not at all.
pub fn record_change(
    conn: &mut AnyConnection,
    organisation_id: &str,
    object_type: &str,
    object_id: &str,
    user_id: Option<&str>,
    summary: &str,
) -> Result<(), DbError> {
    diesel::insert_into(directory_changes::table)
        .values((
            directory_changes::id.eq(new_id()),
            directory_changes::organisation_id.eq(organisation_id),
            directory_changes::object_type.eq(object_type),
            directory_changes::object_id.eq(object_id),
            directory_changes::user_id.eq(user_id),
            directory_changes::changed_at.eq(now()),
            directory_changes::summary.eq(summary),
        ))
        .execute(conn)?;
    bump_version(conn)
}

/// The newest changes of one object, or of everything an organisation owns.
pub fn changes(
    conn: &mut AnyConnection,
    object_id: Option<&str>,
    organisation_id: Option<&str>,
    limit: i64,
) -> Result<Vec<Change>, DbError> {
    let mut q = directory_changes::table
        .left_join(users::table.on(users::id.nullable().eq(directory_changes::user_id)))
        .select((
            directory_changes::changed_at,
            users::name.nullable(),
            directory_changes::object_type,
            directory_changes::object_id,
            directory_changes::summary,
        ))
        .order(directory_changes::changed_at.desc())
        .limit(limit)
        .into_boxed();
    if let Some(o) = object_id {
        q = q.filter(directory_changes::object_id.eq(o.to_owned()));
    }
    if let Some(o) = organisation_id {
        q = q.filter(directory_changes::organisation_id.eq(o.to_owned()));
    }
    Ok(q.load(conn)?)
}

/// Marks the directory as changed without a history line (bulk loads such as the demo).
pub fn bump_version(conn: &mut AnyConnection) -> Result<(), DbError> {
    diesel::update(directory_version::table.find(1))
        .set(directory_version::version.eq(directory_version::version + 1))
        .execute(conn)?;
    Ok(())
}

pub fn version(conn: &mut AnyConnection) -> Result<i64, DbError> {
    Ok(directory_version::table
        .find(1)
        .select(directory_version::version)
        .first(conn)?)
}
