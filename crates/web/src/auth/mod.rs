//! Who is asking: password and second factor, sessions, API tokens, throttling, CSRF.

pub mod api_token;
pub mod login;
pub mod reset;
pub mod session;
pub mod throttle;
pub mod totp;

use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
pub use rondom_app::auth::{constant_time_eq, password, random_token, sha256_hex};
use std::convert::Infallible;
use std::net::SocketAddr;

/// The address the request came from: the socket peer, or the last `X-Forwarded-For`
/// hop (added by our own proxy) when the installation says it runs behind one.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub Option<String>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(Self(client_addr(parts, state)))
    }
}

pub fn client_addr(parts: &Parts, state: &AppState) -> Option<String> {
    if state.settings.trust_proxy_headers
        && let Some(first) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            // The proxy appends the address it saw; earlier entries come from the client
            // and can be anything.
            .and_then(|v| v.rsplit(',').next())
    {
        let first = first.trim();
        if !first.is_empty() {
            return Some(first.to_owned());
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
}

/// Reads one cookie from the request.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

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
