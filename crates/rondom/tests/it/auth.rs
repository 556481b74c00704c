//! Logging in and out, the second factor, throttling, session expiry, password reset.

use crate::common::*;
use rondom_web::auth::totp;

on_both_backends!(
    professional_logs_in_with_password_and_totp_and_logs_out,
    a_code_cannot_be_used_twice,
    wrong_password_and_unknown_address_get_the_same_answer,
    a_stranger_cannot_lock_out_the_owner,
    an_active_session_is_kept_alive_under_a_short_idle_time,
    expired_session_goes_to_login_and_back_to_the_page_asked_for,
    forms_without_the_csrf_token_are_refused,
    password_reset_link_arrives_by_smtp_and_works_once,
    demo_accounts_skip_the_second_factor_only_in_demo_mode,
    recovery_code_works_once,
    wrong_codes_lock_the_second_factor_and_a_new_password_login_does_not_reset_it,
);

async fn wrong_codes_lock_the_second_factor_and_a_new_password_login_does_not_reset_it(b: Backend) {
    let app = TestApp::start(b).await;
    let org = app.org("Praktijk", "huisartsenpraktijk").await;
    app.user("mfa@test.example", Some(&org), &["huisarts"])
        .await;
    let c = app.client();
    password_login(&app, &c, "mfa@test.example", PASSWORD, "/").await;
    enrol_totp(&app, &c).await;
    let mut statuses = Vec::new();
    for round in 0..2 {
        // Each round starts with a correct password, as an attacker would to reset counters.
        let c = app.client();
        let l = password_login(&app, &c, "mfa@test.example", PASSWORD, "/").await;
        assert_eq!(l.status, 303, "round {round}: password still accepted");
        for _ in 0..(2 + round) {
            let r = submit_code(&app, &c, "123456", "/").await;
            statuses.push(r.status().as_u16());
        }
    }
    assert_eq!(
        statuses,
        vec![401, 401, 401, 401, 429],
        "after four wrong codes the next is refused unseen, across logins"
    );
    app.stop().await;
}

async fn professional_logs_in_with_password_and_totp_and_logs_out(b: Backend) {
    let app = TestApp::start(b).await;
    let org = app.org("Praktijk Test", "huisartsenpraktijk").await;
    app.user("arts@test.example", Some(&org), &["huisarts"])
        .await;
    let client = app.client();

    let l = password_login(&app, &client, "arts@test.example", PASSWORD, "/").await;
    assert_eq!(l.status, 303);
    assert!(
        l.location.starts_with("/inloggen/tweestapsverificatie"),
        "first login sets up the second factor, went to {}",
        l.location
    );

    // Without the second factor the start page is not reachable.
    let r = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(location(&r), "/inloggen/code");

    let page = fetch_page(&app, &client, "/inloggen/tweestapsverificatie").await;
    assert!(page.contains("<svg"), "QR code shown");
    let secret = secret_from_page(&page);
    let csrf = hidden(&page, "csrf");
    let r = client
        .post(app.url("/inloggen/tweestapsverificatie"))
        .form(&[
            ("code", "000000"),
            ("csrf", csrf.as_str()),
            ("volgende", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Deze code klopt niet"));

    let stored = app
        .db
        .read(|c| {
            use diesel::prelude::*;
            use rondom_db::schema::users::dsl::*;
            Ok(users.select(totp_secret).first::<Option<String>>(c)?)
        })
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored.starts_with("v1:") && !stored.contains(&secret),
        "the secret is stored encrypted"
    );

    let code = totp::code_at(&secret, totp::unix_now()).unwrap();
    let r = client
        .post(app.url("/inloggen/tweestapsverificatie"))
        .form(&[
            ("code", code.as_str()),
            ("csrf", csrf.as_str()),
            ("volgende", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert_eq!(body.matches("<li><code>").count(), 10, "ten recovery codes");

    let home = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let home = home.text().await.unwrap();
    assert!(home.contains("Welkom, Test arts"));
    assert!(home.contains("Praktijk Test"));
    assert!(!home.contains("DEMO"), "no demo banner outside demo mode");

    let csrf = hidden(&home, "csrf");
    let r = client
        .post(app.url("/uitloggen"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/inloggen?melding=uitgelogd");
    let sessions = app
        .db
        .read(|c| {
            use diesel::prelude::*;
            Ok(rondom_db::schema::sessions::table
                .count()
                .get_result::<i64>(c)?)
        })
        .await
        .unwrap();
    assert_eq!(sessions, 0, "logout ended the session on the server");
    let r = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(location(&r).starts_with("/inloggen"));

    let log = app.audit().await;
    assert!(log.iter().any(|e| e.action == "login"
        && e.outcome == "allowed"
        && e.reason.as_deref().unwrap_or("").contains("enrolled")));
    assert!(log.iter().any(|e| e.action == "logout"));
    app.stop().await;
}

async fn a_code_cannot_be_used_twice(b: Backend) {
    let app = TestApp::start(b).await;
    let org = app.org("Team", "sociaal_team").await;
    app.user("consulent@test.example", Some(&org), &["consulent"])
        .await;
    let first = app.client();
    password_login(&app, &first, "consulent@test.example", PASSWORD, "/").await;
    let secret = enrol_totp(&app, &first).await;
    let used = totp::code_at(&secret, totp::unix_now()).unwrap();

    let second = app.client();
    let l = password_login(
        &app,
        &second,
        "consulent@test.example",
        PASSWORD,
        "/account",
    )
    .await;
    assert!(l.location.starts_with("/inloggen/code"), "{}", l.location);
    let r = submit_code(&app, &second, &used, "/account").await;
    assert_eq!(r.status(), 401, "the code used at enrolment is spent");
    assert!(r.text().await.unwrap().contains("al gebruikt"));

    // The next time step's code is new, so it is accepted (one step of drift allowed).
    let next = totp::code_at(&secret, totp::unix_now() + 30).unwrap();
    let r = submit_code(&app, &second, &next, "/account").await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/account");
    assert_eq!(
        second
            .get(app.url("/account"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let log = app.audit().await;
    assert!(log.iter().any(|e| e.action == "login"
        && e.outcome == "denied"
        && e.reason.as_deref() == Some("wrong or reused second-factor code")));
    app.stop().await;
}

async fn wrong_password_and_unknown_address_get_the_same_answer(b: Backend) {
    let app = TestApp::start(b).await;
    let org = app.org("Praktijk", "huisartsenpraktijk").await;
    app.user("bekend@test.example", Some(&org), &["huisarts"])
        .await;
    let c1 = app.client();
    let wrong = password_login(&app, &c1, "bekend@test.example", "niet het wachtwoord", "/").await;
    let c2 = app.client();
    let unknown = password_login(
        &app,
        &c2,
        "onbekend@test.example",
        "niet het wachtwoord",
        "/",
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    let msg = "Het e-mailadres of het wachtwoord klopt niet.";
    assert!(wrong.body.contains(msg) && unknown.body.contains(msg));
    let strip = |b: &str| {
        b.replace(&hidden(b, "csrf"), "")
            .replace("onbekend@", "")
            .replace("bekend@", "")
    };
    assert_eq!(
        strip(&wrong.body),
        strip(&unknown.body),
        "the pages differ only in what was typed"
    );
    let denied: Vec<_> = app
        .audit()
        .await
        .into_iter()
        .filter(|e| e.action == "login" && e.outcome == "denied")
        .collect();
    assert_eq!(denied.len(), 2, "both failures are in the audit log");
    app.stop().await;
}

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
    for i in 0..12 {
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

async fn expired_session_goes_to_login_and_back_to_the_page_asked_for(b: Backend) {
    let app = TestApp::start(b).await;
    app.user("ouder@test.example", None, &["ouder_verzorger"])
        .await;
    let client = app.client();
    let l = password_login(&app, &client, "ouder@test.example", PASSWORD, "/").await;
    assert_eq!(l.location, "/", "family members have no second factor");
    assert_eq!(
        client
            .get(app.url("/account"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Forty minutes of silence (idle timeout is 30).
    app.db
        .write(|c| {
            use diesel::prelude::*;
            use rondom_db::schema::sessions::dsl::*;
            diesel::update(sessions)
                .set(last_seen_at.eq(rondom_db::now() - chrono::Duration::minutes(40)))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let r = client.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        location(&r),
        "/inloggen?volgende=/account&melding=sessie-verlopen"
    );
    let page = fetch_page(&app, &client, &location(&r)).await;
    assert!(page.contains("Uw sessie is verlopen"));
    let l = password_login(&app, &client, "ouder@test.example", PASSWORD, "/account").await;
    assert_eq!(l.location, "/account", "back to the page asked for");

    // The absolute timeout holds even for an active session.
    app.db
        .write(|c| {
            use diesel::prelude::*;
            use rondom_db::schema::sessions::dsl::*;
            diesel::update(sessions)
                .set(expires_at.eq(rondom_db::now() - chrono::Duration::seconds(1)))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let r = client.get(app.url("/")).send().await.unwrap();
    assert!(location(&r).contains("sessie-verlopen"));
    app.stop().await;
}

async fn forms_without_the_csrf_token_are_refused(b: Backend) {
    let app = TestApp::start(b).await;
    app.user("ouder2@test.example", None, &["ouder_verzorger"])
        .await;
    let client = app.client();
    password_login(&app, &client, "ouder2@test.example", PASSWORD, "/").await;
    let r = client
        .post(app.url("/account/tokens"))
        .form(&[("name", "zonder token")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Het formulier is verlopen")
    );
    let r = client
        .post(app.url("/account/tokens"))
        .form(&[("name", "fout token"), ("csrf", "abc")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // A cross-site post is refused even with the right token.
    let csrf = csrf_of(&app, &client).await;
    let r = client
        .post(app.url("/account/tokens"))
        .header("origin", "https://kwaadwillend.example")
        .form(&[("name", "cross site"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let count = app
        .db
        .read(|c| {
            use diesel::prelude::*;
            Ok(rondom_db::schema::api_tokens::table
                .count()
                .get_result::<i64>(c)?)
        })
        .await
        .unwrap();
    assert_eq!(count, 0, "no token was created");
    // The login form itself needs its double-submit token.
    let r = app
        .client()
        .post(app.url("/inloggen"))
        .form(&[
            ("email", "ouder2@test.example"),
            ("password", PASSWORD),
            ("csrf", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}

async fn password_reset_link_arrives_by_smtp_and_works_once(b: Backend) {
    let app = TestApp::start(b).await;
    let uid = app
        .user("vergeetachtig@test.example", None, &["ouder_verzorger"])
        .await;
    let (_, token_hash) = rondom_app::auth::new_api_token();
    app.db
        .write(move |c| rondom_db::tokens::create_api_token(c, &uid, "oud", &token_hash))
        .await
        .unwrap();
    let client = app.client();
    let r = client
        .post(app.url("/wachtwoord-vergeten"))
        .form(&[("email", "onbekend@test.example")])
        .send()
        .await
        .unwrap();
    let unknown_page = r.text().await.unwrap();
    let r = client
        .post(app.url("/wachtwoord-vergeten"))
        .form(&[("email", "Vergeetachtig@Test.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.text().await.unwrap(),
        unknown_page,
        "same answer for known and unknown addresses"
    );
    let mails = app.smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1, "one mail, only to the known address");
    assert_eq!(mails[0].to, vec!["vergeetachtig@test.example".to_owned()]);
    let link = smtp::link_in(&mails[0]).unwrap();
    assert!(link.starts_with(&app.base));
    let path = link.trim_start_matches(&app.base).to_owned();

    let form = client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let r = client
        .post(app.url(&path))
        .form(&[("password", "kort"), ("password_repeat", "kort")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("minstens 12 tekens"));
    // Long enough, but what everybody tries first.
    let r = client
        .post(app.url(&path))
        .form(&[
            ("password", "wachtwoord12"),
            ("password_repeat", "wachtwoord12"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("te makkelijk te raden"));
    // Long enough, but the person's own address: a guesser tries that first.
    let own = "vergeetachtig@test.example";
    let r = client
        .post(app.url(&path))
        .form(&[("password", own), ("password_repeat", own)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("te makkelijk te raden"));
    let new_pw = "een heel nieuw wachtwoord";
    let r = client
        .post(app.url(&path))
        .form(&[("password", new_pw), ("password_repeat", new_pw)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/inloggen?melding=wachtwoord-gewijzigd");
    let again = client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(again.status(), 410, "the link works once");
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("verlopen of al gebruikt")
    );
    let l = password_login(
        &app,
        &app.client(),
        "vergeetachtig@test.example",
        PASSWORD,
        "/",
    )
    .await;
    assert_eq!(l.status, 401, "the old password no longer works");
    let l = password_login(
        &app,
        &app.client(),
        "vergeetachtig@test.example",
        new_pw,
        "/",
    )
    .await;
    assert_eq!(l.status, 303);
    let live_tokens = app
        .db
        .read(|c| {
            use diesel::prelude::*;
            use rondom_db::schema::api_tokens::dsl::*;
            Ok(api_tokens
                .filter(revoked_at.is_null())
                .count()
                .get_result::<i64>(c)?)
        })
        .await
        .unwrap();
    assert_eq!(live_tokens, 0, "a reset leaves no live API token behind");

    // An expired link does not work.
    app.db
        .write(|c| {
            use diesel::prelude::*;
            use rondom_db::schema::password_resets::dsl::*;
            diesel::update(password_resets)
                .set((
                    used_at.eq(None::<chrono::NaiveDateTime>),
                    expires_at.eq(rondom_db::now() - chrono::Duration::minutes(1)),
                ))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(
        client.get(app.url(&path)).send().await.unwrap().status(),
        410
    );
    app.stop().await;
}

async fn demo_accounts_skip_the_second_factor_only_in_demo_mode(b: Backend) {
    for demo in [true, false] {
        let app = TestApp::start_with(b, demo).await;
        let org = app.org("Praktijk", "huisartsenpraktijk").await;
        let uid = app
            .user("demo@test.example", Some(&org), &["huisarts"])
            .await;
        app.db
            .write(move |c| {
                use diesel::prelude::*;
                use rondom_db::schema::users::dsl::*;
                diesel::update(users.find(&uid))
                    .set(is_demo.eq(true))
                    .execute(c)?;
                Ok(())
            })
            .await
            .unwrap();
        let client = app.client();
        let l = password_login(&app, &client, "demo@test.example", PASSWORD, "/").await;
        if demo {
            assert_eq!(l.location, "/");
            let home = fetch_page(&app, &client, "/").await;
            assert!(home.contains("demo-banner"), "DEMO banner in demo mode");
        } else {
            assert!(l.location.starts_with("/inloggen/tweestapsverificatie"));
        }
        app.stop().await;
    }
}

async fn recovery_code_works_once(b: Backend) {
    let app = TestApp::start(b).await;
    let org = app.org("JGZ", "jgz").await;
    app.user("jgz@test.example", Some(&org), &["jgz"]).await;
    let c = app.client();
    password_login(&app, &c, "jgz@test.example", PASSWORD, "/").await;
    let page = fetch_page(&app, &c, "/inloggen/tweestapsverificatie").await;
    let secret = secret_from_page(&page);
    let csrf = hidden(&page, "csrf");
    let code = totp::code_at(&secret, totp::unix_now()).unwrap();
    let codes_page = c
        .post(app.url("/inloggen/tweestapsverificatie"))
        .form(&[
            ("code", code.as_str()),
            ("csrf", csrf.as_str()),
            ("volgende", "/"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = codes_page.find("<li><code>").unwrap() + "<li><code>".len();
    let recovery = codes_page[start..start + 9].to_owned();
    for (attempt, expected) in [(1, 303u16), (2, 401)] {
        let c2 = app.client();
        password_login(&app, &c2, "jgz@test.example", PASSWORD, "/").await;
        let r = submit_code(&app, &c2, &recovery, "/").await;
        assert_eq!(
            r.status().as_u16(),
            expected,
            "attempt {attempt} with recovery code"
        );
    }
    app.stop().await;
}

/// The session's last activity is refreshed in time whatever the idle limit: with a
/// one-minute limit, a page viewed 55 seconds after the last one renews the session
/// (a fixed one-minute refresh let an active session end while in use).
async fn an_active_session_is_kept_alive_under_a_short_idle_time(b: Backend) {
    let app = TestApp::start_configured(b, false, |c| {
        c.web.session_idle = std::time::Duration::from_secs(60)
    })
    .await;
    app.user("ouder@test.example", None, &["ouder_verzorger"])
        .await;
    let client = app.client();
    password_login(&app, &client, "ouder@test.example", PASSWORD, "/").await;
    let last_seen = || async {
        app.db
            .read(|c| {
                use diesel::prelude::*;
                use rondom_db::schema::sessions::dsl::*;
                Ok(sessions
                    .select(last_seen_at)
                    .first::<chrono::NaiveDateTime>(c)?)
            })
            .await
            .unwrap()
    };
    app.db
        .write(|c| {
            use diesel::prelude::*;
            use rondom_db::schema::sessions::dsl::*;
            diesel::update(sessions)
                .set(last_seen_at.eq(rondom_db::now() - chrono::Duration::seconds(55)))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let r = client.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let seen = last_seen().await;
    assert!(
        rondom_db::now() - seen < chrono::Duration::seconds(10),
        "the visit renewed the session ({seen})"
    );
    app.stop().await;
}
