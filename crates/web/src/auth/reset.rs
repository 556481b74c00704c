//! Forgotten password: an e-mailed link that works once and expires after an hour. The
//! answer is the same whether or not the address is known.

use super::ClientAddr;
use crate::error::AppError;
use crate::extract::Path;
use crate::page::Page;
use crate::session::{parse_form, read_body};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_app::auth::login;
use rondom_domain::validate::Email;
use serde::Deserialize;

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
    login::forgot_password(&state.app, &email, addr.0.clone()).await??;
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
    let valid = login::reset_link_valid(&state.app, &token).await?;
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
    match login::reset_password(
        &state.app,
        &token,
        &form.password,
        &form.password_repeat,
        addr.0.as_deref(),
    )
    .await?
    {
        login::Reset::Done => {}
        login::Reset::Refused(message) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&page(message, true))?,
            )
                .into_response());
        }
        login::Reset::Gone => {
            return Ok((
                StatusCode::GONE,
                render(&page(
                    "Deze link is verlopen of al gebruikt. Vraag een nieuwe aan.".into(),
                    false,
                ))?,
            )
                .into_response());
        }
    }
    Ok(Redirect::to("/inloggen?melding=wachtwoord-gewijzigd").into_response())
}
