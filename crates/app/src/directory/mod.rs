//! The sociale kaart: its search index (a per-server cache of the offer) and its
//! interchange as Open Referral HSDS 3.0 (the mapping and the import); what its pages
//! show (entries); and its upkeep by the organisations themselves: their offer,
//! profile, locations, people and teams, and a social team's links to practices.

pub mod entries;
pub mod hours_form;
pub mod hsds;
pub mod index;
pub mod links;
pub mod locations;
pub mod offer;
pub mod people;
pub mod people_form;
pub mod profile;
pub mod profile_form;
pub mod rows;
pub mod service_form;
