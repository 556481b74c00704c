//! Organisations and members: who may manage what, validation, invitations, refusals in
//! the audit log.

use crate::common::*;

on_both_backends!(
    an_admin_of_one_organisation_cannot_open_another_ones_admin_page,
    platform_admin_creates_an_organisation_and_bad_input_saves_nothing,
    organisation_admin_adds_a_member_who_is_invited_by_email,
    ordinary_members_see_no_administration,
    audit_log_page_filters_and_is_scoped_to_the_organisation,
);

async fn an_admin_of_one_organisation_cannot_open_another_ones_admin_page(b: Backend) {
    let app = TestApp::start(b).await;
    let a = app.org("Praktijk A", "huisartsenpraktijk").await;
    let other = app.org("Praktijk B", "huisartsenpraktijk").await;
    app.user(
        "beheer-a@test.example",
        Some(&a),
        &["organisatiebeheerder", "huisarts"],
    )
    .await;
    let client = logged_in(&app, "beheer-a@test.example").await;

    let own = client
        .get(app.url(&format!("/beheer/organisaties/{a}")))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    assert!(own.text().await.unwrap().contains("Praktijk A"));

    let theirs = client
        .get(app.url(&format!("/beheer/organisaties/{other}")))
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), 403);
    let body = theirs.text().await.unwrap();
    assert!(body.contains("Geen toegang"));
    assert!(
        !body.contains("Praktijk B"),
        "nothing of the other organisation is shown"
    );

    // Changing the other organisation by posting directly is refused too.
    let csrf = csrf_of(&app, &client).await;
    let r = client
        .post(app.url(&format!("/beheer/organisaties/{other}/leden")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Indringer"),
            ("email", "x@test.example"),
            ("role", "huisarts"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let denied: Vec<_> = app
        .audit()
        .await
        .into_iter()
        .filter(|e| e.outcome == "denied" && e.object_id.as_deref() == Some(other.as_str()))
        .collect();
    assert_eq!(denied.len(), 2, "both refusals are in the audit log");
    assert!(denied.iter().all(
        |e| e.actor_name == "Test beheer-a" && e.source_address.as_deref() == Some("127.0.0.1")
    ));
    let members = app
        .db
        .read(move |c| rondom_db::organisations::members(c, &other))
        .await
        .unwrap();
    assert!(members.is_empty());
    app.stop().await;
}

async fn platform_admin_creates_an_organisation_and_bad_input_saves_nothing(b: Backend) {
    let app = TestApp::start(b).await;
    let platform = app.org("Platform", "platform").await;
    app.user("root@test.example", Some(&platform), &["beheerder"])
        .await;
    let client = logged_in(&app, "root@test.example").await;
    let page = fetch_page(&app, &client, "/beheer/organisaties/nieuw").await;
    let csrf = hidden(&page, "csrf");
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("name", "Huisartsenpraktijk Nieuw"),
        ("kind", "huisartsenpraktijk"),
        ("agb_code", "1234"),
        ("gemeente_code", "GM9999"),
        ("street", "Lindelaan"),
        ("house_number", "4"),
        ("postcode", "1234 SS"),
        ("city", "Voorbeeld"),
    ];
    let r = client
        .post(app.url("/beheer/organisaties/nieuw"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("Een AGB-code bestaat uit precies 8 cijfers."));
    assert!(body.contains("de letters SA, SD en SS worden niet gebruikt"));
    assert!(
        body.contains("value=\"Huisartsenpraktijk Nieuw\""),
        "what was typed is kept"
    );
    let count = app.db.read(rondom_db::organisations::count).await.unwrap();
    assert_eq!(count, 1, "nothing saved");

    form[3] = ("agb_code", "01234567");
    form[7] = ("postcode", "1234ab");
    let r = client
        .post(app.url("/beheer/organisaties/nieuw"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = fetch_page(&app, &client, &location(&r)).await;
    assert!(page.contains("De organisatie is aangemaakt."));
    assert!(page.contains("1234 AB"), "postcode normalised");

    // The same AGB code twice is a clear field error.
    let r = client
        .post(app.url("/beheer/organisaties/nieuw"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Er is al een organisatie met deze AGB-code.")
    );

    // The municipality is chosen by name; one not in the list is given by its code.
    let page = fetch_page(&app, &client, "/beheer/organisaties/nieuw").await;
    assert!(
        page.contains("<option value=\"GM9999\">GM9999</option>"),
        "a municipality with no organisation of its own is named by its code: {page}"
    );
    form[1] = ("name", "Huisartsenpraktijk Amstel");
    form[3] = ("agb_code", "01234568");
    form.push(("gemeente_anders", "GM0363"));
    let r = client
        .post(app.url("/beheer/organisaties/nieuw"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = location(&r);
    let amstel = location.split('?').next().unwrap();
    let edit = fetch_page(&app, &client, &format!("{amstel}/bewerken")).await;
    assert!(
        edit.contains("<option value=\"GM0363\" selected>"),
        "the typed code is the seat: {edit}"
    );
    assert!(
        app.audit()
            .await
            .iter()
            .any(|e| e.action == "organisation_create" && e.outcome == "allowed")
    );
    app.stop().await;
}

async fn organisation_admin_adds_a_member_who_is_invited_by_email(b: Backend) {
    let app = TestApp::start(b).await;
    let team = app.org("Sociaal Team", "sociaal_team").await;
    app.user(
        "tl@test.example",
        Some(&team),
        &["organisatiebeheerder", "teamleider"],
    )
    .await;
    let client = logged_in(&app, "tl@test.example").await;
    let page = fetch_page(&app, &client, &format!("/beheer/organisaties/{team}")).await;
    let csrf = hidden(&page, "csrf");
    assert!(page.contains("value=\"consulent\""));
    assert!(
        !page.contains("value=\"huisarts\""),
        "only roles that fit a social team are offered"
    );

    let r = client
        .post(app.url(&format!("/beheer/organisaties/{team}/leden")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Nieuwe Consulent"),
            ("email", "nieuw@test.example"),
            ("role", "huisarts"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "a role that does not fit is refused");
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Kies een rol die bij deze organisatie past.")
    );

    let r = client
        .post(app.url(&format!("/beheer/organisaties/{team}/leden")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Nieuwe Consulent"),
            ("email", "nieuw@test.example"),
            ("role", "consulent"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let mails = app.smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["nieuw@test.example".to_owned()]);
    let link = smtp::link_in(&mails[0]).unwrap();
    let path = link.trim_start_matches(&app.base).to_owned();
    let newcomer = app.client();
    let pw = "mijn eerste wachtwoord";
    let r = newcomer
        .post(app.url(&path))
        .form(&[("password", pw), ("password_repeat", pw)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let l = password_login(&app, &newcomer, "nieuw@test.example", pw, "/").await;
    assert!(
        l.location.starts_with("/inloggen/tweestapsverificatie"),
        "a new consultant sets up the second factor"
    );

    let page = fetch_page(&app, &client, &format!("/beheer/organisaties/{team}")).await;
    assert!(page.contains("Nieuwe Consulent"));

    // Someone else's existing account cannot be pulled in (nor its name learned).
    let elsewhere = app.org("Andere School", "school").await;
    app.user("elders@test.example", Some(&elsewhere), &["school"])
        .await;
    let r = client
        .post(app.url(&format!("/beheer/organisaties/{team}/leden")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Wie Dan Ook"),
            ("email", "elders@test.example"),
            ("role", "consulent"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("Vraag de platformbeheerder") && !body.contains("Test elders"));
    // The last organisation admin cannot remove... themselves is not offered; remove the newcomer.
    let mid_start = page.find("/leden/").unwrap() + "/leden/".len();
    let mid: String = page[mid_start..]
        .chars()
        .take_while(|c| *c != '/')
        .collect();
    let r = client
        .post(app.url(&format!(
            "/beheer/organisaties/{team}/leden/{mid}/verwijderen"
        )))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let members = app
        .db
        .read(move |c| rondom_db::organisations::members(c, &team))
        .await
        .unwrap();
    assert_eq!(
        members.len(),
        2,
        "the admin holds two roles; the newcomer is gone"
    );
    assert!(members.iter().all(|m| m.email == "tl@test.example"));
    app.stop().await;
}

async fn ordinary_members_see_no_administration(b: Backend) {
    let app = TestApp::start(b).await;
    let p = app.org("Praktijk", "huisartsenpraktijk").await;
    app.user("poh@test.example", Some(&p), &["poh"]).await;
    let client = logged_in(&app, "poh@test.example").await;
    let home = fetch_page(&app, &client, "/").await;
    assert!(
        !home.contains("href=\"/beheer\""),
        "no admin link in the menu"
    );
    for path in [
        "/beheer",
        "/beheer/organisaties",
        &format!("/beheer/organisaties/{p}"),
        "/beheer/audit",
    ] {
        let r = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    app.stop().await;
}

async fn audit_log_page_filters_and_is_scoped_to_the_organisation(b: Backend) {
    let app = TestApp::start(b).await;
    let a = app.org("Praktijk A", "huisartsenpraktijk").await;
    let other = app.org("Praktijk B", "huisartsenpraktijk").await;
    app.user("beheer-a@test.example", Some(&a), &["organisatiebeheerder"])
        .await;
    app.user(
        "beheer-b@test.example",
        Some(&other),
        &["organisatiebeheerder"],
    )
    .await;
    let b_client = logged_in(&app, "beheer-b@test.example").await;
    let probe = b_client
        .get(app.url(&format!("/beheer/organisaties/{a}")))
        .send()
        .await
        .unwrap();
    assert_eq!(probe.status(), 403);
    let client = logged_in(&app, "beheer-a@test.example").await;
    let page = client.get(app.url("/beheer/audit")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Test beheer-a"));
    assert_eq!(
        page.matches("Test beheer-b").count(),
        1,
        "of the other organisation's people only their attempt on this one is shown"
    );
    let r = client
        .get(app.url(&format!("/beheer/audit?organisatie={other}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = fetch_page(&app, &client, "/beheer/audit?uitkomst=denied").await;
    assert!(r.contains("geweigerd"), "the refusal just now is listed");
    assert!(
        r.contains("Test beheer-b"),
        "an attempt on this organisation by an outsider is listed for its admin"
    );
    assert!(!r.contains(">toegestaan<"), "only refusals are listed");
    let r = fetch_page(&app, &client, "/beheer/audit?van=gisteren").await;
    assert!(r.contains("De begindatum is niet geldig"), "{r}");
    app.stop().await;
}
