//! Referral (verwijzing, issue 4): the closed loop from GP to social team to provider and
//! back, the municipality's agreements applied, outsiders refused, the API's 409, and the
//! FHIR export valid against the HL7 FHIR R4 schema.

mod access;
mod agreements;
mod api;
mod attachments;
mod audit_page;
mod chain;
mod documents;
mod inbox;
mod lifecycle;
mod meetings;
pub(crate) mod messages;
mod network;
mod network_consent_table;
mod network_family;
mod new_with_files;
mod plan;
mod pupils;
mod retention;
mod today;

use crate::common::*;
use rondom_db::directory;

pub(crate) struct World {
    pub(crate) practice: String,
    pub(crate) team: String,
    pub(crate) service: String,
    pub(crate) sanne: String,
}

pub(crate) async fn world(app: &TestApp) -> World {
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
