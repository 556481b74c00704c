//! Server-side sessions. The cookie holds a random value; the database holds its SHA-256,
//! the person, the CSRF token and the timestamps. Idle and absolute timeouts are checked
//! on every request; logout and expiry delete the row.

use crate::client::client_addr;
use crate::cookies::cookie;
pub use crate::cookies::{SESSION_COOKIE, clear_cookie};
use crate::error::AppError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, header};
use rondom_app::auth::sessions::Membership;
use rondom_app::auth::sessions::SessionWithUser;
use rondom_app::auth::{constant_time_eq, sha256_hex};
use rondom_domain::Actor;
use serde::de::DeserializeOwned;

pub fn session_cookie(state: &AppState, value: &str) -> String {
    format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax{}",
        if state.settings.is_https() {
            "; Secure"
        } else {
            ""
        }
    )
}

/// A logged-in person who has passed every factor required of them.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub session_id: String,
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub csrf: String,
    pub is_demo: bool,
    pub actor: Actor,
    /// Where the person works, with organisation names (for pages and audit entries).
    pub memberships: Vec<Membership>,
    pub source_address: Option<String>,
    /// The sociale kaart's version at the start of this request.
    pub directory_version: Option<i64>,
    /// What waits for the person, for the menu (read for pages, not for form posts).
    pub counts: rondom_app::today::MenuCounts,
}

/// A person who gave the right password but still owes the second factor (or must set
/// it up).
#[derive(Debug, Clone)]
pub struct PendingUser {
    pub session_id: String,
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub csrf: String,
    pub totp_enabled: bool,
    pub source_address: Option<String>,
}

impl PendingUser {
    /// Whom the session belongs to, as the audit log names them.
    pub fn owner(&self) -> rondom_app::auth::sessions::SessionOwner<'_> {
        rondom_app::auth::sessions::SessionOwner {
            user_id: &self.user_id,
            name: &self.name,
            source_address: self.source_address.as_deref(),
        }
    }
}

enum Loaded {
    Full(CurrentUser),
    Pending(PendingUser),
}

fn requested_path(parts: &Parts) -> String {
    if parts.method == Method::GET {
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into())
    } else {
        "/".into()
    }
}

async fn load(parts: &Parts, state: &AppState) -> Result<Loaded, AppError> {
    let next = requested_path(parts);
    let Some(token) = cookie(parts, SESSION_COOKIE) else {
        return Err(AppError::LoginRequired {
            next,
            expired: false,
        });
    };
    let id = sha256_hex(token);
    let idle =
        chrono::Duration::from_std(state.settings.session_idle).map_err(AppError::internal)?;
    let loaded =
        rondom_app::auth::sessions::current(&state.app, &state.sessions, &id, idle).await?;
    let Some(row) = loaded else {
        return Err(AppError::LoginRequired {
            next,
            expired: true,
        });
    };
    let SessionWithUser {
        session: s,
        name,
        email,
        is_demo,
        totp_enabled,
        family_role: family,
        memberships,
        directory_version,
    } = SessionWithUser::clone(&row);
    let source_address = client_addr(parts, state);
    if !s.mfa_done {
        return Ok(Loaded::Pending(PendingUser {
            session_id: id,
            user_id: s.user_id.into(),
            name,
            email,
            csrf: s.csrf_token,
            totp_enabled,
            source_address,
        }));
    }
    let actor = rondom_app::auth::actor_of(&s.user_id, &memberships, family);
    Ok(Loaded::Full(CurrentUser {
        session_id: id,
        user_id: s.user_id.into(),
        name,
        email,
        csrf: s.csrf_token,
        is_demo,
        actor,
        memberships,
        source_address,
        directory_version,
        counts: Default::default(),
    }))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(u) = parts.extensions.get::<CurrentUser>() {
            return Ok(u.clone());
        }
        match load(parts, state).await? {
            Loaded::Full(mut u) => {
                // A form handler's CsrfForm needs the session too; keep it rather than
                // load it twice. Reads have no form.
                if parts.method != Method::GET {
                    // What the person changes shows in the menu's counts on their next page.
                    state.today.forget(&u.user_id);
                    parts.extensions.insert(u.clone());
                } else {
                    // Everyone may have unread messages (families too), so everyone's
                    // menu is counted; kept for a few seconds per person.
                    u.counts = state.today.counts(&state.app, &u.actor).await?;
                }
                Ok(u)
            }
            Loaded::Pending(_) => Err(AppError::SecondFactorRequired),
        }
    }
}

impl FromRequestParts<AppState> for PendingUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match load(parts, state).await? {
            Loaded::Pending(p) => Ok(p),
            // Already through: nothing to do on the second-factor pages.
            Loaded::Full(_) => Err(AppError::LoginRequired {
                next: "/".into(),
                expired: false,
            }),
        }
    }
}

/// A form body whose `csrf` field must match the session's token. Every state-changing
/// page handler takes its form through this type, so none can forget the check.
pub struct CsrfForm<T>(pub T);

/// The body of a form that carries nothing but its CSRF token (a button).
#[derive(serde::Deserialize, Default)]
pub struct EmptyForm {}

/// The CSRF token that the session expects, from whichever session extractor ran.
pub trait SessionCsrf {
    fn csrf_token(&self) -> &str;
}

impl SessionCsrf for CurrentUser {
    fn csrf_token(&self) -> &str {
        &self.csrf
    }
}

impl SessionCsrf for PendingUser {
    fn csrf_token(&self) -> &str {
        &self.csrf
    }
}

pub fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    if crate::extract::has_encoded_nul(body) {
        return Err(AppError::BadRequest(
            "Het formulier bevat een teken dat niet is toegestaan. Haal het weg en probeer het opnieuw."
                .into(),
        ));
    }
    serde_urlencoded::from_bytes(body).map_err(|_| {
        AppError::BadRequest("Het formulier is niet goed ingevuld. Laad de pagina opnieuw.".into())
    })
}

pub fn form_token(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v)
}

pub async fn read_body(req: Request, state: &AppState) -> Result<(Parts, Bytes), AppError> {
    let (parts, body) = req.into_parts();
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(AppError::UnsupportedMediaType);
    }
    let bytes =
        crate::body::read_limited(&parts.headers, body, state.settings.max_body_bytes).await?;
    Ok((parts, bytes))
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let (mut parts, bytes) = read_body(req, state).await?;
        let expected = if let Some(u) = parts.extensions.get::<CurrentUser>() {
            u.csrf.clone()
        } else {
            match load(&parts, state).await? {
                Loaded::Full(u) => {
                    let c = u.csrf.clone();
                    parts.extensions.insert(u);
                    c
                }
                Loaded::Pending(p) => p.csrf,
            }
        };
        let given = form_token(&bytes).unwrap_or_default();
        if !constant_time_eq(&given, &expected) {
            return Err(AppError::Csrf);
        }
        Ok(Self(parse_form(&bytes)?))
    }
}
