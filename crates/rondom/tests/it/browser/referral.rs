use super::*;

/// The whole loop: a GP asks a consultation, gets an answer, turns it into a referral to
/// the team; the team accepts and names a case director, starts and refers on to a
/// provider, who accepts and starts in one step and completes with an outcome; the
/// outcome reaches the GP on the GP's own referral. Each step in the right inbox and the
/// audit log, each action confirmed in words, and at most 25 clicks in all.
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

    gp.expect_contains("p.notice.done", "Verstuurd aan Sociaal Team Voorbeeld.")
        .await;
    let referral = gp.path().await.replace("?gedaan=verstuurd", "");

    // The team finds it under "Nieuw", accepts it and names the case director.
    tm.open(&app, "/verwijzingen").await;
    tm.expect_contains("section[aria-labelledby=sectie-nieuw]", "Noor de Vries")
        .await;
    tm.click("section[aria-labelledby=sectie-nieuw] a").await;
    tm.expect_text("h1", "Verwijzing: Noor de Vries").await;
    tm.select("#cr", &sanne).await;
    tm.click("form:has(input[name=naar][value=accepted]) button.primary")
        .await;
    tm.expect_contains(
        "p.notice.done",
        "Geaccepteerd; Test sanne is casusregisseur.",
    )
    .await;
    tm.expect_text("strong.status", "geaccepteerd").await;

    // The team starts, then refers on to the provider.
    tm.click("button[name=naar][value=in-progress]").await;
    tm.expect_text("strong.status", "in behandeling").await;
    tm.select("#aanbod", &service).await;
    tm.fill(
        "#door-reden",
        "Angstklachten: specialistische behandeling nodig.",
    )
    .await;
    tm.click("form[action$='/doorverwijzen'] button[type=submit]")
        .await;
    tm.expect_contains("p.notice.done", "Doorverwezen naar Jeugd-GGZ Horizon.")
        .await;

    // The provider finds it, accepts and starts in one step, and completes it.
    let pr = signed_in(&app, "zorg@horizon.example").await;
    pr.open(&app, "/verwijzingen").await;
    pr.expect_contains("section[aria-labelledby=sectie-nieuw]", "Noor de Vries")
        .await;
    pr.click("section[aria-labelledby=sectie-nieuw] a").await;
    pr.expect_text("strong.status", "ontvangen").await;
    pr.click("button[name=starten][value=ja]").await;
    pr.expect_contains("p.notice.done", "Geaccepteerd en gestart.")
        .await;
    pr.expect_text("strong.status", "in behandeling").await;
    pr.click("details:has(input[name=naar][value=completed]) summary")
        .await;
    pr.fill(
        "#hulp",
        "Twaalf gesprekken cognitieve gedragstherapie voor angst.",
    )
    .await;
    pr.fill("#door", "Jeugd-GGZ Horizon, team angst").await;
    pr.fill("#vervolg", "Nacontrole bij de huisarts over drie maanden.")
        .await;
    pr.click("form:has(input[name=naar][value=completed]) button[type=submit]")
        .await;
    pr.expect_text("strong.status", "afgerond").await;

    // The outcome reaches the GP by itself, on the referral the GP made, and the page
    // shows where the child's help went and that it ended.
    gp.open(&app, "/verwijzingen").await;
    gp.expect_contains("div.notice", "De specialistische hulp is afgerond.")
        .await;
    gp.click("div.notice a").await;
    let feedback = gp.text("section[aria-labelledby=terugkoppeling]").await;
    assert!(
        feedback.contains("Uitkomst van de doorverwijzing naar Behandeling bij angst")
            && feedback.contains("Twaalf gesprekken cognitieve gedragstherapie")
            && feedback.contains("Nacontrole bij de huisarts"),
        "{feedback}"
    );
    gp.expect_contains("section.chain", "afgerond op").await;
    assert_eq!(gp.path().await, referral);
    // From the GP's question to the GP reading the outcome: what three people clicked.
    let clicks = gp.clicks() + tm.clicks() + pr.clicks();
    assert!(clicks <= 25, "closing the loop took {clicks} clicks");

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
