//! The consent check that every request to a child's network makes: where consent stands
//! for one member and category, from the family's answers. Measured per age band on a
//! family of two parents with gezag, one without and the youth, with a long history of
//! answers (200 per member and category, as years of giving and withdrawing would
//! leave). Baseline in the same run: only working out the child's age band, the least
//! any check does. Prints a table; `cargo bench -p rondom-domain --bench consent`.

use chrono::NaiveDate;
use rondom_domain::consent::{Answer, Band, FamilyMember, Relation, standing};
use std::hint::black_box;
use std::time::Instant;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn time(rounds: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        f();
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    (percentile(&times, 0.5), percentile(&times, 0.99))
}

fn main() {
    let birth = day(2012, 6, 15);
    let family = vec![
        FamilyMember {
            id: "p1".into(),
            relation: Relation::Ouder,
            gezag: true,
        },
        FamilyMember {
            id: "p2".into(),
            relation: Relation::Ouder,
            gezag: true,
        },
        FamilyMember {
            id: "p3".into(),
            relation: Relation::Pleegouder,
            gezag: false,
        },
        FamilyMember {
            id: "y".into(),
            relation: Relation::Jeugdige,
            gezag: false,
        },
    ];
    // 200 answers per family member, alternating, the last one a yes.
    let mut answers = Vec::new();
    for by in ["p1", "p2", "p3", "y"] {
        for i in 0..200u32 {
            answers.push(Answer {
                by: by.into(),
                on: day(2020, 1, 1) + chrono::Duration::days(i64::from(i) * 10),
                given: i % 2 == 1,
            });
        }
    }
    let rounds = 100_000;
    println!(
        "{:<26} | {:>8} | {:>8} | {:>9} | {:>7}",
        "band (on the day)", "p50 µs", "p99 µs", "base p50", "ratio"
    );
    for (label, today) in [
        ("under 12 (2024-01-10)", day(2024, 1, 10)),
        ("12 to 15 (2025-03-01)", day(2025, 3, 1)),
        ("16 and over (2029-01-01)", day(2029, 1, 1)),
    ] {
        let (p50, p99) = time(rounds, || {
            black_box(standing(
                black_box(birth),
                black_box(today),
                &family,
                &answers,
            ));
        });
        let (base, _) = time(rounds, || {
            black_box(Band::on(black_box(birth), black_box(today)));
        });
        println!(
            "{label:<26} | {p50:>8.2} | {p99:>8.2} | {base:>9.3} | {:>7.0}",
            p50 / base.max(0.001)
        );
    }
}
