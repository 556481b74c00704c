//! In a real browser: headless Chromium (Debian's `chromium`) driven over WebDriver by
//! `chromedriver`, against the real server.

use crate::common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use rondom_web::auth::totp;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
    /// What the person did with the mouse: clicks, choices from a list and pages opened
    /// (as from the menu or a bookmark). Typing is not counted.
    clicks: std::sync::atomic::AtomicUsize,
}

impl Browser {
    async fn start() -> Self {
        Self::start_at(None).await
    }

    /// A browser as on a phone `width` CSS pixels wide (Chromium's device emulation), or
    /// a desktop one.
    async fn start_at(phone: Option<u32>) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver must be installed (scripts/test installs chromium-driver)");
        // Wait until the driver accepts connections (readiness, not timing).
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                std::time::Instant::now() < deadline,
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        let mut options = serde_json::json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", "--disable-dev-shm-usage", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        });
        if let Some(width) = phone {
            options["mobileEmulation"] = serde_json::json!({
                "deviceMetrics": {"width": width, "height": 800, "pixelRatio": 2}
            });
        }
        caps.insert("goog:chromeOptions".into(), options);
        // chromedriver speaks plain HTTP on loopback: no TLS stack needed.
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        Self {
            client,
            driver,
            _profile: profile,
            clicks: Default::default(),
        }
    }

    async fn stop(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }

    /// Fills a field once it is there (the page may still be loading after a click).
    async fn fill(&self, css: &str, text: &str) {
        let e = self.wait_for(css).await;
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    /// Clicks an element once it is there; found again if a navigation replaced it.
    async fn click(&self, css: &str) {
        self.count_click();
        for _ in 0..50 {
            if self.wait_for(css).await.click().await.is_ok() {
                return;
            }
        }
        panic!("{css} could not be clicked");
    }

    async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => e,
            Err(e) => {
                let page = self.client.source().await.unwrap_or_default();
                panic!("{css} did not appear on {}: {e}\n{page}", self.path().await)
            }
        }
    }

    /// The element's text; found again when a navigation replaced it in between.
    async fn text(&self, css: &str) -> String {
        for _ in 0..50 {
            if let Ok(t) = self.wait_for(css).await.text().await {
                return t;
            }
        }
        panic!("{css} kept going stale");
    }

    /// Waits (up to 10 s, polling the DOM) until the element shows exactly `expected`:
    /// after a click the old page may still be there for a moment.
    async fn expect_text(&self, css: &str, expected: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut seen = String::new();
        while std::time::Instant::now() < deadline {
            if let Ok(e) = self.client.find(Locator::Css(css)).await
                && let Ok(t) = e.text().await
            {
                if t == expected {
                    return;
                }
                seen = t;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{css} showed {seen:?}, not {expected:?}, on {}",
            self.path().await
        );
    }

    async fn path(&self) -> String {
        let u = self.client.current_url().await.unwrap();
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        }
    }

    async fn login(&self, app: &TestApp, email: &str) {
        self.client.goto(&app.url("/inloggen")).await.unwrap();
        self.fill("#email", email).await;
        self.fill("#password", PASSWORD).await;
        self.click("form.stack button[type=submit]").await;
    }
}

/// A browser of its own for one person, logged in with a freshly enrolled second factor.
async fn signed_in(app: &TestApp, email: &str) -> Browser {
    signed_in_at(app, email, None).await
}

/// The same, as on a phone `width` pixels wide when given.
async fn signed_in_at(app: &TestApp, email: &str, phone: Option<u32>) -> Browser {
    let b = Browser::start_at(phone).await;
    b.login(app, email).await;
    let secret = b.text("#totp-secret").await.replace(' ', "");
    b.fill("#code", &totp::code_at(&secret, totp::unix_now()).unwrap())
        .await;
    b.click("form.stack button[type=submit]").await;
    b.click("a.button.primary").await;
    b.wait_for("nav").await;
    // The working day starts signed in (a session lasts the day): what is counted is
    // the work.
    b.clicks.store(0, std::sync::atomic::Ordering::Relaxed);
    b
}

impl Browser {
    fn count_click(&self) {
        self.clicks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn clicks(&self) -> usize {
        self.clicks.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn open(&self, app: &TestApp, path: &str) {
        self.count_click();
        self.client.goto(&app.url(path)).await.unwrap();
    }

    async fn select(&self, css: &str, value: &str) {
        self.count_click();
        self.wait_for(css)
            .await
            .select_by_value(value)
            .await
            .unwrap();
    }

    /// Waits until the page contains `text` somewhere in `css`.
    async fn expect_contains(&self, css: &str, text: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut seen = String::new();
        while std::time::Instant::now() < deadline {
            if let Ok(e) = self.client.find(Locator::Css(css)).await
                && let Ok(t) = e.text().await
            {
                if t.contains(text) {
                    return;
                }
                seen = t;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{css} never contained {text:?} on {}: {seen}",
            self.path().await
        );
    }
}

mod a11y;
mod directory;
mod login;
mod messages;
mod network;
mod plan;
mod referral;
mod stuur;
