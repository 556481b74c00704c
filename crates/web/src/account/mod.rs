//! "Mijn account": password, second factor status and personal API tokens.

use crate::access;
use crate::auth::{password, throttle};
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
use rondom_db::{tokens, users};
use rondom_domain::ids::TokenId;
use rondom_domain::passwords::check_new_password;
use rondom_domain::{Action, Resource};
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
    let uid = user.user_id.clone();
    let (u, left, toks) = state
        .db
        .read(move |c| {
            Ok((
                users::get(c, &uid)?,
                users::unused_recovery_codes(c, &uid)?,
                tokens::list_api_tokens(c, &uid)?,
            ))
        })
        .await?;
    let fmt = |t: chrono::NaiveDateTime| crate::format::datetime(t);
    AccountPage {
        page: Page::for_user("Mijn account", "account", user).with_notice(notice),
        email: u.email,
        totp_enabled: u.totp_enabled,
        recovery_left: left,
        tokens: toks
            .into_iter()
            .map(|t| TokenView {
                id: t.id,
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
    access::require(
        &state,
        &user,
        Action::Read,
        Resource::Account(&user.user_id),
    )
    .await?;
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
    access::require(
        &state,
        &user,
        Action::Update,
        Resource::Account(&user.user_id),
    )
    .await?;
    let fail = |msg: String| async {
        Ok::<Response, AppError>(
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                account_page(&state, &user, None, Some(msg), None, None).await?,
            )
                .into_response(),
        )
    };
    let guess_key = throttle::Key::CurrentPassword(user.user_id.clone());
    throttle::attempt(&state, vec![guess_key.clone()]).await??;
    let uid = user.user_id.clone();
    let current_hash = state
        .db
        .read(move |c| users::get(c, &uid))
        .await?
        .password_hash
        .unwrap_or_default();
    if !password::verify(current_hash, form.current.clone()).await {
        account::record_wrong_password(&state.app, &user).await?;
        return fail("Uw huidige wachtwoord klopt niet.".into()).await;
    }
    throttle::succeed(&state, vec![guess_key], None).await?;
    let email = state
        .db
        .read({
            let uid = user.user_id.clone();
            move |c| users::get(c, &uid).map(|u| u.email)
        })
        .await?;
    if let Err(e) = check_new_password(&form.password, &[&user.name, &email]) {
        return fail(e.message).await;
    }
    if form.password != form.password_repeat {
        return fail("De twee nieuwe wachtwoorden zijn niet gelijk.".into()).await;
    }
    let hash = password::hash(form.password.clone())
        .await
        .map_err(AppError::internal)?;
    account::set_password(&state.app, &user, hash, &user.session_id).await?;
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
