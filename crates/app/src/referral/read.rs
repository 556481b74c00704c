//! The one way to a referral's contents: `load` finds it for a person who takes part
//! (a refusal is logged and answered as "not found"), `open` logs the look and opens the
//! child's name, BSN, reason, feedback and attachments, `disclose_list` does the same for
//! a list. What they open comes out as `Disclosed<…>`, which nothing else makes.

use super::chain::{ChainLink, ToPassOn};
use super::{InForce, age_on, applied_to, link, may_read};
use crate::access::{self, Disclosed};
use crate::context::{Principal, Services};
use crate::dates;
use crate::error::Error;
use rondom_db::DbError;
use rondom_db::audit::{self, AuditEvent};
use rondom_db::referrals::{self as db, Listed, Referral};
use rondom_domain::policy::{receives_for, refers_for};
use rondom_domain::referral::{FeedbackKind, Status};
use rondom_domain::{Action, Actor, Resource, authorize};

/// The referral, if this person takes part in it: otherwise 404 (and the refusal logged),
/// so that ids of others' referrals reveal nothing.
pub async fn load(
    svc: &Services,
    who: &impl Principal,
    id: &str,
    action: Action,
) -> Result<Referral, Error> {
    let rid = id.to_owned();
    let r = svc
        .db
        .read(move |c| db::find(c, &rid))
        .await?
        .ok_or(Error::NotFound)?;
    let resource = Resource::Referral {
        from: &r.from_org_id,
        to: &r.to_org_id,
    };
    // A draft is the referrer's alone until it is sent.
    let draft_hidden = r.status == Status::Draft && !refers_for(who.actor(), &r.from_org_id);
    if draft_hidden || !authorize(who.actor(), action, resource).is_allowed() {
        // Named for what was tried: a refused change is not logged as a look.
        let e = access::event(
            who,
            &format!("referral_{}", action.as_str()),
            resource,
            "denied",
        );
        access::record(
            svc,
            AuditEvent {
                object_id: Some(r.id.to_string()),
                child_id: Some(r.child_id.to_string()),
                ..e
            },
        )
        .await?;
        return Err(Error::NotFound);
    }
    Ok(r)
}

/// Logs a look at a referral (and the child in it), then opens it for this person. With
/// `receipt`, a receiver's first look marks a new referral received (the page does; the
/// API receives explicitly). Answers whether it did, and the referral as `who` may see
/// it: linked referrals (the parent, onward ones) only when they take part in those too.
/// This is the only way to a referral's contents, so every page and answer that shows
/// them, a form shown again after a failed check included, has its look in the log.
pub async fn open(
    svc: &Services,
    who: &impl Principal,
    r: &Referral,
    receipt: bool,
) -> Result<(bool, Disclosed<Detail>), Error> {
    // `load` refused already; checked here again so that no caller can open a
    // referral it found some other way (a list, a parent) for a person who may not.
    if !may_read(who.actor(), r) {
        return Err(Error::NotFound);
    }
    let received = record_read(svc, who, r, receipt).await?;
    let detail = detail(svc, r, who.actor()).await?;
    Ok((received, Disclosed::logged(detail)))
}

async fn record_read(
    svc: &Services,
    who: &impl Principal,
    r: &Referral,
    receipt: bool,
) -> Result<bool, Error> {
    let e = access::event(
        who,
        "referral_read",
        Resource::Referral {
            from: &r.from_org_id,
            to: &r.to_org_id,
        },
        "allowed",
    );
    let receipt =
        receipt && r.status == Status::Requested && receives_for(who.actor(), &r.to_org_id);
    let moved = access::event(
        who,
        "referral_transition",
        Resource::Referral {
            from: &r.from_org_id,
            to: &r.to_org_id,
        },
        "allowed",
    );
    let (id, child, uid) = (
        r.id.clone(),
        r.child_id.clone(),
        who.actor().user_id.clone(),
    );
    let due = r.due_on;
    let received = svc
        .db
        .write(move |c| {
            audit::append(
                c,
                &AuditEvent {
                    object_id: Some(id.to_string()),
                    child_id: Some(child.to_string()),
                    ..e
                },
            )?;
            rondom_db::consultations::mark_read(c, &uid, &link(&id))?;
            if receipt {
                match db::apply_move(
                    c,
                    &id,
                    &db::Move {
                        from: Status::Requested,
                        to: Status::Received,
                        actor_id: &uid,
                        reason_sealed: None,
                        due_on: due,
                        accepted_on: None,
                        case_director_id: None,
                    },
                ) {
                    Ok(()) => {
                        audit::append(
                            c,
                            &AuditEvent {
                                object_id: Some(id.to_string()),
                                child_id: Some(child.to_string()),
                                reason: Some("requested → received (geopend)".into()),
                                ..moved
                            },
                        )?;
                        return Ok(true);
                    }
                    // Someone else received it a moment ago: fine.
                    Err(DbError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(false)
        })
        .await?;
    Ok(received)
}

/// A referral in a list, with its child's name opened.
pub struct Shown {
    pub listed: Listed,
    pub child_name: String,
}

/// Logs that a list showed these referrals (children's names and ages) to this person,
/// one entry naming them all so that who saw which child can be traced, then opens the
/// children's names for the list.
pub async fn disclose_list(
    svc: &Services,
    who: &impl Principal,
    listed: Vec<Listed>,
) -> Result<Disclosed<Vec<Shown>>, Error> {
    let mut lists = disclose_lists(svc, who, vec![listed]).await?.into_inner();
    Ok(Disclosed::logged(lists.pop().unwrap_or_default()))
}

/// The one entry that logs referrals shown in a list (their children's names and ages)
/// to this person: it names them all, so that who saw which child can be traced. None
/// when the list shows none.
pub(crate) fn list_event(who: &impl Principal, mut ids: Vec<&str>) -> Option<AuditEvent> {
    if ids.is_empty() {
        return None;
    }
    ids.sort_unstable();
    ids.dedup();
    let e = access::event(
        who,
        "referral_list_read",
        Resource::ReferralInbox(""),
        "allowed",
    );
    Some(AuditEvent {
        object_id: None,
        reason: Some(format!("{} getoond: {}", ids.len(), ids.join(","))),
        ..e
    })
}

/// As `disclose_list`, for a page of several lists (an inbox's sections): one entry.
pub async fn disclose_lists(
    svc: &Services,
    who: &impl Principal,
    lists: Vec<Vec<Listed>>,
) -> Result<Disclosed<Vec<Vec<Shown>>>, Error> {
    let ids: Vec<&str> = lists.iter().flatten().map(|l| l.r.id.as_str()).collect();
    if let Some(e) = list_event(who, ids) {
        access::record(svc, e).await?;
    }
    Ok(Disclosed::logged(
        lists
            .into_iter()
            .map(|l| l.into_iter().map(|l| shown(svc, l)).collect())
            .collect(),
    ))
}

impl std::ops::Deref for Shown {
    type Target = Listed;

    fn deref(&self) -> &Listed {
        &self.listed
    }
}

fn shown(svc: &Services, listed: Listed) -> Shown {
    Shown {
        child_name: svc
            .secrets
            .open_shown(&listed.child_name_sealed, "child name"),
        listed,
    }
}

/// One move: (from, to, who, reason, when).
pub type EventView = (
    Option<Status>,
    Status,
    String,
    Option<String>,
    chrono::NaiveDateTime,
);

/// Everything a referral's page (or the API's detail) shows.
pub struct Detail {
    /// The referral as a list shows it (with the child's name).
    pub listed: Shown,
    pub child_name: String,
    pub birth_date: String,
    pub age: Option<i32>,
    pub gemeente: String,
    /// The child's municipality by name.
    pub gemeente_name: String,
    pub bsn: Option<String>,
    pub reason: String,
    pub agreements: InForce,
    pub service: Option<(String, String)>,
    pub on_behalf_of: Option<String>,
    pub school: Option<String>,
    /// (from label, to label, who, reason, when)
    pub events: Vec<EventView>,
    /// (kind, author, text, when)
    pub feedback: Vec<(FeedbackKind, String, String, chrono::NaiveDateTime)>,
    /// (id, file name, media type, size)
    pub attachments: Vec<(String, String, String, i32)>,
    pub onward: Vec<Shown>,
    pub parent: Option<Shown>,
    /// The onward referrals as far as this viewer may follow them.
    pub chain: Vec<ChainLink>,
    /// For the receiving team: outcomes of ended onward help not yet passed on.
    pub to_pass_on: Vec<ToPassOn>,
}

async fn detail(svc: &Services, r: &Referral, viewer: &Actor) -> Result<Detail, Error> {
    let (rr, who) = (r.clone(), viewer.clone());
    let (listed, child, agreements, events, feedback, attachments, onward, parent, names, chain) =
        svc.db
            .read(move |c| {
                let listed = db::find_listed(c, &rr.id)?.ok_or(DbError::NotFound)?;
                let child = db::child(c, &rr.child_id)?.ok_or(DbError::NotFound)?;
                let agreements = applied_to(c, &rr)?.named(c)?;
                let events = db::events(c, &rr.id)?;
                let feedback = db::feedback(c, &rr.id)?;
                let attachments = db::attachments(c, &rr.id)?;
                let onward = db::onward_of(c, &rr.id)?;
                let chain = super::chain::load(c, &rr, &onward, &who)?;
                let parent = match &rr.parent_id {
                    Some(p) => db::find_listed(c, p)?,
                    None => None,
                };
                let service = match &rr.service_id {
                    Some(s) => {
                        rondom_db::directory::find_service(c, s)?.map(|s| (s.id.into(), s.name))
                    }
                    None => None,
                };
                let on_behalf = match &rr.on_behalf_of_id {
                    Some(u) => rondom_db::users::find(c, u)?.map(|u| u.name),
                    None => None,
                };
                let school = match &rr.school_id {
                    Some(s) => rondom_db::organisations::find(c, s)?.map(|o| o.name),
                    None => None,
                };
                Ok((
                    listed,
                    child,
                    agreements,
                    events,
                    feedback,
                    attachments,
                    onward,
                    parent,
                    (service, on_behalf, school),
                    chain,
                ))
            })
            .await?;
    let open = |s: &str| svc.secrets.open_shown(s, "referral text");
    let birth = Some(child.birth_date);
    let child_name = open(&child.name_sealed);
    Ok(Detail {
        listed: Shown {
            listed,
            child_name: child_name.clone(),
        },
        child_name,
        birth_date: birth
            .map(|b| b.format("%d-%m-%Y").to_string())
            .unwrap_or_default(),
        age: birth.map(|b| age_on(b, dates::today())),
        gemeente_name: if agreements.gemeente_code == child.gemeente_code {
            agreements.gemeente_name.clone()
        } else {
            child.gemeente_code.clone()
        },
        gemeente: child.gemeente_code.clone(),
        bsn: child.bsn_sealed.as_deref().map(open),
        reason: open(&r.reason_sealed),
        agreements,
        service: names.0,
        on_behalf_of: names.1,
        school: names.2,
        // A stored status or kind that is none already failed the read (db reads them
        // as their types), instead of passing for a draft or an interim report.
        events: events
            .into_iter()
            .map(|(from, to, who, reason, at)| (from, to, who, reason.as_deref().map(open), at))
            .collect(),
        feedback: feedback
            .into_iter()
            .map(|(kind, who, body, at)| (kind, who, open(&body), at))
            .collect(),
        attachments: attachments
            .into_iter()
            .map(|(id, name, media, size)| (id, open(&name), media, size))
            .collect(),
        onward: onward
            .into_iter()
            .filter(|l| may_read(viewer, &l.r))
            .map(|l| shown(svc, l))
            .collect(),
        parent: parent
            .filter(|l| may_read(viewer, &l.r))
            .map(|l| shown(svc, l)),
        to_pass_on: chain
            .waiting
            .into_iter()
            .map(|(onward_id, to_name, sealed)| ToPassOn {
                onward_id,
                to_name,
                outcome: open(&sealed),
            })
            .collect(),
        chain: chain.links,
    })
}
