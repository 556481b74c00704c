//! Messages through the API: a network's conversations, a conversation's messages
//! (`after` for what is new; a `client_id` makes a retried send idempotent), and the
//! live stream `/api/v1/events`. The same checks, audit entries and consent at the
//! moment of reading as the pages: both call `rondom_app::message`.

use super::ApiJson;
use crate::auth::api_token::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use rondom_app::message::{self, ConversationLine, MessageView, NewConversation};
use rondom_domain::ids::{ConversationId, NetworkId};
use rondom_domain::validate::ValidationError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct ConversationOut {
    pub id: String,
    pub network_id: String,
    /// network (everyone, the family included), professionals or chosen.
    pub kind: String,
    pub title: String,
    /// Messages this person has not read.
    pub unread: i64,
    /// Messages in the conversation.
    pub messages: i64,
    /// Local time (Europe/Amsterdam) of the latest message, "d-m-yyyy hh:mm".
    pub last_at: String,
    /// For a conversation of chosen members: who is in it.
    pub with: Vec<String>,
    /// For a conversation with the whole network: the members of the network who are not
    /// in it (no consent for messages, or kept out by the youth), "name (what)".
    pub left_out: Vec<String>,
}

fn conversation_out(network_id: &str, c: ConversationLine) -> ConversationOut {
    ConversationOut {
        id: c.id,
        network_id: network_id.to_owned(),
        kind: c.kind.code().to_owned(),
        title: c.title,
        unread: c.unread,
        messages: c.messages,
        last_at: c.last_at,
        with: c.with,
        left_out: c.left_out,
    }
}

#[derive(Serialize, ToSchema)]
pub struct NetworkMessageOut {
    pub id: String,
    /// The message's place in its conversation: 1, 2, 3 ... the same for every reader.
    pub seq: i64,
    pub author_id: String,
    pub author: String,
    /// Plain text; empty when withdrawn or kept from this reader.
    pub body: String,
    /// RFC 3339, UTC.
    pub sent_at: String,
    pub edited: bool,
    pub withdrawn: bool,
    /// Marked not for the parents, at the youth's request (hidden from this reader).
    pub kept_from_you: bool,
    /// The document shared with this message, if any (`body` is then its caption).
    pub document: Option<DocumentOut>,
}

#[derive(Serialize, ToSchema)]
pub struct DocumentOut {
    pub id: String,
    /// The file name; empty when you may not open documents in this network.
    pub name: String,
    /// What the content is: application/pdf, image/png, image/jpeg or an office type.
    pub media_type: String,
    pub size_bytes: i64,
    /// Whether you may download it (the family's consent for documents).
    pub may_open: bool,
    /// Where to download it (with your token).
    pub href: String,
}

/// A message as the API and the live stream show it.
pub(crate) fn message_out(m: MessageView) -> NetworkMessageOut {
    NetworkMessageOut {
        sent_at: m.sent_at.and_utc().to_rfc3339(),
        id: m.id,
        seq: m.seq,
        author_id: m.author_id,
        author: m.author,
        body: m.body,
        edited: m.edited,
        withdrawn: m.withdrawn,
        kept_from_you: m.kept,
        document: m.document.map(|d| DocumentOut {
            href: format!("/api/v1/documents/{}", d.id),
            id: d.id,
            name: d.name,
            media_type: d.media_type,
            size_bytes: d.size_bytes,
            may_open: d.may_open,
        }),
    }
}

/// The pages' field names as the API names them.
const FIELDS: [(&str, &str); 1] = [("chosen", "member_ids")];

fn api_fields(errors: Vec<ValidationError>) -> AppError {
    AppError::Validation(crate::page::renamed(errors, &FIELDS))
}

/// The conversations of a network that this person takes part in.
#[utoipa::path(get, path = "/api/v1/networks/{id}/conversations", tag = "berichten",
    params(("id" = String, Path, description = "Network id")),
    responses((status = 200, body = [ConversationOut]), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn conversations(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<NetworkId>,
) -> Result<Json<Vec<ConversationOut>>, ApiError> {
    let list = message::conversations(&state.app, &user, &id)
        .await?
        .into_inner();
    Ok(Json(
        list.conversations
            .into_iter()
            .map(|c| conversation_out(&list.network_id, c))
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ConversationIn {
    /// network (everyone, the family included), professionals or chosen.
    pub kind: String,
    /// At most 120 characters; a title from the kind when left out.
    #[serde(default)]
    pub title: String,
    /// For kind "chosen": the network member ids to talk with (you are added).
    #[serde(default)]
    pub member_ids: Vec<String>,
    /// A first message.
    #[serde(default)]
    pub body: String,
}

/// Opens a conversation in a network.
#[utoipa::path(post, path = "/api/v1/networks/{id}/conversations", tag = "berichten",
    params(("id" = String, Path, description = "Network id")), request_body = ConversationIn,
    responses((status = 201, body = ConversationOut), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn start(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<NetworkId>,
    ApiJson(input): ApiJson<ConversationIn>,
) -> Result<impl IntoResponse, ApiError> {
    let started = message::start(
        &state.app,
        &user,
        &id,
        NewConversation {
            kind: input.kind,
            title: input.title,
            chosen: input.member_ids,
            body: input.body,
        },
    )
    .await?;
    let cid = match started {
        Ok(cid) => cid,
        Err(errors) => return Err(api_fields(errors).into()),
    };
    let list = message::conversations(&state.app, &user, &id)
        .await?
        .into_inner();
    let line = list
        .conversations
        .into_iter()
        .find(|c| c.id == cid.as_str())
        .ok_or(AppError::NotFound)?;
    Ok((
        StatusCode::CREATED,
        Json(conversation_out(&list.network_id, line)),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessagesQuery {
    /// Only messages after this seq (0 or left out: from the first).
    #[serde(default)]
    #[param(minimum = 0)]
    pub after: i64,
    /// At most this many (1 to 500, default 100).
    #[serde(default = "default_limit")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: i64,
}

fn default_limit() -> i64 {
    100
}

/// A conversation's messages after `after`, in order; moves your read mark.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "berichten",
    params(("id" = String, Path, description = "Conversation id"), MessagesQuery),
    responses((status = 200, body = [NetworkMessageOut]), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn messages(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ConversationId>,
    ApiQuery(q): ApiQuery<MessagesQuery>,
) -> Result<Json<Vec<NetworkMessageOut>>, ApiError> {
    if q.after < 0 || !(1..=500).contains(&q.limit) {
        return Err(
            AppError::BadRequest("after is 0 or more, and limit is 1 to 500.".into()).into(),
        );
    }
    let list = message::after(&state.app, &user, &id, q.after, q.limit)
        .await?
        .into_inner();
    Ok(Json(list.into_iter().map(message_out).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct NetworkMessageIn {
    /// Plain text, 1 to 10,000 characters; line breaks are kept.
    pub body: String,
    /// Your own id for this send (at most 100 characters): sending again with the same
    /// one answers the message stored the first time instead of storing it twice.
    #[serde(default)]
    pub client_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SentOut {
    pub id: String,
    pub seq: i64,
}

/// 201 with the stored message, or 200 when a retry found the one stored before.
fn sent_answer(sent: message::SentMessage) -> (StatusCode, Json<SentOut>) {
    let status = if sent.new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (
        status,
        Json(SentOut {
            id: sent.id.to_string(),
            seq: sent.seq,
        }),
    )
}

/// Sends a message (201); a retry with the same client_id answers the stored one (200).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "berichten",
    params(("id" = String, Path, description = "Conversation id")), request_body = NetworkMessageIn,
    responses((status = 201, body = SentOut), (status = 200, body = SentOut),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn send(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(input): ApiJson<NetworkMessageIn>,
) -> Result<impl IntoResponse, ApiError> {
    message::send(
        &state.app,
        &user,
        &id,
        &input.body,
        input.client_id.as_deref(),
    )
    .await?
    .map(sent_answer)
    .map_err(|errors| api_fields(errors).into())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// The file's name, with the extension of what it is (.pdf, .docx ...).
    pub name: String,
    /// A caption sent with it (at most 10,000 characters).
    #[serde(default)]
    pub caption: String,
    /// Your own id for this send, as for messages: a retry stores it once.
    #[serde(default)]
    pub client_id: Option<String>,
}

/// Shares a document in a conversation: the file is the request body. Its kind is read
/// from its content (PDF, PNG, JPEG, Word, Excel, PowerPoint, OpenDocument; at most
/// 10 MB) and must match its name; it is scanned for viruses when the installation has
/// a scanner. Needs the family's consent for documents (403 without it).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/documents", tag = "berichten",
    params(("id" = String, Path, description = "Conversation id"), DocumentQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = SentOut), (status = 200, body = SentOut),
        (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn share_document(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ConversationId>,
    ApiQuery(q): ApiQuery<DocumentQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<impl IntoResponse, ApiError> {
    let bytes = crate::body::read_limited(&headers, body, rondom_domain::document::MAX_BYTES)
        .await?
        .to_vec();
    message::documents::share(
        &state.app,
        &user,
        &id,
        &q.name,
        bytes,
        &q.caption,
        q.client_id.as_deref(),
    )
    .await?
    .map(sent_answer)
    .map_err(|errors| api_fields(errors).into())
}

/// A document, as a download; the download is in the child's access log.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "berichten",
    params(("id" = String, Path, description = "Document id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn document(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<rondom_domain::ids::DocumentId>,
) -> Result<axum::response::Response, ApiError> {
    let file = message::documents::open(&state.app, &user, &id)
        .await?
        .into_inner();
    Ok(crate::page::file_download(
        file.file_name,
        &file.media_type,
        file.bytes,
    ))
}

/// The live stream (text/event-stream) of everything new in your networks: events
/// `message`, `edit`, `withdrawn`, `read`, `conversation` and `membership`, each with
/// JSON data and an id; reconnect with that id as `Last-Event-ID` to get what you
/// missed. The stream ends after five minutes; reconnect to go on.
#[utoipa::path(get, path = "/api/v1/events", tag = "berichten",
    responses((status = 200, description = "An event stream", content_type = "text/event-stream", body = String)),
    security(("bearer" = [])))]
pub async fn events(
    user: ApiUser,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    Ok(crate::live::stream(state, user, &headers)
        .await
        .map_err(AppError::from)?)
}
