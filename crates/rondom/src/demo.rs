//! The demo municipality "Gemeente Voorbeeld": fictional, synthetic, and the same on
//! every run (fixed seed). Nothing here is real personal data; e-mail addresses use the
//! reserved `.example` domain.

mod data;
mod referrals;

use data::*;

use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rondom_app::directory::hsds::import::round6;
use rondom_db::organisations::{self as orgs, District, OrganisationInput};
use rondom_db::{Db, DbError, directory, users};
use rondom_domain::ids::{LocationId, OrganisationId, TeamId};
use rondom_domain::{OrganisationKind, Role};

pub const SEED: u64 = 20_261_122;
pub const DEMO_PASSWORD: &str = "rondom-demo-2026";
pub const GEMEENTE: &str = "GM9999";
/// The fictional neighbouring municipality that contracts regional care together with
/// Gemeente Voorbeeld.
pub const NEIGHBOUR: &str = "GM9998";

/// What the sociale kaart shows as someone's function.
fn job_title(role: Role) -> &'static str {
    match role {
        Role::Huisarts => "huisarts",
        Role::Poh => "praktijkondersteuner jeugd",
        Role::Consulent => "consulent sociaal team",
        Role::Teamleider => "teamleider",
        Role::Jgz => "jeugdarts",
        Role::School => "intern begeleider",
        Role::ZorgaanbiederMedewerker => "behandelaar",
        Role::Beleidsmedewerker => "beleidsmedewerker jeugd",
        _ => "medewerker",
    }
}

/// "€ 105 per uur (contract …)" → (10500, "per uur").
fn tariff(cost: &str) -> (Option<i32>, Option<&str>) {
    let Some(rest) = cost.split_once('€').map(|(_, r)| r.trim_start()) else {
        return (None, None);
    };
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let Ok(euros) = digits.parse::<i32>() else {
        return (None, None);
    };
    let unit = rest[digits.len()..]
        .split('(')
        .next()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    (Some(euros * 100), unit)
}

/// Creates a demo service at its organisation's location, covering `areas`; contracted
/// care gets the municipality's contract, a tariff and a capacity.
fn place_service(
    c: &mut rondom_db::AnyConnection,
    rng: &mut ChaCha8Rng,
    s: directory::NewService<'_>,
    location: Option<&LocationId>,
    areas: &[(&str, String)],
) -> Result<(), DbError> {
    let (tariff_cents, tariff_unit) = tariff(s.cost.unwrap_or(""));
    let contracted = s.category == "specialistisch";
    let s = directory::NewService {
        tariff_cents,
        tariff_unit,
        contracted_by: contracted.then_some(GEMEENTE),
        contract_from: contracted.then(|| day(2025, 1, 1)),
        contract_until: contracted.then(|| day(2027, 12, 31)),
        capacity: contracted.then(|| rng.gen_range(8..60)),
        ..s
    };
    let id = directory::create_service(c, &s)?;
    if let Some(l) = location {
        directory::set_service_locations(c, &id, &[l.to_string()])?;
    }
    let areas: Vec<(Option<String>, String, String)> = areas
        .iter()
        .map(|(k, v)| (None, (*k).to_owned(), v.clone()))
        .collect();
    directory::set_service_areas(c, &id, &areas)
}

/// (description, category, access route, minimum age, maximum age, problem areas, cost)
type OfferFields<'a> = (&'a str, &'a str, &'a str, i32, i32, &'a str, &'a str);

/// One demo service, checked today, with its waiting time as reported on `reported`.
fn offer<'a>(
    organisation_id: &'a str,
    name: &'a str,
    f: OfferFields<'a>,
    wait: i32,
    reported: NaiveDate,
    today: NaiveDate,
) -> directory::NewService<'a> {
    directory::NewService {
        organisation_id,
        name,
        description: f.0,
        category: f.1,
        access_route: f.2,
        age_min: f.3,
        age_max: f.4,
        problem_areas: f.5,
        cost: Some(f.6),
        wait_weeks: Some(wait),
        wait_reported_on: Some(reported),
        last_checked_on: today,
        ..Default::default()
    }
}

/// The login names shown when `serve --demo` starts.
pub struct DemoLogin {
    pub role: &'static str,
    pub email: String,
    pub organisation: String,
}

pub struct DemoSummary {
    pub organisations: usize,
    pub users: usize,
    pub services: usize,
    pub logins: Vec<DemoLogin>,
}

struct Gen {
    rng: ChaCha8Rng,
    used_names: std::collections::HashSet<String>,
}

impl Gen {
    fn name(&mut self) -> String {
        loop {
            let f = FIRST.choose(&mut self.rng).copied().unwrap_or("Sam");
            let l = LAST.choose(&mut self.rng).copied().unwrap_or("Jansen");
            let n = format!("{f} {l}");
            if self.used_names.insert(n.clone()) {
                return n;
            }
        }
    }

    fn agb(&mut self, prefix: &str) -> String {
        format!("{prefix}{:06}", self.rng.gen_range(0..1_000_000))
    }

    fn postcode(&mut self, district: usize) -> String {
        let letters: Vec<char> = "ABCEGHJKLMNPRTVWXZ".chars().collect();
        let a = letters.choose(&mut self.rng).copied().unwrap_or('A');
        let b = letters.choose(&mut self.rng).copied().unwrap_or('B');
        format!(
            "{} {a}{b}",
            9990 + district as u32 * 2 + self.rng.gen_range(0..2)
        )
    }

    fn street(&mut self) -> (String, String) {
        (
            STREETS
                .choose(&mut self.rng)
                .copied()
                .unwrap_or("Kerkstraat")
                .to_owned(),
            self.rng.gen_range(1..180).to_string(),
        )
    }

    fn phone(&mut self) -> String {
        format!(
            "0345 {:03} {:03}",
            self.rng.gen_range(100..1000),
            self.rng.gen_range(0..1000)
        )
    }
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'ı' => out.push('i'),
            _ if !out.ends_with('-') && !out.is_empty() => out.push('-'),
            _ => {}
        }
    }
    out.trim_end_matches('-').to_owned()
}

fn email_for(name: &str, org: &str) -> String {
    let mut parts = name.split_whitespace();
    let first = parts.next().unwrap_or("x");
    let last: String = parts.collect::<Vec<_>>().join("");
    format!("{}.{}@{}.example", slug(first), slug(&last), slug(org))
}

/// Fills an empty database with the demo municipality. Refuses when organisations exist,
/// so demo data never mixes with real data.
pub fn load(db: &Db, key: &rondom_app::secrets::Secret) -> Result<Option<DemoSummary>, String> {
    let secrets = rondom_app::secrets::SecretBox::new(key)?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    if orgs::count(&mut conn).map_err(|e| e.to_string())? > 0 {
        return Ok(None);
    }
    drop(conn);
    let password_hash = rondom_app::auth::password::hash_blocking(DEMO_PASSWORD)?;
    db.write_blocking(|c| {
        if orgs::count(c)? > 0 {
            return Ok(None);
        }
        build(c, &password_hash, &secrets).map(Some)
    })
    .map_err(|e| format!("loading the demo data failed: {e}"))
}

/// Adds `n` synthetic referrals to a database holding the demo municipality (load
/// tests): see `referrals::bulk`.
pub fn add_referrals(
    db: &Db,
    key: &rondom_app::secrets::Secret,
    n: usize,
) -> Result<usize, String> {
    let secrets = rondom_app::secrets::SecretBox::new(key)?;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED ^ n as u64);
    let added = db
        .write_blocking(|c| referrals::bulk(c, &mut rng, &secrets, n))
        .map_err(|e| format!("adding referrals failed: {e}"))?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    rondom_db::referrals::analyze(&mut conn).map_err(|e| format!("analyze failed: {e}"))?;
    Ok(added)
}

fn build(
    c: &mut rondom_db::AnyConnection,
    password_hash: &str,
    secrets: &rondom_app::secrets::SecretBox,
) -> Result<DemoSummary, DbError> {
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(SEED),
        used_names: Default::default(),
    };
    // (code, name, centre). Postcodes follow `Gen::postcode`: two numbers per wijk.
    let districts = [
        ("WK999901", "Centrum", (52.1000, 5.6000)),
        ("WK999902", "Noord", (52.1160, 5.6050)),
        ("WK999903", "Zuid", (52.0840, 5.5980)),
        ("WK999904", "Oosterhout", (52.1020, 5.6330)),
        ("WK999905", "Dorpen", (52.1350, 5.6700)),
    ];
    for (i, (code, name, (lat, lon))) in districts.iter().enumerate() {
        let first = 9990 + 2 * i;
        orgs::upsert_district(
            c,
            &District {
                code: (*code).into(),
                gemeente_code: GEMEENTE.into(),
                name: (*name).into(),
                postcodes: Some(format!("{first}-{}", first + 1)),
                latitude: Some(*lat),
                longitude: Some(*lon),
            },
        )?;
    }
    let today_text = chrono::Utc::now().date_naive();
    // Each organisation's main location, for services and nearness.
    let mut location_of: std::collections::HashMap<OrganisationId, LocationId> = Default::default();
    let mut org_count = 0;
    let mut make_org = |c: &mut rondom_db::AnyConnection,
                        g: &mut Gen,
                        name: &str,
                        kind: OrganisationKind,
                        district: usize,
                        agb: Option<String>| {
        let (street, house_number) = g.street();
        let city = if district == 4 {
            "Voorbeeld-Dorp"
        } else {
            "Voorbeeld"
        };
        let input = OrganisationInput {
            name: name.into(),
            kind,
            agb_code: agb,
            gemeente_code: GEMEENTE.into(),
            wijk_code: Some(districts[district].0.into()),
            street,
            house_number,
            postcode: g.postcode(district),
            city: city.into(),
            phone: Some(g.phone()),
            email: Some(format!("info@{}.example", slug(name))),
        };
        org_count += 1;
        let org = orgs::create(c, &input)?;
        let centre = districts[district].2;
        let location = directory::Location {
            id: LocationId::trusted(rondom_db::new_id()),
            organisation_id: org.id.clone(),
            name: format!("{} ({})", org.name, districts[district].1),
            street: org.street.clone(),
            house_number: org.house_number.clone(),
            postcode: org.postcode.clone(),
            city: org.city.clone(),
            country: "NL".into(),
            latitude: Some(round6(centre.0 + g.rng.gen_range(-0.006..0.006))),
            longitude: Some(round6(centre.1 + g.rng.gen_range(-0.009..0.009))),
            last_checked_on: today_text,
        };
        directory::insert_location(c, &location)?;
        location_of.insert(org.id.clone(), location.id);
        orgs::set_profile(
            c,
            &org.id,
            None,
            Some(&format!("https://www.{}.example", slug(name))),
            Some(today_text),
        )?;
        Ok::<_, DbError>(org)
    };

    let mut user_count = 0;
    let mut logins = Vec::new();
    let mut person = |c: &mut rondom_db::AnyConnection,
                      g: &mut Gen,
                      org: &orgs::Organisation,
                      roles: &[Role]|
     -> Result<String, DbError> {
        let name = g.name();
        let email = email_for(&name, &org.name);
        let id = users::create(
            c,
            &users::NewUser {
                email: &email,
                name: &name,
                password_hash: Some(password_hash),
                family_role: None,
                is_demo: true,
            },
        )?;
        for r in roles {
            orgs::add_membership(c, &id, &org.id, r.as_str())?;
        }
        let mut days: Vec<i32> = (1..=5).filter(|_| g.rng.gen_bool(0.75)).collect();
        if days.is_empty() {
            days.push(2);
        }
        directory::set_person_profile(
            c,
            &id,
            roles.first().map(|r| job_title(*r)),
            &days,
            Some(today_text),
        )?;
        user_count += 1;
        Ok(email)
    };

    let platform = make_org(
        c,
        &mut g,
        "Rondom Platformbeheer",
        OrganisationKind::Platform,
        0,
        None,
    )?;
    let gemeente = make_org(
        c,
        &mut g,
        "Gemeente Voorbeeld",
        OrganisationKind::Gemeente,
        0,
        None,
    )?;
    let team = make_org(
        c,
        &mut g,
        "Sociaal Team Voorbeeld",
        OrganisationKind::SociaalTeam,
        0,
        None,
    )?;
    let jgz = make_org(c, &mut g, "JGZ Voorbeeld", OrganisationKind::Jgz, 1, None)?;
    let practices = [
        ("Huisartsenpraktijk De Linde", 0, true),
        ("Gezondheidscentrum Noord", 1, true),
        ("Huisartsen Zuiderpark", 2, false),
        ("Huisartsenpraktijk Oosterhout", 3, true),
        ("Huisartsenpraktijk Het Dorp", 4, false),
        ("Medisch Centrum Stationsplein", 0, false),
    ];
    let mut practice_orgs = Vec::new();
    for (name, district, _) in practices {
        let agb = g.agb("01");
        practice_orgs.push(make_org(
            c,
            &mut g,
            name,
            OrganisationKind::Huisartsenpraktijk,
            district,
            Some(agb),
        )?);
    }
    let schools = [
        make_org(
            c,
            &mut g,
            "Basisschool De Regenboog",
            OrganisationKind::School,
            1,
            None,
        )?,
        make_org(
            c,
            &mut g,
            "Voorbeeld College",
            OrganisationKind::School,
            2,
            None,
        )?,
    ];
    // More schools of the municipality, in the directory only (no accounts yet).
    let mut more_schools = Vec::new();
    for (name, district) in [
        ("Basisschool De Klimop", 3),
        ("Kindcentrum Het Dorp", 4),
        ("Speciaal Onderwijs De Wissel", 0),
    ] {
        more_schools.push(make_org(
            c,
            &mut g,
            name,
            OrganisationKind::School,
            district,
            None,
        )?);
    }
    let mut providers = Vec::new();
    for (name, district) in [
        ("Jeugd-GGZ Horizon", 0),
        ("Orthopedagogisch Centrum De Brug", 2),
        ("Gezinsbegeleiding Kompas", 3),
    ] {
        let agb = g.agb("98");
        providers.push(make_org(
            c,
            &mut g,
            name,
            OrganisationKind::Zorgaanbieder,
            district,
            Some(agb),
        )?);
    }

    let mut login = |role: &'static str, email: String, org: &orgs::Organisation| {
        logins.push(DemoLogin {
            role,
            email,
            organisation: org.name.clone(),
        });
    };

    // The wider offer of the region: contracted providers and welfare organisations, each
    // with its own services (directory only, no accounts yet).
    let mut extra = Vec::new();
    for (name, district, _) in EXTRA_PROVIDERS {
        let agb = g.agb("98");
        extra.push(make_org(
            c,
            &mut g,
            name,
            OrganisationKind::Zorgaanbieder,
            *district,
            Some(agb),
        )?);
    }

    let e = person(c, &mut g, &platform, &[Role::Beheerder])?;
    login("platformbeheerder", e, &platform);
    let e = person(
        c,
        &mut g,
        &gemeente,
        &[Role::Beleidsmedewerker, Role::OrganisatieBeheerder],
    )?;
    login("beleidsmedewerker", e, &gemeente);
    person(c, &mut g, &gemeente, &[Role::Beleidsmedewerker])?;

    let e = person(
        c,
        &mut g,
        &team,
        &[Role::Teamleider, Role::OrganisatieBeheerder],
    )?;
    login("teamleider", e, &team);
    let mut consultants = Vec::new();
    for i in 0..7 {
        let e = person(c, &mut g, &team, &[Role::Consulent])?;
        consultants.push(e.clone());
        if i == 0 {
            login("consulent", e, &team);
        }
    }
    let e = person(c, &mut g, &jgz, &[Role::Jgz, Role::OrganisatieBeheerder])?;
    login("jeugdarts (JGZ)", e, &jgz);
    person(c, &mut g, &jgz, &[Role::Jgz])?;

    let mut gps = Vec::new();
    for (i, (p, (_, _, has_poh))) in practice_orgs.iter().zip(practices).enumerate() {
        let e = person(c, &mut g, p, &[Role::Huisarts, Role::OrganisatieBeheerder])?;
        gps.push(e.clone());
        if i == 0 {
            login("huisarts", e, p);
        }
        person(c, &mut g, p, &[Role::Huisarts])?;
        if has_poh {
            let e = person(c, &mut g, p, &[Role::Poh])?;
            if i == 0 {
                login("POH-jeugd", e, p);
            }
        }
    }
    for (i, s) in schools.iter().enumerate() {
        let e = person(c, &mut g, s, &[Role::School, Role::OrganisatieBeheerder])?;
        if i == 0 {
            login("intern begeleider", e, s);
        }
    }
    for (i, p) in providers.iter().enumerate() {
        let e = person(
            c,
            &mut g,
            p,
            &[Role::ZorgaanbiederMedewerker, Role::OrganisatieBeheerder],
        )?;
        if i == 0 {
            login("zorgaanbieder", e, p);
        }
        person(c, &mut g, p, &[Role::ZorgaanbiederMedewerker])?;
    }

    // Every practice has its own consultant with weekly hours there (issue 3's
    // koppeling), and the team has an overleglijn.
    directory::set_overleglijn(
        c,
        &team.id,
        "0345 700 800",
        "maandag tot en met vrijdag 08:30–17:00",
    )?;
    let today = chrono::Utc::now().date_naive();
    for (i, practice) in practice_orgs.iter().enumerate() {
        let Some(consultant) = users::find_by_email(c, &consultants[i])? else {
            continue;
        };
        directory::set_phone(c, &consultant.id, &g.phone())?;
        let link = directory::link_consultant(c, &practice.id, &team.id, &consultant.id)?;
        let weekday = 1 + (i as i32 % 5);
        let start = if g.rng.gen_bool(0.5) { 9 * 60 } else { 13 * 60 };
        directory::add_hours(c, &link, weekday, start, start + 180)?;
        if g.rng.gen_bool(0.5) {
            directory::add_hours(c, &link, 1 + ((weekday + 1) % 5), 9 * 60, 11 * 60 + 30)?;
        }
        if i == 1 {
            // A holiday in two weeks' time.
            let day = today + chrono::Duration::days(14);
            directory::add_exception(c, &link, day, Some("vakantie"))?;
        }
    }

    // The social team works in three wijkteams; each consultant is in one.
    let wijkteams = [
        ("Wijkteam Centrum-Noord", "Centrum en Noord", "0345 700 810"),
        (
            "Wijkteam Zuid-Oosterhout",
            "Zuid en Oosterhout",
            "0345 700 820",
        ),
        ("Wijkteam Dorpen", "de dorpen", "0345 700 830"),
    ];
    for (i, (name, covers, phone)) in wijkteams.iter().enumerate() {
        let mut members = Vec::new();
        for (j, email) in consultants.iter().enumerate() {
            if j % wijkteams.len() == i
                && let Some(u) = users::find_by_email(c, email)?
            {
                members.push(u.id.to_string());
            }
        }
        directory::save_team(
            c,
            &directory::Team {
                id: TeamId::trusted(rondom_db::new_id()),
                organisation_id: team.id.clone(),
                name: (*name).into(),
                description: Some(format!(
                    "Consulenten voor gezinnen in {covers}: vragen over opvoeden, school, geld en veiligheid."
                )),
                phone: Some((*phone).into()),
                email: Some(format!("{}@sociaalteam.example", slug(name))),
                last_checked_on: today_text,
            },
            &members,
        )?;
    }
    // What organisations cover as a whole: the municipality, and the region for
    // contracted providers.
    directory::set_organisation_areas(c, &team.id, &[("gemeente".into(), GEMEENTE.into())])?;
    for p in &providers {
        directory::set_organisation_areas(
            c,
            &p.id,
            &[
                ("gemeente".into(), GEMEENTE.into()),
                ("gemeente".into(), NEIGHBOUR.into()),
            ],
        )?;
    }

    // The offer: preventive courses, the team's own help and contracted specialised care,
    // with target groups and waiting times.
    let mut service_count = 0;
    let whole_region = [
        ("gemeente", GEMEENTE.to_owned()),
        ("gemeente", NEIGHBOUR.to_owned()),
    ];
    let own_gemeente = [("gemeente", GEMEENTE.to_owned())];
    for (who, name, description, category, access, age_min, age_max, areas, cost) in SERVICES {
        let owners: Vec<&orgs::Organisation> = match *who {
            "team" => vec![&team],
            "jgz" => vec![&jgz],
            "gemeente" => vec![&gemeente],
            "school" => schools.iter().chain(more_schools.iter()).collect(),
            "ggz" => vec![&providers[0]],
            "brug" => vec![&providers[1]],
            "kompas" => vec![&providers[2]],
            _ => vec![],
        };
        for owner in owners {
            let wait = match *category {
                "preventief" => g.rng.gen_range(0..4),
                "eigen_hulp" => g.rng.gen_range(0..6),
                _ => g.rng.gen_range(4..26),
            };
            let reported = today - chrono::Duration::days(g.rng.gen_range(1..40));
            let school_wijk;
            let covers: &[(&str, String)] = match *who {
                "team" | "jgz" | "gemeente" => &own_gemeente,
                "school" => {
                    school_wijk = [("wijk", owner.wijk_code.clone().unwrap_or_default())];
                    &school_wijk
                }
                _ => &whole_region,
            };
            place_service(
                c,
                &mut g.rng,
                offer(
                    &owner.id,
                    name,
                    (
                        description,
                        category,
                        access,
                        *age_min,
                        *age_max,
                        areas,
                        cost,
                    ),
                    wait,
                    reported,
                    today_text,
                ),
                location_of.get(&owner.id),
                covers,
            )?;
            service_count += 1;
        }
    }
    for (who, name, description, category, access, age_min, age_max, areas, cost) in SERVICES {
        // The team's group courses and the JGZ's consultation hours run in every district.
        let owner = match (*who, *category) {
            ("team", "preventief") => &team,
            ("jgz", _) => &jgz,
            _ => continue,
        };
        for (code, d, _) in districts.iter().skip(1) {
            let wait = g.rng.gen_range(0..5);
            let reported = today - chrono::Duration::days(g.rng.gen_range(1..40));
            place_service(
                c,
                &mut g.rng,
                offer(
                    &owner.id,
                    &format!("{name} (wijk {d})"),
                    (
                        description,
                        category,
                        access,
                        *age_min,
                        *age_max,
                        areas,
                        cost,
                    ),
                    wait,
                    reported,
                    today_text,
                ),
                location_of.get(&owner.id),
                &[("wijk", (*code).to_owned())],
            )?;
            service_count += 1;
        }
    }
    for (org, (_, _, offers)) in extra.iter().zip(EXTRA_PROVIDERS) {
        for (name, description, category, access, age_min, age_max, areas, cost) in *offers {
            let reported = today - chrono::Duration::days(g.rng.gen_range(1..60));
            let wait = if *category == "specialistisch" {
                g.rng.gen_range(3..30)
            } else {
                g.rng.gen_range(0..6)
            };
            let nearby;
            let covers: &[(&str, String)] = if *category == "specialistisch" {
                &whole_region
            } else {
                // Welfare work near its own address: its postcode and the next ones.
                let n = rondom_domain::area::postcode_number(&org.postcode).unwrap_or(9990);
                let from = n - n % 2;
                nearby = [("postcode", format!("{from}-{}", (from + 3).min(9999)))];
                &nearby
            };
            place_service(
                c,
                &mut g.rng,
                offer(
                    &org.id,
                    name,
                    (
                        description,
                        category,
                        access,
                        *age_min,
                        *age_max,
                        areas,
                        cost,
                    ),
                    wait,
                    reported,
                    today_text,
                ),
                location_of.get(&org.id),
                covers,
            )?;
            service_count += 1;
        }
    }

    // Welfare work runs in every wijk, from the buurthuis there.
    let mut buurthuis: std::collections::HashMap<(OrganisationId, usize), LocationId> =
        Default::default();
    for (org, (_, own_district, offers)) in extra.iter().zip(EXTRA_PROVIDERS) {
        for (name, description, category, access, age_min, age_max, areas, cost) in *offers {
            if !PER_WIJK.contains(name) {
                continue;
            }
            for (d, (code, wijk, centre)) in districts.iter().enumerate() {
                if d == *own_district {
                    continue;
                }
                let key = (org.id.clone(), d);
                if !buurthuis.contains_key(&key) {
                    let (street, house_number) = g.street();
                    let location = directory::Location {
                        id: LocationId::trusted(rondom_db::new_id()),
                        organisation_id: org.id.clone(),
                        name: format!("Buurthuis {wijk}"),
                        street,
                        house_number,
                        postcode: g.postcode(d),
                        city: if d == 4 {
                            "Voorbeeld-Dorp"
                        } else {
                            "Voorbeeld"
                        }
                        .into(),
                        country: "NL".into(),
                        latitude: Some(round6(centre.0 + g.rng.gen_range(-0.003..0.003))),
                        longitude: Some(round6(centre.1 + g.rng.gen_range(-0.004..0.004))),
                        last_checked_on: today_text,
                    };
                    directory::insert_location(c, &location)?;
                    buurthuis.insert(key.clone(), location.id);
                }
                let reported = today - chrono::Duration::days(g.rng.gen_range(1..40));
                let wait = g.rng.gen_range(0..4);
                place_service(
                    c,
                    &mut g.rng,
                    offer(
                        &org.id,
                        &format!("{name} (wijk {wijk})"),
                        (
                            description,
                            category,
                            access,
                            *age_min,
                            *age_max,
                            areas,
                            cost,
                        ),
                        wait,
                        reported,
                        today_text,
                    ),
                    buurthuis.get(&key),
                    &[("wijk", (*code).to_owned())],
                )?;
                service_count += 1;
            }
        }
    }

    // A year of consultation questions from every practice to its consultant: most
    // answered and closed, some waiting, one overdue.
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
            // Oldest first: k = 7 was asked today, k = 0 about half a year ago.
            let days_ago = if k == 7 {
                0
            } else {
                (7 - k as i64) * 48 + g.rng.gen_range(0..10)
            };
            let created = now
                - chrono::Duration::days(days_ago)
                - chrono::Duration::hours(g.rng.gen_range(1..6));
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
                _ => Some(created + chrono::Duration::hours(g.rng.gen_range(3..40))),
            };
            match (k, answered) {
                (7, _) => {}
                (_, None) => {
                    rondom_db::consultations::set_status(
                        c,
                        &id,
                        "picked_up",
                        Some(&consultant.id),
                        false,
                    )?;
                }
                (_, Some(_)) => {
                    rondom_db::consultations::add_message(c, &id, &consultant.id, &seal(answer)?)?;
                    let status = if k < 5 { "closed" } else { "answered" };
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

    // A year of referrals, with the municipality's agreements.
    referrals::build(
        c,
        &mut g.rng,
        secrets,
        &referrals::Cast {
            gemeente_code: GEMEENTE,
            gemeente: &gemeente,
            practices: &practice_orgs,
            gps: &gps,
            consultants: &consultants,
            team: &team,
            providers: &providers,
            schools: &schools,
        },
    )?;

    // Families: parents and, from 12, the young person have their own account.
    for f in 0..6 {
        let surname = LAST.choose(&mut g.rng).copied().unwrap_or("Jansen");
        let parent_first = FIRST.choose(&mut g.rng).copied().unwrap_or("Sam");
        let parent = format!("{parent_first} {surname}");
        let email = format!("{}.{}{f}@gezin.example", slug(parent_first), slug(surname));
        users::create(
            c,
            &users::NewUser {
                email: &email,
                name: &parent,
                password_hash: Some(password_hash),
                family_role: Some(Role::OuderVerzorger.as_str()),
                is_demo: true,
            },
        )?;
        user_count += 1;
        if f == 0 {
            logins.push(DemoLogin {
                role: "ouder",
                email,
                organisation: "gezin".into(),
            });
        }
        if g.rng.gen_bool(0.5) {
            let child_first = FIRST.choose(&mut g.rng).copied().unwrap_or("Alex");
            let child_email = format!("{}.{}{f}@jong.example", slug(child_first), slug(surname));
            users::create(
                c,
                &users::NewUser {
                    email: &child_email,
                    name: &format!("{child_first} {surname}"),
                    password_hash: Some(password_hash),
                    family_role: Some(Role::Jeugdige.as_str()),
                    is_demo: true,
                },
            )?;
            user_count += 1;
        }
    }

    rondom_app::console::record_demo(c, SEED)?;
    Ok(DemoSummary {
        organisations: org_count,
        users: user_count,
        services: service_count,
        logins,
    })
}

/// A fixed day of the demo's contracts.
fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_emails_are_plain_ascii() {
        assert_eq!(
            slug("Huisartsenpraktijk De Linde"),
            "huisartsenpraktijk-de-linde"
        );
        assert_eq!(
            email_for("Emre Yılmaz", "JGZ Voorbeeld"),
            "emre.yilmaz@jgz-voorbeeld.example"
        );
        assert_eq!(
            email_for("Anouk van der Meer", "X"),
            "anouk.vandermeer@x.example"
        );
    }
}
