use std::time::Duration;

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
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy_headers: bool,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// When set, `/metrics` answers anyone presenting it as a bearer token; otherwise
    /// only clients on this machine (loopback) get metrics.
    pub metrics_token: Option<MetricsToken>,
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
            trust_proxy_headers: false,
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            metrics_token: None,
        }
    }
}

/// The bearer token that opens `/metrics`; `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(pub String);

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"***\"")
    }
}
