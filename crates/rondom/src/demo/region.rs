//! The region generator (`rondom demo --region`): ten fictional municipalities with
//! about 1,000,000 inhabitants (about 230,000 youth), 400 general practices, ten social
//! teams, 200 providers and five years of consultations and referrals at Dutch rates,
//! from a fixed seed, so that stuurinformatie has figures that look like real ones and
//! its load test a realistic volume. The municipalities differ on purpose: in some the
//! GPs bring nearly everything to the team first, in others almost nothing (the seeds'
//! West Betuwe against Zaltbommel).
//!
//! Rates used (see docs/STUURINFORMATIE.md): youth 23% of inhabitants; new trajectories
//! about 5.2% of youth a year, which with help lasting nine months on average (and a
//! third of the team's cases referred on) gives the ~11% of youth with help in a year CBS
//! reports (85098NED); durations drawn from CBS's distribution of ended trajectories
//! (2021).

use super::{DEMO_PASSWORD, FIRST, LAST};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rand::Rng;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rondom_db::organisations::{self as orgs, District, OrganisationInput};
use rondom_db::referrals::{self as refs, EventRow, FeedbackRow};
use rondom_db::{AnyConnection, Db, DbError, new_id};
use rondom_domain::OrganisationKind as Kind;
use rondom_domain::catalogue::PROBLEM_AREAS;
use rondom_domain::ids::{ChildId, ConsultationId, OrganisationId, ReferralId, UserId};
use rondom_domain::referral::{FeedbackKind, Status, Urgency};

const SEED: u64 = 20_261_205;
const YEARS: i64 = 5;
/// Inhabitants per municipality (together 1,000,000) and the share of GP referrals
/// that goes to the social team first.
const MUNICIPALITIES: [(&str, u32, f64); 10] = [
    ("Noorderveld", 180_000, 0.55),
    ("Zuiderwaard", 150_000, 0.15),
    ("Oosterbroek", 130_000, 0.70),
    ("Westerkamp", 110_000, 0.35),
    ("Middelburcht", 100_000, 0.05),
    ("Heuvelrand", 90_000, 0.60),
    ("Polderzicht", 80_000, 0.45),
    ("Rivierhof", 65_000, 0.25),
    ("Bosmeer", 55_000, 0.80),
    ("Duinkant", 40_000, 0.40),
];
const YOUTH_SHARE: f64 = 0.23;
const NEW_PER_YOUTH_YEAR: f64 = 0.052;
/// CBS, ended trajectories by duration (2021*): (share, from days, until days).
const DURATIONS: [(f64, i64, i64); 7] = [
    (0.161, 14, 91),
    (0.172, 91, 182),
    (0.296, 182, 365),
    (0.233, 365, 730),
    (0.067, 730, 1095),
    (0.031, 1095, 1461),
    (0.039, 1461, 1900),
];

pub struct RegionSummary {
    pub municipalities: usize,
    pub practices: usize,
    pub providers: usize,
    pub referrals: usize,
    pub consultations: usize,
    /// (role, e-mail, organisation) of the first municipality's logins.
    pub logins: Vec<(&'static str, String, String)>,
}

struct Place {
    code: String,
    name: String,
    youth: u32,
    team_first: f64,
    wijken: Vec<String>,
    team: String,
    leader: String,
    consultants: Vec<String>,
    practices: Vec<(String, String, u32)>,
    jgz: (String, String),
    school: (String, String),
    /// (provider org, staff user, service id, wait weeks)
    providers: Vec<(String, String, String, i32)>,
}

fn input(
    name: &str,
    kind: Kind,
    code: &str,
    wijk: Option<&str>,
    agb: Option<String>,
) -> OrganisationInput {
    OrganisationInput {
        name: name.into(),
        kind,
        agb_code: agb,
        gemeente_code: code.into(),
        wijk_code: wijk.map(str::to_owned),
        street: "Stationsweg".into(),
        house_number: "1".into(),
        postcode: "9700 AA".into(),
        city: name.into(),
        phone: None,
        email: None,
    }
}

fn person(
    c: &mut AnyConnection,
    rng: &mut ChaCha8Rng,
    hash: &str,
    email: &str,
    org: &str,
    role: &str,
) -> Result<String, DbError> {
    let f = FIRST.choose(rng).copied().unwrap_or("Sam");
    let l = LAST.choose(rng).copied().unwrap_or("Jansen");
    let id = rondom_db::users::create(
        c,
        &rondom_db::users::NewUser {
            email,
            name: &format!("{f} {l}"),
            password_hash: Some(hash),
            family_role: None,
            is_demo: true,
        },
    )?;
    orgs::add_membership(c, &id, org, role)?;
    Ok(id.to_string())
}

/// The organisations and people of one municipality, its districts and populations.
fn place(
    c: &mut AnyConnection,
    rng: &mut ChaCha8Rng,
    hash: &str,
    n: usize,
    today: NaiveDate,
) -> Result<Place, DbError> {
    let (name, inhabitants, team_first) = MUNICIPALITIES[n];
    let code = format!("GM97{:02}", n + 1);
    let slug = name.to_lowercase();
    let youth = (f64::from(inhabitants) * YOUTH_SHARE) as u32;
    let wijk_count = (inhabitants / 20_000).clamp(3, 9) as usize;
    let mut wijken = Vec::new();
    for w in 0..wijk_count {
        let wcode = format!("WK97{:02}{:02}", n + 1, w + 1);
        orgs::upsert_district(
            c,
            &District {
                code: wcode.clone(),
                gemeente_code: code.clone(),
                name: format!(
                    "{name} {}",
                    [
                        "Centrum", "Noord", "Oost", "Zuid", "West", "Haven", "Dorp", "Park", "Veld"
                    ][w]
                ),
                postcodes: None,
                latitude: None,
                longitude: None,
            },
        )?;
        wijken.push(wcode);
    }
    let gemeente_org = orgs::create(
        c,
        &input(
            &format!("Gemeente {name}"),
            Kind::Gemeente,
            &code,
            None,
            None,
        ),
    )?
    .id
    .to_string();
    person(
        c,
        rng,
        hash,
        &format!("beleid@{slug}.example"),
        &gemeente_org,
        "beleidsmedewerker",
    )?;
    let team = orgs::create(
        c,
        &input(
            &format!("Sociaal Team {name}"),
            Kind::SociaalTeam,
            &code,
            None,
            None,
        ),
    )?
    .id
    .to_string();
    let leader = person(
        c,
        rng,
        hash,
        &format!("teamleider@{slug}.example"),
        &team,
        "teamleider",
    )?;
    let consultants: Vec<String> = (0..(youth / 2000).max(4))
        .map(|i| {
            person(
                c,
                rng,
                hash,
                &format!("consulent{}@{slug}.example", i + 1),
                &team,
                "consulent",
            )
        })
        .collect::<Result<_, _>>()?;
    let practice_count = (inhabitants / 2500) as usize;
    let mut practices = Vec::new();
    for p in 0..practice_count {
        let wijk = &wijken[p % wijken.len()];
        let org = orgs::create(
            c,
            &input(
                &format!("Huisartsenpraktijk {name} {}", p + 1),
                Kind::Huisartsenpraktijk,
                &code,
                Some(wijk),
                Some(format!("01{:06}", n * 1000 + p)),
            ),
        )?
        .id
        .to_string();
        let gp = person(
            c,
            rng,
            hash,
            &format!("huisarts{}@{slug}.example", p + 1),
            &org,
            "huisarts",
        )?;
        rondom_db::directory::link_consultant(c, &org, &team, &consultants[p % consultants.len()])?;
        let list = (f64::from(youth) / practice_count as f64 * rng.gen_range(0.8..1.2)) as u32;
        for y in 0..=YEARS {
            rondom_db::stuur::set_list_size(c, &org, today.year() - y as i32, list as i32)?;
        }
        practices.push((org, gp, list));
    }
    for y in 0..=YEARS {
        let year = today.year() - y as i32;
        // Some 700 euros per young inhabitant a year (the order of Dutch municipalities'
        // youth-help spending).
        rondom_db::stuur::set_budget(c, &code, year, i64::from(youth) * 70_000)?;
        rondom_db::stuur::set_area_youth(c, &code, year, youth as i32)?;
        for w in &wijken {
            rondom_db::stuur::set_area_youth(c, w, year, (youth / wijken.len() as u32) as i32)?;
        }
    }
    let jgz_org = orgs::create(
        c,
        &input(&format!("JGZ {name}"), Kind::Jgz, &code, None, None),
    )?
    .id
    .to_string();
    let jgz_doc = person(
        c,
        rng,
        hash,
        &format!("jeugdarts@{slug}.example"),
        &jgz_org,
        "jgz",
    )?;
    let school_org = orgs::create(
        c,
        &input(
            &format!("Samenwerkingsverband {name}"),
            Kind::School,
            &code,
            None,
            None,
        ),
    )?
    .id
    .to_string();
    let ib = person(
        c,
        rng,
        hash,
        &format!("ib@{slug}.example"),
        &school_org,
        "school",
    )?;
    let mut providers = Vec::new();
    for p in 0..20 {
        let org = orgs::create(
            c,
            &input(
                &format!("Jeugdhulp {name} {}", p + 1),
                Kind::Zorgaanbieder,
                &code,
                None,
                Some(format!("75{:06}", n * 1000 + p)),
            ),
        )?
        .id
        .to_string();
        let staff = person(
            c,
            rng,
            hash,
            &format!("zorg{}@{slug}.example", p + 1),
            &org,
            "zorgaanbieder_medewerker",
        )?;
        let wait = rng.gen_range(1..16);
        let (area, label) = PROBLEM_AREAS[p % PROBLEM_AREAS.len()];
        let service = rondom_db::directory::create_service(
            c,
            &rondom_db::directory::NewService {
                organisation_id: &org,
                name: &format!("{label}: behandeling ({})", p + 1),
                description: "Specialistische jeugdhulp (synthetisch).",
                category: "specialistisch",
                access_route: "verwijzing",
                age_min: 0,
                age_max: 23,
                problem_areas: area,
                wait_weeks: Some(wait),
                last_checked_on: today,
                ..Default::default()
            },
        )?;
        // Contract years' tariffs: per month of help for treatment, per trajectory for
        // the shorter kinds, a little higher each year.
        let (base, unit) = if p % 3 == 0 {
            (rng.gen_range(300_000..900_000), "traject")
        } else {
            (rng.gen_range(90_000..250_000), "maand")
        };
        for y in 0..=YEARS {
            let year = today.year() - y as i32;
            let cents = base + base * (YEARS - y) * 3 / 100;
            rondom_db::stuur::set_tariff(c, &service, year, cents, unit)?;
        }
        providers.push((org, staff, service, wait));
    }
    Ok(Place {
        code,
        name: name.to_owned(),
        youth,
        team_first,
        wijken,
        team,
        leader,
        consultants,
        practices,
        jgz: (jgz_org, jgz_doc),
        school: (school_org, ib),
        providers,
    })
}

/// Days from CBS's duration distribution.
fn duration(rng: &mut ChaCha8Rng) -> i64 {
    let mut roll: f64 = rng.gen_range(0.0..1.0);
    for (share, from, until) in DURATIONS {
        if roll < share {
            return rng.gen_range(from..until);
        }
        roll -= share;
    }
    rng.gen_range(91..365)
}

fn at(day: NaiveDate, rng: &mut ChaCha8Rng) -> NaiveDateTime {
    day.and_hms_opt(rng.gen_range(8..17), rng.gen_range(0..60), 0)
        .unwrap_or_default()
}

#[derive(Default)]
struct Batch {
    kids: Vec<refs::Child>,
    rows: Vec<refs::Referral>,
    events: Vec<EventRow>,
    feedback: Vec<FeedbackRow>,
    consultations: Vec<rondom_db::consultations::Consultation>,
}

struct Trajectory<'a> {
    child: &'a str,
    parent: Option<&'a str>,
    consultation: Option<String>,
    from: &'a str,
    referrer: &'a str,
    to: &'a str,
    receiver: &'a str,
    service: Option<&'a str>,
    case_director: Option<&'a str>,
    sent: NaiveDate,
    /// Days from sending to the start of help.
    wait: i64,
    areas: String,
    /// Refused by the receiver.
    reject: bool,
}

/// Writes one referral with its moves and feedback; answers the day help started and
/// ended (None while it runs), or None when it was rejected.
fn trajectory(
    b: &mut Batch,
    rng: &mut ChaCha8Rng,
    t: Trajectory<'_>,
    sealed: &str,
    today: NaiveDate,
) -> (String, Option<(NaiveDate, Option<NaiveDate>)>) {
    let id = new_id();
    let decided =
        t.sent + Duration::days(rng.gen_range(0..9) + if rng.gen_bool(0.1) { 6 } else { 0 });
    let decided = decided.min(today);
    let mut moves = vec![(None, Status::Requested, t.sent, t.referrer)];
    let mut status = Status::Requested;
    let mut accepted_on = None;
    let mut span = None;
    let mut fb = Vec::new();
    if decided < today || rng.gen_bool(0.5) {
        if t.reject {
            moves.push((
                Some(Status::Requested),
                Status::Rejected,
                decided,
                t.receiver,
            ));
            fb.push((FeedbackKind::Rejected, decided));
            status = Status::Rejected;
        } else {
            moves.push((
                Some(Status::Requested),
                Status::Accepted,
                decided,
                t.receiver,
            ));
            fb.push((FeedbackKind::Accepted, decided));
            accepted_on = Some(decided);
            status = Status::Accepted;
            let start = (t.sent + Duration::days(t.wait)).max(decided);
            if start <= today {
                moves.push((
                    Some(Status::Accepted),
                    Status::InProgress,
                    start,
                    t.receiver,
                ));
                status = Status::InProgress;
                let end = start + Duration::days(duration(rng));
                // Interim news some 30 working days (six weeks) after acceptance, not
                // always on time.
                let interim = decided + Duration::days(rng.gen_range(25..60));
                if interim < end.min(today) && rng.gen_bool(0.8) {
                    fb.push((FeedbackKind::Interim, interim));
                }
                if end <= today {
                    let (to, kind) = if rng.gen_bool(0.87) {
                        (Status::Completed, FeedbackKind::Completed)
                    } else {
                        (Status::Cancelled, FeedbackKind::Ended)
                    };
                    moves.push((Some(Status::InProgress), to, end, t.receiver));
                    if rng.gen_bool(0.9) {
                        fb.push((kind, end));
                    }
                    status = to;
                    span = Some((start, Some(end)));
                } else {
                    span = Some((start, None));
                }
            }
        }
    }
    let created = at(t.sent, rng);
    let last = moves.last().map(|m| m.2).unwrap_or(t.sent);
    b.rows.push(refs::Referral {
        id: ReferralId::trusted(id.clone()),
        child_id: ChildId::trusted(t.child.to_owned()),
        parent_id: t.parent.map(|p| ReferralId::trusted(p.to_owned())),
        consultation_id: t.consultation.map(ConsultationId::trusted),
        agreements_id: None,
        from_org_id: OrganisationId::trusted(t.from.to_owned()),
        referrer_id: UserId::trusted(t.referrer.to_owned()),
        on_behalf_of_id: None,
        to_org_id: OrganisationId::trusted(t.to.to_owned()),
        service_id: t
            .service
            .map(|s| rondom_domain::ids::ServiceId::trusted(s.to_owned())),
        school_id: None,
        reason_sealed: sealed.to_owned(),
        problem_areas: t.areas,
        urgency: if rng.gen_bool(0.05) {
            Urgency::Spoed
        } else {
            Urgency::Regulier
        },
        status,
        case_director_id: accepted_on.and(t.case_director.map(|c| UserId::trusted(c.to_owned()))),
        due_on: None,
        accepted_on,
        created_at: created,
        updated_at: at(last, rng).max(created),
    });
    for (from, to, day, actor) in moves {
        b.events.push(EventRow {
            id: new_id(),
            referral_id: id.clone(),
            from_status: from,
            to_status: to,
            actor_id: actor.to_owned(),
            reason_sealed: None,
            at: at(day, rng).max(created),
        });
    }
    for (kind, day) in fb {
        b.feedback.push(FeedbackRow {
            id: new_id(),
            referral_id: id.clone(),
            author_id: t.receiver.to_owned(),
            kind,
            body_sealed: sealed.to_owned(),
            at: at(day, rng).max(created),
            source_id: None,
        });
    }
    (id, if t.reject { None } else { span })
}

/// One year of one municipality's work.
fn year(
    p: &Place,
    rng: &mut ChaCha8Rng,
    sealed: &[String],
    from: NaiveDate,
    today: NaiveDate,
) -> Batch {
    let mut b = Batch::default();
    let n = (f64::from(p.youth) * NEW_PER_YOUTH_YEAR) as usize;
    for _ in 0..n {
        let sent = from + Duration::days(rng.gen_range(0..365));
        if sent > today {
            continue;
        }
        let seal = &sealed[rng.gen_range(0..sealed.len())];
        let age_days = match rng.gen_range(0..100) {
            0..=14 => rng.gen_range(60..4 * 365),
            15..=54 => rng.gen_range(4 * 365..12 * 365),
            55..=89 => rng.gen_range(12 * 365..18 * 365),
            _ => rng.gen_range(18 * 365..23 * 365 - 30),
        };
        let child = new_id();
        b.kids.push(refs::Child {
            id: ChildId::trusted(child.clone()),
            name_sealed: seal.clone(),
            birth_date: sent - Duration::days(age_days),
            gemeente_code: p.code.clone(),
            bsn_sealed: None,
            created_by: p.leader.clone(),
            created_at: at(sent, rng),
            wijk_code: Some(p.wijken[rng.gen_range(0..p.wijken.len())].clone()),
        });
        let (a1, _) = PROBLEM_AREAS[rng.gen_range(0..PROBLEM_AREAS.len())];
        let areas = a1.to_owned();
        let provider = &p.providers[rng.gen_range(0..p.providers.len())];
        let consultant = &p.consultants[rng.gen_range(0..p.consultants.len())];
        let roll = rng.gen_range(0..100);
        // Who refers first: GPs most, then the JGZ and the schools' pupil care.
        let (from, referrer, practice) = match roll {
            0..=69 => {
                let (org, gp, _) = &p.practices[rng.gen_range(0..p.practices.len())];
                (org.as_str(), gp.as_str(), true)
            }
            70..=84 => (p.jgz.0.as_str(), p.jgz.1.as_str(), false),
            _ => (p.school.0.as_str(), p.school.1.as_str(), false),
        };
        let to_team = !practice || rng.gen_bool(p.team_first);
        let mut consultation = None;
        if practice && rng.gen_bool(0.35) {
            let asked = sent - Duration::days(rng.gen_range(2..20));
            consultation = Some(consult(&mut b, rng, p, from, referrer, seal, asked, today));
        }
        let (team_wait, team_reject) = (rng.gen_range(2..21), rng.gen_bool(0.04));
        let provider_wait = i64::from(provider.3) * 7 + rng.gen_range(-10..30);
        let provider_reject = rng.gen_bool(0.06);
        if to_team {
            let (first, span) = trajectory(
                &mut b,
                rng,
                Trajectory {
                    child: &child,
                    parent: None,
                    consultation,
                    from,
                    referrer,
                    to: &p.team,
                    receiver: consultant,
                    service: None,
                    case_director: Some(consultant),
                    sent,
                    wait: team_wait,
                    areas: areas.clone(),
                    reject: team_reject,
                },
                seal,
                today,
            );
            // The team helps most itself and refers a part on to specialised care.
            let onward_after = rng.gen_range(14..90);
            if let Some((start, _)) = span
                && rng.gen_bool(0.3)
            {
                let onward = start + Duration::days(onward_after);
                if onward <= today {
                    trajectory(
                        &mut b,
                        rng,
                        Trajectory {
                            child: &child,
                            parent: Some(&first),
                            consultation: None,
                            from: &p.team,
                            referrer: consultant,
                            to: &provider.0,
                            receiver: &provider.1,
                            service: Some(&provider.2),
                            case_director: None,
                            sent: onward,
                            wait: provider_wait,
                            areas: areas.clone(),
                            reject: provider_reject,
                        },
                        seal,
                        today,
                    );
                }
            }
        } else {
            trajectory(
                &mut b,
                rng,
                Trajectory {
                    child: &child,
                    parent: None,
                    consultation,
                    from,
                    referrer,
                    to: &provider.0,
                    receiver: &provider.1,
                    service: Some(&provider.2),
                    case_director: None,
                    sent,
                    wait: provider_wait,
                    areas,
                    reject: provider_reject,
                },
                seal,
                today,
            );
        }
    }
    // As many questions again that never became a referral.
    let extra = n / 4;
    for _ in 0..extra {
        let (org, gp, _) = &p.practices[rng.gen_range(0..p.practices.len())];
        let day = from + Duration::days(rng.gen_range(0..365));
        if day <= today {
            let seal = &sealed[0];
            consult(&mut b, rng, p, org, gp, seal, day, today);
        }
    }
    b
}

#[allow(clippy::too_many_arguments)]
fn consult(
    b: &mut Batch,
    rng: &mut ChaCha8Rng,
    p: &Place,
    practice: &str,
    asker: &str,
    seal: &str,
    day: NaiveDate,
    today: NaiveDate,
) -> String {
    let id = new_id();
    let created = at(day, rng);
    let due = rondom_domain::workdays::add_working_days(day, 2);
    let answered = (day + Duration::days(rng.gen_range(0..5))).min(today);
    let assignee = &p.consultants[rng.gen_range(0..p.consultants.len())];
    b.consultations
        .push(rondom_db::consultations::Consultation {
            id: ConsultationId::trusted(id.clone()),
            practice_id: OrganisationId::trusted(practice.to_owned()),
            team_id: OrganisationId::trusted(p.team.clone()),
            asker_id: UserId::trusted(asker.to_owned()),
            subject_sealed: seal.to_owned(),
            status: rondom_domain::consultation::Status::Closed,
            assignee_id: Some(UserId::trusted(assignee.clone())),
            due_on: due,
            created_at: created,
            updated_at: at(answered, rng).max(created),
            answered_at: Some(at(answered, rng).max(created)),
        });
    id
}

/// Loads the region into the database (after the demo municipality, whose logins stay).
pub fn load(db: &Db, key: &rondom_app::secrets::Secret) -> Result<RegionSummary, String> {
    let secrets = rondom_app::secrets::SecretBox::new(key)?;
    let hash = rondom_app::auth::password::hash_blocking(DEMO_PASSWORD)?;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let today = rondom_app::dates::today();
    let sealed: Vec<String> = (0..50)
        .map(|_| {
            let f = FIRST.choose(&mut rng).copied().unwrap_or("Noor");
            let l = LAST.choose(&mut rng).copied().unwrap_or("Jansen");
            secrets.seal(&format!("{f} {l}"))
        })
        .collect::<Result<_, _>>()
        .map_err(|e| format!("sealing demo text: {e}"))?;
    let mut places = Vec::new();
    for n in 0..MUNICIPALITIES.len() {
        let p = db
            .write_blocking(|c| place(c, &mut rng, &hash, n, today))
            .map_err(|e| format!("the region's organisations could not be written: {e}"))?;
        places.push(p);
    }
    let (mut referrals, mut consultations) = (0, 0);
    let start = today - Duration::days(YEARS * 365);
    for p in &places {
        for y in 0..YEARS {
            let from = start + Duration::days(y * 365);
            let batch = year(p, &mut rng, &sealed, from, today);
            referrals += batch.rows.len();
            consultations += batch.consultations.len();
            db.write_blocking(|c| {
                rondom_db::consultations::insert_bulk(c, &batch.consultations)?;
                refs::insert_history(c, &batch.kids, &batch.rows, &batch.events, &batch.feedback)
            })
            .map_err(|e| format!("the region's referrals could not be written: {e}"))?;
            if y == 0 {
                db.write_blocking(rondom_db::stuur::analyze)
                    .map_err(|e| format!("analyze failed: {e}"))?;
            }
        }
    }
    let mut conn = db.get().map_err(|e| e.to_string())?;
    refs::analyze(&mut conn).map_err(|e| format!("analyze failed: {e}"))?;
    let first = &places[0];
    let slug = first.name.to_lowercase();
    Ok(RegionSummary {
        municipalities: places.len(),
        practices: places.iter().map(|p| p.practices.len()).sum(),
        providers: places.iter().map(|p| p.providers.len()).sum(),
        referrals,
        consultations,
        logins: vec![
            (
                "beleidsmedewerker",
                format!("beleid@{slug}.example"),
                format!("Gemeente {}", first.name),
            ),
            (
                "teamleider",
                format!("teamleider@{slug}.example"),
                format!("Sociaal Team {}", first.name),
            ),
            (
                "huisarts",
                format!("huisarts1@{slug}.example"),
                format!("Huisartsenpraktijk {} 1", first.name),
            ),
        ],
    })
}
