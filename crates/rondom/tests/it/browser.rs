//! In a real browser: headless Chromium (Debian's `chromium`) driven over WebDriver by
//! `chromedriver`, against the real server.

use crate::common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use rondom_web::auth::totp;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver must be installed (scripts/test installs chromium-driver)");
        // Wait until the driver accepts connections (readiness, not timing).
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                std::time::Instant::now() < deadline,
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--no-first-run", "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        // chromedriver speaks plain HTTP on loopback: no TLS stack needed.
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        Self {
            client,
            driver,
            _profile: profile,
        }
    }

    async fn stop(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }

    /// Fills a field once it is there (the page may still be loading after a click).
    async fn fill(&self, css: &str, text: &str) {
        let e = self.wait_for(css).await;
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    /// Clicks an element once it is there; found again if a navigation replaced it.
    async fn click(&self, css: &str) {
        for _ in 0..50 {
            if self.wait_for(css).await.click().await.is_ok() {
                return;
            }
        }
        panic!("{css} could not be clicked");
    }

    async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => e,
            Err(e) => {
                let page = self.client.source().await.unwrap_or_default();
                panic!("{css} did not appear on {}: {e}\n{page}", self.path().await)
            }
        }
    }

    /// The element's text; found again when a navigation replaced it in between.
    async fn text(&self, css: &str) -> String {
        for _ in 0..50 {
            if let Ok(t) = self.wait_for(css).await.text().await {
                return t;
            }
        }
        panic!("{css} kept going stale");
    }

    /// Waits (up to 10 s, polling the DOM) until the element shows exactly `expected`:
    /// after a click the old page may still be there for a moment.
    async fn expect_text(&self, css: &str, expected: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut seen = String::new();
        while std::time::Instant::now() < deadline {
            if let Ok(e) = self.client.find(Locator::Css(css)).await
                && let Ok(t) = e.text().await
            {
                if t == expected {
                    return;
                }
                seen = t;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{css} showed {seen:?}, not {expected:?}, on {}",
            self.path().await
        );
    }

    async fn path(&self) -> String {
        let u = self.client.current_url().await.unwrap();
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        }
    }

    async fn login(&self, app: &TestApp, email: &str) {
        self.client.goto(&app.url("/inloggen")).await.unwrap();
        self.fill("#email", email).await;
        self.fill("#password", PASSWORD).await;
        self.click("form.stack button[type=submit]").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_professional_logs_in_with_password_and_totp_sees_the_start_page_and_logs_out() {
    let app = TestApp::start(Backend::Sqlite).await;
    let org = app
        .org("Huisartsenpraktijk De Linde", "huisartsenpraktijk")
        .await;
    app.user("huisarts@test.example", Some(&org), &["huisarts"])
        .await;
    let b = Browser::start().await;

    // A page behind login sends the browser to the login page first.
    b.client.goto(&app.url("/account")).await.unwrap();
    b.expect_text("h1", "Inloggen").await;
    assert_eq!(b.path().await, "/inloggen?volgende=/account");

    b.fill("#email", "huisarts@test.example").await;
    b.fill("#password", "verkeerd wachtwoord").await;
    b.click("form.stack button[type=submit]").await;
    b.expect_text(
        "#login-fout",
        "Het e-mailadres of het wachtwoord klopt niet.",
    )
    .await;

    b.fill("#password", PASSWORD).await;
    b.click("form.stack button[type=submit]").await;
    let secret = b.text("#totp-secret").await.replace(' ', "");
    assert!(
        b.client.find(Locator::Css("figure.qr svg")).await.is_ok(),
        "QR code rendered"
    );
    let code = totp::code_at(&secret, totp::unix_now()).unwrap();
    b.fill("#code", &code).await;
    b.click("form.stack button[type=submit]").await;
    b.expect_text("h1", "Uw herstelcodes").await;
    assert_eq!(
        b.client
            .find_all(Locator::Css("#herstelcodes li"))
            .await
            .unwrap()
            .len(),
        10
    );
    b.click("a.button.primary").await;

    b.expect_text("h1", "Mijn account").await;
    b.click("nav a[href='/']").await;
    b.expect_text("h1", "Welkom, Test huisarts").await;
    assert!(
        b.text("ul.cards")
            .await
            .contains("Huisartsenpraktijk De Linde")
    );

    b.click("form[action='/uitloggen'] button").await;
    b.expect_text("p.notice", "U bent uitgelogd.").await;
    b.client.goto(&app.url("/")).await.unwrap();
    b.expect_text("h1", "Inloggen").await;

    // The second login asks for the code (the next one: the first is spent).
    b.login(&app, "huisarts@test.example").await;
    b.wait_for("#code").await;
    let next = totp::code_at(&secret, totp::unix_now() + 30).unwrap();
    b.fill("#code", &next).await;
    b.click("form.stack button[type=submit]").await;
    b.expect_text("h1", "Welkom, Test huisarts").await;
    b.stop().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_cannot_open_another_organisations_admin_page_and_the_refusal_is_logged() {
    let app = TestApp::start(Backend::Sqlite).await;
    let own = app.org("Basisschool De Regenboog", "school").await;
    let other = app.org("Voorbeeld College", "school").await;
    app.user(
        "ib@test.example",
        Some(&own),
        &["school", "organisatiebeheerder"],
    )
    .await;
    let b = Browser::start().await;
    b.login(&app, "ib@test.example").await;
    let secret = b.text("#totp-secret").await.replace(' ', "");
    b.fill("#code", &totp::code_at(&secret, totp::unix_now()).unwrap())
        .await;
    b.click("form.stack button[type=submit]").await;
    b.click("a.button.primary").await;

    b.click("nav a[href='/beheer']").await;
    b.expect_text("h1", "Basisschool De Regenboog").await;

    b.client
        .goto(&app.url(&format!("/beheer/organisaties/{other}")))
        .await
        .unwrap();
    b.expect_text("h1", "Geen toegang").await;
    assert!(
        b.text("p.error-text")
            .await
            .contains("Deze poging is vastgelegd.")
    );
    assert!(
        !b.client
            .source()
            .await
            .unwrap()
            .contains("Voorbeeld College")
    );

    // The refusal is in the audit log, as the organisation admin sees it.
    b.client
        .goto(&app.url("/beheer/audit?uitkomst=denied"))
        .await
        .unwrap();
    let row = b.text("table.audit tbody tr").await;
    assert!(
        row.contains("Test ib") && row.contains("geweigerd") && row.contains(&other),
        "{row}"
    );
    b.stop().await;
    app.stop().await;
}

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
            .contains("3 weken (gemeld 2026-11-01)")
    );
    b.stop().await;
    app.stop().await;
}

/// A browser of its own for one person, logged in with a freshly enrolled second factor.
async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let b = Browser::start().await;
    b.login(app, email).await;
    let secret = b.text("#totp-secret").await.replace(' ', "");
    b.fill("#code", &totp::code_at(&secret, totp::unix_now()).unwrap())
        .await;
    b.click("form.stack button[type=submit]").await;
    b.click("a.button.primary").await;
    b.wait_for("nav").await;
    b
}

impl Browser {
    async fn open(&self, app: &TestApp, path: &str) {
        self.client.goto(&app.url(path)).await.unwrap();
    }

    async fn select(&self, css: &str, value: &str) {
        self.wait_for(css)
            .await
            .select_by_value(value)
            .await
            .unwrap();
    }

    /// Waits until the page contains `text` somewhere in `css`.
    async fn expect_contains(&self, css: &str, text: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut seen = String::new();
        while std::time::Instant::now() < deadline {
            if let Ok(e) = self.client.find(Locator::Css(css)).await
                && let Ok(t) = e.text().await
            {
                if t.contains(text) {
                    return;
                }
                seen = t;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{css} never contained {text:?} on {}: {seen}",
            self.path().await
        );
    }
}

/// Issue 4's whole loop: a GP asks a consultation, gets an answer, turns it into a
/// referral to the team; the team accepts and names a case director; the GP sees the
/// acceptance; the team refers on to a provider, who accepts; the team completes with an
/// outcome; the GP sees the completion. Each step in the right inbox and the audit log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_referral_loop_closes_in_the_browser() {
    use rondom_db::directory;
    let app = TestApp::start(Backend::Sqlite).await;
    let practice = app
        .org("Huisartsenpraktijk De Linde", "huisartsenpraktijk")
        .await;
    let team = app.org("Sociaal Team Voorbeeld", "sociaal_team").await;
    let provider = app.org("Jeugd-GGZ Horizon", "zorgaanbieder").await;
    let sanne = app
        .user("sanne@team.example", Some(&team), &["consulent"])
        .await;
    app.user("arts@linde.example", Some(&practice), &["huisarts"])
        .await;
    app.user(
        "zorg@horizon.example",
        Some(&provider),
        &["zorgaanbieder_medewerker"],
    )
    .await;
    let (p, t, s, prov) = (
        practice.clone(),
        team.clone(),
        sanne.clone(),
        provider.clone(),
    );
    let service = app
        .db
        .write(move |c| {
            directory::link_consultant(c, &p, &t, &s)?;
            directory::create_service(
                c,
                &directory::NewService {
                    organisation_id: &prov,
                    name: "Behandeling bij angst",
                    description: "Specialistische jeugd-GGZ.",
                    category: "specialistisch",
                    access_route: "verwijzing",
                    age_min: 4,
                    age_max: 18,
                    problem_areas: "psychisch",
                    last_checked_on: day("2026-11-01"),
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap();

    // The GP asks; the consultant answers.
    let gp = signed_in(&app, "arts@linde.example").await;
    gp.open(&app, "/overleg/nieuw").await;
    gp.fill("#onderwerp", "Meisje 11 jaar, angstig en slaapt slecht")
        .await;
    gp.fill("#vraag", "Past hier hulp van het team, of specialistisch?")
        .await;
    gp.click("form.stack button[type=submit]").await;
    gp.expect_text("h1", "Meisje 11 jaar, angstig en slaapt slecht")
        .await;
    let thread = gp.path().await;

    let tm = signed_in(&app, "sanne@team.example").await;
    tm.open(&app, "/overleg").await;
    tm.click("table.table a").await;
    tm.fill(
        "#bericht",
        "Graag verwijzen naar ons; wij kijken samen met het gezin.",
    )
    .await;
    tm.click("form.stack button[type=submit]").await;
    tm.expect_contains("p.muted", "beantwoord").await;

    // The GP reads the answer and turns the question into a referral.
    gp.open(&app, &thread).await;
    gp.expect_contains("ol.thread", "Graag verwijzen naar ons")
        .await;
    gp.click("a[href^='/verwijzingen/nieuw?overleg=']").await;
    gp.expect_text("h1", "Nieuwe verwijzing").await;
    gp.expect_contains("#reden", "Past hier hulp van het team")
        .await;
    gp.fill("#naam", "Noor de Vries").await;
    gp.client
        .execute(
            "document.getElementById('geboortedatum').value = '2015-02-03';",
            vec![],
        )
        .await
        .unwrap();
    gp.click("input[name=gebieden][value=psychisch]").await;
    gp.click("button[name=actie][value=versturen]").await;
    gp.expect_text("h1", "Verwijzing: Noor de Vries").await;
    let referral = gp.path().await;

    // The team finds it under "Nieuw", accepts it and names the case director.
    tm.open(&app, "/verwijzingen").await;
    tm.expect_contains("section[aria-labelledby=sectie-nieuw]", "Noor de Vries")
        .await;
    tm.click("section[aria-labelledby=sectie-nieuw] a").await;
    tm.expect_text("h1", "Verwijzing: Noor de Vries").await;
    tm.click("input[name=naar][value=accepted]").await;
    tm.select("#cr", &sanne).await;
    tm.click("section[aria-labelledby=status-wijzigen] button[type=submit]")
        .await;
    tm.expect_text("strong.status", "geaccepteerd").await;

    // The GP sees the acceptance in the inbox and on the referral.
    gp.open(&app, "/verwijzingen").await;
    gp.expect_contains("div.notice", "Een verwijzing is geaccepteerd.")
        .await;
    gp.click("div.notice a").await;
    gp.expect_contains(
        "section[aria-labelledby=terugkoppeling]",
        "Casusregisseur: Test sanne",
    )
    .await;

    // The team starts, then refers on to the provider.
    tm.open(&app, &referral).await;
    tm.click("input[name=naar][value=in-progress]").await;
    tm.click("section[aria-labelledby=status-wijzigen] button[type=submit]")
        .await;
    tm.expect_text("strong.status", "in behandeling").await;
    tm.select("#aanbod", &service).await;
    tm.fill(
        "#door-reden",
        "Angstklachten: specialistische behandeling nodig.",
    )
    .await;
    tm.click("form[action$='/doorverwijzen'] button[type=submit]")
        .await;
    tm.expect_contains("p.notice", "Doorverwijzing vanuit")
        .await;

    // The provider finds it and accepts.
    let pr = signed_in(&app, "zorg@horizon.example").await;
    pr.open(&app, "/verwijzingen").await;
    pr.expect_contains("section[aria-labelledby=sectie-nieuw]", "Noor de Vries")
        .await;
    pr.click("section[aria-labelledby=sectie-nieuw] a").await;
    pr.expect_text("strong.status", "ontvangen").await;
    pr.click("input[name=naar][value=accepted]").await;
    pr.click("section[aria-labelledby=status-wijzigen] button[type=submit]")
        .await;
    pr.expect_text("strong.status", "geaccepteerd").await;

    // The team completes the first referral with its outcome.
    tm.open(&app, "/verwijzingen").await;
    tm.expect_contains("div.notice", "De doorverwijzing is geaccepteerd.")
        .await;
    tm.open(&app, &referral).await;
    tm.click("input[name=naar][value=completed]").await;
    tm.fill(
        "#hulp",
        "Gesprekken met het gezin; behandeling angst bij Horizon.",
    )
    .await;
    tm.fill("#door", "Sanne (consulent) en Jeugd-GGZ Horizon")
        .await;
    tm.fill("#vervolg", "Nacontrole bij de huisarts over drie maanden.")
        .await;
    tm.click("section[aria-labelledby=status-wijzigen] button[type=submit]")
        .await;
    tm.expect_text("strong.status", "afgerond").await;

    // The GP sees the completion and the onward referral on the one page.
    gp.open(&app, "/verwijzingen").await;
    gp.expect_contains("div.notice", "Een verwijzing is afgerond.")
        .await;
    gp.open(&app, &referral).await;
    gp.expect_text("strong.status", "afgerond").await;
    let feedback = gp.text("section[aria-labelledby=terugkoppeling]").await;
    assert!(
        feedback.contains("Nacontrole bij de huisarts") && feedback.contains("Doorverwezen"),
        "{feedback}"
    );

    let audit = app.audit().await;
    let by = |action: &str, who: &str| {
        audit
            .iter()
            .any(|e| e.action == action && e.actor_name == who && e.outcome == "allowed")
    };
    assert!(by("consultation_create", "Test arts"));
    assert!(by("referral_create", "Test arts"));
    assert!(by("referral_transition", "Test sanne"));
    assert!(by("referral_refer_on", "Test sanne"));
    assert!(by("referral_transition", "Test zorg"));
    assert!(by("referral_read", "Test arts"));
    for b in [gp, tm, pr] {
        b.stop().await;
    }
    app.stop().await;
}
