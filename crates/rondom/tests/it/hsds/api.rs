//! The API's answers against the compiled HSDS schemas, and search with its filters.

use super::{contents, counts, get, hsds_dir, names};
use crate::common::*;
use serde_json::Value;

on_both_backends!(
    hsds_answers_are_valid_against_the_compiled_schemas,
    hsds_search_filters_by_words_term_postcode_and_proximity,
);

fn schema(path: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(format!("{}/{path}", hsds_dir())).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&inline_refs(schema, 3)).unwrap()
}

/// The uncompiled schemas refer to their neighbours by file name ("metadata.json"):
/// put those in place, as the compiled ones have it.
fn inline_refs(v: Value, depth: u8) -> Value {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref")
                && r.ends_with(".json")
            {
                if depth == 0 {
                    return Value::Object(Default::default());
                }
                let text = std::fs::read_to_string(format!("{}/schema/{r}", hsds_dir())).unwrap();
                return inline_refs(serde_json::from_str(&text).unwrap(), depth - 1);
            }
            Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k, inline_refs(v, depth)))
                    .collect(),
            )
        }
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| inline_refs(v, depth)).collect())
        }
        other => other,
    }
}

fn assert_valid(v: &jsonschema::Validator, what: &str, doc: &Value) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what} is not valid HSDS: {errors:#?}");
}

/// A demo municipality and an API token of a GP in it.
async fn demo_with_token(b: Backend) -> (TestApp, String) {
    let app = TestApp::start(b).await;
    app.load_demo().await;
    let practice = app.org("Praktijk Test", "huisartsenpraktijk").await;
    let uid = app
        .user("gp@test.example", Some(&practice), &["huisarts"])
        .await;
    let token = app.token_for(&uid).await;
    (app, token)
}

async fn hsds_answers_are_valid_against_the_compiled_schemas(b: Backend) {
    let (app, token) = demo_with_token(b).await;
    let (status, page) = get(&app, &token, "/api/hsds/services?per_page=200").await;
    assert_eq!(status, 200);
    let (services, organisations) = counts(&app).await;
    assert!(services > 90, "the demo has about a hundred services");
    assert_eq!(page["total_items"], services, "every service is listed");
    let list_schema = schema("schema/compiled/service_list.json");
    for s in contents(&page) {
        assert_valid(&list_schema, "a listed service", s);
    }
    let full_schema = schema("schema/compiled/service.json");
    let first_id = contents(&page)[0]["id"].as_str().unwrap().to_owned();
    let (status, full) = get(&app, &token, &format!("/api/hsds/services/{first_id}")).await;
    assert_eq!(status, 200);
    assert_valid(&full_schema, "a whole service", &full);
    assert!(full["attributes"].as_array().is_some_and(|a| !a.is_empty()));
    assert!(full["service_at_locations"][0]["location"]["latitude"].is_number());

    let (_, orgs) = get(&app, &token, "/api/hsds/organizations?per_page=100").await;
    assert_eq!(
        orgs["total_items"], organisations,
        "every organisation but the platform's own"
    );
    let org_list = schema("schema/compiled/organization_list.json");
    for o in contents(&orgs) {
        assert_valid(&org_list, "a listed organisation", o);
        assert_ne!(
            o["name"], "Rondom Platformbeheer",
            "the platform is not on the map"
        );
    }
    let org_schema = schema("schema/compiled/organization.json");
    let horizon = contents(&orgs)
        .iter()
        .find(|o| o["name"] == "Jeugd-GGZ Horizon")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, org) = get(&app, &token, &format!("/api/hsds/organizations/{horizon}")).await;
    assert_valid(&org_schema, "a whole organisation", &org);
    assert!(!org["services"].as_array().unwrap().is_empty());
    let (_, full_orgs) = get(
        &app,
        &token,
        "/api/hsds/organizations?full_service=true&per_page=5",
    )
    .await;
    for o in contents(&full_orgs) {
        assert_valid(&org_schema, "an organisation listed in full", o);
    }

    let (_, sals) = get(&app, &token, "/api/hsds/service_at_locations?per_page=20").await;
    let sal_list = schema("schema/compiled/service_at_location_list.json");
    for s in contents(&sals) {
        assert_valid(&sal_list, "a listed service at a location", s);
    }
    let sal_id = contents(&sals)[0]["id"].as_str().unwrap().to_owned();
    let (status, sal) = get(
        &app,
        &token,
        &format!("/api/hsds/service_at_locations/{sal_id}"),
    )
    .await;
    assert_eq!(status, 200);
    assert_valid(
        &schema("schema/compiled/service_at_location.json"),
        "a service at a location",
        &sal,
    );

    let (_, taxonomies) = get(&app, &token, "/api/hsds/taxonomies").await;
    let taxonomy_schema = schema("schema/taxonomy.json");
    assert_valid(&taxonomy_schema, "our taxonomy", &contents(&taxonomies)[0]);
    let (_, terms) = get(&app, &token, "/api/hsds/taxonomy_terms?per_page=200").await;
    let term_schema = schema("schema/taxonomy_term.json");
    for t in contents(&terms) {
        assert_valid(&term_schema, "a taxonomy term", t);
    }
    let (_, top) = get(&app, &token, "/api/hsds/taxonomy_terms?top_only=true").await;
    assert_eq!(top["total_items"], 5, "five groups at the top");

    // Bad paging is a structured validation error; no token is 401; an unknown id is 404.
    let (status, err) = get(&app, &token, "/api/hsds/services?per_page=0").await;
    assert_eq!(status, 422);
    assert_eq!(err["error"]["fields"][0]["field"], "per_page");
    let (status, _) = get(&app, "rdm_not-a-token", "/api/hsds/services").await;
    assert_eq!(status, 401);
    let (status, _) = get(&app, &token, &format!("/api/hsds/services/{}", uuid_like())).await;
    assert_eq!(status, 404);
    app.stop().await;
}

async fn hsds_search_filters_by_words_term_postcode_and_proximity(b: Backend) {
    let (app, token) = demo_with_token(b).await;
    // The same Dutch search as the pages: a word form finds the course.
    let (_, page) = get(&app, &token, "/api/hsds/services?search=opvoeden").await;
    let found = names(&page);
    assert!(
        found
            .iter()
            .any(|n| n.starts_with("Cursus Positief Opvoeden")),
        "{found:?}"
    );
    let (_, long) = get(
        &app,
        &token,
        "/api/hsds/services?search=opvoedingsondersteuning",
    )
    .await;
    assert!(
        names(&long).iter().any(|n| n == "Opvoedondersteuning"),
        "{:?}",
        names(&long)
    );
    // A typo still finds it.
    let (_, page) = get(&app, &token, "/api/hsds/services?search=opvoedondersteunig").await;
    assert_eq!(
        names(&page).first().map(String::as_str),
        Some("Opvoedondersteuning")
    );

    // A term of our taxonomy filters.
    let (_, terms) = get(
        &app,
        &token,
        "/api/hsds/taxonomy_terms?search=specialistische&per_page=50",
    )
    .await;
    let term = contents(&terms)
        .iter()
        .find(|t| t["code"] == "categorie:specialistisch")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, page) = get(
        &app,
        &token,
        &format!("/api/hsds/services?taxonomy_term_id={term}&per_page=200"),
    )
    .await;
    assert!(page["total_items"].as_u64().unwrap() > 5);
    for s in contents(&page) {
        let (_, full) = get(
            &app,
            &token,
            &format!("/api/hsds/services/{}", s["id"].as_str().unwrap()),
        )
        .await;
        let codes: Vec<&str> = full["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["taxonomy_term"]["code"].as_str())
            .collect();
        assert!(codes.contains(&"categorie:specialistisch"), "{codes:?}");
    }

    // Postcode 9992 lies in wijk Noord: Noord's groups are there, Zuid's are not.
    let (_, page) = get(
        &app,
        &token,
        "/api/hsds/services?postcode=9992&per_page=200",
    )
    .await;
    let here = names(&page);
    assert!(here.iter().any(|n| n.ends_with("(wijk Noord)")), "{here:?}");
    assert!(!here.iter().any(|n| n.ends_with("(wijk Zuid)")), "{here:?}");
    let (_, all) = get(&app, &token, "/api/hsds/services?per_page=200").await;
    assert!(page["total_items"].as_u64() < all["total_items"].as_u64());
    // A postcode outside the municipality finds only what is offered there (nothing).
    let (_, far) = get(&app, &token, "/api/hsds/services?postcode=1011").await;
    assert_eq!(far["total_items"], 0);

    // Proximity: within 500 m of the centre of 9992 fewer locations than within 20 km.
    let (_, near) = get(
        &app,
        &token,
        "/api/hsds/service_at_locations?postcode=9992&proximity=500",
    )
    .await;
    let (_, wide) = get(
        &app,
        &token,
        "/api/hsds/service_at_locations?postcode=9992&proximity=20000",
    )
    .await;
    let (n, w) = (
        near["total_items"].as_u64().unwrap(),
        wide["total_items"].as_u64().unwrap(),
    );
    assert!(n < w, "near {n}, wide {w}");
    let (services, _) = counts(&app).await;
    assert!(
        w >= services as u64,
        "every demo service has a location within 20 km"
    );
    let (status, err) = get(&app, &token, "/api/hsds/service_at_locations?proximity=500").await;
    assert_eq!(status, 422, "proximity needs a postcode: {err}");
    app.stop().await;
}
