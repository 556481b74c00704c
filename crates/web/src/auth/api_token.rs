//! `Authorization: Bearer …` for the JSON API. Tokens are stored as SHA-256 hashes.

use super::client_addr;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use rondom_app::auth::sessions::Membership;
use rondom_domain::Actor;

use rondom_app::auth::API_TOKEN_PREFIX as TOKEN_PREFIX;

#[derive(Debug, Clone)]
pub struct ApiUser {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub token_id: String,
    pub actor: Actor,
    pub memberships: Vec<Membership>,
    pub source_address: Option<String>,
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| t.starts_with(TOKEN_PREFIX))
            .ok_or(ApiError(AppError::Unauthorized))?;
        let holder = rondom_app::auth::api_token_holder(&state.app, &state.tokens, token)
            .await?
            .ok_or(ApiError(AppError::Unauthorized))?;
        let (t, u) = (&holder.token, &holder.user);
        let actor = rondom_app::auth::actor_of(&u.id, &holder.memberships, u.family_role);
        Ok(Self {
            user_id: u.id.clone().into(),
            name: u.name.clone(),
            email: u.email.clone(),
            token_id: t.id.clone().into(),
            actor,
            memberships: holder.memberships.clone(),
            source_address: client_addr(parts, state),
        })
    }
}
