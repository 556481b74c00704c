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
