//! `Authorization: Bearer …` for the JSON API. Tokens are stored as SHA-256 hashes.

use super::{client_addr, sha256_hex};
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use rondom_db::{tokens, users};
use rondom_domain::{Actor, Role};

pub use rondom_app::auth::{API_TOKEN_PREFIX as TOKEN_PREFIX, new_api_token as new_token};

#[derive(Debug, Clone)]
pub struct ApiUser {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub token_id: String,
    pub actor: Actor,
    pub memberships: Vec<users::Membership>,
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
        let hash = sha256_hex(token);
        let found = state
            .db
            .read(move |c| {
                let Some(t) = tokens::find_api_token(c, &hash)? else {
                    return Ok(None);
                };
                let u = users::get(c, &t.user_id)?;
                let m = users::memberships_of(c, &t.user_id)?;
                Ok(Some((t, u, m)))
            })
            .await?;
        let (t, u, memberships) = found.ok_or(ApiError(AppError::Unauthorized))?;
        let stale = t
            .last_used_at
            .is_none_or(|at| (rondom_db::now() - at).num_seconds() > 60);
        if stale {
            let id = t.id.clone();
            state
                .db
                .write(move |c| tokens::touch_api_token(c, &id))
                .await?;
        }
        let actor = Actor {
            user_id: u.id.clone(),
            memberships: memberships
                .iter()
                .filter_map(|m| Role::parse(&m.role).map(|r| (m.organisation_id.clone(), r)))
                .collect(),
            family_role: u.family_role.as_deref().and_then(Role::parse),
        };
        Ok(Self {
            user_id: u.id,
            name: u.name,
            email: u.email,
            token_id: t.id,
            actor,
            memberships,
            source_address: client_addr(parts, state),
        })
    }
}
