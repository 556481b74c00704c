//! Access checks with their audit trail. Handlers call `require`; it asks the policy in
//! `rondom_domain::policy`, writes a `denied` entry to the audit log when the answer is
//! no, and turns that into the HTTP refusal.

use crate::auth::api_token::ApiUser;
use crate::auth::session::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use rondom_db::audit::AuditEvent;
use rondom_domain::{Action, Actor, Resource, authorize};

/// Whoever acts: a person in the browser or the holder of an API token.
pub trait Principal {
    fn actor(&self) -> &Actor;
    fn display_name(&self) -> &str;
    fn source_address(&self) -> Option<&str>;
}

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

/// The audit entry for something this person does to `resource`. The role and
/// organisation recorded are the ones the person holds in the organisation concerned,
/// when they hold one there.
pub fn event(
    user: &impl Principal,
    action: &str,
    resource: Resource<'_>,
    outcome: &str,
) -> AuditEvent {
    let org = match resource {
        Resource::Organisation(id)
        | Resource::AuditLog(Some(id))
        | Resource::PracticeTeam(id)
        | Resource::DirectoryEntry(id)
        | Resource::ConsultationQueue(id)
        | Resource::ConsultationFrom(id)
        | Resource::ReferralFrom(id)
        | Resource::ReferralInbox(id)
        | Resource::ReferralAgreements(id) => Some(id),
        // The practice's side is where a consultation is recorded.
        Resource::Consultation { practice, .. } => Some(practice),
        // A referral is recorded on the side the person works for.
        Resource::Referral { from, to } => Some(if user.actor().is_member_of(from) {
            from
        } else {
            to
        }),
        _ => None,
    };
    let actor = user.actor();
    let membership = org
        .and_then(|o| actor.memberships.iter().find(|(mo, _)| mo == o))
        .or_else(|| actor.memberships.first());
    AuditEvent {
        actor_user_id: Some(actor.user_id.clone()),
        actor_name: user.display_name().to_owned(),
        actor_role: membership
            .map(|(_, r)| r.as_str().to_owned())
            .or_else(|| actor.family_role.map(|r| r.as_str().to_owned())),
        actor_organisation_id: membership.map(|(o, _)| o.clone()),
        action: action.to_owned(),
        object_type: resource.object_type().to_owned(),
        object_id: resource.object_id().map(str::to_owned),
        child_id: None,
        reason: None,
        source_address: user.source_address().map(str::to_owned),
        outcome: outcome.to_owned(),
        subject_org_ids: resource
            .subject_organisations()
            .into_iter()
            .map(str::to_owned)
            .collect(),
    }
}

/// Allows or refuses; a refusal is logged before it is answered.
pub async fn require(
    state: &AppState,
    user: &impl Principal,
    action: Action,
    resource: Resource<'_>,
) -> Result<(), AppError> {
    if authorize(user.actor(), action, resource).is_allowed() {
        return Ok(());
    }
    state
        .db
        .audit(event(user, action.as_str(), resource, "denied"))
        .await?;
    Err(AppError::Forbidden)
}

/// Records an allowed action that changes nothing else (a read worth logging).
pub async fn record(state: &AppState, e: AuditEvent) -> Result<(), AppError> {
    state.db.audit(e).await?;
    Ok(())
}
