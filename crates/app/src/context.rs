//! What a use case runs with: the shared services (the database, secrets at rest, the
//! outbox for e-mail) and the person acting, with where their request came from.

use crate::secrets::SecretBox;
use rondom_db::Db;
use rondom_domain::Actor;
use std::sync::Arc;

/// Sends e-mail in the background. The web crate's SMTP mailer is one; a use case hands
/// it messages without content about a child (only that something waits, with a link).
pub trait Outbox: Send + Sync {
    fn send_later(&self, to: String, subject: String, body: String);
}

/// The services every use case needs. Cloning is cheap (handles behind `Arc`s).
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub secrets: SecretBox,
    pub outbox: Arc<dyn Outbox>,
    /// The public URL links in e-mail point to, without a trailing slash.
    pub base_url: Arc<str>,
    /// This server's group writer of messages.
    pub sends: crate::message::writer::Queue,
    /// The virus scanner every document goes through (`crate::scan`), if configured.
    pub scan_command: Option<Arc<str>>,
    /// What the work suggests for a meeting's agenda, kept for a few seconds (by meeting
    /// and day).
    pub(crate) agenda_work: Arc<crate::fresh::FreshCache<crate::meeting::Suggested>>,
    /// The memberships of a meeting's participants, kept for a moment (by who they are).
    pub(crate) participant_memberships:
        Arc<crate::fresh::FreshCache<Vec<(String, rondom_db::users::Membership)>>>,
}

impl Services {
    pub fn new(db: Db, secrets: SecretBox, outbox: Arc<dyn Outbox>, base_url: &str) -> Self {
        Self {
            db,
            secrets,
            outbox,
            base_url: base_url.trim_end_matches('/').into(),
            sends: Default::default(),
            scan_command: None,
            agenda_work: Arc::new(crate::fresh::FreshCache::lasting(
                crate::meeting::SUGGESTIONS_FRESH_FOR,
            )),
            participant_memberships: Default::default(),
        }
    }

    /// Documents are given to this command before they are stored (`crate::scan`).
    pub fn with_scan_command(mut self, command: Option<&str>) -> Self {
        self.scan_command = command
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(Into::into);
        self
    }

    /// Mails a notice that something waits in Rondom, with a link and no content:
    /// "{lead}", then "{link_lead}: {base URL}{path}", then why there is no more.
    pub fn mail_notice(&self, to: String, subject: &str, lead: &str, link_lead: &str, path: &str) {
        self.outbox.send_later(
            to,
            subject.to_owned(),
            format!(
                "{lead}\n\n{link_lead}: {}{path}\n\nOm privacyredenen staat de inhoud niet in deze e-mail.\n",
                self.base_url
            ),
        );
    }
}

/// Whoever acts: a person in the browser, the holder of an API token, or an
/// administrator at the command line.
pub trait Principal {
    fn actor(&self) -> &Actor;
    fn display_name(&self) -> &str;
    /// The client's address as the request arrived (for the audit log).
    fn source_address(&self) -> Option<&str>;
}
