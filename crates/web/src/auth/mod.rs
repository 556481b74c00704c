//! Who is asking: password and second factor, sessions, API tokens, throttling, CSRF.

pub mod api_token;
pub mod login;
pub mod reset;
pub mod throttle;
pub mod totp;

pub use crate::client::{ClientAddr, client_addr};
pub use crate::cookies::cookie;
pub use rondom_app::auth::{constant_time_eq, password, random_token};

/// Only local paths are followed after login, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        // Browsers drop tabs and newlines from URLs ("/\t/evil" becomes "//evil"), so
        // only plain URL characters are accepted.
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/-_.~?=&%+".contains(&b)) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_plain_paths_are_followed() {
        assert_eq!(safe_next(Some("/account?melding=x")), "/account?melding=x");
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil",
            "https://evil.example",
            "",
            "/a b",
            "/\u{1}",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
