//! A school hears of its pupils' referrals at the steps the verwijskader names: who helps
//! and whom to call, never the reason; another school, or a school the verwijskader does
//! not inform, hears nothing; each look is in the audit log with the child.

use super::{child_fields, post, world};
use crate::common::*;
use rondom_domain::agreements::{Agreements, Recipient, Step};

on_both_backends!(a_school_hears_of_its_pupils_referrals_as_the_verwijskader_says,);

async fn a_school_hears_of_its_pupils_referrals_as_the_verwijskader_says(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let school = app.org("Basisschool De Regenboog", "school").await;
    let other = app.org("Basisschool Het Anker", "school").await;
    app.user("ib@regenboog.example", Some(&school), &["school"])
        .await;
    app.user("ib@anker.example", Some(&other), &["school"])
        .await;
    let ib = logged_in(&app, "ib@regenboog.example").await;
    let other_ib = logged_in(&app, "ib@anker.example").await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let sanne = logged_in(&app, "sanne@team.example").await;

    // The GP names the school; by default the verwijskader does not inform schools.
    let doel = format!("team:{}", w.team);
    let mut fields = child_fields(&doel);
    fields.push(("school", school.as_str()));
    let r = post(&app, &gp, "/verwijzingen/nieuw", &fields).await;
    assert_eq!(r.status(), 303);
    let path = location_path(&r);
    let accept = [("naar", "accepted"), ("casusregisseur", w.sanne.as_str())];
    let r = post(&app, &sanne, &format!("{path}/status"), &accept).await;
    assert_eq!(r.status(), 303);
    let page = fetch_page(&app, &ib, "/verwijzingen/leerlingen").await;
    assert!(
        !page.contains("Noor de Vries") && page.contains("geen verwijzingen"),
        "not informed, not shown: {page}"
    );

    // The municipality's verwijskader informs the school of acceptance and completion;
    // a new referral after it takes effect is under it.
    let admin = app.user_id("beleid@gemeente.example").await;
    app.db
        .write(move |c| {
            let mut rules = Agreements::default();
            for (step, who) in &mut rules.inform {
                if matches!(step, Step::Accepted | Step::Completed) {
                    who.push(Recipient::School);
                }
            }
            rondom_db::referrals::insert_agreements(
                c,
                &rondom_db::referrals::NewAgreements {
                    gemeente_code: "GM9999",
                    effective_from: rondom_app::dates::today(),
                    rules: &rules,
                    note: None,
                    created_by: &admin,
                },
            )
            .map(|_| ())
        })
        .await
        .unwrap();
    let mut fields = child_fields(&doel);
    fields.retain(|(k, _)| *k != "naam" && *k != "bsn");
    fields.push(("naam", "Daan Bakker"));
    fields.push(("school", school.as_str()));
    let r = post(&app, &gp, "/verwijzingen/nieuw", &fields).await;
    assert_eq!(r.status(), 303);
    let path = location_path(&r);
    let page = fetch_page(&app, &ib, "/verwijzingen/leerlingen").await;
    assert!(
        !page.contains("Daan Bakker"),
        "sent is not a step the school hears of"
    );
    let r = post(&app, &sanne, &format!("{path}/status"), &accept).await;
    assert_eq!(r.status(), 303);

    // The school's staff are told, with a link to their page, and read who helps.
    let notices = fetch_page(&app, &ib, "/").await;
    assert!(notices.contains("/verwijzingen/leerlingen"), "{notices}");
    let page = fetch_page(&app, &ib, "/verwijzingen/leerlingen").await;
    assert!(page.contains("Daan Bakker"), "{page}");
    assert!(page.contains("Sociaal Team Voorbeeld") && page.contains("sanne@team.example"));
    assert!(page.contains("Huisartsenpraktijk De Linde"));
    assert!(page.contains("Aangenomen op"), "the step with its date");
    assert!(
        !page.contains("veel conflicten thuis") && !page.contains("111222333"),
        "never the reason or the BSN"
    );
    assert!(page.contains(">Leerlingen</a>"), "the menu leads there");
    // The referral itself stays closed to the school.
    let (status, _) = fetch_any(&app, &ib, &path).await;
    assert_eq!(status, 404);

    // Another school hears nothing; a GP has no such page.
    let page = fetch_page(&app, &other_ib, "/verwijzingen/leerlingen").await;
    assert!(!page.contains("Daan Bakker"));
    let (status, _) = fetch_any(&app, &gp, "/verwijzingen/leerlingen").await;
    assert_eq!(status, 403);

    // Each look is logged with the child.
    let looked = app
        .audit()
        .await
        .into_iter()
        .filter(|e| e.action == "referral_school_read" && e.child_id.is_some())
        .count();
    assert!(looked >= 1, "the school's look is in the audit log");
    app.stop().await;
}
