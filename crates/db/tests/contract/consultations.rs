//! Consultations (overleg) and in-app notifications.

use crate::support::{Engine, TestDb, day, member, org};
use rondom_db::consultations::{self as cons, NewConsultation};
use rondom_db::{DbError, directory};
use rondom_domain::OrganisationKind;
use rondom_domain::consultation::Status;

on_both_engines!(
    a_consultation_is_asked_picked_up_and_answered,
    notifications_are_unread_until_their_page_is_read,
);

async fn a_consultation_is_asked_picked_up_and_answered(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let practice = org(db, "Praktijk", OrganisationKind::Huisartsenpraktijk)
        .await
        .id;
    let team = org(db, "Sociaal Team", OrganisationKind::SociaalTeam)
        .await
        .id;
    let other_practice = org(db, "Andere Praktijk", OrganisationKind::Huisartsenpraktijk)
        .await
        .id;
    let asker = member(db, &practice, "poh@test.example", "Poh", "poh").await;
    let answerer = member(db, &team, "c@test.example", "Consulent", "consulent").await;

    // The team can be asked once its link with the practice is in force.
    let (p, tm, a) = (practice.clone(), team.clone(), answerer.clone());
    let link = db
        .write(move |c| directory::propose_link(c, &p, &tm, &a, false))
        .await
        .unwrap();
    let p = practice.clone();
    let before = db
        .read(move |c| cons::teams_of_practice(c, &p))
        .await
        .unwrap();
    assert!(before.is_empty(), "a proposal is not in force");
    let (l, p, by) = (link.clone(), practice.clone(), asker.clone());
    assert!(
        db.write(move |c| directory::accept_link(c, &l, &p, &by))
            .await
            .unwrap()
    );
    let p = practice.clone();
    let after = db
        .read(move |c| cons::teams_of_practice(c, &p))
        .await
        .unwrap();
    assert_eq!(after, vec![(team.to_string(), "Sociaal Team".to_owned())]);

    let (p, tm, a) = (practice.clone(), team.clone(), asker.clone());
    let id = db
        .write(move |c| {
            cons::create(
                c,
                &NewConsultation {
                    practice_id: &p,
                    team_id: &tm,
                    asker_id: &a,
                    subject_sealed: "sealed-subject",
                    question_sealed: "sealed-question",
                    due_on: day("2026-03-04"),
                },
            )
        })
        .await
        .unwrap();
    let i = id.clone();
    let (made, messages) = db
        .read(move |c| Ok((cons::find(c, &i)?.unwrap(), cons::messages(c, &i)?)))
        .await
        .unwrap();
    assert_eq!(made.status.code(), "open");
    assert_eq!(made.subject_sealed, "sealed-subject");
    assert_eq!(made.due_on, day("2026-03-04"));
    assert_eq!(
        (made.assignee_id.as_deref(), made.answered_at),
        (None, None)
    );
    assert_eq!(made.created_at, made.updated_at);
    assert_eq!(messages.len(), 1);
    assert_eq!(
        (
            messages[0].0.as_str(),
            messages[0].1.as_str(),
            messages[0].2.as_str()
        ),
        (asker.as_str(), "Poh", "sealed-question")
    );

    let (i, a) = (id.clone(), answerer.clone());
    db.write(move |c| cons::set_status(c, &i, Status::PickedUp, Some(&a), false))
        .await
        .unwrap();
    let i = id.clone();
    let picked = db.read(move |c| cons::find(c, &i)).await.unwrap().unwrap();
    assert_eq!(picked.status.code(), "picked_up");
    assert_eq!(picked.assignee_id.as_deref(), Some(answerer.as_str()));
    assert_eq!(picked.answered_at, None);

    let (i, a) = (id.clone(), answerer.clone());
    db.write(move |c| {
        cons::add_message(c, &i, &a, "sealed-answer")?;
        cons::set_status(c, &i, Status::Answered, None, true)
    })
    .await
    .unwrap();
    let i = id.clone();
    let (answered, messages) = db
        .read(move |c| Ok((cons::find(c, &i)?.unwrap(), cons::messages(c, &i)?)))
        .await
        .unwrap();
    assert_eq!(answered.status.code(), "answered");
    assert_eq!(
        answered.assignee_id.as_deref(),
        Some(answerer.as_str()),
        "kept"
    );
    assert!(answered.answered_at.is_some());
    assert_eq!(answered.answered_at, Some(answered.updated_at));
    let bodies: Vec<&str> = messages.iter().map(|m| m.2.as_str()).collect();
    assert_eq!(
        bodies,
        vec!["sealed-question", "sealed-answer"],
        "oldest first"
    );
    let missing = db
        .write(|c| cons::set_status(c, "no-such-consultation", Status::Closed, None, false))
        .await;
    assert!(matches!(missing, Err(DbError::NotFound)), "{missing:?}");

    // Both sides list it, with the names; an unrelated practice does not.
    let (p, tm, o) = (practice.clone(), team.clone(), other_practice.clone());
    let (asking, answering, unrelated) = db
        .read(move |c| {
            Ok((
                cons::list(c, &[p.into()], &[], 10)?,
                cons::list(c, &[], &[tm.into()], 10)?,
                cons::list(c, &[o.into()], &[], 10)?,
            ))
        })
        .await
        .unwrap();
    for listed in [&asking, &answering] {
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].c.id, id);
        assert_eq!(listed[0].practice_name, "Praktijk");
        assert_eq!(listed[0].team_name, "Sociaal Team");
        assert_eq!(listed[0].asker_name, "Poh");
        assert_eq!(listed[0].assignee_name.as_deref(), Some("Consulent"));
    }
    assert!(unrelated.is_empty());
}

async fn notifications_are_unread_until_their_page_is_read(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let o = org(db, "Praktijk", OrganisationKind::Huisartsenpraktijk)
        .await
        .id;
    let me = member(db, &o, "ik@test.example", "Ik", "huisarts").await;
    let other = member(db, &o, "jij@test.example", "Jij", "huisarts").await;
    for (who, text, link) in [
        (&me, "Eerste", "/overleg/1"),
        (&me, "Tweede", "/overleg/2"),
        (&other, "Voor een ander", "/overleg/1"),
    ] {
        let (who, text, link) = (who.clone(), text.to_owned(), link.to_owned());
        db.write(move |c| cons::notify(c, &who, &text, &link))
            .await
            .unwrap();
    }
    let unread = |user: &str| {
        let (db, user) = (db.clone(), user.to_owned());
        async move {
            db.read(move |c| cons::unread(c, &user))
                .await
                .unwrap()
                .into_iter()
                .map(|(_, text, link, _)| (text, link))
                .collect::<Vec<_>>()
        }
    };
    let pair = |t: &str, l: &str| (t.to_owned(), l.to_owned());
    assert_eq!(
        unread(&me).await,
        vec![pair("Tweede", "/overleg/2"), pair("Eerste", "/overleg/1")],
        "newest first"
    );

    let m = me.clone();
    db.write(move |c| cons::mark_read(c, &m, "/overleg/1"))
        .await
        .unwrap();
    assert_eq!(unread(&me).await, vec![pair("Tweede", "/overleg/2")]);
    assert_eq!(
        unread(&other).await,
        vec![pair("Voor een ander", "/overleg/1")],
        "someone else's notice stays unread"
    );
    // Reading again changes nothing.
    let m = me.clone();
    db.write(move |c| cons::mark_read(c, &m, "/overleg/1"))
        .await
        .unwrap();
    assert_eq!(unread(&me).await.len(), 1);

    // At most twenty are shown.
    let m = me.clone();
    db.write(move |c| {
        for i in 0..25 {
            cons::notify(c, &m, &format!("Bericht {i}"), &format!("/verwijzing/{i}"))?;
        }
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(unread(&me).await.len(), 20);
}
