//! Administration: organisations (made by platform admins, kept by their own admins) and
//! their members. Each operation asks the policy, checks its input whole, and writes the
//! change with its audit entry in one transaction.

pub mod audit_log;
pub mod members;
pub mod organisations;
pub mod rotate_key;
