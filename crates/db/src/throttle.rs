//! Login throttling state, kept in the database so that every app server behind the load
//! balancer sees the same count.

use crate::schema::login_throttle;
use crate::{AnyConnection, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// When the key may try again, if it is locked now.
pub fn locked_until(
    conn: &mut AnyConnection,
    key: &str,
    now: NaiveDateTime,
) -> Result<Option<NaiveDateTime>, DbError> {
    let until: Option<Option<NaiveDateTime>> = login_throttle::table
        .find(key)
        .select(login_throttle::locked_until)
        .first(conn)
        .optional()?;
    Ok(until.flatten().filter(|u| *u > now))
}

/// Counts a failure and sets the lock the caller computed from the new count.
pub fn register_failure(
    conn: &mut AnyConnection,
    key: &str,
    now: NaiveDateTime,
    lock_for: impl Fn(i32) -> Option<chrono::Duration>,
) -> Result<i32, DbError> {
    let current: Option<i32> = login_throttle::table
        .find(key)
        .select(login_throttle::failures)
        .first(conn)
        .optional()?;
    let failures = current.unwrap_or(0).saturating_add(1);
    let until = lock_for(failures).map(|d| now + d);
    if current.is_some() {
        diesel::update(login_throttle::table.find(key))
            .set((
                login_throttle::failures.eq(failures),
                login_throttle::last_failure_at.eq(now),
                login_throttle::locked_until.eq(until),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::key.eq(key),
                login_throttle::failures.eq(failures),
                login_throttle::last_failure_at.eq(now),
                login_throttle::locked_until.eq(until),
            ))
            .execute(conn)?;
    }
    Ok(failures)
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
