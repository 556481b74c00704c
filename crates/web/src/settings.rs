pub use rondom_app::secrets::Secret;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP: only for a mail relay on the same host or a test sink.
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub from: String,
}

/// What the web layer needs to know; built by the binary from file, environment and
/// flags, and carried in the app state (no global).
#[derive(Debug, Clone)]
pub struct Settings {
    /// How people reach this installation, e.g. `https://rondom.voorbeeld.nl`; used in
    /// e-mailed links and to decide on Secure cookies and HSTS.
    pub base_url: String,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// Demo accounts may skip the second factor; every page then shows a DEMO banner.
    pub demo_mode: bool,
    pub smtp: Option<SmtpSettings>,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy_headers: bool,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// 32 bytes (base64) that encrypt secrets at rest. Every server of one installation
    /// needs the same key.
    pub secret_key: Secret,
    /// When set, `/metrics` answers anyone presenting it as a bearer token; otherwise
    /// only clients on this machine (loopback) get metrics.
    pub metrics_token: Option<Secret>,
}

impl Settings {
    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// Defaults for tests and `serve` without configuration.
    pub fn local(base_url: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            demo_mode: false,
            smtp: None,
            trust_proxy_headers: false,
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            secret_key: Secret(rondom_app::secrets::new_key()),
            metrics_token: None,
        }
    }
}
