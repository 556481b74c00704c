//! Every page passes axe-core's WCAG 2.1 A and AA rules, on a desktop and on a phone
//! 375 pixels wide (where it must not scroll sideways either), for each kind of person
//! who uses it, on the demo municipality.

use super::*;
use diesel::prelude::*;

/// axe-core as npm installs it (`package.json` at the repository root; scripts/test
/// runs `npm ci`). AXE_CORE names another copy.
fn axe_source() -> String {
    let path = std::env::var("AXE_CORE").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../node_modules/axe-core/axe.min.js"
        )
        .into()
    });
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("axe-core at {path}: {e} (scripts/test installs it: npm ci)"))
}

/// The violations on the page now, one line each: rule, and where.
async fn violations(b: &Browser, axe: &str) -> Vec<String> {
    b.client.execute(axe, vec![]).await.unwrap();
    let found = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: {type: 'tag',
                 values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
               .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): '
                   + v.nodes.map(n => n.target.join(' ')).join(', '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// Whether the page is wider than the screen (a phone would scroll it sideways).
async fn scrolls_sideways(b: &Browser) -> bool {
    let widths = b
        .client
        .execute(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            vec![],
        )
        .await
        .unwrap();
    let [scroll, client]: [u64; 2] = serde_json::from_value(widths).unwrap();
    scroll > client
}

/// An id from the demo: the first `id` this query finds.
async fn first_id(app: &TestApp, sql: impl Into<String>) -> String {
    let sql: String = sql.into();
    app.db
        .read(move |c| {
            #[derive(QueryableByName)]
            struct Row {
                #[diesel(sql_type = diesel::sql_types::Text)]
                id: String,
            }
            let rows: Vec<Row> =
                rondom_db::on_backend!(c, |conn| diesel::sql_query(sql.clone()).load(conn))?;
            Ok(rows.into_iter().next().map(|r| r.id).unwrap_or_default())
        })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_breaks_wcag_21_aa_on_a_desktop_or_a_phone() {
    let axe = axe_source();
    let app = TestApp::start(Backend::Sqlite).await;
    app.load_demo().await;
    let org = |name: &str| {
        first_id(
            &app,
            format!("SELECT id FROM organisations WHERE name = '{name}'"),
        )
    };
    let (practice, team, provider, gemeente) = (
        org("Huisartsenpraktijk De Linde").await,
        org("Sociaal Team Voorbeeld").await,
        org("Jeugd-GGZ Horizon").await,
        org("Gemeente Voorbeeld").await,
    );
    // The school most of the demo's referrals with a school name.
    let school = first_id(
        &app,
        "SELECT school_id AS id FROM referrals WHERE school_id IS NOT NULL \
         GROUP BY school_id ORDER BY COUNT(*) DESC, school_id",
    )
    .await;
    // One set of people per round: each browser enrols its own second factor.
    for round in ["desktop", "telefoon"] {
        let at = |who: &str| format!("{who}.{round}@a11y.example");
        let admin = "organisatiebeheerder";
        app.user(&at("gp"), Some(&practice), &["huisarts", admin])
            .await;
        app.user(&at("consulent"), Some(&team), &["consulent"])
            .await;
        app.user(&at("leider"), Some(&team), &["teamleider"]).await;
        app.user(
            &at("zorg"),
            Some(&provider),
            &["zorgaanbieder_medewerker", admin],
        )
        .await;
        app.user(
            &at("gemeente"),
            Some(&gemeente),
            &["beleidsmedewerker", admin],
        )
        .await;
        app.user(&at("school"), Some(&school), &["school"]).await;
        app.user(&at("ouder"), None, &["ouder_verzorger"]).await;
    }
    // Two demo networks, one per round, each coordinated by that round's consultant and
    // with that round's parent in its family (so both views are looked at).
    let mut networks: Vec<String> = Vec::new();
    for (i, round) in ["desktop", "telefoon"].into_iter().enumerate() {
        let n = first_id(
            &app,
            format!("SELECT id FROM networks ORDER BY opened_at, id LIMIT 1 OFFSET {i}"),
        )
        .await;
        let coordinator = app
            .user_id(&format!("consulent.{round}@a11y.example"))
            .await;
        let parent = app.user_id(&format!("ouder.{round}@a11y.example")).await;
        let id = n.clone();
        app.db
            .write(move |c| {
                use rondom_db::schema::networks;
                rondom_db::on_backend!(c, |conn| diesel::update(networks::table.find(&id))
                    .set(networks::coordinator_id.eq(&coordinator))
                    .execute(conn))?;
                rondom_db::networks::add_member(
                    c,
                    &id,
                    &rondom_db::networks::NewMember {
                        kind: "family",
                        user_id: Some(&parent),
                        organisation_id: None,
                        name_sealed: None,
                        relation: Some("ouder"),
                        gezag: true,
                        role_label: "ouder",
                        state: "active",
                    },
                    &coordinator,
                )?;
                Ok(())
            })
            .await
            .unwrap();
        networks.push(n);
    }
    // A conversation in each network, with a message and a link in it.
    let mut conversations: Vec<String> = Vec::new();
    for (i, round) in ["desktop", "telefoon"].into_iter().enumerate() {
        let token = app
            .token_for(
                &app.user_id(&format!("consulent.{round}@a11y.example"))
                    .await,
            )
            .await;
        let r = app
            .client()
            .post(app.url(&format!("/api/v1/networks/{}/conversations", networks[i])))
            .bearer_auth(token)
            .json(&serde_json::json!({"kind": "network", "title": "Afspraken",
                "body": "Welkom.\nDe afspraken staan op https://voorbeeld.nl/afspraken."}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let c: serde_json::Value = r.json().await.unwrap();
        conversations.push(c["id"].as_str().unwrap().to_owned());
    }
    let from_practice = first_id(
        &app,
        "SELECT r.id FROM referrals r JOIN organisations o ON o.id = r.from_org_id \
         WHERE o.name = 'Huisartsenpraktijk De Linde' AND r.status <> 'draft' ORDER BY r.created_at",
    )
    .await;
    let running_in_team = first_id(
        &app,
        "SELECT r.id FROM referrals r JOIN organisations o ON o.id = r.to_org_id \
         WHERE o.name = 'Sociaal Team Voorbeeld' AND r.status = 'in-progress' ORDER BY r.created_at",
    )
    .await;
    let to_provider = first_id(
        &app,
        "SELECT r.id FROM referrals r JOIN organisations o ON o.id = r.to_org_id \
         WHERE o.name = 'Jeugd-GGZ Horizon' ORDER BY r.created_at",
    )
    .await;
    let question = first_id(
        &app,
        "SELECT c.id FROM consultations c JOIN organisations o ON o.id = c.team_id \
         WHERE o.name = 'Sociaal Team Voorbeeld' ORDER BY c.created_at",
    )
    .await;
    let service = first_id(&app, "SELECT id FROM services ORDER BY name").await;
    let meeting = first_id(
        &app,
        "SELECT id FROM meetings WHERE state = 'planned' ORDER BY starts_at",
    )
    .await;
    let provider_service = first_id(
        &app,
        format!("SELECT id FROM services WHERE organisation_id = '{provider}' ORDER BY name"),
    )
    .await;
    let gp_pages = vec![
        "/".to_owned(),
        "/verwijzingen".into(),
        "/verwijzingen/nieuw".into(),
        format!("/verwijzingen/{from_practice}"),
        "/overleg".into(),
        "/overleg/nieuw".into(),
        "/sociale-kaart".into(),
        "/sociale-kaart?q=angst".into(),
        "/sociale-kaart?q=opvoedwinkel".into(),
        "/sociale-kaart?q=slecht+slapen".into(),
        format!("/sociale-kaart/aanbod/{service}"),
        format!("/sociale-kaart/organisaties/{practice}"),
        "/mijn-team".into(),
        "/account".into(),
        "/verwijskader".into(),
        "/beheer".into(),
        format!("/beheer/organisaties/{practice}"),
        "/beheer/audit".into(),
        "/bestaat-niet".into(),
    ];
    let people: Vec<(&str, Vec<String>)> = vec![
        ("gp", gp_pages),
        (
            "consulent",
            vec![
                "/".into(),
                "/verwijzingen".into(),
                format!("/verwijzingen/{running_in_team}"),
                "/overleg".into(),
                format!("/overleg/{question}"),
                "/netwerken/NETWERK".into(),
                // The search for a professional to add, with what it found.
                "/netwerken/NETWERK?zoek=jeugd".into(),
                "/netwerken/NETWERK/berichten".into(),
                "/gesprekken/GESPREK".into(),
                "/berichten".into(),
                "/netwerken/NETWERK/plan".into(),
                "/netwerken/NETWERK/plan/bewerken".into(),
                "/netwerken/NETWERK/plan/versies/1".into(),
                "/netwerken/NETWERK/plan/vergelijk?a=1&b=1&alles=ja".into(),
                "/afspraken".into(),
                "/overleggen".into(),
                "/overleggen/nieuw".into(),
            ],
        ),
        (
            "ouder",
            vec![
                "/".into(),
                "/netwerken/NETWERK".into(),
                "/netwerken/NETWERK/inzage".into(),
                "/netwerken/NETWERK/berichten".into(),
                "/gesprekken/GESPREK".into(),
                "/berichten".into(),
                "/berichten/instellingen".into(),
                "/netwerken/NETWERK/plan".into(),
                "/netwerken/NETWERK/plan/bewerken".into(),
                "/afspraken".into(),
            ],
        ),
        (
            "leider",
            vec![
                "/".into(),
                "/netwerken/noodtoegang".into(),
                "/afspraken".into(),
                "/overleggen".into(),
                format!("/overleggen/{meeting}"),
                "/stuurinformatie".into(),
            ],
        ),
        (
            "zorg",
            vec![
                "/".into(),
                "/verwijzingen".into(),
                format!("/verwijzingen/{to_provider}"),
                format!("/sociale-kaart/organisaties/{provider}"),
                format!("/sociale-kaart/organisaties/{provider}/profiel"),
                format!("/sociale-kaart/aanbod/{provider_service}/bewerken"),
                format!("/beheer/organisaties/{provider}"),
            ],
        ),
        (
            "gemeente",
            vec![
                "/verwijskader".into(),
                "/stuurinformatie".into(),
                "/stuurinformatie?weergave=afdruk".into(),
            ],
        ),
        (
            "school",
            vec![
                "/".into(),
                "/verwijzingen/leerlingen".into(),
                "/overleg/nieuw".into(),
            ],
        ),
    ];
    let mut found = Vec::new();
    let mut looked = 0;
    for (round, phone) in [("desktop", None), ("telefoon", Some(375))] {
        let anonymous = Browser::start_at(phone).await;
        for path in ["/inloggen", "/wachtwoord-vergeten"] {
            anonymous.open(&app, path).await;
            for v in violations(&anonymous, &axe).await {
                found.push(format!("{phone:?} (anonymous) {path}: {v}"));
            }
            looked += 1;
        }
        anonymous.stop().await;
        for (who, pages) in &people {
            let email = format!("{who}.{round}@a11y.example");
            let b = if *who == "ouder" {
                // A family member signs in without a second factor.
                let b = Browser::start_at(phone).await;
                b.login(&app, &email).await;
                b.wait_for("nav").await;
                b
            } else {
                signed_in_at(&app, &email, phone).await
            };
            for path in pages {
                // This round's network.
                let network = &networks[usize::from(phone.is_some())];
                let path = &path
                    .replace("NETWERK", network)
                    .replace("GESPREK", &conversations[usize::from(phone.is_some())]);
                b.open(&app, path).await;
                b.wait_for("main h1").await;
                for v in violations(&b, &axe).await {
                    found.push(format!("{phone:?} {email} {path}: {v}"));
                }
                looked += 1;
                if phone.is_some() && scrolls_sideways(&b).await {
                    found.push(format!(
                        "{phone:?} {email} {path}: the page scrolls sideways"
                    ));
                }
            }
            b.stop().await;
        }
    }
    assert!(looked >= 60, "{looked} pages looked at");
    assert!(
        found.is_empty(),
        "WCAG 2.1 AA violations:\n{}",
        found.join("\n")
    );
    app.stop().await;
}
