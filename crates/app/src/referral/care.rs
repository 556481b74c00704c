//! What the receiving side does while help runs: interim feedback, the onward referral
//! to specialised care, a new case director, and attachments (stored and opened).

use super::notify::{announce, inform, mail_all, mail_receivers};
use super::{
    ATTACHMENT_MAX_BYTES, REASON_MAX, applied_to, case_directors_of, link, next_feedback_moment,
    service_with_kind, sniff_media_type,
};
use crate::access::{self, Disclosed};
use crate::context::{Principal, Services};
use crate::dates;
use crate::error::{Checked, Error};
use rondom_db::audit::{self, AuditEvent};
use rondom_db::referrals::{self as db, Referral};
use rondom_domain::agreements::Step;
use rondom_domain::catalogue::parse_areas;
use rondom_domain::policy::{receives_for, refers_for};
use rondom_domain::referral::{FeedbackKind, Status};
use rondom_domain::validate::ValidationError;
use rondom_domain::{OrganisationKind, Resource, workdays};

/// Logs a refused step on this referral and answers the refusal.
async fn denied(svc: &Services, who: &impl Principal, action: &str, r: &Referral) -> Error {
    let resource = Resource::Referral {
        from: &r.from_org_id,
        to: &r.to_org_id,
    };
    access::deny(svc, who, action, resource, &r.id).await
}

/// Interim feedback (terugkoppeling) from the receiving side to the referrer: allowed
/// while help runs; the next feedback moment moves on.
pub async fn give_feedback(
    svc: &Services,
    who: &impl Principal,
    r: Referral,
    text: &str,
) -> Result<Checked<()>, Error> {
    let status = r.status;
    if !receives_for(who.actor(), &r.to_org_id) {
        return Err(denied(svc, who, "referral_feedback", &r).await);
    }
    let text = text.trim();
    let mut errors = Vec::new();
    if !status.is_running() && !status.awaits_acceptance() {
        errors.push(ValidationError::new(
            "terugkoppeling",
            format!(
                "Een verwijzing die {} is, krijgt geen tussentijdse terugkoppeling meer.",
                status.label()
            ),
        ));
    }
    if text.is_empty() || text.chars().count() > REASON_MAX {
        errors.push(ValidationError::new(
            "terugkoppeling",
            "Schrijf de terugkoppeling (hoogstens 4000 tekens).",
        ));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let sealed = svc.secrets.seal(text).map_err(Error::internal)?;
    let e = access::event(
        who,
        "referral_feedback",
        Resource::Referral {
            from: &r.from_org_id,
            to: &r.to_org_id,
        },
        "allowed",
    );
    let uid = who.actor().user_id.clone();
    let rid = r.id.clone();
    let mails = svc
        .db
        .write(move |c| {
            let agreements = applied_to(c, &r)?;
            db::add_feedback(c, &r.id, &uid, FeedbackKind::Interim, &sealed)?;
            if status.is_running() {
                let accepted = r.accepted_on.unwrap_or_else(dates::today);
                let next = next_feedback_moment(&agreements.rules, accepted, dates::today());
                db::set_due(c, &r.id, next)?;
            }
            audit::append(
                c,
                &AuditEvent {
                    object_id: Some(r.id.to_string()),
                    child_id: Some(r.child_id.to_string()),
                    ..e
                },
            )?;
            inform(
                c,
                &r,
                &agreements.rules,
                Step::Interim,
                &uid,
                "Er is tussentijdse terugkoppeling over een verwijzing.",
            )
        })
        .await?;
    mail_all(svc, mails, &rid);
    Ok(Ok(()))
}

/// The team refers on to a service of a provider: a new referral linked to the first,
/// with the same child, agreements and case director. The GP hears of it on the first.
pub async fn refer_on(
    svc: &Services,
    who: &impl Principal,
    parent: Referral,
    service_id: &str,
    reason: &str,
) -> Result<Checked<String>, Error> {
    let status = parent.status;
    if !receives_for(who.actor(), &parent.to_org_id) || !refers_for(who.actor(), &parent.to_org_id)
    {
        return Err(denied(svc, who, "referral_refer_on", &parent).await);
    }
    let sid = service_id.to_owned();
    let service = svc.db.read(move |c| service_with_kind(c, &sid)).await?;
    let mut errors = Vec::new();
    if !status.is_running() {
        errors.push(ValidationError::new(
            "aanbod",
            "Verwijs door nadat het team de verwijzing heeft geaccepteerd.",
        ));
    }
    let service = match service {
        Some((s, kind))
            if s.organisation_id != parent.to_org_id
                && kind == Some(OrganisationKind::Zorgaanbieder)
                && s.category == "specialistisch" =>
        {
            Some(s)
        }
        _ => {
            errors.push(ValidationError::new(
                "aanbod",
                "Kies specialistische hulp van een zorgaanbieder uit de sociale kaart.",
            ));
            None
        }
    };
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX {
        errors.push(ValidationError::new(
            "reden",
            "Beschrijf waarom u doorverwijst (hoogstens 4000 tekens).",
        ));
    }
    let (Some(service), true) = (service, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let reason_sealed = svc.secrets.seal(reason).map_err(Error::internal)?;
    let onward_text = svc
        .secrets
        .seal(&format!(
            "Het sociaal team heeft doorverwezen naar {} ({}). De casusregisseur blijft uw aanspreekpunt.",
            service.name, service.organisation_name
        ))
        .map_err(Error::internal)?;
    let e = access::event(
        who,
        "referral_refer_on",
        Resource::Referral {
            from: &parent.from_org_id,
            to: &parent.to_org_id,
        },
        "allowed",
    );
    let uid = who.actor().user_id.clone();
    let parent_id = parent.id.clone();
    let (id, mails, org_mail) = svc
        .db
        .write(move |c| {
            let agreements = applied_to(c, &parent)?;
            let urgency = parent.urgency;
            let due = workdays::add_working_days(
                dates::today(),
                agreements.rules.accept_days_for(urgency),
            );
            let id = db::create(
                c,
                &db::NewReferral {
                    child_id: &parent.child_id,
                    parent_id: Some(&parent.id),
                    consultation_id: None,
                    agreements_id: parent.agreements_id.as_deref(),
                    from_org_id: &parent.to_org_id,
                    referrer_id: &uid,
                    on_behalf_of_id: None,
                    to_org_id: &service.organisation_id,
                    service_id: Some(&service.id),
                    school_id: parent.school_id.as_deref(),
                    reason_sealed: &reason_sealed,
                    problem_areas: &parse_areas(&parent.problem_areas).join(","),
                    urgency,
                    status: Status::Requested,
                    case_director_id: parent.case_director_id.as_deref(),
                    due_on: Some(due),
                },
            )?;
            db::add_feedback(c, &parent.id, &uid, FeedbackKind::Onward, &onward_text)?;
            audit::append(
                c,
                &AuditEvent {
                    object_id: Some(id.clone()),
                    child_id: Some(parent.child_id.to_string()),
                    reason: Some(format!("doorverwezen vanuit {}", parent.id)),
                    ..e
                },
            )?;
            let mails = inform(
                c,
                &parent,
                &agreements.rules,
                Step::Onward,
                &uid,
                "Het sociaal team heeft een verwijzing doorverwezen naar specialistische hulp.",
            )?;
            let org_mail = announce(c, &id, &service.organisation_id)?;
            Ok((id, mails, org_mail))
        })
        .await?;
    // The parent's people hear of it on the parent, the one they can open.
    mail_all(svc, mails, &parent_id);
    mail_receivers(svc, org_mail, &id);
    Ok(Ok(id))
}

/// Changes the case director of a running referral (the team's own business).
pub async fn change_case_director(
    svc: &Services,
    who: &impl Principal,
    r: Referral,
    user_id: &str,
) -> Result<Checked<()>, Error> {
    if !receives_for(who.actor(), &r.to_org_id) {
        return Err(denied(svc, who, "referral_case_director", &r).await);
    }
    let team = r.to_org_id.clone();
    let directors = svc.db.read(move |c| case_directors_of(c, &team)).await?;
    let Some((new_id, name)) = directors.into_iter().find(|(id, _)| id == user_id) else {
        return Ok(Err(vec![ValidationError::new(
            "casusregisseur",
            "Kies een consulent of teamleider van het team.",
        )]));
    };
    if !Status::is_running(r.status) {
        return Ok(Err(vec![ValidationError::new(
            "casusregisseur",
            "Een casusregisseur wordt gekozen bij acceptatie en kan wisselen zolang de hulp loopt.",
        )]));
    }
    let e = access::event(
        who,
        "referral_case_director",
        Resource::Referral {
            from: &r.from_org_id,
            to: &r.to_org_id,
        },
        "allowed",
    );
    let uid = who.actor().user_id.clone();
    svc.db
        .write(move |c| {
            db::set_case_director(c, &r.id, &new_id)?;
            // Onward referrals follow: the case director stays one person.
            for o in db::onward_of(c, &r.id)? {
                if !Status::is_final(o.r.status) {
                    db::set_case_director(c, &o.r.id, &new_id)?;
                }
            }
            if new_id != uid {
                rondom_db::consultations::notify(
                    c,
                    &new_id,
                    "U bent casusregisseur van een verwijzing.",
                    &link(&r.id),
                )?;
            }
            audit::append(
                c,
                &AuditEvent {
                    object_id: Some(r.id.to_string()),
                    child_id: Some(r.child_id.to_string()),
                    reason: Some(format!("casusregisseur: {name}")),
                    ..e
                },
            )
        })
        .await?;
    Ok(Ok(()))
}

/// Checks and stores an attachment for a referral this person takes part in.
pub async fn attach(
    svc: &Services,
    who: &impl Principal,
    r: &Referral,
    file_name: &str,
    bytes: &[u8],
) -> Result<Checked<String>, Error> {
    let closed = || {
        vec![ValidationError::new(
            "bijlage",
            "Deze verwijzing is afgesloten: er kunnen geen bijlagen meer bij.",
        )]
    };
    if Status::is_final(r.status) {
        return Ok(Err(closed()));
    }
    let (name, media) = match check_file(file_name, bytes) {
        Ok(checked) => checked,
        Err(errors) => return Ok(Err(errors)),
    };
    if let Some(refused) = crate::scan::refusal(svc, "bijlage", bytes).await {
        return Ok(Err(vec![refused]));
    }
    let sealed = svc.secrets.seal_bytes(bytes).map_err(Error::internal)?;
    let size = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
    // File names often name the child.
    let name_sealed = svc.secrets.seal(&name).map_err(Error::internal)?;
    let e = access::event(
        who,
        "referral_attachment_add",
        Resource::Referral {
            from: &r.from_org_id,
            to: &r.to_org_id,
        },
        "allowed",
    );
    let (rid, child, uid) = (
        r.id.clone(),
        r.child_id.clone(),
        who.actor().user_id.clone(),
    );
    let id = svc
        .db
        .write(move |c| {
            // Checked again where it is written: a referral closed a moment ago takes
            // nothing more.
            let now = db::find(c, &rid)?.ok_or(rondom_db::DbError::NotFound)?;
            if Status::is_final(now.status) {
                return Ok(None);
            }
            let id = db::add_attachment(
                c,
                &db::NewAttachment {
                    referral_id: &rid,
                    file_name_sealed: &name_sealed,
                    media_type: media,
                    size_bytes: size,
                    content_sealed: &sealed,
                    uploaded_by: &uid,
                },
            )?;
            audit::append(
                c,
                &AuditEvent {
                    object_id: Some(rid.to_string()),
                    child_id: Some(child.to_string()),
                    reason: Some(format!("bijlage {id}")),
                    ..e
                },
            )?;
            Ok(Some(id))
        })
        .await?;
    Ok(id.ok_or_else(closed))
}

/// A file to attach, checked by its content: its name as shown (path and control
/// characters dropped, at most 120 characters) and its media type.
pub(crate) fn check_file(
    file_name: &str,
    bytes: &[u8],
) -> Result<(String, &'static str), Vec<ValidationError>> {
    let name: String = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    if bytes.is_empty() {
        return Err(vec![ValidationError::new("bijlage", "Kies een bestand.")]);
    }
    if bytes.len() > ATTACHMENT_MAX_BYTES {
        return Err(vec![ValidationError::new(
            "bijlage",
            "Het bestand is groter dan 5 MB.",
        )]);
    }
    let Some(media) = sniff_media_type(bytes) else {
        return Err(vec![ValidationError::new(
            "bijlage",
            "Alleen PDF-bestanden en afbeeldingen (PNG of JPEG) kunnen worden bijgevoegd; dit bestand is geen van beide.",
        )]);
    };
    let name = if name.trim().is_empty() {
        "bijlage".to_owned()
    } else {
        name
    };
    Ok((name, media))
}

/// An attachment as opened for a download.
pub struct AttachmentFile {
    pub file_name: String,
    /// One of the types `sniff_media_type` accepts.
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// Opens one attachment of a referral this person may read, after logging the look.
pub async fn open_attachment(
    svc: &Services,
    who: &impl Principal,
    r: &Referral,
    attachment_id: &str,
) -> Result<Disclosed<AttachmentFile>, Error> {
    if !super::may_read(who.actor(), r) {
        return Err(Error::NotFound);
    }
    let (rid, aid) = (r.id.clone(), attachment_id.to_owned());
    let (name_sealed, media_type, sealed) = svc
        .db
        .read(move |c| db::attachment(c, &rid, &aid))
        .await?
        .ok_or(Error::NotFound)?;
    let e = access::event(
        who,
        "referral_attachment_read",
        Resource::Referral {
            from: &r.from_org_id,
            to: &r.to_org_id,
        },
        "allowed",
    );
    access::record(
        svc,
        AuditEvent {
            object_id: Some(r.id.to_string()),
            child_id: Some(r.child_id.to_string()),
            reason: Some(format!("bijlage {attachment_id}")),
            ..e
        },
    )
    .await?;
    // Opened only once its look is logged.
    let bytes = svc.secrets.open_bytes(&sealed).map_err(Error::internal)?;
    let file_name = svc
        .secrets
        .open(&name_sealed)
        .unwrap_or_else(|_| "bijlage".into());
    Ok(Disclosed::logged(AttachmentFile {
        file_name,
        media_type,
        bytes,
    }))
}
