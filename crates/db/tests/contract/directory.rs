//! The sociale kaart: every write to it moves the directory version (each app server's
//! search index compares it to know whether it is current); a write that fails does not.

use crate::support::{Engine, TestDb, day, member, org, org_input};
use rondom_db::directory::{self as dir, Location, NewService, Team};
use rondom_db::organisations as orgs;
use rondom_db::{AnyConnection, Db, DbError};
use rondom_domain::OrganisationKind;

on_both_engines!(
    every_write_to_the_sociale_kaart_moves_the_directory_version,
    a_failed_write_leaves_the_directory_version,
);

type Step = Box<dyn FnOnce(&mut AnyConnection) -> Result<(), DbError> + Send>;

async fn version(db: &Db) -> i64 {
    db.read(dir::version).await.unwrap()
}

fn location(id: &str, organisation_id: &str, name: &str) -> Location {
    Location {
        id: rondom_domain::ids::LocationId::trusted(id),
        organisation_id: rondom_domain::ids::OrganisationId::trusted(organisation_id),
        name: name.into(),
        street: "Markt".into(),
        house_number: "2".into(),
        postcode: "9999 AA".into(),
        city: "Voorbeeld".into(),
        country: "NL".into(),
        latitude: Some(53.219_383),
        longitude: Some(6.566_502),
        last_checked_on: day("2026-01-15"),
    }
}

fn service<'a>(organisation_id: &'a str, name: &'a str) -> NewService<'a> {
    NewService {
        organisation_id,
        name,
        description: "Hulp bij opvoeden",
        category: "opvoeding",
        access_route: "vrij",
        age_min: 0,
        age_max: 18,
        problem_areas: "opvoeding",
        last_checked_on: day("2026-01-15"),
        ..NewService::default()
    }
}

async fn every_write_to_the_sociale_kaart_moves_the_directory_version(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    assert_eq!(version(db).await, 0, "a fresh database starts at 0");
    let o = org(db, "Jeugdhulp Noord", OrganisationKind::Zorgaanbieder)
        .await
        .id;
    assert_eq!(version(db).await, 1, "creating an organisation moved it");
    let person = member(db, &o, "m@test.example", "Medewerker", "consulent").await;
    let oo = o.clone();
    let svc = db
        .write(move |c| dir::create_service(c, &service(&oo, "Opvoedsteun")))
        .await
        .unwrap();
    let svc_ids = vec![svc.clone()];
    let loc_id = rondom_db::new_id();

    let steps: Vec<(&str, Step)> = vec![
        ("organisations::update", {
            let o = o.clone();
            Box::new(move |c: &mut AnyConnection| {
                orgs::update(
                    c,
                    &o,
                    &org_input("Jeugdhulp", OrganisationKind::Zorgaanbieder, None),
                )
                .map(drop)
            })
        }),
        ("organisations::set_profile", {
            let o = o.clone();
            Box::new(move |c: &mut AnyConnection| {
                orgs::set_profile(
                    c,
                    &o,
                    Some("Wij helpen"),
                    Some("https://jeugdhulp.example"),
                    Some(day("2026-01-15")),
                )
            })
        }),
        ("organisations::set_contact", {
            let o = o.clone();
            Box::new(move |c: &mut AnyConnection| orgs::set_contact(c, &o, Some("0500-1"), None))
        }),
        ("directory::insert_location", {
            let l = location(&loc_id, &o, "Hoofdlocatie");
            Box::new(move |c: &mut AnyConnection| dir::insert_location(c, &l))
        }),
        ("directory::update_location", {
            let l = location(&loc_id, &o, "Hoofdvestiging");
            Box::new(move |c: &mut AnyConnection| dir::update_location(c, &l))
        }),
        ("directory::create_service", {
            let o = o.clone();
            Box::new(move |c: &mut AnyConnection| {
                dir::create_service(c, &service(&o, "Gezinscoach")).map(drop)
            })
        }),
        ("directory::update_service", {
            let (id, o) = (svc.clone(), o.clone());
            Box::new(move |c: &mut AnyConnection| {
                dir::update_service(c, &id, &service(&o, "Opvoedsteun plus"))
            })
        }),
        ("directory::set_service_areas", {
            let id = svc.clone();
            Box::new(move |c: &mut AnyConnection| {
                dir::set_service_areas(c, &id, &[(None, "gemeente".into(), "GM9999".into())])
            })
        }),
        ("directory::set_service_locations", {
            let (id, l) = (svc.clone(), loc_id.clone());
            Box::new(move |c: &mut AnyConnection| dir::set_service_locations(c, &id, &[l]))
        }),
        ("directory::save_team", {
            let team = Team {
                id: rondom_domain::ids::TeamId::trusted(rondom_db::new_id()),
                organisation_id: o.clone(),
                name: "Team Noord".into(),
                description: None,
                phone: None,
                email: None,
                last_checked_on: day("2026-01-15"),
            };
            let members = vec![person.clone()];
            Box::new(move |c: &mut AnyConnection| dir::save_team(c, &team, &members))
        }),
        ("directory::set_organisation_areas", {
            let o = o.clone();
            Box::new(move |c: &mut AnyConnection| {
                dir::set_organisation_areas(c, &o, &[("gemeente".into(), "GM9999".into())])
            })
        }),
        ("directory::record_change", {
            let (o, p) = (o.clone(), person.clone());
            Box::new(move |c: &mut AnyConnection| {
                dir::record_change(c, &o, "person", &p, Some(&p), "Telefoon gewijzigd")
            })
        }),
        ("directory::delete_service", {
            let id = svc.clone();
            Box::new(move |c: &mut AnyConnection| dir::delete_service(c, &id))
        }),
        (
            "directory::delete_services",
            Box::new(move |c: &mut AnyConnection| dir::delete_services(c, &svc_ids)),
        ),
        ("directory::delete_locations_of", {
            let o = o.clone();
            Box::new(move |c: &mut AnyConnection| dir::delete_locations_of(c, &o))
        }),
        ("directory::bump_version", Box::new(dir::bump_version)),
    ];
    for (name, step) in steps {
        let before = version(db).await;
        db.write(step)
            .await
            .unwrap_or_else(|e| panic!("{name} failed: {e}"));
        let after = version(db).await;
        assert!(
            after > before,
            "{name} left the directory version at {before}"
        );
    }

    // What was written reads back (coordinates exactly, on both engines).
    let oo = o.clone();
    let (history, services, areas) = db
        .read(move |c| {
            Ok((
                dir::changes(c, None, Some(&oo), 10)?,
                dir::services_of(c, &oo)?,
                dir::organisation_areas(c, Some(&[oo.to_string()]))?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].user_name.as_deref(), Some("Medewerker"));
    assert_eq!(history[0].summary, "Telefoon gewijzigd");
    let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["Gezinscoach"], "Opvoedsteun was deleted");
    assert_eq!(
        areas,
        vec![(o.to_string(), "gemeente".to_owned(), "GM9999".to_owned())]
    );
}

async fn a_failed_write_leaves_the_directory_version(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let o = org(db, "Jeugdhulp", OrganisationKind::Zorgaanbieder)
        .await
        .id;
    let loc = location(&rondom_db::new_id(), &o, "Hoofdlocatie");
    let stored = loc.clone();
    db.write(move |c| dir::insert_location(c, &stored))
        .await
        .unwrap();
    let id = loc.id.clone();
    let read_back = db.read(move |c| dir::find_location(c, &id)).await.unwrap();
    assert_eq!(read_back.as_ref(), Some(&loc));

    let before = version(db).await;
    let missing = location("no-such-location", &o, "Nergens");
    let refused = db.write(move |c| dir::update_location(c, &missing)).await;
    assert!(matches!(refused, Err(DbError::NotFound)), "{refused:?}");
    let refused = db
        .write(|c| dir::delete_service(c, "no-such-service"))
        .await;
    assert!(matches!(refused, Err(DbError::NotFound)), "{refused:?}");
    // A change that fails after its bump takes the bump back with it.
    let refused = db
        .write(|c| {
            dir::bump_version(c)?;
            orgs::create(
                c,
                &org_input("Dubbel", OrganisationKind::Zorgaanbieder, Some("1")),
            )?;
            orgs::create(
                c,
                &org_input("Dubbel", OrganisationKind::Zorgaanbieder, Some("1")),
            )?;
            Ok(())
        })
        .await;
    assert!(matches!(refused, Err(DbError::Conflict(_))), "{refused:?}");
    assert_eq!(version(db).await, before, "no failed write moved it");
    assert_eq!(db.read(orgs::count).await.unwrap(), 1);
}
