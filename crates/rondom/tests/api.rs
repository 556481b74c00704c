//! The JSON API: tokens, structured errors, OpenAPI.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::{Value, json};

on_both_backends!(
    a_token_says_who_it_belongs_to_and_bad_tokens_get_401,
    malformed_and_invalid_json_get_structured_errors,
    oversized_bodies_get_413,
    api_permissions_match_the_pages,
);

async fn a_token_says_who_it_belongs_to_and_bad_tokens_get_401(b: Backend) {
    let app = TestApp::start(b).await;
    let p = app.org("Praktijk", "huisartsenpraktijk").await;
    let uid = app.user("api@test.example", Some(&p), &["huisarts"]).await;
    let token = app.token_for(&uid).await;
    let c = app.client();
    let me: Value = c
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "api@test.example");
    assert_eq!(me["memberships"][0]["role"], "huisarts");
    assert_eq!(me["memberships"][0]["organisation_name"], "Praktijk");

    for bad in [None, Some("rdm_nietbestaand"), Some("zomaar")] {
        let mut req = c.get(app.url("/api/v1/me"));
        if let Some(t) = bad {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("API-token")
        );
    }
    // A revoked token stops working at once.
    let tid = app
        .db
        .read(move |c| rondom_db::tokens::list_api_tokens(c, &uid))
        .await
        .unwrap()[0]
        .id
        .clone();
    let owner = me["id"].as_str().unwrap().to_owned();
    app.db
        .write(move |c| rondom_db::tokens::revoke_api_token(c, &owner, &tid))
        .await
        .unwrap();
    assert_eq!(
        c.get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    let r = c.get(app.url("/api/v1/bestaat-niet")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");

    let doc: Value = c
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/me",
        "/api/v1/organisations",
        "/api/v1/organisations/{id}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    app.stop().await;
}

async fn malformed_and_invalid_json_get_structured_errors(b: Backend) {
    let app = TestApp::start(b).await;
    let platform = app.org("Platform", "platform").await;
    let uid = app
        .user("root@test.example", Some(&platform), &["beheerder"])
        .await;
    let token = app.token_for(&uid).await;
    let c = app.client();
    let r = c
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"name\": \"Kapot\",")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Ongeldige JSON")
    );

    let r = c
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&token)
        .json(&json!({"name": "School", "kind": "school", "gemeente_code": "9999", "street": "Laan", "house_number": "1", "postcode": "1234 AB", "city": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation_failed");
    assert_eq!(body["error"]["fields"][0]["field"], "gemeente_code");

    let r = c
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&token)
        .json(&json!({"name": "School", "kind": "school", "gemeente_code": "GM9999", "street": "Laan", "house_number": "1", "postcode": "1234 AB", "city": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["kind"], "school");
    let id = created["id"].as_str().unwrap();
    let got: Value = c
        .get(app.url(&format!("/api/v1/organisations/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["name"], "School");
    app.stop().await;
}

async fn oversized_bodies_get_413(b: Backend) {
    let app = TestApp::start(b).await;
    let platform = app.org("Platform", "platform").await;
    let uid = app
        .user("root@test.example", Some(&platform), &["beheerder"])
        .await;
    let token = app.token_for(&uid).await;
    let c = app.client();
    let big = "x".repeat(2 * 1024 * 1024);
    let r = c
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(format!("{{\"name\": \"{big}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large");

    let page = fetch_page(&app, &c, "/inloggen").await;
    let csrf = hidden(&page, "csrf");
    let r = c
        .post(app.url("/inloggen"))
        .form(&[
            ("email", big.as_str()),
            ("password", "x"),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert!(r.text().await.unwrap().contains("te groot"));
    assert_eq!(
        app.db.read(rondom_db::organisations::count).await.unwrap(),
        1,
        "nothing created"
    );
    app.stop().await;
}

async fn api_permissions_match_the_pages(b: Backend) {
    let app = TestApp::start(b).await;
    let a = app.org("Praktijk A", "huisartsenpraktijk").await;
    let other = app.org("Praktijk B", "huisartsenpraktijk").await;
    let uid = app
        .user("beheer-a@test.example", Some(&a), &["organisatiebeheerder"])
        .await;
    let token = app.token_for(&uid).await;
    let c = app.client();
    let list: Value = c
        .get(app.url("/api/v1/organisations"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], a.as_str());
    let r = c
        .get(app.url(&format!("/api/v1/organisations/{other}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&token)
        .json(&json!({"name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let denied = app
        .audit()
        .await
        .into_iter()
        .filter(|e| e.outcome == "denied")
        .count();
    assert_eq!(denied, 2, "API refusals are logged like page refusals");
    app.stop().await;
}
