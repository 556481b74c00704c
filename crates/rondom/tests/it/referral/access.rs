//! Outsiders get nothing, and every answer that shows the child is in the audit log.

use super::{child_fields, post, world};
use crate::common::*;
use serde_json::{Value, json};

on_both_backends!(
    outsiders_get_nothing,
    every_answer_that_shows_the_child_is_logged,
);

async fn outsiders_get_nothing(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let other_practice = app
        .org("Gezondheidscentrum Noord", "huisartsenpraktijk")
        .await;
    app.user("arts@noord.example", Some(&other_practice), &["huisarts"])
        .await;
    let other_team = app.org("Sociaal Team Elders", "sociaal_team").await;
    app.user("piet@elders.example", Some(&other_team), &["consulent"])
        .await;
    let other_provider = app.org("Orthopedagogisch Centrum", "zorgaanbieder").await;
    let other_staff = app
        .user(
            "zorg@ortho.example",
            Some(&other_provider),
            &["zorgaanbieder_medewerker"],
        )
        .await;
    app.user(
        "assistent@linde.example",
        Some(&w.practice),
        &["organisatiebeheerder"],
    )
    .await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let doel = format!("team:{}", w.team);
    let r = post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    let path = location_path(&r);
    let id = path.trim_start_matches("/verwijzingen/").to_owned();
    for email in [
        "arts@noord.example",
        "piet@elders.example",
        "zorg@ortho.example",
        "assistent@linde.example",
    ] {
        let c = logged_in(&app, email).await;
        let r = c.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{email} gets nothing");
        let r = post(&app, &c, &format!("{path}/status"), &[("naar", "accepted")]).await;
        assert_eq!(r.status(), 404, "{email} cannot move it");
        let r = post(
            &app,
            &c,
            &format!("{path}/terugkoppeling"),
            &[("terugkoppeling", "x")],
        )
        .await;
        assert_eq!(r.status(), 404, "{email} cannot write feedback");
        let inbox = c.get(app.url("/verwijzingen")).send().await.unwrap();
        let text = inbox.text().await.unwrap();
        assert!(
            !text.contains("Noor de Vries"),
            "{email} does not see it listed"
        );
    }
    let token = app.token_for(&other_staff).await;
    let client = app.client();
    for url in [
        format!("/api/v1/referrals/{id}"),
        format!("/api/v1/referrals/{id}/feedback"),
        format!("/api/fhir/ServiceRequest/{id}"),
        format!("/api/fhir/Task/{id}"),
        format!("/api/fhir/Bundle/{id}"),
    ] {
        let r = client
            .get(app.url(&url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{url}");
    }
    let r = client
        .post(app.url(&format!("/api/v1/referrals/{id}/transitions")))
        .bearer_auth(&token)
        .json(&json!({"to": "accepted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let list: Value = client
        .get(app.url("/api/v1/referrals"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 0);
    let log = app.audit().await;
    let denied = |action: &str| {
        log.iter()
            .filter(|e| {
                e.action == action
                    && e.outcome == "denied"
                    && e.object_id.as_deref() == Some(id.as_str())
            })
            .count()
    };
    // Four people looked (page) and the token five times (API reads); four people tried
    // two changes each, the token one: each logged as what it was.
    assert!(
        denied("referral_read") >= 9,
        "looks are logged ({})",
        denied("referral_read")
    );
    assert!(
        denied("referral_update") >= 9,
        "refused changes are logged as changes, not looks ({})",
        denied("referral_update")
    );
    // The practice and the team whose referral it is see every attempt on it in their
    // own audit view, though the attempts came from other organisations.
    for owner in [&w.practice, &w.team] {
        let filter = rondom_db::audit::AuditFilter {
            organisation_id: Some(owner.clone()),
            outcome: Some("denied".into()),
            ..Default::default()
        };
        let seen = app
            .db
            .read(move |c| rondom_db::audit::list(c, &filter, None, 1000))
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.object_id.as_deref() == Some(id.as_str()))
            .count();
        assert_eq!(
            seen,
            denied("referral_read") + denied("referral_update"),
            "the owner sees every refused attempt"
        );
    }
    app.stop().await;
}

/// Every page and API answer that shows a referral's child (its name, reason, feedback)
/// leaves its look in the audit log, the forms shown again after a failed check
/// included: each request below adds exactly one `referral_read` for this referral.
async fn every_answer_that_shows_the_child_is_logged(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let doel = format!("team:{}", w.team);
    let r = post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    let path = location_path(&r);
    let id = path.trim_start_matches("/verwijzingen/").to_owned();
    let sanne = logged_in(&app, "sanne@team.example").await;
    let token = app.token_for(&w.sanne).await;
    let reads = || {
        let (app, id) = (&app, id.clone());
        async move {
            app.audit()
                .await
                .iter()
                .filter(|e| {
                    e.action == "referral_read"
                        && e.outcome == "allowed"
                        && e.object_id.as_deref() == Some(id.as_str())
                })
                .count()
        }
    };
    // (what, status, body)
    let mut answers: Vec<(String, u16, String)> = Vec::new();
    let mut logged = Vec::new();
    macro_rules! seen {
        ($what:expr, $resp:expr) => {{
            let before = reads().await;
            let r = $resp;
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            logged.push(($what.to_string(), reads().await - before));
            answers.push(($what.to_string(), status, body));
        }};
    }
    seen!("the page", sanne.get(app.url(&path)).send().await.unwrap());
    seen!(
        "a refused move shown again",
        post(
            &app,
            &sanne,
            &format!("{path}/status"),
            &[("naar", "accepted")]
        )
        .await
    );
    seen!(
        "empty feedback shown again",
        post(
            &app,
            &sanne,
            &format!("{path}/terugkoppeling"),
            &[("terugkoppeling", "")]
        )
        .await
    );
    seen!(
        "an unknown case director shown again",
        post(
            &app,
            &sanne,
            &format!("{path}/casusregisseur"),
            &[("casusregisseur", "0192f0c4-7a1e-7c3b-9d2e-5f6a7b8c9d0e")]
        )
        .await
    );
    seen!(
        "a refer-on without a service shown again",
        post(
            &app,
            &sanne,
            &format!("{path}/doorverwijzen"),
            &[("aanbod", ""), ("reden", "")]
        )
        .await
    );
    let api = |p: &str| app.client().get(app.url(p)).bearer_auth(&token).send();
    seen!(
        "the API",
        api(&format!("/api/v1/referrals/{id}")).await.unwrap()
    );
    seen!(
        "the API's feedback",
        api(&format!("/api/v1/referrals/{id}/feedback"))
            .await
            .unwrap()
    );
    seen!(
        "FHIR ServiceRequest",
        api(&format!("/api/fhir/ServiceRequest/{id}"))
            .await
            .unwrap()
    );
    seen!(
        "FHIR Task",
        api(&format!("/api/fhir/Task/{id}")).await.unwrap()
    );
    seen!(
        "FHIR Bundle",
        api(&format!("/api/fhir/Bundle/{id}")).await.unwrap()
    );
    for (what, status, body) in &answers {
        assert!(
            matches!(status, 200 | 409 | 422),
            "{what}: answered {status}"
        );
        // (The feedback list is still empty here; it is logged for what it may hold.)
        assert!(
            what == "the API's feedback"
                || body.contains("Noor de Vries")
                || body.contains("Ouders lopen vast"),
            "{what} shows the child"
        );
    }
    for (what, n) in &logged {
        assert_eq!(*n, 1, "{what} is in the audit log once");
    }
    app.stop().await;
}
