//! Forgotten password: an e-mailed link that works once and expires after an hour. The
//! answer is the same whether or not the address is known.

use super::{ClientAddr, sha256_hex, throttle};
use crate::error::AppError;
use crate::extract::Path;
use crate::page::Page;
use crate::session::{parse_form, read_body};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_db::audit::AuditEvent;
use rondom_db::{tokens, users};
use rondom_domain::passwords::check_new_password;
use rondom_domain::validate::Email;
use serde::Deserialize;

pub use rondom_app::auth::links::{INVITE_VALID_HOURS, RESET_VALID_HOURS};

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    page: Page,
    sent: bool,
    error: Option<String>,
}

fn render(t: &impl Template) -> Result<Html<String>, AppError> {
    t.render().map(Html).map_err(AppError::internal)
}

pub async fn forgot_form(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    render(&ForgotPage {
        page: Page::anonymous("Wachtwoord vergeten", state.settings.demo_mode),
        sent: false,
        error: None,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ForgotForm {
    email: String,
}

/// Creates a single-use link for this user and e-mails it (see `rondom_app::auth::links`).
pub async fn send_link(
    state: &AppState,
    user_id: &str,
    email: &str,
    valid_hours: i64,
    invite: bool,
) -> Result<(), AppError> {
    Ok(rondom_app::auth::links::send_link(&state.app, user_id, email, valid_hours, invite).await?)
}

pub async fn forgot_submit(
    State(state): State<AppState>,
    addr: ClientAddr,
    req: Request,
) -> Result<Response, AppError> {
    let (_, body) = read_body(req, &state).await?;
    let form: ForgotForm = parse_form(&body)?;
    let Ok(email) = Email::parse(&form.email) else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&ForgotPage {
                page: Page::anonymous("Wachtwoord vergeten", state.settings.demo_mode),
                sent: false,
                error: Some("Vul een geldig e-mailadres in.".into()),
            })?,
        )
            .into_response());
    };
    let email = email.into_inner();
    // Counted per address on a counter of its own, so the form cannot be used to flood
    // someone's mailbox or probe many addresses, nor to slow down anyone's login.
    throttle::attempt(
        &state,
        addr.0
            .iter()
            .map(|a| throttle::Key::ResetAddress(a.clone()))
            .collect(),
    )
    .await??;
    let lookup = email.clone();
    let user = state
        .db
        .read(move |c| users::find_by_email(c, &lookup))
        .await?;
    if let Some(u) = user.filter(|u| !u.disabled) {
        send_link(&state, &u.id, &u.email, RESET_VALID_HOURS, false).await?;
        let e = AuditEvent {
            actor_user_id: Some(u.id.clone()),
            actor_name: u.name.clone(),
            action: "password_reset_requested".into(),
            object_type: "user".into(),
            object_id: Some(u.id.clone()),
            source_address: addr.0.clone(),
            outcome: "allowed".into(),
            ..Default::default()
        };
        state.db.audit(e).await?;
    }
    Ok(render(&ForgotPage {
        page: Page::anonymous("Wachtwoord vergeten", state.settings.demo_mode),
        sent: true,
        error: None,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    page: Page,
    token: String,
    valid: bool,
    error: Option<String>,
}

pub async fn reset_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let hash = sha256_hex(&token);
    let valid = state
        .db
        .read(move |c| tokens::peek_password_reset(c, &hash))
        .await?
        .is_some();
    let status = if valid {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    Ok((
        status,
        render(&ResetPage {
            page: Page::anonymous("Nieuw wachtwoord kiezen", state.settings.demo_mode),
            token,
            valid,
            error: None,
        })?,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResetForm {
    password: String,
    password_repeat: String,
}

pub async fn reset_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    addr: ClientAddr,
    req: Request,
) -> Result<Response, AppError> {
    // The secret link is itself the proof; no session, so no CSRF token to compare.
    let (_, body) = read_body(req, &state).await?;
    let form: ResetForm = parse_form(&body)?;
    let page = |error: String, valid: bool| ResetPage {
        page: Page::anonymous("Nieuw wachtwoord kiezen", state.settings.demo_mode),
        token: token.clone(),
        valid,
        error: Some(error),
    };
    if let Err(e) = check_new_password(&form.password, &[]) {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&page(e.message, true))?,
        )
            .into_response());
    }
    if form.password != form.password_repeat {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&page("De twee wachtwoorden zijn niet gelijk.".into(), true))?,
        )
            .into_response());
    }
    let new_hash = rondom_app::auth::password::hash(form.password.clone())
        .await
        .map_err(AppError::internal)?;
    let done = rondom_app::auth::sessions::reset_password(
        &state.app,
        &sha256_hex(&token),
        new_hash,
        addr.0.as_deref(),
    )
    .await?;
    let Some(email) = done else {
        return Ok((
            StatusCode::GONE,
            render(&page(
                "Deze link is verlopen of al gebruikt. Vraag een nieuwe aan.".into(),
                false,
            ))?,
        )
            .into_response());
    };
    // The link proved the owner: a lock that guessers put on the account is lifted.
    throttle::release_account(&state, &email).await?;
    Ok(Redirect::to("/inloggen?melding=wachtwoord-gewijzigd").into_response())
}
