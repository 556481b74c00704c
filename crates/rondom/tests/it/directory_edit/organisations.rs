//! An organisation's profile, locations, teams and werkgebied, kept current by its admin.

use super::provider;
use crate::common::*;
use rondom_db::directory;

on_both_backends!(
    an_organisation_admin_keeps_profile_and_locations_current,
    teams_and_the_organisations_werkgebied,
);

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

    // Wijken are ticked by name, not typed as codes; typed postcodes stay typed.
    app.db
        .write(|c| {
            rondom_db::organisations::upsert_district(
                c,
                &rondom_db::organisations::District {
                    code: "WK999902".into(),
                    gemeente_code: "GM9999".into(),
                    name: "Noord".into(),
                    postcodes: Some("9992-9993".into()),
                    latitude: None,
                    longitude: None,
                },
            )?;
            rondom_db::directory::bump_version(c)
        })
        .await
        .unwrap();
    let profile = format!("/sociale-kaart/organisaties/{org}/profiel");
    let form = fetch_page(&app, &admin, &profile).await;
    assert!(
        form.contains("value=\"wijk WK999902\"") && form.contains("> wijk Noord</label>"),
        "{form}"
    );
    assert!(form.contains(">postcode 1011-1019</textarea>"), "{form}");
    let resp = admin
        .post(app.url(&profile))
        .form(&[
            ("csrf", csrf.as_str()),
            ("gebied", "wijk WK999902"),
            ("werkgebied", "postcode 1011-1019"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let detail = fetch_page(&app, &admin, &format!("/sociale-kaart/aanbod/{service}")).await;
    assert!(
        detail.contains("wijk Noord") && !detail.contains("WK999902"),
        "the werkgebied by name: {detail}"
    );
    let form = fetch_page(&app, &admin, &profile).await;
    assert!(form.contains("value=\"wijk WK999902\" checked"), "{form}");
    // A value that is not on the list is refused, and nothing changes.
    let resp = admin
        .post(app.url(&profile))
        .form(&[("csrf", csrf.as_str()), ("gebied", "wijk onzin")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Kies de gebieden uit de lijst.")
    );
    app.stop().await;
}
