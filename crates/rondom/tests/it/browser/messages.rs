//! Messages live in the browser: a parent on her phone and the case director at her
//! desk in one conversation; each sees the other's message appear without reloading,
//! and the parent's unread count moves on the list page.

use super::*;
use crate::referral::messages::{Api, family};
use crate::referral::world;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parent_and_the_case_director_see_each_others_messages_arrive() {
    let app = TestApp::start(Backend::Sqlite).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    let (s, c) = api
        .call(
            "POST",
            &format!("/api/v1/networks/{}/conversations", f.network),
            &f.sanne,
            Some(json!({"kind": "network", "title": "Afspraken over Noor",
                "body": "Welkom. Hier regelen we de afspraken."})),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let conv = c["id"].as_str().unwrap().to_owned();
    let path = format!("/gesprekken/{conv}");

    let eva = Browser::start_at(Some(375)).await;
    eva.login(&app, "eva@gezin.example").await;
    eva.wait_for("nav").await;
    eva.client.goto(&app.url(&path)).await.unwrap();
    eva.expect_contains("h1", "Afspraken over Noor").await;
    let sanne = signed_in(&app, "sanne@team.example").await;
    sanne.client.goto(&app.url(&path)).await.unwrap();
    sanne.wait_for("html[data-live=open]").await;
    // What stays on Sanne's page shows that it was not reloaded.
    sanne
        .client
        .execute("window.stayed = true;", vec![])
        .await
        .unwrap();

    eva.fill("#bericht", "Donderdag kan ik niet, vrijdag wel.")
        .await;
    eva.click("#schrijf button[type=submit]").await;
    eva.expect_contains("#bericht-2", "Donderdag kan ik niet")
        .await;
    sanne
        .expect_contains("#bericht-2", "Donderdag kan ik niet, vrijdag wel.")
        .await;
    let stayed = sanne
        .client
        .execute("return window.stayed === true;", vec![])
        .await
        .unwrap();
    assert_eq!(stayed, serde_json::Value::Bool(true), "no reload");

    eva.wait_for("html[data-live=open]").await;
    eva.client
        .execute("window.stayed = true;", vec![])
        .await
        .unwrap();
    sanne.fill("#bericht", "Vrijdag om 10 uur dan.").await;
    sanne.click("#schrijf button[type=submit]").await;
    eva.expect_contains("#bericht-3", "Vrijdag om 10 uur dan.")
        .await;
    let stayed = eva
        .client
        .execute("return window.stayed === true;", vec![])
        .await
        .unwrap();
    assert_eq!(stayed, serde_json::Value::Bool(true), "no reload");

    // On the list, Eva's unread count moves when Sanne writes again.
    eva.client.goto(&app.url("/berichten")).await.unwrap();
    eva.wait_for("html[data-live=open]").await;
    let badge = format!("[data-unread-for='{conv}']");
    let hidden = eva
        .client
        .execute(
            &format!("return document.querySelector(\"{badge}\").hidden;"),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(hidden, serde_json::Value::Bool(true), "all read");
    sanne.fill("#bericht", "Tot vrijdag!").await;
    sanne.click("#schrijf button[type=submit]").await;
    eva.expect_text(&format!("{badge} [data-count]"), "1").await;
    eva.expect_text("nav [data-unread-total] [data-count]", "1")
        .await;
    eva.stop().await;
    sanne.stop().await;
    app.stop().await;
}
