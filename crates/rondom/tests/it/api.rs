//! The JSON API: tokens, structured errors, OpenAPI.

use crate::common::*;
use serde_json::{Value, json};

on_both_backends!(
    a_token_says_who_it_belongs_to_and_bad_tokens_get_401,
    malformed_and_invalid_json_get_structured_errors,
    oversized_bodies_get_413,
    api_permissions_match_the_pages,
    malformed_ids_are_404_and_disturb_nobody,
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
        "/api/fhir/Task/{id}",
        "/api/fhir/Bundle/{id}",
        "/api/hsds/services",
        "/api/hsds/taxonomy_terms/{id}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // Every operation has its own id and documents the answers every operation can give.
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap().to_owned();
            assert!(ids.insert(id.clone()), "{method} {path}: {id} twice");
            for code in ["400", "401", "503"] {
                assert!(
                    op["responses"][code].is_object(),
                    "{method} {path} documents {code}"
                );
            }
            if op.get("requestBody").is_some() {
                assert!(
                    op["responses"]["415"].is_object(),
                    "{method} {path} documents 415"
                );
            }
        }
    }
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

/// A NUL byte in an id once broke other people's requests on PostgreSQL (the audit
/// group writer's shared commit failed) and made a dozen routes answer 500. Ids are
/// parsed at the edge now: a malformed one is a 404, like any id that is not yours, and
/// nobody else notices.
async fn malformed_ids_are_404_and_disturb_nobody(b: Backend) {
    let app = TestApp::start(b).await;
    let p = app.org("Praktijk", "huisartsenpraktijk").await;
    let gp = app.user("api@test.example", Some(&p), &["huisarts"]).await;
    let parent = app
        .user("ouder@test.example", None, &["ouder_verzorger"])
        .await;
    let (gp_token, parent_token) = (app.token_for(&gp).await, app.token_for(&parent).await);
    let bad = "a%00b";
    let api = [
        "/api/v1/organisations/{}",
        "/api/v1/services/{}",
        "/api/v1/consultations/{}",
        "/api/v1/referrals/{}",
        "/api/v1/referrals/{}/feedback",
        "/api/fhir/Task/{}",
        "/api/fhir/ServiceRequest/{}",
        "/api/fhir/Bundle/{}",
        "/api/hsds/services/{}",
        "/api/hsds/organizations/{}",
        "/api/hsds/service_at_locations/{}",
        "/api/hsds/taxonomies/{}",
        "/api/hsds/taxonomy_terms/{}",
    ];
    for path in api {
        let r = app
            .client()
            .get(app.url(&path.replace("{}", bad)))
            .bearer_auth(&gp_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found", "{path}");
    }
    // A number too large for any field is the API's structured error, not plain text.
    let r = app
        .client()
        .get(app.url("/api/v1/referrals?per_page=99999999999999999999999"))
        .bearer_auth(&gp_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    let browser = logged_in(&app, "api@test.example").await;
    for path in [
        "/verwijzingen/{}",
        "/overleg/{}",
        "/sociale-kaart/aanbod/{}",
        "/sociale-kaart/organisaties/{}",
        "/sociale-kaart/mensen/{}",
        "/beheer/organisaties/{}",
    ] {
        let r = browser
            .get(app.url(&path.replace("{}", bad)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert!(r.text().await.unwrap().contains("Niet gevonden"), "{path}");
    }
    // A parent's token hammering a malformed id while the GP reads a list (whose look is
    // audit-logged through the same group writer): every read of the GP's is answered,
    // none of the hammering is a 500.
    let hammer = {
        let (c, url, t) = (
            app.client(),
            app.url(&format!("/api/v1/organisations/{bad}")),
            parent_token.clone(),
        );
        tokio::spawn(async move {
            let mut codes = Vec::new();
            for _ in 0..200 {
                let r = c.get(&url).bearer_auth(&t).send().await.unwrap();
                codes.push(r.status().as_u16());
            }
            codes
        })
    };
    for _ in 0..50 {
        let r = app
            .client()
            .get(app.url("/api/v1/referrals"))
            .bearer_auth(&gp_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let codes = hammer.await.unwrap();
    assert!(codes.iter().all(|c| *c == 404), "{codes:?}");
    // A NUL in a form or a JSON body is refused with a sentence, and nothing is stored.
    let r = app
        .client()
        .post(app.url("/api/v1/consultations"))
        .bearer_auth(&gp_token)
        .header("content-type", "application/json")
        .body(r#"{"subject":"a\u0000b","question":"vraag"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"]["message"].as_str().unwrap().contains("NUL"),
        "{body}"
    );
    let csrf = csrf_of(&app, &browser).await;
    let r = browser
        .post(app.url("/overleg/nieuw"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&onderwerp=a%00b&vraag=iets"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("niet is toegestaan"));
    // Whatever text reaches an audit entry is stored without its NUL, and the chain
    // stays whole.
    app.db
        .audit(rondom_db::audit::AuditEvent {
            actor_name: "x\0y".into(),
            action: "read".into(),
            object_type: "organisation".into(),
            reason: Some("a\0b".into()),
            outcome: "denied".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let last = app.audit().await.into_iter().next().unwrap();
    assert_eq!(last.reason.as_deref(), Some("a\u{FFFD}b"));
    app.stop().await;
}
