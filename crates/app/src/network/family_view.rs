//! What a family member (and anyone in a network) finds: their networks, their own
//! consent answers, and the access log of the child's data (NEN 7513's client view).

use super::{Facts, Reach, load, record, record_all};
use crate::access::Disclosed;
use crate::context::{Principal, Services};
use crate::error::Error;
use crate::referral::age_on;
use chrono::NaiveDate;
use rondom_db::audit::AuditFilter;

/// A network on the start page.
pub struct MyNetwork {
    pub id: String,
    /// Only where the person reaches the network's content.
    pub child: Option<String>,
    pub coordinator_org: String,
}

/// The networks this person is in, newest first; each child shown is logged.
pub async fn mine(
    svc: &Services,
    who: &impl Principal,
) -> Result<Disclosed<Vec<MyNetwork>>, Error> {
    let user = who.actor().user_id.clone();
    let orgs: Vec<String> = who
        .actor()
        .memberships
        .iter()
        .map(|(o, _)| o.clone())
        .collect();
    // The networks, their facts and their coordinating organisations' names in one
    // trip; the looks at the children shown in one commit.
    let (found, names) = svc
        .db
        .read(move |c| {
            let ids = rondom_db::networks::newest_of_member(c, &user, &orgs, 50)?;
            let found = super::facts_of(c, &ids)?;
            let org_ids: Vec<String> = found
                .iter()
                .map(|f| f.network.coordinator_org_id.to_string())
                .collect();
            let names = rondom_db::users::names_with_organisations(c, &[], &org_ids)?;
            Ok((found, names))
        })
        .await?;
    let reached: Vec<(Facts, Reach)> = found
        .into_iter()
        .filter_map(|f| f.reach(who).map(|r| (f, r)))
        .collect();
    let shown: Vec<&rondom_db::networks::Network> = reached
        .iter()
        .filter(|(_, r)| *r != Reach::ExistsOnly)
        .map(|(f, _)| &f.network)
        .collect();
    record_all(svc, who, "network_list_read", &shown).await?;
    let today = crate::dates::today();
    let out = reached
        .iter()
        .map(|(f, reach)| MyNetwork {
            id: f.network.id.to_string(),
            child: (*reach != Reach::ExistsOnly).then(|| {
                format!(
                    "{} ({} jaar)",
                    svc.secrets.open_shown(&f.child.name_sealed, "child name"),
                    age_on(f.child.birth_date, today)
                )
            }),
            coordinator_org: names
                .iter()
                .find(|(id, _)| id == f.network.coordinator_org_id.as_str())
                .map(|(_, name)| name.clone())
                .unwrap_or_default(),
        })
        .collect();
    Ok(Disclosed::logged(out))
}

/// One line of the child's access log as the family reads it.
pub struct LogLine {
    /// Where the line stands in the log (to page on from).
    pub seq: i64,
    pub when: String,
    /// When, in UTC (for exchange).
    pub at: chrono::NaiveDateTime,
    /// The action's code (`network_read` …), for exchange.
    pub action: String,
    pub who: String,
    pub organisation: String,
    pub role: String,
    pub what: String,
    pub why: String,
    /// Refused attempts show too.
    pub refused: bool,
}

/// Which lines to show.
#[derive(Default)]
pub struct LogFilter {
    /// A member of the network (their person, or their organisation).
    pub member: Option<String>,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// Older lines than this one (paging on).
    pub before: Option<i64>,
}

/// A page of the access log, with the members it can be filtered by.
pub struct AccessLog {
    pub lines: Vec<LogLine>,
    /// (member id, "name (role)")
    pub members: Vec<(String, String)>,
}

/// How many lines a page shows.
pub const LOG_PAGE: i64 = 100;

/// The access log of the child's data: every look and change by whom, what, when and
/// why, refused attempts included. The family members and the coordinator read it; the
/// reading is itself logged.
pub async fn access_log(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    filter: &LogFilter,
) -> Result<Disclosed<AccessLog>, Error> {
    let (f, reach) = load(svc, who, network_id).await?;
    let family_member = f.family_member(who).is_some();
    if reach == Reach::ExistsOnly || !(family_member || reach == Reach::Coordinates) {
        return Err(Error::Forbidden);
    }
    record(svc, who, "network_access_log_read", &f.network, "allowed").await?;
    Ok(Disclosed::logged(log_of(svc, &f, filter, LOG_PAGE).await?))
}

/// Up to `limit` lines of a network's access log (newest first), with its members to
/// filter by; the caller checked who may read it and logged the look.
pub(crate) async fn log_of(
    svc: &Services,
    f: &super::Facts,
    filter: &LogFilter,
    limit: i64,
) -> Result<AccessLog, Error> {
    let member = filter
        .member
        .as_deref()
        .and_then(|id| f.members.iter().find(|m| m.id.as_str() == id));
    let q = AuditFilter {
        child_id: Some(f.network.child_id.to_string()),
        actor_user_id: member.and_then(|m| m.user_id.as_ref().map(ToString::to_string)),
        organisation_id: member
            .filter(|m| m.user_id.is_none())
            .and_then(|m| m.organisation_id.as_ref().map(ToString::to_string)),
        from: filter
            .from
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(crate::dates::to_utc),
        until: filter
            .until
            .and_then(|d| d.succ_opt())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(crate::dates::to_utc),
        ..AuditFilter::default()
    };
    let before = filter.before;
    let user_ids: Vec<String> = f
        .members
        .iter()
        .filter_map(|m| m.user_id.as_ref().map(ToString::to_string))
        .collect();
    let member_orgs: Vec<String> = f
        .members
        .iter()
        .filter_map(|m| m.organisation_id.as_ref().map(ToString::to_string))
        .collect();
    let (rows, orgs, users) = svc
        .db
        .read(move |c| {
            let rows = rondom_db::audit::list(c, &q, before, limit)?;
            // Only the organisations the lines and the members name, not all of them.
            let mut ids: Vec<String> = rows
                .iter()
                .filter_map(|e| e.actor_organisation_id.clone())
                .chain(member_orgs)
                .collect();
            ids.sort_unstable();
            ids.dedup();
            let users = rondom_db::users::names_of(c, &user_ids)?;
            Ok((rows, rondom_db::organisations::list_by_ids(c, &ids)?, users))
        })
        .await?;
    // The members to filter by, named as the network page names them.
    let members = f
        .members
        .iter()
        .filter(|m| m.state != rondom_db::networks::PROPOSED)
        .map(|m| {
            let name = match (&m.user_id, &m.name_sealed, &m.organisation_id) {
                (Some(u), _, _) => users
                    .iter()
                    .find(|(id, _)| id == u.as_str())
                    .map_or_else(String::new, |(_, n)| n.clone()),
                (None, Some(sealed), _) => svc.secrets.open_shown(sealed, "member name"),
                (None, None, Some(o)) => orgs
                    .iter()
                    .find(|x| x.id.as_str() == o.as_str())
                    .map_or_else(String::new, |x| x.name.clone()),
                _ => String::new(),
            };
            (m.id.to_string(), format!("{name} ({})", m.role_label))
        })
        .collect();
    let org_name = |id: &Option<String>| {
        id.as_deref()
            .and_then(|i| orgs.iter().find(|o| o.id.as_str() == i))
            .map_or_else(String::new, |o| o.name.clone())
    };
    let lines = rows
        .into_iter()
        .map(|e| LogLine {
            seq: e.seq,
            when: crate::dates::datetime(e.at),
            at: e.at,
            action: e.action.clone(),
            who: e.actor_name.clone(),
            organisation: org_name(&e.actor_organisation_id),
            role: e
                .actor_role
                .as_deref()
                .and_then(rondom_domain::Role::parse)
                .map_or_else(String::new, |r| r.label().to_owned()),
            what: crate::admin::audit_log::action_label(&e.action).to_owned(),
            why: e.reason.clone().unwrap_or_default(),
            refused: e.outcome != "allowed",
        })
        .collect();
    Ok(AccessLog { lines, members })
}
