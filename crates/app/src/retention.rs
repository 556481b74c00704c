//! Retention (Jeugdwet 7.3.8 and 7.3.9). A youth-help file is kept 20 years from the end
//! of help (the last of the child's referrals ending) unless a longer term is set; then
//! its content is removed and the fact of the removal kept. The operator's `rondom
//! retention report` lists what passed its term and the family's open requests, `rondom
//! retention apply` shows what it would remove and, with `--yes`, removes it. A family
//! with the say asks for destruction on the network page; the case director carries it
//! out where the law allows, or refuses with the reason (both logged, the family told).

use crate::context::{Principal, Services};
use crate::error::{Checked, Error};
use crate::network::{load, record};
use rondom_db::retention::{self as db, CARRIED_OUT, DeletionRequest, REFUSED};
use rondom_db::{Db, DbError};
use rondom_domain::validate::ValidationError;

/// The term of the law, in years from the end of help.
pub const YEARS: u32 = 20;
/// How long a family's request may wait for its answer (Jeugdwet 7.3.9: three months).
pub const ANSWER_WITHIN_DAYS: i64 = 90;
/// What a removed text reads as.
pub const REMOVED: &str = "(gegevens verwijderd)";

/// A child's file past its term.
pub struct Due {
    pub child_id: String,
    pub help_ended_on: chrono::NaiveDate,
    pub term_ends_on: chrono::NaiveDate,
}

/// A family's request still waiting.
pub struct OpenRequest {
    pub id: String,
    pub child_id: String,
    pub network_id: String,
    pub requested_on: chrono::NaiveDate,
    /// Past the three months the law gives.
    pub late: bool,
}

pub struct Report {
    pub due: Vec<Due>,
    pub requests: Vec<OpenRequest>,
}

fn final_status(code: &str) -> bool {
    rondom_domain::referral::Status::parse(code).is_some_and(|s| s.is_final())
}

/// What passed its term on `today`, and the open requests.
pub fn report(db: &Db, today: chrono::NaiveDate) -> Result<Report, DbError> {
    let (ended, open) =
        db.write_blocking(|c| Ok((db::ended_help(c, final_status)?, db::open_requests(c)?)))?;
    let due = ended
        .into_iter()
        .filter_map(|e| {
            let ended = crate::dates::to_local(e.ended_at).date();
            let term = ended.checked_add_months(chrono::Months::new(12 * YEARS))?;
            let until = e.keep_until.map_or(term, |k| k.max(term));
            (until <= today).then_some(Due {
                child_id: e.child_id,
                help_ended_on: ended,
                term_ends_on: until,
            })
        })
        .collect();
    let requests = open
        .into_iter()
        .map(|r: DeletionRequest| {
            let on = crate::dates::to_local(r.requested_at).date();
            OpenRequest {
                late: (today - on).num_days() > ANSWER_WITHIN_DAYS,
                id: r.id,
                child_id: r.child_id,
                network_id: r.network_id,
                requested_on: on,
            }
        })
        .collect();
    Ok(Report { due, requests })
}

/// Removes the content of every file past its term on `today`, each in its own
/// transaction with its audit entry ("rondom command line"). Answers (child, what went).
pub fn apply(
    db: &Db,
    secrets: &crate::secrets::SecretBox,
    today: chrono::NaiveDate,
) -> Result<Vec<(String, String)>, String> {
    let due = report(db, today).map_err(|e| e.to_string())?.due;
    let marker = secrets.seal(REMOVED)?;
    let mut out = Vec::new();
    for d in due {
        let (child, marker) = (d.child_id.clone(), marker.clone());
        let summary = db
            .write_blocking(move |c| {
                let summary = db::remove_child(c, &child, &marker, "term", "rondom command line")?;
                let mut e = crate::console::event(
                    "retention_remove",
                    "child",
                    Some(child.clone()),
                    format!("bewaartermijn verstreken: {summary}"),
                );
                e.child_id = Some(child.clone());
                rondom_db::audit::append(c, &e)?;
                Ok(summary)
            })
            .map_err(|e| e.to_string())?;
        out.push((d.child_id, summary));
    }
    Ok(out)
}

/// Sets a longer term for a child's file (an operator, with the reason).
pub fn keep_longer(
    db: &Db,
    child_id: &str,
    until: chrono::NaiveDate,
    reason: &str,
) -> Result<(), String> {
    if reason.trim().chars().count() < 10 {
        return Err("give the reason for the longer term (at least 10 characters)".into());
    }
    db.write_blocking(|c| {
        db::keep_until(c, child_id, until, reason.trim(), "rondom command line")?;
        let mut e = crate::console::event(
            "retention_keep_longer",
            "child",
            Some(child_id.to_owned()),
            format!("bewaren tot {until}: {}", reason.trim()),
        );
        e.child_id = Some(child_id.to_owned());
        rondom_db::audit::append(c, &e).map(drop)
    })
    .map_err(|e| e.to_string())
}

/// A request as the network page shows it.
pub struct RequestView {
    pub id: String,
    pub by: String,
    pub on: String,
    pub note: Option<String>,
    pub state: &'static str,
    pub open: bool,
    pub decision: Option<String>,
}

/// The requests of a network, for its family and its case director.
pub async fn requests(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
) -> Result<Vec<RequestView>, Error> {
    let (f, _) = load(svc, who, network_id).await?;
    let coordinator = f.network.coordinator_id.as_str() == who.actor().user_id;
    if !coordinator && f.family_member(who).is_none() {
        return Ok(vec![]);
    }
    let nid = network_id.to_owned();
    let (rows, names) = svc
        .db
        .read(move |c| {
            let rows = db::requests_of(c, &nid)?;
            let ids: Vec<String> = rows.iter().map(|r| r.requested_by.clone()).collect();
            Ok((rows, rondom_db::users::names_of(c, &ids)?))
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| RequestView {
            by: names
                .iter()
                .find(|(id, _)| *id == r.requested_by)
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            on: crate::dates::datetime(r.requested_at),
            note: r
                .note_sealed
                .as_deref()
                .map(|n| svc.secrets.open_shown(n, "request note")),
            state: match r.state.as_str() {
                CARRIED_OUT => "uitgevoerd: de gegevens zijn vernietigd",
                REFUSED => "geweigerd",
                _ => "wacht op de casusregisseur",
            },
            open: r.state == db::REQUESTED,
            decision: r.decision_reason,
            id: r.id,
        })
        .collect())
}

/// A family member with the say asks for the file's destruction.
pub async fn request(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    note: &str,
) -> Result<Checked<()>, Error> {
    let (f, _) = load(svc, who, network_id).await?;
    if !f.family_member(who).is_some_and(|m| f.decides(&m.id)) {
        return Err(Error::Forbidden);
    }
    let note = note.trim();
    if note.chars().count() > 1000 {
        return Ok(Err(vec![ValidationError::new(
            "toelichting",
            "Uw toelichting is te lang: houd het onder 1000 tekens.",
        )]));
    }
    let sealed = if note.is_empty() {
        None
    } else {
        Some(svc.secrets.seal(note).map_err(Error::internal)?)
    };
    let (child, nid, by, coordinator) = (
        f.network.child_id.to_string(),
        f.network.id.to_string(),
        who.actor().user_id.clone(),
        f.network.coordinator_id.to_string(),
    );
    let done = svc
        .db
        .write(move |c| {
            db::request_deletion(c, &child, &nid, &by, sealed.as_deref())?;
            rondom_db::consultations::notify(
                c,
                &coordinator,
                "Het gezin vraagt om de gegevens van hun kind te vernietigen. Beslis binnen drie maanden.",
                &format!("/netwerken/{nid}"),
            )
        })
        .await;
    match done {
        Ok(()) => {}
        Err(DbError::Conflict(_)) => {
            return Ok(Err(vec![ValidationError::new(
                "toelichting",
                "U heeft dit al gevraagd. De casusregisseur beslist erover.",
            )]));
        }
        Err(e) => return Err(e.into()),
    }
    record(svc, who, "retention_request", &f.network, "allowed").await?;
    Ok(Ok(()))
}

/// The case director decides a request: carried out (the content is removed now) or
/// refused with the reason the law gives (7.3.9 lid 2: of great importance to someone
/// else, or a legal duty to keep it).
pub async fn decide(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    request_id: &str,
    carry_out: bool,
    reason: &str,
) -> Result<Checked<()>, Error> {
    let (f, _) = load(svc, who, network_id).await?;
    if f.network.coordinator_id.as_str() != who.actor().user_id {
        return Err(Error::Forbidden);
    }
    let reason = reason.trim();
    if !carry_out && !(10..=1000).contains(&reason.chars().count()) {
        return Ok(Err(vec![ValidationError::new(
            "reden",
            "Schrijf waarom u het verzoek weigert (10 tot 1000 tekens), bijvoorbeeld welk zwaarwegend belang van een ander het bewaren vraagt.",
        )]));
    }
    let marker = svc.secrets.seal(REMOVED).map_err(Error::internal)?;
    let (nid, rid, by, child) = (
        network_id.to_owned(),
        request_id.to_owned(),
        who.actor().user_id.clone(),
        f.network.child_id.to_string(),
    );
    let family: Vec<String> = f
        .members
        .iter()
        .filter(|m| m.kind == crate::network::FAMILY && m.is_active())
        .filter_map(|m| m.user_id.as_ref().map(ToString::to_string))
        .collect();
    let reason_owned = reason.to_owned();
    let outcome = svc
        .db
        .write(move |c| {
            let ours = db::requests_of(c, &nid)?.iter().any(|r| r.id == rid);
            if !ours {
                return Err(DbError::NotFound);
            }
            let state = if carry_out { CARRIED_OUT } else { REFUSED };
            let reason = (!reason_owned.is_empty()).then_some(reason_owned.as_str());
            if !db::decide(c, &rid, state, &by, reason)? {
                return Ok(false);
            }
            let text = if carry_out {
                db::remove_child(c, &child, &marker, "request", &by)?;
                "Uw verzoek is uitgevoerd: de gegevens van uw kind zijn vernietigd."
            } else {
                "Uw verzoek om de gegevens te vernietigen is geweigerd. Lees waarom in Rondom."
            };
            for u in &family {
                rondom_db::consultations::notify(c, u, text, &format!("/netwerken/{nid}"))?;
            }
            Ok(true)
        })
        .await?;
    if !outcome {
        return Ok(Err(vec![ValidationError::new(
            "reden",
            "Over dit verzoek is al beslist.",
        )]));
    }
    let action = if carry_out {
        "retention_request_carried_out"
    } else {
        "retention_request_refused"
    };
    record(svc, who, action, &f.network, "allowed").await?;
    Ok(Ok(()))
}
