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

/// A form's fields and files.
pub(crate) type FormParts = (Vec<(String, String)>, Vec<(String, Vec<u8>)>);

/// A page's form sent as multipart (with files) or as a plain form (the same fields,
/// without files), its CSRF token checked against the session's. The files are the
/// parts named `file_field` that carry a file. `None` when the body is larger than the
/// route allows: the caller says so on its page.
pub(crate) async fn form_with_files(
    req: axum::extract::Request,
    state: &crate::state::AppState,
    user: &crate::session::CurrentUser,
    file_field: &str,
) -> Result<Option<FormParts>, AppError> {
    use axum::extract::{FromRequest, Multipart};
    use axum::http::StatusCode;
    let bad_form = || {
        AppError::BadRequest("Het formulier is niet goed verstuurd. Probeer het opnieuw.".into())
    };
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    if !multipart {
        let crate::session::CsrfForm(pairs) =
            crate::session::CsrfForm::<Vec<(String, String)>>::from_request(req, state).await?;
        return Ok(Some((pairs, vec![])));
    }
    let mut mp = Multipart::from_request(req, state)
        .await
        .map_err(|_| bad_form())?;
    let mut pairs = Vec::new();
    let mut files = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Ok(None),
            Err(_) => return Err(bad_form()),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Ok(None),
            Err(_) => return Err(bad_form()),
        };
        match file_name {
            // A file input left empty sends a part without a name and content.
            Some(f) if name == file_field => {
                if !(f.is_empty() && bytes.is_empty()) {
                    files.push((f, bytes.to_vec()));
                }
            }
            _ => pairs.push((name, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    let given = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    if !crate::auth::constant_time_eq(given, &user.csrf) {
        return Err(AppError::Csrf);
    }
    Ok(Some((pairs, files)))
}
