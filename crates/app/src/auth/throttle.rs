//! Login throttling, made so that a stranger can slow down their own guessing but cannot
//! lock the owner out:
//!
//! - per account and address together (`Pair`): a growing delay after a few free tries,
//!   refused before the password is even checked. This is where a guesser at one
//!   address is stopped; the owner, at another address, is not touched by it;
//! - per address over all accounts (`Address`): more free tries, then the same delay,
//!   against one address spraying many accounts;
//! - per account over all addresses (`Account`): against guessing from many addresses.
//!   This lock is soft: the password is still checked, and a correct one goes on to
//!   the second factor, which the guesser does not have. An account without a second
//!   factor cannot tell its owner from a guesser that way, so while it is locked the
//!   owner logs in after a password reset by e-mail (which clears the lock);
//! - the second factor (`SecondFactor`), only reachable with the right password;
//! - the password-reset form counts per address on its own (`ResetAddress`), so that it
//!   cannot be used to slow down logins.
//!
//! Attempts are counted before the secret is checked (so a burst of parallel guesses
//! cannot all slip through) and taken back on success; the counts live in the database
//! so that all servers count together. Every refusal says how long to wait
//! (`Retry-After`).

use crate::{Error, Services};
use chrono::Duration;
use rondom_db::throttle;

const PAIR_FREE: i32 = 3;
const ACCOUNT_FREE: i32 = 10;
const ADDRESS_FREE: i32 = 30;
const RESET_FREE: i32 = 10;
const MAX_LOCK_SECS: i64 = 15 * 60;

/// The lock after `attempts` counted attempts, given how many are free.
pub fn lock_after(attempts: i32, free: i32) -> Option<Duration> {
    if attempts <= free {
        return None;
    }
    let exp = (attempts - free - 1).min(20) as u32;
    Some(Duration::seconds((1i64 << exp).min(MAX_LOCK_SECS)))
}

/// What is being guessed, and from where: each has its own counter, so a correct
/// password does not reset the count of wrong second-factor codes.
#[derive(Debug, Clone)]
pub enum Key {
    /// One account from one address.
    Pair {
        email: String,
        address: String,
    },
    /// One account from anywhere (the soft lock).
    Account(String),
    SecondFactor(String),
    CurrentPassword(String),
    Address(String),
    ResetAddress(String),
}

impl Key {
    fn name(&self) -> String {
        match self {
            Self::Pair { email, address } => format!("account-address:{email}|{address}"),
            Self::Account(email) => format!("account:{email}"),
            Self::SecondFactor(user_id) => format!("mfa:{user_id}"),
            Self::CurrentPassword(user_id) => format!("current-password:{user_id}"),
            Self::Address(addr) => format!("address:{addr}"),
            Self::ResetAddress(addr) => format!("reset-address:{addr}"),
        }
    }

    fn free(&self) -> i32 {
        match self {
            Self::Address(_) => ADDRESS_FREE,
            Self::ResetAddress(_) => RESET_FREE,
            Self::Account(_) => ACCOUNT_FREE,
            _ => PAIR_FREE,
        }
    }

    pub fn address(addr: &Option<String>) -> Option<Key> {
        addr.as_deref().map(|a| Key::Address(a.to_owned()))
    }

    /// The account from this address (an unknown address counts as one address).
    pub fn pair(email: &str, addr: &Option<String>) -> Key {
        Key::Pair {
            email: email.to_owned(),
            address: addr.clone().unwrap_or_else(|| "-".into()),
        }
    }
}

/// A refusal: how long until the next try counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locked {
    pub retry_after_secs: i64,
}

/// Counts one attempt on every key, or answers the wait when one of them is locked (the
/// longest wait among them; keys after a locked one are not counted).
pub async fn attempt(svc: &Services, keys: Vec<Key>) -> Result<Result<(), Locked>, Error> {
    let now = rondom_db::now();
    let locked = svc
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
    Ok(match locked {
        Some(until) => Err(Locked {
            retry_after_secs: (until - now).num_seconds().max(1),
        }),
        None => Ok(()),
    })
}

/// A success: the guessed secrets' counters start again; the address gets its attempt
/// back.
pub async fn succeed(svc: &Services, keys: Vec<Key>, address: Option<Key>) -> Result<(), Error> {
    svc.db
        .write(move |c| {
            for k in &keys {
                throttle::clear(c, &k.name())?;
            }
            if let Some(a) = address {
                throttle::undo(c, &a.name())?;
            }
            Ok(())
        })
        .await?;
    Ok(())
}

/// Clears an account's lock over all addresses (its owner proved themselves by e-mail).
pub async fn release_account(svc: &Services, email: &str) -> Result<(), Error> {
    succeed(svc, vec![Key::Account(email.to_owned())], None).await
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
