//! The sociale kaart: "Mijn team" for a general practice.

use crate::common::*;
use rondom_db::directory;

on_both_backends!(
    a_practice_sees_its_linked_consultant_hours_and_the_overleglijn,
    dutch_search_finds_the_parenting_course_with_its_waiting_time,
);

async fn dutch_search_finds_the_parenting_course_with_its_waiting_time(b: Backend) {
    let app = TestApp::start(b).await;
    let team = app.org("Sociaal Team Voorbeeld", "sociaal_team").await;
    let ggz = app.org("Jeugd-GGZ Horizon", "zorgaanbieder").await;
    app.user("arts@test.example", Some(&team), &["consulent"])
        .await;
    app.user("ouder@test.example", None, &["ouder_verzorger"])
        .await;
    let (t, g) = (team.clone(), ggz.clone());
    app.db
        .write(move |c| {
            let add = |c: &mut rondom_db::AnyConnection,
                       org: &str,
                       name: &str,
                       text: &str,
                       cat: &str,
                       ages: (i32, i32),
                       areas: &str,
                       wait: i32| {
                directory::create_service(
                    c,
                    &directory::NewService {
                        organisation_id: org,
                        name,
                        description: text,
                        category: cat,
                        access_route: "vrij",
                        age_min: ages.0,
                        age_max: ages.1,
                        problem_areas: areas,
                        cost: Some("gratis"),
                        wait_weeks: Some(wait),
                        wait_reported_on: Some(day("2026-11-01")),
                        last_checked_on: day("2025-11-01"),
                        ..Default::default()
                    },
                )
            };
            add(
                c,
                &t,
                "Cursus Positief Opvoeden",
                "Groepscursus voor ouders van kinderen.",
                "preventief",
                (4, 12),
                "opvoeding",
                3,
            )?;
            add(
                c,
                &t,
                "Opvoedondersteuning",
                "Korte hulp thuis bij opvoedvragen.",
                "eigen_hulp",
                (0, 18),
                "opvoeding",
                1,
            )?;
            add(
                c,
                &g,
                "Behandeling angst",
                "Therapie bij angstklachten.",
                "specialistisch",
                (8, 18),
                "psychisch",
                12,
            )?;
            add(
                c,
                &t,
                "Schuldhulp",
                "Hulp bij schulden.",
                "eigen_hulp",
                (18, 99),
                "financien",
                0,
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let c = logged_in(&app, "arts@test.example").await;
    let page = fetch_page(&app, &c, "/sociale-kaart?q=opvoeden+9+jaar").await;
    assert!(page.contains("2 resultaten"), "{page}");
    assert!(page.contains("Cursus Positief Opvoeden") && page.contains("Opvoedondersteuning"));
    assert!(!page.contains("Schuldhulp") && !page.contains("Behandeling angst"));
    for typed in ["opvoedingsondersteuning", "OPVOÉDEN", "opvoedondersteunig"] {
        let p = fetch_page(&app, &c, &format!("/sociale-kaart?q={typed}")).await;
        assert!(p.contains("Opvoedondersteuning"), "{typed} finds it");
    }
    // Filters: age outside the range, maximum waiting time, category.
    let p = fetch_page(&app, &c, "/sociale-kaart?q=opvoeden&leeftijd=15").await;
    assert!(
        p.contains("1 resultaat")
            && p.contains("Opvoedondersteuning")
            && !p.contains("Cursus Positief")
    );
    let p = fetch_page(&app, &c, "/sociale-kaart?max_wacht=2").await;
    assert!(
        p.contains("Opvoedondersteuning")
            && p.contains("Schuldhulp")
            && !p.contains("Behandeling angst")
    );
    let p = fetch_page(&app, &c, "/sociale-kaart?categorie=specialistisch").await;
    assert!(p.contains("1 resultaat") && p.contains("Behandeling angst"));
    // Nothing found: suggestions to widen.
    let p = fetch_page(&app, &c, "/sociale-kaart?q=angst&leeftijd=5").await;
    assert!(p.contains("Niets gevonden") && p.contains("Zoek zonder leeftijd."));
    let p = fetch_page(&app, &c, "/sociale-kaart?leeftijd=veertig").await;
    assert!(p.contains("Vul de leeftijd in als een getal"));
    // The detail page shows the waiting time.
    let start = page.find("/sociale-kaart/aanbod/").unwrap();
    let path: String = page[start..].chars().take_while(|ch| *ch != '"').collect();
    let detail = fetch_page(&app, &c, &path).await;
    assert!(
        detail.contains("weken (gemeld 1 november 2026)")
            || detail.contains("week (gemeld 1 november 2026)")
    );
    assert!(
        detail.contains("niet gecontroleerd"),
        "checked more than six months ago: a warning"
    );
    let org_start = detail.find("/sociale-kaart/organisaties/").unwrap();
    let org_path: String = detail[org_start..]
        .chars()
        .take_while(|ch| *ch != '"')
        .collect();
    let org_page = fetch_page(&app, &c, &org_path).await;
    assert!(
        org_page.contains("Sociaal Team Voorbeeld")
            && org_page.contains("Cursus Positief Opvoeden")
    );
    assert!(
        org_page.contains("Opvoedondersteuning") && !org_page.contains("Behandeling angst"),
        "only its own offer"
    );
    // More matches than a page lists: the count says how many there are.
    let t2 = team.clone();
    app.db
        .write(move |c| {
            for i in 0..52 {
                directory::create_service(
                    c,
                    &directory::NewService {
                        organisation_id: &t2,
                        name: &format!("Huiswerkklas {i}"),
                        // Different classes, not copies of one course (those are shown
                        // once).
                        description: &format!("Hulp bij huiswerk in groep {i}."),
                        category: "preventief",
                        access_route: "vrij",
                        age_min: 8,
                        age_max: 16,
                        problem_areas: "school",
                        cost: None,
                        wait_weeks: None,
                        wait_reported_on: None,
                        last_checked_on: day("2026-11-01"),
                        ..Default::default()
                    },
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let many = fetch_page(&app, &c, "/sociale-kaart?q=huiswerkklas").await;
    assert!(
        many.contains("52 resultaten, 1 tot en met 20 staan hieronder"),
        "{many}"
    );
    assert_eq!(many.matches("<li class=\"card\">").count(), 20);
    // The next pages hold the rest; the last one has no further link.
    let second = fetch_page(&app, &c, "/sociale-kaart?q=huiswerkklas&pagina=2").await;
    assert!(second.contains("21 tot en met 40"));
    assert!(second.contains("rel=\"prev\"") && second.contains("rel=\"next\""));
    let third = fetch_page(&app, &c, "/sociale-kaart?q=huiswerkklas&pagina=3").await;
    assert_eq!(third.matches("<li class=\"card\">").count(), 12);
    assert!(!third.contains("rel=\"next\""));
    let missing = c
        .get(app.url("/sociale-kaart/aanbod/bestaat-niet"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    // Families do not search the professionals' directory (yet).
    let parent = app.client();
    password_login(&app, &parent, "ouder@test.example", PASSWORD, "/").await;
    assert_eq!(
        parent
            .get(app.url("/sociale-kaart"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // The API answers the same search with the same permissions.
    let uid = app
        .db
        .read(|c| rondom_db::users::find_by_email(c, "arts@test.example"))
        .await
        .unwrap()
        .unwrap()
        .id;
    let (token, hash) = rondom_app::auth::new_api_token();
    app.db
        .write(move |c| rondom_db::tokens::create_api_token(c, &uid, "test", &hash))
        .await
        .unwrap();
    let api = app.client();
    let found: serde_json::Value = api
        .get(app.url("/api/v1/services?q=opvoeden&age=9"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["Cursus Positief Opvoeden", "Opvoedondersteuning"],
        "the whole word ranks above the compound"
    );
    assert_eq!(found[0]["wait_weeks"], 3);
    let id = found[0]["id"].as_str().unwrap();
    let one: serde_json::Value = api
        .get(app.url(&format!("/api/v1/services/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["problem_areas"][0], "opvoeding");
    let bad = api
        .get(app.url("/api/v1/services?age=oud&category=x"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["fields"].as_array().unwrap().len(), 2);
    app.stop().await;
}

async fn a_practice_sees_its_linked_consultant_hours_and_the_overleglijn(b: Backend) {
    let app = TestApp::start(b).await;
    let practice = app
        .org("Huisartsenpraktijk De Linde", "huisartsenpraktijk")
        .await;
    let other = app
        .org("Gezondheidscentrum Noord", "huisartsenpraktijk")
        .await;
    let team = app.org("Sociaal Team Voorbeeld", "sociaal_team").await;
    let school = app.org("Basisschool De Regenboog", "school").await;
    let consultant = app
        .user("noor.bos@test.example", Some(&team), &["consulent"])
        .await;
    app.user("arts@test.example", Some(&practice), &["huisarts"])
        .await;
    app.user("arts-noord@test.example", Some(&other), &["huisarts"])
        .await;
    app.user("ib@test.example", Some(&school), &["school"])
        .await;
    let (p, t, cid) = (practice.clone(), team.clone(), consultant.clone());
    // Tomorrow as the practice counts days (Europe/Amsterdam): by UTC's date, between
    // 23:00 and midnight UTC "tomorrow" was already today in the Netherlands.
    let tomorrow = rondom_web::format::today() + chrono::Duration::days(1);
    app.db
        .write(move |c| {
            directory::set_overleglijn(c, &t, "0345 700 800", "werkdagen 08:30–17:00")?;
            directory::set_phone(c, &cid, "0345 123 456")?;
            let link = directory::link_consultant(c, &p, &t, &cid)?;
            // Every day, all day: "now" is always within the hours, whatever day the test runs.
            for weekday in 1..=7 {
                directory::add_hours(c, &link, weekday, 0, 24 * 60)?;
            }
            directory::add_exception(c, &link, tomorrow, Some("vakantie"))?;
            Ok(())
        })
        .await
        .unwrap();

    let gp = logged_in(&app, "arts@test.example").await;
    let home = fetch_page(&app, &gp, "/").await;
    assert!(
        home.contains("href=\"/mijn-team\""),
        "Mijn team is in the menu for a practice"
    );
    let page = fetch_page(&app, &gp, "/mijn-team").await;
    assert!(
        page.contains("Test noor.bos"),
        "the linked consultant is shown"
    );
    assert!(page.contains("tel:0345 123 456"));
    assert!(
        page.contains("nu aanwezig"),
        "the consultant is in the practice right now"
    );
    assert!(page.contains("(vakantie)"), "the coming absence is shown");
    assert!(page.contains("Overleglijn Sociaal Team Voorbeeld") && page.contains("0345 700 800"));
    let hours = page
        .split("<ul class=\"hours\">")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .unwrap();
    assert_eq!(
        hours.matches("<li>").count(),
        3,
        "the next three hours are listed"
    );

    // Another practice sees its own (empty) team, not this one.
    let noord = logged_in(&app, "arts-noord@test.example").await;
    let page = fetch_page(&app, &noord, "/mijn-team").await;
    assert!(page.contains("Gezondheidscentrum Noord"));
    assert!(page.contains("Er is nog geen consulent aan deze praktijk gekoppeld"));
    assert!(!page.contains("Test noor.bos") && !page.contains("De Linde"));

    // Someone outside any practice is refused, and the refusal is logged.
    let ib = logged_in(&app, "ib@test.example").await;
    let r = ib.get(app.url("/mijn-team")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        app.audit()
            .await
            .iter()
            .any(|e| e.object_type == "practice_team" && e.outcome == "denied")
    );

    app.stop().await;
}
