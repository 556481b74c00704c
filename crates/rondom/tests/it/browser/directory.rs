use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gp_sees_the_linked_consultant_and_finds_a_parenting_course_with_its_waiting_time() {
    use rondom_db::directory;
    let app = TestApp::start(Backend::Sqlite).await;
    let practice = app
        .org("Huisartsenpraktijk De Linde", "huisartsenpraktijk")
        .await;
    let team = app.org("Sociaal Team Voorbeeld", "sociaal_team").await;
    let consultant = app
        .user("noor.bos@test.example", Some(&team), &["consulent"])
        .await;
    app.user("huisarts@test.example", Some(&practice), &["huisarts"])
        .await;
    let (p, t) = (practice.clone(), team.clone());
    app.db
        .write(move |c| {
            directory::set_overleglijn(c, &t, "0345 700 800", "werkdagen 08:30–17:00")?;
            let link = directory::link_consultant(c, &p, &t, &consultant)?;
            for weekday in 1..=7 {
                directory::add_hours(c, &link, weekday, 9 * 60, 12 * 60)?;
            }
            for (name, ages, wait) in [
                ("Cursus Positief Opvoeden", (4, 12), 3),
                ("Peuterpraat", (2, 4), 1),
            ] {
                directory::create_service(
                    c,
                    &directory::NewService {
                        organisation_id: &t,
                        name,
                        description: "Groepscursus voor ouders.",
                        category: "preventief",
                        access_route: "vrij",
                        age_min: ages.0,
                        age_max: ages.1,
                        problem_areas: "opvoeding",
                        cost: Some("gratis"),
                        wait_weeks: Some(wait),
                        wait_reported_on: Some(day("2026-11-01")),
                        last_checked_on: day("2026-11-01"),
                        ..Default::default()
                    },
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let b = Browser::start().await;
    b.login(&app, "huisarts@test.example").await;
    let secret = b.text("#totp-secret").await.replace(' ', "");
    b.fill("#code", &totp::code_at(&secret, totp::unix_now()).unwrap())
        .await;
    b.click("form.stack button[type=submit]").await;
    b.click("a.button.primary").await;

    b.click("nav a[href='/mijn-team']").await;
    b.expect_text("h1", "Mijn team").await;
    let card = b.text("li.consultant").await;
    assert!(
        card.contains("Test noor.bos") && card.contains("09:00–12:00"),
        "{card}"
    );
    assert!(b.text(".overleglijn").await.contains("0345 700 800"));

    b.click("nav a[href='/sociale-kaart']").await;
    b.fill("#q", "opvoeden 9 jaar").await;
    b.click("form.search button[type=submit]").await;
    // The page before the search has an empty list too: wait for the results' cards.
    b.wait_for("ol.results li.card").await;
    let results = b.text("ol.results").await;
    assert!(results.contains("Cursus Positief Opvoeden"), "{results}");
    assert!(
        !results.contains("Peuterpraat"),
        "a course for 2 to 4 year olds is not for a 9 year old"
    );
    b.click("ol.results h2 a").await;
    b.wait_for("dl.facts").await;
    b.expect_text("h1", "Cursus Positief Opvoeden").await;
    assert!(
        b.text("dl.facts")
            .await
            .contains("3 weken (gemeld 1 november 2026)")
    );
    b.stop().await;
    app.stop().await;
}
