//! The one place where errors become HTTP answers: pages get a Dutch page, the API gets
//! `{"error": {"code", "message"}}`. Internal details go to the log with the request id,
//! never to the client.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rondom_app::DbError;
use rondom_domain::validate::ValidationError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Not logged in (or the session ended): back to the login page, then to `next`.
    #[error("login required")]
    LoginRequired { next: String, expired: bool },
    /// Logged in with a password but the second factor is still to come.
    #[error("second factor required")]
    SecondFactorRequired,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("validation failed")]
    Validation(Vec<ValidationError>),
    #[error("conflict: {0}")]
    Conflict(String),
    /// A referral cannot make this move; `allowed` are the moves this person may make.
    #[error("transition not allowed")]
    TransitionNotAllowed {
        message: String,
        allowed: Vec<&'static str>,
    },
    #[error("csrf check failed")]
    Csrf,
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: i64 },
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("unauthorized")]
    Unauthorized,
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// The database could not store the change (a full disk): nothing was saved.
    #[error("storage full: {0}")]
    StorageFull(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => Self::NotFound,
            DbError::Conflict(m) => Self::Conflict(m),
            DbError::Unavailable(m) => Self::Unavailable(m),
            DbError::StorageFull(m) => Self::StorageFull(m),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<rondom_app::Error> for AppError {
    fn from(e: rondom_app::Error) -> Self {
        use rondom_app::Error as E;
        match e {
            E::NotFound => Self::NotFound,
            E::Forbidden => Self::Forbidden,
            E::TransitionNotAllowed { message, allowed } => {
                Self::TransitionNotAllowed { message, allowed }
            }
            E::Refused(m) => Self::BadRequest(m),
            E::Db(e) => e.into(),
            E::Internal(m) => Self::Internal(m),
        }
    }
}

impl From<ValidationError> for AppError {
    fn from(e: ValidationError) -> Self {
        Self::Validation(vec![e])
    }
}

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::LoginRequired { .. } | Self::SecondFactorRequired | Self::Unauthorized => {
                StatusCode::UNAUTHORIZED
            }
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) | Self::TransitionNotAllowed { .. } => StatusCode::CONFLICT,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::StorageFull(_) => StatusCode::INSUFFICIENT_STORAGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Forbidden => "forbidden",
            Self::LoginRequired { .. } | Self::SecondFactorRequired | Self::Unauthorized => {
                "unauthorized"
            }
            Self::BadRequest(_) => "bad_request",
            Self::Validation(_) => "validation_failed",
            Self::Conflict(_) => "conflict",
            Self::TransitionNotAllowed { .. } => "transition_not_allowed",
            Self::Csrf => "csrf_failed",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Unavailable(_) => "unavailable",
            Self::StorageFull(_) => "storage_full",
            Self::Internal(_) => "internal",
        }
    }

    /// The Dutch sentence a person sees.
    pub fn message(&self) -> String {
        match self {
            Self::NotFound => "Deze pagina bestaat niet, of u heeft er geen toegang toe.".into(),
            Self::Forbidden => "U heeft geen toegang tot deze pagina. Deze poging is vastgelegd.".into(),
            Self::LoginRequired { .. } | Self::Unauthorized => "Log eerst in.".into(),
            Self::SecondFactorRequired => "Vul eerst uw code uit de authenticator-app in.".into(),
            Self::BadRequest(m) => m.clone(),
            Self::Validation(errs) => errs
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join(" "),
            Self::Conflict(_) => "Dit bestaat al.".into(),
            Self::TransitionNotAllowed { message, .. } => message.clone(),
            Self::Csrf => "Het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens.".into(),
            Self::TooManyRequests { retry_after_secs } => format!(
                "Te veel mislukte pogingen. Probeer het over {} opnieuw.",
                human_wait(*retry_after_secs)
            ),
            Self::PayloadTooLarge => "Wat u verstuurde is te groot.".into(),
            Self::UnsupportedMediaType => "Dit soort inhoud wordt hier niet geaccepteerd.".into(),
            Self::Unavailable(_) => "Rondom is even niet bereikbaar. Probeer het zo opnieuw.".into(),
            Self::StorageFull(_) => "Er is niets opgeslagen: de opslag van Rondom is vol of geeft een fout. Uw gegevens zijn niet verloren, maar ook niet bewaard; probeer het later opnieuw. De beheerder is gewaarschuwd.".into(),
            Self::Internal(_) => "Er ging bij ons iets mis. Probeer het opnieuw; blijft het misgaan, neem dan contact op met de beheerder.".into(),
        }
    }

    fn log(&self) {
        match self {
            Self::Internal(m) => tracing::error!(error = %m, "request failed"),
            Self::Unavailable(m) => {
                tracing::warn!(error = %m, "database unavailable; answered 503")
            }
            Self::StorageFull(m) => {
                tracing::error!(error = %m, "storage full: a change was refused")
            }
            Self::Conflict(m) => tracing::info!(conflict = %m, "conflict"),
            _ => {}
        }
    }
}

pub fn human_wait(secs: i64) -> String {
    if secs <= 60 {
        format!(
            "{} seconde{}",
            secs.max(1),
            if secs == 1 { "" } else { "n" }
        )
    } else {
        let m = (secs + 59) / 60;
        format!("{m} minu{}", if m == 1 { "ut" } else { "ten" })
    }
}

/// What an error page said, for showing it again inside the person's own layout.
#[derive(Clone)]
pub struct ErrorShown {
    pub title: &'static str,
    pub message: String,
}

/// The same error inside the layout with the person's menu.
#[derive(Template)]
#[template(path = "error_in_layout.html")]
pub struct ErrorInLayout {
    pub page: crate::page::Page,
    pub title: &'static str,
    pub message: String,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: &'static str,
    message: String,
    status: u16,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        match &self {
            Self::LoginRequired { next, expired } => {
                let mut url = format!("/inloggen?volgende={}", urlencode(next));
                if *expired {
                    url.push_str("&melding=sessie-verlopen");
                }
                let mut resp = Redirect::to(&url).into_response();
                if *expired && let Ok(v) = HeaderValue::from_str(&crate::cookies::clear_cookie()) {
                    resp.headers_mut().append(header::SET_COOKIE, v);
                }
                return resp;
            }
            Self::SecondFactorRequired => return Redirect::to("/inloggen/code").into_response(),
            _ => {}
        }
        let status = self.status();
        let title = match status {
            StatusCode::NOT_FOUND => "Niet gevonden",
            StatusCode::FORBIDDEN => "Geen toegang",
            StatusCode::TOO_MANY_REQUESTS => "Even geduld",
            StatusCode::PAYLOAD_TOO_LARGE => "Te groot",
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "Controleer uw invoer",
            s if s.is_server_error() => "Er ging iets mis",
            _ => "Melding",
        };
        let page = ErrorPage {
            title,
            message: self.message(),
            status: status.as_u16(),
        };
        let mut resp = match page.render() {
            Ok(html) => (status, axum::response::Html(html)).into_response(),
            Err(_) => (status, self.message()).into_response(),
        };
        // For a signed-in person the page is shown again with their menu
        // (`middleware::error_pages`), so an error is never a dead end.
        resp.extensions_mut().insert(ErrorShown {
            title,
            message: page.message,
        });
        if let Some(v) = self.retry_after() {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

/// Seconds a client should wait before trying a 503 again: the database is usually back
/// within a second or two of a restart.
const UNAVAILABLE_RETRY_SECS: i64 = 2;

impl AppError {
    /// The `Retry-After` of answers that are worth trying again later.
    fn retry_after(&self) -> Option<HeaderValue> {
        let secs = match self {
            Self::TooManyRequests { retry_after_secs } => (*retry_after_secs).max(1),
            Self::Unavailable(_) => UNAVAILABLE_RETRY_SECS,
            _ => return None,
        };
        HeaderValue::from_str(&secs.to_string()).ok()
    }
}

/// The API's face of the same errors.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `validation_failed`.
    pub code: String,
    /// A sentence for people (Dutch).
    pub message: String,
    /// Per-field problems, for `validation_failed`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// For `transition_not_allowed`: the statuses this person may move the referral to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let status = match e {
            AppError::LoginRequired { .. } | AppError::SecondFactorRequired => {
                StatusCode::UNAUTHORIZED
            }
            ref other => other.status(),
        };
        let fields = match &e {
            AppError::Validation(errs) => errs
                .iter()
                .map(|v| FieldError {
                    field: v.field.to_owned(),
                    message: v.message.clone(),
                })
                .collect(),
            _ => vec![],
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: e.code().to_owned(),
                message: match &e {
                    AppError::Unauthorized => {
                        "Geen geldig API-token. Stuur 'Authorization: Bearer <token>'.".into()
                    }
                    other => other.message(),
                },
                fields,
                allowed: match &e {
                    AppError::TransitionNotAllowed { allowed, .. } => {
                        Some(allowed.iter().map(|s| s.to_string()).collect())
                    }
                    _ => None,
                },
            },
        };
        let mut resp = (status, axum::Json(body)).into_response();
        if let Some(v) = e.retry_after() {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
