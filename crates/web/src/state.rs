use crate::settings::Settings;
use metrics_exporter_prometheus::PrometheusHandle;
use std::ops::Deref;
use std::sync::Arc;

/// Everything a handler may use. Nothing in here is per-user state that another server
/// would need: sessions, throttles and the audit chain live in the database (the session
/// cache only remembers what it read), so any number of servers can share the load.
/// Behind one `Arc`: axum clones the state for every extractor that asks for it.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    /// The use cases' services: the database, the mailer, and the only handle on
    /// secrets at rest (web opens nothing sealed itself and never holds the key).
    pub app: rondom_app::Services,
    pub settings: Arc<Settings>,
    pub metrics: Option<PrometheusHandle>,
    /// A real argon2 hash to verify against when an e-mail address is unknown, so that the
    /// answer takes as long as for a known address.
    pub dummy_hash: Arc<String>,
    /// This server's search index of the sociale kaart: a cache that checks the
    /// database's directory version on every use.
    pub directory_index: rondom_app::directory::index::IndexCache,
    /// Sessions read a moment ago (a cache checked against the database's change mark).
    pub sessions: rondom_app::auth::session_cache::SessionCache,
    /// API tokens read a moment ago (the same kind of cache).
    pub tokens: rondom_app::auth::session_cache::TokenCache,
    /// The menu's counts per person, for a few seconds.
    pub today: rondom_app::today::TodayCache,
    /// Set when the server has been asked to stop: `/readyz` answers 503 from then on,
    /// so a load balancer sends new work elsewhere while requests in flight finish.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
