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
mod in_list;
pub mod installation;
mod keys;
pub mod meetings;
pub mod messages;
pub mod networks;
pub mod organisations;
pub mod plans;
pub mod referrals;
pub mod retention;
pub mod schema;
pub mod sessions;
pub mod stuur;
pub mod throttle;
pub mod tokens;
pub mod users;

pub use backend::{AnyConnection, Backend};
pub use connection::{ChangeMark, Db};
pub use error::DbError;
pub use in_list::{InList, in_list};

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

/// Runs `$body` with `$rows` (a `Vec` of insertable rows) as an array when there are one
/// to four of them, else as the `Vec`. diesel keeps a statement prepared on the
/// connection only when its shape is fixed: an insert of a `Vec` is parsed anew at
/// every call, which on PostgreSQL is a round trip more. A group of messages, a page's
/// audit entries and a group's read marks are nearly always four rows or fewer.
macro_rules! fixed_rows {
    ($rows:expr, |$v:ident| $body:expr) => {{
        let rows = $rows;
        match rows.len() {
            1 => {
                let $v: [_; 1] = $crate::as_array(rows)?;
                $body
            }
            2 => {
                let $v: [_; 2] = $crate::as_array(rows)?;
                $body
            }
            3 => {
                let $v: [_; 3] = $crate::as_array(rows)?;
                $body
            }
            4 => {
                let $v: [_; 4] = $crate::as_array(rows)?;
                $body
            }
            _ => {
                let $v = rows;
                $body
            }
        }
    }};
}
pub(crate) use fixed_rows;

/// The rows of a left join, ordered by the parent, folded back: each parent once (its
/// rows follow each other; `same` tells them apart), with its children in row order.
pub(crate) fn fold_left_join<P, C>(
    rows: impl IntoIterator<Item = (P, Option<C>)>,
    same: impl Fn(&P, &P) -> bool,
) -> Vec<(P, Vec<C>)> {
    let mut out: Vec<(P, Vec<C>)> = Vec::new();
    for (parent, child) in rows {
        match out.last_mut() {
            Some((last, children)) if same(last, &parent) => children.extend(child),
            _ => out.push((parent, child.into_iter().collect())),
        }
    }
    out
}

/// The rows as an array of their number (see `fixed_rows`, which checked the number).
pub(crate) fn as_array<T, const N: usize>(rows: Vec<T>) -> Result<[T; N], DbError> {
    rows.try_into()
        .map_err(|_| DbError::Unavailable(format!("expected {N} rows")))
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
