//! A provider's services: edited with a history, by their owner only, flagged when stale.

use super::provider;
use crate::common::*;
use rondom_db::directory;

on_both_backends!(
    an_organisation_admin_edits_its_service_with_history,
    only_the_owning_organisation_edits,
    stale_entries_are_flagged_to_their_owner,
);

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
