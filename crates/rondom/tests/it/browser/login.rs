use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_professional_logs_in_with_password_and_totp_sees_the_start_page_and_logs_out() {
    let app = TestApp::start(Backend::Sqlite).await;
    let org = app
        .org("Huisartsenpraktijk De Linde", "huisartsenpraktijk")
        .await;
    app.user("huisarts@test.example", Some(&org), &["huisarts"])
        .await;
    let b = Browser::start().await;

    // A page behind login sends the browser to the login page first.
    b.client.goto(&app.url("/account")).await.unwrap();
    b.expect_text("h1", "Inloggen").await;
    assert_eq!(b.path().await, "/inloggen?volgende=/account");

    b.fill("#email", "huisarts@test.example").await;
    b.fill("#password", "verkeerd wachtwoord").await;
    b.click("form.stack button[type=submit]").await;
    b.expect_text(
        "#login-fout",
        "Het e-mailadres of het wachtwoord klopt niet.",
    )
    .await;

    b.fill("#password", PASSWORD).await;
    b.click("form.stack button[type=submit]").await;
    let secret = b.text("#totp-secret").await.replace(' ', "");
    assert!(
        b.client.find(Locator::Css("figure.qr svg")).await.is_ok(),
        "QR code rendered"
    );
    let code = totp::code_at(&secret, totp::unix_now()).unwrap();
    b.fill("#code", &code).await;
    b.click("form.stack button[type=submit]").await;
    b.expect_text("h1", "Uw herstelcodes").await;
    assert_eq!(
        b.client
            .find_all(Locator::Css("#herstelcodes li"))
            .await
            .unwrap()
            .len(),
        10
    );
    b.click("a.button.primary").await;

    b.expect_text("h1", "Mijn account").await;
    b.click("nav a[href='/']").await;
    b.expect_text("h1", "Welkom, Test huisarts").await;
    assert!(
        b.text("ul.cards")
            .await
            .contains("Huisartsenpraktijk De Linde")
    );

    b.click("form[action='/uitloggen'] button").await;
    b.expect_text("p.notice", "U bent uitgelogd.").await;
    b.client.goto(&app.url("/")).await.unwrap();
    b.expect_text("h1", "Inloggen").await;

    // The second login asks for the code (the next one: the first is spent).
    b.login(&app, "huisarts@test.example").await;
    b.wait_for("#code").await;
    let next = totp::code_at(&secret, totp::unix_now() + 30).unwrap();
    b.fill("#code", &next).await;
    b.click("form.stack button[type=submit]").await;
    b.expect_text("h1", "Welkom, Test huisarts").await;
    b.stop().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_cannot_open_another_organisations_admin_page_and_the_refusal_is_logged() {
    let app = TestApp::start(Backend::Sqlite).await;
    let own = app.org("Basisschool De Regenboog", "school").await;
    let other = app.org("Voorbeeld College", "school").await;
    app.user(
        "ib@test.example",
        Some(&own),
        &["school", "organisatiebeheerder"],
    )
    .await;
    let b = Browser::start().await;
    b.login(&app, "ib@test.example").await;
    let secret = b.text("#totp-secret").await.replace(' ', "");
    b.fill("#code", &totp::code_at(&secret, totp::unix_now()).unwrap())
        .await;
    b.click("form.stack button[type=submit]").await;
    b.click("a.button.primary").await;

    b.click("nav a[href='/beheer']").await;
    b.expect_text("h1", "Basisschool De Regenboog").await;

    b.client
        .goto(&app.url(&format!("/beheer/organisaties/{other}")))
        .await
        .unwrap();
    b.expect_text("h1", "Geen toegang").await;
    assert!(
        b.text("p.error-text")
            .await
            .contains("Deze poging is vastgelegd.")
    );
    assert!(
        !b.client
            .source()
            .await
            .unwrap()
            .contains("Voorbeeld College")
    );

    // The refusal is in the audit log, as the organisation admin sees it.
    b.client
        .goto(&app.url("/beheer/audit?uitkomst=denied"))
        .await
        .unwrap();
    let row = b.text("table.audit tbody tr").await;
    assert!(
        row.contains("Test ib") && row.contains("geweigerd") && row.contains("Voorbeeld College"),
        "{row}"
    );
    b.stop().await;
    app.stop().await;
}
