//! The start page is the work of today: what is new, late, due today and waits, each in
//! one place and nothing new hidden; news told once and saying what it is about; a team
//! leader's caseload and waiting list; nobody else's children.

use super::{child_fields, post, world};
use crate::common::*;

on_both_backends!(
    the_start_page_shows_each_referral_once_and_every_new_one,
    news_says_what_it_is_about_and_comes_once,
    a_team_leader_sees_caseload_and_waiting_list,
);

/// The part of the start page under `id`, up to its end.
fn part<'p>(page: &'p str, id: &str) -> &'p str {
    page.split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .unwrap_or("")
}

async fn refer(app: &TestApp, gp: &reqwest::Client, team: &str, name: &str) -> String {
    let doel = format!("team:{team}");
    let mut fields = child_fields(&doel);
    fields.retain(|(k, _)| *k != "naam");
    fields.push(("naam", name));
    let r = post(app, gp, "/verwijzingen/nieuw", &fields).await;
    assert_eq!(r.status(), 303);
    location_path(&r)
        .trim_start_matches("/verwijzingen/")
        .to_owned()
}

async fn set_due(app: &TestApp, id: &str, due: chrono::NaiveDate) {
    let id = id.to_owned();
    app.db
        .write(move |c| {
            use diesel::prelude::*;
            use rondom_db::schema::referrals;
            diesel::update(referrals::table.find(&id))
                .set(referrals::due_on.eq(Some(due)))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
}

async fn the_start_page_shows_each_referral_once_and_every_new_one(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let names = [
        "Anna Alberts",
        "Bram Bos",
        "Cas Claassen",
        "Dewi Dekker",
        "Eva Eerens",
        "Finn Faber",
        "Gijs Gerrits",
    ];
    let mut ids = Vec::new();
    for n in names {
        ids.push(refer(&app, &gp, &w.team, n).await);
    }
    let today = rondom_web::format::today();
    // One is late; it is new too, but it shows as late only.
    set_due(&app, &ids[0], today - chrono::Duration::days(3)).await;

    let sanne = logged_in(&app, "sanne@team.example").await;
    let page = fetch_page(&app, &sanne, "/").await;
    let late = part(&page, "te_laat");
    let new = part(&page, "nieuw");
    assert!(
        late.contains("Anna Alberts") && !new.contains("Anna Alberts"),
        "{page}"
    );
    for n in &names[1..] {
        assert!(new.contains(n), "every new referral shows, {n} too");
    }
    assert!(
        page.contains("<strong>1</strong> Te laat") && page.contains("<strong>6</strong> Nieuw")
    );

    // Opened, it waits to be accepted: it moves, and is still shown once.
    fetch_page(&app, &sanne, &format!("/verwijzingen/{}", ids[1])).await;
    let page = fetch_page(&app, &sanne, "/").await;
    assert!(part(&page, "op_te_pakken").contains("Bram Bos"));
    assert_eq!(page.matches("Bram Bos").count(), 1, "in one section only");
    // Rejected, it no longer waits: the count follows at once.
    let r = post(
        &app,
        &sanne,
        &format!("/verwijzingen/{}/status", ids[1]),
        &[("naar", "rejected"), ("reden", "Past niet bij het team.")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let page = fetch_page(&app, &sanne, "/").await;
    assert!(page.contains("<span class=\"menu-count\">6<"), "{page}");
    assert!(!page.contains("Bram Bos"));

    // The look is logged, naming the children shown.
    let audit = app.audit().await;
    assert!(audit.iter().any(|e| e.action == "referral_list_read"
        && e.actor_name == "Test sanne"
        && e.reason.as_deref().is_some_and(|r| r.contains(&ids[2]))));

    // A GP of another practice sees none of these children.
    let other = app
        .org("Huisartsenpraktijk Elders", "huisartsenpraktijk")
        .await;
    app.user("arts@elders.example", Some(&other), &["huisarts"])
        .await;
    let stranger = logged_in(&app, "arts@elders.example").await;
    let page = fetch_page(&app, &stranger, "/").await;
    for n in names {
        assert!(!page.contains(n), "{n} on a stranger's start page");
    }
    assert!(page.contains("Er wacht nu niets op u."));
    app.stop().await;
}

async fn news_says_what_it_is_about_and_comes_once(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let id = refer(&app, &gp, &w.team, "Noor de Vries").await;
    let sanne = logged_in(&app, "sanne@team.example").await;
    let path = format!("/verwijzingen/{id}");
    let r = post(
        &app,
        &sanne,
        &format!("{path}/status"),
        &[("naar", "accepted"), ("casusregisseur", w.sanne.as_str())],
    )
    .await;
    assert_eq!(r.status(), 303);
    for text in ["Eerste gesprek gepland.", "Tweede gesprek gepland."] {
        let r = post(
            &app,
            &sanne,
            &format!("{path}/terugkoppeling"),
            &[("terugkoppeling", text)],
        )
        .await;
        assert_eq!(r.status(), 303);
    }
    let page = fetch_page(&app, &gp, "/").await;
    let news = part(&page, "nieuws");
    let age = rondom_app::referral::age_on(
        chrono::NaiveDate::from_ymd_opt(2014, 3, 1).unwrap(),
        rondom_web::format::today(),
    );
    assert!(news.contains(&format!("NdV, {age} jaar")), "{news}");
    assert!(!news.contains("Noor de Vries"), "initials, not the name");
    assert_eq!(
        news.matches("<li>").count(),
        2,
        "acceptance once, the two interim reports as one: {news}"
    );
    assert!(news.contains("2 keer"), "{news}");
    // Read, it is gone.
    fetch_page(&app, &gp, &path).await;
    let page = fetch_page(&app, &gp, "/").await;
    assert!(part(&page, "nieuws").is_empty());
    app.stop().await;
}

async fn a_team_leader_sees_caseload_and_waiting_list(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let sanne = logged_in(&app, "sanne@team.example").await;
    let mut ids = Vec::new();
    for n in ["Anna Alberts", "Bram Bos", "Cas Claassen"] {
        let id = refer(&app, &gp, &w.team, n).await;
        let r = post(
            &app,
            &sanne,
            &format!("/verwijzingen/{id}/status"),
            &[("naar", "accepted"), ("casusregisseur", w.sanne.as_str())],
        )
        .await;
        assert_eq!(r.status(), 303);
        ids.push(id);
    }
    // One has started; two wait.
    let r = post(
        &app,
        &sanne,
        &format!("/verwijzingen/{}/status", ids[0]),
        &[("naar", "in-progress")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let leader = logged_in(&app, "leider@team.example").await;
    let page = fetch_page(&app, &leader, "/").await;
    assert!(
        page.contains("Test sanne: <strong>3</strong> casussen"),
        "{page}"
    );
    let waiting = page
        .split("Wachtlijst")
        .nth(1)
        .and_then(|w| w.split("</section>").next())
        .unwrap_or("");
    assert!(
        waiting.contains("Bram Bos") && waiting.contains("Cas Claassen"),
        "{waiting}"
    );
    assert!(!waiting.contains("Anna Alberts"), "started, not waiting");
    assert!(waiting.contains("wacht 0 werkdagen"), "{waiting}");
    // A consultant sees the team's queues, not the team leader's view.
    let page = fetch_page(&app, &sanne, "/").await;
    assert!(!page.contains("Wachtlijst"));
    app.stop().await;
}
