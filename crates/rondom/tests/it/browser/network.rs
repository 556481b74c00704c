use super::*;

/// The family's path in the browser: the case director opens the network from an
/// accepted referral and invites the parent; the parent sets a password through the
/// e-mail link (from the SMTP sink), lets the school take part, and then sees the
/// school's look in "Wie keek er mee?".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parent_joins_by_the_mail_lets_the_school_in_and_sees_its_look() {
    let app = TestApp::start(Backend::Sqlite).await;
    let practice = app
        .org("Huisartsenpraktijk De Linde", "huisartsenpraktijk")
        .await;
    let team = app.org("Sociaal Team Voorbeeld", "sociaal_team").await;
    let school = app.org("Basisschool De Regenboog", "school").await;
    let sanne = app
        .user("sanne@team.example", Some(&team), &["consulent"])
        .await;
    app.user("arts@linde.example", Some(&practice), &["huisarts"])
        .await;
    app.user("ib@regenboog.example", Some(&school), &["school"])
        .await;
    let (p, t, s) = (practice.clone(), team.clone(), sanne.clone());
    app.db
        .write(move |c| rondom_db::directory::link_consultant(c, &p, &t, &s).map(|_| ()))
        .await
        .unwrap();
    // The GP refers a child of 9 naming the school (without a browser: that part has its
    // own test).
    let gp = logged_in(&app, "arts@linde.example").await;
    let csrf = csrf_of(&app, &gp).await;
    let doel = format!("team:{team}");
    let r = gp
        .post(app.url("/verwijzingen/nieuw"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("naam", "Sem de Vries"),
            ("geboortedatum", "2017-05-02"),
            ("gemeente", "GM9999"),
            ("doel", doel.as_str()),
            ("gebieden", "school"),
            ("urgentie", "regulier"),
            (
                "reden",
                "Sem zit vast op school en thuis; ouders willen hulp.",
            ),
            ("school", school.as_str()),
            ("actie", "versturen"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let referral = location_path(&r);
    // The case director, in the browser: open the network, add the mother, invite her.
    let b = signed_in(&app, "sanne@team.example").await;
    b.open(&app, &referral).await;
    b.select("#cr", &sanne).await;
    b.click("form:has(input[name=naar][value=accepted]) button.primary")
        .await;
    b.expect_contains("main", "Geaccepteerd").await;
    b.click("form[action$='/netwerk'] button").await;
    b.expect_contains("main", "Het netwerk is geopend").await;
    b.fill("#naam", "Eva de Vries").await;
    b.select("#relatie", "ouder").await;
    b.click("input[name=gezag]").await;
    b.click("form[action$='/gezin'] button").await;
    b.expect_contains("main", "Toegevoegd aan het netwerk")
        .await;
    b.fill("form.invite input[name=email]", "eva@gezin.example")
        .await;
    b.click("form.invite button").await;
    b.expect_contains("main", "De uitnodiging is verstuurd")
        .await;
    let network = b
        .path()
        .await
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    b.stop().await;

    // The mother, from the mail.
    let mut n = 1;
    let mail = loop {
        let mails = app.smtp.wait_for(n).await;
        if let Some(m) = mails
            .iter()
            .find(|m| m.to == vec!["eva@gezin.example".to_owned()])
        {
            break m.clone();
        }
        assert!(mails.len() >= n, "the mother is mailed");
        n += 1;
    };
    let link = smtp::link_in(&mail).unwrap();
    let parent = Browser::start_at(Some(375)).await;
    parent.client.goto(&link).await.unwrap();
    let pw = "ons gezin samen sterk";
    parent.fill("#password", pw).await;
    parent.fill("#password_repeat", pw).await;
    parent.click("form.stack button[type=submit]").await;
    parent.wait_for("#email").await;
    parent.fill("#email", "eva@gezin.example").await;
    parent.fill("#password", pw).await;
    parent.click("form.stack button[type=submit]").await;
    parent.expect_contains("main", "Hulp rond uw kind").await;
    parent.click("main .cards a").await;
    parent.expect_contains("h1", "Sem de Vries").await;
    // She lets the school take part.
    let school_member = {
        let id = network.trim_start_matches("/netwerken/").to_owned();
        app.db
            .read(move |c| {
                Ok(rondom_db::networks::members(c, &id)?
                    .into_iter()
                    .find(|m| m.kind == "organisation")
                    .unwrap()
                    .id
                    .to_string())
            })
            .await
            .unwrap()
    };
    parent
        .click(&format!(
            "details.own-consent:has(input[value='{school_member}']) summary"
        ))
        .await;
    parent
        .click(&format!(
            "form:has(input[name=voor][value='{school_member}']):has(input[name=onderdeel][value=membership]) button"
        ))
        .await;
    parent.expect_contains("main", "u geeft toestemming").await;

    // The school looks; the mother sees that look.
    let ib = logged_in(&app, "ib@regenboog.example").await;
    let page = fetch_page(&app, &ib, &network).await;
    assert!(page.contains("Sem de Vries"), "the school takes part now");
    parent.open(&app, &format!("{network}/inzage")).await;
    parent
        .expect_contains("main", "Basisschool De Regenboog")
        .await;
    parent.expect_contains("main", "Netwerk bekeken").await;
    parent.stop().await;
    app.stop().await;
}

/// The youth of 12 in her own view, on a phone: invited by mail, she sets a password,
/// finds "Wie helpen jou?", sees the help around her (the reason too, which the case
/// director kept from her parent at her request) and lets her GP take part.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_youth_of_12_sees_her_own_network_on_a_phone() {
    let app = TestApp::start(Backend::Sqlite).await;
    let practice = app
        .org("Huisartsenpraktijk De Linde", "huisartsenpraktijk")
        .await;
    let team = app.org("Sociaal Team Voorbeeld", "sociaal_team").await;
    let sanne = app
        .user("sanne@team.example", Some(&team), &["consulent"])
        .await;
    app.user("arts@linde.example", Some(&practice), &["huisarts"])
        .await;
    let (p, t, s) = (practice.clone(), team.clone(), sanne.clone());
    app.db
        .write(move |c| rondom_db::directory::link_consultant(c, &p, &t, &s).map(|_| ()))
        .await
        .unwrap();
    // The referral, its acceptance, the network and the youth in it, without a browser
    // (those steps have their own tests).
    let send = |client: reqwest::Client, path: String, pairs: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let csrf = csrf_of(app, &client).await;
            let mut all = vec![("csrf", csrf)];
            all.extend(pairs);
            client.post(app.url(&path)).form(&all).send().await.unwrap()
        }
    };
    let gp = logged_in(&app, "arts@linde.example").await;
    let reason = "Noor piekert veel en slaapt slecht; ze wil er met iemand over praten.";
    let r = send(
        gp.clone(),
        "/verwijzingen/nieuw".into(),
        vec![
            ("naam", "Noor de Vries".into()),
            ("geboortedatum", "2014-03-01".into()),
            ("gemeente", "GM9999".into()),
            ("doel", format!("team:{team}")),
            ("gebieden", "psychisch".into()),
            ("urgentie", "regulier".into()),
            ("reden", reason.into()),
            ("actie", "versturen".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let referral = location_path(&r);
    let director = logged_in(&app, "sanne@team.example").await;
    send(
        director.clone(),
        format!("{referral}/status"),
        vec![
            ("naar", "accepted".into()),
            ("casusregisseur", sanne.clone()),
        ],
    )
    .await;
    let network =
        location_path(&send(director.clone(), format!("{referral}/netwerk"), vec![]).await);
    for (naam, relatie, gezag) in [
        ("Eva de Vries", "ouder", "ja"),
        ("Noor de Vries", "jeugdige", ""),
    ] {
        send(
            director.clone(),
            format!("{network}/gezin"),
            vec![
                ("naam", naam.into()),
                ("relatie", relatie.into()),
                ("gezag", gezag.into()),
            ],
        )
        .await;
    }
    let id = network.trim_start_matches("/netwerken/").to_owned();
    let members = {
        let id = id.clone();
        app.db
            .read(move |c| rondom_db::networks::members(c, &id))
            .await
            .unwrap()
    };
    let youth = members
        .iter()
        .find(|m| m.relation.as_deref() == Some("jeugdige"))
        .unwrap()
        .id
        .to_string();
    let gp_member = members
        .iter()
        .find(|m| m.role_label == "huisarts")
        .unwrap()
        .id
        .to_string();
    let r = send(
        director.clone(),
        format!("{network}/niet-voor-ouders"),
        vec![
            ("soort", "referral".into()),
            ("item", referral.trim_start_matches("/verwijzingen/").into()),
            ("actie", "verbergen".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = send(
        director.clone(),
        format!("{network}/leden/{youth}/uitnodigen"),
        vec![("email", "noor@jong.example".into())],
    )
    .await;
    assert_eq!(r.status(), 303);
    let mut n = 1;
    let mail = loop {
        let mails = app.smtp.wait_for(n).await;
        if let Some(m) = mails
            .iter()
            .find(|m| m.to == vec!["noor@jong.example".to_owned()])
        {
            break m.clone();
        }
        assert!(mails.len() >= n, "the youth is mailed");
        n += 1;
    };
    assert!(
        !mail.data.contains("piekert"),
        "nothing of the help in the mail"
    );

    // Noor, on her phone.
    let link = smtp::link_in(&mail).unwrap();
    let noor = Browser::start_at(Some(375)).await;
    noor.client.goto(&link).await.unwrap();
    let pw = "mijn eigen wachtwoord";
    noor.fill("#password", pw).await;
    noor.fill("#password_repeat", pw).await;
    noor.click("form.stack button[type=submit]").await;
    noor.wait_for("#email").await;
    noor.fill("#email", "noor@jong.example").await;
    noor.fill("#password", pw).await;
    noor.click("form.stack button[type=submit]").await;
    noor.expect_contains("main", "Wie helpen jou?").await;
    noor.click("main .cards a").await;
    noor.expect_contains("h1", "Noor de Vries (12 jaar)").await;
    noor.expect_contains("main", "Welke hulp is er?").await;
    noor.expect_contains("main", "piekert veel").await;
    noor.expect_contains("main", "Jij beslist mee").await;
    let widths = noor
        .client
        .execute(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            vec![],
        )
        .await
        .unwrap();
    let [scroll, client]: [u64; 2] = serde_json::from_value(widths).unwrap();
    assert!(scroll <= client, "no sideways scrolling on a phone");
    noor.click(&format!(
        "details.own-consent:has(input[value='{gp_member}']) summary"
    ))
    .await;
    noor.expect_contains("details.own-consent[open]", "Jouw toestemming voor")
        .await;
    noor.click(&format!(
        "form:has(input[name=voor][value='{gp_member}']):has(input[name=onderdeel][value=membership]) button"
    ))
    .await;
    noor.expect_contains("main", "u geeft toestemming").await;
    noor.stop().await;
    app.stop().await;
}
