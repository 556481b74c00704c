//! The family at the centre of the network: the case director adds a professional from
//! the sociale kaart; the parent with the say takes that professional out again (and
//! cannot take out the case director or her own child); the help around the child is
//! shown to the family, and what the youth of 12 keeps from her parent is hidden from
//! the parent but not from her; the access log pages on.

use super::{child_fields, post, world};
use crate::common::*;

on_both_backends!(the_family_decides_who_takes_part_and_what_the_parents_see,);

/// The value of the first hidden field `name` after `after` on the page.
fn field_after(page: &str, after: &str, name: &str) -> String {
    let from = page
        .find(after)
        .unwrap_or_else(|| panic!("{after}: {page}"));
    let key = format!("name=\"{name}\" value=\"");
    let at = page[from..].find(&key).unwrap() + from + key.len();
    page[at..].split('"').next().unwrap().to_owned()
}

/// A member's id from the case director's consent form ("Voor wie?").
fn member_id(page: &str, option_text: &str) -> String {
    let at = page
        .find(&format!("{option_text}</option>"))
        .unwrap_or_else(|| panic!("{option_text}: {page}"));
    let start = page[..at].rfind("value=\"").unwrap() + 7;
    page[start..].split('"').next().unwrap().to_owned()
}

/// Invites a family member by e-mail, follows the link, sets a password and logs in.
async fn invited(
    app: &TestApp,
    coordinator: &reqwest::Client,
    network: &str,
    member: &str,
    email: &str,
) -> reqwest::Client {
    let before = app.smtp.mails().len();
    let r = post(
        app,
        coordinator,
        &format!("{network}/leden/{member}/uitnodigen"),
        &[("email", email)],
    )
    .await;
    assert_eq!(r.status(), 303);
    let mut n = before + 1;
    let mail = loop {
        let mails = app.smtp.wait_for(n).await;
        if let Some(m) = mails.iter().find(|m| m.to == vec![email.to_owned()]) {
            break m.clone();
        }
        assert!(mails.len() >= n, "{email} is mailed");
        n += 1;
    };
    let link = smtp::link_in(&mail).unwrap();
    let client = app.client();
    let pw = "ons gezin samen sterk";
    let r = client
        .post(app.url(link.trim_start_matches(&app.base)))
        .form(&[("password", pw), ("password_repeat", pw)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    password_login(app, &client, email, pw, "/").await;
    client
}

async fn the_family_decides_who_takes_part_and_what_the_parents_see(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let sanne = logged_in(&app, "sanne@team.example").await;
    let horizon = logged_in(&app, "zorg@horizon.example").await;
    let doel = format!("team:{}", w.team);
    let referral =
        location_path(&post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&doel)).await);
    let accept = [("naar", "accepted"), ("casusregisseur", w.sanne.as_str())];
    post(&app, &sanne, &format!("{referral}/status"), &accept).await;
    let network = location_path(&post(&app, &sanne, &format!("{referral}/netwerk"), &[]).await);
    for (naam, relatie, gezag) in [
        ("Eva de Vries", "ouder", "ja"),
        ("Noor de Vries", "jeugdige", ""),
    ] {
        let pairs = [("naam", naam), ("relatie", relatie), ("gezag", gezag)];
        assert_eq!(
            post(&app, &sanne, &format!("{network}/gezin"), &pairs)
                .await
                .status(),
            303
        );
    }

    // The case director finds the provider's professional on the sociale kaart by the
    // organisation's name, and adds her; until the family consents she sees only who
    // coordinates.
    assert_eq!(fetch_any(&app, &horizon, &network).await.0, 404);
    let found = fetch_page(&app, &sanne, &format!("{network}?zoek=horizon")).await;
    assert!(found.contains("Jeugd-GGZ Horizon"), "{found}");
    assert!(
        !found.contains("arts@linde"),
        "only who matches the words: {found}"
    );
    let wie = field_after(&found, "id=\"hulpverlener\"", "wie");
    let organisatie = field_after(&found, "id=\"hulpverlener\"", "organisatie");
    let r = post(
        &app,
        &sanne,
        &format!("{network}/professionals"),
        &[("wie", &wie), ("organisatie", &organisatie)],
    )
    .await;
    assert_eq!(r.status(), 303);
    // Twice is refused, and so is a person with an organisation they do not work for.
    let r = post(
        &app,
        &sanne,
        &format!("{network}/professionals"),
        &[("wie", &wie), ("organisatie", &organisatie)],
    )
    .await;
    assert_eq!(r.status(), 422, "already in it");
    let found = fetch_page(&app, &sanne, &format!("{network}?zoek=linde")).await;
    assert!(found.contains("doet al mee"), "the GP is in it: {found}");
    let poh = field_after(&found, "id=\"hulpverlener\"", "wie");
    let r = post(
        &app,
        &sanne,
        &format!("{network}/professionals"),
        &[("wie", &poh), ("organisatie", &w.team)],
    )
    .await;
    assert_eq!(r.status(), 404);
    let page = fetch_page(&app, &sanne, &network).await;
    assert!(
        page.contains("zorgaanbieder bij Jeugd-GGZ Horizon"),
        "{page}"
    );
    let seen = fetch_page(&app, &horizon, &network).await;
    assert!(seen.contains("geen toestemming") && !seen.contains("Noor"));
    let horizon_member = member_id(&page, "(zorgaanbieder bij Jeugd-GGZ Horizon)");
    let director_member = member_id(&page, "(casusregisseur bij Sociaal Team Voorbeeld)");
    let eva_id = member_id(&page, "Eva de Vries");
    let noor_id = member_id(&page, "Noor de Vries");

    let eva = invited(&app, &sanne, &network, &eva_id, "eva@gezin.example").await;
    let noor = invited(&app, &sanne, &network, &noor_id, "noor@jong.example").await;

    // The family sees the help: where the referral went, where it stands, and why.
    let reason = "Ouders lopen vast in de opvoeding";
    let own = fetch_page(&app, &eva, &network).await;
    assert!(
        own.contains("Welke hulp is er?") && own.contains("geaccepteerd") && own.contains(reason),
        "{own}"
    );
    // The GP without consent for referral details does not.
    assert!(!fetch_page(&app, &gp, &network).await.contains(reason));

    // At Noor's request the case director keeps the reason from the parents.
    let item = field_after(&page, "name=\"soort\" value=\"referral\"", "item");
    let keep = |item: String| {
        let (app, sanne, network) = (&app, &sanne, network.clone());
        async move {
            post(
                app,
                sanne,
                &format!("{network}/niet-voor-ouders"),
                &[
                    ("soort", "referral"),
                    ("item", &item),
                    ("actie", "verbergen"),
                ],
            )
            .await
        }
    };
    // An id that is not this child's item changes nothing.
    assert_eq!(keep(w.service.clone()).await.status(), 404);
    assert_eq!(keep(item.clone()).await.status(), 303);
    let own = fetch_page(&app, &eva, &network).await;
    assert!(!own.contains(reason), "hidden from the parent: {own}");
    assert!(own.contains("De jongere heeft gevraagd een deel niet met de ouders te delen"));
    let hers = fetch_page(&app, &noor, &network).await;
    assert!(hers.contains(reason), "never from the youth: {hers}");
    // The parent cannot mark or unmark anything herself.
    let r = post(
        &app,
        &eva,
        &format!("{network}/niet-voor-ouders"),
        &[("soort", "referral"), ("item", &item), ("actie", "tonen")],
    )
    .await;
    assert_eq!(r.status(), 403);
    assert!(!fetch_page(&app, &eva, &network).await.contains(reason));

    // The parent with the say takes the provider out; the provider loses access on her
    // next request. The case director and her own child she cannot take out.
    assert!(own.contains("Uit het netwerk halen"));
    let r = post(
        &app,
        &eva,
        &format!("{network}/leden/{horizon_member}/verwijderen"),
        &[],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(fetch_any(&app, &horizon, &network).await.0, 404);
    for (member, says) in [
        (&director_member, "andere casusregisseur"),
        (&noor_id, "Bespreek het met de casusregisseur"),
    ] {
        let (status, body) = {
            let r = post(
                &app,
                &eva,
                &format!("{network}/leden/{member}/verwijderen"),
                &[],
            )
            .await;
            (r.status().as_u16(), r.text().await.unwrap())
        };
        assert_eq!(status, 400);
        assert!(body.contains(says), "{body}");
    }
    let page = fetch_page(&app, &sanne, &network).await;
    assert!(page.contains("Noor de Vries") && !page.contains("Jeugd-GGZ Horizon)"));
    assert!(
        app.audit()
            .await
            .iter()
            .any(|e| e.action == "network_keep_from_parents" && e.child_id.is_some())
    );

    // The POH refers the same child again and asks to join: the parent with the say is
    // told and lets her in, which is her consent to the membership; at 12 Noor must say
    // yes too before the POH sees anything.
    let poh = logged_in(&app, "poh@linde.example").await;
    let gp_id = app.user_id("arts@linde.example").await;
    let mut same = child_fields(&doel);
    same.push(("namens", gp_id.as_str()));
    let second = location_path(&post(&app, &poh, "/verwijzingen/nieuw", &same).await);
    let r = post(
        &app,
        &poh,
        &format!("{network}/aanmelden"),
        &[("verwijzing", second.trim_start_matches("/verwijzingen/"))],
    )
    .await;
    assert_eq!(r.status(), 303);
    let eva_id_user = app.user_id("eva@gezin.example").await;
    let told = app
        .db
        .read(move |c| rondom_db::consultations::unread(c, &eva_id_user))
        .await
        .unwrap();
    assert!(
        told.iter()
            .any(|(_, text, link, _)| text.contains("vraagt om mee te doen") && *link == network),
        "the family is told: {told:?}"
    );
    let own = fetch_page(&app, &eva, &network).await;
    assert!(own.contains("vraagt om mee te doen") && own.contains("Weigeren"));
    let proposed = {
        let at = own.find("vraagt om mee te doen").unwrap();
        let start = own[at..].find("/leden/").unwrap() + at + "/leden/".len();
        own[start..].split('/').next().unwrap().to_owned()
    };
    let r = post(
        &app,
        &eva,
        &format!("{network}/leden/{proposed}/toelaten"),
        &[],
    )
    .await;
    assert_eq!(r.status(), 303);
    let seen = fetch_page(&app, &poh, &network).await;
    assert!(
        seen.contains("geen toestemming") && !seen.contains("Noor"),
        "Noor has not answered yet: {seen}"
    );
    let r = post(
        &app,
        &noor,
        &format!("{network}/mijn-toestemming"),
        &[
            ("voor", proposed.as_str()),
            ("onderdeel", "membership"),
            ("antwoord", "ja"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert!(
        fetch_page(&app, &poh, &network)
            .await
            .contains("Noor de Vries")
    );

    // A period the log cannot read is said so, and the page still answers.
    let (status, body) = fetch_any(&app, &eva, &format!("{network}/inzage?van=gisteren")).await;
    assert_eq!(status, 422);
    assert!(body.contains("Deze datum kunnen we niet lezen"), "{body}");

    // The access log pages on: a full page links to the older lines.
    let log_path = format!("{network}/inzage");
    let mut log = fetch_page(&app, &eva, &log_path).await;
    for _ in 0..80 {
        // Until the first page is full and the network's opening is on an older one.
        if log.contains("Oudere regels") && !log.contains("Netwerk rond het kind geopend") {
            break;
        }
        fetch_page(&app, &sanne, &network).await;
        log = fetch_page(&app, &eva, &log_path).await;
    }
    assert!(log.contains("Oudere regels"), "{log}");
    // Following "Oudere regels" reaches the oldest lines: the network's opening.
    let mut page = log.clone();
    let mut pages = 1;
    while let Some(start) = page.find("/inzage?") {
        let older: String = page[start..]
            .chars()
            .take_while(|c| *c != '"')
            .collect::<String>()
            .replace("&amp;", "&")
            .replace("&#38;", "&");
        page = fetch_page(&app, &eva, &format!("{network}{older}")).await;
        assert!(page.contains("<tr"), "{page}");
        pages += 1;
        assert!(pages < 20, "paging ends: {older}");
        if page.contains("Netwerk rond het kind geopend") {
            break;
        }
    }
    assert!(
        page.contains("Netwerk rond het kind geopend"),
        "the first entry is on an older page: {page}"
    );
    assert!(!log.contains("Netwerk rond het kind geopend"));
    app.stop().await;
}

on_both_backends!(on_the_twelfth_birthday_the_case_director_is_told_once,);

/// A child who turns 12 today: the case director is told once (however often the
/// housekeeping runs), the page says the youth is to be asked, and a parent can no
/// longer be the only one who decides.
async fn on_the_twelfth_birthday_the_case_director_is_told_once(b: Backend) {
    use chrono::Datelike;
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let sanne = logged_in(&app, "sanne@team.example").await;
    let today = rondom_app::dates::today();
    // Born twelve years ago today (1 March for a leap-day date in another year).
    let born = chrono::NaiveDate::from_ymd_opt(today.year() - 12, today.month(), today.day())
        .unwrap_or_else(|| chrono::NaiveDate::from_ymd_opt(today.year() - 12, 3, 1).unwrap())
        .format("%Y-%m-%d")
        .to_string();
    let doel = format!("team:{}", w.team);
    let mut fields = child_fields(&doel);
    for f in &mut fields {
        if f.0 == "geboortedatum" {
            f.1 = born.as_str();
        }
    }
    let referral = location_path(&post(&app, &gp, "/verwijzingen/nieuw", &fields).await);
    let accept = [("naar", "accepted"), ("casusregisseur", w.sanne.as_str())];
    post(&app, &sanne, &format!("{referral}/status"), &accept).await;
    let network = location_path(&post(&app, &sanne, &format!("{referral}/netwerk"), &[]).await);
    let page = fetch_page(&app, &sanne, &network).await;
    assert!(page.contains("(12 jaar)"), "{page}");
    assert!(
        page.contains("Vanaf nu beslist de jongere zelf mee"),
        "the youth is to be asked: {page}"
    );

    let svc = &app.running.as_ref().unwrap().state.app;
    assert_eq!(
        rondom_app::network::milestones::notice(svc).await.unwrap(),
        1
    );
    assert_eq!(
        rondom_app::network::milestones::notice(svc).await.unwrap(),
        0,
        "once"
    );
    let sanne_id = w.sanne.clone();
    let notices = app
        .db
        .read(move |c| rondom_db::consultations::unread(c, &sanne_id))
        .await
        .unwrap();
    let told: Vec<_> = notices
        .iter()
        .filter(|(_, text, link, _)| text.contains("12 geworden") && *link == network)
        .collect();
    assert_eq!(told.len(), 1, "{notices:?}");
    app.stop().await;
}
