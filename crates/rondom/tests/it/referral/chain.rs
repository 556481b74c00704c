//! The loop closes for the referrer: when the provider the team referred on to completes,
//! the outcome reaches the GP on the GP's own referral (at once, or passed on by the case
//! director where the verwijskader says so), and the GP's page shows where the help went.

use super::{World, child_fields, post, world};
use crate::common::*;

on_both_backends!(
    the_outcome_of_onward_help_reaches_the_gp_by_itself,
    where_the_verwijskader_says_so_the_case_director_passes_the_outcome_on,
);

/// The three people of the loop, each signed in once.
struct People {
    gp: reqwest::Client,
    sanne: reqwest::Client,
    provider: reqwest::Client,
}

async fn people(app: &TestApp) -> People {
    People {
        gp: logged_in(app, "arts@linde.example").await,
        sanne: logged_in(app, "sanne@team.example").await,
        provider: logged_in(app, "zorg@horizon.example").await,
    }
}

/// The GP refers to the team, which accepts, starts and refers on; the provider accepts
/// and starts in one step and completes with its outcome. Returns the GP's referral and
/// the onward one.
async fn until_onward_help_ends(app: &TestApp, w: &World, p: &People) -> (String, String) {
    let People {
        gp,
        sanne,
        provider,
    } = p;
    let doel = format!("team:{}", w.team);
    let r = post(app, gp, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    assert_eq!(r.status(), 303);
    assert!(location(&r).ends_with("?gedaan=verstuurd"));
    let page = fetch_page(app, gp, &location(&r)).await;
    assert!(
        page.contains("Verstuurd aan Sociaal Team Voorbeeld."),
        "{page}"
    );
    let parent = location_path(&r);

    let r = post(
        app,
        sanne,
        &format!("{parent}/status"),
        &[("naar", "accepted"), ("casusregisseur", w.sanne.as_str())],
    )
    .await;
    assert_eq!(r.status(), 303);
    let page = fetch_page(app, sanne, &location(&r)).await;
    assert!(
        page.contains("Geaccepteerd; Test sanne is casusregisseur."),
        "{page}"
    );
    // Only the moves that make sense now, each named for what it does.
    assert!(page.contains(">Starten</button>") && !page.contains(">Accepteren</button>"));
    let r = post(
        app,
        sanne,
        &format!("{parent}/status"),
        &[("naar", "in-progress")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = post(
        app,
        sanne,
        &format!("{parent}/doorverwijzen"),
        &[
            ("aanbod", w.service.as_str()),
            ("reden", "Angstklachten vragen specialistische behandeling."),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let onward = location_path(&r);

    let page = fetch_page(app, provider, &onward).await;
    assert!(page.contains(">Accepteren en starten</button>"), "{page}");
    let r = post(
        app,
        provider,
        &format!("{onward}/status"),
        &[("naar", "accepted"), ("starten", "ja")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let page = fetch_page(app, provider, &location(&r)).await;
    assert!(
        page.contains("Geaccepteerd en gestart.") && page.contains("in behandeling"),
        "{page}"
    );
    let r = post(
        app,
        provider,
        &format!("{onward}/status"),
        &[
            ("naar", "completed"),
            (
                "hulp",
                "Twaalf gesprekken cognitieve gedragstherapie voor angst.",
            ),
            ("door", "Jeugd-GGZ Horizon, team angst"),
            ("vervolg", "Nacontrole bij de huisarts over drie maanden."),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    (parent, onward)
}

async fn the_outcome_of_onward_help_reaches_the_gp_by_itself(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let p = people(&app).await;
    let (parent, onward) = until_onward_help_ends(&app, &w, &p).await;
    let People { gp, sanne, .. } = p;
    let inbox = fetch_page(&app, &gp, "/verwijzingen").await;
    assert!(
        inbox.contains("De specialistische hulp is afgerond."),
        "{inbox}"
    );
    let page = fetch_page(&app, &gp, &parent).await;
    assert!(
        page.contains("Uitkomst van de doorverwijzing naar Behandeling bij angst en somberheid (Jeugd-GGZ Horizon)")
            && page.contains("Twaalf gesprekken cognitieve gedragstherapie")
            && page.contains("Nacontrole bij de huisarts"),
        "{page}"
    );
    // Where the help went and that it ended, though the GP's own referral still runs;
    // the onward referral itself stays between the team and the provider.
    let chain = page.split("id=\"hulp-daarna\"").nth(1).expect("the chain");
    let chain = chain.split("</section>").next().unwrap();
    assert!(
        chain.contains("Behandeling bij angst") && chain.contains("afgerond op"),
        "{chain}"
    );
    assert!(!page.contains(&format!("href=\"{onward}\"")));
    let r = gp.get(app.url(&onward)).send().await.unwrap();
    assert_eq!(r.status(), 404);

    // The case director hears that it went, and has nothing left to pass on.
    let inbox = fetch_page(&app, &sanne, "/verwijzingen").await;
    assert!(
        inbox.contains("de uitkomst is doorgestuurd aan de verwijzer"),
        "{inbox}"
    );
    let page = fetch_page(&app, &sanne, &parent).await;
    assert!(!page.contains("/uitkomst-doorsturen"));
    assert!(
        page.contains(&format!("href=\"{onward}\"")),
        "the team opens its own"
    );

    let audit = app.audit().await;
    assert!(audit.iter().any(|e| e.action == "referral_transition"
        && e.actor_name == "Test zorg"
        && e.reason.as_deref() == Some("received → accepted → in-progress")));
    app.stop().await;
}

async fn where_the_verwijskader_says_so_the_case_director_passes_the_outcome_on(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    // The municipality keeps the outcome of onward help with the case director first.
    let admin = logged_in(&app, "beleid@gemeente.example").await;
    let today = rondom_web::format::today().format("%Y-%m-%d").to_string();
    let r = post(
        &app,
        &admin,
        "/verwijskader",
        &[
            ("gemeente", "GM9999"),
            ("ingang", today.as_str()),
            ("termijn_overleg", "2"),
            ("termijn_acceptatie", "5"),
            ("termijn_spoed", "1"),
            ("terugkoppelmomenten", "30"),
            ("eerst_team", "opvoeding"),
            ("eerst_team_urgentie", "regulier"),
            ("informeren", "accepted:referrer"),
            ("informeren", "onward_outcome:case_director"),
            ("informeren", "completed:referrer"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let p = people(&app).await;
    let (parent, onward) = until_onward_help_ends(&app, &w, &p).await;
    let People { gp, sanne, .. } = p;
    let page = fetch_page(&app, &gp, &parent).await;
    assert!(
        !page.contains("Twaalf gesprekken"),
        "not before the case director passes it on"
    );
    assert!(
        page.contains("afgerond op"),
        "the GP does see that the help ended"
    );

    let inbox = fetch_page(&app, &sanne, "/verwijzingen").await;
    assert!(
        inbox.contains("Stuur de uitkomst door aan de verwijzer."),
        "{inbox}"
    );
    let page = fetch_page(&app, &sanne, &parent).await;
    assert!(
        page.contains("/uitkomst-doorsturen") && page.contains("Twaalf gesprekken"),
        "{page}"
    );
    let onward_id = onward.trim_start_matches("/verwijzingen/");
    // Only the team passes it on, and only an onward referral of this one.
    let r = post(
        &app,
        &gp,
        &format!("{parent}/uitkomst-doorsturen"),
        &[("doorverwijzing", onward_id)],
    )
    .await;
    assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());
    let parent_id = parent.trim_start_matches("/verwijzingen/");
    let r = post(
        &app,
        &sanne,
        &format!("{parent}/uitkomst-doorsturen"),
        &[("doorverwijzing", parent_id)],
    )
    .await;
    assert_eq!(r.status(), 404);
    let page = fetch_page(&app, &gp, &parent).await;
    assert!(!page.contains("Twaalf gesprekken"));

    let r = post(
        &app,
        &sanne,
        &format!("{parent}/uitkomst-doorsturen"),
        &[
            ("doorverwijzing", onward_id),
            ("toelichting", "Ik bel het gezin volgende week."),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let page = fetch_page(&app, &sanne, &location(&r)).await;
    assert!(
        page.contains("Uitkomst doorgestuurd aan Test arts."),
        "{page}"
    );
    assert!(
        !page.contains("/uitkomst-doorsturen"),
        "nothing left to pass on"
    );
    let r = post(
        &app,
        &sanne,
        &format!("{parent}/uitkomst-doorsturen"),
        &[("doorverwijzing", onward_id)],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("al doorgestuurd"));

    let inbox = fetch_page(&app, &gp, "/verwijzingen").await;
    assert!(inbox.contains("De uitkomst van de specialistische hulp is doorgestuurd."));
    let page = fetch_page(&app, &gp, &parent).await;
    assert!(
        page.contains("Twaalf gesprekken") && page.contains("Ik bel het gezin volgende week."),
        "{page}"
    );
    assert_eq!(
        page.matches("Twaalf gesprekken").count(),
        1,
        "passed on once"
    );
    let audit = app.audit().await;
    assert!(audit.iter().any(|e| e.action == "referral_outcome_pass_on"
        && e.actor_name == "Test sanne"
        && e.outcome == "allowed"));
    assert!(audit.iter().any(|e| e.action == "referral_outcome_pass_on"
        && e.actor_name == "Test arts"
        && e.outcome != "allowed"));
    app.stop().await;
}
