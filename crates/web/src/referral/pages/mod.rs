//! The referral pages: the inbox per role (/verwijzingen), the form for a new referral
//! (also from a consultation), a referral's page with its moves, feedback, case director,
//! onward referral and attachments; a school's page of its pupils' referrals.

mod form_page;
mod inbox_page;
mod pupils_page;
mod referral_page;

pub use form_page::*;
pub use inbox_page::*;
pub use pupils_page::*;
pub use referral_page::*;
