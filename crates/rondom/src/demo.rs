//! The demo municipality "Gemeente Voorbeeld": fictional, synthetic, and the same on
//! every run (fixed seed). Nothing here is real personal data; e-mail addresses use the
//! reserved `.example` domain.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rondom_db::organisations::{self as orgs, District, OrganisationInput};
use rondom_db::{Db, DbError, audit, directory, users};
use rondom_domain::{OrganisationKind, Role};

pub const SEED: u64 = 20_261_122;
pub const DEMO_PASSWORD: &str = "rondom-demo-2026";
pub const GEMEENTE: &str = "GM9999";

const FIRST: &[&str] = &[
    "Anouk",
    "Bram",
    "Charlotte",
    "Daan",
    "Eva",
    "Fleur",
    "Gijs",
    "Hanna",
    "Iris",
    "Jeroen",
    "Karin",
    "Lars",
    "Maaike",
    "Niels",
    "Olga",
    "Pieter",
    "Renske",
    "Sanne",
    "Thijs",
    "Ursula",
    "Vera",
    "Willem",
    "Yara",
    "Zeynep",
    "Mohammed",
    "Fatima",
    "Sven",
    "Lotte",
    "Emre",
    "Noor",
    "Joost",
    "Esther",
    "Ruben",
    "Ilse",
];
const LAST: &[&str] = &[
    "de Vries",
    "Jansen",
    "van Dijk",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Kok",
    "Jacobs",
    "Yılmaz",
    "El Amrani",
    "Koster",
    "Verhoeven",
    "Prins",
    "Hoekstra",
];
const STREETS: &[&str] = &[
    "Lindelaan",
    "Kerkstraat",
    "Molenweg",
    "Stationsplein",
    "Dorpsstraat",
    "Schoolstraat",
    "Marktplein",
    "Beatrixlaan",
    "Julianastraat",
    "Rozengracht",
    "Parklaan",
    "Dijkweg",
];

/// The login names shown when `serve --demo` starts.
pub struct DemoLogin {
    pub role: &'static str,
    pub email: String,
    pub organisation: String,
}

pub struct DemoSummary {
    pub organisations: usize,
    pub users: usize,
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
pub fn load(db: &Db) -> Result<Option<DemoSummary>, String> {
    let mut conn = db.get().map_err(|e| e.to_string())?;
    if orgs::count(&mut conn).map_err(|e| e.to_string())? > 0 {
        return Ok(None);
    }
    drop(conn);
    let password_hash = rondom_web::auth::password::hash_blocking(DEMO_PASSWORD)?;
    db.write_blocking(|c| {
        if orgs::count(c)? > 0 {
            return Ok(None);
        }
        build(c, &password_hash).map(Some)
    })
    .map_err(|e| format!("loading the demo data failed: {e}"))
}

fn build(c: &mut rondom_db::AnyConnection, password_hash: &str) -> Result<DemoSummary, DbError> {
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(SEED),
        used_names: Default::default(),
    };
    let districts = [
        ("WK999901", "Centrum"),
        ("WK999902", "Noord"),
        ("WK999903", "Zuid"),
        ("WK999904", "Oosterhout"),
        ("WK999905", "Dorpen"),
    ];
    for (code, name) in districts {
        orgs::upsert_district(
            c,
            &District {
                code: code.into(),
                gemeente_code: GEMEENTE.into(),
                name: name.into(),
            },
        )?;
    }
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
            kind: kind.as_str().into(),
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
        orgs::create(c, &input)
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

    for (i, (p, (_, _, has_poh))) in practice_orgs.iter().zip(practices).enumerate() {
        let e = person(c, &mut g, p, &[Role::Huisarts, Role::OrganisatieBeheerder])?;
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
            directory::add_exception(
                c,
                &link,
                &day.format("%Y-%m-%d").to_string(),
                Some("vakantie"),
            )?;
        }
    }

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

    audit::append(
        c,
        &audit::AuditEvent {
            actor_name: "rondom demo".into(),
            action: "demo_loaded".into(),
            object_type: "installation".into(),
            reason: Some(format!("seed {SEED}")),
            outcome: "allowed".into(),
            ..Default::default()
        },
    )?;
    Ok(DemoSummary {
        organisations: org_count,
        users: user_count,
        logins,
    })
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
