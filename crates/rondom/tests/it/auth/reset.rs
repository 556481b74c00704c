//! Password reset: the link arrives by SMTP and works once.

use crate::common::*;

on_both_backends!(password_reset_link_arrives_by_smtp_and_works_once);

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
