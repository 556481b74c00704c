//! Input at the edge: path segments, query strings and bodies are parsed into their types
//! here, and whatever does not parse is answered here, in the face of the route (a Dutch
//! page, or the API's structured error). Two rules hold for every input that reaches a
//! handler:
//!
//! - an id in a path is a typed id (`rondom_domain::ids`); a malformed one is a 404, the
//!   same answer as an id that exists but is not yours;
//! - no text carries a NUL character: PostgreSQL cannot store one, and a NUL that reached
//!   a shared statement (the audit group writer's) failed other people's requests.

use crate::error::{ApiError, AppError};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A path parameter (or tuple of them), typed. Any failure to parse is a 404.
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Self(p.0))
            .map_err(|_| AppError::NotFound)
    }
}

/// `Path` for the API: the same parse, the API's 404.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Self(p.0))
            .map_err(ApiError)
    }
}

fn parse_query<T: DeserializeOwned>(parts: &Parts) -> Result<T, String> {
    let raw = parts.uri.query().unwrap_or_default();
    if has_encoded_nul(raw.as_bytes()) {
        return Err("De zoekvraag bevat een ongeldig teken.".into());
    }
    serde_urlencoded::from_str(raw).map_err(|e| format!("De zoekvraag klopt niet: {e}."))
}

/// A query string, typed. A value that does not fit (a number too large, an unknown
/// choice) is a 400 page in Dutch, not axum's plain-text rejection.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parse_query(parts).map(Self).map_err(AppError::BadRequest)
    }
}

/// `Query` for the API: the structured error.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parse_query(parts)
            .map(Self)
            .map_err(|m| ApiError(AppError::BadRequest(m)))
    }
}

/// Whether URL-encoded text (a form body, a query string) decodes to a NUL anywhere.
pub fn has_encoded_nul(raw: &[u8]) -> bool {
    raw.contains(&0) || raw.windows(3).any(|w| w == b"%00")
}

/// Whether a JSON text holds a NUL in one of its strings (`\u0000`, an escape preceded
/// by an even number of backslashes) or raw.
pub fn json_has_nul(raw: &[u8]) -> bool {
    if raw.contains(&0) {
        return true;
    }
    let needle = b"u0000";
    let mut i = 0;
    while i + needle.len() <= raw.len() {
        if raw[i..].starts_with(needle) {
            let slashes = raw[..i].iter().rev().take_while(|b| **b == b'\\').count();
            if slashes % 2 == 1 {
                return true;
            }
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_however_it_is_written() {
        assert!(has_encoded_nul(b"naam=a%00b"));
        assert!(has_encoded_nul(b"naam=a\0b"));
        assert!(!has_encoded_nul(b"naam=a%2500b"), "an encoded percent sign");
        assert!(!has_encoded_nul(b"naam=100%25"));
        assert!(json_has_nul(br#"{"name":"a\u0000b"}"#));
        assert!(json_has_nul(br#"{"name":"a\\\u0000b"}"#));
        assert!(
            !json_has_nul(br#"{"name":"a\\u0000b"}"#),
            "a backslash, then text"
        );
        assert!(!json_has_nul(br#"{"name":"u0000"}"#));
    }
}
