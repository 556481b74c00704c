//! People pages, search by postcode area, and who stays out of the directory.

use crate::common::*;
use rondom_db::directory;

on_both_backends!(
    people_pages_show_function_days_and_practice_hours,
    the_search_page_filters_by_postcode_area,
    former_staff_and_the_platform_stay_out_of_the_directory,
);

async fn people_pages_show_function_days_and_practice_hours(b: Backend) {
    let app = TestApp::start(b).await;
    let practice = app
        .org("Huisartsenpraktijk De Linde", "huisartsenpraktijk")
        .await;
    let team = app.org("Sociaal Team Voorbeeld", "sociaal_team").await;
    app.user("arts@linde.example", Some(&practice), &["huisarts"])
        .await;
    let consultant = app
        .user("sanne@team.example", Some(&team), &["consulent"])
        .await;
    let (p, t, cid) = (practice.clone(), team.clone(), consultant.clone());
    app.db
        .write(move |c| {
            directory::set_person_profile(
                c,
                &cid,
                Some("consulent sociaal team"),
                &[1, 3],
                Some(day("2026-11-01")),
            )?;
            directory::set_phone(c, &cid, "0345 700 812")?;
            let link = directory::link_consultant(c, &p, &t, &cid)?;
            directory::add_hours(c, &link, 2, 9 * 60, 12 * 60)
        })
        .await
        .unwrap();
    let gp = logged_in(&app, "arts@linde.example").await;
    let team_page = fetch_page(&app, &gp, &format!("/sociale-kaart/organisaties/{team}")).await;
    assert!(team_page.contains(&format!("/sociale-kaart/mensen/{consultant}")));
    let page = fetch_page(&app, &gp, &format!("/sociale-kaart/mensen/{consultant}")).await;
    assert!(page.contains("consulent sociaal team"));
    assert!(page.contains("maandag, woensdag"));
    assert!(page.contains("0345 700 812"));
    assert!(page.contains("Huisartsenpraktijk De Linde"));
    assert!(
        page.contains("dinsdag") && page.contains("09:00–12:00"),
        "{page}"
    );
    // The team's admin keeps the consultant's entry current; the GP may not.
    app.user(
        "leider@team.example",
        Some(&team),
        &["teamleider", "organisatiebeheerder"],
    )
    .await;
    let leader = logged_in(&app, "leider@team.example").await;
    let csrf = csrf_of(&app, &leader).await;
    let edit = format!("/sociale-kaart/mensen/{consultant}/bewerken");
    let resp = leader
        .post(app.url(&edit))
        .form(&[
            ("csrf", csrf.as_str()),
            ("functie", "consulent jeugd"),
            ("telefoon", "06 1234"),
            ("werkdag", "2"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("minstens tien cijfers"));
    let resp = leader
        .post(app.url(&edit))
        .form(&[
            ("csrf", csrf.as_str()),
            ("functie", "consulent jeugd"),
            ("telefoon", "0345 700 812"),
            ("werkdag", "2"),
            ("werkdag", "4"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let page = fetch_page(&app, &gp, &format!("/sociale-kaart/mensen/{consultant}")).await;
    assert!(page.contains("dinsdag, donderdag") && page.contains("consulent jeugd"));
    let team_page = fetch_page(
        &app,
        &leader,
        &format!("/sociale-kaart/organisaties/{team}"),
    )
    .await;
    assert!(
        team_page.contains("gewijzigd: functie, werkdagen."),
        "{team_page}"
    );
    let gp_csrf = csrf_of(&app, &gp).await;
    let resp = gp
        .post(app.url(&edit))
        .form(&[("csrf", gp_csrf.as_str()), ("functie", "iets anders")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    // Family members are not in the sociale kaart.
    let parent = app
        .user("ouder@test.example", None, &["ouder_verzorger"])
        .await;
    let resp = gp
        .get(app.url(&format!("/sociale-kaart/mensen/{parent}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    app.stop().await;
}

async fn the_search_page_filters_by_postcode_area(b: Backend) {
    let app = TestApp::start(b).await;
    app.load_demo().await;
    let practice = app.org("Praktijk Test", "huisartsenpraktijk").await;
    app.user("gp@test.example", Some(&practice), &["huisarts"])
        .await;
    let gp = logged_in(&app, "gp@test.example").await;
    let noord = fetch_page(
        &app,
        &gp,
        "/sociale-kaart?q=positief+opvoeden&postcode=9992+AB",
    )
    .await;
    // The course is shown once, with the places where it is given that serve Noord.
    assert!(noord.contains(">Cursus Positief Opvoeden</a>"), "{noord}");
    assert!(noord.contains(">wijk Noord</a>"), "{noord}");
    assert!(
        !noord.contains("wijk Zuid"),
        "Zuid's course is not offered in Noord"
    );
    let elsewhere = fetch_page(
        &app,
        &gp,
        "/sociale-kaart?q=positief+opvoeden&postcode=1011",
    )
    .await;
    assert!(elsewhere.contains("Niets gevonden"));
    assert!(elsewhere.contains("Zoek overal in plaats van alleen in dit gebied."));
    // A postcode outside the sociale kaart's area says so; one inside says nothing.
    assert!(
        elsewhere.contains("Postcode 1011 ligt in geen gemeente of wijk van deze sociale kaart."),
        "{elsewhere}"
    );
    assert!(!noord.contains("ligt in geen gemeente of wijk"));
    let bad = fetch_page(&app, &gp, "/sociale-kaart?postcode=12").await;
    assert!(bad.contains("Vul een postcode in"));
    app.stop().await;
}

async fn former_staff_and_the_platform_stay_out_of_the_directory(b: Backend) {
    let app = TestApp::start(b).await;
    let practice = app
        .org("Huisartsenpraktijk De Linde", "huisartsenpraktijk")
        .await;
    let team = app.org("Sociaal Team Voorbeeld", "sociaal_team").await;
    let platform = app.org("Rondom Platformbeheer", "platform").await;
    app.user("arts@linde.example", Some(&practice), &["huisarts"])
        .await;
    let root = app
        .user(
            "root@rondom.example",
            Some(&platform),
            &["beheerder", "organisatiebeheerder"],
        )
        .await;
    let sanne = app
        .user("sanne@team.example", Some(&team), &["consulent"])
        .await;
    let (p, t, s, pl) = (
        practice.clone(),
        team.clone(),
        sanne.clone(),
        platform.clone(),
    );
    app.db
        .write(move |c| {
            let link = directory::link_consultant(c, &p, &t, &s)?;
            directory::add_hours(c, &link, 2, 9 * 60, 12 * 60)?;
            directory::save_team(
                c,
                &directory::Team {
                    id: rondom_domain::ids::TeamId::trusted(rondom_db::new_id()),
                    organisation_id: rondom_domain::ids::OrganisationId::trusted(t.clone()),
                    name: "Wijkteam Noord".into(),
                    description: None,
                    phone: None,
                    email: None,
                    last_checked_on: day("2026-11-01"),
                },
                std::slice::from_ref(&s),
            )?;
            // Whatever lands in the platform's organisation is not on the map.
            directory::create_service(
                c,
                &directory::NewService {
                    organisation_id: &pl,
                    name: "Beheerspreekuur",
                    description: "Geen hulp voor gezinnen.",
                    category: "preventief",
                    access_route: "vrij",
                    age_min: 0,
                    age_max: 99,
                    problem_areas: "sociaal",
                    last_checked_on: day("2026-11-01"),
                    ..Default::default()
                },
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let gp = logged_in(&app, "arts@linde.example").await;
    assert!(
        fetch_page(&app, &gp, "/mijn-team")
            .await
            .contains("Test sanne")
    );
    let found = fetch_page(&app, &gp, "/sociale-kaart?q=beheerspreekuur").await;
    assert!(found.contains("Niets gevonden"), "{found}");
    let resp = gp
        .get(app.url(&format!("/sociale-kaart/mensen/{root}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        404,
        "platform admins are not in the directory"
    );

    // Sanne leaves the team: the practice no longer sees her, nor does the team page.
    let (t, s) = (team.clone(), sanne.clone());
    app.db
        .write(move |c| {
            let m = rondom_db::organisations::members(c, &t)?
                .into_iter()
                .find(|m| m.user_id == s)
                .expect("a membership");
            rondom_db::organisations::remove_membership(c, &t, &m.membership_id)?;
            Ok(())
        })
        .await
        .unwrap();
    assert!(
        !fetch_page(&app, &gp, "/mijn-team")
            .await
            .contains("Test sanne")
    );
    let team_page = fetch_page(&app, &gp, &format!("/sociale-kaart/organisaties/{team}")).await;
    assert!(team_page.contains("Wijkteam Noord") && !team_page.contains("Test sanne"));
    // An age typed in the words shows in the age field.
    let page = fetch_page(&app, &gp, "/sociale-kaart?q=opvoeden+9+jaar").await;
    assert!(
        page.contains(
            r#"id="leeftijd" name="leeftijd" inputmode="numeric" maxlength="2" size="4" value="9""#
        ),
        "{page}"
    );
    app.stop().await;
}
