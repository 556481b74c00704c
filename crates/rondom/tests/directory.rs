//! The sociale kaart: "Mijn team" for a general practice.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use rondom_db::directory;

on_both_backends!(a_practice_sees_its_linked_consultant_hours_and_the_overleglijn);

async fn a_practice_sees_its_linked_consultant_hours_and_the_overleglijn(b: Backend) {
    let app = TestApp::start(b).await;
    let practice = app
        .org("Huisartsenpraktijk De Linde", "huisartsenpraktijk")
        .await;
    let other = app
        .org("Gezondheidscentrum Noord", "huisartsenpraktijk")
        .await;
    let team = app.org("Sociaal Team Voorbeeld", "sociaal_team").await;
    let school = app.org("Basisschool De Regenboog", "school").await;
    let consultant = app
        .user("noor.bos@test.example", Some(&team), &["consulent"])
        .await;
    app.user("arts@test.example", Some(&practice), &["huisarts"])
        .await;
    app.user("arts-noord@test.example", Some(&other), &["huisarts"])
        .await;
    app.user("ib@test.example", Some(&school), &["school"])
        .await;
    let (p, t, cid) = (practice.clone(), team.clone(), consultant.clone());
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    app.db
        .write(move |c| {
            directory::set_overleglijn(c, &t, "0345 700 800", "werkdagen 08:30–17:00")?;
            directory::set_phone(c, &cid, "0345 123 456")?;
            let link = directory::link_consultant(c, &p, &t, &cid)?;
            // Every day, all day: "now" is always within the hours, whatever day the test runs.
            for weekday in 1..=7 {
                directory::add_hours(c, &link, weekday, 0, 24 * 60)?;
            }
            directory::add_exception(c, &link, &tomorrow, Some("vakantie"))?;
            Ok(())
        })
        .await
        .unwrap();

    let gp = logged_in(&app, "arts@test.example").await;
    let home = fetch_page(&app, &gp, "/").await;
    assert!(
        home.contains("href=\"/mijn-team\""),
        "Mijn team is in the menu for a practice"
    );
    let page = fetch_page(&app, &gp, "/mijn-team").await;
    assert!(
        page.contains("Test noor.bos"),
        "the linked consultant is shown"
    );
    assert!(page.contains("tel:0345 123 456"));
    assert!(
        page.contains("nu aanwezig"),
        "the consultant is in the practice right now"
    );
    assert!(page.contains("(vakantie)"), "the coming absence is shown");
    assert!(page.contains("Overleglijn Sociaal Team Voorbeeld") && page.contains("0345 700 800"));
    let hours = page
        .split("<ul class=\"hours\">")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .unwrap();
    assert_eq!(
        hours.matches("<li>").count(),
        3,
        "the next three hours are listed"
    );

    // Another practice sees its own (empty) team, not this one.
    let noord = logged_in(&app, "arts-noord@test.example").await;
    let page = fetch_page(&app, &noord, "/mijn-team").await;
    assert!(page.contains("Gezondheidscentrum Noord"));
    assert!(page.contains("Er is nog geen consulent aan deze praktijk gekoppeld"));
    assert!(!page.contains("Test noor.bos") && !page.contains("De Linde"));

    // Someone outside any practice is refused, and the refusal is logged.
    let ib = logged_in(&app, "ib@test.example").await;
    let r = ib.get(app.url("/mijn-team")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        app.audit()
            .await
            .iter()
            .any(|e| e.object_type == "practice_team" && e.outcome == "denied")
    );
    app.stop().await;
}
