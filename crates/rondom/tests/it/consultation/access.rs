//! Outsiders get nothing, the API applies the same checks, and every look is logged.

use super::{ask, world};
use crate::common::*;

on_both_backends!(
    outsiders_get_nothing,
    the_api_asks_lists_and_reads_with_the_same_checks,
    every_answer_that_shows_a_question_is_logged,
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
    let provider = app.org("Jeugd-GGZ Horizon", "zorgaanbieder").await;
    app.user(
        "zorg@horizon.example",
        Some(&provider),
        &["zorgaanbieder_medewerker"],
    )
    .await;
    app.user(
        "beheer@linde.example",
        Some(&w.practice),
        &["organisatiebeheerder"],
    )
    .await;

    let gp = logged_in(&app, "arts@linde.example").await;
    let resp = ask(
        &app,
        &gp,
        &w.team,
        "Jongen 14 jaar spijbelt",
        "Wat is de route via leerplicht?",
    )
    .await;
    let thread = location(&resp);

    let mut noord = None;
    for email in [
        "arts@noord.example",
        "piet@elders.example",
        "zorg@horizon.example",
        "beheer@linde.example",
    ] {
        let c = logged_in(&app, email).await;
        let r = c.get(app.url(&thread)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{email} gets nothing");
        // A list of their own questions, or a refusal: either way not this one.
        let (status, list) = fetch_any(&app, &c, "/overleg").await;
        assert!(
            matches!(status, 200 | 403),
            "{email}: /overleg answered {status}"
        );
        assert!(!list.contains("spijbelt"), "{email} does not see it listed");
        let csrf = csrf_of(&app, &c).await;
        let r = c
            .post(app.url(&format!("{thread}/bericht")))
            .form(&[("csrf", csrf.as_str()), ("bericht", "hallo")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{email} cannot write in it");
        if email == "arts@noord.example" {
            noord = Some(c);
        }
    }
    // The other practice's GP cannot ask a team not linked to it.
    let noord = noord.unwrap();
    let r = ask(
        &app,
        &noord,
        &w.team,
        "Vraag",
        "Aan een team dat niet van ons is",
    )
    .await;
    assert_eq!(r.status(), 422);
    let log = app.audit().await;
    let denied = |action: &str| {
        log.iter()
            .filter(|e| e.action == action && e.outcome == "denied")
            .count()
    };
    // Looks and tried changes, each logged as what it was.
    assert!(
        denied("consultation_read") >= 4 && denied("consultation_update") >= 4,
        "every refusal is logged ({} looks, {} changes)",
        denied("consultation_read"),
        denied("consultation_update")
    );
    app.stop().await;
}

async fn the_api_asks_lists_and_reads_with_the_same_checks(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp_id = app
        .user("poh@linde.example", Some(&w.practice), &["poh"])
        .await;
    let gp = app.token_for(&gp_id).await;
    let outsider_org = app
        .org("Gezondheidscentrum Noord", "huisartsenpraktijk")
        .await;
    let outsider_id = app
        .user("arts@noord.example", Some(&outsider_org), &["huisarts"])
        .await;
    let outsider = app.token_for(&outsider_id).await;
    let client = app.client();
    let post = |token: String, body: serde_json::Value| {
        let c = client.clone();
        let url = app.url("/api/v1/consultations");
        async move {
            c.post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    // A BSN is refused with the field named; nothing is stored.
    let r = post(
        gp.clone(),
        serde_json::json!({"team_id": w.team, "subject": "Jongen 12", "question": "BSN 111222333"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let err: serde_json::Value = r.json().await.unwrap();
    assert_eq!(err["error"]["fields"][0]["field"], "question");
    let r = post(gp.clone(), serde_json::json!({"team_id": w.team, "subject": "Jongen 12, pesten op school", "question": "Wat kan het team doen?"})).await;
    assert_eq!(r.status(), 201);
    let created: serde_json::Value = r.json().await.unwrap();
    let id = created["consultation"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["consultation"]["status"], "open");
    assert_eq!(created["messages"][0]["body"], "Wat kan het team doen?");
    // Listed for the practice, with filters; a bad filter is a structured error.
    let list: serde_json::Value = client
        .get(app.url("/api/v1/consultations?status=open"))
        .bearer_auth(&gp)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let r = client
        .get(app.url("/api/v1/consultations?due_before=morgen"))
        .bearer_auth(&gp)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // Another practice: not listed, 404 on the id, and may not ask this team.
    let theirs: serde_json::Value = client
        .get(app.url("/api/v1/consultations"))
        .bearer_auth(&outsider)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(theirs.as_array().unwrap().is_empty());
    let r = client
        .get(app.url(&format!("/api/v1/consultations/{id}")))
        .bearer_auth(&outsider)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = post(
        outsider.clone(),
        serde_json::json!({"team_id": w.team, "subject": "Vraag", "question": "Vraag"}),
    )
    .await;
    assert_eq!(r.status(), 422, "the team is not linked to that practice");
    // The OpenAPI document describes it.
    let doc: serde_json::Value = client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/consultations"]["post"].is_object());
    app.stop().await;
}

/// Every page and API answer that opens a question (its subject and messages) leaves its
/// look in the audit log, the thread shown again after a refused message or a refused
/// hand-over and the referral form filled from the question included: each request below
/// adds exactly one `consultation_read` for this question.
async fn every_answer_that_shows_a_question_is_logged(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let subject = "Jongen 12 jaar, woedeaanvallen thuis";
    let resp = ask(
        &app,
        &gp,
        &w.team,
        subject,
        "Ouders zijn op. Wat kan het team doen?",
    )
    .await;
    assert_eq!(resp.status(), 303);
    let thread = location(&resp);
    let id = thread.trim_start_matches("/overleg/").to_owned();
    let sanne = logged_in(&app, "sanne@team.example").await;
    let token = app
        .token_for(&app.user_id("arts@linde.example").await)
        .await;
    let looks = || {
        let (app, id) = (&app, id.clone());
        async move {
            app.audit()
                .await
                .iter()
                .filter(|e| {
                    e.action == "consultation_read"
                        && e.outcome == "allowed"
                        && e.object_id.as_deref() == Some(id.as_str())
                })
                .count()
        }
    };
    let post =
        |client: &reqwest::Client, path: String, field: &'static str, value: &'static str| {
            let (app, client) = (&app, client.clone());
            async move {
                let csrf = csrf_of(app, &client).await;
                client
                    .post(app.url(&path))
                    .form(&[("csrf", csrf.as_str()), (field, value)])
                    .send()
                    .await
                    .unwrap()
            }
        };
    // (what, expected status, response)
    let mut checked = Vec::new();
    macro_rules! seen {
        ($what:expr, $status:expr, $resp:expr) => {{
            let before = looks().await;
            let r = $resp;
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            assert_eq!(status, $status, "{}: {body}", $what);
            assert!(
                body.contains("woedeaanvallen"),
                "{} shows the question",
                $what
            );
            checked.push(($what, looks().await - before));
        }};
    }
    seen!(
        "the thread",
        200,
        gp.get(app.url(&thread)).send().await.unwrap()
    );
    seen!(
        "an empty message shown again",
        422,
        post(&gp, format!("{thread}/bericht"), "bericht", "").await
    );
    seen!(
        "a hand-over to a stranger shown again",
        422,
        post(
            &sanne,
            format!("{thread}/toewijzen"),
            "consulent",
            "0192f0c4-7a1e-7c3b-9d2e-5f6a7b8c9d0e"
        )
        .await
    );
    seen!(
        "the referral form filled from it",
        200,
        gp.get(app.url(&format!("/verwijzingen/nieuw?overleg={id}")))
            .send()
            .await
            .unwrap()
    );
    seen!(
        "the API",
        200,
        app.client()
            .get(app.url(&format!("/api/v1/consultations/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
    );
    for (what, n) in &checked {
        assert_eq!(*n, 1, "{what} is in the audit log once");
    }
    app.stop().await;
}
