//! The loop from GP to team to provider and back, refused input, drafts, from a consultation.

use super::{child_fields, count, post, world};
use crate::common::*;
use serde_json::Value;

on_both_backends!(
    the_loop_closes_from_gp_to_team_to_provider_and_back,
    bad_input_is_refused_and_nothing_is_saved,
    a_consultation_becomes_a_referral_without_retyping,
    a_draft_stays_with_the_referrer_until_it_is_sent,
);

async fn the_loop_closes_from_gp_to_team_to_provider_and_back(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let form = fetch_page(&app, &gp, "/verwijzingen/nieuw").await;
    assert!(form.contains("Sociaal Team Voorbeeld") && form.contains("Probleemgebieden"));
    // A specialised offer in the sociale kaart can be referred to from its page.
    let offer = fetch_page(&app, &gp, &format!("/sociale-kaart/aanbod/{}", w.service)).await;
    assert!(offer.contains(&format!("/verwijzingen/nieuw?aanbod={}", w.service)));
    let form = fetch_page(
        &app,
        &gp,
        &format!("/verwijzingen/nieuw?aanbod={}", w.service),
    )
    .await;
    assert!(form.contains(&format!("value=\"aanbod:{}\" selected", w.service)));

    let doel = format!("team:{}", w.team);
    let r = post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    assert_eq!(r.status(), 303);
    let page_path = location_path(&r);
    let id = page_path.trim_start_matches("/verwijzingen/").to_owned();
    // Name and BSN are stored encrypted.
    let cid = id.clone();
    let (referral, child) = app
        .db
        .read(move |c| {
            let r = rondom_db::referrals::find(c, &cid)?.unwrap();
            let ch = rondom_db::referrals::child(c, &r.child_id)?.unwrap();
            Ok((r, ch))
        })
        .await
        .unwrap();
    assert!(!child.name_sealed.contains("Noor"));
    assert!(!child.bsn_sealed.unwrap().contains("111222333"));
    assert_eq!(referral.status.code(), "requested");
    // The GP's list shows the child without the BSN.
    let list = fetch_page(&app, &gp, "/verwijzingen").await;
    assert!(list.contains("Noor de Vries") && !list.contains("111222333"));

    // The team's inbox shows it as new; opening it marks it received.
    let sanne = logged_in(&app, "sanne@team.example").await;
    let inbox = fetch_page(&app, &sanne, "/verwijzingen").await;
    let new_section = inbox.split("id=\"sectie-nieuw\"").nth(1).unwrap();
    assert!(
        new_section
            .split("</section>")
            .next()
            .unwrap()
            .contains("Noor de Vries")
    );
    let page = fetch_page(&app, &sanne, &page_path).await;
    assert!(
        page.contains("ontvangen") && page.contains("111222333"),
        "{page}"
    );

    // Accepting needs a case director; then the GP hears back.
    let r = post(
        &app,
        &sanne,
        &format!("{page_path}/status"),
        &[("naar", "accepted")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("casusregisseur"));
    let r = post(
        &app,
        &sanne,
        &format!("{page_path}/status"),
        &[("naar", "accepted"), ("casusregisseur", w.sanne.as_str())],
    )
    .await;
    assert_eq!(r.status(), 303);
    // The agreements inform the referrer and the practice's POH.
    let mails = app.smtp.wait_for(2).await;
    assert!(
        mails
            .iter()
            .any(|m| m.to == vec!["poh@linde.example".to_owned()])
    );
    let to_gp = mails
        .iter()
        .find(|m| m.to == vec!["arts@linde.example".to_owned()])
        .expect("the GP is mailed");
    assert!(smtp::link_in(to_gp).is_some_and(|l| l.ends_with(&page_path)));
    assert!(!to_gp.data.contains("Noor") && !to_gp.data.contains("opvoeding"));
    let list = fetch_page(&app, &gp, "/verwijzingen").await;
    assert!(list.contains("Een verwijzing is geaccepteerd."), "{list}");
    let page = fetch_page(&app, &gp, &page_path).await;
    assert!(page.contains("Casusregisseur: Test sanne"), "{page}");

    // The team refers on to the provider; the GP hears it on the first referral.
    let r = post(
        &app,
        &sanne,
        &format!("{page_path}/status"),
        &[("naar", "in-progress")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = post(
        &app,
        &sanne,
        &format!("{page_path}/doorverwijzen"),
        &[
            ("aanbod", w.service.as_str()),
            ("reden", "Angstklachten vragen specialistische behandeling."),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let onward_path = location_path(&r);
    let provider = logged_in(&app, "zorg@horizon.example").await;
    let inbox = fetch_page(&app, &provider, "/verwijzingen").await;
    assert!(
        inbox.contains("Noor de Vries"),
        "the provider sees what was referred to it"
    );
    // Not the first referral, though: that is between the GP and the team.
    let r = provider.get(app.url(&page_path)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    fetch_page(&app, &provider, &onward_path).await;
    let r = post(
        &app,
        &provider,
        &format!("{onward_path}/status"),
        &[("naar", "accepted")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let page = fetch_page(&app, &gp, &page_path).await;
    assert!(
        page.contains("Doorverwezen") && page.contains("Behandeling bij angst"),
        "{page}"
    );
    // The case director is told to pass the news on.
    let inbox = fetch_page(&app, &sanne, "/verwijzingen").await;
    assert!(inbox.contains("De doorverwijzing is geaccepteerd. Geef de verwijzer terugkoppeling."));
    let onward_page = fetch_page(&app, &sanne, &onward_path).await;
    assert!(
        onward_page.contains("Test sanne"),
        "the case director stays"
    );

    // Completion needs the outcome; then the GP sees it.
    let r = post(
        &app,
        &sanne,
        &format!("{page_path}/status"),
        &[("naar", "completed")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(text.contains("Beschrijf welke hulp er is gegeven."));
    let r = post(
        &app,
        &sanne,
        &format!("{page_path}/status"),
        &[
            ("naar", "completed"),
            (
                "hulp",
                "Zes gesprekken opvoedondersteuning; behandeling angst bij Horizon.",
            ),
            ("door", "Sanne (consulent) en Jeugd-GGZ Horizon"),
            ("vervolg", "Nacontrole bij de huisarts over drie maanden."),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let page = fetch_page(&app, &gp, &page_path).await;
    assert!(
        page.contains("afgerond") && page.contains("Nacontrole bij de huisarts"),
        "{page}"
    );

    let entries = app.audit().await;
    for action in [
        "referral_create",
        "referral_read",
        "referral_transition",
        "referral_refer_on",
    ] {
        assert!(
            entries
                .iter()
                .any(|e| e.action == action
                    && e.child_id.as_deref() == Some(referral.child_id.as_str())),
            "{action} is audit-logged with the child"
        );
    }
    app.stop().await;
}

async fn bad_input_is_refused_and_nothing_is_saved(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let doel = format!("team:{}", w.team);
    let mut fields = child_fields(&doel);
    fields.retain(|(k, _)| *k != "bsn" && *k != "geboortedatum");
    fields.push(("bsn", "123456789"));
    fields.push(("geboortedatum", "2030-01-01"));
    let r = post(&app, &gp, "/verwijzingen/nieuw", &fields).await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("elfproef") && page.contains("in de toekomst"),
        "{page}"
    );
    assert!(page.contains("Noor de Vries"), "what was typed stays");
    assert_eq!(count(&app, "children").await, 0);
    assert_eq!(count(&app, "referrals").await, 0);

    // A POH refers on behalf of a GP, and must say which.
    let poh = logged_in(&app, "poh@linde.example").await;
    let r = post(&app, &poh, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("namens een huisarts"));

    // The agreements advise the team first for behaviour problems: referring straight
    // to a service needs the GP to say so, and then it is allowed.
    let direct = format!("aanbod:{}", w.service);
    let r = post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&direct)).await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("eerst via het sociaal team")
    );
    let mut fields = child_fields(&direct);
    fields.push(("rechtstreeks", "ja"));
    let r = post(&app, &gp, "/verwijzingen/nieuw", &fields).await;
    assert_eq!(r.status(), 303);
    assert_eq!(count(&app, "referrals").await, 1);

    // Rejecting without a reason is refused; nothing changes.
    let path = location_path(&r);
    let zorg = logged_in(&app, "zorg@horizon.example").await;
    fetch_page(&app, &zorg, &path).await;
    let r = post(
        &app,
        &zorg,
        &format!("{path}/status"),
        &[("naar", "rejected")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Geef een reden op"));
    // An impossible move is refused with what is possible.
    let r = post(
        &app,
        &zorg,
        &format!("{path}/status"),
        &[("naar", "completed")],
    )
    .await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("‘geaccepteerd’"));
    let rid = path.trim_start_matches("/verwijzingen/").to_owned();
    let status = app
        .db
        .read(move |c| Ok(rondom_db::referrals::find(c, &rid)?.unwrap().status))
        .await
        .unwrap();
    assert_eq!(status.code(), "received");
    app.stop().await;
}

async fn a_consultation_becomes_a_referral_without_retyping(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let csrf = csrf_of(&app, &gp).await;
    let r = gp
        .post(app.url("/overleg/nieuw"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("team", w.team.as_str()),
            ("onderwerp", "Jongen 14 jaar, somber en spijbelt"),
            ("vraag", "Direct naar de basis-GGZ of eerst via het team?"),
        ])
        .send()
        .await
        .unwrap();
    let thread = location_path(&r);
    let cid = thread.trim_start_matches("/overleg/").to_owned();
    // The GP's one inbox holds the questions too.
    let inbox = fetch_page(&app, &gp, "/verwijzingen").await;
    let questions = inbox
        .split("id=\"sectie-vragen\"")
        .nth(1)
        .expect("a section with the practice's questions");
    assert!(questions.contains("Jongen 14 jaar, somber en spijbelt"));
    let page = fetch_page(&app, &gp, &thread).await;
    assert!(page.contains(&format!("/verwijzingen/nieuw?overleg={cid}")));
    let form = fetch_page(&app, &gp, &format!("/verwijzingen/nieuw?overleg={cid}")).await;
    assert!(
        form.contains("Direct naar de basis-GGZ of eerst via het team?"),
        "the question comes along"
    );
    assert!(form.contains(&format!("value=\"team:{}\" selected", w.team)));
    let doel = format!("team:{}", w.team);
    let mut f = child_fields(&doel);
    f.push(("overleg", cid.as_str()));
    let r = post(&app, &gp, "/verwijzingen/nieuw", &f).await;
    assert_eq!(r.status(), 303);
    let id = location_path(&r)
        .trim_start_matches("/verwijzingen/")
        .to_owned();
    let (referral, consultation) = app
        .db
        .read(move |c| {
            Ok((
                rondom_db::referrals::find(c, &id)?.unwrap(),
                rondom_db::consultations::find(c, &cid)?.unwrap(),
            ))
        })
        .await
        .unwrap();
    assert_eq!(
        referral.consultation_id.as_deref(),
        Some(consultation.id.as_str())
    );
    assert_eq!(consultation.status.code(), "closed");
    app.stop().await;
}

async fn a_draft_stays_with_the_referrer_until_it_is_sent(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let doel = format!("team:{}", w.team);
    let mut f = child_fields(&doel);
    f.retain(|(k, _)| *k != "actie");
    f.push(("actie", "concept"));
    let r = post(&app, &gp, "/verwijzingen/nieuw", &f).await;
    assert_eq!(r.status(), 303);
    let path = location_path(&r);
    let page = fetch_page(&app, &gp, &path).await;
    assert!(page.contains("concept"));
    // The team neither sees nor lists it, nor hears of it.
    let sanne = logged_in(&app, "sanne@team.example").await;
    let r = sanne.get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let token = app.token_for(&w.sanne).await;
    let list: Value = app
        .client()
        .get(app.url("/api/v1/referrals"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
    // No filter the API offers lets the team see it: every box, every status (draft
    // named outright included), with and without a deadline, on every page size.
    let statuses = [
        "",
        "draft",
        "requested",
        "received",
        "accepted",
        "rejected",
        "in-progress",
        "on-hold",
        "completed",
        "cancelled",
        "failed",
    ];
    for bx in ["", "received", "sent"] {
        for status in statuses {
            for due in ["", "2099-12-31"] {
                let r = app
                    .client()
                    .get(app.url("/api/v1/referrals"))
                    .query(&[
                        ("box", bx),
                        ("status", status),
                        ("due_before", due),
                        ("per_page", "100"),
                    ])
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200, "box={bx} status={status} due={due}");
                let list: Value = r.json().await.unwrap();
                assert_eq!(
                    list.as_array().unwrap().len(),
                    0,
                    "box={bx} status={status} due={due}: {list}"
                );
            }
        }
    }
    // The referrer's own list does hold it.
    let gp_token = app
        .token_for(&app.user_id("arts@linde.example").await)
        .await;
    let mine: Value = app
        .client()
        .get(app.url("/api/v1/referrals?status=draft"))
        .bearer_auth(&gp_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    // Sent, it arrives, with a deadline from the day it was sent.
    let r = post(
        &app,
        &gp,
        &format!("{path}/status"),
        &[("naar", "requested")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let inbox = fetch_page(&app, &sanne, "/verwijzingen").await;
    assert!(
        inbox.contains("Noor de Vries")
            && inbox.contains("Er is een nieuwe verwijzing voor uw organisatie.")
    );
    fetch_page(&app, &sanne, &path).await;
    // A pause is told to the referrer, with its reason.
    post(
        &app,
        &sanne,
        &format!("{path}/status"),
        &[("naar", "accepted"), ("casusregisseur", w.sanne.as_str())],
    )
    .await;
    let r = post(
        &app,
        &sanne,
        &format!("{path}/status"),
        &[
            ("naar", "on-hold"),
            ("reden", "Gezin zes weken in het buitenland"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    // The notice first: opening the referral reads it.
    let list = fetch_page(&app, &gp, "/verwijzingen").await;
    assert!(list.contains("Een verwijzing is gepauzeerd."));
    let page = fetch_page(&app, &gp, &path).await;
    assert!(
        page.contains("Gepauzeerd") && page.contains("Gezin zes weken in het buitenland"),
        "{page}"
    );
    app.stop().await;
}
