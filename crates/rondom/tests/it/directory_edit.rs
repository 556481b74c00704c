//! Organisations maintain their own entries in the sociale kaart: validation that loses
//! nothing, a change history, only the owner may edit, stale entries flagged to their
//! owner, people pages, and search by area.

use crate::common::*;
use rondom_db::directory;

on_both_backends!(
    an_organisation_admin_edits_its_service_with_history,
    only_the_owning_organisation_edits,
    stale_entries_are_flagged_to_their_owner,
    people_pages_show_function_days_and_practice_hours,
    the_search_page_filters_by_postcode_area,
    an_organisation_admin_keeps_profile_and_locations_current,
    teams_and_the_organisations_werkgebied,
    a_social_team_keeps_its_koppelingen_and_overleglijn,
    a_link_to_a_practice_elsewhere_waits_for_its_admin,
    former_staff_and_the_platform_stay_out_of_the_directory,
);

/// A provider with one service, its admin and an ordinary employee.
async fn provider(app: &TestApp) -> (String, String) {
    let org = app.org("Kinderpraktijk De Vlinder", "zorgaanbieder").await;
    app.user(
        "beheer@vlinder.example",
        Some(&org),
        &["organisatiebeheerder", "zorgaanbieder_medewerker"],
    )
    .await;
    app.user(
        "medewerker@vlinder.example",
        Some(&org),
        &["zorgaanbieder_medewerker"],
    )
    .await;
    let o = org.clone();
    let service = app
        .db
        .write(move |c| {
            let loc = directory::Location {
                id: rondom_domain::ids::LocationId::trusted(rondom_db::new_id()),
                organisation_id: rondom_domain::ids::OrganisationId::trusted(o.clone()),
                name: "Vlinder Noord".into(),
                street: "Kerkstraat".into(),
                house_number: "1".into(),
                postcode: "9992 AB".into(),
                city: "Voorbeeld".into(),
                country: "NL".into(),
                latitude: Some(52.1),
                longitude: Some(5.6),
                last_checked_on: day("2026-11-01"),
            };
            directory::insert_location(c, &loc)?;
            let id = directory::create_service(
                c,
                &directory::NewService {
                    organisation_id: &o,
                    name: "Speltherapie",
                    description: "Therapie in spel voor jonge kinderen.",
                    category: "specialistisch",
                    access_route: "verwijzing",
                    age_min: 3,
                    age_max: 12,
                    problem_areas: "psychisch",
                    wait_weeks: Some(6),
                    wait_reported_on: Some(day("2026-10-01")),
                    last_checked_on: day("2025-01-15"),
                    ..Default::default()
                },
            )?;
            directory::set_service_locations(c, &id, &[loc.id.to_string()])?;
            Ok(id)
        })
        .await
        .unwrap();
    (org, service)
}

fn form<'a>(csrf: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("csrf", csrf),
        ("naam", "Speltherapie"),
        ("beschrijving", "Therapie in spel voor jonge kinderen."),
        ("categorie", "specialistisch"),
        ("toegang", "verwijzing"),
        ("leeftijd_van", "3"),
        ("leeftijd_tot", "12"),
        ("probleem", "psychisch"),
        ("probleem", "gedrag"),
        ("wachttijd", "3"),
        ("tarief", "105,50"),
        ("tarief_eenheid", "per uur"),
        ("contract_gemeente", "GM9999"),
        ("contract_van", "2025-01-01"),
        ("contract_tot", "2027-12-31"),
        ("gebieden", "gemeente GM9999\nwijk WK999902"),
    ];
    for (k, v) in extra {
        f.retain(|(fk, _)| fk != k);
        f.push((k, v));
    }
    f
}

async fn an_organisation_admin_edits_its_service_with_history(b: Backend) {
    let app = TestApp::start(b).await;
    let (_org, service) = provider(&app).await;
    let admin = logged_in(&app, "beheer@vlinder.example").await;
    let csrf = csrf_of(&app, &admin).await;
    let edit = format!("/sociale-kaart/aanbod/{service}/bewerken");
    let page = fetch_page(&app, &admin, &edit).await;
    assert!(page.contains("Speltherapie"), "the form shows the entry");

    // Bad input: clear Dutch messages, the typed values stay, nothing is saved.
    let bad = form(
        &csrf,
        &[
            ("leeftijd_tot", "2"),
            ("tarief", "veel"),
            ("gebieden", "provincie Utrecht"),
            ("naam", "Speltherapie NIEUW"),
        ],
    );
    let resp = admin.post(app.url(&edit)).form(&bad).send().await.unwrap();
    assert_eq!(resp.status(), 422);
    let body = resp.text().await.unwrap();
    assert!(body.contains("lager dan de leeftijd vanaf"), "{body}");
    assert!(body.contains("Vul het tarief in euro in"));
    assert!(body.contains("Regel 1: Kies als soort gebied"));
    assert!(
        body.contains("Speltherapie NIEUW"),
        "what was typed is kept"
    );
    let sid = service.clone();
    let row = app
        .db
        .read(move |c| directory::find_service(c, &sid))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.name, "Speltherapie", "nothing saved");
    assert_eq!(row.wait_weeks, Some(6));

    // A good edit: saved, checked today, wait dated today, history says what changed.
    let resp = admin
        .post(app.url(&edit))
        .form(&form(&csrf, &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let shown = fetch_page(&app, &admin, &location(&resp)).await;
    assert!(shown.contains("Het aanbod is opgeslagen"));
    assert!(shown.contains("wachttijd: 6 weken → 3 weken"), "{shown}");
    assert!(shown.contains("€ 105,50 per uur"));
    assert!(shown.contains("wijk WK999902"));
    let sid = service.clone();
    let (row, areas) = app
        .db
        .read(move |c| {
            let ids = [sid.clone()];
            Ok((
                directory::find_service(c, &sid)?.unwrap(),
                directory::areas_of(c, Some(&ids))?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(row.wait_weeks, Some(3));
    assert_eq!(row.tariff_cents, Some(10550));
    assert_eq!(row.problem_areas, "psychisch,gedrag");
    assert_ne!(
        row.last_checked_on,
        day("2025-01-15"),
        "saving marks it checked"
    );
    assert_eq!(row.wait_reported_on, Some(row.last_checked_on));
    assert_eq!(areas.len(), 2);
    let sid = service.clone();
    let history = app
        .db
        .read(move |c| directory::changes(c, Some(&sid), None, 10))
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].user_name.as_deref(), Some("Test beheer"));
    assert!(
        app.audit()
            .await
            .iter()
            .any(|e| e.action == "directory_service_update")
    );

    // A new service through the form appears in the search at once (the index follows).
    let org_id = row.organisation_id.clone();
    let resp = admin
        .post(app.url(&format!(
            "/sociale-kaart/organisaties/{org_id}/aanbod/nieuw"
        )))
        .form(&form(
            &csrf,
            &[
                ("naam", "Brusjesgroep"),
                ("categorie", "preventief"),
                ("toegang", "vrij"),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let found = fetch_page(&app, &admin, "/sociale-kaart?q=brusjes").await;
    assert!(found.contains("Brusjesgroep"), "{found}");
    app.stop().await;
}

async fn only_the_owning_organisation_edits(b: Backend) {
    let app = TestApp::start(b).await;
    let (org, service) = provider(&app).await;
    let other = app.org("Gezinsbegeleiding Kompas", "zorgaanbieder").await;
    app.user(
        "beheer@kompas.example",
        Some(&other),
        &["organisatiebeheerder"],
    )
    .await;
    let platform = app.org("Rondom Platformbeheer", "platform").await;
    app.user("root@rondom.example", Some(&platform), &["beheerder"])
        .await;
    for email in [
        "beheer@kompas.example",
        "medewerker@vlinder.example",
        "root@rondom.example",
    ] {
        let c = logged_in(&app, email).await;
        let csrf = csrf_of(&app, &c).await;
        let edit = format!("/sociale-kaart/aanbod/{service}/bewerken");
        assert_eq!(
            c.get(app.url(&edit)).send().await.unwrap().status(),
            403,
            "{email} may not open the form"
        );
        let resp = c
            .post(app.url(&edit))
            .form(&form(&csrf, &[("naam", "Overgenomen")]))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403, "{email} may not save");
        let resp = c
            .post(app.url(&format!("/sociale-kaart/aanbod/{service}/verwijderen")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403, "{email} may not delete");
        let resp = c
            .post(app.url(&format!("/sociale-kaart/organisaties/{org}/aanbod/nieuw")))
            .form(&form(&csrf, &[]))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403, "{email} may not add to another's offer");
        // Reading is fine, without the edit buttons.
        let page = fetch_page(&app, &c, &format!("/sociale-kaart/aanbod/{service}")).await;
        assert!(page.contains("Speltherapie") && !page.contains("Bewerken"));
    }
    let sid = service.clone();
    let row = app
        .db
        .read(move |c| directory::find_service(c, &sid))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.name, "Speltherapie");
    let denied = app
        .audit()
        .await
        .into_iter()
        .filter(|e| e.outcome == "denied")
        .count();
    assert!(denied >= 12, "every refusal is logged ({denied})");
    app.stop().await;
}

async fn stale_entries_are_flagged_to_their_owner(b: Backend) {
    let app = TestApp::start(b).await;
    let (org, service) = provider(&app).await;
    let admin = logged_in(&app, "beheer@vlinder.example").await;
    let page = fetch_page(&app, &admin, &format!("/sociale-kaart/organisaties/{org}")).await;
    assert!(
        page.contains("1 vermelding is al zes maanden of langer niet gecontroleerd"),
        "{page}"
    );
    let detail = fetch_page(&app, &admin, &format!("/sociale-kaart/aanbod/{service}")).await;
    assert!(detail.contains("niet gecontroleerd"));
    let home = fetch_page(&app, &admin, "/").await;
    assert!(
        home.contains("1 vermelding op de sociale kaart al zes maanden niet gecontroleerd"),
        "the owner's start page says so: {home}"
    );
    // The employee reads the warning but is not asked to act.
    let worker = logged_in(&app, "medewerker@vlinder.example").await;
    let page = fetch_page(&app, &worker, &format!("/sociale-kaart/organisaties/{org}")).await;
    assert!(!page.contains("vermelding is al zes maanden"));
    // "Still right" clears the flag and leaves a line in the history.
    let csrf = csrf_of(&app, &admin).await;
    let resp = admin
        .post(app.url(&format!("/sociale-kaart/aanbod/{service}/gecontroleerd")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let page = fetch_page(&app, &admin, &format!("/sociale-kaart/organisaties/{org}")).await;
    assert!(!page.contains("vermelding is al zes maanden"));
    assert!(page.contains("Gecontroleerd, niets gewijzigd."));
    let home = fetch_page(&app, &admin, "/").await;
    assert!(!home.contains("niet gecontroleerd"));
    app.stop().await;
}

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
    assert!(noord.contains("Cursus Positief Opvoeden (wijk Noord)"));
    assert!(
        !noord.contains("(wijk Zuid)"),
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
    let bad = fetch_page(&app, &gp, "/sociale-kaart?postcode=12").await;
    assert!(bad.contains("Vul een postcode in"));
    app.stop().await;
}

async fn an_organisation_admin_keeps_profile_and_locations_current(b: Backend) {
    let app = TestApp::start(b).await;
    let (org, _) = provider(&app).await;
    let admin = logged_in(&app, "beheer@vlinder.example").await;
    let csrf = csrf_of(&app, &admin).await;
    let profile = format!("/sociale-kaart/organisaties/{org}/profiel");
    // A bad website and phone: messages, nothing saved.
    let resp = admin
        .post(app.url(&profile))
        .form(&[
            ("csrf", csrf.as_str()),
            (
                "beschrijving",
                "Kinderpraktijk voor spel- en gezinstherapie.",
            ),
            ("website", "vlinder.example"),
            ("telefoon", "12"),
            ("email", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body = resp.text().await.unwrap();
    assert!(body.contains("Een website begint met https://"));
    assert!(body.contains("minstens tien cijfers"));
    assert!(
        body.contains("Kinderpraktijk voor spel- en gezinstherapie."),
        "typed text is kept"
    );
    let resp = admin
        .post(app.url(&profile))
        .form(&[
            ("csrf", csrf.as_str()),
            (
                "beschrijving",
                "Kinderpraktijk voor spel- en gezinstherapie.",
            ),
            ("website", "https://vlinder.example"),
            ("telefoon", "0345 700 900"),
            ("email", "info@vlinder.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let page = fetch_page(&app, &admin, &format!("/sociale-kaart/organisaties/{org}")).await;
    assert!(page.contains("Kinderpraktijk voor spel- en gezinstherapie."));
    assert!(page.contains("0345 700 900"));
    assert!(page.contains("Profiel gewijzigd: beschrijving, website, telefoon, e-mail."));

    // A new location, with a bad postcode first.
    let new = format!("/sociale-kaart/organisaties/{org}/locaties/nieuw");
    let fields = |postcode: &'static str, lat: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("naam", "Vlinder Zuid".into()),
            ("straat", "Marktplein".into()),
            ("huisnummer", "7".into()),
            ("postcode", postcode.into()),
            ("plaats", "Voorbeeld".into()),
            ("breedtegraad", lat.into()),
            ("lengtegraad", "5,598".into()),
        ]
    };
    let resp = admin
        .post(app.url(&new))
        .form(&fields("12345", "52,084"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let resp = admin
        .post(app.url(&new))
        .form(&fields("9994 AB", "95"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        422,
        "a latitude outside the earth is refused"
    );
    let resp = admin
        .post(app.url(&new))
        .form(&fields("9994ab", "52,084"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let o = org.clone();
    let locations = app
        .db
        .read(move |c| directory::locations_of(c, Some(&[o])))
        .await
        .unwrap();
    let zuid = locations.iter().find(|l| l.name == "Vlinder Zuid").unwrap();
    assert_eq!(zuid.postcode, "9994 AB");
    assert_eq!(zuid.latitude, Some(52.084));
    // Another organisation's admin cannot change it.
    let other = app.org("Gezinsbegeleiding Kompas", "zorgaanbieder").await;
    app.user(
        "beheer@kompas.example",
        Some(&other),
        &["organisatiebeheerder"],
    )
    .await;
    let kompas = logged_in(&app, "beheer@kompas.example").await;
    let kcsrf = csrf_of(&app, &kompas).await;
    let resp = kompas
        .post(app.url(&format!("/sociale-kaart/locaties/{}/bewerken", zuid.id)))
        .form(&[
            ("csrf", kcsrf.as_str()),
            ("naam", "Overgenomen"),
            ("straat", "X"),
            ("huisnummer", "1"),
            ("postcode", "9994 AB"),
            ("plaats", "Y"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = kompas
        .post(app.url(&profile))
        .form(&[("csrf", kcsrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    app.stop().await;
}

async fn teams_and_the_organisations_werkgebied(b: Backend) {
    let app = TestApp::start(b).await;
    let (org, service) = provider(&app).await;
    let worker = app
        .user(
            "therapeut@vlinder.example",
            Some(&org),
            &["zorgaanbieder_medewerker"],
        )
        .await;
    let other = app.org("Gezinsbegeleiding Kompas", "zorgaanbieder").await;
    let stranger = app
        .user(
            "iemand@kompas.example",
            Some(&other),
            &["zorgaanbieder_medewerker"],
        )
        .await;
    let admin = logged_in(&app, "beheer@vlinder.example").await;
    let csrf = csrf_of(&app, &admin).await;
    let new_team = format!("/sociale-kaart/organisaties/{org}/teams/nieuw");
    // Someone of another organisation cannot be put in the team.
    let resp = admin
        .post(app.url(&new_team))
        .form(&[
            ("csrf", csrf.as_str()),
            ("naam", "Team Jonge Kind"),
            ("lid", stranger.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Kies teamleden uit de mensen van uw organisatie.")
    );
    let resp = admin
        .post(app.url(&new_team))
        .form(&[
            ("csrf", csrf.as_str()),
            ("naam", "Team Jonge Kind"),
            ("telefoon", "0345 700 901"),
            ("lid", worker.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let page = fetch_page(&app, &admin, &format!("/sociale-kaart/organisaties/{org}")).await;
    assert!(page.contains("Team Jonge Kind") && page.contains("Test therapeut"));
    assert!(page.contains("Team ‘Team Jonge Kind’ toegevoegd (1 leden)."));
    let person = fetch_page(&app, &admin, &format!("/sociale-kaart/mensen/{worker}")).await;
    assert!(person.contains("Team Jonge Kind"));

    // The organisation works in Amsterdam's postcodes 1011-1019 only; its service, which
    // names no area of its own, follows.
    let resp = admin
        .post(app.url(&format!("/sociale-kaart/organisaties/{org}/profiel")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("werkgebied", "postcode 1011-1019"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let found = fetch_page(&app, &admin, "/sociale-kaart?q=speltherapie&postcode=1015").await;
    assert!(
        found.contains(&format!("/sociale-kaart/aanbod/{service}")),
        "{found}"
    );
    let not_here = fetch_page(&app, &admin, "/sociale-kaart?q=speltherapie&postcode=9992").await;
    assert!(not_here.contains("Niets gevonden"));
    let detail = fetch_page(&app, &admin, &format!("/sociale-kaart/aanbod/{service}")).await;
    assert!(detail.contains("postcodes 1011–1019"));
    // A wrong line is named and nothing changes.
    let resp = admin
        .post(app.url(&format!("/sociale-kaart/organisaties/{org}/profiel")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("werkgebied", "postcode 1011-1019\nwijk Zuid"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("Regel 2"));
    app.stop().await;
}

async fn a_social_team_keeps_its_koppelingen_and_overleglijn(b: Backend) {
    let app = TestApp::start(b).await;
    let practice = app
        .org("Huisartsenpraktijk De Linde", "huisartsenpraktijk")
        .await;
    let team = app.org("Sociaal Team Voorbeeld", "sociaal_team").await;
    let other_team = app.org("Sociaal Team Elders", "sociaal_team").await;
    app.user("arts@linde.example", Some(&practice), &["huisarts"])
        .await;
    app.user(
        "leider@team.example",
        Some(&team),
        &["teamleider", "organisatiebeheerder"],
    )
    .await;
    app.user(
        "leider@elders.example",
        Some(&other_team),
        &["organisatiebeheerder"],
    )
    .await;
    let sanne = app
        .user("sanne@team.example", Some(&team), &["consulent"])
        .await;
    let leader = logged_in(&app, "leider@team.example").await;
    let csrf = csrf_of(&app, &leader).await;
    // Only a consultant of this team, only with a practice.
    let resp = leader
        .post(app.url(&format!("/sociale-kaart/organisaties/{team}/koppelingen")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("praktijk", team.as_str()),
            ("consulent", sanne.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let resp = leader
        .post(app.url(&format!("/sociale-kaart/organisaties/{team}/koppelingen")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("praktijk", practice.as_str()),
            ("consulent", sanne.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let link_page = location(&resp);
    // Hours with a typo first: named, nothing saved.
    let resp = leader
        .post(app.url(&link_page))
        .form(&[
            ("csrf", csrf.as_str()),
            ("uren", "dinsdag 09:00-12:00\nwoendag 13:00-16:00"),
            ("afwezig", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Regel 2: ‘woendag’ is geen dag van de week")
    );
    let resp = leader
        .post(app.url(&link_page))
        .form(&[
            ("csrf", csrf.as_str()),
            ("uren", "dinsdag 09:00-12:00\ndo 13:00-16:00"),
            ("afwezig", "2099-12-24 vakantie"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    // The overleglijn in the team's profile.
    let resp = leader
        .post(app.url(&format!("/sociale-kaart/organisaties/{team}/profiel")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("overleglijn_telefoon", "0345 700 800"),
            ("overleglijn_tijden", "werkdagen 08:30–17:00"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    // The GP sees it all under Mijn team.
    let gp = logged_in(&app, "arts@linde.example").await;
    let mine = fetch_page(&app, &gp, "/mijn-team").await;
    assert!(mine.contains("Test sanne"), "{mine}");
    assert!(
        mine.contains("09:00–12:00") && mine.contains("13:00–16:00"),
        "{mine}"
    );
    assert!(mine.contains("0345 700 800") && mine.contains("werkdagen 08:30–17:00"));
    assert!(mine.contains("24-12-2099 (vakantie)"), "{mine}");
    let team_page = fetch_page(
        &app,
        &leader,
        &format!("/sociale-kaart/organisaties/{team}"),
    )
    .await;
    assert!(team_page.contains("Uren van Test sanne in Huisartsenpraktijk De Linde: dinsdag 09:00-12:00, donderdag 13:00-16:00; 1 afwezigheid."));
    // Another team's admin may not touch this koppeling.
    let elders = logged_in(&app, "leider@elders.example").await;
    let ecsrf = csrf_of(&app, &elders).await;
    let resp = elders
        .post(app.url(&link_page))
        .form(&[("csrf", ecsrf.as_str()), ("uren", ""), ("afwezig", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = elders
        .post(app.url(&format!("{link_page}/verwijderen")))
        .form(&[("csrf", ecsrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    // Ending the koppeling empties Mijn team.
    let resp = leader
        .post(app.url(&format!("{link_page}/verwijderen")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let mine = fetch_page(&app, &gp, "/mijn-team").await;
    assert!(!mine.contains("Test sanne"));
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

/// A team that links itself to a practice in another municipality is nowhere in that
/// practice's Rondom (Mijn team, the teams it asks and refers to) until the practice's
/// admin accepts; both sides find the steps in their own audit view.
async fn a_link_to_a_practice_elsewhere_waits_for_its_admin(b: Backend) {
    let app = TestApp::start(b).await;
    let practice = app
        .org_in("Praktijk Overkant", "huisartsenpraktijk", "GM0001")
        .await;
    let team = app.org("Sociaal Team Voorbeeld", "sociaal_team").await;
    app.user("arts@overkant.example", Some(&practice), &["huisarts"])
        .await;
    app.user(
        "beheer@overkant.example",
        Some(&practice),
        &["organisatiebeheerder"],
    )
    .await;
    app.user(
        "leider@team.example",
        Some(&team),
        &["teamleider", "organisatiebeheerder"],
    )
    .await;
    let sanne = app
        .user("sanne@team.example", Some(&team), &["consulent"])
        .await;
    let leader = logged_in(&app, "leider@team.example").await;
    let csrf = csrf_of(&app, &leader).await;
    let resp = leader
        .post(app.url(&format!("/sociale-kaart/organisaties/{team}/koppelingen")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("praktijk", practice.as_str()),
            ("consulent", sanne.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let link_page = location(&resp);
    let page = fetch_page(&app, &leader, &link_page).await;
    assert!(
        page.contains("wacht op akkoord van Praktijk Overkant"),
        "{page}"
    );
    // The practice does not see the team anywhere yet.
    let gp = logged_in(&app, "arts@overkant.example").await;
    for path in ["/mijn-team", "/overleg/nieuw", "/verwijzingen/nieuw"] {
        let page = fetch_page(&app, &gp, path).await;
        assert!(!page.contains("Sociaal Team Voorbeeld"), "{path}: {page}");
        assert!(!page.contains("Test sanne"), "{path}");
    }
    // The team cannot answer its own request.
    let link_id = link_page.trim_start_matches("/sociale-kaart/koppelingen/");
    let answer = format!("/sociale-kaart/koppelingen/{link_id}/antwoord");
    let resp = leader
        .post(app.url(&answer))
        .form(&[("csrf", csrf.as_str()), ("antwoord", "accepteren")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    // The practice's admin was told (by an e-mail without content, with the link),
    // sees the request, and accepts it.
    let mails = app.smtp.wait_for(1).await;
    let mail = mails
        .iter()
        .find(|m| m.to == vec!["beheer@overkant.example".to_owned()])
        .expect("the practice's admin is mailed");
    assert!(mail.data.contains("akkoord"), "{}", mail.data);
    assert!(!mail.data.contains("Test sanne"), "no names in the mail");
    let link = smtp::link_in(mail).unwrap();
    assert!(
        link.ends_with(&format!("/sociale-kaart/organisaties/{practice}")),
        "{link}"
    );
    let admin = logged_in(&app, "beheer@overkant.example").await;
    let own = fetch_page(
        &app,
        &admin,
        &format!("/sociale-kaart/organisaties/{practice}"),
    )
    .await;
    assert!(own.contains("wacht op uw akkoord"), "{own}");
    let acsrf = csrf_of(&app, &admin).await;
    let resp = admin
        .post(app.url(&answer))
        .form(&[("csrf", acsrf.as_str()), ("antwoord", "accepteren")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let resp = admin
        .post(app.url(&answer))
        .form(&[("csrf", acsrf.as_str()), ("antwoord", "accepteren")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 409, "answered once");
    let mine = fetch_page(&app, &gp, "/mijn-team").await;
    assert!(mine.contains("Test sanne"), "{mine}");
    // Both sides see the request and the answer in their own audit view.
    for owner in [&practice, &team] {
        let filter = rondom_db::audit::AuditFilter {
            organisation_id: Some(owner.clone()),
            object_type: Some("practice_link".into()),
            ..Default::default()
        };
        let actions: Vec<String> = app
            .db
            .read(move |c| rondom_db::audit::list(c, &filter, None, 100))
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            ["directory_link_accept", "directory_link_create"],
            "{owner}"
        );
    }
    app.stop().await;
}
