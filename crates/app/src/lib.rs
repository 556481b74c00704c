//! Rondom's capabilities without HTTP: what the web pages, the JSON API and the command
//! line share. The web crate turns requests into calls here and answers into pages or
//! JSON; the command line calls here directly, not through the web crate.
//!
//! Architecture invariant: this crate knows no HTTP (no axum, no status codes, no
//! templates) and holds no SQL (that is rondom-db's).

pub mod auth;
pub mod directory;
pub mod secrets;
