//! Pure domain types and rules of Rondom. No IO, no HTTP, no SQL: everything here is
//! deterministic and unit-tested, so the rules that protect children's data can be read
//! and checked in one place.

pub mod agreements;
pub mod area;
pub mod audit;
pub mod catalogue;
pub mod consent;
pub mod consultation;
pub mod document;
pub mod hours;
pub mod identifying;
pub mod ids;
pub mod meeting;
pub mod message;
pub mod passwords;
pub mod plan;
pub mod policy;
pub mod referral;
pub mod role;
pub mod search;
mod stored;
pub mod stuur;
pub mod validate;
pub mod workdays;

pub use policy::{Action, Actor, Decision, Resource, authorize};
pub use role::{OrganisationKind, Role};
