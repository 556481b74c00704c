//! What the team and the asker do with a question: the team picks it up, hands it to a
//! consultant, answers it; the asker asks on or closes it. Each step is written with its
//! audit entry (and the notices it causes) in one transaction.

use super::{BSN_REFUSED, answers, consultants_of, link, resource};
use crate::access;
use crate::context::{Principal, Services};
use crate::error::{Checked, Error};
use rondom_db::audit::{self, AuditEvent};
use rondom_db::consultations::{self as db, Consultation};
use rondom_domain::consultation::{Status, contains_bsn};
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, Resource, authorize};

/// A consultant of the team takes the question on.
pub async fn pick_up(svc: &Services, who: &impl Principal, c: &Consultation) -> Result<(), Error> {
    if !answers(who.actor(), c) {
        return Err(access::deny(svc, who, "consultation_pick_up", resource(c), &c.id).await);
    }
    let e = access::event(who, "consultation_pick_up", resource(c), "allowed");
    let uid = who.actor().user_id.clone();
    let cid = c.id.clone();
    let picked = svc
        .db
        .write(move |conn| {
            // Only a new question is picked up: one answered or closed is not reopened
            // by a second click or a replayed form (checked where it is changed).
            if db::find(conn, &cid)?.is_none_or(|now| now.status != Status::Open) {
                return Ok(false);
            }
            db::set_status(conn, &cid, Status::PickedUp, Some(&uid), false)?;
            audit::append(
                conn,
                &AuditEvent {
                    object_id: Some(cid.to_string()),
                    ..e
                },
            )?;
            Ok(true)
        })
        .await?;
    if !picked {
        return Err(Error::TransitionNotAllowed {
            message: "Deze vraag is al opgepakt, beantwoord of afgesloten.".into(),
            allowed: vec![],
        });
    }
    Ok(())
}

/// A message in the thread. From the team it is an answer (the asker is told, in Rondom
/// and by e-mail without content); from the asker on an answered question it goes back
/// to the team.
pub async fn write(
    svc: &Services,
    who: &impl Principal,
    c: Consultation,
    text: &str,
) -> Result<Checked<()>, Error> {
    let status = c.status;
    let body = text.trim().to_owned();
    let problem = if status == Status::Closed {
        Some("Deze vraag is afgesloten.")
    } else if body.is_empty() || body.chars().count() > 4000 {
        Some("Schrijf een bericht (hoogstens 4000 tekens).")
    } else if contains_bsn(&body) {
        Some(BSN_REFUSED)
    } else {
        None
    };
    if let Some(p) = problem {
        return Ok(Err(vec![ValidationError::new("bericht", p)]));
    }
    let team_side = answers(who.actor(), &c);
    let sealed = svc.secrets.seal(&body).map_err(Error::internal)?;
    let e = access::event(who, "consultation_message", resource(&c), "allowed");
    let uid = who.actor().user_id.clone();
    let cid = c.id.clone();
    let asker = c.asker_id.clone();
    let asker_email = if team_side {
        let a = asker.clone();
        svc.db
            .read(move |conn| rondom_db::users::find(conn, &a))
            .await?
            .map(|u| u.email)
    } else {
        None
    };
    svc.db
        .write(move |conn| {
            db::add_message(conn, &cid, &uid, &sealed)?;
            if team_side {
                // An answer: the asker is told, without content.
                let assignee = c.assignee_id.as_deref().unwrap_or(&uid).to_owned();
                db::set_status(conn, &cid, Status::Answered, Some(&assignee), true)?;
                db::notify(
                    conn,
                    &asker,
                    "Het sociaal team heeft uw overlegvraag beantwoord.",
                    &link(&cid),
                )?;
            } else if status == Status::Answered {
                // The asker asks on: back to the team.
                db::set_status(conn, &cid, Status::PickedUp, None, false)?;
            }
            audit::append(
                conn,
                &AuditEvent {
                    object_id: Some(cid.to_string()),
                    ..e
                },
            )
        })
        .await?;
    if let Some(to) = asker_email {
        svc.mail_notice(
            to,
            "Antwoord van het sociaal team in Rondom",
            "Het sociaal team heeft uw overlegvraag beantwoord.",
            "Lees het antwoord in Rondom",
            &link(&c.id),
        );
    }
    Ok(Ok(()))
}

/// The asker closes a question; the team answers it.
pub async fn close(svc: &Services, who: &impl Principal, c: &Consultation) -> Result<(), Error> {
    if answers(who.actor(), c)
        && !authorize(
            who.actor(),
            Action::Create,
            Resource::ConsultationFrom(&c.practice_id),
        )
        .is_allowed()
    {
        return Err(access::deny(svc, who, "consultation_close", resource(c), &c.id).await);
    }
    let e = access::event(who, "consultation_close", resource(c), "allowed");
    let cid = c.id.clone();
    svc.db
        .write(move |conn| {
            db::set_status(conn, &cid, Status::Closed, None, false)?;
            audit::append(
                conn,
                &AuditEvent {
                    object_id: Some(cid.to_string()),
                    ..e
                },
            )
        })
        .await?;
    Ok(())
}

/// Hands a question to a consultant of the team (a team leader dividing the work, or a
/// consultant passing it on).
pub async fn assign(
    svc: &Services,
    who: &impl Principal,
    c: &Consultation,
    consultant_id: &str,
) -> Result<Checked<()>, Error> {
    if !answers(who.actor(), c) {
        return Err(access::deny(svc, who, "consultation_assign", resource(c), &c.id).await);
    }
    let team = c.team_id.clone();
    let colleagues = svc.db.read(move |conn| consultants_of(conn, &team)).await?;
    let Some((to, name)) = colleagues.into_iter().find(|(u, _)| u == consultant_id) else {
        return Ok(Err(vec![ValidationError::new(
            "consulent",
            "Kies een consulent van het team.",
        )]));
    };
    if !Status::awaits_team(c.status) {
        return Ok(Err(vec![ValidationError::new(
            "consulent",
            "Deze vraag is al beantwoord of afgesloten.",
        )]));
    }
    let e = access::event(who, "consultation_assign", resource(c), "allowed");
    let cid = c.id.clone();
    let by_self = to == who.actor().user_id;
    svc.db
        .write(move |conn| {
            db::set_status(conn, &cid, Status::PickedUp, Some(&to), false)?;
            if !by_self {
                db::notify(
                    conn,
                    &to,
                    "Er is een overlegvraag aan u toegewezen.",
                    &link(&cid),
                )?;
            }
            audit::append(
                conn,
                &AuditEvent {
                    reason: Some(format!("toegewezen aan {name}")),
                    object_id: Some(cid.to_string()),
                    ..e
                },
            )
        })
        .await?;
    Ok(Ok(()))
}
