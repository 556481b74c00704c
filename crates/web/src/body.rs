//! Reading request bodies with a size limit that answers cleanly. A body over the limit
//! is still read (and thrown away) up to a bound, so the client receives our 413 instead
//! of a reset connection: closing a socket with unread data makes the kernel send RST,
//! which can destroy the answer already sent.

use crate::error::AppError;
use axum::body::{Body, Bytes};
use axum::http::HeaderMap;
use http_body_util::BodyExt;

/// How much more than the limit is drained before giving up on a clean answer.
const DRAIN_FACTOR: usize = 8;

pub async fn read_limited(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, AppError> {
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let drain_cap = limit.saturating_mul(DRAIN_FACTOR);
    if declared.is_some_and(|n| n > drain_cap) {
        return Err(AppError::PayloadTooLarge);
    }
    let mut body = body;
    let mut buf = Vec::with_capacity(declared.unwrap_or(0).min(limit));
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| {
            AppError::BadRequest("De verzonden gegevens kwamen niet goed aan.".into())
        })?;
        if let Ok(data) = frame.into_data() {
            seen = seen.saturating_add(data.len());
            if seen > drain_cap {
                return Err(AppError::PayloadTooLarge);
            }
            if seen <= limit {
                buf.extend_from_slice(&data);
            }
        }
    }
    if seen > limit {
        return Err(AppError::PayloadTooLarge);
    }
    Ok(Bytes::from(buf))
}
