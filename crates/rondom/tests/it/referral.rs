//! Referral (verwijzing, issue 4): the closed loop from GP to social team to provider and
//! back, the municipality's agreements applied, outsiders refused, the API's 409, and the
//! FHIR export valid against the HL7 FHIR R4 schema.

use crate::common::*;
use rondom_db::directory;
use serde_json::{Value, json};

on_both_backends!(
    the_loop_closes_from_gp_to_team_to_provider_and_back,
    bad_input_is_refused_and_nothing_is_saved,
    outsiders_get_nothing,
    the_api_answers_409_with_the_allowed_moves,
    fhir_exports_are_valid_r4,
    agreements_are_versioned_and_applied,
    attachments_are_checked_by_their_content,
    a_consultation_becomes_a_referral_without_retyping,
    overdue_referrals_show_first_in_the_team_inbox,
    a_draft_stays_with_the_referrer_until_it_is_sent,
    the_overview_in_one_statement_holds_what_each_queue_holds,
    every_answer_that_shows_the_child_is_logged,
);

struct World {
    practice: String,
    team: String,
    service: String,
    sanne: String,
}

async fn world(app: &TestApp) -> World {
    let gemeente = app.org("Gemeente Voorbeeld", "gemeente").await;
    app.user(
        "beleid@gemeente.example",
        Some(&gemeente),
        &["beleidsmedewerker", "organisatiebeheerder"],
    )
    .await;
    let practice = app
        .org("Huisartsenpraktijk De Linde", "huisartsenpraktijk")
        .await;
    let team = app.org("Sociaal Team Voorbeeld", "sociaal_team").await;
    let provider = app.org("Jeugd-GGZ Horizon", "zorgaanbieder").await;
    app.user("arts@linde.example", Some(&practice), &["huisarts"])
        .await;
    app.user("poh@linde.example", Some(&practice), &["poh"])
        .await;
    let sanne = app
        .user("sanne@team.example", Some(&team), &["consulent"])
        .await;
    app.user("leider@team.example", Some(&team), &["teamleider"])
        .await;
    app.user(
        "zorg@horizon.example",
        Some(&provider),
        &["zorgaanbieder_medewerker"],
    )
    .await;
    let (p, t, s) = (practice.clone(), team.clone(), sanne.clone());
    app.db
        .write(move |c| directory::link_consultant(c, &p, &t, &s).map(|_| ()))
        .await
        .unwrap();
    let prov = provider.clone();
    let service = app
        .db
        .write(move |c| {
            directory::create_service(
                c,
                &directory::NewService {
                    organisation_id: &prov,
                    name: "Behandeling bij angst en somberheid",
                    description: "Specialistische jeugd-GGZ.",
                    category: "specialistisch",
                    access_route: "verwijzing",
                    age_min: 4,
                    age_max: 18,
                    problem_areas: "psychisch,gedrag",
                    last_checked_on: day("2026-11-01"),
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap();
    World {
        practice,
        team,
        service,
        sanne,
    }
}

/// Posts a form (pairs may repeat) with the session's CSRF token.
async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    pairs: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = csrf_of(app, client).await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(pairs);
    client.post(app.url(path)).form(&all).send().await.unwrap()
}

fn child_fields(doel: &str) -> Vec<(&str, &str)> {
    vec![
        ("naam", "Noor de Vries"),
        ("geboortedatum", "2014-03-01"),
        ("gemeente", "GM9999"),
        ("bsn", "111222333"),
        ("doel", doel),
        ("gebieden", "opvoeding"),
        ("gebieden", "gedrag"),
        ("urgentie", "regulier"),
        (
            "reden",
            "Ouders lopen vast in de opvoeding; veel conflicten thuis. Ouders willen hulp.",
        ),
        ("actie", "versturen"),
    ]
}

async fn count(app: &TestApp, table: &'static str) -> i64 {
    app.db
        .read(move |c| {
            use diesel::prelude::*;
            use rondom_db::schema::{children, referral_attachments, referrals};
            Ok(match table {
                "children" => children::table.count().get_result(c)?,
                "referrals" => referrals::table.count().get_result(c)?,
                _ => referral_attachments::table.count().get_result(c)?,
            })
        })
        .await
        .unwrap()
}

async fn the_loop_closes_from_gp_to_team_to_provider_and_back(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let form = fetch_page(&app, &gp, "/verwijzingen/nieuw").await;
    assert!(form.contains("Sociaal Team Voorbeeld") && form.contains("Probleemgebieden"));
    // A specialised offer in the sociale kaart can be referred to from its page.
    let offer = fetch_page(&app, &gp, &format!("/sociale-kaart/aanbod/{}", w.service)).await;
    assert!(offer.contains(&format!("/verwijzingen/nieuw?aanbod={}", w.service)));
    let form = fetch_page(
        &app,
        &gp,
        &format!("/verwijzingen/nieuw?aanbod={}", w.service),
    )
    .await;
    assert!(form.contains(&format!("value=\"aanbod:{}\" selected", w.service)));

    let doel = format!("team:{}", w.team);
    let r = post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    assert_eq!(r.status(), 303);
    let page_path = location(&r);
    let id = page_path.trim_start_matches("/verwijzingen/").to_owned();
    // Name and BSN are stored encrypted.
    let cid = id.clone();
    let (referral, child) = app
        .db
        .read(move |c| {
            let r = rondom_db::referrals::find(c, &cid)?.unwrap();
            let ch = rondom_db::referrals::child(c, &r.child_id)?.unwrap();
            Ok((r, ch))
        })
        .await
        .unwrap();
    assert!(!child.name_sealed.contains("Noor"));
    assert!(!child.bsn_sealed.unwrap().contains("111222333"));
    assert_eq!(referral.status.code(), "requested");
    // The GP's list shows the child without the BSN.
    let list = fetch_page(&app, &gp, "/verwijzingen").await;
    assert!(list.contains("Noor de Vries") && !list.contains("111222333"));

    // The team's inbox shows it as new; opening it marks it received.
    let sanne = logged_in(&app, "sanne@team.example").await;
    let inbox = fetch_page(&app, &sanne, "/verwijzingen").await;
    let new_section = inbox.split("id=\"sectie-nieuw\"").nth(1).unwrap();
    assert!(
        new_section
            .split("</section>")
            .next()
            .unwrap()
            .contains("Noor de Vries")
    );
    let page = fetch_page(&app, &sanne, &page_path).await;
    assert!(
        page.contains("ontvangen") && page.contains("111222333"),
        "{page}"
    );

    // Accepting needs a case director; then the GP hears back.
    let r = post(
        &app,
        &sanne,
        &format!("{page_path}/status"),
        &[("naar", "accepted")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("casusregisseur"));
    let r = post(
        &app,
        &sanne,
        &format!("{page_path}/status"),
        &[("naar", "accepted"), ("casusregisseur", w.sanne.as_str())],
    )
    .await;
    assert_eq!(r.status(), 303);
    // The agreements inform the referrer and the practice's POH.
    let mails = app.smtp.wait_for(2).await;
    assert!(
        mails
            .iter()
            .any(|m| m.to == vec!["poh@linde.example".to_owned()])
    );
    let to_gp = mails
        .iter()
        .find(|m| m.to == vec!["arts@linde.example".to_owned()])
        .expect("the GP is mailed");
    assert!(smtp::link_in(to_gp).is_some_and(|l| l.ends_with(&page_path)));
    assert!(!to_gp.data.contains("Noor") && !to_gp.data.contains("opvoeding"));
    let list = fetch_page(&app, &gp, "/verwijzingen").await;
    assert!(list.contains("Een verwijzing is geaccepteerd."), "{list}");
    let page = fetch_page(&app, &gp, &page_path).await;
    assert!(page.contains("Casusregisseur: Test sanne"), "{page}");

    // The team refers on to the provider; the GP hears it on the first referral.
    let r = post(
        &app,
        &sanne,
        &format!("{page_path}/status"),
        &[("naar", "in-progress")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = post(
        &app,
        &sanne,
        &format!("{page_path}/doorverwijzen"),
        &[
            ("aanbod", w.service.as_str()),
            ("reden", "Angstklachten vragen specialistische behandeling."),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let onward_path = location(&r);
    let provider = logged_in(&app, "zorg@horizon.example").await;
    let inbox = fetch_page(&app, &provider, "/verwijzingen").await;
    assert!(
        inbox.contains("Noor de Vries"),
        "the provider sees what was referred to it"
    );
    // Not the first referral, though: that is between the GP and the team.
    let r = provider.get(app.url(&page_path)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    fetch_page(&app, &provider, &onward_path).await;
    let r = post(
        &app,
        &provider,
        &format!("{onward_path}/status"),
        &[("naar", "accepted")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let page = fetch_page(&app, &gp, &page_path).await;
    assert!(
        page.contains("Doorverwezen") && page.contains("Behandeling bij angst"),
        "{page}"
    );
    // The case director is told to pass the news on.
    let inbox = fetch_page(&app, &sanne, "/verwijzingen").await;
    assert!(inbox.contains("De doorverwijzing is geaccepteerd. Geef de verwijzer terugkoppeling."));
    let onward_page = fetch_page(&app, &sanne, &onward_path).await;
    assert!(
        onward_page.contains("Test sanne"),
        "the case director stays"
    );

    // Completion needs the outcome; then the GP sees it.
    let r = post(
        &app,
        &sanne,
        &format!("{page_path}/status"),
        &[("naar", "completed")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(text.contains("Beschrijf welke hulp er is gegeven."));
    let r = post(
        &app,
        &sanne,
        &format!("{page_path}/status"),
        &[
            ("naar", "completed"),
            (
                "hulp",
                "Zes gesprekken opvoedondersteuning; behandeling angst bij Horizon.",
            ),
            ("door", "Sanne (consulent) en Jeugd-GGZ Horizon"),
            ("vervolg", "Nacontrole bij de huisarts over drie maanden."),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let page = fetch_page(&app, &gp, &page_path).await;
    assert!(
        page.contains("afgerond") && page.contains("Nacontrole bij de huisarts"),
        "{page}"
    );

    let entries = app.audit().await;
    for action in [
        "referral_create",
        "referral_read",
        "referral_transition",
        "referral_refer_on",
    ] {
        assert!(
            entries
                .iter()
                .any(|e| e.action == action
                    && e.child_id.as_deref() == Some(referral.child_id.as_str())),
            "{action} is audit-logged with the child"
        );
    }
    app.stop().await;
}

async fn bad_input_is_refused_and_nothing_is_saved(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let doel = format!("team:{}", w.team);
    let mut fields = child_fields(&doel);
    fields.retain(|(k, _)| *k != "bsn" && *k != "geboortedatum");
    fields.push(("bsn", "123456789"));
    fields.push(("geboortedatum", "2030-01-01"));
    let r = post(&app, &gp, "/verwijzingen/nieuw", &fields).await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("elfproef") && page.contains("in de toekomst"),
        "{page}"
    );
    assert!(page.contains("Noor de Vries"), "what was typed stays");
    assert_eq!(count(&app, "children").await, 0);
    assert_eq!(count(&app, "referrals").await, 0);

    // A POH refers on behalf of a GP, and must say which.
    let poh = logged_in(&app, "poh@linde.example").await;
    let r = post(&app, &poh, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("namens een huisarts"));

    // The agreements advise the team first for behaviour problems: referring straight
    // to a service needs the GP to say so, and then it is allowed.
    let direct = format!("aanbod:{}", w.service);
    let r = post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&direct)).await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("eerst via het sociaal team")
    );
    let mut fields = child_fields(&direct);
    fields.push(("rechtstreeks", "ja"));
    let r = post(&app, &gp, "/verwijzingen/nieuw", &fields).await;
    assert_eq!(r.status(), 303);
    assert_eq!(count(&app, "referrals").await, 1);

    // Rejecting without a reason is refused; nothing changes.
    let path = location(&r);
    let zorg = logged_in(&app, "zorg@horizon.example").await;
    fetch_page(&app, &zorg, &path).await;
    let r = post(
        &app,
        &zorg,
        &format!("{path}/status"),
        &[("naar", "rejected")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Geef een reden op"));
    // An impossible move is refused with what is possible.
    let r = post(
        &app,
        &zorg,
        &format!("{path}/status"),
        &[("naar", "completed")],
    )
    .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("‘geaccepteerd’"));
    let rid = path.trim_start_matches("/verwijzingen/").to_owned();
    let status = app
        .db
        .read(move |c| Ok(rondom_db::referrals::find(c, &rid)?.unwrap().status))
        .await
        .unwrap();
    assert_eq!(status.code(), "received");
    app.stop().await;
}

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
    let path = location(&r);
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

fn fhir_validator(resource: &str) -> jsonschema::Validator {
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

fn assert_valid(v: &jsonschema::Validator, what: &str, doc: &Value) {
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
    let path = location(&r);
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

async fn agreements_are_versioned_and_applied(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = logged_in(&app, "beleid@gemeente.example").await;
    let page = fetch_page(&app, &admin, "/verwijskader?gemeente=GM9999").await;
    assert!(page.contains("Standaardafspraken") && page.contains("Nieuwe versie vastleggen"));
    let today = rondom_web::format::today();
    let iso = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let today_s = iso(today);
    let yesterday = iso(today - chrono::Duration::days(1));
    let fields = |date: &str| -> Vec<(String, String)> {
        vec![
            ("gemeente".into(), "GM9999".into()),
            ("ingang".into(), date.into()),
            ("termijn_overleg".into(), "3".into()),
            ("termijn_acceptatie".into(), "4".into()),
            ("termijn_spoed".into(), "1".into()),
            ("terugkoppelmomenten".into(), "15, 45".into()),
            ("eerst_team".into(), "psychisch".into()),
            ("eerst_team_urgentie".into(), "regulier".into()),
            ("informeren".into(), "accepted:referrer".into()),
            ("informeren".into(), "completed:referrer".into()),
            ("informeren".into(), "completed:poh".into()),
        ]
    };
    let send = |client: reqwest::Client, pairs: Vec<(String, String)>| {
        let app = &app;
        async move {
            let csrf = csrf_of(app, &client).await;
            let mut all = vec![("csrf".to_owned(), csrf)];
            all.extend(pairs);
            client
                .post(app.url("/verwijskader"))
                .form(&all)
                .send()
                .await
                .unwrap()
        }
    };
    // A version in the past is refused: what applied to earlier referrals stays.
    let r = send(admin.clone(), fields(&yesterday)).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("vandaag of later"));
    let mut bad = fields(&today_s);
    bad.retain(|(k, v)| !(k == "informeren" && v == "completed:referrer"));
    let r = send(admin.clone(), bad).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("cirkel niet rond"));
    let r = send(admin.clone(), fields(&today_s)).await;
    assert_eq!(r.status(), 303);
    let r = send(admin.clone(), fields(&today_s)).await;
    assert_eq!(r.status(), 422, "one version per day");
    // Nobody else sets them.
    let gp = logged_in(&app, "arts@linde.example").await;
    let r = send(gp.clone(), fields(&iso(today + chrono::Duration::days(30)))).await;
    assert_eq!(r.status(), 403);
    let page = fetch_page(&app, &gp, "/verwijskader").await;
    assert!(
        page.contains("geldt nu") && page.contains("binnen 4 werkdagen"),
        "{page}"
    );

    // A referral made now gets the new terms, and shows them.
    let doel = format!("team:{}", w.team);
    let r = post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    let path = location(&r);
    let rid = path.trim_start_matches("/verwijzingen/").to_owned();
    let r = app
        .db
        .read(move |c| Ok(rondom_db::referrals::find(c, &rid)?.unwrap()))
        .await
        .unwrap();
    assert_eq!(
        r.due_on,
        Some(rondom_domain::workdays::add_working_days(today, 4))
    );
    assert!(r.agreements_id.is_some());
    let page = fetch_page(&app, &gp, &path).await;
    assert!(page.contains(&format!(
        "Verwijskader GM9999, geldig vanaf {}",
        today.format("%d-%m-%Y")
    )));
    // And consultations are answered within the municipality's term.
    let csrf = csrf_of(&app, &gp).await;
    let r = gp
        .post(app.url("/overleg/nieuw"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("team", w.team.as_str()),
            ("onderwerp", "Jongen 12"),
            ("vraag", "Wat past?"),
        ])
        .send()
        .await
        .unwrap();
    let cid = location(&r).trim_start_matches("/overleg/").to_owned();
    let c = app
        .db
        .read(move |c| Ok(rondom_db::consultations::find(c, &cid)?.unwrap()))
        .await
        .unwrap();
    assert_eq!(
        c.due_on,
        rondom_domain::workdays::add_working_days(today, 3)
    );
    // Psychological problems are now "team first": a direct referral needs the tick.
    let direct = format!("aanbod:{}", w.service);
    let mut f = child_fields(&direct);
    f.retain(|(k, _)| *k != "gebieden");
    f.push(("gebieden", "psychisch"));
    let r = post(&app, &gp, "/verwijzingen/nieuw", &f).await;
    assert_eq!(r.status(), 422);
    app.stop().await;
}

async fn attachments_are_checked_by_their_content(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let doel = format!("team:{}", w.team);
    let r = post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    let path = location(&r);
    let upload = |client: reqwest::Client, name: &'static str, bytes: Vec<u8>| {
        let app = &app;
        let path = path.clone();
        async move {
            let csrf = csrf_of(app, &client).await;
            let form = reqwest::multipart::Form::new().text("csrf", csrf).part(
                "bijlage",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
            client
                .post(app.url(&format!("{path}/bijlagen")))
                .multipart(form)
                .send()
                .await
                .unwrap()
        }
    };
    // A program named .pdf is refused.
    let r = upload(gp.clone(), "verslag.pdf", b"MZ\x90\x00 not a pdf".to_vec()).await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Alleen PDF-bestanden en afbeeldingen")
    );
    assert_eq!(count(&app, "referral_attachments").await, 0);
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let r = upload(gp.clone(), "verslag school.pdf", pdf.clone()).await;
    assert_eq!(r.status(), 303);
    let page = fetch_page(&app, &gp, &path).await;
    let href_start = page.find(&format!("{path}/bijlagen/")).unwrap();
    let href = &page[href_start..href_start + page[href_start..].find('"').unwrap()];
    // The team reads it back, unchanged, as a download.
    let sanne = logged_in(&app, "sanne@team.example").await;
    let r = sanne.get(app.url(href)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''verslag%20school.pdf"),
        "{disposition}"
    );
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    // Stored encrypted.
    let sealed = app
        .db
        .read(|c| {
            use diesel::prelude::*;
            use rondom_db::schema::referral_attachments::dsl::*;
            Ok(referral_attachments
                .select(content_sealed)
                .first::<String>(c)?)
        })
        .await
        .unwrap();
    assert!(!sealed.contains("PDF"));
    // An outsider cannot fetch it.
    let other = app
        .org("Gezondheidscentrum Noord", "huisartsenpraktijk")
        .await;
    app.user("arts@noord.example", Some(&other), &["huisarts"])
        .await;
    let noord = logged_in(&app, "arts@noord.example").await;
    let r = noord.get(app.url(href)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    // A referral that is closed (here: withdrawn) takes no more attachments.
    let r = post(
        &app,
        &gp,
        &format!("{path}/status"),
        &[
            ("naar", "cancelled"),
            ("reden", "Ouders kiezen zelf een therapeut"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = upload(gp.clone(), "nagekomen.pdf", pdf.clone()).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("afgesloten"));
    assert_eq!(count(&app, "referral_attachments").await, 1);
    app.stop().await;
}

async fn a_consultation_becomes_a_referral_without_retyping(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let csrf = csrf_of(&app, &gp).await;
    let r = gp
        .post(app.url("/overleg/nieuw"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("team", w.team.as_str()),
            ("onderwerp", "Jongen 14 jaar, somber en spijbelt"),
            ("vraag", "Direct naar de basis-GGZ of eerst via het team?"),
        ])
        .send()
        .await
        .unwrap();
    let thread = location(&r);
    let cid = thread.trim_start_matches("/overleg/").to_owned();
    // The GP's one inbox holds the questions too.
    let inbox = fetch_page(&app, &gp, "/verwijzingen").await;
    let questions = inbox
        .split("id=\"sectie-vragen\"")
        .nth(1)
        .expect("a section with the practice's questions");
    assert!(questions.contains("Jongen 14 jaar, somber en spijbelt"));
    let page = fetch_page(&app, &gp, &thread).await;
    assert!(page.contains(&format!("/verwijzingen/nieuw?overleg={cid}")));
    let form = fetch_page(&app, &gp, &format!("/verwijzingen/nieuw?overleg={cid}")).await;
    assert!(
        form.contains("Direct naar de basis-GGZ of eerst via het team?"),
        "the question comes along"
    );
    assert!(form.contains(&format!("value=\"team:{}\" selected", w.team)));
    let doel = format!("team:{}", w.team);
    let mut f = child_fields(&doel);
    f.push(("overleg", cid.as_str()));
    let r = post(&app, &gp, "/verwijzingen/nieuw", &f).await;
    assert_eq!(r.status(), 303);
    let id = location(&r).trim_start_matches("/verwijzingen/").to_owned();
    let (referral, consultation) = app
        .db
        .read(move |c| {
            Ok((
                rondom_db::referrals::find(c, &id)?.unwrap(),
                rondom_db::consultations::find(c, &cid)?.unwrap(),
            ))
        })
        .await
        .unwrap();
    assert_eq!(
        referral.consultation_id.as_deref(),
        Some(consultation.id.as_str())
    );
    assert_eq!(consultation.status.code(), "closed");
    app.stop().await;
}

async fn overdue_referrals_show_first_in_the_team_inbox(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let doel = format!("team:{}", w.team);
    let r = post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    let id = location(&r).trim_start_matches("/verwijzingen/").to_owned();
    // Sent two weeks ago and never looked at.
    let past = rondom_web::format::today() - chrono::Duration::days(14);
    let rid = id.clone();
    app.db
        .write(move |c| rondom_db::referrals::set_due(c, &rid, Some(past)))
        .await
        .unwrap();
    let leider = logged_in(&app, "leider@team.example").await;
    let inbox = fetch_page(&app, &leider, "/verwijzingen").await;
    let late = inbox
        .split("id=\"sectie-te_laat\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert!(
        late.contains("Noor de Vries") && late.contains("te laat"),
        "{inbox}"
    );
    // Seeing the child's name in a list is logged, naming the referral.
    assert!(
        app.audit()
            .await
            .iter()
            .any(|e| e.action == "referral_list_read"
                && e.actor_name == "Test leider"
                && e.reason.as_deref().is_some_and(|r| r.contains(&id))),
        "the list view is in the audit log"
    );
    // The whole section, paged.
    let page = fetch_page(&app, &leider, "/verwijzingen?sectie=te_laat").await;
    assert!(page.contains("Pagina 1") && page.contains("Noor de Vries"));
    app.stop().await;
}

async fn a_draft_stays_with_the_referrer_until_it_is_sent(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let doel = format!("team:{}", w.team);
    let mut f = child_fields(&doel);
    f.retain(|(k, _)| *k != "actie");
    f.push(("actie", "concept"));
    let r = post(&app, &gp, "/verwijzingen/nieuw", &f).await;
    assert_eq!(r.status(), 303);
    let path = location(&r);
    let page = fetch_page(&app, &gp, &path).await;
    assert!(page.contains("concept"));
    // The team neither sees nor lists it, nor hears of it.
    let sanne = logged_in(&app, "sanne@team.example").await;
    let r = sanne.get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let token = app.token_for(&w.sanne).await;
    let list: Value = app
        .client()
        .get(app.url("/api/v1/referrals"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
    // No filter the API offers lets the team see it: every box, every status (draft
    // named outright included), with and without a deadline, on every page size.
    let statuses = [
        "",
        "draft",
        "requested",
        "received",
        "accepted",
        "rejected",
        "in-progress",
        "on-hold",
        "completed",
        "cancelled",
        "failed",
    ];
    for bx in ["", "received", "sent"] {
        for status in statuses {
            for due in ["", "2099-12-31"] {
                let r = app
                    .client()
                    .get(app.url("/api/v1/referrals"))
                    .query(&[
                        ("box", bx),
                        ("status", status),
                        ("due_before", due),
                        ("per_page", "100"),
                    ])
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200, "box={bx} status={status} due={due}");
                let list: Value = r.json().await.unwrap();
                assert_eq!(
                    list.as_array().unwrap().len(),
                    0,
                    "box={bx} status={status} due={due}: {list}"
                );
            }
        }
    }
    // The referrer's own list does hold it.
    let gp_token = app
        .token_for(&app.user_id("arts@linde.example").await)
        .await;
    let mine: Value = app
        .client()
        .get(app.url("/api/v1/referrals?status=draft"))
        .bearer_auth(&gp_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    // Sent, it arrives, with a deadline from the day it was sent.
    let r = post(
        &app,
        &gp,
        &format!("{path}/status"),
        &[("naar", "requested")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let inbox = fetch_page(&app, &sanne, "/verwijzingen").await;
    assert!(
        inbox.contains("Noor de Vries")
            && inbox.contains("Er is een nieuwe verwijzing voor uw organisatie.")
    );
    fetch_page(&app, &sanne, &path).await;
    // A pause is told to the referrer, with its reason.
    post(
        &app,
        &sanne,
        &format!("{path}/status"),
        &[("naar", "accepted"), ("casusregisseur", w.sanne.as_str())],
    )
    .await;
    let r = post(
        &app,
        &sanne,
        &format!("{path}/status"),
        &[
            ("naar", "on-hold"),
            ("reden", "Gezin zes weken in het buitenland"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    // The notice first: opening the referral reads it.
    let list = fetch_page(&app, &gp, "/verwijzingen").await;
    assert!(list.contains("Een verwijzing is gepauzeerd."));
    let page = fetch_page(&app, &gp, &path).await;
    assert!(
        page.contains("Gepauzeerd") && page.contains("Gezin zes weken in het buitenland"),
        "{page}"
    );
    app.stop().await;
}

/// The inbox overview reads all of a team's queues in one statement on PostgreSQL
/// (UNION ALL) and one per queue on SQLite; either way each section must hold exactly
/// the referrals, in the order, that its own general query gives, for
/// the team (which also refers) and for a provider (which only receives), over a demo
/// year plus a few thousand generated referrals.
async fn the_overview_in_one_statement_holds_what_each_queue_holds(b: Backend) {
    use diesel::prelude::*;
    use rondom_db::schema::{organisations, referrals};
    let app = TestApp::start(b).await;
    app.load_demo().await;
    {
        let (db, key) = (app.db.clone(), app.config.web.secret_key.clone());
        tokio::task::spawn_blocking(move || rondom::demo::add_referrals(&db, &key, 3000))
            .await
            .unwrap()
            .unwrap();
    }
    let checked = app
        .db
        .read(|c| {
            let mut checked = 0;
            let receivers: Vec<(String, String)> = organisations::table
                .filter(organisations::kind.eq_any(["sociaal_team", "zorgaanbieder"]))
                .select((organisations::id, organisations::kind))
                .load(c)?;
            for (org, kind) in receivers {
                // The person with the most cases at this organisation, if any.
                let directors: Vec<Option<String>> = referrals::table
                    .filter(referrals::to_org_id.eq(&org))
                    .filter(referrals::case_director_id.is_not_null())
                    .select(referrals::case_director_id)
                    .load(c)?;
                let Some(Some(director)) = directors.into_iter().max() else {
                    continue;
                };
                let sending = if kind == "sociaal_team" {
                    vec![org.clone()]
                } else {
                    vec![]
                };
                let filters: Vec<rondom_db::referrals::Filter> =
                    rondom_app::referral::inbox::sections_for(
                        &director,
                        &sending,
                        std::slice::from_ref(&org),
                    )
                    .into_iter()
                    .filter(|(key, ..)| *key != "lopend")
                    .map(|(_, _, _, mut f)| {
                        f.limit = 51;
                        f
                    })
                    .collect();
                let together = rondom_db::referrals::list_sections(c, &filters, 51)?;
                assert_eq!(together.len(), filters.len());
                for (f, (count, rows)) in filters.iter().zip(together) {
                    // Order by what the queue sorts on (two referrals made in the same
                    // minute with the same deadline may come either way), and the same
                    // referrals.
                    let keyed = |rows: Vec<rondom_db::referrals::Listed>| {
                        let keys: Vec<_> =
                            rows.iter().map(|l| (l.r.due_on, l.r.created_at)).collect();
                        let mut ids: Vec<String> =
                            rows.into_iter().map(|l| l.r.id.into_inner()).collect();
                        ids.sort();
                        (keys, ids)
                    };
                    let alone = keyed(rondom_db::referrals::list(c, f)?);
                    assert_eq!(count, alone.1.len(), "{kind}: {f:?}");
                    assert_eq!(keyed(rows), alone, "{kind}: {f:?}");
                    checked += usize::from(!alone.1.is_empty());
                }
            }
            Ok(checked)
        })
        .await
        .unwrap();
    // The team's and the providers' queues are not all empty: the comparison compared.
    assert!(checked >= 6, "only {checked} non-empty sections compared");
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
    let path = location(&r);
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
