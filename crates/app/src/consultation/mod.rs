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

/// The social teams any of these asking organisations reach (id, name), each once.
pub async fn teams_of_practices(
    svc: &crate::Services,
    practice_ids: Vec<String>,
) -> Result<Vec<(String, String)>, crate::Error> {
    Ok(svc
        .db
        .read(move |c| {
            let mut all = Vec::new();
            for p in &practice_ids {
                all.extend(teams_reached_by(c, p)?);
            }
            all.sort();
            all.dedup();
            Ok(all)
        })
        .await?)
}

/// The social teams an asking organisation reaches on the overleglijn: a practice those
/// it is linked to (its consultant holds consultation hours there); a school or JGZ the
/// teams serving its municipality (seated there, or with it in their werkgebied).
pub(crate) fn teams_reached_by(
    c: &mut AnyConnection,
    org_id: &str,
) -> Result<Vec<(String, String)>, DbError> {
    let Some(org) = rondom_db::organisations::find(c, org_id)? else {
        return Ok(vec![]);
    };
    if org.kind == rondom_domain::OrganisationKind::Huisartsenpraktijk {
        return rondom_db::consultations::teams_of_practice(c, org_id);
    }
    let teams: Vec<_> = rondom_db::organisations::list(c)?
        .into_iter()
        .filter(|o| o.kind.is_social_team())
        .collect();
    let ids: Vec<String> = teams.iter().map(|t| t.id.to_string()).collect();
    let areas = rondom_db::directory::organisation_areas(c, Some(&ids))?;
    let mut out: Vec<(String, String)> = teams
        .into_iter()
        .filter(|t| {
            t.gemeente_code == org.gemeente_code
                || areas.iter().any(|(id, kind, code)| {
                    *id == t.id.as_str() && kind == "gemeente" && *code == org.gemeente_code
                })
        })
        .map(|t| (t.id.to_string(), t.name))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// The consultants of this team a question may be assigned to (id, name).
pub async fn colleagues(
    svc: &crate::Services,
    team_id: &str,
) -> Result<Vec<(String, String)>, crate::Error> {
    let team = team_id.to_owned();
    Ok(svc.db.read(move |c| consultants_of(c, &team)).await?)
}
