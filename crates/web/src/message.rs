//! Messages' pages: a network's conversations (/netwerken/{id}/berichten), all of a
//! person's (/berichten, with a search), one conversation (/gesprekken/{id}) with its
//! send form, and the live parts: the stream (/live), the new messages as HTML for the
//! page's script (/gesprekken/{id}/nieuw) and the unread count (/berichten/ongelezen).
//! Every page works without JavaScript; the script only spares a reload.

use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::page::Page;
use crate::session::{CsrfForm, CurrentUser};
use crate::state::AppState;
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_app::access::Disclosed;
use rondom_app::message::{self, ConversationList, ConversationView, MessageView, MyConversation};
use rondom_domain::ids::{ConversationId, MessageId, NetworkId};
use rondom_domain::message::{MAX_BODY_CHARS, NoticeChoice, Segment};
use rondom_domain::validate::ValidationError;
use serde::Deserialize;
use std::collections::HashMap;

/// The messages of a conversation page, and their fragment for the live script: the same
/// template, so what arrives live looks like what a reload shows.
#[derive(Template)]
#[template(path = "message/items.html")]
struct Items {
    messages: Vec<MessageView>,
    read_by: Vec<(String, i64)>,
    csrf: String,
    may_mark: bool,
    network_id: String,
}

impl Items {
    /// Who read this message (of one's own), by name.
    fn readers_of(&self, seq: &i64) -> String {
        self.read_by
            .iter()
            .filter(|(_, s)| s >= seq)
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Template)]
#[template(path = "message/show.html")]
struct ConversationPage {
    page: Page,
    c: Disclosed<ConversationView>,
    /// The messages, rendered by `Items` (the live fragment's template).
    items_html: String,
    errors: HashMap<&'static str, String>,
    /// The text as typed when it could not be sent (nothing is lost).
    body: String,
    /// A fresh id per form: a second click on "Versturen" stores the message once.
    client_id: String,
    max: usize,
}

#[derive(Template)]
#[template(path = "message/list.html")]
struct ListPage {
    page: Page,
    l: Disclosed<ConversationList>,
    errors: HashMap<&'static str, String>,
    form: StartForm,
    max: usize,
}

impl ListPage {
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        self.l
            .may_start
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "message/mine.html")]
struct MinePage {
    page: Page,
    list: Disclosed<Vec<MyConversation>>,
    zoek: String,
}

#[derive(Template)]
#[template(path = "message/settings.html")]
struct SettingsPage {
    page: Page,
    choice: NoticeChoice,
    choices: Vec<(&'static str, &'static str)>,
    saved: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MineQuery {
    pub zoek: String,
}

/// All of a person's conversations, the latest news first, with a search.
pub async fn mine(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(q): Query<MineQuery>,
) -> Result<Html<String>, AppError> {
    let list = message::mine(&state.app, &user, &q.zoek).await?;
    MinePage {
        page: Page::for_user("Berichten", "berichten", &user),
        list,
        zoek: q.zoek.trim().to_owned(),
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

#[derive(Default, Clone)]
pub struct StartForm {
    pub soort: String,
    pub onderwerp: String,
    pub leden: Vec<String>,
    pub bericht: String,
}

impl StartForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "soort" => f.soort = v,
                "onderwerp" => f.onderwerp = v,
                "leden" => f.leden.push(v),
                "bericht" => f.bericht = v,
                _ => {}
            }
        }
        f
    }

    pub fn chose(&self, id: &str) -> bool {
        self.leden.iter().any(|l| l == id)
    }
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    errors: Vec<ValidationError>,
    form: StartForm,
) -> Result<String, AppError> {
    let l = message::conversations(&state.app, user, id).await?;
    ListPage {
        page: Page::for_user("Berichten", "berichten", user),
        l,
        errors: crate::page::field_errors(errors),
        form,
        max: MAX_BODY_CHARS,
    }
    .render()
    .map_err(AppError::internal)
}

/// A network's conversations, and the form to start one.
pub async fn conversations(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
) -> Result<Html<String>, AppError> {
    list_page(&state, &user, &id, vec![], StartForm::default())
        .await
        .map(Html)
}

/// Starts a conversation; a form with mistakes comes back as typed.
pub async fn start(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = StartForm::from_pairs(pairs);
    let input = message::NewConversation {
        kind: form.soort.clone(),
        title: form.onderwerp.clone(),
        chosen: form.leden.clone(),
        body: form.bericht.clone(),
    };
    match message::start(&state.app, &user, &id, input).await? {
        Ok(cid) => Ok(Redirect::to(&format!("/gesprekken/{cid}")).into_response()),
        Err(errors) => {
            let errors = crate::page::renamed(
                errors,
                &[
                    ("kind", "soort"),
                    ("title", "onderwerp"),
                    ("chosen", "leden"),
                    ("body", "bericht"),
                ],
            );
            let html = list_page(&state, &user, &id, errors, form).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    /// An earlier page: the messages before this seq.
    pub voor: Option<i64>,
}

async fn conversation_page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    before: Option<i64>,
    errors: Vec<ValidationError>,
    body: String,
) -> Result<String, AppError> {
    let c = message::read(&state.app, user, id, before).await?;
    let items = Items {
        messages: c.messages.clone(),
        read_by: c.read_by.clone(),
        csrf: user.csrf.clone(),
        may_mark: c.may_mark,
        network_id: c.network_id.clone(),
    };
    let items_html = items.render().map_err(AppError::internal)?;
    ConversationPage {
        page: Page::for_user(c.title.clone(), "berichten", user),
        items_html,
        c,
        errors: crate::page::field_errors(errors),
        body,
        client_id: rondom_app::new_id(),
        max: MAX_BODY_CHARS,
    }
    .render()
    .map_err(AppError::internal)
}

/// One conversation: its latest messages (the reader's mark moves), and the send form.
pub async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ConversationId>,
    Query(q): Query<ShowQuery>,
) -> Result<Html<String>, AppError> {
    conversation_page(&state, &user, &id, q.voor, vec![], String::new())
        .await
        .map(Html)
}

/// Sends a message, with a document or without: the form is multipart when the page
/// offers a document, a plain form otherwise (and from clients without files). A
/// message that cannot be sent comes back in the form, with why.
pub async fn send(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ConversationId>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    let too_big = || {
        vec![ValidationError::new(
            "document",
            format!(
                "Het bestand is te groot: hoogstens {} MB. Er is niets verstuurd.",
                rondom_domain::document::MAX_BYTES / (1024 * 1024)
            ),
        )]
    };
    let Some((pairs, mut files)) =
        crate::body::form_with_files(req, &state, &user, "document").await?
    else {
        let html = conversation_page(&state, &user, &id, None, too_big(), String::new()).await?;
        return Ok((StatusCode::PAYLOAD_TOO_LARGE, Html(html)).into_response());
    };
    let field = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map_or("", |(_, v)| v.as_str())
    };
    let (text, client) = (
        field("bericht"),
        Some(field("client_id")).filter(|c| !c.is_empty()),
    );
    let sent = match files.pop() {
        Some((name, bytes)) => {
            message::documents::share(&state.app, &user, &id, &name, bytes, text, client).await?
        }
        None => message::send(&state.app, &user, &id, text, client).await?,
    };
    match sent {
        Ok(sent) => {
            Ok(Redirect::to(&format!("/gesprekken/{id}#bericht-{}", sent.seq)).into_response())
        }
        Err(errors) => {
            let errors = errors
                .into_iter()
                .map(|e| {
                    let field = if e.field == "document" {
                        "document"
                    } else {
                        "bericht"
                    };
                    ValidationError::new(field, e.message)
                })
                .collect();
            let html = conversation_page(&state, &user, &id, None, errors, text.to_owned()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

/// A document of a conversation, as a download (never shown inside Rondom's pages).
pub async fn download(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<rondom_domain::ids::DocumentId>,
) -> Result<Response, AppError> {
    let file = message::documents::open(&state.app, &user, &id)
        .await?
        .into_inner();
    Ok(crate::page::file_download(
        file.file_name,
        &file.media_type,
        file.bytes,
    ))
}

/// Withdraws one's own message (within 15 minutes).
pub async fn withdraw(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<MessageId>,
    CsrfForm(_): CsrfForm<crate::session::EmptyForm>,
) -> Result<Response, AppError> {
    let cid = message::withdraw(&state.app, &user, &id).await?;
    Ok(Redirect::to(&format!("/gesprekken/{cid}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditForm {
    pub bericht: String,
}

/// Changes one's own message; the earlier text is kept for the log.
pub async fn edit(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<MessageId>,
    CsrfForm(form): CsrfForm<EditForm>,
) -> Result<Response, AppError> {
    match message::edit(&state.app, &user, &id, &form.bericht).await? {
        Ok(cid) => Ok(Redirect::to(&format!("/gesprekken/{cid}")).into_response()),
        Err(errors) => Err(AppError::Validation(errors)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FreshQuery {
    /// The messages after this seq.
    pub na: i64,
    /// At most this many (default 50).
    pub aantal: Option<i64>,
}

/// The messages after `na` as HTML list items, for the conversation page's live script.
pub async fn fresh(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ConversationId>,
    Query(q): Query<FreshQuery>,
) -> Result<Html<String>, AppError> {
    let limit = q.aantal.unwrap_or(message::PAGE).clamp(1, message::PAGE);
    let messages = message::after(&state.app, &user, &id, q.na, limit)
        .await?
        .into_inner();
    Items {
        messages,
        read_by: vec![],
        csrf: user.csrf.clone(),
        may_mark: false,
        network_id: String::new(),
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

/// The unread count for the menu (JSON, for the live script).
pub async fn unread(
    user: CurrentUser,
    State(state): State<AppState>,
) -> Result<Json<serde_json::Value>, AppError> {
    let per = message::unread(&state.app, &user.actor).await?;
    let total: i64 = per.iter().map(|(_, n)| n).sum();
    let conversations: serde_json::Map<String, serde_json::Value> =
        per.into_iter().map(|(id, n)| (id, n.into())).collect();
    Ok(Json(
        serde_json::json!({ "total": total, "conversations": conversations }),
    ))
}

/// The page's live stream (the session's person).
pub async fn live(
    user: CurrentUser,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    Ok(crate::live::stream(state, user, &headers)
        .await?
        .into_response())
}

/// How the person wants to hear of new messages.
pub async fn settings(
    user: CurrentUser,
    State(state): State<AppState>,
) -> Result<Html<String>, AppError> {
    let choice = message::notices::choice(&state.app, &user).await?;
    settings_page(&user, choice, false)
}

fn settings_page(
    user: &CurrentUser,
    choice: NoticeChoice,
    saved: bool,
) -> Result<Html<String>, AppError> {
    SettingsPage {
        page: Page::for_user("E-mail bij nieuwe berichten", "berichten", user),
        choice,
        choices: NoticeChoice::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        saved,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    pub keuze: String,
}

pub async fn save_settings(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<Html<String>, AppError> {
    match message::notices::choose(&state.app, &user, &form.keuze).await? {
        Ok(choice) => settings_page(&user, choice, true),
        Err(errors) => Err(AppError::Validation(errors)),
    }
}
