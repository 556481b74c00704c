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
use chrono::NaiveDate;
use rondom_db::audit::{self, AuditEvent};
use rondom_db::referrals::{self as db, Referral};
use rondom_db::{AnyConnection, DbError};
use rondom_domain::agreements::{Agreements, Recipient, Step};
use rondom_domain::referral::{FeedbackKind, Outcome, Side, Status, TransitionError, transition};
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
    /// On acceptance: start the help at once too (one step for a provider who begins
    /// right away).
    pub and_start: bool,
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
    let to = match allowed_target(who, &r, &input)? {
        Ok(to) => to,
        Err(errors) => return Ok(Err(errors)),
    };
    let facts = load_facts(svc, &r, to).await?;
    let planned = match plan(&r, to, &input, &facts, dates::today()) {
        Ok(p) => p,
        Err(errors) => return Ok(Err(errors)),
    };
    let sealed = Sealed {
        feedback: match &planned.feedback {
            Some((kind, text)) => Some((*kind, svc.secrets.seal(text).map_err(Error::internal)?)),
            None => None,
        },
        reason: match input.reason.trim() {
            "" => None,
            reason => Some(svc.secrets.seal(reason).map_err(Error::internal)?),
        },
        onward_outcome: match &planned.onward_outcome {
            Some(text) => Some(svc.secrets.seal(text).map_err(Error::internal)?),
            None => None,
        },
    };
    let event = AuditEvent {
        object_id: Some(r.id.to_string()),
        child_id: Some(r.child_id.to_string()),
        reason: Some(if input.and_start && to == Status::Accepted {
            format!(
                "{} → {} → {}",
                r.status.code(),
                to.code(),
                Status::InProgress.code()
            )
        } else {
            format!("{} → {}", r.status.code(), to.code())
        }),
        ..access::event(
            who,
            "referral_transition",
            Resource::Referral {
                from: &r.from_org_id,
                to: &r.to_org_id,
            },
            "allowed",
        )
    };
    let uid = who.actor().user_id.to_string();
    let id = r.id.clone();
    let mails = svc
        .db
        .write(move |c| {
            store(c, &r, &planned, &sealed, &facts, &uid)?;
            audit::append(c, &event)?;
            tell(c, r, &planned, &facts.rules, &uid)
        })
        .await?;
    mail_all(svc, mails, &id);
    Ok(Ok(()))
}

/// The status asked for, if the lifecycle and this person's side allow it.
fn allowed_target(
    who: &impl Principal,
    r: &Referral,
    input: &MoveInput,
) -> Result<Checked<Status>, Error> {
    let allowed = allowed_moves(who.actor(), r);
    let Some(to) = Status::parse(input.to.trim()) else {
        return Err(not_allowed(
            format!("‘{}’ is geen status van een verwijzing.", input.to.trim()),
            &allowed,
        ));
    };
    match transition(r.status, to, Some(input.reason.as_str())) {
        Err(e @ TransitionError::ReasonRequired(_)) => {
            return Ok(Err(vec![ValidationError::new("reden", e.message())]));
        }
        Err(other) => return Err(not_allowed(other.message(), &allowed)),
        Ok(_) => {}
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
    Ok(Ok(to))
}

/// What the move needs to know besides the referral.
struct Facts {
    to_team: bool,
    /// The receiving organisation's name, and the service's when there is one.
    to_name: String,
    agreements_id: Option<String>,
    rules: Agreements,
    /// Who may direct the case, when a team accepts: (id, name).
    directors: Vec<(String, String)>,
}

async fn load_facts(svc: &Services, r: &Referral, to: Status) -> Result<Facts, Error> {
    let r = r.clone();
    Ok(svc
        .db
        .read(move |c| {
            let to_org = rondom_db::organisations::find(c, &r.to_org_id)?;
            let service = match &r.service_id {
                Some(s) => rondom_db::directory::find_service(c, s)?.map(|s| s.name),
                None => None,
            };
            // A draft follows the agreements in force on the day it is sent.
            let agreements = if to == Status::Requested {
                let gemeente = db::child(c, &r.child_id)?
                    .map(|ch| ch.gemeente_code)
                    .unwrap_or_default();
                in_force(c, &gemeente, dates::today())?
            } else {
                applied_to(c, &r)?
            };
            Ok(Facts {
                to_team: to_org
                    .as_ref()
                    .is_some_and(|o| o.kind == OrganisationKind::SociaalTeam),
                to_name: match (to_org, service) {
                    (Some(o), Some(s)) => format!("{s} ({})", o.name),
                    (Some(o), None) => o.name,
                    (None, _) => String::new(),
                },
                agreements_id: agreements.id,
                rules: agreements.rules,
                directors: case_directors_of(c, &r.to_org_id)?,
            })
        })
        .await?)
}

/// The move worked out: what changes, what the referrer reads, who hears of it.
struct Planned {
    from: Status,
    to: Status,
    due: Option<NaiveDate>,
    accepted_on: Option<NaiveDate>,
    case_director: Option<(String, String)>,
    /// What the referrer reads, before sealing.
    feedback: Option<(FeedbackKind, String)>,
    /// The step of the verwijskader whose people are informed.
    step: Option<Step>,
    /// Accepted and started in one step.
    then_start: bool,
    /// When onward help ends and the verwijskader sends its outcome on at once: what the
    /// first referrer reads, before sealing.
    onward_outcome: Option<String>,
}

struct Sealed {
    feedback: Option<(FeedbackKind, String)>,
    reason: Option<String>,
    onward_outcome: Option<String>,
}

/// Checks the input the move needs and works out its consequences; nothing is read or
/// written here.
fn plan(
    r: &Referral,
    to: Status,
    input: &MoveInput,
    facts: &Facts,
    today: NaiveDate,
) -> Result<Planned, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let mut case_director = None;
    if to == Status::Accepted && facts.to_team {
        match facts
            .directors
            .iter()
            .find(|(id, _)| *id == input.case_director)
        {
            Some(d) => case_director = Some(d.clone()),
            None => errors.push(ValidationError::new(
                "casusregisseur",
                "Wijs bij acceptatie een casusregisseur van het team aan.",
            )),
        }
    }
    let outcome = if to == Status::Completed {
        Outcome::check(&input.help_given, &input.given_by, &input.next)
            .map_err(|e| errors.extend(e))
            .ok()
    } else {
        None
    };
    if input.note.chars().count() > REASON_MAX || input.reason.chars().count() > REASON_MAX {
        errors.push(ValidationError::new(
            "toelichting",
            "Houd de toelichting onder 4000 tekens.",
        ));
    }
    let then_start = input.and_start && to == Status::Accepted;
    if !errors.is_empty() {
        return Err(errors);
    }
    let rules = &facts.rules;
    let due = match to {
        Status::Requested => Some(workdays::add_working_days(
            today,
            rules.accept_days_for(r.urgency),
        )),
        Status::Accepted => next_feedback_moment(rules, today, today),
        Status::Received | Status::InProgress | Status::OnHold => r.due_on,
        _ => None,
    };
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
    let step = match to {
        Status::Accepted => Some(Step::Accepted),
        Status::Rejected => Some(Step::Rejected),
        Status::Completed => Some(Step::Completed),
        // A pause is news between the fixed moments.
        Status::OnHold => Some(Step::Interim),
        _ => None,
    };
    let onward_outcome = match (&r.parent_id, &feedback) {
        (Some(_), Some((FeedbackKind::Completed, text))) if rules.forwards_onward_outcome() => {
            Some(onward_outcome_text(&facts.to_name, text))
        }
        _ => None,
    };
    Ok(Planned {
        then_start,
        onward_outcome,
        from: r.status,
        to,
        due,
        accepted_on: (to == Status::Accepted).then_some(today),
        case_director,
        feedback,
        step,
    })
}

/// Writes the move, its feedback and, when a draft is sent, the agreements it follows.
fn store(
    c: &mut AnyConnection,
    r: &Referral,
    p: &Planned,
    sealed: &Sealed,
    facts: &Facts,
    uid: &str,
) -> Result<(), DbError> {
    db::apply_move(
        c,
        &r.id,
        &db::Move {
            from: p.from,
            to: p.to,
            actor_id: uid,
            reason_sealed: sealed.reason.as_deref(),
            due_on: p.due,
            accepted_on: p.accepted_on,
            case_director_id: p.case_director.as_ref().map(|(id, _)| id.as_str()),
        },
    )?;
    if p.then_start {
        db::apply_move(
            c,
            &r.id,
            &db::Move {
                from: p.to,
                to: Status::InProgress,
                actor_id: uid,
                reason_sealed: None,
                due_on: p.due,
                accepted_on: None,
                case_director_id: None,
            },
        )?;
    }
    if let Some((kind, body)) = &sealed.feedback {
        db::add_feedback(c, &r.id, uid, *kind, body)?;
    }
    if let (Some(parent), Some(body)) = (&r.parent_id, &sealed.onward_outcome) {
        db::add_forwarded_outcome(c, parent, uid, body, &r.id)?;
    }
    if p.to == Status::Requested {
        db::set_agreements(c, &r.id, facts.agreements_id.as_deref())?;
        if let Some(cid) = &r.consultation_id {
            // The question became a referral: it is done.
            rondom_db::consultations::set_status(
                c,
                cid,
                rondom_domain::consultation::Status::Closed,
                None,
                false,
            )?;
        }
    }
    Ok(())
}

/// Notifies whom the move concerns in Rondom; returns the addresses to e-mail (without
/// content).
fn tell(
    c: &mut AnyConnection,
    mut r: Referral,
    p: &Planned,
    rules: &Agreements,
    uid: &str,
) -> Result<Vec<String>, DbError> {
    let to = p.to;
    if let Some((cd, _)) = &p.case_director {
        r.case_director_id = Some(rondom_domain::ids::UserId::trusted(cd.clone()));
    }
    let text = format!("Een verwijzing is {}.", to.label());
    let mut mails = match p.step {
        Some(step) => inform(c, &r, rules, step, uid, &text)?,
        // Withdrawn or failed: both sides hear it.
        None if to.is_final() => inform_people(c, &r, &[Recipient::Referrer], uid, &text)?,
        None => vec![],
    };
    if to == Status::Cancelled {
        for m in rondom_db::organisations::members(c, &r.to_org_id)? {
            if receives_for_role(m.role) && !m.disabled {
                rondom_db::consultations::notify(c, &m.user_id, &text, &link(&r.id))?;
            }
        }
    }
    if let Some((cd, _)) = &p.case_director
        && cd != uid
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
        mails.extend(tell_parent(c, &r, parent, p, rules, uid)?);
    }
    if to == Status::Requested
        && let Some(addr) = announce(c, &r.id, &r.to_org_id)?
    {
        mails.push(addr);
    }
    Ok(mails)
}

/// An onward referral moved: its case director hears of it on the parent; when the help
/// ended and the verwijskader sends the outcome on at once, the parent's people hear that
/// it is there.
fn tell_parent(
    c: &mut AnyConnection,
    r: &Referral,
    parent_id: &str,
    p: &Planned,
    rules: &Agreements,
    uid: &str,
) -> Result<Vec<String>, DbError> {
    let mut mails = Vec::new();
    let forwarded = p.onward_outcome.is_some();
    if forwarded && let Some(parent) = db::find(c, parent_id)? {
        let others: Vec<Recipient> = rules
            .informs(Step::OnwardOutcome)
            .iter()
            .copied()
            .filter(|who| *who != Recipient::CaseDirector)
            .collect();
        mails = inform_people(
            c,
            &parent,
            &others,
            uid,
            "De specialistische hulp is afgerond. De uitkomst staat bij de verwijzing.",
        )?;
    }
    if let Some(cd) = r.case_director_id.as_deref().filter(|cd| *cd != uid) {
        let text = match (p.to, forwarded) {
            (Status::Completed, true) => "De doorverwijzing is afgerond en de uitkomst is doorgestuurd aan de verwijzer. Rond de verwijzing af als de hulp klaar is.".to_owned(),
            (Status::Completed, false) => "De doorverwijzing is afgerond. Stuur de uitkomst door aan de verwijzer.".to_owned(),
            (to, _) => format!(
                "De doorverwijzing is {}. Geef de verwijzer terugkoppeling.",
                to.label()
            ),
        };
        rondom_db::consultations::notify(c, cd, &text, &link(parent_id))?;
    }
    Ok(mails)
}

/// What the first referrer reads of the outcome of onward help.
pub fn onward_outcome_text(to_name: &str, outcome: &str) -> String {
    format!("Uitkomst van de doorverwijzing naar {to_name}:\n{outcome}")
}

fn not_allowed(message: String, allowed: &[Status]) -> Error {
    Error::TransitionNotAllowed {
        message,
        allowed: allowed.iter().map(|s| s.code()).collect(),
    }
}
