//! Rondom's storage. One code path over SQLite (the embedded default) and PostgreSQL
//! (for deployments that outgrow one machine): diesel's `MultiConnection` lets every
//! query be written once; the few places that must differ match on the backend here.
//!
//! Architecture invariant: this is the only crate with SQL, and it keeps no state that a
//! second app server would need: everything lives in the database.

pub mod audit;
pub mod backend;
pub mod connection;
pub mod consultations;
pub mod directory;
pub mod documents;
pub mod error;
pub mod installation;
mod keys;
pub mod messages;
pub mod networks;
pub mod organisations;
pub mod referrals;
pub mod schema;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod users;

pub use backend::{AnyConnection, Backend};
pub use connection::{ChangeMark, Db};
pub use error::DbError;

/// Runs the same diesel query on the concrete connection inside `AnyConnection`. Hot
/// paths use it: through the multi-backend wrapper SQLite re-parses the statement on
/// every call, while the concrete connections keep their prepared statements cached.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::AnyConnection::Sqlite($c) => $body,
            $crate::AnyConnection::Postgresql($c) => $body,
        }
    };
}

use chrono::{NaiveDateTime, Timelike, Utc};

/// Current UTC time at microsecond precision: what both backends store, so that a value
/// reads back exactly as written (the audit hash depends on it).
pub fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t.with_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

/// A new primary key. UUID v7 keeps inserts index-friendly and leaks no counts.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
