//! Consultation (overleg, issue 4): a GP asks the linked social team anonymously, a
//! consultant picks it up and answers, the GP is told without content; outsiders get
//! nothing.

use crate::common::*;
use rondom_db::directory;

on_both_backends!(
    a_gp_asks_the_team_and_hears_back,
    outsiders_get_nothing,
    the_api_asks_lists_and_reads_with_the_same_checks,
    a_team_leader_assigns_a_question,
    the_queue_marks_overdue_and_due_soon,
    every_answer_that_shows_a_question_is_logged,
);

struct World {
    practice: String,
    team: String,
}

async fn world(app: &TestApp) -> World {
    let practice = app
        .org("Huisartsenpraktijk De Linde", "huisartsenpraktijk")
        .await;
    let team = app.org("Sociaal Team Voorbeeld", "sociaal_team").await;
    app.user("arts@linde.example", Some(&practice), &["huisarts"])
        .await;
    let sanne = app
        .user("sanne@team.example", Some(&team), &["consulent"])
        .await;
    let (p, t) = (practice.clone(), team.clone());
    app.db
        .write(move |c| directory::link_consultant(c, &p, &t, &sanne).map(|_| ()))
        .await
        .unwrap();
    World { practice, team }
}

async fn ask(
    app: &TestApp,
    gp: &reqwest::Client,
    team: &str,
    subject: &str,
    question: &str,
) -> reqwest::Response {
    let csrf = csrf_of(app, gp).await;
    gp.post(app.url("/overleg/nieuw"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("team", team),
            ("onderwerp", subject),
            ("vraag", question),
        ])
        .send()
        .await
        .unwrap()
}

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

async fn outsiders_get_nothing(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let other_practice = app
        .org("Gezondheidscentrum Noord", "huisartsenpraktijk")
        .await;
    app.user("arts@noord.example", Some(&other_practice), &["huisarts"])
        .await;
    let other_team = app.org("Sociaal Team Elders", "sociaal_team").await;
    app.user("piet@elders.example", Some(&other_team), &["consulent"])
        .await;
    let provider = app.org("Jeugd-GGZ Horizon", "zorgaanbieder").await;
    app.user(
        "zorg@horizon.example",
        Some(&provider),
        &["zorgaanbieder_medewerker"],
    )
    .await;
    app.user(
        "beheer@linde.example",
        Some(&w.practice),
        &["organisatiebeheerder"],
    )
    .await;

    let gp = logged_in(&app, "arts@linde.example").await;
    let resp = ask(
        &app,
        &gp,
        &w.team,
        "Jongen 14 jaar spijbelt",
        "Wat is de route via leerplicht?",
    )
    .await;
    let thread = location(&resp);

    let mut noord = None;
    for email in [
        "arts@noord.example",
        "piet@elders.example",
        "zorg@horizon.example",
        "beheer@linde.example",
    ] {
        let c = logged_in(&app, email).await;
        let r = c.get(app.url(&thread)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{email} gets nothing");
        // A list of their own questions, or a refusal: either way not this one.
        let (status, list) = fetch_any(&app, &c, "/overleg").await;
        assert!(
            matches!(status, 200 | 403),
            "{email}: /overleg answered {status}"
        );
        assert!(!list.contains("spijbelt"), "{email} does not see it listed");
        let csrf = csrf_of(&app, &c).await;
        let r = c
            .post(app.url(&format!("{thread}/bericht")))
            .form(&[("csrf", csrf.as_str()), ("bericht", "hallo")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{email} cannot write in it");
        if email == "arts@noord.example" {
            noord = Some(c);
        }
    }
    // The other practice's GP cannot ask a team not linked to it.
    let noord = noord.unwrap();
    let r = ask(
        &app,
        &noord,
        &w.team,
        "Vraag",
        "Aan een team dat niet van ons is",
    )
    .await;
    assert_eq!(r.status(), 422);
    let log = app.audit().await;
    let denied = |action: &str| {
        log.iter()
            .filter(|e| e.action == action && e.outcome == "denied")
            .count()
    };
    // Looks and tried changes, each logged as what it was.
    assert!(
        denied("consultation_read") >= 4 && denied("consultation_update") >= 4,
        "every refusal is logged ({} looks, {} changes)",
        denied("consultation_read"),
        denied("consultation_update")
    );
    app.stop().await;
}

async fn the_api_asks_lists_and_reads_with_the_same_checks(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp_id = app
        .user("poh@linde.example", Some(&w.practice), &["poh"])
        .await;
    let gp = app.token_for(&gp_id).await;
    let outsider_org = app
        .org("Gezondheidscentrum Noord", "huisartsenpraktijk")
        .await;
    let outsider_id = app
        .user("arts@noord.example", Some(&outsider_org), &["huisarts"])
        .await;
    let outsider = app.token_for(&outsider_id).await;
    let client = app.client();
    let post = |token: String, body: serde_json::Value| {
        let c = client.clone();
        let url = app.url("/api/v1/consultations");
        async move {
            c.post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    // A BSN is refused with the field named; nothing is stored.
    let r = post(
        gp.clone(),
        serde_json::json!({"team_id": w.team, "subject": "Jongen 12", "question": "BSN 111222333"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let err: serde_json::Value = r.json().await.unwrap();
    assert_eq!(err["error"]["fields"][0]["field"], "question");
    let r = post(gp.clone(), serde_json::json!({"team_id": w.team, "subject": "Jongen 12, pesten op school", "question": "Wat kan het team doen?"})).await;
    assert_eq!(r.status(), 201);
    let created: serde_json::Value = r.json().await.unwrap();
    let id = created["consultation"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["consultation"]["status"], "open");
    assert_eq!(created["messages"][0]["body"], "Wat kan het team doen?");
    // Listed for the practice, with filters; a bad filter is a structured error.
    let list: serde_json::Value = client
        .get(app.url("/api/v1/consultations?status=open"))
        .bearer_auth(&gp)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let r = client
        .get(app.url("/api/v1/consultations?due_before=morgen"))
        .bearer_auth(&gp)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // Another practice: not listed, 404 on the id, and may not ask this team.
    let theirs: serde_json::Value = client
        .get(app.url("/api/v1/consultations"))
        .bearer_auth(&outsider)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(theirs.as_array().unwrap().is_empty());
    let r = client
        .get(app.url(&format!("/api/v1/consultations/{id}")))
        .bearer_auth(&outsider)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = post(
        outsider.clone(),
        serde_json::json!({"team_id": w.team, "subject": "Vraag", "question": "Vraag"}),
    )
    .await;
    assert_eq!(r.status(), 422, "the team is not linked to that practice");
    // The OpenAPI document describes it.
    let doc: serde_json::Value = client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/consultations"]["post"].is_object());
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
    let key = app.config.web.secret_key.clone();
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

/// Every page and API answer that opens a question (its subject and messages) leaves its
/// look in the audit log, the thread shown again after a refused message or a refused
/// hand-over and the referral form filled from the question included: each request below
/// adds exactly one `consultation_read` for this question.
async fn every_answer_that_shows_a_question_is_logged(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let subject = "Jongen 12 jaar, woedeaanvallen thuis";
    let resp = ask(
        &app,
        &gp,
        &w.team,
        subject,
        "Ouders zijn op. Wat kan het team doen?",
    )
    .await;
    assert_eq!(resp.status(), 303);
    let thread = location(&resp);
    let id = thread.trim_start_matches("/overleg/").to_owned();
    let sanne = logged_in(&app, "sanne@team.example").await;
    let token = app
        .token_for(&app.user_id("arts@linde.example").await)
        .await;
    let looks = || {
        let (app, id) = (&app, id.clone());
        async move {
            app.audit()
                .await
                .iter()
                .filter(|e| {
                    e.action == "consultation_read"
                        && e.outcome == "allowed"
                        && e.object_id.as_deref() == Some(id.as_str())
                })
                .count()
        }
    };
    let post =
        |client: &reqwest::Client, path: String, field: &'static str, value: &'static str| {
            let (app, client) = (&app, client.clone());
            async move {
                let csrf = csrf_of(app, &client).await;
                client
                    .post(app.url(&path))
                    .form(&[("csrf", csrf.as_str()), (field, value)])
                    .send()
                    .await
                    .unwrap()
            }
        };
    // (what, expected status, response)
    let mut checked = Vec::new();
    macro_rules! seen {
        ($what:expr, $status:expr, $resp:expr) => {{
            let before = looks().await;
            let r = $resp;
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            assert_eq!(status, $status, "{}: {body}", $what);
            assert!(
                body.contains("woedeaanvallen"),
                "{} shows the question",
                $what
            );
            checked.push(($what, looks().await - before));
        }};
    }
    seen!(
        "the thread",
        200,
        gp.get(app.url(&thread)).send().await.unwrap()
    );
    seen!(
        "an empty message shown again",
        422,
        post(&gp, format!("{thread}/bericht"), "bericht", "").await
    );
    seen!(
        "a hand-over to a stranger shown again",
        422,
        post(
            &sanne,
            format!("{thread}/toewijzen"),
            "consulent",
            "0192f0c4-7a1e-7c3b-9d2e-5f6a7b8c9d0e"
        )
        .await
    );
    seen!(
        "the referral form filled from it",
        200,
        gp.get(app.url(&format!("/verwijzingen/nieuw?overleg={id}")))
            .send()
            .await
            .unwrap()
    );
    seen!(
        "the API",
        200,
        app.client()
            .get(app.url(&format!("/api/v1/consultations/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
    );
    for (what, n) in &checked {
        assert_eq!(*n, 1, "{what} is in the audit log once");
    }
    app.stop().await;
}
