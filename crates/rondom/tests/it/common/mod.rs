//! Test kit: a real `rondom` server on a free port, on a fresh SQLite file or a fresh
//! PostgreSQL database, with a real SMTP sink, and an HTTP client that keeps cookies.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod cluster;
pub mod smtp;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use rondom::app::{self, Running};
use rondom::config::{Config, LogFormat};
use rondom_app::mail::{SmtpSettings, SmtpTls};
use rondom_db::Db;
use std::net::SocketAddr;

pub const PASSWORD: &str = "een lang genoeg wachtwoord";

/// The installation key of every test server (and of the commands the tests run against
/// their databases), so that a command can check what a server wrote.
pub const TEST_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body once per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            }
        )*
    };
}

/// The interchange standards (`../shared/standards`: HSDS, FHIR) the tests validate
/// against. They live beside the repository, not in it: found through
/// `RONDOM_STANDARDS_DIR`, else in `shared/standards` next to the checkout or any folder
/// above it, else at the workplace's `/work/shared/standards`.
pub fn standards_dir() -> std::path::PathBuf {
    use std::path::{Path, PathBuf};
    if let Ok(dir) = std::env::var("RONDOM_STANDARDS_DIR") {
        return PathBuf::from(dir);
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .map(|a| a.join("shared/standards"))
        .chain(std::iter::once(PathBuf::from("/work/shared/standards")))
        .find(|p| p.join("hsds-3.0").is_dir())
        .expect("the standards folder (../shared/standards) is missing: set RONDOM_STANDARDS_DIR")
}

pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh, empty database; dropped again when the value goes.
pub struct TestDb {
    pub url: String,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("rondom.db").display());
                Self {
                    url,
                    pg_name: None,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let name = format!("rondom_test_{}", uuid_like());
                let admin = postgres_admin_url();
                let mut c = diesel::PgConnection::establish(&admin).unwrap_or_else(|e| {
                    panic!("PostgreSQL at {admin} is needed for the tests: {e}")
                });
                c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
                let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
                Self {
                    url: format!("{base}/{name}"),
                    pg_name: Some(name),
                    _dir: None,
                }
            }
        }
    }
}

impl TestDb {
    /// A database the test made itself (on its own cluster); not dropped here.
    pub fn external(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            pg_name: None,
            _dir: None,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            let admin = postgres_admin_url();
            // A plain thread: Drop may run inside the async runtime.
            let _ = std::thread::spawn(move || {
                if let Ok(mut c) = diesel::PgConnection::establish(&admin) {
                    let _ =
                        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            })
            .join();
        }
    }
}

pub fn uuid_like() -> String {
    use rand::Rng;
    let mut r = rand::thread_rng();
    (0..16)
        .map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[r.gen_range(0..36)]))
        .collect()
}

pub struct TestApp {
    pub running: Option<Running>,
    pub addr: SocketAddr,
    pub base: String,
    pub db: Db,
    pub smtp: smtp::Sink,
    pub config: Config,
    pub test_db: TestDb,
}

pub fn config_for(url: &str, smtp_port: u16, demo: bool) -> Config {
    let mut web = rondom_web::Settings::local("http://127.0.0.1:0");
    web.demo_mode = demo;
    let smtp = Some(SmtpSettings {
        host: "127.0.0.1".into(),
        port: smtp_port,
        tls: SmtpTls::None,
        username: None,
        password: None,
        from: "Rondom <noreply@rondom.example>".into(),
    });
    Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: url.to_owned(),
        db_max_connections: 4,
        log_format: LogFormat::Text,
        audit_checkpoints: Some(checkpoint_file(url)),
        audit_checkpoint_every: std::time::Duration::from_secs(10),
        db_wait: std::time::Duration::ZERO,
        sqlite_synchronous: rondom_db::connection::Synchronous::Full,
        shutdown_drain: std::time::Duration::ZERO,
        shutdown_deadline: std::time::Duration::from_secs(30),
        secret_key: rondom_app::secrets::Secret(TEST_KEY.into()),
        previous_keys: vec![],
        smtp,
        scan_command: None,
        web,
    }
}

/// Where a test database's audit checkpoints go: one file per database, in the
/// system's temporary folder.
pub fn checkpoint_file(url: &str) -> std::path::PathBuf {
    let name: String = url
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let tail = &name[name.len().saturating_sub(60)..];
    std::env::temp_dir().join(format!("rondom-checkpoints-{tail}"))
}

impl TestApp {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, false).await
    }

    pub async fn start_with(backend: Backend, demo: bool) -> Self {
        Self::start_configured(backend, demo, |_| {}).await
    }

    /// A server whose configuration the test adjusts first.
    pub async fn start_configured(
        backend: Backend,
        demo: bool,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        Self::start_on(TestDb::new(backend), demo, adjust).await
    }

    /// A server on a database the test provides.
    pub async fn start_on(test_db: TestDb, demo: bool, adjust: impl FnOnce(&mut Config)) -> Self {
        let smtp = smtp::Sink::start().await;
        let mut config = config_for(&test_db.url, smtp.port, demo);
        adjust(&mut config);
        let running = app::start(&config, None).await.unwrap();
        let db = running.state.app.db.clone();
        let addr = running.addr;
        Self {
            running: Some(running),
            addr,
            base: format!("http://{addr}"),
            db,
            smtp,
            config,
            test_db,
        }
    }

    /// A second server on the same database (as behind a load balancer).
    pub async fn second_server(&self) -> Running {
        app::start(&self.config, None).await.unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub async fn org(&self, name: &str, kind: &str) -> String {
        self.org_in(name, kind, "GM9999").await
    }

    /// An organisation seated in this municipality.
    pub async fn org_in(&self, name: &str, kind: &str, gemeente: &str) -> String {
        let input = rondom_db::organisations::OrganisationInput {
            name: name.into(),
            kind: rondom_domain::OrganisationKind::parse(kind).expect("a kind of organisation"),
            agb_code: None,
            gemeente_code: gemeente.into(),
            wijk_code: None,
            street: "Kerkstraat".into(),
            house_number: "1".into(),
            postcode: "9999 ZZ".into(),
            city: "Voorbeeld".into(),
            phone: None,
            email: None,
        };
        self.db
            .write(move |c| rondom_db::organisations::create(c, &input))
            .await
            .unwrap()
            .id
            .into()
    }

    /// A user with password `PASSWORD` and these roles in this organisation.
    pub async fn user(&self, email: &str, org: Option<&str>, roles: &[&str]) -> String {
        let hash = rondom_app::auth::password::hash_blocking(PASSWORD).unwrap();
        let email = email.to_owned();
        let org = org.map(str::to_owned);
        let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        self.db
            .write(move |c| {
                let family = if org.is_none() {
                    roles.first().cloned()
                } else {
                    None
                };
                let id = rondom_db::users::create(
                    c,
                    &rondom_db::users::NewUser {
                        email: &email,
                        name: &format!("Test {}", email.split('@').next().unwrap_or("x")),
                        password_hash: Some(&hash),
                        family_role: family.as_deref(),
                        is_demo: false,
                    },
                )?;
                if let Some(o) = &org {
                    for r in &roles {
                        rondom_db::organisations::add_membership(c, &id, o, r)?;
                    }
                }
                Ok(id.into())
            })
            .await
            .unwrap()
    }

    /// The id of the account with this e-mail address.
    pub async fn user_id(&self, email: &str) -> String {
        let email = email.to_owned();
        self.db
            .read(move |c| rondom_db::users::find_by_email(c, &email))
            .await
            .unwrap()
            .expect("no such account")
            .id
            .into()
    }

    /// A new API token for this user.
    pub async fn token_for(&self, user_id: &str) -> String {
        let (value, hash) = rondom_app::auth::new_api_token();
        let uid = user_id.to_owned();
        self.db
            .write(move |c| rondom_db::tokens::create_api_token(c, &uid, "test", &hash))
            .await
            .unwrap();
        value
    }

    /// Loads the demo municipality into this (empty) database.
    pub async fn load_demo(&self) {
        let db = self.db.clone();
        let key = self.config.secret_key.clone();
        tokio::task::spawn_blocking(move || rondom::demo::load(&db, &key))
            .await
            .unwrap()
            .unwrap()
            .expect("the database was empty");
    }

    pub async fn audit(&self) -> Vec<rondom_db::audit::AuditEntry> {
        self.db
            .read(|c| rondom_db::audit::list(c, &Default::default(), None, 10_000))
            .await
            .unwrap()
    }

    pub async fn stop(mut self) {
        self.stop_server().await;
    }

    /// Stops the server (which writes its last audit checkpoint) and keeps the database.
    pub async fn stop_server(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }
}

/// The value of `<input … name="NAME" value="…">` in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no field {name} in page:\n{html}"))
        + needle.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

/// The page without its CSRF token: the token is 43 random URL-safe characters, so a
/// check that a short name such as "Eva" is absent would otherwise fail now and then.
pub fn without_csrf(html: &str) -> String {
    let needle = "name=\"csrf\" value=\"";
    match html.find(needle) {
        Some(at) => {
            let start = at + needle.len();
            let end = html[start..].find('"').map_or(html.len(), |e| e + start);
            html.replace(&html[start..end], "")
        }
        None => html.to_owned(),
    }
}

pub fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The page a redirect leads to, without what it says was done (`?gedaan=…`).
pub fn location_path(resp: &reqwest::Response) -> String {
    let l = location(resp);
    l.split('?').next().unwrap_or_default().to_owned()
}

pub struct Login {
    pub status: u16,
    pub location: String,
    /// The `Retry-After` of a refusal.
    pub retry_after: Option<String>,
    pub body: String,
}

/// Submits the login form (after fetching it for its CSRF token).
pub async fn password_login(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
    next: &str,
) -> Login {
    password_login_from(app, client, None, email, password, next).await
}

/// A password login through the reverse proxy from address `from` (the server must
/// trust X-Forwarded-For), or directly.
pub async fn password_login_from(
    app: &TestApp,
    client: &reqwest::Client,
    from: Option<&str>,
    email: &str,
    password: &str,
    next: &str,
) -> Login {
    let with_from = |r: reqwest::RequestBuilder| match from {
        Some(a) => r.header("x-forwarded-for", a),
        None => r,
    };
    let page = with_from(client.get(app.url(&format!("/inloggen?volgende={next}"))))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    let resp = with_from(client.post(app.url("/inloggen")))
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf", &csrf),
            ("volgende", next),
        ])
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let location = location(&resp);
    let retry_after = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    Login {
        status,
        location,
        retry_after,
        body: resp.text().await.unwrap(),
    }
}

/// Enrols TOTP for a freshly logged-in professional; returns the secret.
pub async fn enrol_totp(app: &TestApp, client: &reqwest::Client) -> String {
    let page = client
        .get(app.url("/inloggen/tweestapsverificatie"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let secret = secret_from_page(&page);
    let csrf = hidden(&page, "csrf");
    let code =
        rondom_web::auth::totp::code_at(&secret, rondom_web::auth::totp::unix_now()).unwrap();
    let resp = client
        .post(app.url("/inloggen/tweestapsverificatie"))
        .form(&[("code", code.as_str()), ("csrf", &csrf), ("volgende", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "enrolment accepted");
    let body = resp.text().await.unwrap();
    assert!(body.contains("Uw herstelcodes"), "recovery codes shown");
    secret
}

pub fn secret_from_page(page: &str) -> String {
    let start = page.find("id=\"totp-secret\">").unwrap() + "id=\"totp-secret\">".len();
    let end = page[start..].find('<').unwrap() + start;
    page[start..end].replace(' ', "")
}

/// Logs a professional in completely: password, then enrolment. Returns the client.
pub async fn logged_in(app: &TestApp, email: &str) -> reqwest::Client {
    let client = app.client();
    let l = password_login(app, &client, email, PASSWORD, "/").await;
    assert_eq!(l.status, 303, "password accepted: {}", l.body);
    if l.location.starts_with("/inloggen/tweestapsverificatie") {
        enrol_totp(app, &client).await;
    }
    client
}

/// The CSRF token of the logged-in session, read from a page.
pub async fn csrf_of(app: &TestApp, client: &reqwest::Client) -> String {
    let page = client
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    hidden(&page, "csrf")
}

/// The text of a page fetched with this client.
/// A page that must answer 200: the status is checked before anything looks for text
/// in it (an error page can contain the words a test looks for).
pub async fn fetch_page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let (status, body) = fetch_any(app, client, path).await;
    assert_eq!(status, 200, "GET {path} answered {status}: {body}");
    body
}

/// A page with whatever status it answers: (status, body).
pub async fn fetch_any(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let resp = client.get(app.url(path)).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

/// Submits a second-factor (or recovery) code on the code page.
pub async fn submit_code(
    app: &TestApp,
    client: &reqwest::Client,
    code: &str,
    next: &str,
) -> reqwest::Response {
    let csrf = hidden(&fetch_page(app, client, "/inloggen/code").await, "csrf");
    client
        .post(app.url("/inloggen/code"))
        .form(&[("code", code), ("csrf", csrf.as_str()), ("volgende", next)])
        .send()
        .await
        .unwrap()
}

/// A day written as yyyy-mm-dd.
pub fn day(iso: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d").expect("a day as yyyy-mm-dd")
}
