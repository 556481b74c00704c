//! The network around a child, opened from an accepted referral: the referrer is in it
//! but sees only who coordinates until the family consents; the rules of consent follow
//! the child's age (12 here: the youth and the parent with gezag both); a withdrawal or
//! a removal takes effect on the next request; outsiders get nothing, and it is logged.

use super::{child_fields, post, world};
use crate::common::*;

on_both_backends!(a_network_opens_from_a_referral_and_follows_the_familys_consent,);

/// The demo's families: a parent of a child under 12 and a youth of 16 or older find
/// their network; what the youth keeps from her parent says so; those who may read
/// messages find the network's conversation and its report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_families_find_their_childs_network() {
    use diesel::prelude::*;
    use rondom_db::schema::{network_members, users};
    let app = TestApp::start(Backend::Sqlite).await;
    app.load_demo().await;
    let family: Vec<(String, Option<String>, bool)> = app
        .db
        .read(|c| {
            let rows = rondom_db::on_backend!(c, |conn| network_members::table
                .inner_join(users::table.on(users::id.nullable().eq(network_members::user_id)))
                .filter(network_members::kind.eq("family"))
                .select((
                    users::email,
                    network_members::relation,
                    network_members::gezag
                ))
                .load(conn))?;
            Ok(rows)
        })
        .await
        .unwrap();
    assert!(
        family
            .iter()
            .any(|(_, r, g)| r.as_deref() == Some("ouder") && !g),
        "a parent without gezag"
    );
    let youth = family
        .iter()
        .filter(|(_, r, _)| r.as_deref() == Some("jeugdige"))
        .count();
    assert!(youth >= 2, "youths of 12 and of 16");
    let mut youth_pages = Vec::new();
    let mut readers: Vec<String> = Vec::new();
    for (email, relation, _) in &family {
        let client = app.client();
        password_login(&app, &client, email, "rondom-demo-2026", "/").await;
        let home = fetch_page(&app, &client, "/").await;
        let heading = if relation.as_deref() == Some("jeugdige") {
            "Wie helpen jou?"
        } else {
            "Hulp rond uw kind"
        };
        assert!(home.contains(heading), "{email}: {home}");
        let start = home.find("/netwerken/").unwrap();
        let path: String = home[start..].chars().take_while(|c| *c != '"').collect();
        let page = fetch_page(&app, &client, &path).await;
        assert!(page.contains("Wie doen er mee?"), "{email}");
        assert!(
            !page.contains("Terug naar de verwijzing"),
            "a family member has no referral page"
        );
        if relation.as_deref() == Some("jeugdige") {
            youth_pages.push(page);
        }
        // The network's conversation, with the report of the first talk as a PDF,
        // for those who may read messages.
        let list = fetch_page(&app, &client, "/berichten").await;
        if let Some(start) = list.find("/gesprekken/") {
            let path: String = list[start..].chars().take_while(|c| *c != '"').collect();
            let conversation = fetch_page(&app, &client, &path).await;
            assert!(
                conversation.contains("Verslag eerste gesprek.pdf"),
                "{email}"
            );
            let start = conversation.find("/documenten/").unwrap();
            let path: String = conversation[start..]
                .chars()
                .take_while(|c| *c != '"')
                .collect();
            let pdf = client
                .get(app.url(&path))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            // A PDF a reader opens: its cross-reference table where the trailer says.
            let text = String::from_utf8_lossy(&pdf);
            let xref: usize = text
                .rsplit("startxref\n")
                .next()
                .and_then(|t| t.lines().next())
                .and_then(|n| n.parse().ok())
                .unwrap();
            assert!(text.starts_with("%PDF-1.4") && text[xref..].starts_with("xref"));
            readers.push(email.clone());
        }
    }
    assert!(
        readers.contains(&"sanne.kok@gezin.example".to_owned()),
        "the demo parent reads the network's messages: {readers:?}"
    );
    assert!(
        family
            .iter()
            .filter(|(_, r, g)| r.as_deref() == Some("ouder") && !g)
            .all(|(e, _, _)| !readers.contains(e)),
        "a parent without gezag and without consent for messages sees none: {readers:?}"
    );
    assert!(
        youth_pages
            .iter()
            .any(|p| p.contains("Geen toestemming voor: berichten, documenten")),
        "the youth of 16 keeps her messages and documents from her parent"
    );
    app.stop().await;
}

async fn a_network_opens_from_a_referral_and_follows_the_familys_consent(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let sanne = logged_in(&app, "sanne@team.example").await;
    let outsider = logged_in(&app, "zorg@horizon.example").await;

    // Noor (born 1 March 2014) is 12: she and her parent with gezag decide together.
    let doel = format!("team:{}", w.team);
    let r = post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    let referral = location_path(&r);
    let before = fetch_page(&app, &sanne, &referral).await;
    assert!(
        !before.contains("Netwerk openen"),
        "not before the referral is accepted"
    );
    let accept = [("naar", "accepted"), ("casusregisseur", w.sanne.as_str())];
    assert_eq!(
        post(&app, &sanne, &format!("{referral}/status"), &accept)
            .await
            .status(),
        303
    );
    let page = fetch_page(&app, &sanne, &referral).await;
    assert!(page.contains("Netwerk openen"), "{page}");
    let r = post(&app, &sanne, &format!("{referral}/netwerk"), &[]).await;
    assert_eq!(r.status(), 303);
    let network = location_path(&r);
    assert!(network.starts_with("/netwerken/"));
    let r = post(&app, &sanne, &format!("{referral}/netwerk"), &[]).await;
    assert_eq!(location_path(&r), network, "one network per child");

    let page = fetch_page(&app, &sanne, &network).await;
    assert!(
        page.contains("Netwerk rond Noor de Vries (12 jaar)"),
        "{page}"
    );
    assert!(page.contains("casusregisseur bij Sociaal Team Voorbeeld"));
    assert!(page.contains("huisarts bij Huisartsenpraktijk De Linde"));
    assert!(page.contains("Nog geen toestemming voor: meedoen, berichten"));

    // The GP is in it, but without the family's consent sees only who coordinates.
    let seen = fetch_page(&app, &gp, &network).await;
    assert!(seen.contains("geen toestemming") && seen.contains("Sociaal Team Voorbeeld"));
    assert!(!seen.contains("Noor"), "not even the child's name: {seen}");
    // Someone outside gets nothing, and the refusal is logged.
    let (status, _) = fetch_any(&app, &outsider, &network).await;
    assert_eq!(status, 404);
    assert!(
        app.audit()
            .await
            .iter()
            .any(|e| e.action == "network_read" && e.outcome == "denied" && e.child_id.is_some())
    );

    // The family joins; the youth has no gezag over herself.
    let add = |naam: &'static str, relatie: &'static str, gezag: &'static str| {
        vec![("naam", naam), ("relatie", relatie), ("gezag", gezag)]
    };
    let r = post(
        &app,
        &sanne,
        &format!("{network}/gezin"),
        &add("Noor de Vries", "jeugdige", "ja"),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("geen gezag over zichzelf"));
    for (naam, relatie, gezag) in [
        ("Eva de Vries", "ouder", "ja"),
        ("Noor de Vries", "jeugdige", ""),
    ] {
        let r = post(
            &app,
            &sanne,
            &format!("{network}/gezin"),
            &add(naam, relatie, gezag),
        )
        .await;
        assert_eq!(r.status(), 303);
    }
    let page = fetch_page(&app, &sanne, &network).await;
    assert!(page.contains("ouder (met gezag)") && page.contains("jongere zelf"));
    let id_of = |page: &str, name: &str| -> String {
        let at = page.find(&format!(">{name}</option>")).unwrap();
        let start = page[..at].rfind("value=\"").unwrap() + 7;
        page[start..].split('"').next().unwrap().to_owned()
    };
    let eva = id_of(&page, "Eva de Vries");
    let noor = id_of(&page, "Noor de Vries");
    let gp_member = {
        let at = page
            .find("(huisarts bij Huisartsenpraktijk De Linde)</option>")
            .unwrap();
        let start = page[..at].rfind("value=\"").unwrap() + 7;
        page[start..].split('"').next().unwrap().to_owned()
    };
    let consent = |by: &str, given: &'static str| {
        vec![
            ("door", by.to_owned()),
            ("voor", gp_member.clone()),
            ("onderdelen", "membership".to_owned()),
            ("antwoord", given.to_owned()),
            ("hoe", "mondeling".to_owned()),
            ("datum", "2026-12-01".to_owned()),
        ]
    };
    let send = |pairs: Vec<(&'static str, String)>| {
        let (app, sanne, network) = (&app, &sanne, network.clone());
        async move {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post(app, sanne, &format!("{network}/toestemming"), &pairs).await
        }
    };
    // A date in the future is refused, and nothing is recorded.
    let mut future = consent(&eva, "ja");
    future[5].1 = "2099-01-01".into();
    let r = send(future).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("niet in de toekomst"));

    // The parent alone is not enough at 12.
    assert_eq!(send(consent(&eva, "ja")).await.status(), 303);
    let seen = fetch_page(&app, &gp, &network).await;
    assert!(!seen.contains("Noor"), "the youth has not answered yet");
    // With the youth's consent too, the GP sees the network.
    assert_eq!(send(consent(&noor, "ja")).await.status(), 303);
    let seen = fetch_page(&app, &gp, &network).await;
    assert!(
        seen.contains("Noor de Vries") && seen.contains("Eva de Vries"),
        "{seen}"
    );
    // A second server behind the same load balancer agrees.
    let second = app.second_server().await;
    let on_second = format!("http://{}{network}", second.addr);
    let seen = gp
        .get(&on_second)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(seen.contains("Eva de Vries"), "{seen}");
    // Withdrawn on one server: on the very next request, on either server, the GP is
    // back to who coordinates.
    assert_eq!(send(consent(&noor, "nee")).await.status(), 303);
    let seen = gp
        .get(&on_second)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !seen.contains("Noor") && seen.contains("geen toestemming"),
        "{seen}"
    );
    let seen = fetch_page(&app, &gp, &network).await;
    assert!(!seen.contains("Noor") && seen.contains("geen toestemming"));

    // The parent is invited by e-mail (content-free), sets a password and finds her
    // child's network on her start page.
    let r = post(
        &app,
        &sanne,
        &format!("{network}/leden/{eva}/uitnodigen"),
        &[("email", "geen-adres")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let before = app.smtp.mails().len();
    let r = post(
        &app,
        &sanne,
        &format!("{network}/leden/{eva}/uitnodigen"),
        &[("email", "eva@gezin.example")],
    )
    .await;
    assert_eq!(r.status(), 303);
    // Earlier notices may still be on their way: wait for hers.
    let mut n = before + 1;
    let invitation = loop {
        let mails = app.smtp.wait_for(n).await;
        if let Some(m) = mails
            .iter()
            .find(|m| m.to == vec!["eva@gezin.example".to_owned()])
        {
            break m.clone();
        }
        assert!(mails.len() >= n, "the parent is mailed");
        n += 1;
    };
    let invitation = &invitation;
    assert!(
        !invitation.data.contains("Noor"),
        "the mail says nothing about the child"
    );
    let link = smtp::link_in(invitation).unwrap();
    let eva_client = app.client();
    let pw = "ons gezin samen sterk";
    let r = eva_client
        .post(app.url(link.trim_start_matches(&app.base)))
        .form(&[("password", pw), ("password_repeat", pw)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    password_login(&app, &eva_client, "eva@gezin.example", pw, "/").await;
    let home = fetch_page(&app, &eva_client, "/").await;
    assert!(home.contains("Noor de Vries (12 jaar)"), "{home}");
    let own = fetch_page(&app, &eva_client, &network).await;
    assert!(own.contains("Uw toestemming voor"), "{own}");
    // She allows the GP to see documents herself, and reads who looked.
    let r = post(
        &app,
        &eva_client,
        &format!("{network}/mijn-toestemming"),
        &[
            ("voor", gp_member.as_str()),
            ("onderdeel", "documents"),
            ("antwoord", "ja"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let log = fetch_page(&app, &eva_client, &format!("{network}/inzage")).await;
    assert!(
        log.contains("Netwerk bekeken") && log.contains("Huisartsenpraktijk De Linde"),
        "{log}"
    );
    assert!(
        log.contains("(geweigerd)"),
        "the outsider's attempt shows too"
    );
    assert!(log.contains("Toestemming gegeven"));
    // The log of another network's child is not hers.
    let (status, _) = fetch_any(&app, &outsider, &format!("{network}/inzage")).await;
    assert_eq!(status, 404);

    // Taken out of the network: nothing at all.
    let r = post(
        &app,
        &sanne,
        &format!("{network}/leden/{gp_member}/verwijderen"),
        &[],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (status, _) = fetch_any(&app, &gp, &network).await;
    assert_eq!(status, 404);
    let actions: Vec<String> = app.audit().await.into_iter().map(|e| e.action).collect();
    for a in [
        "network_open",
        "network_member_add",
        "consent_record",
        "network_member_remove",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} is logged");
    }
    app.stop().await;
}

on_both_backends!(the_network_api_answers_as_the_pages_do,);

/// The JSON API: open from a referral, add the family, record consent, read the log,
/// remove a member; a member without consent sees only who coordinates, anyone else
/// gets 404 as for an id that does not exist.
async fn the_network_api_answers_as_the_pages_do(b: Backend) {
    use serde_json::{Value, json};
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp_page = logged_in(&app, "arts@linde.example").await;
    let sanne_page = logged_in(&app, "sanne@team.example").await;
    let doel = format!("team:{}", w.team);
    let r = post(&app, &gp_page, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    let referral = location_path(&r);
    let accept = [("naar", "accepted"), ("casusregisseur", w.sanne.as_str())];
    post(&app, &sanne_page, &format!("{referral}/status"), &accept).await;
    let referral_id = referral.trim_start_matches("/verwijzingen/").to_owned();

    let token = |email: &'static str| {
        let app = &app;
        async move {
            let id = app.user_id(email).await;
            app.token_for(&id).await
        }
    };
    let (sanne, gp, outsider) = (
        token("sanne@team.example").await,
        token("arts@linde.example").await,
        token("zorg@horizon.example").await,
    );
    let client = app.client();
    let call = |method: reqwest::Method, path: String, who: String, body: Option<Value>| {
        let (client, app) = (client.clone(), &app);
        async move {
            let mut req = client.request(method, app.url(&path)).bearer_auth(who);
            if let Some(b) = body {
                req = req.json(&b);
            }
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            let text = r.text().await.unwrap();
            (
                status,
                serde_json::from_str::<Value>(&text).unwrap_or(Value::Null),
            )
        }
    };
    use reqwest::Method;
    let (status, n) = call(
        Method::POST,
        "/api/v1/networks".into(),
        sanne.clone(),
        Some(json!({"referral_id": referral_id})),
    )
    .await;
    assert_eq!(status, 201, "{n}");
    assert_eq!(n["reach"], "coordinates");
    assert_eq!(n["child_name"], "Noor de Vries");
    let id = n["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/networks/{id}");

    let (status, e) = call(
        Method::POST,
        format!("{path}/members"),
        sanne.clone(),
        Some(json!({"name": "Eva de Vries", "relation": "tante?"})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(e["error"]["fields"][0]["field"], "relation", "{e}");
    let (status, n) = call(
        Method::POST,
        format!("{path}/members"),
        sanne.clone(),
        Some(json!({"name": "Eva de Vries", "relation": "ouder", "gezag": true})),
    )
    .await;
    assert_eq!(status, 201);
    let members = n["members"].as_array().unwrap();
    let eva = members
        .iter()
        .find(|m| m["name"] == "Eva de Vries")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let gp_member = members
        .iter()
        .find(|m| m["what"].as_str().unwrap_or("").starts_with("huisarts"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The GP: in it, without consent; an outsider and an unknown id: the same 404.
    let (status, seen) = call(Method::GET, path.clone(), gp.clone(), None).await;
    assert_eq!(status, 200);
    assert_eq!(seen["reach"], "exists_only");
    assert!(seen["child_name"].is_null() && seen["members"].as_array().unwrap().is_empty());
    let (status, a) = call(Method::GET, path.clone(), outsider.clone(), None).await;
    let (status2, b) = call(
        Method::GET,
        "/api/v1/networks/01a2410c-0000-7000-8000-000000000000".into(),
        outsider.clone(),
        None,
    )
    .await;
    assert_eq!((status, status2), (404, 404));
    assert_eq!(a, b, "not yours reads as not there");
    for sub in ["consents", "access-log"] {
        let (status, _) = call(Method::GET, format!("{path}/{sub}"), outsider.clone(), None).await;
        assert_eq!(status, 404, "{sub}");
    }

    // Consent recorded for the GP: the parent alone is not enough at 12.
    let (status, consents) = call(
        Method::POST,
        format!("{path}/consents"),
        sanne.clone(),
        Some(
            json!({"grantee_id": gp_member, "categories": ["membership"], "given": true,
            "by_member_id": eva, "how": "mondeling", "on": "2026-12-01"}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{consents}");
    let gp_membership = consents
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["member_id"] == gp_member.as_str() && c["category"] == "membership")
        .unwrap()
        .clone();
    assert_eq!(gp_membership["standing"], "waiting");
    let (status, log) = call(
        Method::GET,
        format!("{path}/access-log"),
        sanne.clone(),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|l| l["what"] == "Toestemming vastgelegd namens het gezin"),
        "{log}"
    );
    let (status, _) = call(
        Method::GET,
        format!("{path}/access-log?from=gisteren"),
        sanne.clone(),
        None,
    )
    .await;
    assert_eq!(status, 422);

    // HL7 FHIR R4: the network as a CareTeam, an answer as a Consent, valid against the
    // R4 schema; nothing for the GP without consent or for an outsider.
    let fhir = |path: String, who: String| {
        let (client, app) = (client.clone(), &app);
        async move {
            let r = client
                .get(app.url(&path))
                .bearer_auth(who)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, team) = fhir(format!("/api/fhir/CareTeam/{id}"), sanne.clone()).await;
    assert_eq!(status, 200);
    super::api::assert_valid(&super::api::fhir_validator("CareTeam"), "CareTeam", &team);
    assert!(
        team["participant"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["member"]["reference"]
                .as_str()
                .unwrap()
                .starts_with("RelatedPerson/")),
        "the parent is in the team: {team}"
    );
    let answer_id = {
        let n = id.clone();
        app.db
            .read(move |c| {
                Ok(rondom_db::networks::answers(c, &n)?
                    .first()
                    .map(|a| a.id.clone())
                    .unwrap())
            })
            .await
            .unwrap()
    };
    let (status, consent) = fhir(format!("/api/fhir/Consent/{answer_id}"), sanne.clone()).await;
    assert_eq!(status, 200);
    super::api::assert_valid(&super::api::fhir_validator("Consent"), "Consent", &consent);
    assert_eq!(consent["provision"]["type"], "permit");
    assert!(
        consent["performer"][0]["reference"]
            .as_str()
            .unwrap()
            .starts_with("RelatedPerson/"),
        "the parent gave it (the child is 12: the youth is asked too)"
    );
    for who in [gp.clone(), outsider.clone()] {
        let (s1, _) = fhir(format!("/api/fhir/CareTeam/{id}"), who.clone()).await;
        let (s2, _) = fhir(format!("/api/fhir/Consent/{answer_id}"), who).await;
        assert_eq!((s1, s2), (404, 404));
    }

    // Removed: the GP's next request finds nothing.
    let (status, _) = call(
        Method::DELETE,
        format!("{path}/members/{gp_member}"),
        sanne.clone(),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = call(Method::GET, path.clone(), gp.clone(), None).await;
    assert_eq!(status, 404);
    app.stop().await;
}

on_both_backends!(emergency_access_opens_the_network_tells_the_team_leader_and_shows_in_the_log,);

/// A safety concern: a member without consent opens the network with a reason; the team
/// leader is told at once and the access log shows it, reason and all.
async fn emergency_access_opens_the_network_tells_the_team_leader_and_shows_in_the_log(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let sanne = logged_in(&app, "sanne@team.example").await;
    let doel = format!("team:{}", w.team);
    let r = post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    let referral = location_path(&r);
    let accept = [("naar", "accepted"), ("casusregisseur", w.sanne.as_str())];
    post(&app, &sanne, &format!("{referral}/status"), &accept).await;
    let network = location_path(&post(&app, &sanne, &format!("{referral}/netwerk"), &[]).await);
    let seen = fetch_page(&app, &gp, &network).await;
    assert!(seen.contains("Noodtoegang") && !seen.contains("Noor"));

    let r = post(
        &app,
        &gp,
        &format!("{network}/noodtoegang"),
        &[("reden", "veiligheid"), ("toelichting", "kort")],
    )
    .await;
    assert_eq!(r.status(), 422, "a reason in one's own words is required");
    assert!(!fetch_page(&app, &gp, &network).await.contains("Noor"));
    let before = app.smtp.mails().len();
    let why = "Moeder belde in paniek; vader dreigt het kind mee te nemen.";
    let r = post(
        &app,
        &gp,
        &format!("{network}/noodtoegang"),
        &[("reden", "veiligheid"), ("toelichting", why)],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), format!("{network}?gedaan=noodtoegang"));
    let seen = fetch_page(&app, &gp, &location(&r)).await;
    assert!(
        seen.contains("Noor de Vries") && seen.contains("noodtoegang voor 24 uur"),
        "{seen}"
    );
    // The team leader hears at once, without content.
    let mut n = before + 1;
    loop {
        let mails = app.smtp.wait_for(n).await;
        if let Some(m) = mails
            .iter()
            .find(|m| m.to == vec!["leider@team.example".to_owned()])
        {
            assert!(!m.data.contains("Noor") && !m.data.contains("paniek"));
            break;
        }
        assert!(mails.len() >= n, "the team leader is mailed");
        n += 1;
    }
    // The access log says who, that it was emergency access, and why.
    let log = fetch_page(&app, &sanne, &format!("{network}/inzage")).await;
    assert!(
        log.contains("Noodtoegang zonder toestemming") && log.contains("vader dreigt"),
        "{log}"
    );
    // The coordinator needs none, and a second request is refused.
    let r = post(
        &app,
        &gp,
        &format!("{network}/noodtoegang"),
        &[("reden", "veiligheid"), ("toelichting", why)],
    )
    .await;
    assert_eq!(r.status(), 403, "already open");

    // The team leader follows the notice to the overview: who, when and why, not the
    // network's content; a consultant has no such overview.
    let leader = logged_in(&app, "leider@team.example").await;
    let overview = fetch_page(&app, &leader, "/netwerken/noodtoegang").await;
    assert!(
        overview.contains("vader dreigt") && overview.contains("loopt nog tot"),
        "{overview}"
    );
    assert!(!overview.contains("Noor"), "no content of the network");
    assert_eq!(fetch_any(&app, &leader, &network).await.0, 404);
    assert_eq!(
        fetch_any(&app, &sanne, "/netwerken/noodtoegang").await.0,
        403
    );
    assert!(
        app.audit()
            .await
            .iter()
            .any(|e| e.action == "network_emergency_review" && e.child_id.is_some())
    );
    app.stop().await;
}

on_both_backends!(no_one_outside_a_network_gets_anything_of_it,);

/// Every role outside a network (the coordinating team's own leader and admin, the
/// platform's admin, and a parent in another child's network included) against every
/// network object, on the pages, the JSON API and FHIR, reading and writing: the same
/// "not found" as for an id that does not exist, and each refusal in the audit log.
async fn no_one_outside_a_network_gets_anything_of_it(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let sanne = logged_in(&app, "sanne@team.example").await;
    let doel = format!("team:{}", w.team);
    let mut networks = Vec::new();
    for (name, bsn) in [("Noor de Vries", "111222333"), ("Daan Bakker", "")] {
        let mut fields = child_fields(&doel);
        fields.retain(|(k, _)| *k != "naam" && *k != "bsn");
        fields.push(("naam", name));
        if !bsn.is_empty() {
            fields.push(("bsn", bsn));
        }
        let referral = location_path(&post(&app, &gp, "/verwijzingen/nieuw", &fields).await);
        let accept = [("naar", "accepted"), ("casusregisseur", w.sanne.as_str())];
        post(&app, &sanne, &format!("{referral}/status"), &accept).await;
        networks.push(location_path(
            &post(&app, &sanne, &format!("{referral}/netwerk"), &[]).await,
        ));
    }
    let (network, other) = (networks[0].clone(), networks[1].clone());
    let id = network.trim_start_matches("/netwerken/").to_owned();
    // A member and a consent answer of this network, to aim at.
    let r = post(
        &app,
        &sanne,
        &format!("{network}/gezin"),
        &[
            ("naam", "Eva de Vries"),
            ("relatie", "ouder"),
            ("gezag", "ja"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (member, answer) = {
        let n = id.clone();
        app.db
            .read(move |c| {
                let m = rondom_db::networks::members(c, &n)?;
                let eva = m
                    .iter()
                    .find(|x| x.kind == "family")
                    .unwrap()
                    .id
                    .to_string();
                let gp = m
                    .iter()
                    .find(|x| x.role_label == "huisarts")
                    .unwrap()
                    .id
                    .to_string();
                rondom_db::networks::add_answer(
                    c,
                    &n,
                    &rondom_db::networks::NewAnswer {
                        grantee_id: &gp,
                        category: "membership",
                        by_member_id: &eva,
                        given: true,
                        how: "mondeling",
                        answered_on: rondom_app::dates::today(),
                        recorded_by: &m[0].added_by,
                    },
                )?;
                let a = rondom_db::networks::answers(c, &n)?[0].id.clone();
                Ok((eva, a))
            })
            .await
            .unwrap()
    };

    // Everyone outside: each kind of role, in other organisations and in the team's own.
    let elsewhere = app
        .org("Huisartsenpraktijk Elders", "huisartsenpraktijk")
        .await;
    let other_team = app.org("Sociaal Team Elders", "sociaal_team").await;
    let gemeente = app.org("Gemeente Elders", "gemeente").await;
    let school = app.org("School Elders", "school").await;
    let jgz = app.org("JGZ Elders", "jgz").await;
    let provider = app.org("Aanbieder Elders", "zorgaanbieder").await;
    let platform = app.org("Rondom Beheer", "platform").await;
    let outsiders: Vec<(&str, Option<&String>, &[&str])> = vec![
        ("huisarts@elders.example", Some(&elsewhere), &["huisarts"]),
        ("poh@elders.example", Some(&elsewhere), &["poh"]),
        (
            "consulent@elders.example",
            Some(&other_team),
            &["consulent"],
        ),
        (
            "beleid@elders.example",
            Some(&gemeente),
            &["beleidsmedewerker"],
        ),
        ("ib@elders.example", Some(&school), &["school"]),
        ("jgz@elders.example", Some(&jgz), &["jgz"]),
        (
            "zorg@elders.example",
            Some(&provider),
            &["zorgaanbieder_medewerker"],
        ),
        (
            "beheer@team.example",
            Some(&w.team),
            &["organisatiebeheerder"],
        ),
        ("admin@rondom.example", Some(&platform), &["beheerder"]),
        ("ouder@ander-kind.example", None, &["ouder_verzorger"]),
    ];
    let mut people = Vec::new();
    for (email, org, roles) in &outsiders {
        let uid = app.user(email, org.map(String::as_str), roles).await;
        people.push((*email, uid));
    }
    // The team's own leader of world() is outside too.
    people.push((
        "leider@team.example",
        app.user_id("leider@team.example").await,
    ));
    // The parent is in the other child's network.
    {
        let (n, parent) = (
            other.trim_start_matches("/netwerken/").to_owned(),
            people
                .iter()
                .find(|(e, _)| e.starts_with("ouder@"))
                .unwrap()
                .1
                .clone(),
        );
        app.db
            .write(move |c| {
                let by = rondom_db::networks::find(c, &n)?.unwrap().coordinator_id;
                rondom_db::networks::add_member(
                    c,
                    &n,
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
                    &by,
                )
                .map(|_| ())
            })
            .await
            .unwrap();
    }

    let unknown = "01a2410c-0000-7000-8000-000000000000";
    let pages = [network.clone(), format!("{network}/inzage")];
    let api = [
        format!("/api/v1/networks/{id}"),
        format!("/api/v1/networks/{id}/consents"),
        format!("/api/v1/networks/{id}/access-log"),
        format!("/api/fhir/CareTeam/{id}"),
        format!("/api/fhir/Consent/{answer}"),
    ];
    let writes: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            format!("{network}/gezin"),
            vec![("naam", "X Y"), ("relatie", "ouder")],
        ),
        (
            format!("{network}/toestemming"),
            vec![("door", member.as_str()), ("voor", member.as_str())],
        ),
        (
            format!("{network}/mijn-toestemming"),
            vec![
                ("voor", member.as_str()),
                ("onderdeel", "plan"),
                ("antwoord", "ja"),
            ],
        ),
        (
            format!("{network}/noodtoegang"),
            vec![
                ("reden", "veiligheid"),
                ("toelichting", "Een reden van genoeg tekens."),
            ],
        ),
        (format!("{network}/leden/{member}/verwijderen"), vec![]),
        (
            format!("{network}/leden/{member}/uitnodigen"),
            vec![("email", "x@y.example")],
        ),
        (format!("{network}/leden/{member}/toelaten"), vec![]),
        (
            format!("{network}/aanmelden"),
            vec![("verwijzing", unknown)],
        ),
    ];
    let looked_before = app
        .audit()
        .await
        .iter()
        .filter(|e| e.outcome == "denied" && e.object_type == "network")
        .count();
    let mut leaks = Vec::new();
    for (email, uid) in &people {
        let client = logged_in(&app, email).await;
        for p in &pages {
            let (status, body) = fetch_any(&app, &client, p).await;
            let body = without_csrf(&body);
            if status != 404 || body.contains("Noor") || body.contains("Eva") {
                leaks.push(format!("{email} GET {p}: {status}"));
            }
        }
        for (p, fields) in &writes {
            let status = post(&app, &client, p, fields).await.status().as_u16();
            if status != 404 {
                leaks.push(format!("{email} POST {p}: {status}"));
            }
        }
        let token = app.token_for(uid).await;
        for p in &api {
            let r = client
                .get(app.url(p))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            let (s2, b2) = {
                let unknown_path = p.replace(&id, unknown).replace(&answer, unknown);
                let r = client
                    .get(app.url(&unknown_path))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            };
            if status != 404 || s2 != 404 || body != b2 {
                leaks.push(format!("{email} GET {p}: {status} (unknown id: {s2})"));
            }
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
    // Each refusal to read is in the log with the child.
    let refused = app
        .audit()
        .await
        .into_iter()
        .filter(|e| e.outcome == "denied" && e.object_type == "network" && e.child_id.is_some())
        .count();
    assert!(
        refused - looked_before >= people.len() * pages.len(),
        "{refused} refusals logged"
    );
    app.stop().await;
}

on_both_backends!(a_professional_learns_of_the_childs_network_and_asks_to_join,);

/// "Who else is involved": the POH refers a child who already has a network (the same
/// BSN); her referral says a network exists and who coordinates it, nothing more; she
/// asks to join, the case director is told and lets her in, and the family's consent
/// still decides what she sees. The match is logged for both children.
async fn a_professional_learns_of_the_childs_network_and_asks_to_join(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let poh = logged_in(&app, "poh@linde.example").await;
    let sanne = logged_in(&app, "sanne@team.example").await;
    let doel = format!("team:{}", w.team);
    let first = location_path(&post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&doel)).await);
    let accept = [("naar", "accepted"), ("casusregisseur", w.sanne.as_str())];
    post(&app, &sanne, &format!("{first}/status"), &accept).await;
    let network = location_path(&post(&app, &sanne, &format!("{first}/netwerk"), &[]).await);

    // Another child: nothing to tell. (A POH refers on behalf of a GP.)
    let gp_id = app.user_id("arts@linde.example").await;
    let mut other = child_fields(&doel);
    other.retain(|(k, _)| *k != "naam" && *k != "bsn");
    other.push(("naam", "Daan Bakker"));
    other.push(("namens", gp_id.as_str()));
    let r = post(&app, &poh, "/verwijzingen/nieuw", &other).await;
    assert_eq!(r.status(), 303);
    let unrelated = fetch_page(&app, &poh, &location_path(&r)).await;
    assert!(!unrelated.contains("Er is al een netwerk rond dit kind"));

    // The same child (same BSN, a typo in the name): the network's existence and its
    // coordinating organisation, nothing of its content.
    let mut same = child_fields(&doel);
    same.retain(|(k, _)| *k != "naam");
    same.push(("naam", "Noor de Vriess"));
    same.push(("namens", gp_id.as_str()));
    let r = post(&app, &poh, "/verwijzingen/nieuw", &same).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let second = location_path(&r);
    let page = fetch_page(&app, &poh, &second).await;
    assert!(
        page.contains("Er is al een netwerk rond dit kind"),
        "{page}"
    );
    assert!(page.contains("Sociaal Team Voorbeeld regisseert een netwerk"));
    let (status, _) = fetch_any(&app, &poh, &network).await;
    assert_eq!(status, 404, "not in it yet");

    let id = network.trim_start_matches("/netwerken/");
    let before = app.smtp.mails().len();
    let r = post(
        &app,
        &poh,
        &format!("{network}/aanmelden"),
        &[("verwijzing", second.trim_start_matches("/verwijzingen/"))],
    )
    .await;
    assert_eq!(r.status(), 303);
    let page = fetch_page(&app, &poh, &second).await;
    assert!(page.contains("U heeft gevraagd om mee te doen"));
    // Asking for a network not recognised from one's referral finds nothing.
    let r = post(
        &app,
        &poh,
        &format!("{network}/aanmelden"),
        &[("verwijzing", first.trim_start_matches("/verwijzingen/"))],
    )
    .await;
    assert_eq!(r.status(), 404);
    let mut n = before + 1;
    loop {
        let mails = app.smtp.wait_for(n).await;
        if mails
            .iter()
            .any(|m| m.to == vec!["sanne@team.example".to_owned()] && m.data.contains("Verzoek"))
        {
            break;
        }
        assert!(mails.len() >= n, "the case director is mailed");
        n += 1;
    }
    let coordinator = fetch_page(&app, &sanne, &network).await;
    assert!(
        coordinator.contains("vraagt om mee te doen"),
        "{coordinator}"
    );
    let member = {
        let n = id.to_owned();
        app.db
            .read(move |c| {
                Ok(rondom_db::networks::members(c, &n)?
                    .into_iter()
                    .find(|m| m.state == "proposed")
                    .unwrap()
                    .id
                    .to_string())
            })
            .await
            .unwrap()
    };
    let r = post(
        &app,
        &sanne,
        &format!("{network}/leden/{member}/toelaten"),
        &[],
    )
    .await;
    assert_eq!(r.status(), 303);
    let seen = fetch_page(&app, &poh, &network).await;
    assert!(
        seen.contains("geen toestemming") && !seen.contains("Noor"),
        "the family decides next"
    );
    let children: Vec<String> = app
        .audit()
        .await
        .into_iter()
        .filter(|e| e.action == "network_match")
        .filter_map(|e| e.child_id)
        .collect();
    let distinct: std::collections::HashSet<&String> = children.iter().collect();
    assert!(distinct.len() >= 2, "the match is logged for both children");
    app.stop().await;
}
