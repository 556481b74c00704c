//! Rondom's use cases: what the web pages, the JSON API and the command line share. Each
//! operation takes the services and the person acting, asks `rondom_domain::policy`,
//! does its work in one database transaction with its audit entry, and answers a typed
//! result or an `Error`. A child's data leaves this crate only as `Disclosed<…>`, which
//! only the audited reads make.
//!
//! Architecture invariant: this crate knows no HTTP (no axum, no status codes, no
//! templates) and holds no SQL (that is rondom-db's).

pub mod access;
pub mod account;
pub mod admin;
pub mod auth;
pub mod console;
pub mod consultation;
pub mod context;
pub mod dates;
pub mod directory;
pub mod error;
pub mod fresh;
pub mod mail;
pub mod meeting;
pub mod message;
pub mod network;
pub mod plan;
pub mod referral;
pub mod retention;
pub mod scan;
pub mod secrets;
pub mod stuur;
pub mod today;

pub use access::Disclosed;
pub use context::{Outbox, Principal, Services};
pub use error::{Checked, Error};
/// The database the services run on, and its errors (which web maps to HTTP answers).
pub use rondom_db::{Db, DbError, new_id};
