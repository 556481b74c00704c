//! The JSON API's 409 with the allowed moves, and the FHIR export valid against HL7 FHIR R4.

use super::{child_fields, post, world};
use crate::common::*;
use serde_json::{Value, json};

on_both_backends!(
    the_api_answers_409_with_the_allowed_moves,
    fhir_exports_are_valid_r4,
);

async fn the_api_answers_409_with_the_allowed_moves(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp_id = app
        .db
        .read(|c| {
            Ok(rondom_db::users::find_by_email(c, "arts@linde.example")?
                .unwrap()
                .id)
        })
        .await
        .unwrap();
    let gp = app.token_for(&gp_id).await;
    let team = app.token_for(&w.sanne).await;
    let client = app.client();
    let body = json!({
        "child": {"name": "Daan Jansen", "birth_date": "2012-05-04", "gemeente_code": "GM9999", "bsn": "123456789"},
        "to_org_id": w.team,
        "reason": "Somber, spijbelt.",
        "problem_areas": ["psychisch", "school"],
    });
    let r = client
        .post(app.url("/api/v1/referrals"))
        .bearer_auth(&gp)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["fields"][0]["field"], "child.bsn");
    // Naming an organisation one does not refer for: refused (and logged), not stored.
    let mut foreign = body.clone();
    foreign["from_org_id"] = json!(w.team);
    foreign["child"]["bsn"] = json!("111222333");
    let r = client
        .post(app.url("/api/v1/referrals"))
        .bearer_auth(&gp)
        .json(&foreign)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let mut body = body;
    body["child"]["bsn"] = json!("111222333");
    let r = client
        .post(app.url("/api/v1/referrals"))
        .bearer_auth(&gp)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let id = created["referral"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["referral"]["status"], "requested");
    assert_eq!(created["allowed_transitions"], json!(["cancelled"]));
    let move_to = |token: String, body: Value| {
        let c = client.clone();
        let url = app.url(&format!("/api/v1/referrals/{id}/transitions"));
        async move {
            c.post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    // The GP cannot accept: 409 with what the GP may do.
    let r = move_to(gp.clone(), json!({"to": "accepted"})).await;
    assert_eq!(r.status(), 409);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "transition_not_allowed");
    assert_eq!(e["error"]["allowed"], json!(["cancelled"]));
    // The team cannot jump to completed.
    let r = move_to(team.clone(), json!({"to": "completed"})).await;
    assert_eq!(r.status(), 409);
    let e: Value = r.json().await.unwrap();
    assert_eq!(
        e["error"]["allowed"],
        json!(["received", "accepted", "rejected"])
    );
    let r = move_to(team.clone(), json!({"to": "rejected"})).await;
    assert_eq!(r.status(), 422);
    let r = move_to(
        team.clone(),
        json!({"to": "accepted", "case_director_id": w.sanne}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["referral"]["status"], "accepted");
    assert_eq!(d["feedback"][0]["kind"], "accepted");
    assert!(
        d["referral"]["due_on"].is_string(),
        "the first feedback moment is set"
    );
    // Interim feedback through the API, read by the GP.
    let r = client
        .post(app.url(&format!("/api/v1/referrals/{id}/feedback")))
        .bearer_auth(&team)
        .json(&json!({"text": "Eerste gesprekken gevoerd."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // The referrer cannot give the team's feedback.
    let r = client
        .post(app.url(&format!("/api/v1/referrals/{id}/feedback")))
        .bearer_auth(&gp)
        .json(&json!({"text": "Hallo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        app.audit()
            .await
            .iter()
            .any(|e| e.action == "referral_feedback"
                && e.outcome == "denied"
                && e.object_id.as_deref() == Some(id.as_str())),
        "the refused feedback is logged, as the refusal says"
    );
    let fb: Value = client
        .get(app.url(&format!("/api/v1/referrals/{id}/feedback")))
        .bearer_auth(&gp)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fb.as_array().unwrap().len(), 2);
    assert_eq!(fb[1]["text"], "Eerste gesprekken gevoerd.");
    // Lists filter by status and box.
    let received: Value = client
        .get(app.url("/api/v1/referrals?box=received&status=accepted"))
        .bearer_auth(&team)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(received.as_array().unwrap().len(), 1);
    assert!(received[0].get("bsn").is_none(), "no BSN in lists");
    let r = client
        .get(app.url("/api/v1/referrals?status=klaar"))
        .bearer_auth(&team)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // The OpenAPI document describes the endpoints.
    let doc: Value = client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/referrals/{id}/transitions"]["post"].is_object());
    app.stop().await;
}

pub(super) fn fhir_validator(resource: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(standards_dir().join("fhir-r4/fhir.schema.json")).unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    let obj = schema.as_object_mut().unwrap();
    obj.remove("oneOf");
    obj.remove("discriminator");
    obj.insert(
        "allOf".into(),
        json!([{"$ref": format!("#/definitions/{resource}")}]),
    );
    jsonschema::validator_for(&schema).unwrap()
}

pub(super) fn assert_valid(v: &jsonschema::Validator, what: &str, doc: &Value) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is not valid FHIR R4: {errors:#?}\n{doc:#}"
    );
}

async fn fhir_exports_are_valid_r4(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let doel = format!("team:{}", w.team);
    let r = post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    let path = location_path(&r);
    let id = path.trim_start_matches("/verwijzingen/").to_owned();
    let sanne = logged_in(&app, "sanne@team.example").await;
    fetch_page(&app, &sanne, &path).await;
    post(
        &app,
        &sanne,
        &format!("{path}/status"),
        &[("naar", "accepted"), ("casusregisseur", w.sanne.as_str())],
    )
    .await;
    post(
        &app,
        &sanne,
        &format!("{path}/status"),
        &[("naar", "on-hold"), ("reden", "Gezin op vakantie")],
    )
    .await;
    let token = app.token_for(&w.sanne).await;
    let client = app.client();
    let get = |url: String| {
        let c = client.clone();
        let t = token.clone();
        async move {
            let r = c.get(url).bearer_auth(t).send().await.unwrap();
            assert_eq!(r.status(), 200);
            assert_eq!(r.headers()["content-type"], "application/fhir+json");
            r.json::<Value>().await.unwrap()
        }
    };
    let sr = get(app.url(&format!("/api/fhir/ServiceRequest/{id}"))).await;
    let task = get(app.url(&format!("/api/fhir/Task/{id}"))).await;
    let bundle = get(app.url(&format!("/api/fhir/Bundle/{id}"))).await;
    assert_valid(&fhir_validator("ServiceRequest"), "ServiceRequest", &sr);
    assert_valid(&fhir_validator("Task"), "Task", &task);
    assert_valid(&fhir_validator("Bundle"), "Bundle", &bundle);
    assert_eq!(sr["status"], "on-hold");
    assert_eq!(sr["subject"]["identifier"]["value"], "111222333");
    assert_eq!(
        task["status"], "on-hold",
        "the Task status is the referral's, one to one"
    );
    assert_eq!(task["statusReason"]["text"], "Gezin op vakantie");
    assert_eq!(
        task["owner"]["reference"],
        format!("Practitioner/{}", w.sanne)
    );
    assert_eq!(task["output"][0]["type"]["coding"][0]["code"], "accepted");
    assert_eq!(bundle["entry"].as_array().unwrap().len(), 2);
    // An invalid document is caught: the validator is not a rubber stamp.
    let mut broken = task.clone();
    broken["status"] = json!("waiting");
    assert!(!fhir_validator("Task").is_valid(&broken));
    app.stop().await;
}
