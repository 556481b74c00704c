//! Where a request came from: the socket peer, or our own proxy's last hop.

use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
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
