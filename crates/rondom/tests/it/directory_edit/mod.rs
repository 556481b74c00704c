//! Organisations maintain their own entries in the sociale kaart: validation that loses
//! nothing, a change history, only the owner may edit, stale entries flagged to their
//! owner, people pages, and search by area.

mod organisations;
mod own_offer;
mod people;
mod services;
mod teams;

use crate::common::*;
use rondom_db::directory;

/// A provider with one service, its admin and an ordinary employee.
async fn provider(app: &TestApp) -> (String, String) {
    let org = app.org("Kinderpraktijk De Vlinder", "zorgaanbieder").await;
    app.user(
        "beheer@vlinder.example",
        Some(&org),
        &["organisatiebeheerder", "zorgaanbieder_medewerker"],
    )
    .await;
    app.user(
        "medewerker@vlinder.example",
        Some(&org),
        &["zorgaanbieder_medewerker"],
    )
    .await;
    let o = org.clone();
    let service = app
        .db
        .write(move |c| {
            let loc = directory::Location {
                id: rondom_domain::ids::LocationId::trusted(rondom_db::new_id()),
                organisation_id: rondom_domain::ids::OrganisationId::trusted(o.clone()),
                name: "Vlinder Noord".into(),
                street: "Kerkstraat".into(),
                house_number: "1".into(),
                postcode: "9992 AB".into(),
                city: "Voorbeeld".into(),
                country: "NL".into(),
                latitude: Some(52.1),
                longitude: Some(5.6),
                last_checked_on: day("2026-11-01"),
            };
            directory::insert_location(c, &loc)?;
            let id = directory::create_service(
                c,
                &directory::NewService {
                    organisation_id: &o,
                    name: "Speltherapie",
                    description: "Therapie in spel voor jonge kinderen.",
                    category: "specialistisch",
                    access_route: "verwijzing",
                    age_min: 3,
                    age_max: 12,
                    problem_areas: "psychisch",
                    wait_weeks: Some(6),
                    wait_reported_on: Some(day("2026-10-01")),
                    last_checked_on: day("2025-01-15"),
                    ..Default::default()
                },
            )?;
            directory::set_service_locations(c, &id, &[loc.id.to_string()])?;
            Ok(id)
        })
        .await
        .unwrap();
    (org, service)
}
