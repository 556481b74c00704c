//! The sociale kaart as Open Referral HSDS 3.0: the API's answers against the compiled
//! schemas, search and filters through it, the export → import → export round trip, a bad
//! file, and the specification's own examples.

mod api;
mod import_export;

use crate::common::*;
use serde_json::Value;

/// `../shared/standards/hsds-3.0` next to the repository, wherever it is checked out.
fn hsds_dir() -> String {
    standards_dir().join("hsds-3.0").display().to_string()
}

/// How many services and (non-platform) organisations the database holds.
async fn counts(app: &TestApp) -> (usize, usize) {
    app.db
        .read(|c| {
            let services = rondom_db::directory::all_services(c)?.len();
            let organisations = rondom_db::organisations::list(c)?
                .into_iter()
                .filter(|o| o.kind != rondom_domain::OrganisationKind::Platform)
                .count();
            Ok((services, organisations))
        })
        .await
        .unwrap()
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let resp = app
        .client()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn contents(page: &Value) -> &Vec<Value> {
    page["contents"].as_array().expect("a page has contents")
}

fn names(page: &Value) -> Vec<String> {
    contents(page)
        .iter()
        .map(|s| s["name"].as_str().unwrap_or("").to_owned())
        .collect()
}
