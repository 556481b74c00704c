//! Login throttling state, kept in the database so that every app server behind the load
//! balancer sees the same count. Attempts are counted *before* the password or code is
//! checked, in one transaction, so a burst of parallel guesses cannot all slip through
//! before the first failure is written.

use crate::schema::login_throttle;
use crate::{AnyConnection, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Counts an attempt for `key`. Answers `Err(until)` without counting when the key is
/// locked, otherwise the new count (the lock for that count is set at once).
pub fn attempt(
    conn: &mut AnyConnection,
    key: &str,
    now: NaiveDateTime,
    lock_for: impl Fn(i32) -> Option<chrono::Duration>,
) -> Result<Result<i32, NaiveDateTime>, DbError> {
    let until: Option<Option<NaiveDateTime>> = login_throttle::table
        .find(key)
        .select(login_throttle::locked_until)
        .first(conn)
        .optional()?;
    if let Some(Some(u)) = until
        && u > now
    {
        return Ok(Err(u));
    }
    // One upsert: concurrent first attempts on a new key each count (an UPDATE that
    // found no row followed by an INSERT lost the race on PostgreSQL with a duplicate
    // key; the db contract suite found it). The row lock serialises the additions.
    // (diesel's upsert is written per engine: the multi-backend wrapper has none.)
    crate::on_backend!(conn, |c| {
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::key.eq(key),
                login_throttle::failures.eq(1),
                login_throttle::last_failure_at.eq(now),
            ))
            .on_conflict(login_throttle::key)
            .do_update()
            .set((
                login_throttle::failures.eq(login_throttle::failures + 1),
                login_throttle::last_failure_at.eq(now),
            ))
            .execute(c)
    })?;
    let count: i32 = login_throttle::table
        .find(key)
        .select(login_throttle::failures)
        .first(conn)?;
    let lock = lock_for(count).map(|d| now + d);
    diesel::update(login_throttle::table.find(key))
        .set(login_throttle::locked_until.eq(lock))
        .execute(conn)?;
    Ok(Ok(count))
}

/// Takes back one counted attempt (a successful login from a shared address).
pub fn undo(conn: &mut AnyConnection, key: &str) -> Result<(), DbError> {
    diesel::update(
        login_throttle::table
            .find(key)
            .filter(login_throttle::failures.gt(0)),
    )
    .set(login_throttle::failures.eq(login_throttle::failures - 1))
    .execute(conn)?;
    Ok(())
}

pub fn clear(conn: &mut AnyConnection, key: &str) -> Result<(), DbError> {
    diesel::delete(login_throttle::table.find(key)).execute(conn)?;
    Ok(())
}

/// Forgets failures that are old enough not to matter any more.
pub fn forget_before(conn: &mut AnyConnection, before: NaiveDateTime) -> Result<usize, DbError> {
    Ok(
        diesel::delete(login_throttle::table.filter(login_throttle::last_failure_at.lt(before)))
            .execute(conn)?,
    )
}
