//! Password and second factor: logging in and out, codes used once, recovery, demo accounts.

use crate::common::*;
use rondom_web::auth::totp;

on_both_backends!(
    professional_logs_in_with_password_and_totp_and_logs_out,
    a_code_cannot_be_used_twice,
    wrong_password_and_unknown_address_get_the_same_answer,
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
    assert!(
        log.iter().any(|e| e.action == "second_factor_enable"
            && e.outcome == "allowed"
            && e.actor_user_id.is_some()
            && e.object_id == e.actor_user_id),
        "turning on the second factor is in the audit log"
    );
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
