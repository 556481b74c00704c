//! A question asked, answered and assigned, and the queue's overdue and due-soon marks.

use super::{ask, world};
use crate::common::*;

on_both_backends!(
    a_gp_asks_the_team_and_hears_back,
    a_team_leader_assigns_a_question,
    the_queue_marks_overdue_and_due_soon,
);

async fn a_gp_asks_the_team_and_hears_back(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let form = fetch_page(&app, &gp, "/overleg/nieuw").await;
    assert!(form.contains("Sociaal Team Voorbeeld") && form.contains("anoniem"));

    // A BSN-shaped number is refused, and nothing is sent.
    let resp = ask(
        &app,
        &gp,
        &w.team,
        "Meisje 9 jaar slaapt slecht",
        "BSN 111222333, wat kunnen we doen?",
    )
    .await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("Dit lijkt een BSN."));
    // However it is written.
    for written in [
        "bsn 111  222  333",
        "bsn 111/222/333",
        "bsn 111_222_333",
        "bsn １１１２２２３３３",
        "bsn\n111\n222\n333",
        "een een een twee twee twee drie drie drie",
    ] {
        let resp = ask(&app, &gp, &w.team, "Meisje 9 jaar slaapt slecht", written).await;
        assert_eq!(resp.status(), 422, "{written:?}");
    }
    let resp = ask(&app, &gp, &w.team, "", "Vraag zonder onderwerp").await;
    assert_eq!(resp.status(), 422);

    let resp = ask(
        &app,
        &gp,
        &w.team,
        "Meisje 9 jaar slaapt slecht sinds scheiding",
        "Moeder vraagt om hulp bij het ritme. Past opvoedondersteuning of eerst een gesprek?",
    )
    .await;
    assert_eq!(resp.status(), 303);
    let thread = location(&resp);
    let id = thread.trim_start_matches("/overleg/").to_owned();
    // Stored encrypted; due in two working days.
    let cid = id.clone();
    let row = app
        .db
        .read(move |c| rondom_db::consultations::find(c, &cid))
        .await
        .unwrap()
        .unwrap();
    assert!(
        !row.subject_sealed.contains("Meisje"),
        "the subject is encrypted at rest"
    );
    let today = rondom_web::format::to_local(rondom_db::now()).date();
    assert_eq!(
        row.due_on,
        rondom_domain::workdays::add_working_days(today, 2)
    );

    // A message refused (here: a BSN in it) shows the thread again, and that look is
    // logged like the first.
    let looks = || async {
        app.audit()
            .await
            .iter()
            .filter(|e| {
                e.action == "consultation_read" && e.object_id.as_deref() == Some(id.as_str())
            })
            .count()
    };
    let before = looks().await;
    let csrf = csrf_of(&app, &gp).await;
    let r = gp
        .post(app.url(&format!("{thread}/bericht")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("bericht", "Haar BSN is 111222333"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Meisje 9 jaar slaapt slecht")
    );
    assert_eq!(
        looks().await,
        before + 1,
        "the thread shown again is logged"
    );

    // The consultant finds it in the queue, picks it up and answers.
    let sanne = logged_in(&app, "sanne@team.example").await;
    let queue = fetch_page(&app, &sanne, "/overleg").await;
    assert!(
        queue.contains("Meisje 9 jaar slaapt slecht sinds scheiding"),
        "{queue}"
    );
    let csrf = csrf_of(&app, &sanne).await;
    let r = sanne
        .post(app.url(&format!("{thread}/oppakken")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = sanne
        .post(app.url(&format!("{thread}/bericht")))
        .form(&[
            ("csrf", csrf.as_str()),
            (
                "bericht",
                "Eerst een gesprek met de consulent; daarna zo nodig opvoedondersteuning.",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // The GP is told: in Rondom, and by e-mail without content.
    let mails = app.smtp.wait_for(1).await;
    assert_eq!(mails[0].to, vec!["arts@linde.example".to_owned()]);
    assert!(
        smtp::link_in(&mails[0]).is_some_and(|l| l.ends_with(&format!("/overleg/{id}"))),
        "the mail links to the question"
    );
    assert!(
        !mails[0].data.contains("Meisje") && !mails[0].data.contains("gesprek met de consulent")
    );
    let list = fetch_page(&app, &gp, "/overleg").await;
    assert!(list.contains("Het sociaal team heeft uw overlegvraag beantwoord."));
    let page = fetch_page(&app, &gp, &thread).await;
    assert!(page.contains("Eerst een gesprek met de consulent") && page.contains("beantwoord"));
    // Reading the answer reads the notice.
    let list = fetch_page(&app, &gp, "/overleg").await;
    assert!(!list.contains("Het sociaal team heeft uw overlegvraag beantwoord."));
    let actions: Vec<String> = app.audit().await.into_iter().map(|e| e.action).collect();
    for a in [
        "consultation_create",
        "consultation_read",
        "consultation_pick_up",
        "consultation_message",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} is in the audit log");
    }
    // The asker cannot pick up their own question; the refusal is logged like any.
    let gp_csrf = csrf_of(&app, &gp).await;
    let r = gp
        .post(app.url(&format!("{thread}/oppakken")))
        .form(&[("csrf", gp_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        app.audit()
            .await
            .iter()
            .any(|e| e.action == "consultation_pick_up"
                && e.outcome == "denied"
                && e.object_id.as_deref() == Some(id.as_str())),
        "the refused pick-up is in the audit log"
    );
    // A second "oppakken" (a replayed form, an old tab) does not reopen the answer.
    let r = sanne
        .post(app.url(&format!("{thread}/oppakken")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let page = fetch_page(&app, &gp, &thread).await;
    assert!(
        page.contains("beantwoord") && !page.contains("opgepakt"),
        "{page}"
    );
    // The GP closes it; the team cannot write any more.
    let gcsrf = csrf_of(&app, &gp).await;
    let r = gp
        .post(app.url(&format!("{thread}/afsluiten")))
        .form(&[("csrf", gcsrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = sanne
        .post(app.url(&format!("{thread}/bericht")))
        .form(&[("csrf", csrf.as_str()), ("bericht", "Nog iets")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    app.stop().await;
}

async fn a_team_leader_assigns_a_question(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    app.user("leider@team.example", Some(&w.team), &["teamleider"])
        .await;
    let other_team = app.org("Sociaal Team Elders", "sociaal_team").await;
    let stranger = app
        .user("piet@elders.example", Some(&other_team), &["consulent"])
        .await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let resp = ask(
        &app,
        &gp,
        &w.team,
        "Meisje 5 jaar, angstig",
        "Slaapt niet alleen, ouders radeloos.",
    )
    .await;
    let thread = location(&resp);
    let sanne_id = {
        let t = w.team.clone();
        app.db
            .read(move |c| rondom_db::organisations::members(c, &t))
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.role == rondom_domain::Role::Consulent)
            .unwrap()
            .user_id
    };
    let leader = logged_in(&app, "leider@team.example").await;
    let page = fetch_page(&app, &leader, &thread).await;
    assert!(page.contains("Toewijzen aan") && page.contains("Test sanne"));
    let csrf = csrf_of(&app, &leader).await;
    // Not to someone outside the team.
    let r = leader
        .post(app.url(&format!("{thread}/toewijzen")))
        .form(&[("csrf", csrf.as_str()), ("consulent", stranger.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = leader
        .post(app.url(&format!("{thread}/toewijzen")))
        .form(&[("csrf", csrf.as_str()), ("consulent", sanne_id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // Sanne finds it as hers, with a notice.
    let sanne = logged_in(&app, "sanne@team.example").await;
    let queue = fetch_page(&app, &sanne, "/overleg").await;
    assert!(queue.contains("Er is een overlegvraag aan u toegewezen."));
    let mine = queue.split("Door mij opgepakt").nth(1).unwrap_or("");
    assert!(
        mine.split("Door collega")
            .next()
            .unwrap_or("")
            .contains("Meisje 5 jaar, angstig"),
        "{queue}"
    );
    // The GP cannot assign.
    let gcsrf = csrf_of(&app, &gp).await;
    let r = gp
        .post(app.url(&format!("{thread}/toewijzen")))
        .form(&[("csrf", gcsrf.as_str()), ("consulent", sanne_id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        app.audit()
            .await
            .iter()
            .any(|e| e.action == "consultation_assign")
    );
    app.stop().await;
}

async fn the_queue_marks_overdue_and_due_soon(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let today = rondom_web::format::to_local(rondom_db::now()).date();
    let soon = rondom_domain::workdays::add_working_days(today, 1);
    let late = today - chrono::Duration::days(3);
    let key = app.config.secret_key.clone();
    let secrets = rondom_app::secrets::SecretBox::new(&key).unwrap();
    let asker = {
        let p = w.practice.clone();
        app.db
            .read(move |c| rondom_db::organisations::members(c, &p))
            .await
            .unwrap()[0]
            .user_id
            .clone()
    };
    for (subject, due) in [("Vraag met haast", soon), ("Vraag die te laat is", late)] {
        let (p, t, a) = (w.practice.clone(), w.team.clone(), asker.clone());
        let (s, q) = (
            secrets.seal(subject).unwrap(),
            secrets.seal("Tekst").unwrap(),
        );
        app.db
            .write(move |c| {
                rondom_db::consultations::create(
                    c,
                    &rondom_db::consultations::NewConsultation {
                        practice_id: &p,
                        team_id: &t,
                        asker_id: &a,
                        subject_sealed: &s,
                        question_sealed: &q,
                        due_on: due,
                    },
                )
            })
            .await
            .unwrap();
    }
    let sanne = logged_in(&app, "sanne@team.example").await;
    let queue = fetch_page(&app, &sanne, "/overleg").await;
    let row = |subject: &str| {
        queue
            .split("<tr")
            .find(|r| r.contains(subject))
            .unwrap_or("")
            .to_owned()
    };
    assert!(row("Vraag met haast").contains("binnenkort"), "{queue}");
    assert!(row("Vraag die te laat is").contains("te laat"));
    assert!(!row("Vraag met haast").contains("te laat"));
    // The late one comes first.
    let late_at = queue.find("Vraag die te laat is").unwrap();
    let soon_at = queue.find("Vraag met haast").unwrap();
    assert!(late_at < soon_at, "overdue questions are listed first");
    app.stop().await;
}
