//! The sociale kaart's search over 20,000 generated services, in memory: what one search
//! costs on its own, per kind of query, against a baseline in the same run: the naive
//! scan that prepares every service's text at query time (how search worked before the
//! index). Prints a table; `cargo bench -p rondom-app --bench directory_search`.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rondom_app::directory::index::{Filter, SearchIndex};
use rondom_db::directory::ServiceRow;
use rondom_domain::area::{Area, Place};
use rondom_domain::search::{Document, Query};
use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

const TOPICS: &[(&str, &str, &str)] = &[
    (
        "Opvoedondersteuning",
        "opvoeding",
        "vragen over opvoeden, grenzen stellen en ritme",
    ),
    (
        "Faalangsttraining",
        "psychisch",
        "kinderen die dichtklappen bij toetsen",
    ),
    (
        "Huiswerkbegeleiding",
        "school",
        "plannen, leren leren en huiswerk maken",
    ),
    (
        "Weerbaarheidstraining",
        "sociaal",
        "voor jezelf opkomen en omgaan met pesten",
    ),
    (
        "Ouder-kindgroep",
        "opvoeding",
        "samen spelen en ervaringen delen",
    ),
    (
        "Jongerencoaching",
        "sociaal",
        "jongeren die vastlopen met school of vrienden",
    ),
    (
        "Gezinsbegeleiding",
        "opvoeding",
        "gezinnen met meerdere problemen tegelijk",
    ),
    (
        "Rouwverwerkingsgroep",
        "psychisch",
        "kinderen die iemand verloren",
    ),
    (
        "Scheidingsspreekuur",
        "opvoeding",
        "ouders en kinderen rond een scheiding",
    ),
    (
        "Slaapspreekuur",
        "lichamelijk",
        "baby's en peuters die slecht slapen",
    ),
    (
        "Angstbehandeling",
        "psychisch",
        "kinderen met angst- en paniekklachten",
    ),
    (
        "Autismebegeleiding",
        "ontwikkeling",
        "kinderen met autisme en hun ouders",
    ),
    (
        "Schuldhulpmaatjes",
        "financien",
        "gezinnen met geldzorgen en schulden",
    ),
    (
        "Gedragstherapie",
        "gedrag",
        "driftbuien, agressie en grensoverschrijdend gedrag",
    ),
];
const PLACES: &[&str] = &[
    "Noord", "Zuid", "Oost", "West", "Centrum", "Dorpen", "Haven", "Park",
];
const CATS: &[(&str, &str)] = &[
    ("preventief", "vrij"),
    ("eigen_hulp", "via_sociaal_team"),
    ("specialistisch", "verwijzing"),
];

/// Made-up words from Dutch-like syllables, so that the vocabulary has the tens of
/// thousands of distinct words of a real region's texts, not only the topics' few.
fn filler(rng: &mut StdRng) -> String {
    const SYLLABLES: &[&str] = &[
        "ge", "ver", "be", "ont", "wer", "kin", "der", "spel", "hulp", "oud", "er", "lijk", "zorg",
        "huis", "tijd", "school", "vrij", "plan", "gang", "stand", "loop", "kracht", "ba", "mo",
        "ti", "vel", "dag", "week", "sa", "men", "tra", "ject",
    ];
    (0..rng.gen_range(2..5))
        .map(|_| SYLLABLES[rng.gen_range(0..SYLLABLES.len())])
        .collect()
}

fn generate(n: usize) -> SearchIndex {
    let mut rng = StdRng::seed_from_u64(20_261_125);
    let mut rows = Vec::with_capacity(n);
    let mut areas = HashMap::new();
    let mut points = HashMap::new();
    let mut gemeenten = HashMap::new();
    for i in 0..n {
        let (topic, area, what) = TOPICS[rng.gen_range(0..TOPICS.len())];
        let place = PLACES[rng.gen_range(0..PLACES.len())];
        let (cat, route) = CATS[rng.gen_range(0..CATS.len())];
        let age_min = [0, 2, 4, 6, 8, 12][rng.gen_range(0..6)];
        let id = format!("s{i}");
        let org = format!("o{}", i / 20);
        gemeenten.insert(org.clone(), "GM9999".to_owned());
        areas.insert(
            id.clone(),
            vec![match rng.gen_range(0..3) {
                0 => Area::Gemeente("GM9999".into()),
                1 => Area::Wijk(format!("WK99990{}", rng.gen_range(1..6))),
                _ => {
                    let a = 9990 + rng.gen_range(0..8);
                    Area::Postcodes(a, a + 2)
                }
            }],
        );
        points.insert(
            id.clone(),
            vec![(
                52.1 + rng.gen_range(-0.05..0.05),
                5.6 + rng.gen_range(-0.08..0.08),
            )],
        );
        rows.push(ServiceRow {
            id: rondom_domain::ids::ServiceId::trusted(id),
            organisation_id: rondom_domain::ids::OrganisationId::trusted(org),
            organisation_name: format!("Stichting {place} {}", i / 20),
            name: format!("{topic} {place} {}", i % 20),
            description: format!(
                "{topic} voor {what}. Aangeboden in {place}. {} {} {}.",
                filler(&mut rng),
                filler(&mut rng),
                filler(&mut rng)
            ),
            category: cat.into(),
            access_route: route.into(),
            age_min,
            age_max: (age_min + [4, 6, 10, 14][rng.gen_range(0..4)]).min(23),
            problem_areas: area.into(),
            cost: None,
            wait_weeks: Some(rng.gen_range(0..30)),
            wait_reported_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 1),
            last_checked_on: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap_or_default(),
            tariff_cents: None,
            tariff_unit: None,
            contracted_by: None,
            contract_from: None,
            contract_until: None,
            capacity: None,
        });
    }
    SearchIndex::build(1, rows, areas, points, &gemeenten, vec![])
}

/// The search as it was before the index: every service's text prepared per query.
fn naive(index: &SearchIndex, q: &Query) -> usize {
    index
        .entries
        .iter()
        .filter(|e| {
            let all = format!(
                "{} {} {}",
                e.row.name, e.row.description, e.row.organisation_name
            );
            q.score(&Document::new(&e.row.name))
                .max(0.8 * q.score(&Document::new(&all)))
                > 0.0
        })
        .count()
}

/// (text, category, age, access route, maximum wait, only in wijk Noord)
type BenchQuery = (
    &'static str,
    &'static str,
    Option<u8>,
    &'static str,
    Option<i32>,
    bool,
);

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let n = 20_000;
    let t = Instant::now();
    let index = generate(n);
    println!(
        "index of {n} services ({} distinct words) built in {:.0} ms",
        index.vocabulary_size(),
        t.elapsed().as_secs_f64() * 1000.0
    );
    let noord = Place {
        gemeente: Some("GM9999".into()),
        wijk: Some("WK999902".into()),
        postcode: Some(9992),
        point: Some((52.116, 5.605)),
    };
    let queries: &[BenchQuery] = &[
        ("opvoeden", "", None, "", None, false),
        ("opvoeden", "", Some(9), "", None, false),
        ("faalangst", "", None, "", None, false),
        ("huiswerkbegeleidng", "", None, "", None, false),
        ("scheiding", "", None, "", None, true),
        ("", "specialistisch", None, "", Some(4), false),
        ("autisme", "", None, "verwijzing", None, false),
        ("slapen baby", "", None, "", None, false),
        ("blowen", "", None, "", None, false),
        ("rouw", "", None, "", None, false),
        ("eetproblemen 14 jaar", "", None, "", None, false),
        ("opvoedingsondersteuning", "", None, "", None, false),
    ];
    println!(
        "{:<34} | {:>7} | {:>9} | {:>9} | {:>10} | {:>6}",
        "query", "matches", "p50 µs", "p99 µs", "naive µs", "ratio"
    );
    let rounds = 200;
    for (text, category, age, route, wait, near) in queries {
        let q = Query::parse(text);
        let filter = Filter {
            text: &q,
            age: *age,
            category,
            access_route: route,
            problem_area: "",
            max_wait: *wait,
            organisation_id: None,
            place: near.then_some(&noord),
            from: Some((52.1, 5.6)),
            fold_copies: true,
        };
        let mut times = Vec::with_capacity(rounds);
        let mut total = 0;
        for _ in 0..rounds {
            let t = Instant::now();
            let (count, hits) = index.search(black_box(&filter), 50);
            black_box(hits);
            times.push(t.elapsed().as_secs_f64() * 1e6);
            total = count;
        }
        times.sort_by(f64::total_cmp);
        let naive_us = if text.is_empty() {
            f64::NAN
        } else {
            let t = Instant::now();
            black_box(naive(&index, &q));
            t.elapsed().as_secs_f64() * 1e6
        };
        let label = format!(
            "{text} {category} {route}{}{}",
            age.map(|a| format!(" {a} jaar")).unwrap_or_default(),
            if *near { " (wijk Noord)" } else { "" }
        );
        println!(
            "{:<34} | {:>7} | {:>9.0} | {:>9.0} | {:>10.0} | {:>6.3}",
            label.trim(),
            total,
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            naive_us,
            percentile(&times, 0.5) / naive_us
        );
    }
}
