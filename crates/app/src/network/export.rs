//! The family's own copy (inzage en afschrift, WGBO art. 7:456 and Jeugdwet 7.3.10):
//! everything Rondom holds about the child that the person asking may see, at once: the
//! network and its consent answers, the help (referrals and feedback), every version of
//! the plan with the family's answers, every conversation they take part in, the case
//! meetings' minutes they may read, and the whole access log. A parent with gezag (for a
//! child under 16) or the youth (from 12; alone from 16) takes it themselves; a
//! professional in the network exports it for a transfer, with a reason. Each copy is
//! one entry in the audit log, with the child and the reason.

use super::family_view::{LogFilter, LogLine, log_of};
use super::{FAMILY, NetworkView, Reach, load, record};
use crate::access::Disclosed;
use crate::context::{Principal, Services};
use crate::error::{Checked, Error};
use crate::message::WholeConversation;
use crate::plan::{ResponseLine, VersionView};
use rondom_domain::validate::ValidationError;

/// At most this many lines of the access log go into one copy (years of looks).
const LOG_LINES: i64 = 200_000;

/// One consent answer as the copy lists it.
pub struct ConsentLine {
    pub id: String,
    pub by: (String, String, bool),
    pub grantee: (String, String, String),
    pub category: rondom_domain::consent::Category,
    pub given: bool,
    pub how: String,
    pub answered_on: chrono::NaiveDate,
    pub superseded: bool,
}

/// A case meeting's minutes of this child's item, as the copy lists them.
pub struct MeetingMinutes {
    pub title: String,
    pub when: String,
    pub discussion: String,
    pub decisions: String,
}

/// Everything the person may see of the child, at one moment.
pub struct FileCopy {
    pub made_at: chrono::NaiveDateTime,
    pub made_for: String,
    pub reason: Option<String>,
    pub child_birth_date: chrono::NaiveDate,
    pub network: NetworkView,
    pub consents: Vec<ConsentLine>,
    pub plan_versions: Vec<VersionView>,
    pub plan_responses: Vec<ResponseLine>,
    pub conversations: Vec<WholeConversation>,
    pub meetings: Vec<MeetingMinutes>,
    pub access_log: Vec<LogLine>,
    /// Items are left out because the youth keeps them from the parents.
    pub some_kept: bool,
}

/// Whether this person takes the copy as family: a family member with the say.
pub async fn may_take(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
) -> Result<Option<bool>, Error> {
    let (f, reach) = load(svc, who, network_id).await?;
    if let Some(me) = f.family_member(who) {
        return Ok(f.decides(&me.id).then_some(true));
    }
    Ok(matches!(reach, Reach::Coordinates | Reach::Member).then_some(false))
}

/// The copy of the child's file for this person. Family with the say take it as is; a
/// professional in the network gives a reason (10 to 500 characters). Anyone else is
/// refused (and that is logged).
pub async fn copy(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    reason: &str,
) -> Result<Checked<Disclosed<FileCopy>>, Error> {
    let (f, reach) = load(svc, who, network_id).await?;
    let family = f.family_member(who).cloned();
    let allowed = match &family {
        Some(m) => f.decides(&m.id),
        None => matches!(reach, Reach::Coordinates | Reach::Member),
    };
    if !allowed {
        record(svc, who, "network_export", &f.network, "denied").await?;
        return Err(Error::Forbidden);
    }
    let reason = reason.trim();
    if family.is_none() && !(10..=500).contains(&reason.chars().count()) {
        return Ok(Err(vec![ValidationError::new(
            "reden",
            "Schrijf waarom u het dossier exporteert (10 tot 500 tekens), bijvoorbeeld: overdracht aan de gecertificeerde instelling.",
        )]));
    }
    // The copy is one look, logged before anything is opened.
    let mut e = super::network_event(who, "network_export", &f.network, "allowed");
    if !reason.is_empty() {
        e.reason = Some(reason.to_owned());
    }
    crate::access::record(svc, e).await?;
    let network = super::view(svc, who, network_id).await?.into_inner();
    let (plan_versions, plan_responses) = crate::plan::all_for(svc, who, network_id).await?;
    let conversations = crate::message::whole(svc, who, f.clone(), reach).await?;
    let meetings = crate::meeting::minutes_of_network(svc, who, &f).await?;
    // The access log: the family and the case director read it (so their copy holds it).
    let access_log = if family.is_some() || reach == Reach::Coordinates {
        log_of(svc, &f, &LogFilter::default(), LOG_LINES)
            .await?
            .lines
    } else {
        vec![]
    };
    let member = |id: &str| network.members.iter().find(|m| m.id == id);
    let consents = f
        .answers
        .iter()
        .map(|a| {
            let by = member(a.by_member_id.as_str());
            let grantee = member(a.grantee_id.as_str());
            ConsentLine {
                id: a.id.clone(),
                by: (
                    a.by_member_id.to_string(),
                    by.map(|m| m.name.clone()).unwrap_or_default(),
                    by.is_some_and(|m| m.youth),
                ),
                grantee: (
                    a.grantee_id.to_string(),
                    grantee.map(|m| m.name.clone()).unwrap_or_default(),
                    grantee.map(|m| m.what.clone()).unwrap_or_default(),
                ),
                category: rondom_domain::consent::Category::parse(&a.category)
                    .unwrap_or(rondom_domain::consent::Category::Membership),
                given: a.given,
                how: a.how.clone(),
                answered_on: a.answered_on,
                superseded: super::consent::superseded(&f.answers, a),
            }
        })
        .collect();
    let kept_parent = family.as_ref().is_some_and(|m| {
        m.kind == FAMILY
            && m.relation.as_deref() != Some(rondom_domain::consent::Relation::Jeugdige.code())
            && rondom_domain::consent::may_keep_from_parents(
                f.child.birth_date,
                crate::dates::today(),
            )
    });
    let some_kept = kept_parent
        && (network.help.as_ref().is_some_and(|h| h.some_kept)
            || conversations
                .iter()
                .any(|c| c.messages.iter().any(|m| m.kept)));
    Ok(Ok(Disclosed::logged(FileCopy {
        made_at: rondom_db::now(),
        made_for: who.display_name().to_owned(),
        reason: (!reason.is_empty()).then(|| reason.to_owned()),
        child_birth_date: f.child.birth_date,
        network,
        consents,
        plan_versions,
        plan_responses,
        conversations,
        meetings,
        access_log,
        some_kept,
    })))
}
