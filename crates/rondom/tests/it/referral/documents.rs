//! Documents in a conversation (issue 15): the kind is read from the content and must
//! match the name, the installation's virus scanner sees every file first, a document
//! takes the family's consent for documents besides taking part (asked at every
//! download), and every download is in the child's access log that the family reads.

use super::messages::{Api, family};
use super::world;
use crate::common::*;
use rondom_domain::document::samples;
use serde_json::{Value, json};

on_both_backends!(documents_follow_their_own_consent_and_every_download_is_logged,);

/// The scanner of this test: finds the EICAR test string, and fails on "STORING".
const SCANNER: &str =
    "c=$(cat); case \"$c\" in *STORING*) exit 2;; *EICAR*) exit 1;; *) exit 0;; esac";

/// Shares `bytes` as `name` through the API: (status, body).
async fn share(
    api: &Api<'_>,
    token: &str,
    conv: &str,
    name: &str,
    query: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let r = api
        .client
        .post(api.app.url(&format!(
            "/api/v1/conversations/{conv}/documents?name={}{query}",
            urlencoding(name)
        )))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn download(
    api: &Api<'_>,
    token: &str,
    href: &str,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let r = api
        .client
        .get(api.app.url(href))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.bytes().await.unwrap().to_vec())
}

async fn documents_follow_their_own_consent_and_every_download_is_logged(b: Backend) {
    let app = TestApp::start_configured(b, false, |c| c.scan_command = Some(SCANNER.into())).await;
    let w = world(&app).await;
    let api = Api {
        app: &app,
        client: app.client(),
    };
    let f = family(&app, &w, &api).await;
    let (s, c) = api
        .call(
            "POST",
            &format!("/api/v1/networks/{}/conversations", f.network),
            &f.sanne,
            Some(json!({"kind": "network", "title": "Verslagen", "body": "Hier delen we verslagen."})),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let conv = c["id"].as_str().unwrap().to_owned();
    let msgs = format!("/api/v1/conversations/{conv}/messages");
    let count = |list: &Value| list.as_array().map_or(0, Vec::len);

    // The case director shares a Word document with a caption; a retry stores it once.
    let docx = samples::docx();
    let (s, sent) = share(
        &api,
        &f.sanne,
        &conv,
        "Verslag school.docx",
        "&caption=Het%20verslag&client_id=doc-1",
        docx.clone(),
    )
    .await;
    assert_eq!(s, 201, "{sent}");
    let (s, again) = share(
        &api,
        &f.sanne,
        &conv,
        "Verslag school.docx",
        "&caption=Het%20verslag&client_id=doc-1",
        docx.clone(),
    )
    .await;
    assert_eq!(
        (s, &again["id"]),
        (200, &sent["id"]),
        "a retry answers the stored one"
    );

    // Eva, the mother with the say, sees and downloads it as it was shared.
    let (_, list) = api.call("GET", &msgs, &f.eva, None).await;
    assert_eq!(count(&list), 2, "{list}");
    let d = &list[1]["document"];
    assert_eq!(list[1]["body"], "Het verslag");
    assert_eq!(d["name"], "Verslag school.docx");
    assert_eq!(d["may_open"], true);
    assert_eq!(d["size_bytes"], docx.len());
    let href = d["href"].as_str().unwrap().to_owned();
    let (s, headers, bytes) = download(&api, &f.eva, &href).await;
    assert_eq!(s, 200);
    assert_eq!(bytes, docx, "the same bytes come back");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .contains("wordprocessingml")
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    // As HL7 FHIR R4 Communication: the caption and the document by reference.
    let r = api
        .client
        .get(app.url(&format!(
            "/api/fhir/Communication/{}",
            sent["id"].as_str().unwrap()
        )))
        .bearer_auth(&f.eva)
        .send()
        .await
        .unwrap();
    let comm: Value = r.json().await.unwrap();
    super::api::assert_valid(
        &super::api::fhir_validator("Communication"),
        "Communication",
        &comm,
    );
    assert_eq!(comm["payload"][0]["contentString"], "Het verslag");
    assert_eq!(
        comm["payload"][1]["contentAttachment"]["url"],
        href.as_str()
    );
    assert_eq!(
        comm["payload"][1]["contentAttachment"]["title"],
        "Verslag school.docx"
    );

    // The GP takes part by consent for membership and messages, not for documents: the
    // message shows that a document was shared, not its name, and it does not open.
    f.eva_answers_for_gp(&api, &["membership", "messages"], true)
        .await;
    let (_, list) = api.call("GET", &msgs, &f.gp, None).await;
    let d = &list[1]["document"];
    assert_eq!(
        (d["may_open"].as_bool(), d["name"].as_str()),
        (Some(false), Some("")),
        "{d}"
    );
    assert_eq!(download(&api, &f.gp, &href).await.0, 404);
    let (s, refused) = share(&api, &f.gp, &conv, "brief.pdf", "", samples::pdf("brief")).await;
    assert_eq!(s, 400, "{refused}");
    assert!(refused.to_string().contains("toestemming"), "{refused}");
    let gp_page = logged_in(&app, "arts@linde.example").await;
    let page = fetch_page(&app, &gp_page, &format!("/gesprekken/{conv}")).await;
    assert!(page.contains("Er is een document gedeeld"), "{page}");
    assert!(!page.contains("Verslag school.docx"), "{page}");
    assert!(
        !page.contains("type=\"file\""),
        "no document field without consent"
    );

    // With consent for documents the GP opens it; the family sees both downloads and
    // the refused one in the child's access log.
    f.eva_answers_for_gp(&api, &["documents"], true).await;
    assert_eq!(download(&api, &f.gp, &href).await.0, 200);
    let (s, log) = api
        .call(
            "GET",
            &format!("/api/v1/networks/{}/access-log", f.network),
            &f.eva,
            None,
        )
        .await;
    assert_eq!(s, 200, "{log}");
    let downloads: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["what"] == "Document gedownload")
        .collect();
    assert_eq!(downloads.len(), 3, "{log}");
    assert_eq!(
        downloads.iter().filter(|l| l["refused"] == true).count(),
        1,
        "{log}"
    );

    // Bad files: a clear error, nothing stored.
    let before = count(&api.call("GET", &msgs, &f.sanne, None).await.1);
    for (name, bytes, status, words) in [
        ("verslag.pdf", docx.clone(), 422, "past niet bij de inhoud"),
        ("leeg.pdf", vec![], 422, "leeg"),
        (
            "programma.pdf",
            b"MZ\x90\0 not a pdf".to_vec(),
            422,
            "Dit soort bestand",
        ),
        ("virus.pdf", samples::pdf("EICAR"), 422, "virusscanner"),
        (
            "storing.pdf",
            samples::pdf("STORING"),
            422,
            "niet op virussen",
        ),
        (
            "groot.pdf",
            [b"%PDF-1.4".as_slice(), &vec![b' '; 10 * 1024 * 1024]].concat(),
            413,
            "",
        ),
    ] {
        let (s, out) = share(&api, &f.sanne, &conv, name, "", bytes).await;
        assert_eq!(s, status, "{name}: {out}");
        assert!(out.to_string().contains(words), "{name}: {out}");
    }
    // A caption over the limit is named as the caption, not as some message text.
    let long = format!("&caption={}", "a".repeat(10_001));
    let (s, out) = share(&api, &f.sanne, &conv, "a.pdf", &long, samples::pdf("a")).await;
    assert_eq!(s, 422, "{out}");
    assert_eq!(out["error"]["fields"][0]["field"], "caption", "{out}");
    assert!(out.to_string().contains("te lang"), "{out}");
    let (s, _) = share(&api, &f.sanne, "nergens", "a.pdf", "", samples::pdf("a")).await;
    assert_eq!(s, 404);
    assert_eq!(
        count(&api.call("GET", &msgs, &f.sanne, None).await.1),
        before,
        "nothing stored"
    );

    // Through the page: a PDF with the message, in one form.
    let sanne_page = logged_in(&app, "sanne@team.example").await;
    let csrf = csrf_of(&app, &sanne_page).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("bericht", "Het plan als PDF.")
        .part(
            "document",
            reqwest::multipart::Part::bytes(samples::pdf("plan")).file_name("Plan van aanpak.pdf"),
        );
    let r = sanne_page
        .post(app.url(&format!("/gesprekken/{conv}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    let page = fetch_page(&app, &sanne_page, &format!("/gesprekken/{conv}")).await;
    assert!(
        page.contains("Plan van aanpak.pdf") && page.contains("Het plan als PDF."),
        "{page}"
    );

    // A withdrawn message's document no longer opens.
    let (_, list) = api.call("GET", &msgs, &f.sanne, None).await;
    let last = list.as_array().unwrap().last().unwrap().clone();
    let r = sanne_page
        .post(app.url(&format!(
            "/berichten/{}/intrekken",
            last["id"].as_str().unwrap()
        )))
        .form(&[("csrf", csrf_of(&app, &sanne_page).await)])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection());
    let href = last["document"]["href"].as_str().unwrap();
    assert_eq!(download(&api, &f.eva, href).await.0, 404);
    app.stop().await;
}
