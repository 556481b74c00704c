//! The help around the child as the network shows it: each referral about the child
//! (to whom, where it stands, who directs it), its reason and the feedback, for those
//! whose consent covers "referral details" (the family with the say always). From the
//! child's 12th birthday a professional may mark the reason or a piece of feedback as
//! not for the parents, at the youth's request; the parents and carers then do not see
//! it, the youth and the professionals do.

use super::{Facts, Reach, family_of, load, record};
use crate::context::{Principal, Services};
use crate::error::Error;
use rondom_db::networks as db;
use rondom_domain::consent::{Category, kept_from, may_keep_from_parents};
use std::collections::HashMap;

/// The kinds of item that can be kept from the parents here (messages and the plan add
/// their own).
pub const REFERRAL: &str = "referral";
pub const FEEDBACK: &str = "feedback";

/// One piece of feedback as the network shows it.
pub struct FeedbackLine {
    pub id: String,
    pub when: String,
    pub at: chrono::NaiveDateTime,
    pub what: &'static str,
    pub by: String,
    pub text: String,
    /// Marked as not for the parents (shown to those who still see it).
    pub kept_from_parents: bool,
}

/// One referral about the child.
pub struct HelpReferral {
    pub id: String,
    pub to: String,
    pub to_org_id: String,
    pub status: &'static str,
    pub status_code: rondom_domain::referral::Status,
    pub created_at: chrono::NaiveDateTime,
    pub since: String,
    pub case_director: Option<String>,
    /// None when it is kept from this viewer.
    pub reason: Option<String>,
    pub reason_kept_from_parents: bool,
    pub feedback: Vec<FeedbackLine>,
}

/// What the network page shows of the help, for this person.
pub struct Help {
    pub referrals: Vec<HelpReferral>,
    /// The person may mark items as not for the parents (a professional, the child 12 or
    /// over).
    pub may_mark: bool,
    /// Items are hidden from this person because the youth keeps them from the parents.
    pub some_kept: bool,
}

/// Who is looking, as the rules for the help read them.
enum Viewer {
    Professional,
    /// A family member; `kept` when items marked not for the parents are hidden from them.
    Family {
        kept: bool,
    },
}

/// Whether this person may mark items of the child as not for the parents (a
/// professional who sees the help; the child's age is checked apart).
pub(crate) fn marks_as_professional(f: &Facts, who: &impl Principal, reach: Reach) -> bool {
    matches!(viewer(f, who, reach), Some(Viewer::Professional))
}

fn viewer(f: &Facts, who: &impl Principal, reach: Reach) -> Option<Viewer> {
    if reach == Reach::Coordinates {
        return Some(Viewer::Professional);
    }
    if reach != Reach::Member {
        return None;
    }
    let today = crate::dates::today();
    if let Some(me) = f.family_member(who) {
        let sees = f.decides(&me.id) || f.standing(&me.id, Category::ReferralDetails).holds();
        let family = family_of(&f.members);
        let kept = family
            .iter()
            .find(|x| x.id == me.id.as_str())
            .is_none_or(|x| kept_from(f.child.birth_date, today, x));
        return sees.then_some(Viewer::Family { kept });
    }
    let user = who.actor().user_id.as_str();
    let emergency = f.emergencies.iter().any(|(u, _)| u == user);
    let m = super::membership(who, &f.members)?;
    (emergency || f.standing(&m.id, Category::ReferralDetails).holds())
        .then_some(Viewer::Professional)
}

/// The names on the network page, people and organisations, by id.
pub(super) type Names = HashMap<String, String>;

/// What the help and the names on the network page are computed from.
pub(super) struct HelpRead {
    referrals: Vec<rondom_db::referrals::Referral>,
    feedback: Vec<rondom_db::referrals::FeedbackItem>,
    marks: Vec<(String, String)>,
    names: Vec<(String, String)>,
}

/// Whether this person sees the help of the network (their consent covers referral
/// details, or they coordinate or have emergency access).
pub(super) fn sees(f: &Facts, who: &impl Principal) -> bool {
    match f.reach(who) {
        Some(Reach::ExistsOnly) | None => false,
        Some(reach) => viewer(f, who, reach).is_some(),
    }
}

/// Reads, on the caller's connection, the help around the child (when `sees`) and the
/// names of the network's people and organisations with those the help names.
pub(super) fn read(
    c: &mut rondom_db::AnyConnection,
    f: &Facts,
    sees: bool,
) -> Result<HelpRead, rondom_db::DbError> {
    let mut people: Vec<String> = f
        .members
        .iter()
        .filter_map(|m| m.user_id.as_ref().map(ToString::to_string))
        .chain(std::iter::once(f.network.coordinator_id.to_string()))
        .collect();
    let mut orgs: Vec<String> = f
        .members
        .iter()
        .filter_map(|m| m.organisation_id.as_ref().map(ToString::to_string))
        .chain(std::iter::once(f.network.coordinator_org_id.to_string()))
        .collect();
    let (mut referrals, mut feedback, mut marks) = (vec![], vec![], vec![]);
    if sees {
        (referrals, feedback) =
            rondom_db::referrals::of_child_with_feedback(c, f.network.child_id.as_str())?;
        marks = db::not_for_parents(c, f.network.id.as_str())?;
        orgs.extend(referrals.iter().map(|r| r.to_org_id.to_string()));
        people.extend(
            referrals
                .iter()
                .filter_map(|r| r.case_director_id.as_ref().map(ToString::to_string)),
        );
    }
    let names = rondom_db::users::names_with_organisations(c, &people, &orgs)?;
    Ok(HelpRead {
        referrals,
        feedback,
        marks,
        names,
    })
}

/// The help around the child, as far as this person may see it (None when their
/// consent does not cover referral details), and the names on the page, from what
/// `read` found. The caller logs the look (`network_help_read`), with the rest of the
/// page.
pub(super) fn compute(
    svc: &Services,
    who: &impl Principal,
    f: &Facts,
    reach: Reach,
    read: HelpRead,
) -> (Option<Help>, Names) {
    let v = if reach == Reach::ExistsOnly {
        None
    } else {
        viewer(f, who, reach)
    };
    let HelpRead {
        referrals,
        feedback,
        marks,
        names,
    } = read;
    let names: Names = names.into_iter().collect();
    let Some(v) = v else {
        return (None, names);
    };
    let marked = |kind: &str, id: &str| marks.iter().any(|(k, i)| k == kind && i == id);
    let hide =
        |kind: &str, id: &str| matches!(v, Viewer::Family { kept: true }) && marked(kind, id);
    let mut some_kept = false;
    let mut out = Vec::new();
    for r in referrals
        .iter()
        .filter(|r| r.status != rondom_domain::referral::Status::Draft)
    {
        let reason_hidden = hide(REFERRAL, &r.id);
        some_kept |= reason_hidden;
        let mut lines = Vec::new();
        for fb in feedback.iter().filter(|fb| fb.referral_id == r.id) {
            if hide(FEEDBACK, &fb.id) {
                some_kept = true;
                continue;
            }
            lines.push(FeedbackLine {
                id: fb.id.clone(),
                when: crate::dates::datetime(fb.at),
                at: fb.at,
                what: fb.kind.label(),
                by: fb.author.clone(),
                text: svc.secrets.open_shown(&fb.body_sealed, "feedback"),
                kept_from_parents: marked(FEEDBACK, &fb.id),
            });
        }
        out.push(HelpReferral {
            id: r.id.to_string(),
            to: names.get(r.to_org_id.as_str()).cloned().unwrap_or_default(),
            to_org_id: r.to_org_id.to_string(),
            status: r.status.label(),
            status_code: r.status,
            created_at: r.created_at,
            since: crate::dates::dutch_date(crate::dates::to_local(r.updated_at).date()),
            case_director: r
                .case_director_id
                .as_ref()
                .and_then(|d| names.get(d.as_str()).cloned()),
            reason: (!reason_hidden).then(|| svc.secrets.open_shown(&r.reason_sealed, "reason")),
            reason_kept_from_parents: marked(REFERRAL, &r.id),
            feedback: lines,
        });
    }
    let help = Help {
        referrals: out,
        may_mark: matches!(v, Viewer::Professional)
            && may_keep_from_parents(f.child.birth_date, crate::dates::today()),
        some_kept,
    };
    (Some(help), names)
}

/// Marks an item of the child's help as not for the parents (or takes the mark off), at
/// the youth's request: a professional who sees the help may, from the child's 12th
/// birthday. The item must belong to this child.
pub async fn keep_from_parents(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    kind: &str,
    item_id: &str,
    keep: bool,
) -> Result<(), Error> {
    let (f, reach) = load(svc, who, network_id).await?;
    if !matches!(viewer(&f, who, reach), Some(Viewer::Professional)) {
        return Err(Error::Forbidden);
    }
    if !may_keep_from_parents(f.child.birth_date, crate::dates::today()) {
        return Err(Error::Refused(
            "Tot het kind 12 is, beslissen de ouders mee over alles. Dit kan vanaf 12 jaar.".into(),
        ));
    }
    if kind == crate::message::MESSAGE_ITEM {
        crate::message::check_reader(svc, who, item_id).await?;
    }
    let (child, nid, by) = (
        f.network.child_id.to_string(),
        f.network.id.to_string(),
        who.actor().user_id.clone(),
    );
    let (kind, item) = (kind.to_owned(), item_id.to_owned());
    let found = svc
        .db
        .write(move |c| {
            let (referrals, feedback) = rondom_db::referrals::of_child_with_feedback(c, &child)?;
            // The id comes from the form: it must be one of this child's items.
            let belongs = match kind.as_str() {
                REFERRAL => referrals.iter().any(|r| r.id.as_str() == item),
                FEEDBACK => feedback.iter().any(|fb| fb.id == item),
                crate::message::MESSAGE_ITEM => crate::message::belongs(c, &nid, &item)?,
                _ => false,
            };
            if !belongs {
                return Ok(false);
            }
            if keep {
                db::mark_not_for_parents(c, &nid, &kind, &item, &by)?;
            } else {
                db::unmark_not_for_parents(c, &nid, &kind, &item)?;
            }
            Ok(true)
        })
        .await?;
    if !found {
        return Err(Error::NotFound);
    }
    let action = if keep {
        "network_keep_from_parents"
    } else {
        "network_show_to_parents"
    };
    record(svc, who, action, &f.network, "allowed").await
}
