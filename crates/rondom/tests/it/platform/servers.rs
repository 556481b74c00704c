//! Two servers on one database: shared sessions and one unbroken audit chain.

use crate::common::*;
use diesel::prelude::*;

on_both_backends!(
    two_servers_share_sessions_through_the_database,
    a_token_revoked_on_one_server_stops_working_on_the_other,
    audit_entries_written_at_once_by_two_servers_form_one_unbroken_chain,
);

async fn two_servers_share_sessions_through_the_database(b: Backend) {
    let app = TestApp::start(b).await;
    let second = app.second_server().await;
    app.user("o@test.example", None, &["ouder_verzorger"]).await;
    let c = app.client();
    password_login(&app, &c, "o@test.example", PASSWORD, "/").await;
    let b_url = format!("http://{}", second.addr);
    assert_eq!(
        c.get(app.url("/account")).send().await.unwrap().status(),
        200
    );
    let session_cookie = {
        let token = app
            .db
            .read(|c| {
                Ok(rondom_db::schema::sessions::table
                    .count()
                    .get_result::<i64>(c)?)
            })
            .await
            .unwrap();
        assert_eq!(token, 1);
        // Log in against server A keeping the raw cookie, as a load balancer in front
        // of both servers would pass it on.
        let raw = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let login_page = raw.get(app.url("/inloggen")).send().await.unwrap();
        let pre = login_page.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let csrf = hidden(&login_page.text().await.unwrap(), "csrf");
        let r = raw
            .post(app.url("/inloggen"))
            .header("cookie", &pre)
            .form(&[
                ("email", "o@test.example"),
                ("password", PASSWORD),
                ("csrf", csrf.as_str()),
                ("volgende", "/"),
            ])
            .send()
            .await
            .unwrap();
        r.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
            .find(|v| v.starts_with("rondom_session="))
            .unwrap()
    };
    let raw = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let on_b = raw
        .get(format!("{b_url}/account"))
        .header("cookie", &session_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        on_b.status(),
        200,
        "a session made on server A works on server B"
    );
    let csrf = hidden(&on_b.text().await.unwrap(), "csrf");
    // Server A has just used the session too (and keeps it in its session cache).
    let on_a = raw
        .get(app.url("/account"))
        .header("cookie", &session_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(on_a.status(), 200);
    let out = raw
        .post(format!("{b_url}/uitloggen"))
        .header("cookie", &session_cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    // A learns of the logout from the database (SQLite's change counter, PostgreSQL's
    // change notice), well before its cached copy would have aged out (2 s).
    let logged_out = std::time::Instant::now();
    loop {
        let on_a = raw
            .get(app.url("/account"))
            .header("cookie", &session_cookie)
            .send()
            .await
            .unwrap();
        if on_a.status() == 303 {
            break;
        }
        assert_eq!(on_a.status(), 200);
        assert!(
            logged_out.elapsed() < std::time::Duration::from_millis(500),
            "logout on B ends the session on A too"
        );
        tokio::task::yield_now().await;
    }
    second.stop().await;
    app.stop().await;
}

/// Each server keeps the API tokens it read a moment ago; a revocation written by
/// another process reaches it through the database's change notices (PostgreSQL) or
/// change counter (SQLite) within milliseconds.
async fn a_token_revoked_on_one_server_stops_working_on_the_other(b: Backend) {
    let app = TestApp::start(b).await;
    let second = app.second_server().await;
    let p = app.org("Praktijk", "huisartsenpraktijk").await;
    let uid = app.user("api@test.example", Some(&p), &["huisarts"]).await;
    let token = app.token_for(&uid).await;
    let c = app.client();
    let b_url = format!("http://{}", second.addr);
    for base in [app.base.clone(), b_url.clone()] {
        let r = c
            .get(format!("{base}/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "the token works on {base}");
    }
    // Revoked through server B's own database handle, as its account page would.
    let owner = uid.clone();
    second
        .state
        .app
        .db
        .write(move |c| rondom_db::tokens::revoke_all_api_tokens(c, &owner))
        .await
        .unwrap();
    let on_b = c
        .get(format!("{b_url}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(on_b.status(), 401, "B refuses at once");
    let revoked = std::time::Instant::now();
    loop {
        let on_a = c
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        if on_a.status() == 401 {
            break;
        }
        assert_eq!(on_a.status(), 200);
        assert!(
            revoked.elapsed() < std::time::Duration::from_millis(500),
            "a revocation on B ends the token on A too, well before A's copy ages out"
        );
        tokio::task::yield_now().await;
    }
    second.stop().await;
    app.stop().await;
}

/// Reads and refusals are logged through each server's group writer, which commits the
/// entries that arrive together in one transaction; two servers doing so at once must
/// still make one chain, with every entry in it once.
async fn audit_entries_written_at_once_by_two_servers_form_one_unbroken_chain(b: Backend) {
    let app = TestApp::start(b).await;
    let second = app.second_server().await;
    let before = app
        .db
        .read(|c| {
            Ok(rondom_db::schema::audit_log::table
                .count()
                .get_result::<i64>(c)?)
        })
        .await
        .unwrap();
    let mut writes = tokio::task::JoinSet::new();
    for i in 0..60 {
        let db = if i % 2 == 0 {
            app.db.clone()
        } else {
            second.state.app.db.clone()
        };
        writes.spawn(async move {
            db.audit(rondom_db::audit::AuditEvent {
                actor_name: format!("test {i}"),
                action: "referral_list_read".into(),
                object_type: "referral_inbox".into(),
                reason: Some(format!("entry {i}")),
                outcome: "allowed".into(),
                ..Default::default()
            })
            .await
        });
    }
    let mut seqs: Vec<i64> = writes
        .join_all()
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), 60, "every entry has its own place in the chain");
    let (outcome, reasons) = app
        .db
        .read(|c| {
            let reasons: Vec<Option<String>> = rondom_db::schema::audit_log::table
                .select(rondom_db::schema::audit_log::reason)
                .load(c)?;
            let keys = rondom_domain::audit::AuditKeys::derive(
                &rondom_app::secrets::parse_key(TEST_KEY).unwrap(),
            );
            Ok((rondom_db::audit::verify(c, &keys, &[])?, reasons))
        })
        .await
        .unwrap();
    assert!(
        matches!(outcome, rondom_db::audit::VerifyOutcome::Intact { entries, .. } if entries == before + 60),
        "{outcome:?}"
    );
    for i in 0..60 {
        let want = format!("entry {i}");
        assert_eq!(
            reasons
                .iter()
                .filter(|r| r.as_deref() == Some(&want))
                .count(),
            1,
            "{want} is logged once"
        );
    }
    second.stop().await;
    app.stop().await;
}
