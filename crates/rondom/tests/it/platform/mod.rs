//! The platform itself: headers, error pages, health, schemas on both engines, the audit
//! chain, several servers on one database, and the command line.

mod audit;
mod cli;
mod database;
mod keys;
mod servers;
mod web;

use crate::common::*;
use std::process::Command;

fn rondom() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rondom"));
    c.env_remove("DATABASE_URL")
        .env_remove("RONDOM_DATABASE_URL")
        .env_remove("RONDOM_CONFIG")
        .env("RONDOM_SECRET_KEY", TEST_KEY);
    c
}
