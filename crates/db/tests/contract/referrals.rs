//! Referrals: status moves, what a receiver may list, and the agreements in force.

use crate::support::{Engine, TestDb, day, is_conflict, member, org};
use rondom_db::Db;
use rondom_db::referrals::{self as refs, Filter, Move, NewAgreements, NewChild, NewReferral};
use rondom_domain::OrganisationKind;
use rondom_domain::agreements::Agreements;
use rondom_domain::referral::Status;

on_both_engines!(
    a_referral_moves_only_from_the_status_it_stands_at,
    a_receiver_never_lists_a_draft,
    the_agreements_in_force_are_the_latest_from_before_the_day,
    a_stored_code_that_is_none_fails_the_read,
);

/// The organisations and people of a referral.
struct Scene {
    practice: String,
    team: String,
    specialist: String,
    referrer: String,
    director: String,
    colleague: String,
    child: String,
}

async fn scene(db: &Db) -> Scene {
    let practice = org(db, "Praktijk", OrganisationKind::Huisartsenpraktijk)
        .await
        .id;
    let team = org(db, "Sociaal Team", OrganisationKind::SociaalTeam)
        .await
        .id;
    let specialist = org(db, "Jeugdhulp", OrganisationKind::Zorgaanbieder)
        .await
        .id;
    let referrer = member(
        db,
        &practice,
        "huisarts@test.example",
        "Huisarts",
        "huisarts",
    )
    .await;
    let director = member(db, &team, "regie@test.example", "Regie", "consulent").await;
    let colleague = member(db, &team, "collega@test.example", "Collega", "consulent").await;
    let by = referrer.clone();
    let child = db
        .write(move |c| {
            refs::create_child(
                c,
                &NewChild {
                    wijk_code: None,
                    name_sealed: "sealed-name",
                    birth_date: day("2015-04-01"),
                    gemeente_code: "GM9999",
                    bsn_sealed: None,
                    created_by: &by,
                    match_bsn: None,
                    match_name: None,
                },
            )
        })
        .await
        .unwrap();
    Scene {
        practice: practice.into(),
        team: team.into(),
        specialist: specialist.into(),
        referrer,
        director,
        colleague,
        child,
    }
}

/// Stores a referral from `from` to `to`; its id.
async fn refer(
    db: &Db,
    s: &Scene,
    (from, to): (&str, &str),
    status: &str,
    due_on: Option<&str>,
    case_director: Option<&str>,
) -> String {
    let (child, referrer) = (s.child.clone(), s.referrer.clone());
    let (from, to, status) = (from.to_owned(), to.to_owned(), status.to_owned());
    let (due_on, case_director) = (due_on.map(day), case_director.map(str::to_owned));
    db.write(move |c| {
        refs::create(
            c,
            &NewReferral {
                child_id: &child,
                parent_id: None,
                consultation_id: None,
                agreements_id: None,
                from_org_id: &from,
                referrer_id: &referrer,
                on_behalf_of_id: None,
                to_org_id: &to,
                service_id: None,
                school_id: None,
                reason_sealed: "sealed-reason",
                problem_areas: "opvoeding",
                urgency: rondom_domain::referral::Urgency::Regulier,
                status: Status::parse(&status).unwrap(),
                case_director_id: case_director.as_deref(),
                due_on,
            },
        )
    })
    .await
    .unwrap()
}

async fn a_referral_moves_only_from_the_status_it_stands_at(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let s = scene(db).await;
    let child_id = s.child.clone();
    let child = db
        .read(move |c| refs::child(c, &child_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (child.name_sealed.as_str(), child.birth_date),
        ("sealed-name", day("2015-04-01"))
    );
    let id = refer(
        db,
        &s,
        (s.practice.as_str(), s.team.as_str()),
        "requested",
        Some("2026-03-05"),
        None,
    )
    .await;

    let read = |db: &Db, id: &str| {
        let (db, id) = (db.clone(), id.to_owned());
        async move {
            db.read(move |c| Ok((refs::find(c, &id)?.unwrap(), refs::events(c, &id)?)))
                .await
                .unwrap()
        }
    };
    let (r, events) = read(db, &id).await;
    assert_eq!(
        (r.status.code(), r.due_on),
        ("requested", Some(day("2026-03-05")))
    );
    assert_eq!(r.from_org_id, s.practice);
    assert_eq!(r.to_org_id, s.team);
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].0.map(Status::code), events[0].1.code()),
        (None, "requested")
    );
    assert_eq!(events[0].2, "Huisarts");

    // A move from a status the referral is not at is a conflict and changes nothing.
    let (i, actor) = (id.clone(), s.colleague.clone());
    let wrong = db
        .write(move |c| {
            refs::apply_move(
                c,
                &i,
                &Move {
                    from: Status::Received,
                    to: Status::Accepted,
                    actor_id: &actor,
                    reason_sealed: None,
                    due_on: Some(day("2026-04-01")),
                    accepted_on: Some(day("2026-03-02")),
                    case_director_id: Some(&actor),
                },
            )
        })
        .await;
    assert!(is_conflict(&wrong), "{wrong:?}");
    let (after, events) = read(db, &id).await;
    assert_eq!(format!("{after:?}"), format!("{r:?}"), "nothing changed");
    assert_eq!(events.len(), 1, "no event recorded");

    // From the right status it moves, with what the move carries, and is recorded.
    let (i, actor, director) = (id.clone(), s.colleague.clone(), s.director.clone());
    db.write(move |c| {
        refs::apply_move(
            c,
            &i,
            &Move {
                from: Status::Requested,
                to: Status::Accepted,
                actor_id: &actor,
                reason_sealed: Some("sealed-why"),
                due_on: Some(day("2026-04-01")),
                accepted_on: Some(day("2026-03-02")),
                case_director_id: Some(&director),
            },
        )
    })
    .await
    .unwrap();
    let (moved, events) = read(db, &id).await;
    assert_eq!(moved.status.code(), "accepted");
    assert_eq!(moved.due_on, Some(day("2026-04-01")));
    assert_eq!(moved.accepted_on, Some(day("2026-03-02")));
    assert_eq!(moved.case_director_id.as_deref(), Some(s.director.as_str()));
    assert!(moved.updated_at >= r.updated_at);
    assert_eq!(events.len(), 2);
    assert_eq!(
        (events[1].0.map(Status::code), events[1].1.code()),
        (Some("requested"), "accepted")
    );
    assert_eq!(
        (events[1].2.as_str(), events[1].3.as_deref()),
        ("Collega", Some("sealed-why"))
    );

    // A second, concurrent decision made from the old status finds it moved.
    let (i, actor) = (id.clone(), s.colleague.clone());
    let late = db
        .write(move |c| {
            refs::apply_move(
                c,
                &i,
                &Move {
                    from: Status::Requested,
                    to: Status::Rejected,
                    actor_id: &actor,
                    reason_sealed: None,
                    due_on: None,
                    accepted_on: None,
                    case_director_id: None,
                },
            )
        })
        .await;
    assert!(is_conflict(&late), "{late:?}");
    assert_eq!(read(db, &id).await.0.status.code(), "accepted");
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

async fn a_receiver_never_lists_a_draft(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let s = scene(db).await;
    let (p, tm, sp) = (s.practice.as_str(), s.team.as_str(), s.specialist.as_str());
    let cd = Some(s.director.as_str());
    let other_cd = Some(s.colleague.as_str());
    let draft_late = refer(db, &s, (p, tm), "draft", Some("2026-03-01"), None).await;
    let late = refer(db, &s, (p, tm), "requested", Some("2026-03-05"), None).await;
    let new_undated = refer(db, &s, (p, tm), "requested", None, None).await;
    let pick_up = refer(db, &s, (p, tm), "received", Some("2026-03-11"), None).await;
    let mine_a = refer(db, &s, (p, tm), "accepted", Some("2026-03-20"), cd).await;
    let mine_b = refer(db, &s, (p, tm), "in-progress", None, cd).await;
    let theirs = refer(db, &s, (p, tm), "on-hold", Some("2026-03-25"), other_cd).await;
    let draft_soon = refer(db, &s, (p, tm), "draft", Some("2026-03-11"), cd).await;
    let onward_draft = refer(db, &s, (tm, sp), "draft", None, None).await;
    let onward = refer(db, &s, (tm, sp), "requested", Some("2026-03-30"), None).await;
    let drafts = [&draft_late, &draft_soon, &onward_draft];

    let list = |f: Filter| {
        let db = db.clone();
        async move {
            db.read(move |c| refs::list(c, &Filter { limit: 50, ..f }))
                .await
                .unwrap()
                .into_iter()
                .map(|l| l.r.id.into_inner())
                .collect::<Vec<_>>()
        }
    };
    let to = |orgs: &[&str]| Filter {
        to_orgs: orgs.iter().map(|o| o.to_string()).collect(),
        ..Filter::default()
    };
    let received = list(to(&[tm])).await;
    assert_eq!(
        sorted(received),
        sorted(vec![
            late.clone(),
            new_undated.clone(),
            pick_up.clone(),
            mine_a.clone(),
            mine_b.clone(),
            theirs.clone()
        ])
    );
    let asked_for_drafts = list(Filter {
        statuses: vec![Status::Draft],
        ..to(&[tm])
    })
    .await;
    assert!(asked_for_drafts.is_empty(), "{asked_for_drafts:?}");
    let both = list(to(&[tm, sp])).await;
    assert_eq!(both.len(), 7);
    assert!(both.contains(&onward) && !drafts.iter().any(|d| both.contains(*d)));
    // The referrer's own lists do hold its drafts.
    let sent = list(Filter {
        from_orgs: vec![p.to_owned()],
        ..Filter::default()
    })
    .await;
    assert_eq!(sent.len(), 8);
    assert!(sent.contains(&draft_late) && sent.contains(&draft_soon));
    let either = list(Filter {
        from_orgs: vec![tm.to_owned()],
        ..to(&[tm])
    })
    .await;
    assert_eq!(
        either.len(),
        8,
        "the team's own referrals and what it received"
    );
    assert!(either.contains(&onward_draft));
    assert!(!either.contains(&draft_late) && !either.contains(&draft_soon));

    // The inbox overview of the team (one statement on PostgreSQL, one query per section
    // on SQLite) holds exactly what each section's own list holds, and no draft.
    let queue = |f: Filter| Filter {
        by_due: true,
        limit: 50,
        ..f
    };
    let filters = vec![
        queue(Filter {
            due_before: Some(day("2026-03-09")),
            ..to(&[tm])
        }),
        queue(Filter {
            statuses: vec![Status::Requested],
            ..to(&[tm])
        }),
        queue(Filter {
            statuses: vec![Status::Received],
            ..to(&[tm])
        }),
        queue(Filter {
            due_after: Some(day("2026-03-10")),
            due_before: Some(day("2026-03-12")),
            ..to(&[tm])
        }),
        queue(Filter {
            statuses: vec![Status::Accepted, Status::InProgress, Status::OnHold],
            case_director: Some(s.director.clone()),
            ..to(&[tm])
        }),
        Filter {
            from_orgs: vec![tm.to_owned()],
            limit: 50,
            ..Filter::default()
        },
    ];
    let expected = [
        vec![late.clone()],
        vec![late.clone(), new_undated.clone()],
        vec![pick_up.clone()],
        vec![pick_up.clone()],
        vec![mine_a.clone(), mine_b.clone()],
        vec![onward.clone(), onward_draft.clone()],
    ];
    let fs = filters.clone();
    let sections = db
        .read(move |c| refs::list_sections(c, &fs, 10))
        .await
        .unwrap();
    assert_eq!(sections.len(), filters.len());
    for (i, ((count, rows), f)) in sections.into_iter().zip(filters).enumerate() {
        let ids: Vec<String> = rows.into_iter().map(|l| l.r.id.into_inner()).collect();
        assert_eq!(count, ids.len(), "section {i}");
        assert_eq!(
            sorted(ids.clone()),
            sorted(expected[i].clone()),
            "section {i}"
        );
        assert_eq!(ids, list(f).await, "section {i} is ordered as its own list");
        if i < 5 {
            assert!(!drafts.iter().any(|d| ids.contains(*d)), "section {i}");
        }
    }
    // Sent: newest first on both engines.
    let sent_by_team = list(Filter {
        from_orgs: vec![tm.to_owned()],
        ..Filter::default()
    })
    .await;
    assert_eq!(sent_by_team, vec![onward, onward_draft]);
}

fn rules(accept_days: u32) -> Agreements {
    Agreements {
        accept_days,
        ..Agreements::default()
    }
}

async fn the_agreements_in_force_are_the_latest_from_before_the_day(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let s = scene(db).await;
    let by = s.referrer.clone();
    let ids = db
        .write(move |c| {
            // Stored out of date order on purpose.
            [("2026-03-01", 7), ("2026-01-01", 5), ("2026-06-01", 9)]
                .iter()
                .map(|(from, days)| {
                    refs::insert_agreements(
                        c,
                        &NewAgreements {
                            gemeente_code: "GM9999",
                            effective_from: day(from),
                            rules: &rules(*days),
                            note: Some("versie"),
                            created_by: &by,
                        },
                    )
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .unwrap();
    let (march, january, june) = (ids[0].clone(), ids[1].clone(), ids[2].clone());

    let days = [
        ("2025-12-31", None),
        ("2026-01-01", Some(&january)),
        ("2026-02-28", Some(&january)),
        ("2026-03-01", Some(&march)),
        ("2026-05-31", Some(&march)),
        ("2026-06-01", Some(&june)),
        ("2030-01-01", Some(&june)),
    ];
    for (on, want) in days {
        let found = db
            .read(move |c| refs::agreements_in_force(c, "GM9999", day(on)))
            .await
            .unwrap();
        assert_eq!(
            found.map(|a| a.id.to_string()).as_ref(),
            want,
            "in force on {on}"
        );
    }
    let elsewhere = db
        .read(|c| refs::agreements_in_force(c, "GM0001", day("2030-01-01")))
        .await
        .unwrap();
    assert!(elsewhere.is_none(), "another municipality set nothing");

    let (versions, one) = db
        .read(move |c| {
            Ok((
                refs::agreement_versions(c, "GM9999")?,
                refs::agreements(c, &march)?,
            ))
        })
        .await
        .unwrap();
    let order: Vec<String> = versions
        .iter()
        .map(|v| v.effective_from.to_string())
        .collect();
    assert_eq!(
        order,
        vec!["2026-06-01", "2026-03-01", "2026-01-01"],
        "newest first"
    );
    let one = one.unwrap();
    assert_eq!((one.accept_days, one.consultation_days), (7, 2));
    assert_eq!(one.note.as_deref(), Some("versie"));
    assert_eq!(one.created_by, s.referrer);

    // A version is never rewritten: a second one for the same day is refused.
    let by = s.referrer.clone();
    let again = db
        .write(move |c| {
            refs::insert_agreements(
                c,
                &NewAgreements {
                    gemeente_code: "GM9999",
                    effective_from: day("2026-03-01"),
                    rules: &rules(3),
                    note: None,
                    created_by: &by,
                },
            )
        })
        .await;
    assert!(is_conflict(&again), "{again:?}");
    let still = db
        .read(|c| refs::agreements_in_force(c, "GM9999", day("2026-03-01")))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.accept_days, 7);
}

/// A row changed by hand (an urgency or a status that is none) is an error when read,
/// never a referral that passes for a regular one or a draft.
async fn a_stored_code_that_is_none_fails_the_read(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let s = scene(db).await;
    for (column, value) in [("urgency", "heel-snel"), ("status", "kwijt")] {
        let id = refer(
            db,
            &s,
            (s.practice.as_str(), s.team.as_str()),
            "requested",
            None,
            None,
        )
        .await;
        let sql = format!("UPDATE referrals SET {column} = '{value}' WHERE id = '{id}'");
        let (before, after) = db
            .write(move |c| {
                use diesel::RunQueryDsl;
                let before = refs::find(c, &id).is_ok();
                diesel::sql_query(&sql).execute(c)?;
                Ok((before, refs::find(c, &id).is_err()))
            })
            .await
            .unwrap();
        assert!(
            before && after,
            "{column} = {value}: read before {before}, fails after {after}"
        );
    }
}
