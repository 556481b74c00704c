//! Asking: a new anonymous question to the linked social team, checked whole (no BSN)
//! and stored with its audit entry in one transaction.

use super::BSN_REFUSED;
use crate::access;
use crate::context::{Principal, Services};
use crate::dates;
use crate::error::{Checked, Error};
use rondom_db::audit::{self, AuditEvent};
use rondom_db::consultations::{self as db, NewConsultation};
use rondom_domain::consultation::contains_bsn;
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, Resource, workdays};

/// Checks and stores a new question from `practice` (when empty: the one practice the
/// person asks for) to `team`, for a person who may ask for that practice.
pub async fn create_question(
    svc: &Services,
    who: &impl Principal,
    practice: &str,
    team: &str,
    subject: &str,
    question: &str,
) -> Result<Checked<String>, Error> {
    let practice = if practice.trim().is_empty() {
        match super::practices_asking(who.actor()).as_slice() {
            [only] => only.clone(),
            _ => {
                return Ok(Err(vec![ValidationError::new(
                    "praktijk",
                    "Kies namens welke praktijk u vraagt.",
                )]));
            }
        }
    } else {
        practice.to_owned()
    };
    let practice = practice.as_str();
    access::require(
        svc,
        who,
        Action::Create,
        Resource::ConsultationFrom(practice),
    )
    .await?;
    let asker_id = who.actor().user_id.as_str();
    let p = practice.to_owned();
    let linked = svc.db.read(move |c| db::teams_of_practice(c, &p)).await?;
    let mut errors = Vec::new();
    if !linked.iter().any(|(id, _)| id == team) {
        errors.push(ValidationError::new(
            "team",
            "Kies het sociaal team dat aan uw praktijk gekoppeld is.",
        ));
    }
    let subject = subject.trim();
    if subject.is_empty() || subject.chars().count() > 120 {
        errors.push(ValidationError::new(
            "onderwerp",
            "Geef de vraag een kort onderwerp (hoogstens 120 tekens), zonder naam.",
        ));
    }
    let question = question.trim();
    if question.is_empty() || question.chars().count() > 4000 {
        errors.push(ValidationError::new(
            "vraag",
            "Schrijf uw vraag (hoogstens 4000 tekens).",
        ));
    }
    if contains_bsn(subject) {
        errors.push(ValidationError::new("onderwerp", BSN_REFUSED));
    }
    if contains_bsn(question) {
        errors.push(ValidationError::new("vraag", BSN_REFUSED));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let subject_sealed = svc.secrets.seal(subject).map_err(Error::internal)?;
    let question_sealed = svc.secrets.seal(question).map_err(Error::internal)?;
    // The term is the one the municipality's referral agreements set.
    let p = practice.to_owned();
    let term = svc
        .db
        .read(move |c| {
            let gemeente = rondom_db::organisations::find(c, &p)?
                .map(|o| o.gemeente_code)
                .unwrap_or_default();
            crate::referral::in_force(c, &gemeente, dates::today())
        })
        .await?
        .rules
        .consultation_days;
    let due = workdays::add_working_days(dates::today(), term);
    let event = access::event(
        who,
        "consultation_create",
        Resource::ConsultationFrom(practice),
        "allowed",
    );
    let (practice, team, asker) = (practice.to_owned(), team.to_owned(), asker_id.to_owned());
    let id = svc
        .db
        .write(move |c| {
            let id = db::create(
                c,
                &NewConsultation {
                    practice_id: &practice,
                    team_id: &team,
                    asker_id: &asker,
                    subject_sealed: &subject_sealed,
                    question_sealed: &question_sealed,
                    due_on: due,
                },
            )?;
            audit::append(
                c,
                &AuditEvent {
                    object_type: "consultation".into(),
                    object_id: Some(id.clone()),
                    ..event
                },
            )?;
            Ok(id)
        })
        .await?;
    Ok(Ok(id))
}
