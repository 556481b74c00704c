//! Throttling: a guesser is slowed down, but cannot lock the owner out.

use crate::common::*;

on_both_backends!(a_stranger_cannot_lock_out_the_owner);

/// A login through the reverse proxy from `from`: (status, Retry-After, page).
async fn login_from(
    app: &TestApp,
    client: &reqwest::Client,
    from: &str,
    email: &str,
    password: &str,
) -> (u16, Option<String>, String) {
    let l = password_login_from(app, client, Some(from), email, password, "/").await;
    (l.status, l.retry_after, l.body)
}

/// Someone who knows an address can slow down their own guesses but not lock its owner
/// out: a guesser at one address is stopped there; guesses from many addresses lock the
/// account softly, and the right password with the right second factor still gets in;
/// an account without a second factor gets in after a reset by e-mail. Every refusal
/// says how long to wait.
async fn a_stranger_cannot_lock_out_the_owner(b: Backend) {
    let app = TestApp::start_configured(b, false, |c| c.web.trust_proxy_headers = true).await;
    let org = app.org("Praktijk", "huisartsenpraktijk").await;
    app.user("doelwit@test.example", Some(&org), &["huisarts"])
        .await;
    app.user("ouder@test.example", None, &["ouder_verzorger"])
        .await;
    // The owner set up the second factor once, from home.
    let home = app.client();
    let (status, _, _) =
        login_from(&app, &home, "10.0.0.7", "doelwit@test.example", PASSWORD).await;
    assert_eq!(status, 303);
    let page = fetch_page(&app, &home, "/inloggen/tweestapsverificatie").await;
    let secret = secret_from_page(&page);
    let code =
        rondom_web::auth::totp::code_at(&secret, rondom_web::auth::totp::unix_now()).unwrap();
    let resp = home
        .post(app.url("/inloggen/tweestapsverificatie"))
        .header("x-forwarded-for", "10.0.0.7")
        .form(&[
            ("code", code.as_str()),
            ("csrf", &hidden(&page, "csrf")),
            ("volgende", "/"),
        ])
        .send()
        .await
        .unwrap();
    let codes_page = resp.text().await.unwrap();
    let recovery: Vec<String> = codes_page
        .match_indices("<li><code>")
        .map(|(i, m)| codes_page[i + m.len()..i + m.len() + 9].to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);

    // A guesser at one address: three free tries, a fourth, then refused unseen.
    let guesser = app.client();
    for _ in 0..4 {
        let (status, _, _) = login_from(
            &app,
            &guesser,
            "10.0.0.66",
            "doelwit@test.example",
            "fout fout fout",
        )
        .await;
        assert_eq!(status, 401);
    }
    let (status, retry, body) = login_from(
        &app,
        &guesser,
        "10.0.0.66",
        "doelwit@test.example",
        PASSWORD,
    )
    .await;
    assert_eq!(status, 429, "refused before the password is looked at");
    assert!(body.contains("Te veel mislukte pogingen"), "{body}");
    assert!(
        retry.is_some_and(|r| r.parse::<i64>().unwrap() >= 1),
        "Retry-After is sent"
    );
    // The owner, elsewhere, is not touched by it.
    let (status, _, _) = login_from(
        &app,
        &app.client(),
        "10.0.0.7",
        "doelwit@test.example",
        PASSWORD,
    )
    .await;
    assert_eq!(status, 303);

    // Guesses from many addresses lock the account over all addresses...
    // Enough of them that the lock (doubling per guess) outlasts a slow machine.
    for i in 0..18 {
        login_from(
            &app,
            &app.client(),
            &format!("10.1.0.{i}"),
            "doelwit@test.example",
            "fout fout fout",
        )
        .await;
    }
    let (status, retry, _) = login_from(
        &app,
        &app.client(),
        "10.2.0.1",
        "doelwit@test.example",
        "nog een gok",
    )
    .await;
    assert_eq!(status, 429);
    assert!(retry.is_some());
    // ...softly: the right password goes on to the second factor, and with it the owner
    // is in.
    let owner = app.client();
    let (status, _, _) =
        login_from(&app, &owner, "10.0.0.7", "doelwit@test.example", PASSWORD).await;
    assert_eq!(
        status, 303,
        "the right password still leads to the second factor"
    );
    let r = submit_code(&app, &owner, &recovery[0], "/").await;
    assert_eq!(r.status(), 303, "and the second factor lets the owner in");
    let home_page = fetch_page(&app, &owner, "/").await;
    assert!(home_page.contains("Welkom"), "{home_page}");

    // An account without a second factor: locked over all addresses, even the right
    // password waits (it cannot tell the owner from a guesser)...
    for i in 0..12 {
        login_from(
            &app,
            &app.client(),
            &format!("10.3.0.{i}"),
            "ouder@test.example",
            "fout fout fout",
        )
        .await;
    }
    let (status, retry, body) = login_from(
        &app,
        &app.client(),
        "10.0.0.8",
        "ouder@test.example",
        PASSWORD,
    )
    .await;
    assert_eq!(status, 429);
    assert!(retry.is_some());
    assert!(body.contains("Wachtwoord vergeten"), "{body}");
    // ...until a reset link by e-mail proves the owner.
    let c = app.client();
    let resp = c
        .post(app.url("/wachtwoord-vergeten"))
        .header("x-forwarded-for", "10.0.0.8")
        .form(&[("email", "ouder@test.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mails = app.smtp.wait_for(1).await;
    let link = smtp::link_in(&mails[0]).unwrap();
    let path = link.trim_start_matches(&app.base).to_owned();
    let resp = c
        .post(app.url(&path))
        .form(&[
            ("password", "een heel nieuw wachtwoord"),
            ("password_repeat", "een heel nieuw wachtwoord"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let (status, _, body) = login_from(
        &app,
        &app.client(),
        "10.0.0.8",
        "ouder@test.example",
        "een heel nieuw wachtwoord",
    )
    .await;
    assert_eq!(status, 303, "{body}");

    // The reset form counts on its own: many requests from one address do not slow
    // down a login from it.
    for _ in 0..12 {
        c.post(app.url("/wachtwoord-vergeten"))
            .header("x-forwarded-for", "10.0.0.9")
            .form(&[("email", "niemand@test.example")])
            .send()
            .await
            .unwrap();
    }
    let (status, _, _) = login_from(
        &app,
        &app.client(),
        "10.0.0.9",
        "ouder@test.example",
        "een heel nieuw wachtwoord",
    )
    .await;
    assert_eq!(status, 303);
    // The delay grows with each counted failure after the free ones.
    assert_eq!(
        rondom_app::auth::throttle::lock_after(5, 3),
        Some(chrono::Duration::seconds(2))
    );
    app.stop().await;
}
