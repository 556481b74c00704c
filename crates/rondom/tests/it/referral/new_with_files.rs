//! Files go along while writing a referral: stored with it in one transaction, checked
//! by their content, and a refused file leaves nothing behind.

use super::{child_fields, count, world};
use crate::common::*;

on_both_backends!(a_referral_is_sent_with_its_files_or_not_at_all);

fn multipart_form(
    csrf: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &'static [u8])],
) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().text("csrf", csrf.to_owned());
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (name, bytes) in files {
        form = form.part(
            "bijlage",
            reqwest::multipart::Part::bytes(*bytes).file_name(name.to_string()),
        );
    }
    form
}

async fn a_referral_is_sent_with_its_files_or_not_at_all(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let doel = format!("team:{}", w.team);
    let fields = child_fields(&doel);
    let csrf = csrf_of(&app, &gp).await;
    let page = fetch_page(&app, &gp, "/verwijzingen/nieuw").await;
    assert!(page.contains("enctype=\"multipart/form-data\"") && page.contains("name=\"bijlage\""));

    // A file that is not what it claims to be: nothing is stored, not even the child.
    let r = gp
        .post(app.url("/verwijzingen/nieuw"))
        .multipart(multipart_form(
            &csrf,
            &fields,
            &[
                ("brief.pdf", b"%PDF-1.7\n een brief van de school"),
                ("scan.pdf", b"MZ\x90\0 een programma"),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Alleen PDF-bestanden en afbeeldingen")
    );
    assert_eq!(count(&app, "referrals").await, 0);
    assert_eq!(count(&app, "children").await, 0);
    assert_eq!(count(&app, "attachments").await, 0);

    // With good files it is sent whole; the receiver opens them.
    let r = gp
        .post(app.url("/verwijzingen/nieuw"))
        .multipart(multipart_form(
            &csrf,
            &fields,
            &[
                ("brief school.pdf", b"%PDF-1.7\n een brief van de school"),
                ("groeicurve.png", b"\x89PNG\r\n\x1a\n\0\0 een plaatje"),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let path = location_path(&r);
    assert_eq!(count(&app, "attachments").await, 2);
    let sanne = logged_in(&app, "sanne@team.example").await;
    let page = fetch_page(&app, &sanne, &path).await;
    assert!(
        page.contains("brief school.pdf") && page.contains("groeicurve.png"),
        "{page}"
    );
    let audit = app.audit().await;
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "referral_attachment_add" && e.actor_name == "Test arts")
            .count(),
        2
    );

    // The plain form without files still works.
    let r = post_form(&app, &gp, &fields).await;
    assert_eq!(r.status(), 303);
    assert_eq!(count(&app, "referrals").await, 2);
    app.stop().await;
}

async fn post_form(
    app: &TestApp,
    gp: &reqwest::Client,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    super::post(app, gp, "/verwijzingen/nieuw", fields).await
}
