//! Reading the audit log: platform admins read everything, organisation admins what
//! concerns one of their own organisations. Reading it is itself logged, in the same
//! transaction as the read.

use crate::access;
use crate::context::{Principal, Services};
use crate::error::Error;
use rondom_db::audit::{self, AuditEntry, AuditFilter};
use rondom_db::organisations::{self as orgs, Organisation};
use rondom_domain::{Action, Resource};

/// What a person asks to see; `organisation` empty means "everything I may see".
#[derive(Debug, Default, Clone)]
pub struct Query {
    pub organisation: String,
    pub action: Option<String>,
    pub outcome: Option<String>,
    pub from: Option<chrono::NaiveDateTime>,
    pub until: Option<chrono::NaiveDateTime>,
    /// Entries before this sequence number (the next page).
    pub before: Option<i64>,
    pub limit: i64,
}

/// One page of the log as this person may see it.
pub struct Page {
    /// The organisation the page is about; None: the whole log (platform admins).
    pub scope: Option<String>,
    pub rows: Vec<AuditEntry>,
    /// The organisations this person may choose from.
    pub organisations: Vec<Organisation>,
    /// The actions that occur in the log, for the filter.
    pub actions: Vec<String>,
}

pub async fn read(svc: &Services, who: &impl Principal, q: Query) -> Result<Page, Error> {
    let actor = who.actor();
    let platform = actor.is_platform_admin();
    let administered: Vec<String> = actor
        .administered_organisations()
        .map(str::to_owned)
        .collect();
    // Organisation admins always look at one of their own organisations.
    let scope = match (q.organisation.trim(), platform) {
        ("", true) => None,
        ("", false) => administered.first().cloned(),
        (o, _) => Some(o.to_owned()),
    };
    let resource = Resource::AuditLog(scope.as_deref());
    access::require(svc, who, Action::Read, resource).await?;
    let filter = AuditFilter {
        organisation_id: scope.clone(),
        action: q.action,
        outcome: q.outcome,
        from: q.from,
        until: q.until,
        ..Default::default()
    };
    let mut read_event = access::event(who, "audit_log_read", resource, "allowed");
    read_event.reason = Some("audit log page".into());
    let (before, limit) = (q.before, q.limit);
    let (rows, organisations, actions) = svc
        .db
        .write(move |c| {
            audit::append(c, &read_event)?;
            let rows = audit::list(c, &filter, before, limit)?;
            let o = if platform {
                orgs::list(c)?
            } else {
                orgs::list_by_ids(c, &administered)?
            };
            Ok((rows, o, audit::distinct_actions(c)?))
        })
        .await?;
    Ok(Page {
        scope,
        rows,
        organisations,
        actions,
    })
}
