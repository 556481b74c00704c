//! The fixed texts of the demo municipality: fictional, written for the demo.

mod names;
mod providers;
mod questions;
mod services;

pub(crate) use names::*;
pub(crate) use providers::*;
pub(crate) use questions::*;
pub(crate) use services::*;
