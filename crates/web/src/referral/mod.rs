//! Referral (verwijzing): the browser's face (`pages`: the inbox per role, the form, a
//! referral's page) and the verwijskader's pages (`agreements`). The rules are the use
//! cases in `rondom_app::referral`; the API's face is `api::referrals` and `api::fhir`.

pub mod agreements;
pub mod pages;

pub use rondom_app::referral::*;
