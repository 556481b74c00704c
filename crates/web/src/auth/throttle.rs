//! Login throttling per account and per address, with a delay that doubles with each
//! failure past a few free tries. Kept in the database so all servers count together.

use crate::error::AppError;
use crate::state::AppState;
use chrono::Duration;
use rondom_db::throttle;

const ACCOUNT_FREE: i32 = 3;
const ADDRESS_FREE: i32 = 20;
const MAX_LOCK_SECS: i64 = 15 * 60;

/// The lock after `failures` failed attempts, given how many are free.
pub fn lock_after(failures: i32, free: i32) -> Option<Duration> {
    if failures <= free {
        return None;
    }
    let exp = (failures - free - 1).min(20) as u32;
    Some(Duration::seconds((1i64 << exp).min(MAX_LOCK_SECS)))
}

pub fn account_key(email: &str) -> String {
    format!("account:{email}")
}

pub fn address_key(addr: &str) -> String {
    format!("address:{addr}")
}

/// Refuses with the wait time when either key is locked.
pub async fn check(
    state: &AppState,
    account: Option<String>,
    address: Option<String>,
) -> Result<(), AppError> {
    let now = rondom_db::now();
    let until = state
        .db
        .read(move |c| {
            let mut latest = None;
            for k in account.iter().chain(address.iter()) {
                if let Some(u) = throttle::locked_until(c, k, now)? {
                    latest = latest.max(Some(u));
                }
            }
            Ok(latest)
        })
        .await?;
    match until {
        Some(u) => Err(AppError::TooManyRequests {
            retry_after_secs: (u - now).num_seconds().max(1),
        }),
        None => Ok(()),
    }
}

pub async fn fail(
    state: &AppState,
    account: Option<String>,
    address: Option<String>,
) -> Result<(), AppError> {
    let now = rondom_db::now();
    state
        .db
        .write(move |c| {
            if let Some(k) = &account {
                throttle::register_failure(c, k, now, |n| lock_after(n, ACCOUNT_FREE))?;
            }
            if let Some(k) = &address {
                throttle::register_failure(c, k, now, |n| lock_after(n, ADDRESS_FREE))?;
            }
            Ok(())
        })
        .await?;
    Ok(())
}

pub async fn succeed(state: &AppState, account: String) -> Result<(), AppError> {
    state
        .db
        .write(move |c| throttle::clear(c, &account))
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
