//! A provider keeps its offer current from its own menu (Beheer → Aanbod): each service
//! with its waiting time and when it was last checked, stale ones marked, "still
//! current" in one click that comes back to the same list.

use super::provider;
use crate::common::*;

on_both_backends!(a_provider_keeps_its_offer_current_from_beheer);

async fn a_provider_keeps_its_offer_current_from_beheer(b: Backend) {
    let app = TestApp::start(b).await;
    let (org, service) = provider(&app).await;
    app.org("Gemeente Voorbeeld", "gemeente").await;
    let admin = logged_in(&app, "beheer@vlinder.example").await;
    let r = admin.get(app.url("/beheer")).send().await.unwrap();
    let own = format!("/beheer/organisaties/{org}");
    assert_eq!(location(&r), own, "Beheer is the own organisation");
    let page = fetch_page(&app, &admin, &own).await;
    assert!(
        page.contains("<dt>Gemeente</dt><dd>Gemeente Voorbeeld</dd>"),
        "the seat by name, not its CBS code: {page}"
    );
    let offer = page
        .split("id=\"aanbod\"")
        .nth(1)
        .and_then(|p| p.split("</section>").next())
        .unwrap_or("");
    assert!(
        offer.contains("Speltherapie")
            && offer.contains("wachttijd 6 weken")
            && offer.contains("nagekeken op 15 januari 2025")
            && offer.contains("verouderd"),
        "{offer}"
    );
    let csrf = csrf_of(&app, &admin).await;
    let r = admin
        .post(app.url(&format!("/sociale-kaart/aanbod/{service}/gecontroleerd")))
        .form(&[("csrf", csrf.as_str()), ("terug", "beheer")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        location(&r),
        format!("/beheer/organisaties/{org}?melding=gecontroleerd#aanbod")
    );
    let page = fetch_page(&app, &admin, &format!("/beheer/organisaties/{org}")).await;
    let today = rondom_web::format::long_date(rondom_web::format::today());
    assert!(page.contains(&format!("nagekeken op {today}")), "{page}");
    assert!(!page.contains("<strong>verouderd</strong>"));
    // An employee without admin rights has no Beheer, and cannot mark it.
    let employee = logged_in(&app, "medewerker@vlinder.example").await;
    let csrf = csrf_of(&app, &employee).await;
    let r = employee
        .post(app.url(&format!("/sociale-kaart/aanbod/{service}/gecontroleerd")))
        .form(&[("csrf", csrf.as_str()), ("terug", "beheer")])
        .send()
        .await
        .unwrap();
    assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());
    app.stop().await;
}
