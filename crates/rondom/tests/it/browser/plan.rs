use super::*;
use crate::referral::messages::{Api, family};
use serde_json::json;

/// The family plan in the browser: the case director writes the plan with an action for
/// the mother; the mother, on a phone, reads it and agrees; a later version adds an
/// action (as a case meeting's decision will), and she sees the new version and what
/// changed since the one she agreed to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_director_writes_the_plan_and_the_parent_agrees_on_a_phone() {
    let app = TestApp::start(Backend::Sqlite).await;
    let w = crate::referral::world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    let plan = format!("/netwerken/{}/plan", f.network);

    // The case director writes the first plan.
    let b = signed_in(&app, "sanne@team.example").await;
    b.open(&app, &format!("/netwerken/{}", f.network)).await;
    b.click(&format!("a[href='{plan}']")).await;
    b.expect_contains("main", "Er is nog geen plan").await;
    b.click("a.button.primary").await;
    b.fill(
        "#situatie",
        "Thuis is het onrustig. Eva wil weer rust in huis.",
    )
    .await;
    b.fill("#d0_titel", "Noor slaapt weer door").await;
    b.fill("#d0_a0_wat", "Eva houdt twee weken een slaapdagboek bij")
        .await;
    b.select("#d0_a0_wie", &f.eva_member).await;
    b.click("button[value=opslaan]").await;
    b.expect_contains("main", "Opgeslagen als nieuwe versie")
        .await;
    b.expect_contains("main", "Wie: Test eva").await;
    b.expect_contains("main", "nog geen akkoord").await;
    b.stop().await;

    // The mother on her phone: the plan, her action, her akkoord.
    let eva = Browser::start_at(Some(375)).await;
    eva.login(&app, "eva@gezin.example").await;
    eva.wait_for("nav").await;
    eva.open(&app, &plan).await;
    eva.expect_contains("main", "Eva houdt twee weken een slaapdagboek bij")
        .await;
    let widths = eva
        .client
        .execute(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            vec![],
        )
        .await
        .unwrap();
    let [scroll, client]: [u64; 2] = serde_json::from_value(widths).unwrap();
    assert!(scroll <= client, "no sideways scrolling on a phone");
    eva.click("form[action$='/plan/antwoord'] button.primary")
        .await;
    eva.expect_contains("main", "Uw akkoord is vastgelegd")
        .await;
    eva.expect_contains("main", "gaf akkoord op deze versie")
        .await;

    // A second version adds an action (through the API, as a meeting's decision will).
    let (s, p) = api
        .call(
            "GET",
            &format!("/api/v1/networks/{}/plan", f.network),
            &f.sanne,
            None,
        )
        .await;
    assert_eq!(s, 200);
    let goal = &p["current"]["goals"][0];
    let mut agreements = goal["agreements"].as_array().unwrap().clone();
    agreements.push(json!({"what": "Gesprek met de jeugdarts over slapen",
        "owner_member_id": f.eva_member}));
    let (s, out) = api
        .call(
            "POST",
            &format!("/api/v1/networks/{}/plan/versions", f.network),
            &f.sanne,
            Some(json!({"base_version": 1,
                "situation": p["current"]["situation"],
                "goals": [{"key": goal["key"], "title": goal["title"], "agreements": agreements}]})),
        )
        .await;
    assert_eq!(s, 201, "{out}");
    eva.open(&app, &plan).await;
    eva.expect_contains("main", "Het gezin gaf akkoord op versie 1")
        .await;
    eva.expect_contains("ul.changes", "Gesprek met de jeugdarts over slapen")
        .await;
    eva.expect_contains("main", "Akkoord met versie 2").await;
    eva.stop().await;
    app.stop().await;
}
