//! The audit log reads in Dutch: what was done in words, people and organisations by
//! name, children by initials and age, never a raw id; filtered by person, child and
//! period.

use super::{child_fields, post, world};
use crate::common::*;

on_both_backends!(the_audit_log_names_people_organisations_and_children_in_words);

async fn the_audit_log_names_people_organisations_and_children_in_words(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    app.user(
        "beheer@linde.example",
        Some(&w.practice),
        &["organisatiebeheerder"],
    )
    .await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let doel = format!("team:{}", w.team);
    let r = post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    assert_eq!(r.status(), 303);
    let referral = location_path(&r);
    let id = referral.trim_start_matches("/verwijzingen/").to_owned();
    let mut other = child_fields(&doel);
    other.retain(|(k, _)| *k != "naam");
    other.push(("naam", "Sem Bakker"));
    let r = post(&app, &gp, "/verwijzingen/nieuw", &other).await;
    assert_eq!(r.status(), 303);
    fetch_page(&app, &gp, &referral).await;
    fetch_page(&app, &gp, "/verwijzingen").await;

    let admin = logged_in(&app, "beheer@linde.example").await;
    let page = fetch_page(&app, &admin, "/beheer/audit").await;
    let age = rondom_app::referral::age_on(
        chrono::NaiveDate::from_ymd_opt(2014, 3, 1).unwrap(),
        rondom_web::format::today(),
    );
    let noor = format!("NdV, {age} jaar");
    for words in [
        "Verwijzing gemaakt",
        "Verwijzing ingezien",
        "Kinderen in een lijst getoond",
        "Huisarts",
        "Test arts",
        noor.as_str(),
        "SB,",
    ] {
        assert!(page.contains(words), "{words} in {page}");
    }
    let table = page.split("<tbody>").nth(1).unwrap_or("");
    assert!(!table.contains(&id), "no raw referral id in the log's rows");
    assert!(!table.contains("referral_read") && !table.contains("Noor de Vries"));

    // One child: only what concerns Noor.
    let child = app
        .db
        .read(move |c| rondom_db::referrals::find(c, &id))
        .await
        .unwrap()
        .unwrap()
        .child_id;
    let page = fetch_page(&app, &admin, &format!("/beheer/audit?kind={child}")).await;
    assert!(
        page.contains(&format!("Alleen wat het kind {noor} betreft")),
        "{page}"
    );
    let rows = page.split("<tbody>").nth(1).unwrap_or("");
    assert!(
        rows.contains("Verwijzing ingezien") && !rows.contains("Kinderen in een lijst getoond")
    );
    assert!(!rows.contains("SB,"), "{rows}");

    // One person: only the admin's own look at the log.
    let admin_id = app.user_id("beheer@linde.example").await;
    let page = fetch_page(&app, &admin, &format!("/beheer/audit?persoon={admin_id}")).await;
    let rows = page.split("<tbody>").nth(1).unwrap_or("");
    assert!(
        rows.contains("Auditlog bekeken") && !rows.contains("Test arts"),
        "{rows}"
    );
    app.stop().await;
}
