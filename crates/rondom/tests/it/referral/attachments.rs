//! Attachments to a referral, checked by their content and by the installation's virus
//! scanner.

use super::{child_fields, count, post, world};
use crate::common::*;

on_both_backends!(attachments_are_checked_by_their_content);

async fn attachments_are_checked_by_their_content(b: Backend) {
    // The installation's virus scanner: finds the EICAR test string.
    let app = TestApp::start_configured(b, false, |c| {
        c.scan_command = Some("grep -q EICAR && exit 1 || exit 0".into());
    })
    .await;
    let w = world(&app).await;
    let gp = logged_in(&app, "arts@linde.example").await;
    let doel = format!("team:{}", w.team);
    let r = post(&app, &gp, "/verwijzingen/nieuw", &child_fields(&doel)).await;
    let path = location_path(&r);
    let upload = |client: reqwest::Client, name: &'static str, bytes: Vec<u8>| {
        let app = &app;
        let path = path.clone();
        async move {
            let csrf = csrf_of(app, &client).await;
            let form = reqwest::multipart::Form::new().text("csrf", csrf).part(
                "bijlage",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
            client
                .post(app.url(&format!("{path}/bijlagen")))
                .multipart(form)
                .send()
                .await
                .unwrap()
        }
    };
    // A program named .pdf is refused.
    let r = upload(gp.clone(), "verslag.pdf", b"MZ\x90\x00 not a pdf".to_vec()).await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Alleen PDF-bestanden en afbeeldingen")
    );
    assert_eq!(count(&app, "referral_attachments").await, 0);
    // So is a PDF the virus scanner stops.
    let r = upload(gp.clone(), "scan.pdf", b"%PDF-1.4 EICAR".to_vec()).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("virusscanner"));
    assert_eq!(count(&app, "referral_attachments").await, 0);
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let r = upload(gp.clone(), "verslag school.pdf", pdf.clone()).await;
    assert_eq!(r.status(), 303);
    let page = fetch_page(&app, &gp, &path).await;
    let href_start = page.find(&format!("{path}/bijlagen/")).unwrap();
    let href = &page[href_start..href_start + page[href_start..].find('"').unwrap()];
    // The team reads it back, unchanged, as a download.
    let sanne = logged_in(&app, "sanne@team.example").await;
    let r = sanne.get(app.url(href)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''verslag%20school.pdf"),
        "{disposition}"
    );
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    // Stored encrypted.
    let sealed = app
        .db
        .read(|c| {
            use diesel::prelude::*;
            use rondom_db::schema::referral_attachments::dsl::*;
            Ok(referral_attachments
                .select(content_sealed)
                .first::<String>(c)?)
        })
        .await
        .unwrap();
    // Neither the bytes nor their base64 ("JVBERi0xLjQ" is "%PDF-1.4"); a bare "PDF"
    // would turn up in random ciphertext now and then.
    assert!(!sealed.contains("%PDF-1.4") && !sealed.contains("JVBERi0xLjQ"));
    // An outsider cannot fetch it.
    let other = app
        .org("Gezondheidscentrum Noord", "huisartsenpraktijk")
        .await;
    app.user("arts@noord.example", Some(&other), &["huisarts"])
        .await;
    let noord = logged_in(&app, "arts@noord.example").await;
    let r = noord.get(app.url(href)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    // A referral that is closed (here: withdrawn) takes no more attachments.
    let r = post(
        &app,
        &gp,
        &format!("{path}/status"),
        &[
            ("naar", "cancelled"),
            ("reden", "Ouders kiezen zelf een therapeut"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let r = upload(gp.clone(), "nagekomen.pdf", pdf.clone()).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("afgesloten"));
    assert_eq!(count(&app, "referral_attachments").await, 1);
    app.stop().await;
}
