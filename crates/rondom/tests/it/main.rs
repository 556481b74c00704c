//! Rondom's black-box tests, one binary: each module starts the real server (on SQLite
//! and on PostgreSQL where `on_both_backends!` says so) over the shared kit in `common`.
//! One binary instead of one per file: the whole application is linked once, not
//! eleven times.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::type_complexity
)]

#[macro_use]
mod common;

mod admin;
mod api;
mod auth;
mod browser;
mod consultation;
mod directory;
mod directory_edit;
mod faults;
mod hsds;
mod platform;
mod referral;
mod relevance;
mod stuur;
