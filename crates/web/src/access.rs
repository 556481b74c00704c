//! Access checks with their audit trail, for the handlers not yet behind a use case:
//! `require` asks the policy through `rondom_app::access`, which logs a refusal; here it
//! becomes the HTTP refusal. The web crate's two kinds of principal are defined here.

use crate::auth::api_token::ApiUser;
use crate::error::AppError;
use crate::session::CurrentUser;
use crate::state::AppState;
use rondom_domain::{Action, Actor, Resource};

pub use rondom_app::Principal;

impl Principal for CurrentUser {
    fn actor(&self) -> &Actor {
        &self.actor
    }
    fn display_name(&self) -> &str {
        &self.name
    }
    fn source_address(&self) -> Option<&str> {
        self.source_address.as_deref()
    }
}

impl Principal for ApiUser {
    fn actor(&self) -> &Actor {
        &self.actor
    }
    fn display_name(&self) -> &str {
        &self.name
    }
    fn source_address(&self) -> Option<&str> {
        self.source_address.as_deref()
    }
}

/// Allows or refuses; a refusal is logged before it is answered.
pub async fn require(
    state: &AppState,
    user: &impl Principal,
    action: Action,
    resource: Resource<'_>,
) -> Result<(), AppError> {
    Ok(rondom_app::access::require(&state.app, user, action, resource).await?)
}
