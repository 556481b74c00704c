//! Stuurinformatie (issue 17): figures on a small hand-made set whose answers are worked
//! out here by hand, the kept facts equal to a full recompute, suppression that no
//! pair of filters can undo, and every role against every dashboard and its API.

use crate::common::*;
use chrono::{Datelike, NaiveDate};
use rondom_db::referrals::{self, Move, NewChild, NewReferral};
use rondom_db::stuur::{self as facts, Scope};
use rondom_domain::referral::{FeedbackKind, Status, Urgency};
use serde_json::Value;

on_both_backends!(
    a_referral_names_the_childs_district,
    figures_match_the_hand_count,
    the_spreadsheet_holds_every_table_protected,
    kept_facts_equal_a_full_recompute,
    suppression_holds_against_overlapping_filters,
    every_role_sees_only_its_own_figures,
);

pub(crate) struct Region {
    pub(crate) gemeente: String,
    pub(crate) other_gemeente: String,
    pub(crate) practice_a: String,
    pub(crate) practice_b: String,
    pub(crate) team: String,
}

/// The current quarter as the filter writes it: everything below happens today.
pub(crate) fn this_quarter() -> String {
    let t = chrono::Local::now().date_naive();
    format!("{}-K{}", t.year(), t.month0() / 3 + 1)
}

struct Step<'a> {
    child_born: &'a str,
    wijk: Option<&'a str>,
    from: &'a str,
    referrer: &'a str,
    to: &'a str,
    service: Option<&'a str>,
    /// Completed with feedback (else left in progress).
    complete: bool,
    /// The team refers on to this provider from it.
    onward_to: Option<&'a str>,
}

async fn referral(app: &TestApp, s: Step<'_>, actor: &str, provider_staff: &str) {
    let (born, wijk) = (
        NaiveDate::parse_from_str(s.child_born, "%Y-%m-%d").unwrap(),
        s.wijk.map(str::to_owned),
    );
    let (from, referrer, to) = (s.from.to_owned(), s.referrer.to_owned(), s.to.to_owned());
    let service = s.service.map(str::to_owned);
    let (complete, onward) = (s.complete, s.onward_to.map(str::to_owned));
    let (actor, staff) = (actor.to_owned(), provider_staff.to_owned());
    app.db
        .write(move |c| {
            let child = referrals::create_child(
                c,
                &NewChild {
                    wijk_code: None,
                    name_sealed: "sealed",
                    birth_date: born,
                    gemeente_code: "GM9999",
                    bsn_sealed: None,
                    created_by: &referrer,
                    match_bsn: None,
                    match_name: None,
                },
            )?;
            if let Some(w) = &wijk {
                facts::set_child_wijk(c, &child, w)?;
            }
            let new = |from: &str,
                       referrer: &str,
                       to: &str,
                       service: Option<&str>,
                       parent: Option<&str>| OwnedReferral {
                child: child.clone(),
                parent: parent.map(str::to_owned),
                from: from.to_owned(),
                referrer: referrer.to_owned(),
                to: to.to_owned(),
                service: service.map(str::to_owned),
            };
            let today = chrono::Local::now().date_naive();
            let mv = |c: &mut rondom_db::AnyConnection,
                      id: &str,
                      from: Status,
                      to: Status,
                      who: &str| {
                referrals::apply_move(
                    c,
                    id,
                    &Move {
                        from,
                        to,
                        actor_id: who,
                        reason_sealed: None,
                        due_on: None,
                        accepted_on: (to == Status::Accepted).then_some(today),
                        case_director_id: (to == Status::Accepted && who == actor).then_some(who),
                    },
                )
            };
            let first = referrals::create(
                c,
                &new(&from, &referrer, &to, service.as_deref(), None).as_new(),
            )?;
            let receiver = if service.is_some() {
                staff.as_str()
            } else {
                actor.as_str()
            };
            mv(c, &first, Status::Requested, Status::Accepted, receiver)?;
            mv(c, &first, Status::Accepted, Status::InProgress, receiver)?;
            if complete {
                mv(c, &first, Status::InProgress, Status::Completed, receiver)?;
                referrals::add_feedback(c, &first, receiver, FeedbackKind::Completed, "sealed")?;
            }
            if let Some(p) = &onward {
                let next = referrals::create(c, &new(&to, &actor, p, None, Some(&first)).as_new())?;
                mv(c, &next, Status::Requested, Status::Accepted, &staff)?;
            }
            Ok(())
        })
        .await
        .unwrap();
}

/// A referral's parts, owned (NewReferral borrows them).
struct OwnedReferral {
    child: String,
    parent: Option<String>,
    from: String,
    referrer: String,
    to: String,
    service: Option<String>,
}

impl OwnedReferral {
    fn as_new(&self) -> NewReferral<'_> {
        NewReferral {
            child_id: &self.child,
            parent_id: self.parent.as_deref(),
            consultation_id: None,
            agreements_id: None,
            from_org_id: &self.from,
            referrer_id: &self.referrer,
            on_behalf_of_id: None,
            to_org_id: &self.to,
            service_id: self.service.as_deref(),
            school_id: None,
            reason_sealed: "sealed",
            problem_areas: "gedrag",
            urgency: Urgency::Regulier,
            status: Status::Requested,
            case_director_id: None,
            due_on: None,
        }
    }
}

/// The hand-made municipality (GM9999), all of it today:
/// - practice A (1,000 youth on its list) refers 12 children to the team; 9 are 8 years
///   old, 3 are 14; the team completes 10 and refers 2 on to the provider;
/// - practice B (400 youth) refers 6 children of 8 straight to the provider's service;
/// - the JGZ refers 3 children of 8 to the team, still in progress.
///
/// So: 21 youth with help, 13 of them by the team alone (A's 10 and the JGZ's 3);
/// 23 new trajectories: 18 from GPs, 2 from the team (gemeente), 3 from the JGZ.
pub(crate) async fn region(app: &TestApp) -> Region {
    let gemeente = app.org_in("Gemeente Voorbeeld", "gemeente", "GM9999").await;
    let other_gemeente = app.org_in("Gemeente Elders", "gemeente", "GM8888").await;
    let practice_a = app.org("Praktijk De Akker", "huisartsenpraktijk").await;
    let practice_b = app.org("Praktijk De Beuk", "huisartsenpraktijk").await;
    let team = app.org("Sociaal Team Voorbeeld", "sociaal_team").await;
    let jgz = app.org("JGZ Voorbeeld", "jgz").await;
    let provider = app.org("Jeugdhulp Horizon", "zorgaanbieder").await;
    app.user(
        "beleid@gemeente.example",
        Some(&gemeente),
        &["beleidsmedewerker"],
    )
    .await;
    app.user(
        "beleid@elders.example",
        Some(&other_gemeente),
        &["beleidsmedewerker"],
    )
    .await;
    let arts_a = app
        .user("arts@akker.example", Some(&practice_a), &["huisarts"])
        .await;
    let arts_b = app
        .user("arts@beuk.example", Some(&practice_b), &["huisarts"])
        .await;
    let jeugdarts = app.user("arts@jgz.example", Some(&jgz), &["jgz"]).await;
    let consulent = app
        .user("sanne@team.example", Some(&team), &["consulent"])
        .await;
    app.user("leider@team.example", Some(&team), &["teamleider"])
        .await;
    let staff = app
        .user(
            "zorg@horizon.example",
            Some(&provider),
            &["zorgaanbieder_medewerker"],
        )
        .await;
    let platform = app.org("Platform", "platform").await;
    app.user("root@platform.example", Some(&platform), &["beheerder"])
        .await;
    let prov = provider.clone();
    let service = app
        .db
        .write(move |c| {
            rondom_db::directory::create_service(
                c,
                &rondom_db::directory::NewService {
                    organisation_id: &prov,
                    name: "Behandeling gedrag",
                    description: "Specialistische jeugdhulp.",
                    category: "specialistisch",
                    access_route: "verwijzing",
                    age_min: 4,
                    age_max: 18,
                    problem_areas: "gedrag",
                    last_checked_on: day("2026-11-01"),
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap()
        .to_string();
    let (a, b, svc) = (practice_a.clone(), practice_b.clone(), service.clone());
    let year = chrono::Local::now().year();
    app.db
        .write(move |c| {
            facts::set_list_size(c, &a, year, 1000)?;
            facts::set_tariff(c, &svc, year, 100_000, "traject")?;
            facts::set_budget(c, "GM9999", year, 12_000_000)?;
            facts::set_list_size(c, &b, year, 400)?;
            rondom_db::organisations::upsert_district(
                c,
                &rondom_db::organisations::District {
                    code: "WK999901".into(),
                    gemeente_code: "GM9999".into(),
                    name: "Centrum".into(),
                    postcodes: None,
                    latitude: None,
                    longitude: None,
                },
            )?;
            rondom_db::organisations::upsert_district(
                c,
                &rondom_db::organisations::District {
                    code: "WK999902".into(),
                    gemeente_code: "GM9999".into(),
                    name: "Noord".into(),
                    postcodes: None,
                    latitude: None,
                    longitude: None,
                },
            )
        })
        .await
        .unwrap();
    for i in 0..12 {
        let born = if i < 9 { "2018-01-01" } else { "2012-01-01" };
        let step = Step {
            child_born: born,
            wijk: Some(if i < 6 { "WK999901" } else { "WK999902" }),
            from: &practice_a,
            referrer: &arts_a,
            to: &team,
            service: None,
            complete: i < 10,
            onward_to: (i >= 10).then_some(provider.as_str()),
        };
        referral(app, step, &consulent, &staff).await;
    }
    for _ in 0..6 {
        let step = Step {
            child_born: "2018-01-01",
            wijk: Some("WK999902"),
            from: &practice_b,
            referrer: &arts_b,
            to: &provider,
            service: Some(&service),
            complete: false,
            onward_to: None,
        };
        referral(app, step, &consulent, &staff).await;
    }
    for _ in 0..3 {
        let step = Step {
            child_born: "2018-01-01",
            wijk: Some("WK999901"),
            from: &jgz,
            referrer: &jeugdarts,
            to: &team,
            service: None,
            complete: false,
            onward_to: None,
        };
        referral(app, step, &consulent, &staff).await;
    }
    Region {
        gemeente,
        other_gemeente,
        practice_a,
        practice_b,
        team,
    }
}

pub(crate) async fn api_get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let r = app
        .client()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The row of `table` whose first cell starts with `label`, as shown texts.
pub(crate) fn row(body: &Value, table: &str, label: &str) -> Vec<String> {
    let t = body["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == table)
        .unwrap_or_else(|| panic!("no table {table}"));
    t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[0]["text"].as_str().unwrap().starts_with(label))
        .unwrap_or_else(|| panic!("no row {label} in {table}: {t}"))
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn figures_match_the_hand_count(b: Backend) {
    let app = TestApp::start(b).await;
    let r = region(&app).await;
    let token = app
        .token_for(&app.user_id("beleid@gemeente.example").await)
        .await;
    let q = this_quarter();
    let (status, body) = api_get(
        &app,
        &token,
        &format!("/api/v1/stuurinformatie?van={q}&tot={q}"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["organisation_id"], r.gemeente.as_str());
    // 21 youth with help (shown rounded: 20), 13 by the team alone (15); 13/21 = 62%.
    assert_eq!(
        row(&body, "eigen_hulp", "Deze gemeente"),
        ["Deze gemeente", "20", "15", "62%"]
    );
    assert_eq!(row(&body, "eigen_hulp", "Landelijk")[3], "15%");
    // 18 of 23 new trajectories from GPs (20 shown, 78%), 2 and 3 from the team and the
    // JGZ (each under five); CBS's 38.6% beside it.
    assert_eq!(
        row(&body, "verwijzers", "Huisarts"),
        ["Huisarts (02)", "20", "78%", "38,6%"]
    );
    assert_eq!(row(&body, "verwijzers", "Gemeentelijke toegang")[1], "<5");
    assert_eq!(row(&body, "verwijzers", "Jeugdarts")[1], "<5");
    assert_eq!(row(&body, "verwijzers", "Totaal")[1], "25");
    // Practice A: 12 referrals (10 shown) over 1,000 youth; B: 6 (5) over 400 = 12,5.
    let a = row(&body, "huisartsen", "Praktijk De Akker");
    assert_eq!((a[1].as_str(), a[2].as_str()), ("10", "10"));
    let bb = row(&body, "huisartsen", "Praktijk De Beuk");
    assert_eq!((bb[1].as_str(), bb[2].as_str()), ("5", "12,5"));
    // Money: practice B's 6 trajectories started at the service, € 1,000 each: € 6,000,
    // of a year's budget of € 120,000 a quarter is € 30,000: 20%.
    assert_eq!(row(&body, "geld", "Totaal")[2], "€ 6.000");
    assert_eq!(row(&body, "geld", "Budget")[2..], ["€ 30.000", "20%"]);
    assert_eq!(row(&body, "geld", "Gedrag")[1], "5");
    // All 23 were decided the day they came in: on time, but a share needs five late
    // ones beside it before it is shown.
    assert_eq!(
        row(&body, "terugkoppeling", "Besluit"),
        ["Besluit over acceptatie", "25", "25", "–"]
    );
    // Per month: the quarter's three months, the referrals all in this one.
    let (_, monthly) = api_get(
        &app,
        &token,
        &format!("/api/v1/stuurinformatie?van={q}&tot={q}&per=maand"),
    )
    .await;
    let trend = monthly["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "trend")
        .unwrap();
    assert_eq!(trend["rows"].as_array().unwrap().len(), 3);
    assert_eq!(trend["title"], "Verloop per maand");
    // The team's own figures: its referrals only (A's 12, the JGZ's 3, the 2 onward).
    let leider = app
        .token_for(&app.user_id("leider@team.example").await)
        .await;
    let (status, team) = api_get(
        &app,
        &leider,
        &format!("/api/v1/stuurinformatie?van={q}&tot={q}"),
    )
    .await;
    assert_eq!(status, 200, "{team}");
    assert_eq!(team["organisation_id"], r.team.as_str());
    // 15 youth, 13 by the team alone: the rest (2) is under five, so no share.
    assert_eq!(
        row(&team, "eigen_hulp", "Dit team"),
        ["Dit team", "15", "15", "–"]
    );
    let caseload = row(&team, "caseload", "Test sanne");
    // 2 + 3 open team referrals directed by Sanne: 5.
    assert_eq!(caseload, ["Test sanne", "5", "0"]);
    app.stop().await;
}

async fn kept_facts_equal_a_full_recompute(b: Backend) {
    let app = TestApp::start(b).await;
    region(&app).await;
    let (kept, fresh) = app
        .db
        .read(|c| {
            let scope = Scope::Gemeente("GM9999".into());
            Ok((
                facts::facts(c, &scope, 999912, None)?,
                facts::recompute(c, &scope, 999912)?,
            ))
        })
        .await
        .unwrap();
    let sorted = |mut v: Vec<rondom_domain::stuur::Fact>| {
        v.sort_by(|a, b| a.referral_id.cmp(&b.referral_id));
        v
    };
    assert_eq!(kept.len(), 23);
    assert_eq!(sorted(kept), sorted(fresh));
    app.stop().await;
}

async fn suppression_holds_against_overlapping_filters(b: Backend) {
    let app = TestApp::start(b).await;
    region(&app).await;
    let token = app
        .token_for(&app.user_id("beleid@gemeente.example").await)
        .await;
    let q = this_quarter();
    let gp = |body: &Value| row(body, "verwijzers", "Huisarts")[1].clone();
    let (_, all) = api_get(
        &app,
        &token,
        &format!("/api/v1/stuurinformatie?van={q}&tot={q}"),
    )
    .await;
    let (_, young) = api_get(
        &app,
        &token,
        &format!("/api/v1/stuurinformatie?van={q}&tot={q}&leeftijd=4-11"),
    )
    .await;
    let (_, teen) = api_get(
        &app,
        &token,
        &format!("/api/v1/stuurinformatie?van={q}&tot={q}&leeftijd=12-17"),
    )
    .await;
    // Youth with help: 21 in all, 18 of 4 to 11, 3 teenagers. The teenagers' 3 is
    // suppressed; the other two views, subtracted, would give it exactly (21 - 18)
    // were they not rounded: shown, they give 20 - 20 = 0.
    let helped = |body: &Value| row(body, "eigen_hulp", "Deze gemeente")[1].clone();
    assert_eq!(helped(&teen), "<5");
    let (all_n, young_n): (i64, i64) = (
        helped(&all).parse().unwrap(),
        helped(&young).parse().unwrap(),
    );
    assert_eq!((all_n, young_n), (20, 20));
    assert_ne!(
        all_n - young_n,
        3,
        "the difference recovers the suppressed count"
    );
    // GP trajectories: 18 in all, 3 of them teenagers' ("<5"). Among the 4-to-11s the
    // JGZ's 3 are suppressed, so the GPs' 15 is hidden beside them (the total would
    // give the JGZ's 3 away): the whole minus the 4-to-11s has nothing to subtract.
    assert_eq!(gp(&teen), "<5");
    assert_eq!(gp(&all), "20");
    assert_eq!(gp(&young), "×");
    // The same with districts: Centrum + Noord against the whole municipality.
    let (_, centrum) = api_get(
        &app,
        &token,
        &format!("/api/v1/stuurinformatie?van={q}&tot={q}&wijk=WK999901"),
    )
    .await;
    let jgz = |body: &Value| row(body, "verwijzers", "Jeugdarts")[1].clone();
    assert_eq!(jgz(&centrum), "<5");
    // No count from 1 to 4 anywhere, in any table of any view, its page or its CSV.
    let client = logged_in(&app, "beleid@gemeente.example").await;
    for filter in [
        "",
        "&leeftijd=4-11",
        "&leeftijd=12-17",
        "&wijk=WK999901",
        "&per=maand",
    ] {
        let page = fetch_page(
            &app,
            &client,
            &format!("/stuurinformatie?van={q}&tot={q}{filter}"),
        )
        .await;
        for n in 1..5 {
            assert!(
                !page.contains(&format!("<td>{n}</td>")),
                "{filter}: a count of {n} on the page"
            );
            assert!(
                !page.contains(&format!("data-value>{n}</text>")),
                "{filter}: a bar of {n}"
            );
        }
    }
    for view in [&all, &young, &teen, &centrum] {
        for t in view["tables"].as_array().unwrap() {
            let cols: Vec<String> = t["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect();
            for r in t["rows"].as_array().unwrap() {
                for (i, c) in r.as_array().unwrap().iter().enumerate().skip(1) {
                    if cols[i].contains("dagen") {
                        continue;
                    }
                    let text = c["text"].as_str().unwrap();
                    assert!(
                        !matches!(text, "1" | "2" | "3" | "4"),
                        "a small count in {}: {text}",
                        t["key"]
                    );
                }
            }
            let (status, csv) = fetch_any(
                &app,
                &client,
                &format!(
                    "/stuurinformatie/export.csv?van={q}&tot={q}&tabel={}",
                    t["key"].as_str().unwrap()
                ),
            )
            .await;
            assert_eq!(status, 200);
            for line in csv.lines().skip(4) {
                for cell in line.split(';').skip(1) {
                    assert!(
                        !matches!(cell, "1" | "2" | "3" | "4")
                            || t["key"] == "doorlooptijden"
                            || t["key"] == "wachttijden",
                        "{line}"
                    );
                }
            }
        }
    }
    app.stop().await;
}

async fn every_role_sees_only_its_own_figures(b: Backend) {
    let app = TestApp::start(b).await;
    let r = region(&app).await;
    let q = this_quarter();
    let path = |org: &str| format!("/api/v1/stuurinformatie?org={org}&van={q}&tot={q}");
    let token = |email: &'static str| {
        let app = &app;
        async move { app.token_for(&app.user_id(email).await).await }
    };
    let cases: Vec<(&str, Vec<(&str, u16)>)> = vec![
        (
            "beleid@gemeente.example",
            vec![
                (&r.gemeente, 200),
                (&r.other_gemeente, 403),
                (&r.team, 403),
                (&r.practice_a, 403),
            ],
        ),
        (
            "beleid@elders.example",
            vec![(&r.other_gemeente, 200), (&r.gemeente, 403)],
        ),
        (
            "leider@team.example",
            vec![(&r.team, 200), (&r.gemeente, 403), (&r.practice_a, 403)],
        ),
        (
            "arts@akker.example",
            vec![
                (&r.practice_a, 200),
                (&r.practice_b, 403),
                (&r.gemeente, 403),
            ],
        ),
        (
            "sanne@team.example",
            vec![(&r.team, 403), (&r.gemeente, 403)],
        ),
        ("zorg@horizon.example", vec![(&r.gemeente, 403)]),
        (
            "root@platform.example",
            vec![(&r.gemeente, 403), (&r.team, 403), (&r.practice_a, 403)],
        ),
    ];
    for (email, checks) in cases {
        let t = token(email).await;
        for (org, want) in checks {
            let (status, body) = api_get(&app, &t, &path(org)).await;
            assert_eq!(status, want, "{email} on {org}: {body}");
        }
        // The page answers the same.
        let client = logged_in(&app, email).await;
        let (status, _) = fetch_any(
            &app,
            &client,
            &format!("/stuurinformatie?org={}", r.gemeente),
        )
        .await;
        let want = if email == "beleid@gemeente.example" {
            200
        } else {
            403
        };
        assert_eq!(status, want, "{email} on the municipality's page");
    }
    // Municipality B sees nothing of A's children.
    let elders = token("beleid@elders.example").await;
    let (_, body) = api_get(&app, &elders, &path(&r.other_gemeente)).await;
    assert_eq!(row(&body, "verwijzers", "Totaal")[1], "0");
    // A practice sees itself and the average, never the other practice by name.
    let akker = token("arts@akker.example").await;
    let (_, body) = api_get(&app, &akker, &path(&r.practice_a)).await;
    let text = body.to_string();
    assert!(text.contains("Praktijk De Akker"));
    assert!(!text.contains("Praktijk De Beuk"), "{text}");
    assert!(text.contains("Gemiddelde van 2 praktijken"));
    // A parent has no stuurinformatie at all.
    app.user("ouder@gezin.example", None, &["ouder_verzorger"])
        .await;
    let parent = token("ouder@gezin.example").await;
    let (status, _) = api_get(&app, &parent, &path(&r.gemeente)).await;
    assert_eq!(status, 403);
    app.stop().await;
}

/// The cells of one sheet's XML: (reference, shared string?, style index, value).
fn cells(xml: &str) -> Vec<(String, bool, String, String)> {
    let attr = |head: &str, name: &str| -> String {
        head.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|v| v.split('"').next())
            .unwrap_or("")
            .to_owned()
    };
    xml.split("<c ")
        .skip(1)
        .filter_map(|c| {
            let head = &c[..c.find('>')?];
            let v = c.split("<v>").nth(1)?.split("</v>").next()?.to_owned();
            Some((
                attr(head, "r"),
                head.contains("t=\"s\""),
                attr(head, "s"),
                v,
            ))
        })
        .collect()
}

/// The style indexes whose number format is a percentage (Excel's built-in format 9, or
/// one defined as "0%").
fn percent_styles(styles: &str) -> Vec<String> {
    let mut ids = vec!["9".to_owned()];
    for f in styles.split("<numFmt ").skip(1) {
        if f.contains("formatCode=\"0%\"")
            && let Some(id) = f
                .split("numFmtId=\"")
                .nth(1)
                .and_then(|v| v.split('"').next())
        {
            ids.push(id.to_owned());
        }
    }
    let xfs = styles
        .split("<cellXfs")
        .nth(1)
        .and_then(|x| x.split("</cellXfs>").next())
        .unwrap_or("");
    xfs.split("<xf ")
        .skip(1)
        .enumerate()
        .filter(|(_, xf)| {
            ids.iter()
                .any(|id| xf.contains(&format!("numFmtId=\"{id}\"")))
        })
        .map(|(i, _)| i.to_string())
        .collect()
}

async fn the_spreadsheet_holds_every_table_protected(b: Backend) {
    use std::io::Read;
    let app = TestApp::start(b).await;
    region(&app).await;
    let q = this_quarter();
    let client = logged_in(&app, "beleid@gemeente.example").await;
    let resp = client
        .get(app.url(&format!("/stuurinformatie/export.xlsx?van={q}&tot={q}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with(".xlsx\"")
    );
    let bytes = resp.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let book = read("xl/workbook.xml");
    let strings = read("xl/sharedStrings.xml");
    let percent = percent_styles(&read("xl/styles.xml"));
    assert!(!percent.is_empty(), "shares are written as percentages");
    // One sheet per table of the page (the team's caseload is not a municipality's).
    for title in [
        "Hulp door het sociaal team zelf",
        "Nieuwe trajecten per verwijzer",
        "Huisartsenpraktijken",
        "Terugkoppeling op tijd",
    ] {
        assert!(book.contains(title), "no sheet {title}: {book}");
    }
    assert!(strings.contains("&lt;5"), "the suppressed cells are text");
    assert!(
        strings.contains("Gemeente Voorbeeld"),
        "the filters are named"
    );
    let sheets = book.matches("<sheet ").count();
    for n in 1..=sheets {
        let xml = read(&format!("xl/worksheets/sheet{n}.xml"));
        // The referrers' sheet: GP trajectories 18, written as the rounded 20.
        if n == 2 {
            assert!(
                cells(&xml)
                    .iter()
                    .any(|(r, s, _, v)| r == "B6" && !s && v == "20"),
                "{xml}"
            );
        }
        if n == 6 || n == 7 {
            continue; // lead and waiting times are days, not counts
        }
        for (r, shared, style, v) in cells(&xml) {
            let count = !shared && !percent.contains(&style);
            assert!(
                !count || !matches!(v.as_str(), "1" | "2" | "3" | "4"),
                "sheet {n} {r}: {v}"
            );
        }
    }
    app.stop().await;
}

/// The referral form and the API take the district the child lives in, of the chosen
/// municipality only; it is where the figures per wijk come from.
async fn a_referral_names_the_childs_district(b: Backend) {
    let app = TestApp::start(b).await;
    let w = crate::referral::world(&app).await;
    app.db
        .write(|c| {
            for (code, gemeente, name) in [
                ("WK999901", "GM9999", "Centrum"),
                ("WK888801", "GM8888", "Elders"),
            ] {
                rondom_db::organisations::upsert_district(
                    c,
                    &rondom_db::organisations::District {
                        code: code.into(),
                        gemeente_code: gemeente.into(),
                        name: name.into(),
                        postcodes: None,
                        latitude: None,
                        longitude: None,
                    },
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let gp = app
        .token_for(&app.user_id("arts@linde.example").await)
        .await;
    let mut body = serde_json::json!({
        "child": {"name": "Daan Jansen", "birth_date": "2014-05-04", "gemeente_code": "GM9999", "wijk_code": "WK888801"},
        "to_org_id": w.team,
        "reason": "Veel ruzie thuis.",
        "problem_areas": ["opvoeding"],
    });
    let post = |body: Value| {
        let (c, url, gp) = (app.client(), app.url("/api/v1/referrals"), gp.clone());
        async move {
            c.post(url)
                .bearer_auth(gp)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let r = post(body.clone()).await;
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["fields"][0]["field"], "child.wijk_code", "{e}");
    body["child"]["wijk_code"] = serde_json::json!("WK999901");
    let r = post(body).await;
    assert_eq!(r.status(), 201);
    let (kept,) = app
        .db
        .read(|c| {
            Ok((facts::facts(
                c,
                &Scope::Gemeente("GM9999".into()),
                999912,
                None,
            )?,))
        })
        .await
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].wijk_code.as_deref(), Some("WK999901"));
    // The form offers the districts with their municipality.
    let client = logged_in(&app, "arts@linde.example").await;
    let page = fetch_page(&app, &client, "/verwijzingen/nieuw").await;
    assert!(
        page.contains("Centrum (") && page.contains("name=\"wijk\""),
        "{page}"
    );
    app.stop().await;
}
