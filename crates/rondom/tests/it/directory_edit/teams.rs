//! A social team's koppelingen and overleglijn, and a link to a practice elsewhere.

use crate::common::*;

on_both_backends!(
    a_social_team_keeps_its_koppelingen_and_overleglijn,
    a_link_to_a_practice_elsewhere_waits_for_its_admin,
);

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
