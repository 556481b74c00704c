//! An anonymous question stays anonymous: what could identify the child is caught before
//! anything is stored, and the team hears of a new question.

use super::{ask, world};
use crate::common::*;

on_both_backends!(
    a_question_that_may_identify_the_child_waits_for_a_rewrite_or_a_confirmation,
    a_new_question_reaches_the_team_in_rondom_and_by_mail,
);

async fn consultations(app: &TestApp) -> i64 {
    app.db
        .read(|c| {
            use diesel::prelude::*;
            Ok(rondom_db::schema::consultations::table
                .count()
                .get_result(c)?)
        })
        .await
        .unwrap()
}

async fn a_question_that_may_identify_the_child_waits_for_a_rewrite_or_a_confirmation(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let identifying = "Noor de Vries, geboren 03-03-2015, woont Dorpsstraat 12. Moeder is bereikbaar op 06-12345678.";
    let r = ask(&app, &gp, &w.team, "Meisje slaapt slecht", identifying).await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    for shown in [
        "een naam (‘Noor de Vries’)",
        "een datum die een geboortedatum kan zijn (‘03-03-2015’)",
        "een adres (‘Dorpsstraat 12’)",
        "een telefoonnummer (‘06-12345678’)",
        "name=\"anoniem_bevestigd\"",
    ] {
        assert!(page.contains(shown), "{shown} in {page}");
    }
    assert_eq!(
        consultations(&app).await,
        0,
        "nothing is stored while refused"
    );

    // Rewritten, it goes.
    let r = ask(
        &app,
        &gp,
        &w.team,
        "Meisje slaapt slecht",
        "Meisje van 11, woont bij moeder. Slaapt slecht sinds de scheiding.",
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(consultations(&app).await, 1);

    // A name that is not the child's (the school's intern begeleider) goes once the GP
    // confirms it.
    let csrf = csrf_of(&app, &gp).await;
    let about_staff = "Overleg eerder gehad met Lotte Visser van school. Wat adviseert het team?";
    let send = |confirm: &'static str| {
        gp.post(app.url("/overleg/nieuw"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("team", w.team.as_str()),
                ("onderwerp", "Jongen 12, pesten"),
                ("vraag", about_staff),
                ("anoniem_bevestigd", confirm),
            ])
            .send()
    };
    assert_eq!(send("").await.unwrap().status(), 422);
    assert_eq!(send("ja").await.unwrap().status(), 303);
    assert_eq!(consultations(&app).await, 2);

    // The API says the same in its own words.
    let gp_id = app.user_id("arts@linde.example").await;
    let token = app.token_for(&gp_id).await;
    let api = |confirmed: bool| {
        reqwest::Client::new()
            .post(app.url("/api/v1/consultations"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "team_id": w.team,
                "subject": "Meisje slaapt slecht",
                "question": identifying,
                "confirmed_anonymous": confirmed,
            }))
            .send()
    };
    let r = api(false).await.unwrap();
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body.to_string().contains("\"anonymous\""), "{body}");
    assert_eq!(consultations(&app).await, 2);
    assert_eq!(api(true).await.unwrap().status(), 201);
    app.stop().await;
}

async fn a_new_question_reaches_the_team_in_rondom_and_by_mail(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let team = w.team.clone();
    app.db
        .write(move |c| {
            use diesel::prelude::*;
            use rondom_db::schema::organisations;
            diesel::update(organisations::table.find(&team))
                .set(organisations::email.eq("team@voorbeeld.example"))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let gp = logged_in(&app, "arts@linde.example").await;
    let r = ask(
        &app,
        &gp,
        &w.team,
        "Meisje 9 jaar slaapt slecht",
        "Moeder vraagt hulp bij het ritme. Wat past?",
    )
    .await;
    assert_eq!(r.status(), 303);
    let thread = location(&r);
    let mails = app.smtp.wait_for(1).await;
    let to_team = mails
        .iter()
        .find(|m| m.to == vec!["team@voorbeeld.example".to_owned()])
        .expect("the team's address hears of it");
    assert!(smtp::link_in(to_team).is_some_and(|l| l.ends_with(&thread)));
    assert!(!to_team.data.contains("slaapt") && !to_team.data.contains("ritme"));
    let sanne = logged_in(&app, "sanne@team.example").await;
    let list = fetch_page(&app, &sanne, "/overleg").await;
    assert!(
        list.contains("Er is een nieuwe overlegvraag voor uw team.")
            && list.contains(&format!("href=\"{thread}\"")),
        "{list}"
    );
    app.stop().await;
}
