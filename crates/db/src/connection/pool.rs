//! Where to connect, the pool's connections (SQLite's pragmas and file mode, PostgreSQL's
//! plan cache), and a pooled connection that remembers finding its connection gone (and
//! makes its elders suspect).

use crate::backend::{AnyConnection, Backend};
use crate::error::DbError;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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
    pub(super) target: Target,
    pub(super) sqlite_synchronous: Synchronous,
    pub(super) health: Arc<Health>,
}

/// What the pool knows of its connections' health, shared by all of them. A connection
/// found gone usually means every connection opened before it is gone too (a database
/// restart, a fail-over, an administrator ending the sessions), but the pool cannot see
/// that without asking each one: connections older than the last loss are `suspect` and
/// checked once (`SELECT 1`) before they are handed out. So a restart costs one failed
/// request per server, not one per pooled connection, and a healthy pool pays nothing.
#[derive(Debug, Default)]
pub struct Health {
    /// Serial numbers of opened connections (the next one to hand out).
    opened: AtomicU64,
    /// Connections with a serial below this have not been checked since the last loss.
    suspect_below: AtomicU64,
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
pub(super) fn may_pass(message: &str) -> bool {
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
    pub(super) conn: AnyConnection,
    lost: bool,
    /// When it was opened, or last found alive after a loss (see `Health`).
    serial: u64,
    health: Arc<Health>,
}

impl PoolConn {
    /// Notes an error seen on this connection; a lost connection is not reused, and the
    /// connections opened before it become suspect.
    pub(super) fn saw(&mut self, e: &DbError) {
        if matches!(e, DbError::Unavailable(_)) {
            self.lost = true;
            let now = self.health.opened.load(Ordering::Acquire);
            self.health.suspect_below.fetch_max(now, Ordering::AcqRel);
        }
    }

    /// Whether this connection is older than the last loss and not checked since.
    fn suspect(&self) -> bool {
        self.serial < self.health.suspect_below.load(Ordering::Acquire)
    }
}

/// A connection from the pool, a suspect one checked first (see `Health`): one that
/// fails the check is dropped and the next one tried, until a sound or a new one comes.
pub(super) fn checkout(pool: &Pool<Manager>) -> Result<Conn, DbError> {
    loop {
        let mut conn = pool.get()?;
        if !conn.suspect() {
            return Ok(conn);
        }
        match conn.conn.batch_execute("SELECT 1") {
            Ok(()) => {
                conn.serial = conn.health.opened.fetch_add(1, Ordering::AcqRel);
                return Ok(conn);
            }
            // Dropped on its way back to the pool (`has_broken`).
            Err(_) => conn.lost = true,
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
    pub(super) fn open(&self) -> Result<AnyConnection, r2d2::Error> {
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
        let conn = self.open()?;
        Ok(PoolConn {
            conn,
            lost: false,
            serial: self.health.opened.fetch_add(1, Ordering::AcqRel),
            health: self.health.clone(),
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
    /// the pool. The connections older than it are checked at their next checkout
    /// (`checkout`), so one database restart costs one failed request (answered 503).
    fn has_broken(&self, conn: &mut PoolConn) -> bool {
        conn.lost || diesel::r2d2::R2D2Connection::is_broken(&mut conn.conn)
    }
}

/// SQLite begins a transaction as a reader and upgrades it at its first write; when
/// another process (a second server, a `rondom admin` command) has written in between,
/// the upgrade fails at once with "database is locked" instead of waiting its turn. A
/// write that changes nothing, first, takes the writer's lock up front, waiting for it
/// (busy_timeout) like any writer.
pub(super) fn take_sqlite_write_lock(c: &mut diesel::SqliteConnection) -> QueryResult<()> {
    use crate::schema::directory_version::dsl as v;
    diesel::update(v::directory_version.filter(v::id.eq(-1)))
        .set(v::version.eq(v::version))
        .execute(c)
        .map(|_| ())
}

pub type Conn = PooledConnection<Manager>;

/// Runs `f` on a pooled connection and notes whether it found the connection gone.
pub(super) fn noted<T>(
    conn: &mut PoolConn,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    let out = f(&mut conn.conn);
    if let Err(e) = &out {
        conn.saw(e);
    }
    out
}
