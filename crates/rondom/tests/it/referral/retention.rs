//! Retention (issue 16): the report finds a file 20 years past the end of help (and not
//! one whose help ended later, or that is kept longer), `apply` removes its content and
//! keeps the fact; a family's request for destruction is refused only with a reason and
//! otherwise carried out, the family told either way.

use super::messages::{Api, family};
use super::{post, world};
use crate::common::*;
use serde_json::json;

on_both_backends!(
    the_report_finds_a_file_past_its_term_and_apply_removes_its_content,
    a_familys_request_is_refused_only_with_a_reason_or_carried_out,
);

/// Ends every referral of the child `years` years ago.
async fn help_ended(app: &TestApp, network: &str, years: i64) -> String {
    let n = network.to_owned();
    app.db
        .write(move |c| {
            use diesel::prelude::*;
            use rondom_db::schema::{networks, referrals};
            let child: String = rondom_db::on_backend!(c, |conn| networks::table
                .find(&n)
                .select(networks::child_id)
                .first(conn))?;
            let at = rondom_db::now() - chrono::Duration::days(365 * years + 10);
            rondom_db::on_backend!(c, |conn| diesel::update(
                referrals::table.filter(referrals::child_id.eq(&child))
            )
            .set((
                referrals::status.eq("completed"),
                referrals::updated_at.eq(at)
            ))
            .execute(conn))?;
            Ok(child)
        })
        .await
        .unwrap()
}

async fn the_report_finds_a_file_past_its_term_and_apply_removes_its_content(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    let (s, _) = api
        .call(
            "POST",
            &format!("/api/v1/networks/{}/plan/versions", f.network),
            &f.sanne,
            Some(json!({"base_version": 0, "situation": "Onrustig thuis.", "goals": []})),
        )
        .await;
    assert_eq!(s, 201);
    let (s, _) = api
        .call(
            "POST",
            &format!("/api/v1/networks/{}/conversations", f.network),
            &f.sanne,
            Some(json!({"kind": "network", "title": "Afspraken", "body": "Welkom, Eva."})),
        )
        .await;
    assert_eq!(s, 201);
    let noor = help_ended(&app, &f.network, 21).await;
    let today = rondom_app::dates::today();
    let svc = app.running.as_ref().unwrap().state.app.clone();
    let db = app.db.clone();
    let report = tokio::task::spawn_blocking(move || rondom_app::retention::report(&db, today))
        .await
        .unwrap()
        .unwrap();
    let due: Vec<&str> = report.due.iter().map(|d| d.child_id.as_str()).collect();
    assert_eq!(
        due,
        vec![noor.as_str()],
        "only Noor's file is past its term"
    );

    // A longer term keeps it out of the report.
    let (db, child) = (app.db.clone(), noor.clone());
    let later = today + chrono::Duration::days(30);
    tokio::task::spawn_blocking(move || {
        rondom_app::retention::keep_longer(
            &db,
            &child,
            later,
            "Lopende rechtszaak over de voogdij.",
        )
    })
    .await
    .unwrap()
    .unwrap();
    let db = app.db.clone();
    let report = tokio::task::spawn_blocking(move || rondom_app::retention::report(&db, today))
        .await
        .unwrap()
        .unwrap();
    assert!(report.due.is_empty(), "kept longer");
    // Until that day has passed.
    let (db, secrets) = (app.db.clone(), svc.secrets.clone());
    let after = later + chrono::Duration::days(1);
    let removed =
        tokio::task::spawn_blocking(move || rondom_app::retention::apply(&db, &secrets, after))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].0, noor);
    assert!(removed[0].1.contains("1 bericht"), "{}", removed[0].1);

    // The content is gone; the network shows that the data were removed.
    let (s, n) = api
        .call(
            "GET",
            &format!("/api/v1/networks/{}", f.network),
            &f.sanne,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(n["child_name"], "(gegevens verwijderd)");
    assert!(!n.to_string().contains("Noor"), "{n}");
    let (s, p) = api
        .call(
            "GET",
            &format!("/api/v1/networks/{}/plan", f.network),
            &f.sanne,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert!(p["current"].is_null(), "{p}");
    let (s, c) = api
        .call(
            "GET",
            &format!("/api/v1/networks/{}/conversations", f.network),
            &f.sanne,
            None,
        )
        .await;
    assert_eq!(s, 200, "{c}");
    assert!(!c.to_string().contains("Welkom"), "{c}");
    // The fact is kept: in the audit log, and a second run removes nothing.
    let audit = app.audit().await;
    assert!(audit.iter().any(|e| e.action == "retention_remove"
        && e.child_id.as_deref() == Some(noor.as_str())));
    let (db, secrets) = (app.db.clone(), svc.secrets.clone());
    let again =
        tokio::task::spawn_blocking(move || rondom_app::retention::apply(&db, &secrets, after))
            .await
            .unwrap()
            .unwrap();
    assert!(again.is_empty());
    app.stop().await;
}

async fn a_familys_request_is_refused_only_with_a_reason_or_carried_out(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    let page = format!("/netwerken/{}", f.network);
    let eva = logged_in(&app, "eva@gezin.example").await;
    let r = post(
        &app,
        &eva,
        &format!("{page}/vernietigen"),
        &[(
            "toelichting",
            "Het gaat weer goed, wij willen niets bewaard.",
        )],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = post(&app, &eva, &format!("{page}/vernietigen"), &[]).await;
    assert_eq!(r.status().as_u16(), 422, "one open request at a time");
    let request = {
        let n = f.network.clone();
        app.db
            .read(move |c| Ok(rondom_db::retention::requests_of(c, &n)?[0].id.clone()))
            .await
            .unwrap()
    };
    // The GP may not decide; the case director refuses only with a reason.
    let gp = logged_in(&app, "arts@linde.example").await;
    let decide = format!("{page}/vernietigen/{request}/besluit");
    let r = post(&app, &gp, &decide, &[("besluit", "uitvoeren")]).await;
    assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());
    let sanne = logged_in(&app, "sanne@team.example").await;
    let html = fetch_page(&app, &sanne, &page).await;
    assert!(html.contains("wij willen niets bewaard"), "{html}");
    let r = post(
        &app,
        &sanne,
        &decide,
        &[("besluit", "weigeren"), ("reden", "")],
    )
    .await;
    assert_eq!(r.status().as_u16(), 422);
    let r = post(
        &app,
        &sanne,
        &decide,
        &[
            ("besluit", "weigeren"),
            (
                "reden",
                "De rechter vraagt het dossier op in de zaak over het gezag.",
            ),
        ],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let html = fetch_page(&app, &eva, &page).await;
    assert!(
        html.contains("geweigerd") && html.contains("De rechter vraagt"),
        "{html}"
    );
    assert!(html.contains("Noor de Vries"), "nothing removed: {html}");

    // Asked again, carried out: the child's content is gone, the family told.
    let r = post(&app, &eva, &format!("{page}/vernietigen"), &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    let second = {
        let n = f.network.clone();
        app.db
            .read(move |c| {
                Ok(rondom_db::retention::requests_of(c, &n)?
                    .into_iter()
                    .find(|r| r.state == "requested")
                    .unwrap()
                    .id)
            })
            .await
            .unwrap()
    };
    let r = post(
        &app,
        &sanne,
        &format!("{page}/vernietigen/{second}/besluit"),
        &[("besluit", "uitvoeren")],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let html = fetch_page(&app, &eva, &page).await;
    assert!(!html.contains("Noor de Vries"), "{html}");
    assert!(html.contains("(gegevens verwijderd)"), "{html}");
    let eva_id = app.user_id("eva@gezin.example").await;
    let notices = app
        .db
        .read(move |c| rondom_db::consultations::unread(c, &eva_id))
        .await
        .unwrap();
    assert!(
        notices.iter().any(|(_, t, _, _)| t.contains("vernietigd")),
        "{notices:?}"
    );
    let audit = app.audit().await;
    assert!(
        audit
            .iter()
            .any(|e| e.action == "retention_request_carried_out")
    );
    assert!(
        audit
            .iter()
            .any(|e| e.action == "retention_request_refused")
    );
    app.stop().await;
}
