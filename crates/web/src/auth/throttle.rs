//! Login throttling per account, per second factor and per address, with a delay that
//! doubles with each attempt past a few free ones. Attempts are counted before the
//! secret is checked and taken back on success; the counts live in the database so all
//! servers count together.

use crate::error::AppError;
use crate::state::AppState;
use chrono::Duration;
use rondom_db::throttle;

const ACCOUNT_FREE: i32 = 3;
const ADDRESS_FREE: i32 = 20;
const MAX_LOCK_SECS: i64 = 15 * 60;

/// The lock after `attempts` counted attempts, given how many are free.
pub fn lock_after(attempts: i32, free: i32) -> Option<Duration> {
    if attempts <= free {
        return None;
    }
    let exp = (attempts - free - 1).min(20) as u32;
    Some(Duration::seconds((1i64 << exp).min(MAX_LOCK_SECS)))
}

/// What is being guessed: each has its own counter, so a correct password does not reset
/// the count of wrong second-factor codes.
#[derive(Debug, Clone)]
pub enum Key {
    Password(String),
    SecondFactor(String),
    CurrentPassword(String),
    Address(String),
}

impl Key {
    fn name(&self) -> String {
        match self {
            Self::Password(email) => format!("account:{email}"),
            Self::SecondFactor(user_id) => format!("mfa:{user_id}"),
            Self::CurrentPassword(user_id) => format!("current-password:{user_id}"),
            Self::Address(addr) => format!("address:{addr}"),
        }
    }

    fn free(&self) -> i32 {
        match self {
            Self::Address(_) => ADDRESS_FREE,
            _ => ACCOUNT_FREE,
        }
    }

    pub fn address(addr: &Option<String>) -> Option<Key> {
        addr.as_deref().map(|a| Key::Address(a.to_owned()))
    }
}

/// Counts one attempt on every key, or refuses with the wait time when one is locked.
pub async fn attempt(state: &AppState, keys: Vec<Key>) -> Result<(), AppError> {
    let now = rondom_db::now();
    let locked = state
        .db
        .write(move |c| {
            for k in &keys {
                let free = k.free();
                if let Err(until) = throttle::attempt(c, &k.name(), now, |n| lock_after(n, free))? {
                    return Ok(Some(until));
                }
            }
            Ok(None)
        })
        .await?;
    match locked {
        Some(until) => Err(AppError::TooManyRequests {
            retry_after_secs: (until - now).num_seconds().max(1),
        }),
        None => Ok(()),
    }
}

/// A success: the guessed secret's counter starts again; the address gets its attempt back.
pub async fn succeed(state: &AppState, key: Key, address: Option<Key>) -> Result<(), AppError> {
    state
        .db
        .write(move |c| {
            throttle::clear(c, &key.name())?;
            if let Some(a) = address {
                throttle::undo(c, &a.name())?;
            }
            Ok(())
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_after_the_free_tries_and_is_capped() {
        assert_eq!(lock_after(3, 3), None);
        assert_eq!(lock_after(4, 3), Some(Duration::seconds(1)));
        assert_eq!(lock_after(5, 3), Some(Duration::seconds(2)));
        assert_eq!(lock_after(8, 3), Some(Duration::seconds(16)));
        assert_eq!(lock_after(100, 3), Some(Duration::seconds(MAX_LOCK_SECS)));
    }
}
