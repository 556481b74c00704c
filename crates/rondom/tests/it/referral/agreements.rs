//! The municipality's referral agreements (verwijskader): versioned, and applied.

use super::{child_fields, post, world};
use crate::common::*;

on_both_backends!(agreements_are_versioned_and_applied);

async fn agreements_are_versioned_and_applied(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = logged_in(&app, "beleid@gemeente.example").await;
    let page = fetch_page(&app, &admin, "/verwijskader?gemeente=GM9999").await;
    assert!(page.contains("Standaardafspraken") && page.contains("Nieuwe versie vastleggen"));
    // Feedback moments are chosen, not typed with commas.
    assert!(
        page.contains("name=\"terugkoppelmomenten\" value=\"30\" checked"),
        "{page}"
    );
    assert!(!page.contains("gescheiden door komma"));
    let today = rondom_web::format::today();
    let iso = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let today_s = iso(today);
    let yesterday = iso(today - chrono::Duration::days(1));
    let fields = |date: &str| -> Vec<(String, String)> {
        vec![
            ("gemeente".into(), "GM9999".into()),
            ("ingang".into(), date.into()),
            ("termijn_overleg".into(), "3".into()),
            ("termijn_acceptatie".into(), "4".into()),
            ("termijn_spoed".into(), "1".into()),
            ("terugkoppelmomenten".into(), "15, 45".into()),
            ("eerst_team".into(), "psychisch".into()),
            ("eerst_team_urgentie".into(), "regulier".into()),
            ("informeren".into(), "accepted:referrer".into()),
            ("informeren".into(), "completed:referrer".into()),
            ("informeren".into(), "completed:poh".into()),
        ]
    };
    let send = |client: reqwest::Client, pairs: Vec<(String, String)>| {
        let app = &app;
        async move {
            let csrf = csrf_of(app, &client).await;
            let mut all = vec![("csrf".to_owned(), csrf)];
            all.extend(pairs);
            client
                .post(app.url("/verwijskader"))
                .form(&all)
                .send()
                .await
                .unwrap()
        }
    };
    // A version in the past is refused: what applied to earlier referrals stays.
    let r = send(admin.clone(), fields(&yesterday)).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("vandaag of later"));
    let mut bad = fields(&today_s);
    bad.retain(|(k, v)| !(k == "informeren" && v == "completed:referrer"));
    let r = send(admin.clone(), bad).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("cirkel niet rond"));
    let r = send(admin.clone(), fields(&today_s)).await;
    assert_eq!(r.status(), 303);
    let r = send(admin.clone(), fields(&today_s)).await;
    assert_eq!(r.status(), 422, "one version per day");
    // Nobody else sets them.
    let gp = logged_in(&app, "arts@linde.example").await;
    let r = send(gp.clone(), fields(&iso(today + chrono::Duration::days(30)))).await;
    assert_eq!(r.status(), 403);
    let page = fetch_page(&app, &gp, "/verwijskader").await;
    assert!(
        page.contains("geldt nu") && page.contains("binnen 4 werkdagen"),
        "{page}"
    );

    // A referral made now gets the new terms, and shows them.
    let doel = format!("team:{}", w.team);
    let r = post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    let path = location_path(&r);
    let rid = path.trim_start_matches("/verwijzingen/").to_owned();
    let r = app
        .db
        .read(move |c| Ok(rondom_db::referrals::find(c, &rid)?.unwrap()))
        .await
        .unwrap();
    assert_eq!(
        r.due_on,
        Some(rondom_domain::workdays::add_working_days(today, 4))
    );
    assert!(r.agreements_id.is_some());
    let page = fetch_page(&app, &gp, &path).await;
    // Named as people name the municipality, not by its CBS code.
    assert!(
        page.contains(&format!(
            "Verwijskader Gemeente Voorbeeld, geldig vanaf {}",
            rondom_web::format::long_date(today)
        )),
        "{page}"
    );
    assert!(!page.contains("GM9999</dd>"));
    // And consultations are answered within the municipality's term.
    let csrf = csrf_of(&app, &gp).await;
    let r = gp
        .post(app.url("/overleg/nieuw"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("team", w.team.as_str()),
            ("onderwerp", "Jongen 12"),
            ("vraag", "Wat past?"),
        ])
        .send()
        .await
        .unwrap();
    let cid = location_path(&r).trim_start_matches("/overleg/").to_owned();
    let c = app
        .db
        .read(move |c| Ok(rondom_db::consultations::find(c, &cid)?.unwrap()))
        .await
        .unwrap();
    assert_eq!(
        c.due_on,
        rondom_domain::workdays::add_working_days(today, 3)
    );
    // Psychological problems are now "team first": a direct referral needs the tick.
    let direct = format!("aanbod:{}", w.service);
    let mut f = child_fields(&direct);
    f.retain(|(k, _)| *k != "gebieden");
    f.push(("gebieden", "psychisch"));
    let r = post(&app, &gp, "/verwijzingen/nieuw", &f).await;
    assert_eq!(r.status(), 422);
    app.stop().await;
}
