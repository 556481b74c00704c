//! The chain behind a referral: the onward referrals the social team made from it, as far
//! as the first referrer may follow them (to whom, where each stands, when it ended), and
//! the outcome of ended onward help going back to that referrer: at once where the
//! verwijskader says so, otherwise passed on by the case director with one click.

use super::moves::onward_outcome_text;
use super::notify::{inform_people, mail_all};
use super::{REASON_MAX, applied_to, may_read};
use crate::access;
use crate::context::{Principal, Services};
use crate::error::{Checked, Error};
use chrono::NaiveDateTime;
use rondom_db::audit::{self, AuditEvent};
use rondom_db::referrals::{self as db, Listed, Referral};
use rondom_db::{AnyConnection, DbError};
use rondom_domain::agreements::{Recipient, Step};
use rondom_domain::ids::ReferralId;
use rondom_domain::policy::receives_for;
use rondom_domain::referral::Status;
use rondom_domain::validate::ValidationError;
use rondom_domain::{Actor, Resource};

/// One onward referral as the parent's page shows it. Whoever may read the parent sees
/// where the child went and how it stands; only its own sides open the referral itself.
#[derive(Debug, Clone)]
pub struct ChainLink {
    /// Set when the viewer may open the onward referral.
    pub id: Option<ReferralId>,
    /// The provider, and its service when the referral named one.
    pub to_name: String,
    pub service: Option<String>,
    pub status: Status,
    pub sent: NaiveDateTime,
    /// When it reached a final status.
    pub ended: Option<NaiveDateTime>,
    /// Its outcome has reached the first referrer.
    pub outcome_passed_on: bool,
}

/// An ended onward referral whose outcome still waits for the case director.
#[derive(Debug, Clone)]
pub struct ToPassOn {
    pub onward_id: ReferralId,
    pub to_name: String,
    pub outcome: String,
}

/// The chain as stored: links, and the sealed outcomes that wait to be passed on (only
/// gathered for the receiving team).
pub(super) struct Stored {
    pub links: Vec<ChainLink>,
    pub waiting: Vec<(ReferralId, String, String)>,
}

/// `onward` are the parent's onward referrals (`db::onward_of`).
pub(super) fn load(
    c: &mut AnyConnection,
    parent: &Referral,
    onward: &[Listed],
    viewer: &Actor,
) -> Result<Stored, DbError> {
    let passed_on = db::forwarded_sources(c, &parent.id)?;
    let team_side = receives_for(viewer, &parent.to_org_id);
    let mut links = Vec::with_capacity(onward.len());
    let mut waiting = Vec::new();
    for l in onward {
        let service = match &l.r.service_id {
            Some(s) => rondom_db::directory::find_service(c, s)?.map(|s| s.name),
            None => None,
        };
        let outcome_passed_on = passed_on.contains(&l.r.id);
        if team_side
            && l.r.status == Status::Completed
            && !outcome_passed_on
            && let Some((sealed, _)) = db::completion_outcome(c, &l.r.id)?
        {
            waiting.push((l.r.id.clone(), name_of(l, service.as_deref()), sealed));
        }
        links.push(ChainLink {
            id: may_read(viewer, &l.r).then(|| l.r.id.clone()),
            ended: l.r.status.is_final().then_some(l.r.updated_at),
            sent: l.r.created_at,
            status: l.r.status,
            to_name: l.to_name.clone(),
            service,
            outcome_passed_on,
        });
    }
    Ok(Stored { links, waiting })
}

fn name_of(l: &Listed, service: Option<&str>) -> String {
    match service {
        Some(s) => format!("{s} ({})", l.to_name),
        None => l.to_name.clone(),
    }
}

/// The case director (or another of the team) passes the outcome of ended onward help
/// on to the first referrer, with a note if they like; once per onward referral.
pub async fn pass_on_outcome(
    svc: &Services,
    who: &impl Principal,
    parent: Referral,
    onward_id: &str,
    note: &str,
) -> Result<Checked<()>, Error> {
    if !receives_for(who.actor(), &parent.to_org_id) {
        let resource = Resource::Referral {
            from: &parent.from_org_id,
            to: &parent.to_org_id,
        };
        return Err(access::deny(svc, who, "referral_outcome_pass_on", resource, &parent.id).await);
    }
    let note = note.trim();
    if note.chars().count() > REASON_MAX {
        return Ok(Err(vec![ValidationError::new(
            "toelichting",
            "Houd de toelichting onder 4000 tekens.",
        )]));
    }
    let (p, wanted) = (parent.clone(), onward_id.to_owned());
    let found = svc
        .db
        .read(move |c| {
            // Only an onward referral of this parent: its id comes from the form.
            let Some(l) = db::onward_of(c, &p.id)?
                .into_iter()
                .find(|l| l.r.id == wanted.as_str())
            else {
                return Ok(None);
            };
            let passed = db::forwarded_sources(c, &p.id)?.contains(&l.r.id);
            let outcome = db::completion_outcome(c, &l.r.id)?;
            let service = match &l.r.service_id {
                Some(s) => rondom_db::directory::find_service(c, s)?.map(|s| s.name),
                None => None,
            };
            let to_name = name_of(&l, service.as_deref());
            Ok(Some((l.r, to_name, passed, outcome)))
        })
        .await?;
    let Some((onward, to_name, passed, outcome)) = found else {
        return Err(Error::NotFound);
    };
    let outcome = match (onward.status, passed, outcome) {
        (_, true, _) => {
            return Ok(Err(vec![ValidationError::new(
                "doorsturen",
                "Deze uitkomst is al doorgestuurd aan de verwijzer.",
            )]));
        }
        (Status::Completed, false, Some((sealed, _))) => {
            svc.secrets.open(&sealed).map_err(Error::internal)?
        }
        _ => {
            return Ok(Err(vec![ValidationError::new(
                "doorsturen",
                "Deze doorverwijzing is nog niet afgerond: er is nog geen uitkomst.",
            )]));
        }
    };
    let mut text = onward_outcome_text(&to_name, &outcome);
    if !note.is_empty() {
        text.push_str("\n\nToelichting van de casusregisseur: ");
        text.push_str(note);
    }
    let sealed = svc.secrets.seal(&text).map_err(Error::internal)?;
    let event = AuditEvent {
        object_id: Some(parent.id.to_string()),
        child_id: Some(parent.child_id.to_string()),
        reason: Some(format!("uitkomst van {} doorgestuurd", onward.id)),
        ..access::event(
            who,
            "referral_outcome_pass_on",
            Resource::Referral {
                from: &parent.from_org_id,
                to: &parent.to_org_id,
            },
            "allowed",
        )
    };
    let uid = who.actor().user_id.to_string();
    let id = parent.id.clone();
    let mails = svc
        .db
        .write(move |c| {
            // Twice clicked, or two of the team at once: the outcome goes once.
            if db::forwarded_sources(c, &parent.id)?.contains(&onward.id) {
                return Ok(None);
            }
            db::add_forwarded_outcome(c, &parent.id, &uid, &sealed, &onward.id)?;
            audit::append(c, &event)?;
            let rules = applied_to(c, &parent)?.rules;
            let mut whom = vec![Recipient::Referrer];
            whom.extend(
                rules
                    .informs(Step::OnwardOutcome)
                    .iter()
                    .filter(|r| **r != Recipient::CaseDirector),
            );
            inform_people(
                c,
                &parent,
                &whom,
                &uid,
                "De uitkomst van de specialistische hulp is doorgestuurd. Lees haar bij de verwijzing.",
            )
            .map(Some)
        })
        .await?;
    match mails {
        Some(mails) => {
            mail_all(svc, mails, &id);
            Ok(Ok(()))
        }
        None => Ok(Err(vec![ValidationError::new(
            "doorsturen",
            "Deze uitkomst is al doorgestuurd aan de verwijzer.",
        )])),
    }
}
