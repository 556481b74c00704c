use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use rondom_domain::audit::AuditKeys;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Query(diesel::result::Error),
    #[error("migration failed: {0}")]
    Migration(String),
    /// The disk is full, or refuses to be written: nothing of the change was kept.
    #[error("storage full or failing: {0}")]
    StorageFull(String),
}

impl From<diesel::result::Error> for DbError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => Self::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::Conflict(info.message().to_owned())
            }
            e if is_connection_lost(&e) => Self::Unavailable(e.to_string()),
            e if is_storage_failure(&e) => Self::StorageFull(e.to_string()),
            other => Self::Query(other),
        }
    }
}

/// Whether SQLite could not write its file: the disk is full (`SQLITE_FULL`), or a write
/// was refused (`SQLITE_IOERR`, e.g. a file size limit). The transaction is rolled back
/// whole, so nothing is half-written.
fn is_storage_failure(e: &diesel::result::Error) -> bool {
    match e {
        diesel::result::Error::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("database or disk is full") || m.contains("disk I/O error")
        }
        diesel::result::Error::RollbackErrorOnCommit { commit_error, .. } => {
            is_storage_failure(commit_error)
        }
        _ => false,
    }
}

/// Whether an error says the connection to the database is gone (a restart, a
/// terminated backend, a dropped network), rather than that the query was wrong: such a
/// request is answered 503, to be tried again, and the connection is not reused.
pub fn is_connection_lost(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        )
        | Error::BrokenTransactionManager => true,
        Error::RollbackErrorOnCommit { commit_error, .. } => is_connection_lost(commit_error),
        // SQLite's "disk full" and I/O errors are not a lost connection: they are
        // answered as what they are.
        _ => false,
    }
}

impl From<r2d2::PoolError> for DbError {
    fn from(e: r2d2::PoolError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

/// Where to connect, parsed from a `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Sqlite(String),
    Postgres(String),
}

impl Target {
    /// `sqlite://path`, `sqlite:path` or `postgres://…` / `postgresql://…`.
    pub fn parse(url: &str) -> Result<Self, String> {
        if let Some(rest) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if rest.is_empty() {
                return Err("the SQLite URL names no file (use sqlite://rondom.db)".into());
            }
            Ok(Self::Sqlite(rest.to_owned()))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else {
            Err(format!(
                "DATABASE_URL must start with sqlite:// or postgres:// (got \"{}\")",
                url.split("://").next().unwrap_or(url)
            ))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }
}

/// A SQLite database holds password hashes, e-mail addresses and the audit log: it is
/// made readable by its owner only before SQLite first opens it (SQLite gives its
/// write-ahead log and shared-memory files the database file's permissions).
fn create_private_sqlite_file(path: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if path.starts_with(':') || path.starts_with("file:") {
        return Ok(());
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// The files of a SQLite database that others than its owner may read (the database,
/// its write-ahead log, its shared memory), with their modes.
pub fn readable_by_others(path: &str) -> Vec<(String, u32)> {
    use std::os::unix::fs::PermissionsExt;
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| format!("{path}{suffix}"))
        .filter_map(|p| {
            let mode = std::fs::metadata(&p).ok()?.permissions().mode() & 0o777;
            (mode & 0o077 != 0).then_some((p, mode))
        })
        .collect()
}

/// Builds connections for the pool, choosing the backend from the URL itself rather than
/// trying each in turn (which would make a typo in a PostgreSQL URL create a SQLite file).
#[derive(Debug)]
pub struct Manager {
    target: Target,
    sqlite_synchronous: Synchronous,
}

/// When SQLite acknowledges a commit (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// The log is fsynced at every commit: a power loss takes back nothing that was
    /// acknowledged. The default, for a system of record.
    #[default]
    Full,
    /// The log is fsynced at checkpoints only: a power loss may take back the commits
    /// since the last one (an application crash loses nothing). For benchmarks and
    /// throwaway databases.
    Normal,
}

/// How to connect.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub max_connections: u32,
    /// How long start-up waits for a database that is not there yet (a container that
    /// starts before its database); a wrong address or password still fails at once.
    pub wait_for: Duration,
    pub sqlite_synchronous: Synchronous,
}

impl ConnectOptions {
    pub fn new(max_connections: u32) -> Self {
        Self {
            max_connections,
            wait_for: Duration::ZERO,
            sqlite_synchronous: Synchronous::Full,
        }
    }
}

/// Whether a failure to connect may pass by itself (the server is starting, restarting,
/// or not reachable yet), as opposed to a mistake in the configuration (a wrong
/// password, a database or role that does not exist), which waiting will not mend.
fn may_pass(message: &str) -> bool {
    let m = message.to_lowercase();
    let mistake = [
        "password authentication failed",
        "does not exist",
        "no pg_hba.conf entry",
        "authentication",
        "invalid connection option",
        "invalid uri",
        "permission denied",
    ];
    if mistake.iter().any(|w| m.contains(w)) {
        return false;
    }
    [
        "connection refused",
        "could not connect",
        "starting up",
        "shutting down",
        "in recovery mode",
        "not yet accepting connections",
        "timeout",
        "timed out",
        "no such file or directory",
        "could not translate host name",
        "network is unreachable",
        "server closed the connection",
        "terminating connection",
        "too many clients",
    ]
    .iter()
    .any(|w| m.contains(w))
}

/// A pooled connection, with what this process has learnt of it: once a query on it
/// failed because the connection is gone, it is `lost` and the pool drops it instead of
/// handing it out again. (libpq knows such a connection is bad, but diesel does not say
/// so for every failure: a read outside a transaction that meets a terminated backend
/// left the connection looking healthy, and every later request on it failed.)
pub struct PoolConn {
    conn: AnyConnection,
    lost: bool,
}

impl PoolConn {
    /// Notes an error seen on this connection; a lost connection is not reused.
    fn saw(&mut self, e: &DbError) {
        if matches!(e, DbError::Unavailable(_)) {
            self.lost = true;
        }
    }
}

impl std::ops::Deref for PoolConn {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for PoolConn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

impl Manager {
    fn open(&self) -> Result<AnyConnection, r2d2::Error> {
        match &self.target {
            Target::Sqlite(path) => {
                create_private_sqlite_file(path).map_err(|e| {
                    r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(format!(
                        "cannot create the SQLite file {path}: {e}"
                    )))
                })?;
                let mut c = diesel::SqliteConnection::establish(path)
                    .map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers go on while one writer writes; foreign keys are off by
                // default in SQLite; busy_timeout makes a second writer wait, not fail.
                // A serving process checkpoints in the background (see
                // `watch_sqlite_file`); the automatic checkpoint in a committing request
                // is left as a backstop, at a size the background one keeps below.
                // synchronous = FULL: a commit is on disk (the log fsynced) before it is
                // acknowledged, so a power loss takes back nothing anyone was told was
                // saved. (NORMAL would lose the last commits before a checkpoint; see
                // docs/PERFORMANCE.md for what FULL costs.)
                let sync = match self.sqlite_synchronous {
                    Synchronous::Full => "FULL",
                    Synchronous::Normal => "NORMAL",
                };
                c.batch_execute(&format!(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync}; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                     PRAGMA wal_autocheckpoint = 10000;"
                ))
                .map_err(r2d2::Error::QueryError)?;
                Ok(AnyConnection::Sqlite(c))
            }
            Target::Postgres(url) => {
                let mut c =
                    diesel::PgConnection::establish(url).map_err(r2d2::Error::ConnectionError)?;
                // Prepared statements keep one generic plan. By default PostgreSQL plans
                // a statement anew at every execution while that looks cheaper, and for
                // the inbox's queue queries it always did: a third of a millisecond of
                // planning per statement, on queries written so that the index decides
                // the plan whatever the values.
                c.batch_execute("SET plan_cache_mode = force_generic_plan")
                    .map_err(r2d2::Error::QueryError)?;
                Ok(AnyConnection::Postgresql(c))
            }
        }
    }
}

impl ManageConnection for Manager {
    type Connection = PoolConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<PoolConn, r2d2::Error> {
        Ok(PoolConn {
            conn: self.open()?,
            lost: false,
        })
    }

    fn is_valid(&self, conn: &mut PoolConn) -> Result<(), r2d2::Error> {
        conn.conn
            .batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    /// Local state only, no round trip: a connection on which a query failed because the
    /// connection is gone (`lost`), or whose transaction manager diesel marked broken (a
    /// transaction left open, a failed rollback), is dropped instead of going back to
    /// the pool. So one database restart costs each pooled connection one failed
    /// request (answered 503), and the next request gets a fresh connection.
    fn has_broken(&self, conn: &mut PoolConn) -> bool {
        conn.lost || diesel::r2d2::R2D2Connection::is_broken(&mut conn.conn)
    }
}

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
    audit: Arc<OnceLock<mpsc::UnboundedSender<crate::audit::Pending>>>,
    changes: Arc<Changes>,
    /// Where the change listener connects (PostgreSQL only).
    listen_url: Option<Arc<str>>,
    /// Where the SQLite watcher connects.
    sqlite_path: Option<Arc<str>>,
    /// The keys audit entries are chained with (see `audit_keys`).
    audit_keys: Option<AuditKeys>,
}

thread_local! {
    /// The audit keys of the `Db` whose write transaction runs on this thread. An entry
    /// is appended only inside `Db::write`, from dozens of places that hold a connection
    /// and nothing else; lending the keys for the length of the transaction lets each of
    /// them key its entry without passing the key through every caller, and a write
    /// through a handle without keys appends nothing.
    static AUDIT_KEYS: std::cell::Cell<Option<AuditKeys>> = const { std::cell::Cell::new(None) };
}

/// The audit keys lent to the current write transaction.
pub(crate) fn audit_keys() -> Option<AuditKeys> {
    AUDIT_KEYS.with(|k| k.get())
}

/// Lends keys to this thread until dropped, then restores what was there.
struct LentKeys(Option<AuditKeys>);

impl LentKeys {
    fn lend(keys: Option<AuditKeys>) -> Self {
        Self(AUDIT_KEYS.with(|k| k.replace(keys)))
    }
}

impl Drop for LentKeys {
    fn drop(&mut self) {
        AUDIT_KEYS.with(|k| k.set(self.0));
    }
}

/// How many changes this server has seen, so that what it keeps in memory (sessions)
/// can tell whether it may be out of date. Counts this process's own writes at once;
/// the watcher thread adds the changes other processes make (PostgreSQL's announcements,
/// SQLite's change counter).
#[derive(Debug, Default)]
struct Changes {
    count: AtomicU64,
    /// Whether other processes' changes are being counted: only while the watcher runs
    /// (and, on PostgreSQL, is connected).
    watched: AtomicBool,
}

impl Changes {
    fn bump(&self) {
        self.count.fetch_add(1, Ordering::AcqRel);
    }
}

// The SQLite-only counter of changes to what sessions are built from (migration
// `change_counter`).
diesel::table! {
    change_counter (id) {
        id -> BigInt,
        changes -> BigInt,
    }
}

/// SQLite begins a transaction as a reader and upgrades it at its first write; when
/// another process (a second server, a `rondom admin` command) has written in between,
/// the upgrade fails at once with "database is locked" instead of waiting its turn. A
/// write that changes nothing, first, takes the writer's lock up front, waiting for it
/// (busy_timeout) like any writer.
fn take_sqlite_write_lock(c: &mut diesel::SqliteConnection) -> QueryResult<()> {
    use crate::schema::directory_version::dsl as v;
    diesel::update(v::directory_version.filter(v::id.eq(-1)))
        .set(v::version.eq(v::version))
        .execute(c)
        .map(|_| ())
}

/// Polls between background checkpoints of a SQLite file (about once a second).
const CHECKPOINT_EVERY: u32 = 50;

/// See `Db::change_mark`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeMark(u64);

/// Watches a SQLite file's change counter, which triggers move when any process (this
/// one, a `rondom admin` command, a second server) changes sessions, people,
/// memberships, organisations or the sociale kaart's version. The audit log's commits,
/// one per request, leave it alone.
fn watch_sqlite_file(path: &str, changes: std::sync::Weak<Changes>) {
    let Ok(mut conn) = diesel::SqliteConnection::establish(path) else {
        tracing::warn!("cannot watch the SQLite file for changes; sessions are not cached");
        return;
    };
    let mut seen: Option<i64> = None;
    let mut ticks = 0u32;
    while let Some(c) = changes.upgrade() {
        let counted = change_counter::table
            .filter(change_counter::id.eq(1))
            .select(change_counter::changes)
            .first::<i64>(&mut conn)
            .ok();
        match counted {
            Some(v) if seen != Some(v) => {
                c.bump();
                c.watched.store(true, Ordering::Release);
                seen = Some(v);
            }
            Some(_) => {}
            None => {
                c.watched.store(false, Ordering::Release);
                seen = None;
            }
        }
        drop(c);
        // Copies the log into the database file now and then, here rather than in the
        // commit that happens to cross SQLite's threshold (whose request would wait for
        // the copy and its fsync: the slowest answers under load). PASSIVE waits for
        // nobody: readers and writers go on; with nothing new in the log it does nothing.
        ticks += 1;
        if ticks.is_multiple_of(CHECKPOINT_EVERY)
            && let Err(e) = diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut conn)
        {
            tracing::warn!("checkpoint failed: {e}");
        }
        std::thread::sleep(LISTEN_POLL);
    }
}

/// How often the watchers look for other processes' changes, so how long such a change
/// may go unseen. Cheap: PostgreSQL's announcements are read from what has already
/// arrived on the socket (no round trip); SQLite's change counter is one small read.
const LISTEN_POLL: Duration = Duration::from_millis(20);

/// The change listener's first pause after its connection broke, and its longest.
const LISTEN_RETRY_FIRST: Duration = Duration::from_millis(100);
const LISTEN_RETRY_MAX: Duration = Duration::from_secs(1);

/// Listens for `rondom_changes` announcements (see the migration `change_notices`) on
/// its own connection until the database handle is gone, reconnecting when the
/// connection breaks. While it is not listening, nothing may be trusted from memory.
fn listen_for_changes(url: &str, changes: std::sync::Weak<Changes>) {
    use diesel::PgConnection;
    // Tries again soon, then less often: a restart is over in a second or two, and a
    // database that is gone for longer need not be knocked on ten times a second.
    let mut pause = LISTEN_RETRY_FIRST;
    while let Some(c) = changes.upgrade() {
        c.watched.store(false, Ordering::Release);
        drop(c);
        let listening = PgConnection::establish(url).ok().and_then(|mut conn| {
            diesel::sql_query("LISTEN rondom_changes")
                .execute(&mut conn)
                .ok()
                .map(|_| conn)
        });
        let Some(mut conn) = listening else {
            std::thread::sleep(pause);
            pause = (pause * 2).min(LISTEN_RETRY_MAX);
            continue;
        };
        if pause > LISTEN_RETRY_FIRST {
            tracing::info!("change listener connected again; what was kept in memory starts cold");
        }
        pause = LISTEN_RETRY_FIRST;
        // Whatever changed while nobody listened counts as a change.
        match changes.upgrade() {
            Some(c) => {
                c.bump();
                c.watched.store(true, Ordering::Release);
            }
            None => return,
        }
        'listening: loop {
            for note in conn.notifications_iter() {
                match (note, changes.upgrade()) {
                    (Ok(_), Some(c)) => c.bump(),
                    (Err(e), _) => {
                        tracing::warn!("change listener lost its connection: {e}");
                        break 'listening;
                    }
                    (_, None) => return,
                }
            }
            if changes.strong_count() == 0 {
                return;
            }
            std::thread::sleep(LISTEN_POLL);
        }
    }
}

pub type Conn = PooledConnection<Manager>;

/// Runs `f` on a pooled connection and notes whether it found the connection gone.
fn noted<T>(
    conn: &mut PoolConn,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    let out = f(&mut conn.conn);
    if let Err(e) = &out {
        conn.saw(e);
    }
    out
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
            // every checkout would double the round trips.
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
        Ok(self.pool.get()?)
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
            let mut conn = self.pool.get()?;
            return noted(&mut conn, f);
        }
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
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
        let mut conn = self.pool.get()?;
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
        let (url, path) = (self.listen_url.clone(), self.sqlite_path.clone());
        let started = std::thread::Builder::new()
            .name("rondom-changes".into())
            .spawn(move || match (url, path) {
                (Some(url), _) => listen_for_changes(&url, changes),
                (None, Some(path)) => watch_sqlite_file(&path, changes),
                (None, None) => {}
            });
        if let Err(e) = started {
            tracing::warn!("cannot start the change listener: {e}");
        }
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
            tokio::spawn(crate::audit::group_writer(writer, rx));
            tx
        });
        let (reply, answer) = oneshot::channel();
        if let Err(mpsc::error::SendError((e, _))) = queue.send((e, reply)) {
            // The writer is gone (its runtime ended): write directly.
            return self.write(move |c| crate::audit::append(c, &e)).await;
        }
        answer
            .await
            .map_err(|_| DbError::Unavailable("the audit writer stopped".into()))?
            .map_err(DbError::Unavailable)
    }

    /// Whether the database answers right now (for `/readyz`).
    pub async fn ping(&self) -> bool {
        self.read(|c| c.batch_execute("SELECT 1").map_err(DbError::from))
            .await
            .is_ok()
    }
}
