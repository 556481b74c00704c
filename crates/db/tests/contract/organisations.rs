//! Organisations and memberships.

use crate::support::{Engine, TestDb, is_conflict, member, org, org_input, user};
use rondom_db::DbError;
use rondom_db::organisations as orgs;
use rondom_domain::OrganisationKind;

on_both_engines!(
    an_organisation_reads_back_as_written,
    a_second_organisation_with_the_same_agb_code_is_a_conflict,
    members_and_count_role_follow_memberships,
);

async fn an_organisation_reads_back_as_written(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let input = org_input(
        "Huisartsenpraktijk De Linde",
        OrganisationKind::Huisartsenpraktijk,
        Some("01234567"),
    );
    let made = db.write(move |c| orgs::create(c, &input)).await.unwrap();
    assert_eq!(made.name, "Huisartsenpraktijk De Linde");
    assert_eq!(made.kind, OrganisationKind::Huisartsenpraktijk);
    assert_eq!(made.agb_code.as_deref(), Some("01234567"));
    assert_eq!(made.gemeente_code, "GM9999");
    assert_eq!(made.phone.as_deref(), Some("0500-123456"));
    assert_eq!(made.created_at, made.updated_at);
    assert_eq!(made.import_source, None);

    let id = made.id.clone();
    let (by_id, by_agb, by_name, missing, missing_agb) = db
        .read(move |c| {
            Ok((
                orgs::find(c, &id)?,
                orgs::find_by_agb(c, "01234567")?,
                orgs::find_by_name(c, "Huisartsenpraktijk De Linde")?,
                orgs::find(c, "no-such-organisation")?,
                orgs::find_by_agb(c, "76543210")?,
            ))
        })
        .await
        .unwrap();
    // Every field, timestamps to the microsecond, reads back as it was written.
    let written = format!("{made:?}");
    assert_eq!(format!("{:?}", by_id.unwrap()), written);
    assert_eq!(format!("{:?}", by_agb.unwrap()), written);
    assert_eq!(format!("{:?}", by_name.unwrap()), written);
    assert!(missing.is_none());
    assert!(missing_agb.is_none());

    // An update changes what it names and moves updated_at, not created_at.
    let id = made.id.clone();
    let mut changed = org_input(
        "De Linde",
        OrganisationKind::Huisartsenpraktijk,
        Some("01234567"),
    );
    changed.city = "Elders".into();
    changed.phone = None;
    let updated = db
        .write(move |c| orgs::update(c, &id, &changed))
        .await
        .unwrap();
    assert_eq!(updated.name, "De Linde");
    assert_eq!(updated.city, "Elders");
    assert_eq!(updated.phone, None);
    assert_eq!(updated.created_at, made.created_at);
    assert!(updated.updated_at >= made.updated_at);
    let gone = db
        .write(|c| {
            orgs::update(
                c,
                "no-such-organisation",
                &org_input("X", OrganisationKind::School, None),
            )
        })
        .await;
    assert!(matches!(gone, Err(DbError::NotFound)), "{gone:?}");
}

async fn a_second_organisation_with_the_same_agb_code_is_a_conflict(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let first = org_input(
        "Praktijk Een",
        OrganisationKind::Huisartsenpraktijk,
        Some("01010101"),
    );
    db.write(move |c| orgs::create(c, &first)).await.unwrap();
    let second = org_input(
        "Praktijk Twee",
        OrganisationKind::Huisartsenpraktijk,
        Some("01010101"),
    );
    let refused = db.write(move |c| orgs::create(c, &second)).await;
    assert!(is_conflict(&refused), "{refused:?}");
    // Nothing of the refused write stays.
    let (count, twee) = db
        .read(|c| Ok((orgs::count(c)?, orgs::find_by_name(c, "Praktijk Twee")?)))
        .await
        .unwrap();
    assert_eq!(count, 1);
    assert!(twee.is_none());

    // Organisations without an AGB code do not collide with each other.
    org(db, "Zonder AGB 1", OrganisationKind::SociaalTeam).await;
    org(db, "Zonder AGB 2", OrganisationKind::SociaalTeam).await;
    assert_eq!(db.read(orgs::count).await.unwrap(), 3);

    // Changing another organisation to a taken code is refused the same way.
    let other = org(db, "Praktijk Drie", OrganisationKind::Huisartsenpraktijk).await;
    let taken = org_input(
        "Praktijk Drie",
        OrganisationKind::Huisartsenpraktijk,
        Some("01010101"),
    );
    let refused = db.write(move |c| orgs::update(c, &other.id, &taken)).await;
    assert!(is_conflict(&refused), "{refused:?}");
}

async fn members_and_count_role_follow_memberships(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let o = org(db, "Sociaal Team Noord", OrganisationKind::SociaalTeam)
        .await
        .id;
    let elsewhere = org(db, "Sociaal Team Zuid", OrganisationKind::SociaalTeam)
        .await
        .id;
    let anna = member(
        db,
        &o,
        "anna@test.example",
        "Anna Admin",
        "organisatiebeheerder",
    )
    .await;
    let bram = member(db, &o, "bram@test.example", "Bram Bakker", "consulent").await;
    let (a, oo) = (anna.clone(), o.clone());
    let anna_consultant = db
        .write(move |c| orgs::add_membership(c, &a, &oo, "consulent"))
        .await
        .unwrap();

    let oo = o.clone();
    let (members, admins, consultants) = db
        .read(move |c| {
            Ok((
                orgs::members(c, &oo)?,
                orgs::count_role(c, &oo, "organisatiebeheerder")?,
                orgs::count_role(c, &oo, "consulent")?,
            ))
        })
        .await
        .unwrap();
    let seen: Vec<(&str, &str, &str)> = members
        .iter()
        .map(|m| (m.user_id.as_str(), m.email.as_str(), m.role.as_str()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (anna.as_str(), "anna@test.example", "consulent"),
            (anna.as_str(), "anna@test.example", "organisatiebeheerder"),
            (bram.as_str(), "bram@test.example", "consulent"),
        ],
        "by name, then role"
    );
    assert!(members.iter().all(|m| !m.totp_enabled && !m.disabled));
    assert_eq!((admins, consultants), (1, 2));

    // The same role twice is a conflict; a membership of an organisation that does not
    // exist is refused by the foreign key (SQLite's enforcement is switched on).
    let (b, oo) = (bram.clone(), o.clone());
    let twice = db
        .write(move |c| orgs::add_membership(c, &b, &oo, "consulent"))
        .await;
    assert!(is_conflict(&twice), "{twice:?}");
    let b = bram.clone();
    let dangling = db
        .write(move |c| orgs::add_membership(c, &b, "no-such-organisation", "consulent"))
        .await;
    assert!(
        matches!(
            dangling,
            Err(DbError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                _
            )))
        ),
        "{dangling:?}"
    );

    // A membership id cannot be removed through another organisation.
    let (m, other) = (anna_consultant.clone(), elsewhere.clone());
    let wrong = db
        .write(move |c| orgs::remove_membership(c, &other, &m))
        .await;
    assert!(matches!(wrong, Err(DbError::NotFound)), "{wrong:?}");

    let (m, oo) = (anna_consultant.clone(), o.clone());
    let removed = db
        .write(move |c| orgs::remove_membership(c, &oo, &m))
        .await
        .unwrap();
    assert_eq!(removed, (anna.clone(), "consulent".to_owned()));
    let (oo, a) = (o.clone(), anna.clone());
    let (members, consultants, admins, of_anna) = db
        .read(move |c| {
            Ok((
                orgs::members(c, &oo)?,
                orgs::count_role(c, &oo, "consulent")?,
                orgs::count_role(c, &oo, "organisatiebeheerder")?,
                rondom_db::users::memberships_of(c, &a)?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(members.len(), 2);
    assert!(!members.iter().any(|m| m.membership_id == anna_consultant));
    assert_eq!((admins, consultants), (1, 1));
    assert_eq!(of_anna.len(), 1);
    assert_eq!(of_anna[0].organisation_id, o);
    assert_eq!(of_anna[0].organisation_name, "Sociaal Team Noord");
    assert_eq!(of_anna[0].role, rondom_domain::Role::OrganisatieBeheerder);

    // Someone without memberships is nobody's member.
    let loner = user(db, "los@test.example", "Los").await;
    let none = db
        .read(move |c| rondom_db::users::memberships_of(c, &loner))
        .await
        .unwrap();
    assert!(none.is_empty());
}
