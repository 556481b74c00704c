//! The HTTP side of login throttling (the counting is `rondom_app::auth::throttle`):
//! a refusal is a 429 that says how long to wait.

use crate::error::AppError;
pub use rondom_app::auth::throttle::{Key, Locked, attempt, release_account, succeed};

impl From<Locked> for AppError {
    fn from(l: Locked) -> Self {
        AppError::TooManyRequests {
            retry_after_secs: l.retry_after_secs,
        }
    }
}

/// The sentence a refused try shows.
pub fn locked_message(l: Locked) -> String {
    AppError::from(l).message()
}
