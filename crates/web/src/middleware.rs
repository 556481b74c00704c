//! Cross-cutting protection and observation, applied to every response.

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
                   frame-ancestors 'none'; form-action 'self'";

/// Security headers on every answer; personal pages are never cached.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    // A response with its own, stricter policy (a download: sandboxed) keeps it.
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CSP));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Reset links carry their secret in the path; no Referer may carry it to another
    // site. (`no-referrer` would also make browsers send `Origin: null` on our own forms.)
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if state.settings.is_https() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !is_static && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// Defence in depth against cross-site form posts, next to the CSRF tokens: a browser
/// that says the request comes from another site is refused.
pub async fn same_origin(req: Request, next: Next) -> Response {
    let changes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes && !req.uri().path().starts_with("/api/") {
        let cross_site = req
            .headers()
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "cross-site");
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok());
        let origin_mismatch = match (
            req.headers()
                .get(header::ORIGIN)
                .and_then(|v| v.to_str().ok()),
            host,
        ) {
            // An opaque origin says nothing either way; the CSRF token still decides.
            (Some("null"), _) => false,
            (Some(origin), Some(host)) => origin.split("://").nth(1) != Some(host),
            _ => false,
        };
        if cross_site || origin_mismatch {
            return AppError::Csrf.into_response();
        }
    }
    next.run(req).await
}

/// Request count and latency per route for `/metrics`.
pub async fn record_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_owned();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    resp
}

/// An error page for a signed-in person keeps their menu: the error is shown again in
/// the layout of every other page. The session is only looked up when a page failed.
pub async fn error_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // Only the session cookie is kept: the rest of the request is not needed to show the
    // menu, and most answers are no error at all.
    let cookie = (!req.uri().path().starts_with("/api/")
        && !req.uri().path().starts_with("/static/"))
    .then(|| req.headers().get(header::COOKIE).cloned())
    .flatten();
    let resp = next.run(req).await;
    let (Some(cookie), Some(shown)) = (
        cookie,
        resp.extensions().get::<crate::error::ErrorShown>().cloned(),
    ) else {
        return resp;
    };
    let mut probe = Request::new(axum::body::Body::empty());
    probe.headers_mut().insert(header::COOKIE, cookie);
    let (mut parts, _) = probe.into_parts();
    let Ok(user) = <crate::session::CurrentUser as axum::extract::FromRequestParts<AppState>>::from_request_parts(&mut parts, &state).await else {
        return resp;
    };
    let html = askama::Template::render(&crate::error::ErrorInLayout {
        page: crate::page::Page::for_user(shown.title, "", &user),
        title: shown.title,
        message: shown.message,
    });
    let Ok(html) = html else {
        return resp;
    };
    let (mut parts, _) = resp.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(html))
}
