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

    // A case meeting decides on an action for Eva (through the API: the meeting's own
    // pages have their tests); it lands in the plan as version 2.
    let (s, p) = api
        .call(
            "GET",
            &format!("/api/v1/networks/{}/plan", f.network),
            &f.sanne,
            None,
        )
        .await;
    assert_eq!(s, 200);
    let goal = p["current"]["goals"][0]["key"].as_str().unwrap().to_owned();
    let poh = app.user_id("poh@linde.example").await;
    let day = (rondom_app::dates::today() + chrono::Duration::days(1)).format("%Y-%m-%d");
    let (s, m) = api
        .call(
            "POST",
            "/api/v1/meetings",
            &f.sanne,
            Some(json!({"team_id": w.team, "title": "Casuïstiekoverleg", "starts_at": format!("{day}T10:00"),
                "place": "Wijkcentrum", "participant_ids": [poh]})),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let meeting = m["id"].as_str().unwrap().to_owned();
    let (s, m) = api
        .call(
            "POST",
            &format!("/api/v1/meetings/{meeting}/items"),
            &f.sanne,
            Some(json!({"network_id": f.network})),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let item = m["items"][0]["id"].as_str().unwrap().to_owned();
    let (s, out) = api
        .call(
            "POST",
            &format!("/api/v1/meetings/{meeting}/items/{item}/minutes"),
            &f.sanne,
            Some(json!({"decisions": "Ook de jeugdarts kijkt mee.", "goal_key": goal,
                "actions": [{"what": "Gesprek met de jeugdarts over slapen", "owner_member_id": f.eva_member}]})),
        )
        .await;
    assert_eq!(s, 201, "{out}");
    eva.open(&app, &plan).await;
    eva.expect_contains("main", "Het gezin gaf akkoord op versie 1")
        .await;
    eva.expect_contains("ul.changes", "Gesprek met de jeugdarts over slapen")
        .await;
    eva.expect_contains("main", "uit het overleg").await;
    eva.expect_contains("main", "Akkoord met versie 2").await;
    eva.stop().await;
    app.stop().await;
}
