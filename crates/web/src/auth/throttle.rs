//! The HTTP side of login throttling (the counting is `rondom_app::auth::throttle`):
//! a refusal is a 429 that says how long to wait.

use crate::error::AppError;
pub use rondom_app::auth::throttle::Locked;

impl From<Locked> for AppError {
    fn from(l: Locked) -> Self {
        AppError::TooManyRequests {
            retry_after_secs: l.retry_after_secs,
        }
    }
}

/// Tells the client when to try again, on a page that shows the refusal itself.
pub fn set_retry_after(resp: &mut axum::response::Response, l: Locked) {
    if let Ok(v) = axum::http::HeaderValue::from_str(&l.retry_after_secs.max(1).to_string()) {
        resp.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, v);
    }
}

/// The sentence a refused try shows.
pub fn locked_message(l: Locked) -> String {
    AppError::from(l).message()
}
