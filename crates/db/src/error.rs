//! What can go wrong with the database, in the terms the callers act on: not found, a
//! conflict, unavailable (answer 503 and retry), full (nothing was saved), or other.

use diesel::r2d2;

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
