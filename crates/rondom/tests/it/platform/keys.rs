//! A change of the installation key (`rondom admin rotate-key`) while servers run: a
//! server given the new key and the old one serves everything before, during and after
//! the rotation; afterwards nothing opens with the old key, everything with the new one
//! alone, children are still recognised and the audit chain still verifies.

use crate::common::*;
use crate::referral::messages::{Api, family};
use crate::referral::world;
use rondom_app::admin::rotate_key::rotate;
use rondom_app::secrets::{Secret, SecretBox, new_key, parse_key};
use rondom_db::installation::{SEALED, sealed_batch};
use rondom_domain::document::samples;
use serde_json::{Value, json};

on_both_backends!(a_new_installation_key_reseals_everything_while_servers_run,);

/// Every value sealed directly under the installation key.
async fn sealed_values(app: &TestApp) -> Vec<(String, String)> {
    app.db
        .read(|c| {
            let mut out = Vec::new();
            for &col in SEALED {
                for (_, v) in sealed_batch(c, col, "", 1_000_000)? {
                    if let Some(v) = v {
                        out.push((format!("{}.{}", col.0, col.2), v));
                    }
                }
            }
            Ok(out)
        })
        .await
        .unwrap()
}

/// The keyed hashes each child is recognised by (by name and birth date).
async fn child_hashes(app: &TestApp) -> Vec<Option<String>> {
    use diesel::prelude::*;
    use rondom_db::schema::children::dsl::{children, match_name};
    app.db
        .read(|c| {
            Ok(rondom_db::on_backend!(c, |c| children
                .select(match_name)
                .load::<Option<String>>(c))?)
        })
        .await
        .unwrap()
}

async fn a_new_installation_key_reseals_everything_while_servers_run(b: Backend) {
    let mut app = TestApp::start(b).await;
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
            Some(json!({"kind": "network", "title": "Afspraken", "body": "Welkom, Eva."})),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let conv = c["id"].as_str().unwrap().to_owned();
    let pdf = samples::pdf("verslag");
    let r = api
        .client
        .post(app.url(&format!(
            "/api/v1/conversations/{conv}/documents?name=verslag.pdf"
        )))
        .bearer_auth(&f.sanne)
        .body(pdf.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    // A plan with an agreement (its row is known by network and key together).
    let (s, p) = api
        .call(
            "POST",
            &format!("/api/v1/networks/{}/plan/versions", f.network),
            &f.sanne,
            Some(json!({"base_version": 0, "situation": "Onrustig thuis.",
                "goals": [{"title": "Rust", "agreements": [{"what": "Weekschema", "owner_member_id": f.eva_member}]}]})),
        )
        .await;
    assert_eq!(s, 201, "{p}");

    // Every server gets the new key, with the old one to open what it sealed.
    let new = new_key();
    let mut during = app.config.clone();
    during.secret_key = Secret(new.clone());
    during.previous_keys = vec![Secret(TEST_KEY.into())];
    let server = rondom::app::start(&during, None).await.unwrap();
    let on = |s: &rondom::app::Running, path: &str| format!("http://{}{path}", s.addr);
    let plain = app.client();
    let read = |base: String, token: String| {
        let client = plain.clone();
        async move {
            let r = client.get(base).bearer_auth(token).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    let msgs = format!("/api/v1/conversations/{conv}/messages");
    let list = read(on(&server, &msgs), f.eva.clone()).await;
    assert_eq!(
        list[0]["body"], "Welkom, Eva.",
        "old values open on the new server"
    );

    // The rotation, while that server serves.
    let (ring, _) = rondom::app::keys(&during, &app.db).unwrap();
    let db = app.db.clone();
    let reports = tokio::task::spawn_blocking(move || rotate(&db, &ring, false))
        .await
        .unwrap()
        .unwrap();
    let resealed = |table: &str, column: &str| {
        reports
            .iter()
            .find(|r| r.table == table && r.column == column)
            .map_or(0, |r| r.resealed)
    };
    assert!(resealed("network_keys", "wrapped") >= 1, "{reports:?}");
    assert!(resealed("children", "name_sealed") >= 1, "{reports:?}");
    assert!(resealed("referrals", "reason_sealed") >= 1, "{reports:?}");
    assert!(
        resealed("plan_versions", "content_sealed") >= 1,
        "{reports:?}"
    );
    assert!(resealed("plan_actions", "what_sealed") >= 1, "{reports:?}");
    assert_eq!(
        reports.iter().map(|r| r.unreadable).sum::<usize>(),
        0,
        "{reports:?}"
    );
    let list = read(on(&server, &msgs), f.eva.clone()).await;
    assert_eq!(
        list[0]["body"], "Welkom, Eva.",
        "and after it, without a restart"
    );
    // Run again: nothing left to do.
    let (ring, _) = rondom::app::keys(&during, &app.db).unwrap();
    let db = app.db.clone();
    let again = tokio::task::spawn_blocking(move || rotate(&db, &ring, true))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        again.iter().map(|r| r.resealed).sum::<usize>(),
        0,
        "{again:?}"
    );

    // Nothing opens with the old key any more; everything with the new one alone.
    let old = SecretBox::from_bytes(parse_key(TEST_KEY).unwrap());
    let only_new = SecretBox::from_bytes(parse_key(&new).unwrap());
    let values = sealed_values(&app).await;
    assert!(values.len() > 5, "{values:?}");
    for (what, v) in &values {
        assert!(
            old.open_bytes(v).is_err(),
            "{what} still opens with the old key"
        );
        assert!(
            only_new.open_bytes(v).is_ok(),
            "{what} does not open with the new key"
        );
    }

    // The old key leaves the configuration: a server with only the new one reads the
    // messages and the document, recognises the child, and the audit chain holds.
    server.stop().await;
    app.stop_server().await;
    let mut after = during.clone();
    after.previous_keys = vec![];
    let server = rondom::app::start(&after, None).await.unwrap();
    let list = read(on(&server, &msgs), f.eva.clone()).await;
    assert_eq!(list[0]["body"], "Welkom, Eva.");
    let href = list[1]["document"]["href"].as_str().unwrap().to_owned();
    let r = plain
        .get(on(&server, &href))
        .bearer_auth(&f.eva)
        .send()
        .await
        .unwrap();
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    let born = rondom_app::dates::today() - chrono::Duration::days(8 * 365 + 40);
    let r = plain
        .post(on(&server, "/api/v1/referrals"))
        .bearer_auth(&f.gp)
        .json(&json!({
            "child": {"name": "Noor de Vries", "birth_date": born.format("%Y-%m-%d").to_string(),
                "gemeente_code": "GM9999"},
            "to_org_id": w.team, "reason": "Nog een vraag.", "problem_areas": ["opvoeding"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let hashes = child_hashes(&app).await;
    assert_eq!(hashes.len(), 2);
    assert!(
        hashes[0].is_some() && hashes[0] == hashes[1],
        "the child of the new referral is recognised as the one before: {hashes:?}"
    );
    let keys = server.state.app.db.audit_keys().unwrap();
    let verdict = app
        .db
        .read(move |c| rondom_db::audit::verify(c, &keys, &[]))
        .await
        .unwrap();
    assert!(
        matches!(verdict, rondom_db::audit::VerifyOutcome::Intact { .. }),
        "{verdict:?}"
    );
    server.stop().await;
}

/// A column sealed under a key but missing from the rotation's lists would stay under
/// the old key forever: every sealed column of the schema is in one of them.
#[test]
fn every_sealed_column_is_known_to_the_rotation() {
    use diesel::prelude::*;
    let db = TestDb::new(Backend::Sqlite);
    rondom_db::Db::connect(&db.url, 1)
        .unwrap()
        .migrate_blocking()
        .unwrap();
    #[derive(QueryableByName)]
    struct Col {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        c: String,
    }
    let mut s =
        diesel::SqliteConnection::establish(db.url.trim_start_matches("sqlite://")).unwrap();
    let cols: Vec<Col> = diesel::sql_query(
        "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND p.type = 'TEXT' \
         AND (p.name LIKE '%sealed%' OR p.name LIKE '%wrapped%' OR p.name LIKE '%secret%')",
    )
    .load(&mut s)
    .unwrap();
    assert!(cols.len() > 10);
    for col in cols {
        let known = SEALED.iter().any(|(t, _, c)| *t == col.t && *c == col.c)
            || rondom_db::installation::NETWORK_SEALED
                .iter()
                .any(|(t, c)| *t == col.t && *c == col.c);
        assert!(
            known,
            "{}.{} is sealed but not in the rotation's lists",
            col.t, col.c
        );
    }
}
