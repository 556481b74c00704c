use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
}

impl From<diesel::result::Error> for DbError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => Self::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::Conflict(info.message().to_owned())
            }
            other => Self::Query(other),
        }
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

/// Builds connections for the pool, choosing the backend from the URL itself rather than
/// trying each in turn (which would make a typo in a PostgreSQL URL create a SQLite file).
#[derive(Debug)]
pub struct Manager {
    target: Target,
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        match &self.target {
            Target::Sqlite(path) => {
                let mut c = diesel::SqliteConnection::establish(path)
                    .map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers go on while one writer writes; foreign keys are off by
                // default in SQLite; busy_timeout makes a second writer wait, not fail.
                c.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(AnyConnection::Sqlite(c))
            }
            Target::Postgres(url) => diesel::PgConnection::establish(url)
                .map(AnyConnection::Postgresql)
                .map_err(r2d2::Error::ConnectionError),
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut AnyConnection) -> bool {
        false
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
}

pub type Conn = PooledConnection<Manager>;

impl Db {
    /// Connects and checks that the database answers. Fails with a sentence a person can
    /// act on.
    pub fn connect(url: &str, max_connections: u32) -> Result<Self, DbError> {
        let target = Target::parse(url).map_err(DbError::Unavailable)?;
        let backend = target.backend();
        let manager = Manager { target };
        // One direct attempt first: a wrong URL or a database that is down fails at once
        // with the driver's own words, instead of after the pool's time-out.
        manager.connect().map_err(|e| {
            let words = e
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            DbError::Unavailable(words)
        })?;
        let pool = Pool::builder()
            .max_size(max_connections.max(1))
            // No background connecting: a command-line run that exits while a pool thread is
            // inside libpq crashes in its exit handlers. Connections open on first use.
            .min_idle(Some(0))
            .connection_timeout(Duration::from_secs(5))
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
        })
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
        let applied = match &mut *conn {
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
            return f(&mut conn);
        }
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
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
        conn.transaction::<T, DbError, _>(|c| f(c))
    }

    /// Whether the database answers right now (for `/readyz`).
    pub async fn ping(&self) -> bool {
        self.read(|c| c.batch_execute("SELECT 1").map_err(DbError::from))
            .await
            .is_ok()
    }
}
