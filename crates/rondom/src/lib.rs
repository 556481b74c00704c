//! The `rondom` binary's library half: configuration, commands, start-up and the demo
//! municipality. Tests start the real server through `app::start`.

pub mod app;
pub mod checkpoints;
pub mod cli;
pub mod config;
pub mod demo;
