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
use rondom_domain::identifying::clues;
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, Resource, Role, workdays};

/// A question as asked; the same for the page and the API.
#[derive(Debug, Clone, Default)]
pub struct NewQuestion {
    /// When empty: the one practice the person asks for.
    pub practice: String,
    pub team: String,
    pub subject: String,
    pub question: String,
    /// The asker saw the warning that the text may identify a child, and confirms it
    /// does not.
    pub confirmed_anonymous: bool,
}

/// Checks and stores a new question to the team, for a person who may ask for the
/// practice. A text that may identify the child is refused with a warning until the
/// asker rewrites it or confirms; a BSN is refused always.
pub async fn create_question(
    svc: &Services,
    who: &impl Principal,
    q: &NewQuestion,
) -> Result<Checked<String>, Error> {
    let (practice, team, subject, question) = (&q.practice, &q.team, &q.subject, &q.question);
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
    let linked = svc.db.read(move |c| super::teams_reached_by(c, &p)).await?;
    let mut errors = Vec::new();
    if !linked.iter().any(|(id, _)| id == team) {
        errors.push(ValidationError::new(
            "team",
            "Kies een sociaal team dat u bereikt: het team van uw praktijk, of van uw gemeente.",
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
    if !q.confirmed_anonymous
        && let Some(warning) = identifying_warning(&[subject, question], dates::today())
    {
        errors.push(ValidationError::new("anoniem", warning));
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
    let (id, team_mail) = svc
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
            // The team hears of it in Rondom, and at its general address without content.
            for m in rondom_db::organisations::members(c, &team)? {
                if !m.disabled && matches!(m.role, Role::Consulent | Role::Teamleider) {
                    db::notify(
                        c,
                        &m.user_id,
                        "Er is een nieuwe overlegvraag voor uw team.",
                        &super::link(&id),
                    )?;
                }
            }
            let mail = rondom_db::organisations::find(c, &team)?.and_then(|o| o.email);
            Ok((id, mail))
        })
        .await?;
    if let Some(to) = team_mail.filter(|t| !t.is_empty()) {
        svc.mail_notice(
            to,
            "Nieuwe overlegvraag in Rondom",
            "Er is een nieuwe overlegvraag voor uw team.",
            "Bekijk haar in Rondom",
            &super::link(&id),
        );
    }
    Ok(Ok(id))
}

/// What the asker reads when the text may identify a child, or None.
fn identifying_warning(texts: &[&str], today: chrono::NaiveDate) -> Option<String> {
    let mut found: Vec<String> = Vec::new();
    for clue in texts.iter().flat_map(|t| clues(t, today)) {
        let d = clue.describe();
        if !found.contains(&d) {
            found.push(d);
        }
    }
    let list = match found.as_slice() {
        [] => return None,
        [one] => one.clone(),
        [rest @ .., last] => format!("{} en {last}", rest.join(", ")),
    };
    Some(format!(
        "Uw vraag lijkt iets te bevatten waaraan het kind te herkennen is: {list}. Een overlegvraag is anoniem. Haal dit weg, of bevestig dat het niet over het kind gaat."
    ))
}
