//! Consultation (overleg): a GP or POH asks the social team linked to the practice a
//! question without naming the child; the team picks it up and answers in a thread
//! within the term the municipality's referral agreements set; the asker is told that an
//! answer waits, in Rondom and by an e-mail that carries no content. Subjects and
//! messages are stored encrypted; every look at a thread is audit-logged.
//!
//! `ask` stores a new question, `read` is the one way to a thread's contents (audited),
//! `work` holds what the team and the asker do with it (pick up, hand over, answer,
//! close).

pub mod ask;
pub mod read;
pub mod work;

pub use ask::{NewQuestion, create_question};
pub use read::{Listed, Message, Thread, list, load, open};
pub use rondom_db::consultations::Consultation;
pub use work::{assign, close, pick_up, write};

use rondom_db::{AnyConnection, DbError};
use rondom_domain::{Action, Actor, Resource, Role, authorize};

/// Said when a text looks like it names a child by BSN.
pub const BSN_REFUSED: &str =
    "Dit lijkt een BSN. Een overlegvraag is anoniem: laat het BSN en de naam van het kind weg.";

/// The practices on whose behalf this actor asks.
pub fn practices_asking(actor: &Actor) -> Vec<String> {
    rondom_domain::policy::organisations_where(actor, rondom_domain::policy::asks_for)
}

/// The social teams whose questions this actor answers.
pub fn teams_answered_by(actor: &Actor) -> Vec<String> {
    rondom_domain::policy::organisations_where(actor, rondom_domain::policy::answers_for)
}

/// Where a consultation is read.
pub fn link(id: &str) -> String {
    format!("/overleg/{id}")
}

/// Whether this person answers for the consultation's team.
pub fn answers(actor: &Actor, c: &Consultation) -> bool {
    authorize(actor, Action::Read, Resource::ConsultationQueue(&c.team_id)).is_allowed()
}

/// Whether this person may turn the question into a referral (the asking side).
pub fn may_refer(actor: &Actor, c: &Consultation) -> bool {
    authorize(
        actor,
        Action::Create,
        Resource::ReferralFrom(&c.practice_id),
    )
    .is_allowed()
}

/// The consultants of a team (those who pick up questions): (id, name).
pub(crate) fn consultants_of(
    conn: &mut AnyConnection,
    team_id: &str,
) -> Result<Vec<(String, String)>, DbError> {
    Ok(rondom_db::organisations::members(conn, team_id)?
        .into_iter()
        .filter(|m| m.role == Role::Consulent && !m.disabled)
        .map(|m| (m.user_id.into(), m.name))
        .collect())
}

fn resource(c: &Consultation) -> Resource<'_> {
    Resource::Consultation {
        practice: &c.practice_id,
        team: &c.team_id,
    }
}

/// The social teams linked to any of these practices (id, name), each once, by name.
pub async fn teams_of_practices(
    svc: &crate::Services,
    practice_ids: Vec<String>,
) -> Result<Vec<(String, String)>, crate::Error> {
    Ok(svc
        .db
        .read(move |c| {
            let mut all = Vec::new();
            for p in &practice_ids {
                all.extend(rondom_db::consultations::teams_of_practice(c, p)?);
            }
            all.sort();
            all.dedup();
            Ok(all)
        })
        .await?)
}

/// The consultants of this team a question may be assigned to (id, name).
pub async fn colleagues(
    svc: &crate::Services,
    team_id: &str,
) -> Result<Vec<(String, String)>, crate::Error> {
    let team = team_id.to_owned();
    Ok(svc.db.read(move |c| consultants_of(c, &team)).await?)
}
