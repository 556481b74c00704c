//! The demo referrals one by one: each sent from a practice, answered, helped along or
//! ended according to its fate, with the feedback the practice gets back and, for some,
//! an onward referral to specialised care. The steps run in a fixed order because the
//! seeded generator's draws, and so the demo data, follow it.

use super::{CASES, Fate, Scene, fake_bsn};
use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rondom_db::organisations::Organisation;
use rondom_db::referrals as db;
use rondom_db::users::User;
use rondom_db::{AnyConnection, DbError};
use rondom_domain::agreements::Agreements;
use rondom_domain::ids::{OrganisationId, UserId};
use rondom_domain::referral::{FeedbackKind, Status, Urgency};
use rondom_domain::workdays::add_working_days;

/// A practice with the GP who refers from it and the team consultant who takes its
/// referrals on.
pub(super) struct Practice<'a> {
    /// Its place in `cast.practices`; some stories single out one practice.
    pub(super) index: usize,
    pub(super) org: &'a Organisation,
    pub(super) gp: &'a User,
    pub(super) consultant: &'a User,
}

/// One referral as sent: what its later steps need.
struct Story<'a> {
    practice: &'a Practice<'a>,
    /// Its place in `FATES`.
    k: usize,
    fate: Fate,
    areas: &'static str,
    urgency: Urgency,
    reason: &'static str,
    help: &'static str,
    next: &'static str,
    days_ago: i64,
    agreements_id: String,
    child: String,
    school: Option<OrganisationId>,
    id: String,
    to_team: bool,
    receiver: UserId,
    accepted_day: NaiveDate,
    due: Option<NaiveDate>,
    feedback_due: Option<NaiveDate>,
}

/// Moves one referral through its states; a move must start from the current one.
struct Mover<'a> {
    scene: &'a Scene<'a>,
    story: &'a Story<'a>,
    status: Status,
}

impl Mover<'_> {
    fn step(
        &mut self,
        c: &mut AnyConnection,
        to: Status,
        who: &str,
        reason: Option<&str>,
        due: Option<NaiveDate>,
        accepted: bool,
    ) -> Result<(), DbError> {
        let s = self.story;
        db::apply_move(
            c,
            &s.id,
            &db::Move {
                from: self.status,
                to,
                actor_id: who,
                reason_sealed: reason.map(|r| self.scene.seal(r)).transpose()?.as_deref(),
                due_on: due,
                accepted_on: accepted.then_some(s.accepted_day),
                case_director_id: (accepted && s.to_team)
                    .then_some(s.practice.consultant.id.as_str()),
            },
        )?;
        self.status = to;
        Ok(())
    }
}

/// Writes the referral of `practice` that meets `fate`, with all that happened to it;
/// answers how many referrals that made (an onward one counts too).
pub(super) fn tell(
    c: &mut AnyConnection,
    rng: &mut ChaCha8Rng,
    scene: &Scene<'_>,
    practice: &Practice<'_>,
    k: usize,
    fate: Fate,
) -> Result<usize, DbError> {
    let story = send(c, rng, scene, practice, k, fate)?;
    let mut count = 1;
    let mut mover = Mover {
        scene,
        story: &story,
        status: initial_status(fate),
    };
    answer(c, &mut mover)?;
    let onward = matches!(fate, Fate::RunningOnward | Fate::CompletedOnward)
        && story.to_team
        && !scene.specialised.is_empty();
    if matches!(
        fate,
        Fate::Running
            | Fate::OnHold
            | Fate::RunningOnward
            | Fate::Completed
            | Fate::CompletedOnward
            | Fate::Failed
    ) {
        mover.step(
            c,
            Status::InProgress,
            &story.receiver,
            None,
            story.feedback_due,
            false,
        )?;
    }
    if onward {
        refer_onward(c, scene, &story)?;
        count += 1;
    }
    interim_feedback(c, scene, &story)?;
    close(c, &mut mover)?;
    backdate(c, rng, scene, &story)?;
    Ok(count)
}

fn initial_status(fate: Fate) -> Status {
    if fate == Fate::Draft {
        Status::Draft
    } else {
        Status::Requested
    }
}

/// Creates the child and its referral from the practice.
fn send<'a>(
    c: &mut AnyConnection,
    rng: &mut ChaCha8Rng,
    scene: &Scene<'_>,
    practice: &'a Practice<'a>,
    k: usize,
    fate: Fate,
) -> Result<Story<'a>, DbError> {
    let (areas, urgency, reason, help, next) = CASES[(practice.index * 5 + k) % CASES.len()];
    let days_ago = sent_days_ago(rng, fate, practice.index, k);
    let created_day = scene.today - chrono::Duration::days(days_ago);
    let (agreements_id, _, rules) = scene.agreements_on(created_day);
    let (to_org, service_id) = scene.destination(urgency, areas, k);
    let child = create_child(c, rng, scene, &practice.gp.id)?;
    let accept_days = if urgency == Urgency::Spoed {
        rules.urgent_accept_days
    } else {
        rules.accept_days
    };
    let due = (fate != Fate::Draft).then(|| add_working_days(created_day, accept_days));
    let school = scene
        .cast
        .schools
        .get(k % 3)
        .filter(|_| areas.contains("school"))
        .map(|s| s.id.clone());
    let id = db::create(
        c,
        &db::NewReferral {
            child_id: &child,
            parent_id: None,
            consultation_id: None,
            agreements_id: Some(&agreements_id),
            from_org_id: &practice.org.id,
            referrer_id: &practice.gp.id,
            on_behalf_of_id: None,
            to_org_id: &to_org,
            service_id: service_id.as_deref(),
            school_id: school.as_deref(),
            reason_sealed: &scene.seal(reason)?,
            problem_areas: areas,
            urgency,
            status: initial_status(fate),
            case_director_id: None,
            due_on: due,
        },
    )?;
    let to_team = service_id.is_none();
    let receiver = if to_team {
        practice.consultant.id.clone()
    } else {
        scene
            .staff_of(&to_org)
            .unwrap_or_else(|| practice.consultant.id.clone())
    };
    let accepted_day = add_working_days(created_day, 2.min(accept_days.max(1)));
    Ok(Story {
        practice,
        k,
        fate,
        areas,
        urgency,
        reason,
        help,
        next,
        days_ago,
        agreements_id,
        child,
        school,
        id,
        to_team,
        receiver,
        accepted_day,
        due,
        feedback_due: feedback_due(&rules, accepted_day, scene.today),
    })
}

/// How long ago the referral of practice `i` with fate number `k` was sent.
fn sent_days_ago(rng: &mut ChaCha8Rng, fate: Fate, i: usize, k: usize) -> i64 {
    // Spread over the year: the first fates oldest, the open ones recent.
    match fate {
        Fate::Draft => 0,
        Fate::Waiting => {
            if i == 1 {
                // Overdue: sent three weeks ago and never opened.
                21
            } else {
                1
            }
        }
        Fate::Seen => 3,
        Fate::Accepted => 12,
        Fate::Running | Fate::OnHold | Fate::RunningOnward => {
            if i == 3 {
                // Overdue feedback moment.
                110
            } else {
                30 + rng.gen_range(0..20)
            }
        }
        _ => 60 + (k as i64) * 25 + rng.gen_range(0..15),
    }
}

/// A fictional child, stored sealed like a real one.
fn create_child(
    c: &mut AnyConnection,
    rng: &mut ChaCha8Rng,
    scene: &Scene<'_>,
    gp: &str,
) -> Result<String, DbError> {
    let first = crate::demo::FIRST.choose(rng).copied().unwrap_or("Noor");
    let last = crate::demo::LAST.choose(rng).copied().unwrap_or("Jansen");
    let birth = scene.today - chrono::Duration::days(rng.gen_range(3 * 365..17 * 365));
    let bsn = rng.gen_bool(0.6).then(|| fake_bsn(rng));
    db::create_child(
        c,
        &db::NewChild {
            name_sealed: &scene.seal(&format!("{first} {last}"))?,
            birth_date: birth,
            gemeente_code: scene.cast.gemeente_code,
            // A district from the birth day (no draw: the demo's draws stay as they were).
            wijk_code: Some(
                crate::demo::world::DISTRICTS[usize::try_from(birth.ordinal()).unwrap_or(0)
                    % crate::demo::world::DISTRICTS.len()]
                .0,
            ),
            bsn_sealed: bsn
                .as_deref()
                .map(|b| scene.seal(b))
                .transpose()?
                .as_deref(),
            created_by: gp,
            // The demo's children are not recognised across referrals.
            match_bsn: None,
            match_name: None,
        },
    )
}

/// The first feedback moment still ahead; when all have passed, the first one, so the
/// referral shows as overdue.
fn feedback_due(
    rules: &Agreements,
    accepted_day: NaiveDate,
    today: NaiveDate,
) -> Option<NaiveDate> {
    rules
        .feedback_days
        .iter()
        .map(|d| add_working_days(accepted_day, *d))
        .find(|d| *d > today)
        .or_else(|| {
            rules
                .feedback_days
                .first()
                .map(|d| add_working_days(accepted_day, *d))
        })
}

/// The first answer to the referral (or its cancellation by the GP), with feedback.
fn answer(c: &mut AnyConnection, m: &mut Mover<'_>) -> Result<(), DbError> {
    let (scene, s) = (m.scene, m.story);
    let (gp, consultant) = (s.practice.gp, s.practice.consultant);
    let accepted_text = if s.to_team {
        format!(
            "De verwijzing is geaccepteerd. Casusregisseur: {}.",
            consultant.name
        )
    } else {
        "De verwijzing is geaccepteerd; de intake wordt gepland.".to_owned()
    };
    match s.fate {
        Fate::Draft | Fate::Waiting => {}
        Fate::Seen => m.step(c, Status::Received, &s.receiver, None, s.due, false)?,
        Fate::Rejected => {
            let why = "Past niet bij ons aanbod: de hulpvraag is medisch. Advies: verwijzing naar de kinderarts.";
            m.step(c, Status::Received, &s.receiver, None, s.due, false)?;
            m.step(c, Status::Rejected, &s.receiver, Some(why), None, false)?;
            db::add_feedback(
                c,
                &s.id,
                &s.receiver,
                FeedbackKind::Rejected,
                &scene.seal(&format!("Reden: {why}"))?,
            )?;
        }
        Fate::Cancelled => {
            let why = "Gezin is verhuisd naar een andere gemeente.";
            m.step(c, Status::Cancelled, &gp.id, Some(why), None, false)?;
            db::add_feedback(
                c,
                &s.id,
                &gp.id,
                FeedbackKind::Ended,
                &scene.seal(&format!("Reden: {why}"))?,
            )?;
        }
        _ => {
            m.step(c, Status::Received, &s.receiver, None, s.due, false)?;
            m.step(c, Status::Accepted, &s.receiver, None, s.feedback_due, true)?;
            db::add_feedback(
                c,
                &s.id,
                &s.receiver,
                FeedbackKind::Accepted,
                &scene.seal(&accepted_text)?,
            )?;
        }
    }
    Ok(())
}

/// The team refers the child on to specialised care and tells the GP; the consultant
/// stays case director.
fn refer_onward(
    c: &mut AnyConnection,
    scene: &Scene<'_>,
    story: &Story<'_>,
) -> Result<(), DbError> {
    let (consultant, reason, days_ago) = (story.practice.consultant, story.reason, story.days_ago);
    let s = &scene.specialised[(story.practice.index + story.k) % scene.specialised.len()];
    let staff = scene.staff_of(&s.1);
    let o = db::create(
        c,
        &db::NewReferral {
            child_id: &story.child,
            parent_id: Some(&story.id),
            consultation_id: None,
            agreements_id: Some(&story.agreements_id),
            from_org_id: &scene.cast.team.id,
            referrer_id: &consultant.id,
            on_behalf_of_id: None,
            to_org_id: &s.1,
            service_id: Some(&s.0),
            school_id: story.school.as_deref(),
            reason_sealed: &scene.seal(&format!("Doorverwijzing: {reason}"))?,
            problem_areas: story.areas,
            urgency: story.urgency,
            status: Status::Requested,
            case_director_id: Some(&consultant.id),
            due_on: Some(add_working_days(story.accepted_day, 5)),
        },
    )?;
    db::add_feedback(
        c,
        &story.id,
        &consultant.id,
        FeedbackKind::Onward,
        &scene.seal(&format!(
            "Het sociaal team heeft doorverwezen naar {}. De casusregisseur blijft uw aanspreekpunt.",
            s.2
        ))?,
    )?;
    if let Some(staff) = staff {
        provider_takes_on(c, scene, story, &o, &staff, &s.2)?;
    }
    let o_created = scene.now - chrono::Duration::days(days_ago - 3);
    db::backdate(
        c,
        &o,
        o_created,
        o_created + chrono::Duration::days((days_ago - 4).max(1)),
    )
}

/// The provider's `staff` accept and start the onward referral `o`, and finish it when
/// the story ends completed.
fn provider_takes_on(
    c: &mut AnyConnection,
    scene: &Scene<'_>,
    story: &Story<'_>,
    o: &str,
    staff: &str,
    service: &str,
) -> Result<(), DbError> {
    let (help, next) = (story.help, story.next);
    let mut st = Status::Requested;
    for (to, accepted) in [
        (Status::Received, false),
        (Status::Accepted, true),
        (Status::InProgress, false),
    ] {
        db::apply_move(
            c,
            o,
            &db::Move {
                from: st,
                to,
                actor_id: staff,
                reason_sealed: None,
                due_on: None,
                accepted_on: accepted.then_some(story.accepted_day),
                case_director_id: None,
            },
        )?;
        st = to;
    }
    db::add_feedback(
        c,
        o,
        staff,
        FeedbackKind::Accepted,
        &scene.seal("De verwijzing is geaccepteerd; de intake is gepland.")?,
    )?;
    if story.fate == Fate::CompletedOnward {
        db::apply_move(
            c,
            o,
            &db::Move {
                from: Status::InProgress,
                to: Status::Completed,
                actor_id: staff,
                reason_sealed: None,
                due_on: None,
                accepted_on: None,
                case_director_id: None,
            },
        )?;
        let outcome = format!("Gegeven hulp: {help}\nDoor: {service}\nVervolg: {next}");
        db::add_feedback(c, o, staff, FeedbackKind::Completed, &scene.seal(&outcome)?)?;
        // The demo municipality's verwijskader sends the outcome on to the GP at once.
        db::add_forwarded_outcome(
            c,
            &story.id,
            staff,
            &scene.seal(&rondom_app::referral::onward_outcome_text(
                service, &outcome,
            ))?,
            o,
        )?;
    }
    Ok(())
}

/// Interim news, except where the demo shows a feedback moment missed.
fn interim_feedback(
    c: &mut AnyConnection,
    scene: &Scene<'_>,
    story: &Story<'_>,
) -> Result<(), DbError> {
    if matches!(story.fate, Fate::Running | Fate::RunningOnward)
        && story.days_ago > 40
        && story.practice.index != 3
    {
        db::add_feedback(
            c,
            &story.id,
            &story.practice.consultant.id,
            FeedbackKind::Interim,
            &scene.seal("Tussenstand: de gesprekken lopen goed, ouders doen actief mee.")?,
        )?;
    }
    Ok(())
}

/// How the help ended or paused, with the feedback the GP gets.
fn close(c: &mut AnyConnection, m: &mut Mover<'_>) -> Result<(), DbError> {
    let (scene, s) = (m.scene, m.story);
    let (consultant, help, next) = (s.practice.consultant, s.help, s.next);
    match s.fate {
        Fate::Failed => {
            let why =
                "Gezin is na herhaald contact niet bereikbaar gebleken; hulp niet op gang gekomen.";
            m.step(c, Status::Failed, &s.receiver, Some(why), None, false)?;
            db::add_feedback(
                c,
                &s.id,
                &s.receiver,
                FeedbackKind::Ended,
                &scene.seal(&format!("Reden: {why}"))?,
            )?;
        }
        Fate::OnHold => m.step(
            c,
            Status::OnHold,
            &s.receiver,
            Some("Gezin is zes weken op familiebezoek in het buitenland."),
            s.feedback_due,
            false,
        )?,
        Fate::Completed | Fate::CompletedOnward => {
            m.step(c, Status::Completed, &s.receiver, None, None, false)?;
            let by = if s.to_team {
                format!("{} ({})", consultant.name, scene.cast.team.name)
            } else {
                "de behandelaar van de aanbieder".to_owned()
            };
            db::add_feedback(
                c,
                &s.id,
                &s.receiver,
                FeedbackKind::Completed,
                &scene.seal(&format!(
                    "Gegeven hulp: {help}\nDoor: {by}\nVervolg: {next}"
                ))?,
            )?;
        }
        _ => {}
    }
    Ok(())
}

/// Dates the referral back to when its story says it was sent and last changed.
fn backdate(
    c: &mut AnyConnection,
    rng: &mut ChaCha8Rng,
    scene: &Scene<'_>,
    story: &Story<'_>,
) -> Result<(), DbError> {
    let (now, days_ago) = (scene.now, story.days_ago);
    let created =
        now - chrono::Duration::days(days_ago) - chrono::Duration::hours(rng.gen_range(1..6));
    let updated = match story.fate {
        Fate::Draft | Fate::Waiting => created,
        Fate::Completed | Fate::CompletedOnward => {
            created + chrono::Duration::days((days_ago - 5).max(1))
        }
        _ => created + chrono::Duration::days((days_ago / 2).max(1)),
    };
    db::backdate(c, &story.id, created, updated.min(now))
}
