//! A year of consultation questions from every practice to its consultant: most
//! answered and closed, some waiting, one overdue.

use super::data::*;
use super::world::{Organisations, Staff, World};
use rand::Rng;
use rondom_app::secrets::SecretBox;
use rondom_db::{AnyConnection, DbError, users};

pub(super) fn build(
    c: &mut AnyConnection,
    w: &mut World,
    secrets: &SecretBox,
    o: &Organisations,
    staff: &Staff,
) -> Result<(), DbError> {
    let (team, practice_orgs) = (&o.team, &o.practices);
    let (gps, consultants) = (&staff.gps, &staff.consultants);
    let now = rondom_db::now();
    let seal = |text: &str| {
        secrets
            .seal(text)
            .map_err(|e| DbError::Unavailable(format!("sealing demo text: {e}")))
    };
    for (i, practice) in practice_orgs.iter().enumerate() {
        let (Some(gp), Some(consultant)) = (
            users::find_by_email(c, &gps[i])?,
            users::find_by_email(c, &consultants[i])?,
        ) else {
            continue;
        };
        for k in 0..8 {
            let (subject, question, answer) = QUESTIONS[(i * 3 + k) % QUESTIONS.len()];
            // Oldest first: k = 7 was asked w.today, k = 0 about half a year ago.
            let days_ago = if k == 7 {
                0
            } else {
                (7 - k as i64) * 48 + w.g.rng.gen_range(0..10)
            };
            let created = now
                - chrono::Duration::days(days_ago)
                - chrono::Duration::hours(w.g.rng.gen_range(1..6));
            let asked_on = rondom_app::dates::to_local(created).date();
            let due = rondom_domain::workdays::add_working_days(asked_on, 2);
            let id = rondom_db::consultations::create(
                c,
                &rondom_db::consultations::NewConsultation {
                    practice_id: &practice.id,
                    team_id: &team.id,
                    asker_id: &gp.id,
                    subject_sealed: &seal(subject)?,
                    question_sealed: &seal(question)?,
                    due_on: due,
                },
            )?;
            // The newest waits; the one before is overdue in one practice; the rest are
            // answered, the older ones closed.
            let answered = match k {
                7 => None,
                6 if i == 2 => None,
                _ => Some(created + chrono::Duration::hours(w.g.rng.gen_range(3..40))),
            };
            match (k, answered) {
                (7, _) => {}
                (_, None) => {
                    rondom_db::consultations::set_status(
                        c,
                        &id,
                        rondom_domain::consultation::Status::PickedUp,
                        Some(&consultant.id),
                        false,
                    )?;
                }
                (_, Some(_)) => {
                    rondom_db::consultations::add_message(c, &id, &consultant.id, &seal(answer)?)?;
                    let status = if k < 5 {
                        rondom_domain::consultation::Status::Closed
                    } else {
                        rondom_domain::consultation::Status::Answered
                    };
                    rondom_db::consultations::set_status(
                        c,
                        &id,
                        status,
                        Some(&consultant.id),
                        true,
                    )?;
                }
            }
            rondom_db::consultations::backdate(c, &id, created, answered)?;
        }
    }
    Ok(())
}
