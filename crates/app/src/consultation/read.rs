//! The one way to a consultation's contents: `load` finds it for a person of the practice
//! or the team (a refusal is logged and answered as "not found"), `open` logs the look
//! and opens the subject and the messages, `list` opens the subjects of a person's
//! questions for their overview.

use super::{link, resource};
use crate::access::{self, Disclosed};
use crate::context::{Principal, Services};
use crate::error::Error;
use rondom_db::audit::{self, AuditEvent};
use rondom_db::consultations::{self as db, Consultation};
use rondom_domain::{Action, authorize};

/// The consultation, if this person may see it: otherwise not found (and the refusal
/// logged), so that ids of others' questions reveal nothing.
pub async fn load(
    svc: &Services,
    who: &impl Principal,
    id: &str,
    action: Action,
) -> Result<Consultation, Error> {
    let cid = id.to_owned();
    let c = svc
        .db
        .read(move |conn| db::find(conn, &cid))
        .await?
        .ok_or(Error::NotFound)?;
    if !authorize(who.actor(), action, resource(&c)).is_allowed() {
        // Named for what was tried: a refused change is not logged as a look.
        let e = access::event(
            who,
            &format!("consultation_{}", action.as_str()),
            resource(&c),
            "denied",
        );
        access::record(
            svc,
            AuditEvent {
                object_id: Some(c.id.to_string()),
                ..e
            },
        )
        .await?;
        return Err(Error::NotFound);
    }
    Ok(c)
}

/// One message of a thread, opened.
pub struct Message {
    pub author: String,
    /// Written by the team (not by the asker).
    pub from_team: bool,
    pub body: String,
    pub at: chrono::NaiveDateTime,
}

/// A thread as its page or the API shows it.
pub struct Thread {
    /// The consultation with the names of its practice, team, asker and assignee.
    pub listed: db::Listed,
    pub subject: String,
    pub messages: Vec<Message>,
}

/// Logs a look at a consultation and reads this person's notices about it, then opens
/// its subject and messages. The only way to a thread's contents: a page shown again
/// after a failed message logs its look like the first.
pub async fn open(
    svc: &Services,
    who: &impl Principal,
    c: &Consultation,
    why: Option<&str>,
) -> Result<Disclosed<Thread>, Error> {
    // `load` refused already; checked again so that no caller can open a question it
    // found some other way for a person who may not read it.
    if !authorize(who.actor(), Action::Read, resource(c)).is_allowed() {
        return Err(Error::NotFound);
    }
    let e = access::event(who, "consultation_read", resource(c), "allowed");
    let id = c.id.clone();
    let uid = who.actor().user_id.clone();
    let reason = why.map(str::to_owned);
    let (listed, messages) = svc
        .db
        .write(move |conn| {
            audit::append(
                conn,
                &AuditEvent {
                    object_id: Some(id.to_string()),
                    reason,
                    ..e
                },
            )?;
            db::mark_read(conn, &uid, &link(&id))?;
            Ok((db::find_listed(conn, &id)?, db::messages(conn, &id)?))
        })
        .await?;
    let listed = listed.ok_or(Error::NotFound)?;
    let open = |s: &str| svc.secrets.open_shown(s, "consultation message");
    let asker = listed.c.asker_id.clone();
    Ok(Disclosed::logged(Thread {
        subject: svc
            .secrets
            .open_shown(&listed.c.subject_sealed, "consultation subject"),
        messages: messages
            .into_iter()
            .map(|(author_id, author, sealed, at)| Message {
                from_team: author_id != asker,
                author,
                body: open(&sealed),
                at,
            })
            .collect(),
        listed,
    }))
}

/// A consultation in an overview, with its subject opened. Subjects are anonymous by rule
/// (a BSN is refused when asked), so an overview is not logged as a look at a child.
pub struct Listed {
    pub listed: db::Listed,
    pub subject: String,
}

/// The questions of these practices and teams, newest first, at most `limit`.
pub async fn list(
    svc: &Services,
    practices: Vec<String>,
    teams: Vec<String>,
    limit: i64,
) -> Result<Vec<Listed>, Error> {
    let rows = svc
        .db
        .read(move |c| db::list(c, &practices, &teams, limit))
        .await?;
    Ok(shown(svc, rows))
}

/// Consultations read elsewhere (with a page's other data), with their subjects opened.
pub fn shown(svc: &Services, rows: Vec<db::Listed>) -> Vec<Listed> {
    rows.into_iter()
        .map(|l| Listed {
            subject: svc
                .secrets
                .open_shown(&l.c.subject_sealed, "consultation subject"),
            listed: l,
        })
        .collect()
}
