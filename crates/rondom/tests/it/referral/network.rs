//! The network around a child, opened from an accepted referral: the referrer is in it
//! but sees only who coordinates until the family consents; the rules of consent follow
//! the child's age (12 here: the youth and the parent with gezag both); a withdrawal or
//! a removal takes effect on the next request; outsiders get nothing, and it is logged.

use super::{child_fields, post, world};
use crate::common::*;

on_both_backends!(a_network_opens_from_a_referral_and_follows_the_familys_consent,);

/// The demo's families: a parent of a child under 12 and a youth of 16 or older find
/// their network; what the youth keeps from her parent says so.
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
    for (email, relation, _) in &family {
        let client = app.client();
        password_login(&app, &client, email, "rondom-demo-2026", "/").await;
        let home = fetch_page(&app, &client, "/").await;
        assert!(home.contains("Hulp rond uw kind"), "{email}: {home}");
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
    }
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
    app.stop().await;
}
