//! Sessions: expiry and the way back, CSRF tokens on forms, an active session kept alive.

use crate::common::*;

on_both_backends!(
    an_active_session_is_kept_alive_under_a_short_idle_time,
    expired_session_goes_to_login_and_back_to_the_page_asked_for,
    forms_without_the_csrf_token_are_refused,
);

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
