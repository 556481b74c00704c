//! What every page template shares: title, navigation for what this person may open,
//! the CSRF token for the logout button, the DEMO banner and one-line notices.

use crate::session::CurrentUser;
use rondom_domain::validate::ValidationError;
use std::collections::HashMap;

/// Validation errors by form field, for templates; two messages for one field are joined.
pub fn field_errors(errors: Vec<ValidationError>) -> HashMap<&'static str, String> {
    let mut map: HashMap<&'static str, String> = HashMap::new();
    for e in errors {
        map.entry(e.field)
            .and_modify(|m| {
                m.push(' ');
                m.push_str(&e.message);
            })
            .or_insert(e.message);
    }
    map
}

/// Validation errors with their fields named anew (`names`: from, to), as another form
/// or the API names them; fields not named keep theirs.
pub fn renamed(
    errors: Vec<ValidationError>,
    names: &[(&str, &'static str)],
) -> Vec<ValidationError> {
    errors
        .into_iter()
        .map(|e| {
            let field = names
                .iter()
                .find(|(from, _)| *from == e.field)
                .map_or(e.field, |(_, to)| *to);
            ValidationError::new(field, e.message)
        })
        .collect()
}

pub struct Nav {
    pub name: String,
    /// Works in a general practice: has a "Mijn team".
    pub in_practice: bool,
    /// Professionals look things up in the sociale kaart.
    pub professional: bool,
    pub can_administer: bool,
    pub can_read_audit: bool,
    /// Asks or answers consultation questions.
    pub consults: bool,
    pub referrals: bool,
    /// Works for a municipality: its referral agreements are in the menu.
    pub municipality: bool,
    /// Works in a school's pupil care: its pupils' referrals are in the menu.
    pub pupils: bool,
    /// Reads stuurinformatie.
    pub steers: bool,
    /// Referrals that wait for the person's organisation: new, to accept, late.
    pub referrals_waiting: i64,
    /// Questions to answer, or answers to read.
    pub questions_waiting: i64,
    /// Unread messages.
    pub messages_unread: i64,
}

pub struct Page {
    pub title: String,
    pub active: &'static str,
    pub user: Option<Nav>,
    pub csrf: String,
    pub demo: bool,
    pub notice: Option<&'static str>,
}

impl Page {
    pub fn anonymous(title: impl Into<String>, demo: bool) -> Self {
        Self {
            title: title.into(),
            active: "",
            user: None,
            csrf: String::new(),
            demo,
            notice: None,
        }
    }

    pub fn for_user(title: impl Into<String>, active: &'static str, user: &CurrentUser) -> Self {
        let can = rondom_domain::policy::capabilities(&user.actor);
        Self {
            title: title.into(),
            active,
            user: Some(Nav {
                name: user.name.clone(),
                in_practice: can.in_practice,
                professional: can.professional,
                can_administer: can.administers,
                can_read_audit: can.reads_audit,
                steers: can.steers,
                consults: can.consults,
                referrals: can.refers,
                municipality: can.in_municipality,
                pupils: can.hears_of_pupils,
                referrals_waiting: user.counts.referrals,
                questions_waiting: user.counts.consultations,
                messages_unread: user.counts.messages,
            }),
            csrf: user.csrf.clone(),
            demo: user.is_demo,
            notice: None,
        }
    }

    pub fn with_notice(mut self, code: Option<&str>) -> Self {
        self.notice = code.and_then(notice_text);
        self
    }
}

/// Notices travel as a short code in the URL after a redirect; only these fixed texts are
/// ever shown, so nothing from the URL is reflected into the page.
pub fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "uitgelogd" => "U bent uitgelogd.",
        "sessie-verlopen" => {
            "Uw sessie is verlopen. Log opnieuw in; daarna gaat u verder waar u was."
        }
        "wachtwoord-gewijzigd" => "Uw wachtwoord is gewijzigd. Log in met uw nieuwe wachtwoord.",
        "opgeslagen" => "De wijzigingen zijn opgeslagen.",
        "aangemaakt" => "De organisatie is aangemaakt.",
        "lid-toegevoegd" => {
            "Het lid is toegevoegd. Is het een nieuw account, dan krijgt de persoon een e-mail om een wachtwoord in te stellen."
        }
        "lid-verwijderd" => "Het lid is verwijderd uit deze organisatie.",
        "aanbod-opgeslagen" => "Het aanbod is opgeslagen en als gecontroleerd gemarkeerd.",
        "aanbod-verwijderd" => "Het aanbod is verwijderd van de sociale kaart.",
        "gecontroleerd" => "Gemarkeerd als gecontroleerd: de gegevens kloppen nog.",
        "profiel-opgeslagen" => "Het profiel van de organisatie is opgeslagen.",
        "token-ingetrokken" => "Het API-token is ingetrokken.",
        "wachtwoord-opgeslagen" => {
            "Uw nieuwe wachtwoord is opgeslagen. Uw andere sessies zijn beëindigd."
        }
        _ => return None,
    })
}

/// A file as a download: always saved, never shown inside Rondom's origin (a PDF or an
/// office file with active content runs nowhere near the session), not cached.
pub fn file_download(name: String, media_type: &str, bytes: Vec<u8>) -> axum::response::Response {
    // Only the kinds Rondom accepts are named; anything else is bytes.
    let media = rondom_domain::document::FileKind::parse_media_type(media_type)
        .map_or("application/octet-stream", |k| k.media_type());
    attachment(name, media, bytes)
}

/// Bytes Rondom made itself (a copy of a child's file) as a download of this type.
pub fn attachment(name: String, media: &'static str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    let safe: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .collect();
    // The plain name for old clients, the exact one (RFC 6266) for the rest.
    let exact = crate::error::urlencode(&name).replace('/', "%2F");
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{safe}\"; filename*=UTF-8''{exact}"
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, private"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    resp
}
