//! "Mijn account": password, second factor status and personal API tokens.

use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::home::NoticeQuery;
use crate::page::Page;
use crate::session::{CsrfForm, CurrentUser};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_app::account;
use rondom_domain::ids::TokenId;
use serde::Deserialize;

pub struct TokenView {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "account/account.html")]
struct AccountPage {
    page: Page,
    email: String,
    totp_enabled: bool,
    recovery_left: i64,
    tokens: Vec<TokenView>,
    password_error: Option<String>,
    token_error: Option<String>,
    new_token: Option<String>,
}

async fn account_page(
    state: &AppState,
    user: &CurrentUser,
    notice: Option<&str>,
    password_error: Option<String>,
    token_error: Option<String>,
    new_token: Option<String>,
) -> Result<Html<String>, AppError> {
    let account::Overview {
        email,
        totp_enabled,
        recovery_left: left,
        tokens: toks,
    } = account::overview(&state.app, user).await?;
    let fmt = |t: chrono::NaiveDateTime| crate::format::datetime(t);
    AccountPage {
        page: Page::for_user("Mijn account", "account", user).with_notice(notice),
        email,
        totp_enabled,
        recovery_left: left,
        tokens: toks
            .into_iter()
            .map(|t| TokenView {
                id: t.id.into(),
                name: t.name,
                created: fmt(t.created_at),
                last_used: t.last_used_at.map(fmt).unwrap_or_else(|| "nog niet".into()),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        password_error,
        token_error,
        new_token,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

pub async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, AppError> {
    account_page(&state, &user, q.melding.as_deref(), None, None, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current: String,
    password: String,
    password_repeat: String,
}

pub async fn change_password(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, AppError> {
    let fail = |msg: String| async {
        Ok::<Response, AppError>(
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                account_page(&state, &user, None, Some(msg), None, None).await?,
            )
                .into_response(),
        )
    };
    match account::change_password(
        &state.app,
        &user,
        &form.current,
        &form.password,
        &form.password_repeat,
        &user.session_id,
    )
    .await?
    {
        Ok(()) => {}
        Err(account::ChangeRefused::Throttled(locked)) => return Err(locked.into()),
        Err(account::ChangeRefused::Says(message)) => return fail(message).await,
    }
    Ok(Redirect::to("/account?melding=wachtwoord-opgeslagen").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, AppError> {
    let value = match account::create_token(&state.app, &user, &form.name).await? {
        Ok(v) => v,
        Err(errors) => {
            let message = account::first_message(errors);
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                account_page(&state, &user, None, None, Some(message), None).await?,
            )
                .into_response());
        }
    };
    // The value is shown this once and never again; only its hash is kept.
    Ok(account_page(&state, &user, None, None, None, Some(value))
        .await?
        .into_response())
}

pub async fn revoke_token(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<TokenId>,
    CsrfForm(_f): CsrfForm<crate::session::EmptyForm>,
) -> Result<Response, AppError> {
    account::revoke_token(&state.app, &user, &id).await?;
    Ok(Redirect::to("/account?melding=token-ingetrokken").into_response())
}
