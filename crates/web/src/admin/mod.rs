//! Administration: organisations and their members (platform and organisation admins),
//! and the audit log.

pub mod audit_log;
pub mod organisations;

use crate::access;
use crate::error::AppError;
use crate::session::CurrentUser;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Redirect;
use rondom_domain::{Action, Resource};

/// `/beheer`: platform admins go to all organisations, organisation admins to their own.
pub async fn index(user: CurrentUser, State(state): State<AppState>) -> Result<Redirect, AppError> {
    if user.actor.is_platform_admin() {
        return Ok(Redirect::to("/beheer/organisaties"));
    }
    match user.actor.administered_organisations().next() {
        Some(id) => Ok(Redirect::to(&format!("/beheer/organisaties/{id}"))),
        None => {
            // Not an admin anywhere: the policy refuses, and the refusal is logged.
            access::require(&state, &user, Action::Read, Resource::Organisations).await?;
            Err(AppError::Forbidden)
        }
    }
}
