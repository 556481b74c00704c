//! The database handle: a pool over one engine, migrations, transactions on the blocking
//! pool (writes serialised on SQLite, the audit keys lent to the writing thread), the
//! audit log's group writer, and the change mark.

mod audit_writer;
mod changes;
mod news;
mod pool;

pub use crate::backend::{AnyConnection, Backend};
pub use crate::error::{DbError, is_connection_lost};
pub use changes::ChangeMark;
pub use news::{News, user_topic};
pub use pool::{Conn, ConnectOptions, Manager, PoolConn, Synchronous, Target, readable_by_others};

use crate::keys::LentKeys;
use changes::{Changes, listen_for_changes, watch_sqlite_file};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, Pool};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use pool::{checkout, may_pass, noted, take_sqlite_write_lock};
use rondom_domain::audit::AuditKeys;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// The database handle kept in the app state. Cloning is cheap.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
    /// SQLite has one writer at a time; serialising writes inside the process turns the
    /// "database is locked" races of read-then-write transactions into a short queue.
    /// PostgreSQL needs no such lock.
    write_lock: Option<Arc<Mutex<()>>>,
    /// As many permits as connections: requests queue here, in async land, instead of
    /// piling up as blocking threads that fight over the pool's mutex.
    permits: Arc<tokio::sync::Semaphore>,
    /// The audit log's group writer, started on first use (it needs the runtime).
    audit: Arc<OnceLock<mpsc::UnboundedSender<audit_writer::Pending>>>,
    changes: Arc<Changes>,
    /// The live streams' subscriptions: "network N has news".
    news: Arc<News>,
    /// Where the change listener connects (PostgreSQL only).
    listen_url: Option<Arc<str>>,
    /// Where the SQLite watcher connects.
    sqlite_path: Option<Arc<str>>,
    /// The keys audit entries are chained with (see `audit_keys`).
    audit_keys: Option<AuditKeys>,
}

impl Db {
    /// Connects and checks that the database answers. Fails with a sentence a person can
    /// act on.
    pub fn connect(url: &str, max_connections: u32) -> Result<Self, DbError> {
        Self::connect_with(url, &ConnectOptions::new(max_connections))
    }

    /// As `connect`, waiting up to `opts.wait_for` for a database that is not reachable
    /// yet, with a log line at each try.
    pub fn connect_with(url: &str, opts: &ConnectOptions) -> Result<Self, DbError> {
        let max_connections = opts.max_connections;
        let target = Target::parse(url).map_err(DbError::Unavailable)?;
        let backend = target.backend();
        let (listen_url, sqlite_path) = match &target {
            Target::Postgres(url) => (Some(Arc::from(url.as_str())), None),
            Target::Sqlite(path) => (None, Some(Arc::from(path.as_str()))),
        };
        let manager = Manager {
            target,
            sqlite_synchronous: opts.sqlite_synchronous,
            health: Default::default(),
        };
        // One direct attempt first: a wrong URL or a database that is down fails at once
        // with the driver's own words, instead of after the pool's time-out.
        let started = std::time::Instant::now();
        let mut pause = Duration::from_millis(100);
        loop {
            match manager.open() {
                Ok(_) => break,
                Err(e) => {
                    let words = e
                        .to_string()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    if !may_pass(&words) || started.elapsed() + pause > opts.wait_for {
                        return Err(DbError::Unavailable(words));
                    }
                    tracing::warn!(
                        waited_ms = started.elapsed().as_millis() as u64,
                        wait_for_s = opts.wait_for.as_secs(),
                        error = %words,
                        "the database is not reachable yet; trying again"
                    );
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_secs(2));
                }
            }
        }
        let pool = Pool::builder()
            .max_size(max_connections.max(1))
            // No background connecting: a command-line run that exits while a pool thread is
            // inside libpq crashes in its exit handlers. Connections open on first use.
            .min_idle(Some(0))
            // Requests hold a permit for a connection before they ask the pool (see
            // `permits`), so waiting here only ever means the database cannot be reached:
            // answer 503 soon rather than hold the request.
            .connection_timeout(Duration::from_secs(2))
            // A broken connection shows up as a query error anyway; a `SELECT 1` before
            // every checkout would double the round trips. (After a loss, the connections
            // older than it are checked once: see `pool::Health`.)
            .test_on_check_out(false)
            // Failures are reported to the caller as one sentence; r2d2's own logging
            // would print them a second time.
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .build(manager)
            .map_err(|e| {
                DbError::Unavailable(format!("cannot open the {} database: {e}", backend.name()))
            })?;
        Ok(Self {
            pool,
            backend,
            write_lock: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
            permits: Arc::new(tokio::sync::Semaphore::new(max_connections.max(1) as usize)),
            audit: Arc::new(OnceLock::new()),
            changes: Arc::new(Changes {
                count: AtomicU64::new(0),
                watched: AtomicBool::new(false),
            }),
            news: Arc::new(News::default()),
            listen_url,
            sqlite_path,
            audit_keys: None,
        })
    }

    /// The keys audit entries are chained with, derived from the installation key.
    /// Without them every append fails: a server must not write an unkeyed log.
    pub fn with_audit_keys(mut self, keys: AuditKeys) -> Self {
        self.audit_keys = Some(keys);
        self
    }

    pub fn audit_keys(&self) -> Option<AuditKeys> {
        self.audit_keys
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for blocking code (CLI commands, start-up).
    pub fn get(&self) -> Result<Conn, DbError> {
        checkout(&self.pool)
    }

    pub fn migrate_blocking(&self) -> Result<usize, DbError> {
        let mut conn = self.get()?;
        let applied = match &mut **conn {
            AnyConnection::Sqlite(c) => {
                c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len())
            }
            AnyConnection::Postgresql(c) => c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len()),
        }
        .map_err(|e| DbError::Migration(e.to_string()))?;
        // Referrals written before their facts were kept (migration 000032) get them now:
        // derived in Rust from each referral's history, which SQL alone cannot do.
        let derived = crate::stuur::backfill(&mut conn)?;
        if derived > 0 {
            tracing::info!(referrals = derived, "stuurinformatie: facts derived");
        }
        Ok(applied)
    }

    /// Runs read-only work on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, DbError> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| DbError::Unavailable(e.to_string()))?;
        if self.backend == Backend::Sqlite {
            // A SQLite read in WAL mode never waits for a writer and is served from the
            // page cache in microseconds: handing it to another thread costs more than
            // running it here. (PostgreSQL reads cross the network: they go to the
            // blocking pool.)
            let mut conn = checkout(&self.pool)?;
            return noted(&mut conn, f);
        }
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = checkout(&pool)?;
            noted(&mut conn, f)
        })
        .await
        .map_err(|e| DbError::Unavailable(format!("database task failed: {e}")))?
    }

    /// Runs `f` in one transaction on the blocking pool: a change and its audit entry
    /// commit together or not at all.
    pub async fn write<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, DbError> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| DbError::Unavailable(e.to_string()))?;
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.write_blocking(f))
            .await
            .map_err(|e| DbError::Unavailable(format!("database task failed: {e}")))?
    }

    pub fn write_blocking<T, F>(&self, f: F) -> Result<T, DbError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, DbError>,
    {
        let mut conn = checkout(&self.pool)?;
        let _guard = self
            .write_lock
            .as_ref()
            .map(|lock| lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
        let _keys = LentKeys::lend(self.audit_keys);
        let done = conn.conn.transaction::<T, DbError, _>(|c| {
            if let AnyConnection::Sqlite(s) = c {
                take_sqlite_write_lock(s)?;
            }
            f(c)
        });
        match &done {
            Ok(_) => self.changes.bump(),
            Err(e) => conn.saw(e),
        }
        done
    }

    /// Starts counting other processes' changes too: on PostgreSQL by listening for the
    /// announcements of the `change_notices` triggers, on SQLite by watching the change
    /// counter those triggers' SQLite twins move. For serving processes; until it runs, `change_mark` is None.
    pub fn watch_changes(&self) {
        let changes = Arc::downgrade(&self.changes);
        let news = Arc::downgrade(&self.news);
        let (url, path) = (self.listen_url.clone(), self.sqlite_path.clone());
        let started = std::thread::Builder::new()
            .name("rondom-changes".into())
            .spawn(move || match (url, path) {
                (Some(url), _) => listen_for_changes(&url, changes, news),
                (None, Some(path)) => watch_sqlite_file(&path, changes),
                (None, None) => {}
            });
        if let Err(e) = started {
            tracing::warn!("cannot start the change listener: {e}");
        }
    }

    /// A handle whose writes leave this server's change mark alone, for writers of
    /// content that nothing kept in memory is built from (messages and their events):
    /// under a stream of sends the sessions and tokens read a moment ago stay usable. A
    /// write through it that did touch what the caches hold would still be heard, by
    /// the triggers' announcement or counter, within the watcher's poll.
    pub fn unmarked(&self) -> Self {
        Self {
            changes: Arc::new(Changes::default()),
            ..self.clone()
        }
    }

    /// The live streams' subscriptions of this server.
    pub fn news(&self) -> &News {
        &self.news
    }

    /// A mark that moves whenever something may have changed, or None when changes are
    /// not being watched (then nothing may be served from memory).
    pub fn change_mark(&self) -> Option<ChangeMark> {
        self.changes
            .watched
            .load(Ordering::Acquire)
            .then(|| ChangeMark(self.changes.count.load(Ordering::Acquire)))
    }

    /// Appends an audit entry that belongs to no other change (a read, a refusal) through
    /// the group writer, and returns once it is committed.
    pub async fn audit(&self, e: crate::audit::AuditEvent) -> Result<i64, DbError> {
        self.queued_audit(e).await
    }

    /// Appends several such entries at once: they reach the group writer together, so
    /// they commit in one transaction (a list page that shows many children), and
    /// returns once all are committed.
    pub async fn audit_all(&self, events: Vec<crate::audit::AuditEvent>) -> Result<(), DbError> {
        let queued: Vec<_> = events.into_iter().map(|e| self.queued_audit(e)).collect();
        for entry in queued {
            entry.await?;
        }
        Ok(())
    }

    /// Hands the entry to the group writer at once (not when the answer is awaited) and
    /// answers with what the writer reports.
    fn queued_audit(
        &self,
        e: crate::audit::AuditEvent,
    ) -> impl std::future::Future<Output = Result<i64, DbError>> + use<> {
        let queue = self.audit.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            // The writer's own handle has no queue of its own, so that it does not keep
            // itself alive: it stops when the last handle to this database is dropped.
            // Its writes get a change counter of their own: an audit entry changes
            // nothing that is kept in memory.
            let writer = Self {
                audit: Arc::new(OnceLock::new()),
                changes: Arc::new(Changes::default()),
                ..self.clone()
            };
            tokio::spawn(audit_writer::group_writer(writer, rx));
            tx
        });
        let (reply, answer) = oneshot::channel();
        let unsent = queue
            .send((e, reply))
            .err()
            .map(|mpsc::error::SendError((e, _))| e);
        let this = self.clone();
        async move {
            if let Some(e) = unsent {
                // The writer is gone (its runtime ended): write directly.
                return this.write(move |c| crate::audit::append(c, &e)).await;
            }
            answer
                .await
                .map_err(|_| DbError::Unavailable("the audit writer stopped".into()))?
                .map_err(DbError::Unavailable)
        }
    }

    /// Appends a group on the writer's own chain, taking one first (on a connection of
    /// its own, outside the pool) when it holds none. Answers the chain to keep, and the
    /// result: Ok with no chain when none could be taken (SQLite, every writer chain held)
    /// and nothing was written.
    fn append_on_writer_chain(
        &self,
        held: Option<crate::audit::WriterChain>,
        events: &[crate::audit::AuditEvent],
    ) -> (Option<crate::audit::WriterChain>, Result<Vec<i64>, DbError>) {
        let Some(keys) = self.audit_keys else {
            return (None, Ok(vec![]));
        };
        let mut chain = match held {
            Some(c) => c,
            None => match self.take_writer_chain() {
                Ok(Some(c)) => c,
                Ok(None) => return (None, Ok(vec![])),
                Err(e) => return (None, Err(e)),
            },
        };
        match chain.append_all(events, &keys) {
            Ok(seqs) => (Some(chain), Ok(seqs)),
            // Dropped here: the connection closes and the chain's lock goes with it.
            Err(e) => (None, Err(e)),
        }
    }

    /// A connection of the writer's own, with the first free writer chain on it.
    fn take_writer_chain(&self) -> Result<Option<crate::audit::WriterChain>, DbError> {
        let Some(url) = self.listen_url.as_deref() else {
            return Ok(None);
        };
        let manager = Manager {
            target: Target::Postgres(with_connect_timeout(url)),
            sqlite_synchronous: Synchronous::default(),
            health: Default::default(),
        };
        let conn = manager
            .open()
            .map_err(|e| DbError::Unavailable(e.to_string()))?;
        let chain = crate::audit::WriterChain::take(conn)?;
        if let Some(c) = &chain {
            tracing::info!(
                chain = c.chain(),
                "the audit writer holds a chain of its own"
            );
        }
        Ok(chain)
    }

    /// Whether the database answers right now (for `/readyz`).
    pub async fn ping(&self) -> bool {
        self.read(|c| c.batch_execute("SELECT 1").map_err(DbError::from))
            .await
            .is_ok()
    }
}

/// The URL with a time limit on connecting, unless it sets one: the audit writer opens
/// its own connection while requests wait for their entries, and libpq by default waits
/// for an unreachable host as long as TCP does.
fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}connect_timeout=5")
}
