//! The demo municipality "Gemeente Voorbeeld": fictional, synthetic, and the same on
//! every run (fixed seed). Nothing here is real personal data; e-mail addresses use the
//! reserved `.example` domain.

mod data;
mod families;
mod meetings;
pub mod messages_bench;
mod networks;
mod networks_bulk;
mod offer;
mod plans;
mod questions;
mod referrals;
pub mod region;
mod team;
mod world;

use data::*;

use chrono::{Datelike, NaiveDate};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rondom_db::organisations as orgs;
use rondom_db::{Db, DbError};
use rondom_domain::Role;

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

/// How many entries the one long access log holds (a child followed for years).
pub const LONG_LOG: usize = 10_000;

/// Adds `n` networks around the children of earlier bulk referrals and `log`
/// access-log entries about them, plus `LONG_LOG` entries about the child of the family
/// member with this e-mail address (for load tests). Answers (networks added, entries
/// written).
pub fn add_networks(
    db: &Db,
    key: &rondom_app::secrets::Secret,
    n: usize,
    log: usize,
    long_log_for: Option<&str>,
) -> Result<(usize, usize), String> {
    let secrets = rondom_app::secrets::SecretBox::new(key)?;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED ^ (n as u64).rotate_left(17));
    let children = db
        .write_blocking(|c| networks_bulk::add(c, &mut rng, &secrets, n))
        .map_err(|e| format!("adding networks failed: {e}"))?;
    let long_child = match long_log_for {
        None => None,
        Some(email) => db
            .write_blocking(|c| {
                let Some(u) = rondom_db::users::find_by_email(c, email)? else {
                    return Ok(None);
                };
                Ok(rondom_db::networks::of_member(c, &u.id, &[])?
                    .into_iter()
                    .next()
                    .map(|n| n.child_id.to_string()))
            })
            .map_err(|e| e.to_string())?
            .map(Some)
            .ok_or_else(|| format!("{email} is in no network"))?,
    };
    // The same family's network gets five years of messages and plan versions (the
    // copy of the file's load test).
    if let Some(email) = long_log_for {
        db.write_blocking(|c| networks_bulk::add_history(c, &secrets, email, 5))
            .map_err(|e| format!("adding the long history failed: {e}"))?;
    }
    let written = networks_bulk::add_log(
        db,
        &mut rng,
        &children,
        log,
        long_child.as_deref().map(|c| (c, LONG_LOG)),
    )?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    rondom_db::networks::analyze(&mut conn).map_err(|e| format!("analyze failed: {e}"))?;
    Ok((children.len(), written))
}

fn build(
    c: &mut rondom_db::AnyConnection,
    password_hash: &str,
    secrets: &rondom_app::secrets::SecretBox,
) -> Result<DemoSummary, DbError> {
    let g = Gen {
        rng: ChaCha8Rng::seed_from_u64(SEED),
        used_names: Default::default(),
    };
    // The order of the steps is part of the demo: the generator's draws follow it.
    let mut w = world::World::new(g, password_hash);
    world::districts(c)?;
    let o = world::organisations(c, &mut w)?;
    let staff = world::staff(c, &mut w, &o)?;
    team::build(c, &mut w, &o, &staff)?;
    let services = offer::build(c, &mut w, &o)?;
    questions::build(c, &mut w, secrets, &o, &staff)?;
    // A year of referrals, with the municipality's agreements.
    referrals::build(
        c,
        &mut w.g.rng,
        secrets,
        &referrals::Cast {
            gemeente_code: GEMEENTE,
            gemeente: &o.gemeente,
            practices: &o.practices,
            gps: &staff.gps,
            consultants: &staff.consultants,
            team: &o.team,
            providers: &o.providers,
            schools: &o.schools,
        },
    )?;
    // Stuurinformatie's denominators: the youth on each practice's list (about 1,900
    // inhabitants per practice of whom 23% youth, so a list of some 400 youth, more for
    // the larger practices) and in the municipality (35,000 inhabitants).
    let year = w.today.year();
    for (i, p) in o.practices.iter().enumerate() {
        for y in year - 2..=year {
            rondom_db::stuur::set_list_size(c, p.id.as_str(), y, 380 + 60 * i as i32)?;
        }
    }
    for y in year - 2..=year {
        rondom_db::stuur::set_area_youth(c, GEMEENTE, y, 8_050)?;
    }
    families::build(c, &mut w)?;
    let opened = networks::build(c, &mut w, &o, secrets)?;
    meetings::build(c, secrets, w.today, &o.team.id, &opened)?;
    rondom_app::console::record_demo(c, SEED)?;
    Ok(DemoSummary {
        organisations: w.org_count,
        users: w.user_count,
        services,
        logins: w.logins,
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
