//! Access with its audit trail: the policy's answer, the entry that records it, and the
//! proof that a look at a child's data was logged.

use crate::context::{Principal, Services};
use crate::error::Error;
pub use rondom_db::audit::AuditEvent;
use rondom_domain::{Action, Resource, authorize};

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
        | Resource::ReferralAgreements(id)
        | Resource::Stuurinformatie(id) => Some(id),
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
    svc: &Services,
    user: &impl Principal,
    action: Action,
    resource: Resource<'_>,
) -> Result<(), Error> {
    if authorize(user.actor(), action, resource).is_allowed() {
        return Ok(());
    }
    svc.db
        .audit(event(user, action.as_str(), resource, "denied"))
        .await?;
    Err(Error::Forbidden)
}

/// A refusal the use case decided itself (a rule beyond the policy's, such as "only the
/// receiver gives feedback"): logged like every refusal, named for what was tried, and
/// answered as `Forbidden`.
pub async fn deny(
    svc: &Services,
    user: &impl Principal,
    action: &str,
    resource: Resource<'_>,
    object_id: &str,
) -> Error {
    let mut e = event(user, action, resource, "denied");
    e.object_id = Some(object_id.to_owned());
    match svc.db.audit(e).await {
        Ok(_) => Error::Forbidden,
        Err(err) => err.into(),
    }
}

/// Records an allowed action that changes nothing else (a read worth logging).
pub async fn record(svc: &Services, e: AuditEvent) -> Result<(), Error> {
    svc.db.audit(e).await?;
    Ok(())
}

/// Records several such actions at once, committed together (a list of children).
pub async fn record_all(svc: &Services, events: Vec<AuditEvent>) -> Result<(), Error> {
    svc.db.audit_all(events).await?;
    Ok(())
}

/// A child's data, opened for one person after their look was written to the audit log.
/// Only this crate makes one (`Disclosed::logged`, called by the audited reads), and the
/// pages and API answers that show a child's data take one: a look that is not logged
/// does not compile.
pub struct Disclosed<T>(T);

impl<T> Disclosed<T> {
    /// Only for the audited reads, after their entry is committed.
    pub(crate) fn logged(value: T) -> Self {
        Self(value)
    }

    /// The opened value, for a view that shows it.
    pub fn into_inner(self) -> T {
        self.0
    }

    /// The same look, narrowed or reshaped (still nothing a look did not log).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Disclosed<U> {
        Disclosed(f(self.0))
    }
}

impl<T> std::ops::Deref for Disclosed<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}
