//! "Mijn account": password, second factor status and personal API tokens.

use crate::access;
use crate::auth::api_token::new_token;
use crate::auth::session::{CsrfForm, CurrentUser};
use crate::auth::{password, throttle};
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::home::NoticeQuery;
use crate::page::Page;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_db::audit;
use rondom_db::{sessions, tokens, users};
use rondom_domain::ids::TokenId;
use rondom_domain::validate::{check_new_password, required_text};
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
        let mut e = access::event(
            &user,
            "password_change",
            Resource::Account(&user.user_id),
            "denied",
        );
        e.reason = Some("wrong current password".into());
        access::record(&state, e).await?;
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
    let uid = user.user_id.clone();
    let keep = user.session_id.clone();
    let e = access::event(
        &user,
        "password_change",
        Resource::Account(&user.user_id),
        "allowed",
    );
    state
        .db
        .write(move |c| {
            users::set_password(c, &uid, &hash)?;
            sessions::delete_for_user(c, &uid, Some(&keep))?;
            tokens::invalidate_password_resets(c, &uid)?;
            audit::append(c, &e)?;
            Ok(())
        })
        .await?;
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
    access::require(
        &state,
        &user,
        Action::Update,
        Resource::Account(&user.user_id),
    )
    .await?;
    let name = match required_text("name", "een naam voor het token", &form.name, 80) {
        Ok(n) => n,
        Err(e) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                account_page(&state, &user, None, None, Some(e.message), None).await?,
            )
                .into_response());
        }
    };
    let (value, hash) = new_token();
    let uid = user.user_id.clone();
    let mut e = access::event(
        &user,
        "api_token_create",
        Resource::Account(&user.user_id),
        "allowed",
    );
    e.reason = Some(name.clone());
    state
        .db
        .write(move |c| {
            tokens::create_api_token(c, &uid, &name, &hash)?;
            audit::append(c, &e)?;
            Ok(())
        })
        .await?;
    // The value is shown this once and never again; only its hash is kept.
    Ok(account_page(&state, &user, None, None, None, Some(value))
        .await?
        .into_response())
}

pub async fn revoke_token(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<TokenId>,
    CsrfForm(_f): CsrfForm<crate::auth::session::EmptyForm>,
) -> Result<Response, AppError> {
    access::require(
        &state,
        &user,
        Action::Update,
        Resource::Account(&user.user_id),
    )
    .await?;
    let uid = user.user_id.clone();
    let mut e = access::event(
        &user,
        "api_token_revoke",
        Resource::Account(&user.user_id),
        "allowed",
    );
    e.reason = Some(format!("token {id}"));
    state
        .db
        .write(move |c| {
            tokens::revoke_api_token(c, &uid, &id)?;
            audit::append(c, &e)?;
            Ok(())
        })
        .await?;
    Ok(Redirect::to("/account?melding=token-ingetrokken").into_response())
}
