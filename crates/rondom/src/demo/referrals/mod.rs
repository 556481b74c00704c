//! A year of referrals in the demo municipality: from every practice to the social team
//! (and a few directly to specialised care), in every state, with feedback, case
//! directors, onward referrals to the providers, and some overdue. Also the municipality's
//! referral agreements in two versions. Everything about the children is fictional and
//! stored sealed like real data.

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rondom_db::organisations::{self as orgs, Organisation};
use rondom_db::referrals as db;
use rondom_db::{AnyConnection, DbError, users};
use rondom_domain::Role;
use rondom_domain::agreements::Agreements;
use rondom_domain::ids::{OrganisationId, ServiceId, UserId};
use rondom_domain::referral::{FeedbackKind, Status, Urgency};
use rondom_domain::workdays::add_working_days;

mod bulk;
pub use bulk::bulk;

pub struct Cast<'a> {
    pub gemeente_code: &'a str,
    pub gemeente: &'a Organisation,
    pub practices: &'a [Organisation],
    pub gps: &'a [String],
    pub consultants: &'a [String],
    pub team: &'a Organisation,
    pub providers: &'a [Organisation],
    pub schools: &'a [Organisation],
}

/// (problem areas, urgency, reason, help given, what next). Fictional, written for the demo.
const CASES: &[(&str, Urgency, &str, &str, &str)] = &[
    (
        "opvoeding,gedrag",
        Urgency::Regulier,
        "Ouders lopen vast in de opvoeding; veel conflicten thuis sinds de geboorte van een broertje. Ouders willen hulp.",
        "Zes gesprekken opvoedondersteuning thuis; ouders hanteren nu vaste afspraken en een beloningssysteem.",
        "Afgesloten; ouders weten het team te vinden als het opnieuw vastloopt.",
    ),
    (
        "psychisch,school",
        Urgency::Regulier,
        "Somberheid en terugtrekken, verzuim op school. Jongere wil zelf hulp. Gesprek gevoerd met ouders.",
        "Doorverwezen naar de jeugd-GGZ; twaalf behandelgesprekken, school begeleidt de terugkeer.",
        "Nacontrole bij de huisarts over drie maanden.",
    ),
    (
        "financien,opvoeding",
        Urgency::Regulier,
        "Gezin met schulden en veel stress; ouders vragen hulp bij geld en bij de opvoeding.",
        "Budgetcoaching gestart, schuldhulp aangevraagd; kinderen via het fonds op sport.",
        "Budgetcoach blijft betrokken tot de schuldregeling rond is.",
    ),
    (
        "ontwikkeling",
        Urgency::Regulier,
        "Vertraagde spraak-taalontwikkeling en onrust in de groep. Onderzoek gewenst.",
        "Onderzoek door de orthopedagoog; advies aan ouders en school over taalstimulering.",
        "School voert het handelingsplan uit; evaluatie over een half jaar.",
    ),
    (
        "veiligheid,opvoeding",
        Urgency::Spoed,
        "Zorgen over de veiligheid thuis na een melding van school. Overleg gehad met Veilig Thuis; snel contact nodig.",
        "Veiligheidsplan met ouders opgesteld; gezinsbegeleiding twee keer per week.",
        "Casusregisseur blijft betrokken; evaluatie met Veilig Thuis over zes weken.",
    ),
    (
        "gedrag,school",
        Urgency::Regulier,
        "Driftbuien thuis en op school, school overweegt schorsing. Ouders en school vragen samen om hulp.",
        "Gedragstraining voor het kind en oudergesprekken; school gebruikt dezelfde aanpak.",
        "Afgesloten; intern begeleider volgt de afspraken.",
    ),
    (
        "psychisch",
        Urgency::Spoed,
        "Ernstige angstklachten, kan niet meer naar school. Huisarts vraagt spoedbeoordeling.",
        "Spoedintake binnen een week, behandeling voor angst gestart.",
        "Behandeling loopt door bij de jeugd-GGZ.",
    ),
    (
        "sociaal,psychisch",
        Urgency::Regulier,
        "Eenzaam, weinig contact met leeftijdsgenoten, gepest. Ouders zoeken iets in de wijk.",
        "Aangemeld bij de meidengroep en het jongerenwerk; twee gesprekken met de consulent.",
        "Geen vervolg nodig.",
    ),
];

/// A BSN that passes the 11-check.
fn fake_bsn(rng: &mut ChaCha8Rng) -> String {
    loop {
        let mut d: Vec<i64> = (0..8).map(|_| rng.gen_range(0..10)).collect();
        d[0] = rng.gen_range(1..10);
        let s: i64 = d
            .iter()
            .zip([9i64, 8, 7, 6, 5, 4, 3, 2])
            .map(|(x, w)| x * w)
            .sum();
        let last = s % 11;
        if last < 10 {
            d.push(last);
            return d.iter().map(|x| x.to_string()).collect();
        }
    }
}

/// How far a demo referral got.
#[derive(Clone, Copy, PartialEq)]
enum Fate {
    Draft,
    Waiting,
    Seen,
    Accepted,
    Running,
    OnHold,
    RunningOnward,
    Completed,
    CompletedOnward,
    Rejected,
    Cancelled,
    Failed,
}

pub fn build(
    c: &mut AnyConnection,
    rng: &mut ChaCha8Rng,
    secrets: &rondom_app::secrets::SecretBox,
    cast: &Cast<'_>,
) -> Result<usize, DbError> {
    let seal = |text: &str| {
        secrets
            .seal(text)
            .map_err(|e| DbError::Unavailable(format!("sealing demo text: {e}")))
    };
    let today = rondom_app::dates::today();
    let now = rondom_db::now();
    let admin = orgs::members(c, &cast.gemeente.id)?
        .into_iter()
        .find(|m| m.role == Role::OrganisatieBeheerder)
        .map(|m| m.user_id)
        .ok_or(DbError::NotFound)?;

    // Two versions of the agreements: the first from a year and a half ago, the second
    // (shorter acceptance term, two feedback moments) from four months ago.
    let first = Agreements {
        accept_days: 10,
        feedback_days: vec![40],
        ..Agreements::default()
    };
    let second = Agreements {
        accept_days: 5,
        feedback_days: vec![20, 60],
        ..Agreements::default()
    };
    let second_from = today - chrono::Duration::days(120);
    let mut versions = Vec::new();
    for (rules, from, note) in [
        (
            &first,
            today - chrono::Duration::days(540),
            "Eerste afspraken uit het convenant huisartsen – sociaal team.",
        ),
        (
            &second,
            second_from,
            "Na evaluatie: sneller accepteren en twee vaste terugkoppelmomenten.",
        ),
    ] {
        let id = db::insert_agreements(
            c,
            &db::NewAgreements {
                gemeente_code: cast.gemeente_code,
                effective_from: from,
                rules,
                note: Some(note),
                created_by: &admin,
            },
        )?;
        versions.push((id, from, rules.clone()));
    }

    let provider_staff: Vec<Option<UserId>> = cast
        .providers
        .iter()
        .map(|p| {
            orgs::members(c, &p.id).map(|ms| {
                ms.into_iter()
                    .find(|m| m.role == Role::ZorgaanbiederMedewerker)
                    .map(|m| m.user_id)
            })
        })
        .collect::<Result<_, _>>()?;
    let specialised: Vec<(ServiceId, OrganisationId, String)> =
        rondom_db::directory::all_services(c)?
            .into_iter()
            .filter(|s| {
                s.category == "specialistisch"
                    && cast.providers.iter().any(|p| p.id == s.organisation_id)
            })
            .map(|s| (s.id, s.organisation_id, s.name))
            .collect();
    let fates = [
        Fate::Completed,
        Fate::CompletedOnward,
        Fate::Completed,
        Fate::Rejected,
        Fate::Completed,
        Fate::Cancelled,
        Fate::Failed,
        Fate::RunningOnward,
        Fate::Running,
        Fate::OnHold,
        Fate::Accepted,
        Fate::Seen,
        Fate::Waiting,
        Fate::Draft,
    ];
    let mut count = 0;
    for (i, practice) in cast.practices.iter().enumerate() {
        let (Some(gp), Some(consultant)) = (
            users::find_by_email(c, &cast.gps[i])?,
            users::find_by_email(c, &cast.consultants[i % cast.consultants.len()])?,
        ) else {
            continue;
        };
        for (k, fate) in fates.iter().enumerate() {
            let (areas, urgency, reason, help, next) = CASES[(i * 5 + k) % CASES.len()];
            // Spread over the year: the first fates oldest, the open ones recent.
            let days_ago: i64 = match fate {
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
            };
            let created_day = today - chrono::Duration::days(days_ago);
            let (agreements_id, _, rules) = versions
                .iter()
                .rev()
                .find(|(_, from, _)| *from <= created_day)
                .cloned()
                .unwrap_or_else(|| versions[0].clone());
            let direct = urgency == Urgency::Spoed && areas.starts_with("psychisch");
            let (to_org, service_id) = if direct && !specialised.is_empty() {
                let s = &specialised[k % specialised.len()];
                (s.1.clone(), Some(s.0.clone()))
            } else {
                (cast.team.id.clone(), None)
            };
            let first = crate::demo::FIRST.choose(rng).copied().unwrap_or("Noor");
            let last = crate::demo::LAST.choose(rng).copied().unwrap_or("Jansen");
            let birth = today - chrono::Duration::days(rng.gen_range(3 * 365..17 * 365));
            let bsn = rng.gen_bool(0.6).then(|| fake_bsn(rng));
            let child = db::create_child(
                c,
                &db::NewChild {
                    name_sealed: &seal(&format!("{first} {last}"))?,
                    birth_date: birth,
                    gemeente_code: cast.gemeente_code,
                    bsn_sealed: bsn.as_deref().map(seal).transpose()?.as_deref(),
                    created_by: &gp.id,
                },
            )?;
            let accept_days = if urgency == Urgency::Spoed {
                rules.urgent_accept_days
            } else {
                rules.accept_days
            };
            let due = (*fate != Fate::Draft).then(|| add_working_days(created_day, accept_days));
            let school = cast
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
                    from_org_id: &practice.id,
                    referrer_id: &gp.id,
                    on_behalf_of_id: None,
                    to_org_id: &to_org,
                    service_id: service_id.as_deref(),
                    school_id: school.as_deref(),
                    reason_sealed: &seal(reason)?,
                    problem_areas: areas,
                    urgency,
                    status: if *fate == Fate::Draft {
                        Status::Draft
                    } else {
                        Status::Requested
                    },
                    case_director_id: None,
                    due_on: due,
                },
            )?;
            count += 1;
            let to_team = service_id.is_none();
            let receiver = if to_team {
                consultant.id.clone()
            } else {
                cast.providers
                    .iter()
                    .position(|p| p.id == to_org)
                    .and_then(|p| provider_staff[p].clone())
                    .unwrap_or_else(|| consultant.id.clone())
            };
            let accepted_day = add_working_days(created_day, 2.min(accept_days.max(1)));
            let mut status = if *fate == Fate::Draft {
                Status::Draft
            } else {
                Status::Requested
            };
            let mut step = |c: &mut AnyConnection,
                            to: Status,
                            who: &str,
                            reason: Option<&str>,
                            due: Option<chrono::NaiveDate>,
                            accepted: bool|
             -> Result<(), DbError> {
                db::apply_move(
                    c,
                    &id,
                    &db::Move {
                        from: status,
                        to,
                        actor_id: who,
                        reason_sealed: reason.map(seal).transpose()?.as_deref(),
                        due_on: due,
                        accepted_on: accepted.then_some(accepted_day),
                        case_director_id: (accepted && to_team).then_some(consultant.id.as_str()),
                    },
                )?;
                status = to;
                Ok(())
            };
            let feedback_due = rules
                .feedback_days
                .iter()
                .map(|d| add_working_days(accepted_day, *d))
                .find(|d| *d > today)
                .or_else(|| {
                    rules
                        .feedback_days
                        .first()
                        .map(|d| add_working_days(accepted_day, *d))
                });
            let accepted_text = if to_team {
                format!(
                    "De verwijzing is geaccepteerd. Casusregisseur: {}.",
                    consultant.name
                )
            } else {
                "De verwijzing is geaccepteerd; de intake wordt gepland.".to_owned()
            };
            match fate {
                Fate::Draft | Fate::Waiting => {}
                Fate::Seen => step(c, Status::Received, &receiver, None, due, false)?,
                Fate::Rejected => {
                    let why = "Past niet bij ons aanbod: de hulpvraag is medisch. Advies: verwijzing naar de kinderarts.";
                    step(c, Status::Received, &receiver, None, due, false)?;
                    step(c, Status::Rejected, &receiver, Some(why), None, false)?;
                    db::add_feedback(
                        c,
                        &id,
                        &receiver,
                        FeedbackKind::Rejected,
                        &seal(&format!("Reden: {why}"))?,
                    )?;
                }

                Fate::Cancelled => {
                    let why = "Gezin is verhuisd naar een andere gemeente.";
                    step(c, Status::Cancelled, &gp.id, Some(why), None, false)?;
                    db::add_feedback(
                        c,
                        &id,
                        &gp.id,
                        FeedbackKind::Ended,
                        &seal(&format!("Reden: {why}"))?,
                    )?;
                }
                _ => {
                    step(c, Status::Received, &receiver, None, due, false)?;
                    step(c, Status::Accepted, &receiver, None, feedback_due, true)?;
                    db::add_feedback(
                        c,
                        &id,
                        &receiver,
                        FeedbackKind::Accepted,
                        &seal(&accepted_text)?,
                    )?;
                }
            }
            let onward = matches!(fate, Fate::RunningOnward | Fate::CompletedOnward)
                && to_team
                && !specialised.is_empty();
            if matches!(
                fate,
                Fate::Running
                    | Fate::OnHold
                    | Fate::RunningOnward
                    | Fate::Completed
                    | Fate::CompletedOnward
                    | Fate::Failed
            ) {
                step(c, Status::InProgress, &receiver, None, feedback_due, false)?;
            }
            if onward {
                let s = &specialised[(i + k) % specialised.len()];
                let staff = cast
                    .providers
                    .iter()
                    .position(|p| p.id == s.1)
                    .and_then(|p| provider_staff[p].clone());
                let o = db::create(
                    c,
                    &db::NewReferral {
                        child_id: &child,
                        parent_id: Some(&id),
                        consultation_id: None,
                        agreements_id: Some(&agreements_id),
                        from_org_id: &cast.team.id,
                        referrer_id: &consultant.id,
                        on_behalf_of_id: None,
                        to_org_id: &s.1,
                        service_id: Some(&s.0),
                        school_id: school.as_deref(),
                        reason_sealed: &seal(&format!("Doorverwijzing: {reason}"))?,
                        problem_areas: areas,
                        urgency,
                        status: Status::Requested,
                        case_director_id: Some(&consultant.id),
                        due_on: Some(add_working_days(accepted_day, 5)),
                    },
                )?;
                count += 1;
                db::add_feedback(
                    c,
                    &id,
                    &consultant.id,
                    FeedbackKind::Onward,
                    &seal(&format!(
                        "Het sociaal team heeft doorverwezen naar {}. De casusregisseur blijft uw aanspreekpunt.",
                        s.2
                    ))?,
                )?;
                if let Some(staff) = staff {
                    let mut st = Status::Requested;
                    for (to, accepted) in [
                        (Status::Received, false),
                        (Status::Accepted, true),
                        (Status::InProgress, false),
                    ] {
                        db::apply_move(
                            c,
                            &o,
                            &db::Move {
                                from: st,
                                to,
                                actor_id: &staff,
                                reason_sealed: None,
                                due_on: None,
                                accepted_on: accepted.then_some(accepted_day),
                                case_director_id: None,
                            },
                        )?;
                        st = to;
                    }
                    db::add_feedback(
                        c,
                        &o,
                        &staff,
                        FeedbackKind::Accepted,
                        &seal("De verwijzing is geaccepteerd; de intake is gepland.")?,
                    )?;
                    if *fate == Fate::CompletedOnward {
                        db::apply_move(
                            c,
                            &o,
                            &db::Move {
                                from: Status::InProgress,
                                to: Status::Completed,
                                actor_id: &staff,
                                reason_sealed: None,
                                due_on: None,
                                accepted_on: None,
                                case_director_id: None,
                            },
                        )?;
                        db::add_feedback(
                            c,
                            &o,
                            &staff,
                            FeedbackKind::Completed,
                            &seal(&format!(
                                "Gegeven hulp: {help}\nDoor: {}\nVervolg: {next}",
                                s.2
                            ))?,
                        )?;
                    }
                }
                let o_created = now - chrono::Duration::days(days_ago - 3);
                db::backdate(
                    c,
                    &o,
                    o_created,
                    o_created + chrono::Duration::days((days_ago - 4).max(1)),
                )?;
            }
            // Interim news, except where the demo shows a feedback moment missed.
            if matches!(fate, Fate::Running | Fate::RunningOnward) && days_ago > 40 && i != 3 {
                db::add_feedback(
                    c,
                    &id,
                    &consultant.id,
                    FeedbackKind::Interim,
                    &seal("Tussenstand: de gesprekken lopen goed, ouders doen actief mee.")?,
                )?;
            }
            match fate {
                Fate::Failed => {
                    let why = "Gezin is na herhaald contact niet bereikbaar gebleken; hulp niet op gang gekomen.";
                    step(c, Status::Failed, &receiver, Some(why), None, false)?;
                    db::add_feedback(
                        c,
                        &id,
                        &receiver,
                        FeedbackKind::Ended,
                        &seal(&format!("Reden: {why}"))?,
                    )?;
                }
                Fate::OnHold => step(
                    c,
                    Status::OnHold,
                    &receiver,
                    Some("Gezin is zes weken op familiebezoek in het buitenland."),
                    feedback_due,
                    false,
                )?,
                Fate::Completed | Fate::CompletedOnward => {
                    step(c, Status::Completed, &receiver, None, None, false)?;
                    let by = if to_team {
                        format!("{} ({})", consultant.name, cast.team.name)
                    } else {
                        "de behandelaar van de aanbieder".to_owned()
                    };
                    db::add_feedback(
                        c,
                        &id,
                        &receiver,
                        FeedbackKind::Completed,
                        &seal(&format!(
                            "Gegeven hulp: {help}\nDoor: {by}\nVervolg: {next}"
                        ))?,
                    )?;
                }
                _ => {}
            }
            let created = now
                - chrono::Duration::days(days_ago)
                - chrono::Duration::hours(rng.gen_range(1..6));
            let updated = match fate {
                Fate::Draft | Fate::Waiting => created,
                Fate::Completed | Fate::CompletedOnward => {
                    created + chrono::Duration::days((days_ago - 5).max(1))
                }
                _ => created + chrono::Duration::days((days_ago / 2).max(1)),
            };
            db::backdate(c, &id, created, updated.min(now))?;
        }
    }
    Ok(count)
}
