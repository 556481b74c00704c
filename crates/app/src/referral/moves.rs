//! A referral's moves through the FHIR Task lifecycle: checked against the lifecycle and
//! the person's side, written with the feedback, the audit entry and the notices in one
//! transaction, and only if the referral still stands where it stood.

use super::notify::{announce, inform, inform_people, mail_all, receives_for_role};
use super::{
    REASON_MAX, allowed_moves, applied_to, case_directors_of, in_force, link, next_feedback_moment,
};
use crate::access;
use crate::context::{Principal, Services};
use crate::dates;
use crate::error::{Checked, Error};
use rondom_db::audit::{self, AuditEvent};
use rondom_db::referrals::{self as db, Referral};
use rondom_domain::agreements::{Recipient, Step};
use rondom_domain::referral::{FeedbackKind, Outcome, Side, Status, transition};
use rondom_domain::validate::ValidationError;
use rondom_domain::{OrganisationKind, Resource, workdays};

/// A move as asked for.
#[derive(Debug, Clone, Default)]
pub struct MoveInput {
    pub to: String,
    pub reason: String,
    pub note: String,
    /// On acceptance by a social team: the consultant who directs the case.
    pub case_director: String,
    pub help_given: String,
    pub given_by: String,
    pub next: String,
}

/// Makes one move, with its feedback, notifications and audit entry, or says why not:
/// `Err(Error::TransitionNotAllowed)` for a move the lifecycle or this person's side
/// does not allow (409), `Ok(Err(..))` for missing or wrong input (422).
pub async fn make_move(
    svc: &Services,
    who: &impl Principal,
    r: Referral,
    input: MoveInput,
) -> Result<Checked<()>, Error> {
    let from = r.status;
    let allowed = allowed_moves(who.actor(), &r);
    let Some(to) = Status::parse(input.to.trim()) else {
        return Err(not_allowed(
            format!("‘{}’ is geen status van een verwijzing.", input.to.trim()),
            &allowed,
        ));
    };
    if let Err(e) = transition(from, to, Some(input.reason.as_str())) {
        return match e {
            rondom_domain::referral::TransitionError::ReasonRequired(_) => {
                Ok(Err(vec![ValidationError::new("reden", e.message())]))
            }
            other => Err(not_allowed(other.message(), &allowed)),
        };
    }
    if !allowed.contains(&to) {
        let whose = match to.moved_by() {
            Side::Referrer => "de verwijzer",
            Side::Receiver => "de organisatie waarnaar verwezen is",
        };
        return Err(not_allowed(
            format!(
                "Alleen {whose} kan een verwijzing op ‘{}’ zetten.",
                to.label()
            ),
            &allowed,
        ));
    }
    let mut errors = Vec::new();
    let (to_org, agreements, directors) = {
        let (t, rr) = (r.to_org_id.clone(), r.clone());
        svc.db
            .read(move |c| {
                let org = rondom_db::organisations::find(c, &t)?;
                // A draft follows the agreements in force on the day it is sent.
                let a = if to == Status::Requested {
                    let gemeente = db::child(c, &rr.child_id)?
                        .map(|ch| ch.gemeente_code)
                        .unwrap_or_default();
                    in_force(c, &gemeente, dates::today())?
                } else {
                    applied_to(c, &rr)?
                };
                let d = case_directors_of(c, &t)?;
                Ok((org, a, d))
            })
            .await?
    };
    let to_team = to_org
        .as_ref()
        .is_some_and(|o| o.kind == OrganisationKind::SociaalTeam);
    let mut case_director = None;
    if to == Status::Accepted && to_team {
        match directors.iter().find(|(id, _)| *id == input.case_director) {
            Some(d) => case_director = Some(d.clone()),
            None => errors.push(ValidationError::new(
                "casusregisseur",
                "Wijs bij acceptatie een casusregisseur van het team aan.",
            )),
        }
    }
    let outcome = if to == Status::Completed {
        match Outcome::check(&input.help_given, &input.given_by, &input.next) {
            Ok(o) => Some(o),
            Err(e) => {
                errors.extend(e);
                None
            }
        }
    } else {
        None
    };
    if input.note.chars().count() > REASON_MAX || input.reason.chars().count() > REASON_MAX {
        errors.push(ValidationError::new(
            "toelichting",
            "Houd de toelichting onder 4000 tekens.",
        ));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let today = dates::today();
    let urgency = r.urgency;
    let rules = &agreements.rules;
    let accepted_on = if to == Status::Accepted {
        Some(today)
    } else {
        r.accepted_on
    };
    let due = match to {
        Status::Requested => Some(workdays::add_working_days(
            today,
            rules.accept_days_for(urgency),
        )),
        Status::Received => r.due_on,
        Status::Accepted => next_feedback_moment(rules, today, today),
        Status::InProgress | Status::OnHold => r.due_on,
        _ => None,
    };

    // What the referrer reads.
    let feedback = FeedbackKind::of_transition(to).map(|kind| {
        let mut text = match (to, &outcome, &case_director) {
            (Status::Completed, Some(o), _) => o.text(),
            (Status::Accepted, _, Some((_, name))) => {
                format!("De verwijzing is geaccepteerd. Casusregisseur: {name}.")
            }
            (Status::Accepted, _, None) => "De verwijzing is geaccepteerd.".to_owned(),
            _ => format!("Reden: {}", input.reason.trim()),
        };
        if !input.note.trim().is_empty() {
            text.push('\n');
            text.push_str(input.note.trim());
        }
        (kind, text)
    });
    let feedback = match feedback {
        Some((k, t)) => Some((k, svc.secrets.seal(&t).map_err(Error::internal)?)),
        None => None,
    };
    let reason_sealed = if input.reason.trim().is_empty() {
        None
    } else {
        Some(
            svc.secrets
                .seal(input.reason.trim())
                .map_err(Error::internal)?,
        )
    };
    let step = match to {
        Status::Accepted => Some(Step::Accepted),
        Status::Rejected => Some(Step::Rejected),
        Status::Completed => Some(Step::Completed),
        // A pause is news between the fixed moments.
        Status::OnHold => Some(Step::Interim),
        _ => None,
    };
    let e = access::event(
        who,
        "referral_transition",
        Resource::Referral {
            from: &r.from_org_id,
            to: &r.to_org_id,
        },
        "allowed",
    );
    let uid = who.actor().user_id.clone();
    let rules = rules.clone();
    let agreements_id = agreements.id.clone();
    let r2 = r.clone();
    let mails = svc
        .db
        .write(move |c| {
            let r = r2;
            db::apply_move(
                c,
                &r.id,
                &db::Move {
                    from,
                    to,
                    actor_id: &uid,
                    reason_sealed: reason_sealed.as_deref(),
                    due_on: due,
                    accepted_on: (to == Status::Accepted).then_some(accepted_on).flatten(),
                    case_director_id: case_director.as_ref().map(|(id, _)| id.as_str()),
                },
            )?;
            if let Some((kind, sealed)) = &feedback {
                db::add_feedback(c, &r.id, &uid, *kind, sealed)?;
            }
            if to == Status::Requested {
                db::set_agreements(c, &r.id, agreements_id.as_deref())?;
                if let Some(cid) = &r.consultation_id {
                    rondom_db::consultations::set_status(
                        c,
                        cid,
                        rondom_domain::consultation::Status::Closed,
                        None,
                        false,
                    )?;
                }
            }
            audit::append(
                c,
                &AuditEvent {
                    object_id: Some(r.id.to_string()),
                    child_id: Some(r.child_id.to_string()),
                    reason: Some(format!("{} → {}", from.code(), to.code())),
                    ..e
                },
            )?;
            let mut r = r;
            if let Some((cd, _)) = &case_director {
                r.case_director_id = Some(rondom_domain::ids::UserId::trusted(cd.clone()));
            }
            let text = format!("Een verwijzing is {}.", to.label());
            let mut mails = match step {
                Some(step) => inform(c, &r, &rules, step, &uid, &text)?,
                // Withdrawn or failed: both sides hear it.
                None if to.is_final() => inform_people(c, &r, &[Recipient::Referrer], &uid, &text)?,
                None => vec![],
            };
            if to == Status::Cancelled {
                for m in rondom_db::organisations::members(c, &r.to_org_id)? {
                    if receives_for_role(m.role) && !m.disabled {
                        rondom_db::consultations::notify(c, &m.user_id, &text, &link(&r.id))?;
                    }
                }
            }
            if let (Some((cd, _)), true) = (&case_director, to == Status::Accepted)
                && *cd != uid
            {
                rondom_db::consultations::notify(
                    c,
                    cd,
                    "U bent casusregisseur van een verwijzing.",
                    &link(&r.id),
                )?;
                if let Some(u) = rondom_db::users::find(c, cd)? {
                    mails.push(u.email);
                }
            }
            if let Some(parent) = &r.parent_id {
                // An onward referral: its case director passes the news on to the GP.
                if let Some(cd) = r.case_director_id.as_deref().filter(|cd| *cd != uid) {
                    rondom_db::consultations::notify(
                        c,
                        cd,
                        &format!(
                            "De doorverwijzing is {}. Geef de verwijzer terugkoppeling.",
                            to.label()
                        ),
                        &link(parent),
                    )?;
                }
            }
            if to == Status::Requested
                && let Some(addr) = announce(c, &r.id, &r.to_org_id)?
            {
                mails.push(addr);
            }
            Ok(mails)
        })
        .await?;
    mail_all(svc, mails, &r.id);
    Ok(Ok(()))
}

fn not_allowed(message: String, allowed: &[Status]) -> Error {
    Error::TransitionNotAllowed {
        message,
        allowed: allowed.iter().map(|s| s.code()).collect(),
    }
}
