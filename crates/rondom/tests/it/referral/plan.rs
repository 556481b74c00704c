//! The family plan (gezinsplan, issue 16) through the API and the pages: versions kept
//! whole and compared, the family's akkoord and what changed since, a save on a stale
//! version refused with nothing lost, consent for "plan" asked on every request and
//! outsiders given nothing, items kept from the parents absent for them and present for
//! the youth, actions that come due reminded once and late ones on the case director's
//! list, the team leader's evaluations passed, and the FHIR CarePlan valid against R4.

use super::api::{assert_valid, fhir_validator};
use super::messages::{Api, Family, family};
use super::{World, post, world};
use crate::common::*;
use serde_json::{Value, json};

on_both_backends!(
    a_plan_is_versioned_agreed_and_what_changed_since_is_shown,
    the_plan_follows_consent_and_outsiders_get_nothing,
    an_item_kept_from_the_parents_is_absent_for_them_and_present_for_the_youth,
    actions_coming_due_remind_their_owner_once_and_late_ones_reach_the_case_director,
    the_editor_page_keeps_what_was_typed_when_a_date_is_wrong,
    the_copy_of_the_file_holds_exactly_what_each_may_see,
);

fn iso(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn days(n: i64) -> String {
    iso(rondom_app::dates::today() + chrono::Duration::days(n))
}

/// The first plan: one goal, Eva (the mother) calls the school within a week.
fn first_plan(f: &Family) -> Value {
    json!({
        "base_version": 0,
        "situation": "Thuis is het vaak onrustig. Eva wil weer rust in huis.",
        "strengths": "Oma helpt twee middagen per week.",
        "goals": [{
            "title": "Noor gaat weer elke dag naar school",
            "agreements": [
                {"what": "Eva belt de mentor over een rustige plek in de klas",
                 "owner_member_id": f.eva_member, "due_on": days(7)},
                {"what": "Sanne zoekt een opvoedcursus", "due_on": days(14)}
            ]
        }],
        "evaluation_on": days(90),
        "treatment_plans": [{"provider": "Jeugd-GGZ Horizon", "name": "Behandelplan Noor",
            "dated": days(-3)}]
    })
}

async fn a_plan_is_versioned_agreed_and_what_changed_since_is_shown(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    let plan = format!("/api/v1/networks/{}/plan", f.network);
    let versions = format!("{plan}/versions");

    // No plan yet: the case director may write one, Eva sees that there is none.
    let (s, p) = api.call("GET", &plan, &f.eva, None).await;
    assert_eq!(s, 200, "{p}");
    assert!(p["current"].is_null());
    assert_eq!(p["may_respond"], true);
    assert_eq!(p["may_edit"], false);

    let (s, p) = api
        .call("POST", &versions, &f.sanne, Some(first_plan(&f)))
        .await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["current"]["number"], 1);
    let goal = &p["current"]["goals"][0];
    let call = &goal["agreements"][0];
    // Eva has an account: she is named by it.
    assert_eq!(call["owner"], "Test eva");
    assert_eq!(call["status"], "open");
    let (goal_key, call_key) = (
        goal["key"].as_str().unwrap().to_owned(),
        call["key"].as_str().unwrap().to_owned(),
    );
    let course_key = goal["agreements"][1]["key"].as_str().unwrap().to_owned();

    // Eva agrees to version 1.
    let (s, p) = api
        .call(
            "POST",
            &format!("{versions}/1/responses"),
            &f.eva,
            Some(json!({"agree": true})),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["agreed_version"], 1);
    assert!(p["changed_since_agreed"].as_array().unwrap().is_empty());

    // Version 2: the call is done, the course dropped from the plan, a new goal.
    let v2 = json!({
        "base_version": 1,
        "situation": "Thuis is het vaak onrustig. Eva wil weer rust in huis.",
        "strengths": "Oma helpt twee middagen per week.",
        "goals": [
            {"key": goal_key, "title": "Noor gaat weer elke dag naar school",
             "agreements": [{"key": call_key, "what": "Eva belt de mentor over een rustige plek in de klas",
                 "owner_member_id": f.eva_member, "due_on": days(7), "status": "done"}]},
            {"title": "Noor slaapt weer door", "agreements": [
                {"what": "Vast avondritueel, elke dag om acht uur naar bed", "owner_member_id": f.eva_member}]}
        ],
        "evaluation_on": days(90),
        "treatment_plans": [{"provider": "Jeugd-GGZ Horizon", "name": "Behandelplan Noor", "dated": days(-3)}]
    });
    let (s, p) = api
        .call("POST", &versions, &f.sanne, Some(v2.clone()))
        .await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["current"]["number"], 2);

    // The same save again, written on version 1: refused, nothing stored.
    let (s, e) = api.call("POST", &versions, &f.sanne, Some(v2)).await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e.to_string().contains("versie 2"),
        "says which version came first: {e}"
    );
    // Eva's view: agreed to 1, and exactly what changed since.
    let (s, p) = api.call("GET", &plan, &f.eva, None).await;
    assert_eq!(s, 200);
    assert_eq!(p["versions"], json!([2, 1]), "no third version: {p}");
    assert_eq!(p["agreed_version"], 1);
    let changes: Vec<(String, String)> = p["changed_since_agreed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["change"].as_str().unwrap().to_owned(),
                c["after"]
                    .as_str()
                    .or(c["before"].as_str())
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(changes.len(), 4, "{changes:?}");
    assert!(
        changes
            .iter()
            .any(|(c, t)| c == "gewijzigd" && t.contains("(gedaan)")),
        "{changes:?}"
    );
    assert!(
        changes
            .iter()
            .any(|(c, t)| c == "weg" && t.starts_with("Sanne zoekt een opvoedcursus")),
        "{changes:?}"
    );
    assert!(
        changes
            .iter()
            .any(|(c, t)| c == "nieuw" && t == "Noor slaapt weer door"),
        "{changes:?}"
    );
    assert!(
        changes
            .iter()
            .any(|(c, t)| c == "nieuw" && t.starts_with("Vast avondritueel")),
        "{changes:?}"
    );
    // Version 1 is kept whole.
    let (s, v1) = api
        .call("GET", &format!("{versions}/1"), &f.eva, None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        v1["goals"][0]["agreements"][1]["key"].as_str(),
        Some(course_key.as_str())
    );

    // The page says the same to Eva: agreed to 1, what changed, and she may agree to 2.
    let eva = logged_in(&app, "eva@gezin.example").await;
    let page = fetch_page(&app, &eva, &format!("/netwerken/{}/plan", f.network)).await;
    assert!(page.contains("Het gezin gaf akkoord op versie 1"), "{page}");
    assert!(page.contains("Noor slaapt weer door"), "{page}");
    assert!(page.contains("Akkoord met versie 2"), "{page}");
    let cmp = fetch_page(
        &app,
        &eva,
        &format!("/netwerken/{}/plan/vergelijk?a=1&b=2", f.network),
    )
    .await;
    assert!(cmp.contains("Sanne zoekt een opvoedcursus"), "{cmp}");

    // Agreeing to an older version is refused; a comment needs words.
    let (s, e) = api
        .call(
            "POST",
            &format!("{versions}/1/responses"),
            &f.eva,
            Some(json!({"agree": true})),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, e) = api
        .call(
            "POST",
            &format!("{versions}/2/responses"),
            &f.eva,
            Some(json!({"agree": false, "comment": "  "})),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "comment", "{e}");

    // FHIR: version 2 is a valid R4 CarePlan that replaces version 1.
    let (s, p) = api.call("GET", &plan, &f.sanne, None).await;
    assert_eq!(s, 200);
    let v2_id = p["current"]["id"].as_str().unwrap().to_owned();
    let v1_id = v1["id"].as_str().unwrap().to_owned();
    let (s, cp) = api
        .call(
            "GET",
            &format!("/api/fhir/CarePlan/{v2_id}"),
            &f.sanne,
            None,
        )
        .await;
    assert_eq!(s, 200, "{cp}");
    assert_valid(&fhir_validator("CarePlan"), "CarePlan", &cp);
    assert_eq!(cp["status"], "active");
    assert_eq!(cp["replaces"][0]["reference"], format!("CarePlan/{v1_id}"));
    assert_eq!(cp["activity"][0]["detail"]["status"], "completed");
    assert_eq!(
        cp["activity"][0]["detail"]["performer"][0]["display"],
        "Test eva"
    );
    let (s, old) = api
        .call(
            "GET",
            &format!("/api/fhir/CarePlan/{v1_id}"),
            &f.sanne,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(old["status"], "revoked");
    app.stop().await;
}

async fn the_plan_follows_consent_and_outsiders_get_nothing(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    let plan = format!("/api/v1/networks/{}/plan", f.network);
    let (s, _) = api
        .call(
            "POST",
            &format!("{plan}/versions"),
            &f.sanne,
            Some(first_plan(&f)),
        )
        .await;
    assert_eq!(s, 201);

    // The GP is in the network with consent for membership, not for the plan.
    f.eva_answers_for_gp(&api, &["membership"], true).await;
    let (s, e) = api.call("GET", &plan, &f.gp, None).await;
    assert_eq!(s, 403, "{e}");
    assert!(!e.to_string().contains("mentor"));
    // The network page does not send the GP to a refusal: it says why there is no plan.
    let gp_page = logged_in(&app, "arts@linde.example").await;
    let network_page = format!("/netwerken/{}", f.network);
    let html = fetch_page(&app, &gp_page, &network_page).await;
    assert!(!html.contains("Plan: doelen en afspraken"), "{html}");
    assert!(
        html.contains("geen toestemming gegeven dat u het plan ziet"),
        "{html}"
    );
    // An agreement can go only to someone who may see the plan.
    let mut p = first_plan(&f);
    p["base_version"] = json!(1);
    p["goals"][0]["agreements"][1]["owner_member_id"] = json!(f.gp_member);
    let (s, e) = api
        .call(
            "POST",
            &format!("{plan}/versions"),
            &f.sanne,
            Some(p.clone()),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "goals", "{e}");

    // With consent for the plan the GP reads it, and may own an agreement; withdrawn,
    // the next request is refused.
    f.eva_answers_for_gp(&api, &["plan"], true).await;
    let (s, seen) = api.call("GET", &plan, &f.gp, None).await;
    assert_eq!(s, 200, "{seen}");
    let html = fetch_page(&app, &gp_page, &network_page).await;
    assert!(html.contains("Plan: doelen en afspraken"), "{html}");
    assert!(!html.contains("id=\"geen-plan\""), "{html}");
    assert_eq!(seen["current"]["situation"], first_plan(&f)["situation"]);
    let (s, e) = api
        .call("POST", &format!("{plan}/versions"), &f.sanne, Some(p))
        .await;
    assert_eq!(s, 201, "{e}");
    f.eva_answers_for_gp(&api, &["plan"], false).await;
    let (s, _) = api.call("GET", &plan, &f.gp, None).await;
    assert_eq!(s, 403);

    // Someone outside the network: not found, for the plan, a version and the FHIR view.
    let outsider = app
        .user("ander@team.example", Some(&w.team), &["consulent"])
        .await;
    let outsider = app.token_for(&outsider).await;
    let (s, cur) = api.call("GET", &plan, &f.sanne, None).await;
    assert_eq!(s, 200);
    let vid = cur["current"]["id"].as_str().unwrap().to_owned();
    for path in [
        plan.clone(),
        format!("{plan}/versions/1"),
        format!("/api/fhir/CarePlan/{vid}"),
    ] {
        let (s, body) = api.call("GET", &path, &outsider, None).await;
        assert_eq!(s, 404, "{path}: {body}");
        assert!(!body.to_string().contains("Eva"), "{body}");
    }
    let (s, _) = api
        .call(
            "POST",
            &format!("{plan}/versions"),
            &outsider,
            Some(first_plan(&f)),
        )
        .await;
    assert_eq!(s, 404);
    // A parent does not rewrite the goals: her save keeps them and changes her words.
    let mut words = json!({"base_version": 2, "situation": "In onze woorden: het gaat al iets beter.",
        "goals": []});
    let (s, out) = api
        .call(
            "POST",
            &format!("{plan}/versions"),
            &f.eva,
            Some(words.clone()),
        )
        .await;
    assert_eq!(s, 201, "{out}");
    assert_eq!(out["current"]["situation"], words["situation"]);
    assert_eq!(out["current"]["goals"].as_array().unwrap().len(), 1);
    words["base_version"] = json!(3);
    let (s, e) = api
        .call("POST", &format!("{plan}/versions"), &f.eva, Some(words))
        .await;
    assert_eq!(s, 422, "nothing changed: {e}");

    // Every look is in the audit log with the child; the refusals too.
    let audit = app.audit().await;
    let reads: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "plan_read" && e.object_id.as_deref() == Some(f.network.as_str()))
        .collect();
    assert!(reads.iter().all(|e| e.child_id.is_some()));
    assert!(
        reads.iter().any(|e| e.outcome == "denied"),
        "the GP's refusal"
    );
    assert!(audit.iter().any(|e| e.action == "plan_save"));
    app.stop().await;
}

/// A 14-year-old and his mother, both in the network with an account.
struct Teen {
    network: String,
    sanne: String,
    eva: String,
    sem: String,
    sem_member: String,
    eva_member: String,
}

async fn teen(app: &TestApp, w: &World, api: &Api<'_>) -> Teen {
    let gp = app
        .token_for(&app.user_id("arts@linde.example").await)
        .await;
    let sanne = app.token_for(&w.sanne).await;
    let born = rondom_app::dates::today() - chrono::Duration::days(14 * 365 + 40);
    let (s, r) = api
        .call(
            "POST",
            "/api/v1/referrals",
            &gp,
            Some(json!({
                "child": {"name": "Sem Bakker", "birth_date": iso(born), "gemeente_code": "GM9999"},
                "to_org_id": w.team, "reason": "Sem verzuimt veel.", "problem_areas": ["school"]})),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let referral = r["referral"]["id"].as_str().unwrap().to_owned();
    let (s, _) = api
        .call(
            "POST",
            &format!("/api/v1/referrals/{referral}/transitions"),
            &sanne,
            Some(json!({"to": "accepted", "case_director_id": w.sanne})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, n) = api
        .call(
            "POST",
            "/api/v1/networks",
            &sanne,
            Some(json!({"referral_id": referral})),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    let network = n["id"].as_str().unwrap().to_owned();
    let mut ids = Vec::new();
    for (name, relation, gezag, email, role) in [
        (
            "Eva Bakker",
            "ouder",
            true,
            "eva@gezin.example",
            "ouder_verzorger",
        ),
        (
            "Sem Bakker",
            "jeugdige",
            false,
            "sem@jong.example",
            "jeugdige",
        ),
    ] {
        let (s, n) = api
            .call(
                "POST",
                &format!("/api/v1/networks/{network}/members"),
                &sanne,
                Some(json!({"name": name, "relation": relation, "gezag": gezag})),
            )
            .await;
        assert_eq!(s, 201, "{n}");
        let member = n["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let user = app.user(email, None, &[role]).await;
        let (m, u) = (member.clone(), user.clone());
        app.db
            .write(move |c| rondom_db::networks::set_member_user(c, &m, &u))
            .await
            .unwrap();
        ids.push((member, app.token_for(&user).await));
    }
    let (sem_member, sem) = ids.pop().unwrap();
    let (eva_member, eva) = ids.pop().unwrap();
    Teen {
        network,
        sanne,
        eva,
        sem,
        sem_member,
        eva_member,
    }
}

async fn an_item_kept_from_the_parents_is_absent_for_them_and_present_for_the_youth(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let t = teen(&app, &w, &api).await;
    let versions = format!("/api/v1/networks/{}/plan/versions", t.network);
    let v1 = json!({
        "base_version": 0,
        "situation": "Sem gaat weinig naar school.",
        "goals": [
            {"title": "Sem gaat weer naar school", "agreements": [
                {"what": "Sem en Eva praten met de leerplichtambtenaar", "owner_member_id": t.eva_member, "due_on": days(10)}]},
            {"title": "Sem praat over wat er met zijn vriend gebeurde", "not_for_parents": true,
             "agreements": [{"what": "Gesprek met de jongerencoach", "owner_member_id": t.sem_member, "due_on": days(5)}]}
        ]
    });
    let (s, p) = api.call("POST", &versions, &t.sanne, Some(v1)).await;
    assert_eq!(s, 201, "{p}");
    // A hidden agreement is not given to a parent.
    let wrong = json!({"base_version": 1, "goals": [{"title": "Iets voor Sem alleen", "not_for_parents": true,
        "agreements": [{"what": "Eva regelt het", "owner_member_id": t.eva_member}]}]});
    let (s, e) = api.call("POST", &versions, &t.sanne, Some(wrong)).await;
    assert_eq!(s, 422, "{e}");
    let plan = format!("/api/v1/networks/{}/plan", t.network);

    let (s, sem) = api.call("GET", &plan, &t.sem, None).await;
    assert_eq!(s, 200, "{sem}");
    let text = sem.to_string();
    assert!(text.contains("jongerencoach"), "the youth sees it: {sem}");
    let (s, eva) = api.call("GET", &plan, &t.eva, None).await;
    assert_eq!(s, 200, "{eva}");
    let text = eva.to_string();
    assert!(text.contains("leerplichtambtenaar"), "{eva}");
    assert!(
        !text.contains("jongerencoach") && !text.contains("vriend"),
        "kept from the parent: {eva}"
    );
    assert_eq!(eva["current"]["goals"].as_array().unwrap().len(), 1);
    // Her page, the version and the comparison keep it from her too.
    let page = fetch_page(
        &app,
        &logged_in(&app, "eva@gezin.example").await,
        &format!("/netwerken/{}/plan", t.network),
    )
    .await;
    assert!(
        !page.contains("vriend") && !page.contains("jongerencoach"),
        "{page}"
    );
    assert!(
        page.contains("een deel van het plan niet met de ouders"),
        "{page}"
    );

    // Eva writes her own words; the goal she cannot see stays in the plan.
    let (s, out) = api
        .call(
            "POST",
            &versions,
            &t.eva,
            Some(json!({"base_version": 1, "situation": "Wij merken dat Sem stiller is."})),
        )
        .await;
    assert_eq!(s, 201, "{out}");
    let (s, sem) = api.call("GET", &plan, &t.sem, None).await;
    assert_eq!(s, 200);
    assert_eq!(
        sem["current"]["goals"].as_array().unwrap().len(),
        2,
        "{sem}"
    );
    assert_eq!(
        sem["current"]["situation"],
        "Wij merken dat Sem stiller is."
    );
    let (s, cmp) = api
        .call("GET", &format!("{versions}/1"), &t.eva, None)
        .await;
    assert_eq!(s, 200);
    assert!(!cmp.to_string().contains("vriend"), "{cmp}");
    let eva_page = logged_in(&app, "eva@gezin.example").await;
    let cmp = fetch_page(
        &app,
        &eva_page,
        &format!("/netwerken/{}/plan/vergelijk?a=1&b=2&alles=ja", t.network),
    )
    .await;
    assert!(
        !cmp.contains("vriend") && !cmp.contains("jongerencoach"),
        "{cmp}"
    );
    // The action is the youth's own: it is on his list, not on the parent's.
    let sem_page = logged_in(&app, "sem@jong.example").await;
    let due = fetch_page(&app, &sem_page, "/afspraken").await;
    assert!(due.contains("Gesprek met de jongerencoach"), "{due}");
    let due = fetch_page(&app, &eva_page, "/afspraken").await;
    assert!(due.contains("leerplichtambtenaar"), "{due}");
    assert!(!due.contains("jongerencoach"), "{due}");
    app.stop().await;
}

async fn actions_coming_due_remind_their_owner_once_and_late_ones_reach_the_case_director(
    b: Backend,
) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    let mut p = first_plan(&f);
    // Eva's call is due tomorrow, the course was due last week; evaluation passed.
    p["goals"][0]["agreements"][0]["due_on"] = json!(days(1));
    p["goals"][0]["agreements"][1]["due_on"] = json!(days(-7));
    p["goals"][0]["agreements"][1]["owner_member_id"] = json!(members_id_of_sanne(&api, &f).await);
    p["evaluation_on"] = json!(days(-2));
    let (s, out) = api
        .call(
            "POST",
            &format!("/api/v1/networks/{}/plan/versions", f.network),
            &f.sanne,
            Some(p),
        )
        .await;
    assert_eq!(s, 201, "{out}");

    let svc = &app.running.as_ref().unwrap().state.app;
    let sent_before = app.smtp.mails().len();
    // Eva of her call (due tomorrow), Sanne of the late course.
    assert_eq!(rondom_app::plan::lists::remind(svc).await.unwrap(), 2);
    assert_eq!(
        rondom_app::plan::lists::remind(svc).await.unwrap(),
        0,
        "once"
    );
    let mails = app.smtp.wait_for(sent_before + 2).await;
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.to.iter().any(|t| t.contains("eva@gezin.example")))
        .expect("Eva is mailed");
    assert!(!mail.data.contains("mentor"), "no content: {}", mail.data);

    // Eva's list: her call, due tomorrow. Sanne's: the late course of her family.
    let eva = logged_in(&app, "eva@gezin.example").await;
    let page = fetch_page(&app, &eva, "/afspraken").await;
    assert!(page.contains("Eva belt de mentor"), "{page}");
    assert!(!page.contains("opvoedcursus"), "not hers: {page}");
    let sanne = logged_in(&app, "sanne@team.example").await;
    let page = fetch_page(&app, &sanne, "/afspraken").await;
    let late = page.split("Te laat in de gezinnen").nth(1).unwrap_or("");
    assert!(late.contains("Sanne zoekt een opvoedcursus"), "{page}");
    assert!(!late.contains("Eva belt de mentor"), "not late yet: {page}");
    // The team leader sees the passed evaluation, with the case director and no child.
    let leader = logged_in(&app, "leider@team.example").await;
    let page = fetch_page(&app, &leader, "/afspraken").await;
    let evaluations = page.split("evaluatie voorbij").nth(1).unwrap_or("");
    assert!(evaluations.contains("2</td>"), "two days over: {page}");
    assert!(
        !page.contains("Noor"),
        "no child on the team leader's list: {page}"
    );

    // Eva marks her call done on the plan page: a new version, off her list.
    let key = out["current"]["goals"][0]["agreements"][0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = post(
        &app,
        &eva,
        &format!("/netwerken/{}/plan/afspraken/{key}/stand", f.network),
        &[("stand", "done")],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let page = fetch_page(&app, &eva, "/afspraken").await;
    assert!(!page.contains("Eva belt de mentor"), "{page}");
    let (_, now) = api
        .call(
            "GET",
            &format!("/api/v1/networks/{}/plan", f.network),
            &f.sanne,
            None,
        )
        .await;
    assert_eq!(now["current"]["number"], 2);
    assert_eq!(now["current"]["source"], "status");
    app.stop().await;
}

async fn members_id_of_sanne(api: &Api<'_>, f: &Family) -> String {
    let (_, n) = api
        .call(
            "GET",
            &format!("/api/v1/networks/{}", f.network),
            &f.sanne,
            None,
        )
        .await;
    n["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| {
            m["what"]
                .as_str()
                .unwrap_or("")
                .starts_with("casusregisseur")
        })
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn the_editor_page_keeps_what_was_typed_when_a_date_is_wrong(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    let sanne = logged_in(&app, "sanne@team.example").await;
    let editor = format!("/netwerken/{}/plan/bewerken", f.network);
    let page = fetch_page(&app, &sanne, &editor).await;
    assert!(
        page.contains("Test eva"),
        "Eva can own an agreement: {page}"
    );
    let fields = [
        ("base", "0"),
        ("situatie", "Het gaat soms goed, soms niet."),
        ("d0_titel", "Rust in huis"),
        ("d0_a0_wat", "Eva houdt een weekschema bij"),
        ("d0_a0_wie", f.eva_member.as_str()),
        ("d0_a0_datum", "31-02-2027"),
        ("d0_a0_stand", "open"),
        ("actie", "opslaan"),
    ];
    let r = post(
        &app,
        &sanne,
        &format!("/netwerken/{}/plan", f.network),
        &fields,
    )
    .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("is geen datum"), "{html}");
    assert!(
        html.contains("Eva houdt een weekschema bij"),
        "kept: {html}"
    );
    assert!(html.contains("Het gaat soms goed, soms niet."), "{html}");
    let (_, p) = api
        .call(
            "GET",
            &format!("/api/v1/networks/{}/plan", f.network),
            &f.sanne,
            None,
        )
        .await;
    assert!(p["current"].is_null(), "nothing saved: {p}");
    // Corrected, it is saved and shown.
    let mut fixed = fields.to_vec();
    fixed[5] = ("d0_a0_datum", "2027-02-28");
    let r = post(
        &app,
        &sanne,
        &format!("/netwerken/{}/plan", f.network),
        &fixed,
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let page = fetch_page(&app, &sanne, &format!("/netwerken/{}/plan", f.network)).await;
    assert!(page.contains("Eva houdt een weekschema bij"), "{page}");
    assert!(page.contains("uiterlijk 28-02-2027"), "{page}");
    assert!(page.contains("nog geen akkoord"), "{page}");
    app.stop().await;
}

/// The family's copy (inzage en afschrift): the mother's copy leaves out the goal her son
/// keeps from her, his copy holds it; both are valid FHIR R4 Bundles with the child,
/// the network, the consent, the referral, the plan's versions, the messages and the
/// access log; a professional exports only with a reason, and the copy is logged.
async fn the_copy_of_the_file_holds_exactly_what_each_may_see(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let t = teen(&app, &w, &api).await;
    let (s, p) = api
        .call(
            "POST",
            &format!("/api/v1/networks/{}/plan/versions", t.network),
            &t.sanne,
            Some(json!({"base_version": 0, "situation": "Sem gaat weinig naar school.",
                "goals": [
                    {"title": "Sem gaat weer naar school", "agreements": [{"what": "Gesprek met de mentor"}]},
                    {"title": "Praten over wat er met zijn vriend gebeurde", "not_for_parents": true,
                     "agreements": [{"what": "Gesprekken met de jongerencoach", "owner_member_id": t.sem_member}]}]})),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    let (s, c) = api
        .call(
            "POST",
            &format!("/api/v1/networks/{}/conversations", t.network),
            &t.sanne,
            Some(
                json!({"kind": "network", "title": "Afspraken", "body": "Welkom in het netwerk."}),
            ),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let export = format!("/api/v1/networks/{}/export", t.network);
    let validator = fhir_validator("Bundle");
    let kinds = |b: &Value| -> Vec<String> {
        let mut k: Vec<String> = b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["resource"]["resourceType"].as_str().unwrap().to_owned())
            .collect();
        k.sort();
        k.dedup();
        k
    };
    let (s, eva) = api.call("GET", &export, &t.eva, None).await;
    assert_eq!(s, 200, "{eva}");
    assert_valid(&validator, "the mother's copy", &eva);
    let text = eva.to_string();
    assert!(text.contains("Gesprek met de mentor") && text.contains("Welkom in het netwerk."));
    assert!(
        !text.contains("jongerencoach") && !text.contains("vriend"),
        "kept from the mother: {eva}"
    );
    for kind in [
        "AuditEvent",
        "CarePlan",
        "CareTeam",
        "Communication",
        "Patient",
        "ServiceRequest",
        "Task",
    ] {
        assert!(
            kinds(&eva).contains(&kind.to_owned()),
            "{kind} in {:?}",
            kinds(&eva)
        );
    }
    let (s, sem) = api.call("GET", &export, &t.sem, None).await;
    assert_eq!(s, 200, "{sem}");
    assert_valid(&validator, "the youth's copy", &sem);
    assert!(
        sem.to_string().contains("Gesprekken met de jongerencoach"),
        "{sem}"
    );
    // The access log in the copy names the copy just made.
    assert!(sem.to_string().contains("network_export"), "{sem}");

    // The readable copy, as a download from the page.
    let eva_page = logged_in(&app, "eva@gezin.example").await;
    let r = post(
        &app,
        &eva_page,
        &format!("/netwerken/{}/afschrift", t.network),
        &[("formaat", "html")],
    )
    .await;
    assert_eq!(r.status().as_u16(), 200);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("dossier-sem-bakker"),
        "{disposition}"
    );
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Dossier van Sem Bakker") && html.contains("Gesprek met de mentor"),
        "{html}"
    );
    assert!(!html.contains("jongerencoach"), "{html}");

    // A professional in the network exports only with a reason; the reason is logged.
    let (s, e) = api.call("GET", &export, &t.sanne, None).await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "reason", "{e}");
    let (s, b) = api
        .call(
            "GET",
            &format!("{export}?reason=Overdracht%20aan%20de%20gecertificeerde%20instelling"),
            &t.sanne,
            None,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert!(
        b.to_string().contains("jongerencoach"),
        "the case director sees it all"
    );
    let audit = app.audit().await;
    assert!(audit.iter().any(|e| e.action == "network_export"
        && e.reason.as_deref() == Some("Overdracht aan de gecertificeerde instelling")
        && e.child_id.is_some()));
    // Someone outside the network gets nothing.
    let outsider = app
        .user("ander@team.example", Some(&w.team), &["consulent"])
        .await;
    let outsider = app.token_for(&outsider).await;
    let (s, body) = api
        .call(
            "GET",
            &format!("{export}?reason=Nieuwsgierig%20naar%20dit%20kind"),
            &outsider,
            None,
        )
        .await;
    assert_eq!(s, 404, "{body}");
    app.stop().await;
}
