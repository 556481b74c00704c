//! Administration: organisations and their members (platform and organisation admins),
//! and the audit log.

pub mod audit_log;
pub mod organisations;

use crate::auth::session::CurrentUser;
use crate::error::AppError;
use axum::response::Redirect;

/// `/beheer`: platform admins go to all organisations, organisation admins to their own.
pub async fn index(user: CurrentUser) -> Result<Redirect, AppError> {
    if user.actor.is_platform_admin() {
        return Ok(Redirect::to("/beheer/organisaties"));
    }
    match user.actor.administered_organisations().next() {
        Some(id) => Ok(Redirect::to(&format!("/beheer/organisaties/{id}"))),
        None => Err(AppError::Forbidden),
    }
}
