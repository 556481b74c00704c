//! Export and import: the round trip, a bad file, the specification's examples, and sources.

use super::{contents, counts, get, hsds_dir, names};
use crate::common::*;
use rondom_app::directory::hsds::{Snapshot, import};
use serde_json::Value;

on_both_backends!(
    an_export_imports_into_an_empty_database_unchanged,
    a_bad_file_names_each_problem_and_imports_nothing,
    the_specifications_examples_import,
    an_import_touches_only_what_came_from_its_own_source,
);

async fn export(app: &TestApp) -> Vec<Value> {
    app.db
        .read(|c| Snapshot::load(c, None).map(|s| s.organizations_full()))
        .await
        .unwrap()
}

async fn an_export_imports_into_an_empty_database_unchanged(b: Backend) {
    let source = TestApp::start(b).await;
    source.load_demo().await;
    let first = export(&source).await;
    let (services, organisations) = counts(&source).await;
    assert_eq!(first.len(), organisations);
    let target = TestApp::start(b).await;
    let summary = import::import(
        &target.db,
        &Value::Array(first.clone()),
        None,
        day("2026-11-25"),
        None,
        "test.json",
        &Default::default(),
    )
    .await
    .unwrap()
    .expect("the export imports");
    assert_eq!(
        (summary.organisations, summary.services),
        (organisations, services)
    );
    let imports: Vec<_> = target
        .audit()
        .await
        .into_iter()
        .filter(|e| e.action == "directory_import")
        .collect();
    assert_eq!(imports.len(), 1, "the import is in the audit log once");
    assert!(
        imports[0]
            .reason
            .as_deref()
            .is_some_and(|r| r.starts_with(&format!(
                "HSDS test.json from source hsds: {organisations} organisations"
            ))),
        "{:?}",
        imports[0].reason
    );
    let second = export(&target).await;
    assert_eq!(
        serde_json::to_string_pretty(&first).unwrap(),
        serde_json::to_string_pretty(&second).unwrap(),
        "export → import → export keeps everything"
    );
    // A page of services (with their short organisation records) imported back does not
    // blank the organisations it names: their addresses, locations and areas stay.
    let practice = target.org("Praktijk Test", "huisartsenpraktijk").await;
    let uid = target
        .user("gp@test.example", Some(&practice), &["huisarts"])
        .await;
    let token = target.token_for(&uid).await;
    let (_, page) = get(&target, &token, "/api/hsds/services?per_page=200").await;
    import::import(
        &target.db,
        &page,
        Some("GM9999"),
        day("2026-11-25"),
        None,
        "test.json",
        &Default::default(),
    )
    .await
    .unwrap()
    .expect("a service page imports");
    let without_services = |orgs: Vec<Value>| -> Vec<Value> {
        orgs.into_iter()
            .filter(|o| o["name"] != "Praktijk Test")
            .map(|mut o| {
                o.as_object_mut().map(|m| m.remove("services"));
                o
            })
            .collect()
    };
    assert_eq!(
        without_services(first.clone()),
        without_services(export(&target).await),
        "organisations keep their addresses, locations and areas"
    );
    // Importing the same file again replaces rather than duplicates.
    import::import(
        &target.db,
        &Value::Array(first),
        None,
        day("2026-11-25"),
        None,
        "test.json",
        &Default::default(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        export(&target).await.len(),
        organisations + 1,
        "the demo's organisations once, and the test practice"
    );
    let count = target
        .db
        .read(rondom_db::directory::all_services)
        .await
        .unwrap()
        .len();
    assert_eq!(count, services);
    source.stop().await;
    target.stop().await;
}

async fn a_bad_file_names_each_problem_and_imports_nothing(b: Backend) {
    let source = TestApp::start(b).await;
    source.load_demo().await;
    let mut orgs = export(&source).await;
    // Four faults in four different organisations that offer services.
    let offering: Vec<usize> = (0..orgs.len())
        .filter(|&i| orgs[i]["services"][0]["service_areas"][0].is_object())
        .collect();
    let (a, p, c, d) = (offering[0], offering[1], offering[2], offering[3]);
    orgs[a]["services"][0]["minimum_age"] = Value::from("twaalf");
    orgs[p]["locations"][0]["addresses"][0]["postal_code"] = Value::from("12345 XX");
    orgs[c]["services"][0]["service_areas"][0]["extent"] = Value::from("GM12");
    let duplicate = orgs[a]["id"].clone();
    orgs[d]["id"] = duplicate;
    let target = TestApp::start(b).await;
    let errors = import::import(
        &target.db,
        &Value::Array(orgs.clone()),
        None,
        day("2026-11-25"),
        None,
        "test.json",
        &Default::default(),
    )
    .await
    .unwrap()
    .expect_err("a bad file is refused");
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let has = |field: &str, record: &str| {
        errors
            .iter()
            .any(|e| e.field.contains(field) && e.record.contains(record))
    };
    let name = |i: usize| orgs[i]["name"].as_str().unwrap().to_owned();
    assert!(has("services[0].minimum_age", &name(a)), "{text:#?}");
    assert!(has("postal_code", &name(p)), "{text:#?}");
    assert!(has("service_areas[0].extent", &name(c)), "{text:#?}");
    assert!(has("id", &name(d)), "{text:#?}");
    assert!(text.iter().all(|t| !t.is_empty()));
    let count = target
        .db
        .read(rondom_db::organisations::count)
        .await
        .unwrap();
    assert_eq!(count, 0, "nothing was imported");
    // Not JSON of organisations or services at all.
    let errors = import::import(
        &target.db,
        &serde_json::json!({"version": "3.0"}),
        None,
        day("2026-11-25"),
        None,
        "test.json",
        &Default::default(),
    )
    .await
    .unwrap()
    .unwrap_err();
    assert!(
        errors[0]
            .message
            .contains("importeer organisaties of aanbod")
    );
    source.stop().await;
    target.stop().await;
}

async fn the_specifications_examples_import(b: Backend) {
    let app = TestApp::start(b).await;
    for file in [
        "organization_full.json",
        "organization_list.json",
        "service_full.json",
        "service_list.json",
        "service_at_location_full.json",
        "service_at_location_list.json",
    ] {
        let text = std::fs::read_to_string(format!("{}/examples/{file}", hsds_dir())).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let outcome = import::import(
            &app.db,
            &doc,
            Some("GM9999"),
            day("2026-11-25"),
            None,
            "test.json",
            &Default::default(),
        )
        .await
        .unwrap();
        assert!(outcome.is_ok(), "{file}: {:?}", outcome.err());
    }
    let practice = app.org("Praktijk Test", "huisartsenpraktijk").await;
    let uid = app
        .user("gp@test.example", Some(&practice), &["huisarts"])
        .await;
    let token = app.token_for(&uid).await;
    let (_, page) = get(&app, &token, "/api/hsds/services?search=counselling").await;
    assert_eq!(names(&page), vec!["Community Counselling"]);
    let (_, svc) = get(
        &app,
        &token,
        &format!(
            "/api/hsds/services/{}",
            contents(&page)[0]["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(svc["minimum_age"], 12);
    assert_eq!(svc["organization"]["name"], "Example Organization Inc.");
    // The example's location has latitude 100: taken over without coordinates.
    assert!(
        svc["service_at_locations"][0]["location"]
            .get("latitude")
            .is_none()
    );
    // A taxonomy is not something to import.
    let text = std::fs::read_to_string(format!("{}/examples/taxonomy.json", hsds_dir())).unwrap();
    let outcome = import::import(
        &app.db,
        &serde_json::from_str(&text).unwrap(),
        Some("GM9999"),
        day("2026-11-25"),
        None,
        "test.json",
        &Default::default(),
    )
    .await
    .unwrap();
    assert!(outcome.is_err());
    app.stop().await;
}

/// Imports `doc` as coming from `source`, replacing foreign records only with `update`.
async fn import_as(
    app: &TestApp,
    doc: &Value,
    source: &str,
    update: bool,
) -> Result<Result<import::Summary, Vec<import::ImportError>>, rondom_db::DbError> {
    let opts = import::Options {
        source: source.into(),
        update,
        dry_run: false,
    };
    import::import(
        &app.db,
        doc,
        None,
        day("2026-11-25"),
        None,
        "test.json",
        &opts,
    )
    .await
}

/// A file that carries the id of a GP practice (or of another provider's records) does
/// not overwrite it: an import replaces only what came from its own source, unless told
/// to with `update`, and then names what it changes. Texts are checked as the forms
/// check them.
async fn an_import_touches_only_what_came_from_its_own_source(b: Backend) {
    let app = TestApp::start(b).await;
    let practice = app
        .org("Huisartsenpraktijk De Linde", "huisartsenpraktijk")
        .await;
    let provider_file = |id: &str, kind: &str, website: &str, description: &str| {
        serde_json::json!([{
            "id": id,
            "name": "Overgenomen naam",
            "description": description,
            "website": website,
            "organization_identifiers": [{"identifier_type": "gemeentecode", "identifier": "GM9999"}],
            "attributes": [{
                "id": "0192f0c4-7a1e-7c3b-9d2e-5f6a7b8c9d00",
                "taxonomy_term": {"code": format!("organisatietype:{kind}")}
            }]
        }])
    };

    // The practice, made in Rondom, is not overwritten by a file carrying its id...
    let doc = provider_file(
        &practice,
        "huisartsenpraktijk",
        "https://linde.example",
        "Nieuw",
    );
    let errors = import_as(&app, &doc, "regio", false)
        .await
        .unwrap()
        .expect_err("a record made in Rondom is not replaced");
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("bestaat al (in Rondom gemaakt")),
        "{errors:?}"
    );
    // ...and not turned into another kind of organisation even with --update.
    let doc = provider_file(&practice, "zorgaanbieder", "https://linde.example", "Nieuw");
    let errors = import_as(&app, &doc, "regio", true)
        .await
        .unwrap()
        .expect_err("the kind stays");
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("verandert niet wat voor organisatie")),
        "{errors:?}"
    );
    let kept = app
        .db
        .read({
            let p = practice.clone();
            move |c| rondom_db::organisations::find(c, &p)
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.name, "Huisartsenpraktijk De Linde");
    // What the form refuses, the import refuses: a javascript: website, a description
    // of 30 MB, a control character.
    let new_id = "0192f0c4-7a1e-7c3b-9d2e-5f6a7b8c9d0e";
    for (website, description, field) in [
        ("javascript:alert(document.cookie)", "Kort", "website"),
        (
            "https://horizon.example",
            &*"x".repeat(30 * 1024 * 1024),
            "description",
        ),
        ("https://horizon.example", "a\u{7}b", "description"),
    ] {
        let doc = provider_file(new_id, "zorgaanbieder", website, description);
        let errors = import_as(&app, &doc, "regio", false)
            .await
            .unwrap()
            .expect_err("refused like the form refuses it");
        assert!(
            errors.iter().any(|e| e.field == field),
            "{field}: {errors:?}"
        );
    }
    // A provider's own source replaces its own records; another source does not.
    let doc = provider_file(new_id, "zorgaanbieder", "https://horizon.example", "Eerste");
    import_as(&app, &doc, "horizon", false)
        .await
        .unwrap()
        .unwrap();
    let doc = provider_file(
        new_id,
        "zorgaanbieder",
        "https://horizon.example/nieuw",
        "Tweede",
    );
    let again = import_as(&app, &doc, "horizon", false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.changes.len(), 1, "{:?}", again.changes);
    assert!(
        again.changes[0].contains("beschrijving, website"),
        "{:?}",
        again.changes
    );
    let errors = import_as(&app, &doc, "regio", false)
        .await
        .unwrap()
        .expect_err("another source's record is not replaced");
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("uit de bron “horizon”")),
        "{errors:?}"
    );
    // A dry run with --update lists the change and writes nothing.
    let doc = provider_file(new_id, "zorgaanbieder", "https://horizon.example", "Derde");
    let dry = import::import(
        &app.db,
        &doc,
        None,
        day("2026-11-25"),
        None,
        "test.json",
        &import::Options {
            source: "regio".into(),
            update: true,
            dry_run: true,
        },
    )
    .await
    .unwrap()
    .unwrap();
    assert!(!dry.written);
    assert!(dry.changes[0].contains("beschrijving"), "{:?}", dry.changes);
    let logged = app
        .audit()
        .await
        .iter()
        .filter(|e| e.action == "directory_import")
        .count();
    assert_eq!(logged, 2, "the two imports are logged, the dry run is not");
    let still = app
        .db
        .read(move |c| rondom_db::organisations::find(c, new_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.description.as_deref(), Some("Tweede"));
    assert_eq!(still.import_source.as_deref(), Some("horizon"));
    app.stop().await;
}
