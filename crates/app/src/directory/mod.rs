//! The sociale kaart: its search index (a per-server cache of the offer) and its
//! interchange as Open Referral HSDS 3.0 (the mapping and the import).

pub mod hsds;
pub mod index;
