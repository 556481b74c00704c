//! The offer in the sociale kaart: preventive courses, the team's own help, contracted
//! specialised care and the region's welfare work, with target groups, waiting times,
//! tariffs and the areas each covers.

use super::data::*;
use super::world::{DISTRICTS, Organisations, World};
use super::{GEMEENTE, NEIGHBOUR, day};
use chrono::NaiveDate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rondom_app::directory::hsds::import::round6;
use rondom_db::organisations as orgs;
use rondom_db::{AnyConnection, DbError, directory};
use rondom_domain::ids::{LocationId, OrganisationId};

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

/// What a row of `SERVICES` or `EXTRA_PROVIDERS` says about a service besides its owner
/// and name; the name is separate because the per-district copies get their own.
#[derive(Clone, Copy)]
struct OfferFields<'a> {
    description: &'a str,
    category: &'a str,
    access_route: &'a str,
    age_min: i32,
    age_max: i32,
    problem_areas: &'a str,
    cost: &'a str,
}

impl OfferFields<'static> {
    /// An `EXTRA_PROVIDERS` offer: (name, fields).
    fn of_offer(o: &Offer) -> (&'static str, Self) {
        let (name, description, category, access_route, age_min, age_max, problem_areas, cost) = *o;
        let fields = Self {
            description,
            category,
            access_route,
            age_min,
            age_max,
            problem_areas,
            cost,
        };
        (name, fields)
    }

    /// A `SERVICES` row: (owner, name, fields). Its tail has the shape of an offer, so the
    /// fields are read in one place.
    fn of_service(t: &ServiceTemplate) -> (&'static str, &'static str, Self) {
        let (name, fields) = Self::of_offer(&(t.1, t.2, t.3, t.4, t.5, t.6, t.7, t.8));
        (t.0, name, fields)
    }
}

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
        description: f.description,
        category: f.category,
        access_route: f.access_route,
        age_min: f.age_min,
        age_max: f.age_max,
        problem_areas: f.problem_areas,
        cost: Some(f.cost),
        wait_weeks: Some(wait),
        wait_reported_on: Some(reported),
        last_checked_on: today,
        ..Default::default()
    }
}

/// Both municipalities that contract regional care together.
fn whole_region() -> [(&'static str, String); 2] {
    [
        ("gemeente", GEMEENTE.to_owned()),
        ("gemeente", NEIGHBOUR.to_owned()),
    ]
}

/// Every service; answers how many.
pub(super) fn build(
    c: &mut AnyConnection,
    w: &mut World,
    o: &Organisations,
) -> Result<usize, DbError> {
    // The order of the steps is part of the demo: the generator's draws follow it.
    let mut count = own_offer(c, w, o)?;
    count += per_district(c, w, o)?;
    count += regional_offer(c, w, o)?;
    count += welfare_per_wijk(c, w, o)?;
    Ok(count)
}

/// The demo's own offer (`SERVICES`), once per owner; answers how many.
fn own_offer(c: &mut AnyConnection, w: &mut World, o: &Organisations) -> Result<usize, DbError> {
    let (team, jgz, gemeente) = (&o.team, &o.jgz, &o.gemeente);
    let (schools, more_schools, providers) = (&o.schools, &o.more_schools, &o.providers);
    let mut count = 0;
    let whole_region = whole_region();
    let own_gemeente = [("gemeente", GEMEENTE.to_owned())];
    for row in SERVICES {
        let (who, name, f) = OfferFields::of_service(row);
        let owners: Vec<&orgs::Organisation> = match who {
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
            let wait = match f.category {
                "preventief" => w.g.rng.gen_range(0..4),
                "eigen_hulp" => w.g.rng.gen_range(0..6),
                _ => w.g.rng.gen_range(4..26),
            };
            let reported = w.today - chrono::Duration::days(w.g.rng.gen_range(1..40));
            let school_wijk;
            let covers: &[(&str, String)] = match who {
                "team" | "jgz" | "gemeente" => &own_gemeente,
                "school" => {
                    school_wijk = [("wijk", owner.wijk_code.clone().unwrap_or_default())];
                    &school_wijk
                }
                _ => &whole_region,
            };
            place_service(
                c,
                &mut w.g.rng,
                offer(&owner.id, name, f, wait, reported, w.today),
                w.location_of.get(&owner.id),
                covers,
            )?;
            count += 1;
        }
    }
    Ok(count)
}

/// The team's group courses and the JGZ's consultation hours run in every district;
/// answers how many copies.
fn per_district(c: &mut AnyConnection, w: &mut World, o: &Organisations) -> Result<usize, DbError> {
    let (team, jgz) = (&o.team, &o.jgz);
    let mut count = 0;
    for row in SERVICES {
        let (who, name, f) = OfferFields::of_service(row);
        let owner = match (who, f.category) {
            ("team", "preventief") => &team,
            ("jgz", _) => &jgz,
            _ => continue,
        };
        for (code, d, _) in DISTRICTS.iter().skip(1) {
            let wait = w.g.rng.gen_range(0..5);
            let reported = w.today - chrono::Duration::days(w.g.rng.gen_range(1..40));
            place_service(
                c,
                &mut w.g.rng,
                offer(
                    &owner.id,
                    &format!("{name} (wijk {d})"),
                    f,
                    wait,
                    reported,
                    w.today,
                ),
                w.location_of.get(&owner.id),
                &[("wijk", (*code).to_owned())],
            )?;
            count += 1;
        }
    }
    Ok(count)
}

/// The region's further providers (`EXTRA_PROVIDERS`) at their own address; answers how
/// many.
fn regional_offer(
    c: &mut AnyConnection,
    w: &mut World,
    o: &Organisations,
) -> Result<usize, DbError> {
    let mut count = 0;
    let whole_region = whole_region();
    for (org, (_, _, offers)) in o.extra.iter().zip(EXTRA_PROVIDERS) {
        for row in *offers {
            let (name, f) = OfferFields::of_offer(row);
            let reported = w.today - chrono::Duration::days(w.g.rng.gen_range(1..60));
            let wait = if f.category == "specialistisch" {
                w.g.rng.gen_range(3..30)
            } else {
                w.g.rng.gen_range(0..6)
            };
            let nearby;
            let covers: &[(&str, String)] = if f.category == "specialistisch" {
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
                &mut w.g.rng,
                offer(&org.id, name, f, wait, reported, w.today),
                w.location_of.get(&org.id),
                covers,
            )?;
            count += 1;
        }
    }
    Ok(count)
}

/// Welfare work runs in every wijk, from the buurthuis there; answers how many services.
fn welfare_per_wijk(
    c: &mut AnyConnection,
    w: &mut World,
    o: &Organisations,
) -> Result<usize, DbError> {
    let mut count = 0;
    let mut buurthuis: std::collections::HashMap<(OrganisationId, usize), LocationId> =
        Default::default();
    for (org, (_, own_district, offers)) in o.extra.iter().zip(EXTRA_PROVIDERS) {
        for row in *offers {
            let (name, f) = OfferFields::of_offer(row);
            if !PER_WIJK.contains(&name) {
                continue;
            }
            for (d, (code, wijk, centre)) in DISTRICTS.iter().enumerate() {
                if d == *own_district {
                    continue;
                }
                let key = (org.id.clone(), d);
                if !buurthuis.contains_key(&key) {
                    let location = buurthuis_location(c, w, org, d, wijk, *centre)?;
                    buurthuis.insert(key.clone(), location);
                }
                let reported = w.today - chrono::Duration::days(w.g.rng.gen_range(1..40));
                let wait = w.g.rng.gen_range(0..4);
                place_service(
                    c,
                    &mut w.g.rng,
                    offer(
                        &org.id,
                        &format!("{name} (wijk {wijk})"),
                        f,
                        wait,
                        reported,
                        w.today,
                    ),
                    buurthuis.get(&key),
                    &[("wijk", (*code).to_owned())],
                )?;
                count += 1;
            }
        }
    }
    Ok(count)
}

/// Stores the buurthuis of `org` in district `d` and answers its id.
fn buurthuis_location(
    c: &mut AnyConnection,
    w: &mut World,
    org: &orgs::Organisation,
    d: usize,
    wijk: &str,
    centre: (f64, f64),
) -> Result<LocationId, DbError> {
    let (street, house_number) = w.g.street();
    let location = directory::Location {
        id: LocationId::trusted(rondom_db::new_id()),
        organisation_id: org.id.clone(),
        name: format!("Buurthuis {wijk}"),
        street,
        house_number,
        postcode: w.g.postcode(d),
        city: if d == 4 {
            "Voorbeeld-Dorp"
        } else {
            "Voorbeeld"
        }
        .into(),
        country: "NL".into(),
        latitude: Some(round6(centre.0 + w.g.rng.gen_range(-0.003..0.003))),
        longitude: Some(round6(centre.1 + w.g.rng.gen_range(-0.004..0.004))),
        last_checked_on: w.today,
    };
    directory::insert_location(c, &location)?;
    Ok(location.id)
}
