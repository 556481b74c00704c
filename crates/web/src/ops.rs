//! For operators and load balancers: liveness, readiness, metrics.

use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers and the server is not stopping: send traffic here.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.draining.load(std::sync::atomic::Ordering::Acquire) {
        (StatusCode::SERVICE_UNAVAILABLE, "stopping")
    } else if state.app.db.ping().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// Prometheus text format, for the scraper only: a configured bearer token, or a client
/// on this machine. Route names and traffic volumes are nobody else's business.
pub async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let allowed = match &state.settings.metrics_token {
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| crate::auth::constant_time_eq(given.trim(), &token.0)),
        // Behind a reverse proxy on the same machine every request comes from the
        // loopback address, the world's included: then only a token opens it.
        None => peer.ip().is_loopback() && !state.settings.trust_proxy_headers,
    };
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    let body = state
        .metrics
        .as_ref()
        .map(|h| h.render())
        .unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}
