//! The referral pages: the inbox per role (/verwijzingen), the form for a new referral
//! (also from a consultation), a referral's page with its moves, feedback, case director,
//! onward referral and attachments.

mod form_page;
mod inbox_page;
mod referral_page;

pub use form_page::*;
pub use inbox_page::*;
pub use referral_page::*;
