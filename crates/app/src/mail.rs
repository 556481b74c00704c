//! Outgoing e-mail over SMTP. Messages about children never carry content: only that
//! something is waiting in Rondom, with a link.

use crate::secrets::Secret;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP: only for a mail relay on the same host or a test sink.
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub from: String,
}

#[derive(Clone)]
pub struct Mailer {
    inner: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
}

impl Mailer {
    pub fn new(smtp: Option<&SmtpSettings>) -> Result<Self, String> {
        let Some(s) = smtp else {
            return Ok(Self { inner: None });
        };
        let mut builder = match s.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)
                .map_err(|e| format!("SMTP host {}: {e}", s.host))?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)
                .map_err(|e| format!("SMTP host {}: {e}", s.host))?,
        }
        .port(s.port)
        .timeout(Some(std::time::Duration::from_secs(10)));
        if let (Some(u), Some(p)) = (&s.username, &s.password) {
            builder = builder.credentials(Credentials::new(u.clone(), p.0.clone()));
        }
        let from: Mailbox = s
            .from
            .parse()
            .map_err(|e| format!("SMTP from address \"{}\": {e}", s.from))?;
        Ok(Self {
            inner: Some((builder.build(), from)),
        })
    }

    pub fn is_configured(&self) -> bool {
        self.inner.is_some()
    }

    /// Sends a plain-text message. Without SMTP configured the message is only logged
    /// (development); the caller never learns the difference, so pages behave the same.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let Some((transport, from)) = &self.inner else {
            tracing::warn!(
                to,
                subject,
                "SMTP is not configured; e-mail not sent (the body is not logged: it may hold a secret link)"
            );
            return Ok(());
        };
        let to: Mailbox = to.parse().map_err(|e| format!("recipient: {e}"))?;
        let msg = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| format!("building message: {e}"))?;
        transport
            .send(msg)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP: {e}"))
    }

    /// Sends in the background so that the answer to the person does not depend on
    /// whether (or how fast) mail went out: no timing tells whether an address exists.
    pub fn send_later(&self, to: String, subject: String, body: String) {
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(e) = this.send(&to, &subject, &body).await {
                tracing::error!(error = %e, "e-mail could not be sent");
            }
        });
    }
}

impl crate::Outbox for Mailer {
    fn send_later(&self, to: String, subject: String, body: String) {
        Mailer::send_later(self, to, subject, body);
    }
}
