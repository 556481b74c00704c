//! Start-up: connect, migrate, optionally load the demo, bind, serve.

use crate::config::{Config, redact};
use rondom_db::Db;
use std::net::SocketAddr;
use std::time::Duration;

/// The installation's keys: the box that seals with the current key and opens with it
/// and the earlier ones, over the root that keyed hashes and the audit chain derive
/// from (`rondom_app::secrets::root`); and that root.
pub fn keys(
    config: &Config,
    db: &Db,
) -> Result<(rondom_app::secrets::SecretBox, [u8; 32]), String> {
    let key = rondom_app::secrets::parse_key(&config.secret_key.0)?;
    let previous = config
        .previous_keys
        .iter()
        .map(|k| rondom_app::secrets::parse_key(&k.0))
        .collect::<Result<Vec<_>, _>>()?;
    let ring = rondom_app::secrets::SecretBox::from_bytes(key).with_previous(&previous);
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let root = rondom_app::secrets::root(&mut conn, &key, &previous, &ring)?;
    Ok((ring.with_root(&root), root))
}

pub fn connect(config: &Config) -> Result<Db, String> {
    let opts = rondom_db::connection::ConnectOptions {
        max_connections: config.db_max_connections,
        wait_for: config.db_wait,
        sqlite_synchronous: config.sqlite_synchronous,
    };
    let db = Db::connect_with(&config.database_url, &opts).map_err(|e| {
        format!(
            "cannot reach the database at {}: {}",
            redact(&config.database_url),
            e.to_string().trim_start_matches("database unavailable: ")
        )
    })?;
    if let Ok(rondom_db::connection::Target::Sqlite(path)) =
        rondom_db::connection::Target::parse(&config.database_url)
    {
        for (file, mode) in rondom_db::connection::readable_by_others(&path) {
            tracing::warn!(
                file = %file,
                mode = %format!("{mode:o}"),
                "this file of the database is readable by other users of this machine; it holds password hashes, e-mail addresses and the audit log (chmod 600 it)"
            );
        }
    }
    let (_, root) = keys(config, &db)?;
    Ok(db.with_audit_keys(rondom_domain::audit::AuditKeys::derive(&root)))
}

/// The audit checkpoints this configuration asks for.
pub fn checkpoint_writer(config: &Config) -> crate::checkpoints::Writer {
    crate::checkpoints::Writer {
        file: config.audit_checkpoints.clone(),
        every: config.audit_checkpoint_every,
    }
}

pub fn migrate(db: &Db) -> Result<usize, String> {
    db.migrate_blocking()
        .map_err(|e| format!("the database could not be migrated: {e}"))
}

/// A running server (for tests and `serve`).
pub struct Running {
    pub addr: SocketAddr,
    pub state: rondom_web::AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
    checkpoints: crate::checkpoints::Writer,
    checkpoint_task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stops at once (tests): as `drain_and_stop` without the drain.
    pub async fn stop(self) {
        self.drain_and_stop(Duration::ZERO, Duration::from_secs(30))
            .await;
    }

    /// A graceful stop: `/readyz` answers 503 for `drain` (a load balancer stops
    /// sending work), then the server takes no new requests and gives those in flight
    /// until `deadline` to finish (each waits for its own audit entry, so what was
    /// answered is logged), then writes a last audit checkpoint, so that the log as it
    /// was left is vouched for.
    pub async fn drain_and_stop(mut self, drain: Duration, deadline: Duration) {
        self.state
            .draining
            .store(true, std::sync::atomic::Ordering::Release);
        if !drain.is_zero() {
            tracing::info!(drain_s = drain.as_secs(), "draining: /readyz answers 503");
            tokio::time::sleep(drain).await;
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let abort = self.handle.abort_handle();
        if tokio::time::timeout(deadline, &mut self.handle)
            .await
            .is_err()
        {
            tracing::warn!(
                deadline_s = deadline.as_secs(),
                "requests still running at the shutdown deadline were cut off"
            );
            abort.abort();
        }
        self.checkpoint_task.abort();
        let (w, db) = (self.checkpoints.clone(), self.state.app.db.clone());
        match tokio::task::spawn_blocking(move || w.write_if_moved(&db, None)).await {
            Ok(Err(e)) => tracing::warn!(error = %e, "last audit checkpoint not written"),
            Err(e) => tracing::warn!(error = %e, "last audit checkpoint task failed"),
            Ok(Ok(_)) => {}
        }
    }
}

/// Connects, migrates and serves on `config.bind` (port 0 picks a free port).
pub async fn start(
    config: &Config,
    metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
) -> Result<Running, String> {
    let cfg = config.clone();
    let db = tokio::task::spawn_blocking(move || {
        let db = connect(&cfg)?;
        migrate(&db)?;
        Ok::<_, String>(db)
    })
    .await
    .map_err(|e| e.to_string())??;
    start_with_db(config, db, metrics).await
}

pub async fn start_with_db(
    config: &Config,
    db: Db,
    metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
) -> Result<Running, String> {
    let mut settings = config.web.clone();
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    if config.bind.port() == 0 {
        settings.base_url = format!("http://{addr}");
    }
    let mailer = rondom_app::mail::Mailer::new(config.smtp.as_ref())?;
    let secrets = {
        let (config, db) = (config.clone(), db.clone());
        tokio::task::spawn_blocking(move || keys(&config, &db))
            .await
            .map_err(|e| e.to_string())??
            .0
    };
    let app =
        rondom_app::Services::new(db, secrets, std::sync::Arc::new(mailer), &settings.base_url)
            .with_scan_command(config.scan_command.as_deref());
    let state = rondom_web::build_state(app, settings, metrics)?;
    spawn_housekeeping(state.clone());
    let checkpoints = checkpoint_writer(config);
    let checkpoint_task = checkpoints.clone().spawn(state.app.db.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let serve_state = state.clone();
    let handle = tokio::spawn(async move {
        rondom_web::serve(listener, serve_state, async move {
            let _ = rx.await;
        })
        .await
    });
    Ok(Running {
        addr,
        state,
        shutdown: Some(tx),
        handle,
        checkpoints,
        checkpoint_task,
    })
}

/// Removes ended sessions and old throttle counts now and then, and tells case
/// directors and families when a child in a network turned 12 or 16. Any number of servers
/// may do this at once; the deletes are idempotent.
fn spawn_housekeeping(state: rondom_web::AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        let mut facts_day = None;
        loop {
            tick.tick().await;
            // Terms pass while nobody touches a referral: once a day the open ones'
            // facts are derived again (a decision not made in time becomes late).
            let today = chrono::Local::now().date_naive();
            if facts_day != Some(today) {
                match refresh_open_facts(&state.app.db).await {
                    Ok(n) => {
                        facts_day = Some(today);
                        tracing::info!(referrals = n, "stuurinformatie: open referrals refreshed")
                    }
                    Err(e) => tracing::warn!(error = %e, "stuurinformatie refresh failed"),
                }
            }
            let idle = chrono::Duration::from_std(state.settings.session_idle).unwrap_or_default();
            let result = state
                .app
                .db
                .write(move |c| {
                    let now = rondom_db::now();
                    let s = rondom_db::sessions::delete_expired(c, now - idle)?;
                    let t = rondom_db::throttle::forget_before(c, now - chrono::Duration::days(1))?;
                    // The live streams' events: a client away for a week starts afresh
                    // (the messages themselves stay).
                    let e = rondom_db::messages::prune_events(c, now - chrono::Duration::days(7))?;
                    Ok((s, t + e))
                })
                .await;
            match result {
                Ok((s, t)) if s + t > 0 => {
                    tracing::info!(sessions = s, throttles = t, "housekeeping")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
            }
            // E-mail notices of messages held back by the quarter, and the daily mails.
            match rondom_app::message::notices::sweep(&state.app, rondom_db::now()).await {
                Ok((0, 0)) => {}
                Ok((held, daily)) => tracing::info!(held, daily, "message notices"),
                Err(e) => tracing::warn!(error = %e, "message notices failed"),
            }
            // Children who turned 12 or 16: who decides changed today.
            match rondom_app::network::milestones::notice(&state.app).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(networks = n, "birthday notices"),
                Err(e) => tracing::warn!(error = %e, "birthday notices failed"),
            }
            // Agreements of the plans that come due: their owners are reminded once.
            match rondom_app::plan::lists::remind(&state.app).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(actions = n, "plan reminders"),
                Err(e) => tracing::warn!(error = %e, "plan reminders failed"),
            }
            // Operators alert on a stalled housekeeping; benches wait for the first round
            // (its re-derivation stalls requests for a few seconds after a start).
            metrics::counter!("rondom_housekeeping_rounds_total").increment(1);
        }
    });
}

/// The open referrals' facts derived again, a short write transaction per thousand so
/// the day's work is never held up.
async fn refresh_open_facts(db: &rondom_db::Db) -> Result<usize, rondom_db::DbError> {
    let ids = db.read(rondom_db::stuur::open_ids).await?;
    for chunk in ids.chunks(1000) {
        let chunk = chunk.to_vec();
        db.write(move |c| rondom_db::stuur::refresh_many(c, &chunk))
            .await?;
    }
    Ok(ids.len())
}
