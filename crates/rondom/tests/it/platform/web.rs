//! Security headers, the Dutch 404, health and readiness, and who may read /metrics.

use crate::common::*;
use diesel::prelude::*;

on_both_backends!(
    pages_carry_security_headers_and_unknown_routes_get_a_dutch_404,
    health_and_readiness,
);

async fn pages_carry_security_headers_and_unknown_routes_get_a_dutch_404(b: Backend) {
    let app = TestApp::start(b).await;
    let c = app.client();
    let r = c.get(app.url("/inloggen")).send().await.unwrap();
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["cache-control"], "no-store");
    assert!(h.contains_key("x-request-id"));
    assert!(
        !h.contains_key("strict-transport-security"),
        "no HSTS over plain http"
    );
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let body = r.text().await.unwrap();
    assert!(
        body.contains("<html lang=\"nl\">")
            && body.contains("<label for=\"email\">E-mailadres</label>")
    );

    let r = c.get(app.url("/bestaat/niet")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let body = r.text().await.unwrap();
    assert!(body.contains("Niet gevonden") && body.contains("Deze pagina bestaat niet"));

    let css = c.get(app.url("/static/rondom.css")).send().await.unwrap();
    assert_eq!(css.status(), 200);
    assert!(
        css.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );

    // Session cookies are HttpOnly and SameSite=Lax; Secure only over https.
    app.user("o@test.example", None, &["ouder_verzorger"]).await;
    let page = fetch_page(&app, &c, "/inloggen").await;
    let csrf = hidden(&page, "csrf");
    let r = c
        .post(app.url("/inloggen"))
        .form(&[
            ("email", "o@test.example"),
            ("password", PASSWORD),
            ("csrf", csrf.as_str()),
            ("volgende", "/"),
        ])
        .send()
        .await
        .unwrap();
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("rondom_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && !session.contains("Secure")
    );
    let value = session
        .trim_start_matches("rondom_session=")
        .split(';')
        .next()
        .unwrap();
    assert!(value.len() >= 43, "at least 256 bits of randomness");
    let stored: Vec<String> = app
        .db
        .read(|c| {
            Ok(rondom_db::schema::sessions::table
                .select(rondom_db::schema::sessions::id)
                .load(c)?)
        })
        .await
        .unwrap();
    assert!(
        !stored.iter().any(|s| s == value),
        "the database holds a hash, not the cookie value"
    );
    app.stop().await;
}

async fn health_and_readiness(b: Backend) {
    let app = TestApp::start(b).await;
    let c = app.client();
    let r = c.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (200, "ok".into())
    );
    let r = c.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (200, "ready".into())
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_the_token_when_one_is_set() {
    let db = TestDb::new(Backend::Sqlite);
    let mut config = config_for(&db.url, 1, false);
    config.web.metrics_token = Some(rondom_web::settings::MetricsToken("scrape-me".into()));
    let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
        .build_recorder()
        .handle();
    let running = rondom::app::start(&config, Some(handle)).await.unwrap();
    let url = format!("http://{}/metrics", running.addr);
    let c = reqwest::Client::new();
    assert_eq!(
        c.get(&url).send().await.unwrap().status(),
        404,
        "loopback alone is not enough then"
    );
    assert_eq!(
        c.get(&url)
            .bearer_auth("wrong")
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let ok = c.get(&url).bearer_auth("scrape-me").send().await.unwrap();
    assert_eq!(ok.status(), 200);
    running.stop().await;
}

/// Behind a reverse proxy on the same machine every request arrives from the loopback
/// address: /metrics then needs its token, like from anywhere else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_behind_a_local_proxy_need_the_token() {
    let app =
        TestApp::start_configured(Backend::Sqlite, false, |c| c.web.trust_proxy_headers = true)
            .await;
    let r = app.client().get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    app.stop().await;
    let app = TestApp::start(Backend::Sqlite).await;
    let r = app.client().get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200, "without a proxy, this machine may read it");
    app.stop().await;
}
