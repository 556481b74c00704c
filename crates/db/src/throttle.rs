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
///
/// The count goes first: the upsert takes the row's lock, so parallel attempts on one
/// key pass here one at a time and each sees the lock its predecessor set. (Reading the
/// lock before counting let a burst on PostgreSQL all read "unlocked" before the first
/// of them wrote its lock; SQLite's one writer hid that.)
pub fn attempt(
    conn: &mut AnyConnection,
    key: &str,
    now: NaiveDateTime,
    lock_for: impl Fn(i32) -> Option<chrono::Duration>,
) -> Result<Result<i32, NaiveDateTime>, DbError> {
    // One upsert: concurrent first attempts on a new key each count (an UPDATE that
    // found no row followed by an INSERT lost the race on PostgreSQL with a duplicate
    // key; the db contract suite found it). (diesel's upsert is written per engine: the
    // multi-backend wrapper has none.)
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
    let (count, until): (i32, Option<NaiveDateTime>) = login_throttle::table
        .find(key)
        .select((login_throttle::failures, login_throttle::locked_until))
        .first(conn)?;
    if let Some(u) = until
        && u > now
    {
        // Locked: this attempt does not count (the row is still ours to change).
        diesel::update(login_throttle::table.find(key))
            .set(login_throttle::failures.eq(login_throttle::failures - 1))
            .execute(conn)?;
        return Ok(Err(u));
    }
    let lock = lock_for(count).map(|d| now + d);
    if lock.is_some() || until.is_some() {
        diesel::update(login_throttle::table.find(key))
            .set(login_throttle::locked_until.eq(lock))
            .execute(conn)?;
    }
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
