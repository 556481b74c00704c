//! Documents in a conversation: a PDF, a photo or an office file shared with a message.
//! The kind is read from the content (`rondom_domain::document`), the installation's
//! virus scanner sees the file first (`crate::scan`), and name and content are sealed
//! with the network's key like the message texts. Seeing a document takes more than
//! taking part in the conversation: the family's consent for documents
//! (`rondom_domain::message::shares_documents`), asked at the moment of every download,
//! and every download is in the child's access log.

use super::{
    MESSAGE_ITEM, SentMessage, checked_client_id, conversation_event, conversation_for, data_key,
    deliver, writer,
};
use crate::access::{self, Disclosed};
use crate::context::{Principal, Services};
use crate::error::{Checked, Error};
use crate::scan;
use rondom_db::audit::AuditEvent;
use rondom_db::documents::DocumentInfo;
use rondom_domain::document::{self as kinds, FileKind};
use rondom_domain::message as rules;
use rondom_domain::validate::ValidationError;
use std::sync::Arc;

pub use crate::referral::AttachmentFile as DocumentFile;

/// Why a member who takes part cannot share or open a document.
pub const NO_CONSENT: &str = "U kunt in dit gesprek geen documenten delen of openen: het gezin heeft (nog) geen toestemming gegeven dat u documenten ziet.";

/// A document as a reader sees it in the thread.
#[derive(Debug, Clone)]
pub struct DocumentView {
    pub id: String,
    /// Empty when this reader may not open documents (the name may say much).
    pub name: String,
    /// What it is, in words ("PDF", "afbeelding" ...).
    pub label: &'static str,
    /// Its size in words ("240 kB").
    pub size: String,
    pub size_bytes: i64,
    /// What its content is (one of `rondom_domain::document::FileKind`'s).
    pub media_type: String,
    pub may_open: bool,
}

/// "240 kB", "1,4 MB".
fn size_in_words(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} kB", (bytes + 1023) / 1024)
    } else {
        let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
        format!("{},{} MB", tenths / 10, tenths % 10)
    }
}

/// The document of a message as this reader sees it.
pub(crate) fn view(
    may_open: bool,
    key: Option<&crate::secrets::SecretBox>,
    d: &DocumentInfo,
) -> DocumentView {
    DocumentView {
        id: d.id.clone(),
        name: if may_open {
            super::open_text(key, &d.name_sealed, "document name")
        } else {
            String::new()
        },
        label: FileKind::parse_media_type(&d.media_type).map_or("document", FileKind::label),
        size: size_in_words(d.size_bytes),
        size_bytes: d.size_bytes,
        media_type: d.media_type.clone(),
        may_open,
    }
}

/// Shares a document in a conversation, with an optional caption. Checked (kind by
/// content, size, name), scanned and sealed before the writer stores it with its
/// message; a `client_id` makes a retry store it once.
pub async fn share(
    svc: &Services,
    who: &impl Principal,
    conversation_id: &str,
    file_name: &str,
    bytes: Vec<u8>,
    caption: &str,
    client_id: Option<&str>,
) -> Result<Checked<SentMessage>, Error> {
    let mut problems = Vec::new();
    let caption = if caption.trim().is_empty() {
        String::new()
    } else {
        rules::body(caption).unwrap_or_else(|e| {
            // The same rules as a message's text, under the caption's own name.
            problems.push(ValidationError::new("caption", e.message));
            String::new()
        })
    };
    let client_id = checked_client_id(client_id).unwrap_or_else(|e| {
        problems.push(e);
        None
    });
    let file = kinds::check(file_name, &bytes, kinds::MAX_BYTES)
        .map_err(|e| problems.push(e))
        .ok();
    let Some(file) = file.filter(|_| problems.is_empty()) else {
        return Ok(Err(problems));
    };
    // Who may share is known before the file is scanned or sealed; the writer asks
    // again in the transaction that stores it.
    let (p, conv, chosen) = conversation_for(svc, who, conversation_id).await?;
    if !p.shares_documents(&conv, &chosen) {
        access::record(
            svc,
            conversation_event(who, "document_share", &p, conversation_id, "denied"),
        )
        .await?;
        return Err(Error::Refused(NO_CONSENT.into()));
    }
    if let Some(refused) = scan::refusal(svc, "document", &bytes).await {
        return Ok(Err(vec![refused]));
    }
    let nid = conv.network_id.to_string();
    let wrapped = svc
        .db
        .read(move |c| rondom_db::messages::network_key(c, &nid))
        .await?
        .ok_or_else(|| Error::internal("the network has no key"))?;
    let key = data_key(svc, &wrapped)?;
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    // Sealing megabytes is work for a blocking thread, not the request's.
    let sealed = tokio::task::spawn_blocking(move || {
        Ok::<_, String>(writer::SealedDocument {
            name_sealed: key.seal(&file.name)?,
            media_type: file.kind.media_type(),
            size,
            content_sealed: key.seal_bytes(&bytes)?,
        })
    })
    .await
    .map_err(Error::internal)?
    .map_err(Error::internal)?;
    deliver(
        svc,
        writer::Send {
            conversation_id: conversation_id.to_owned(),
            who: writer::Acting::of(who),
            body: caption,
            client_id,
            document: Some(Arc::new(sealed)),
        },
    )
    .await
    .map(Ok)
}

/// Opens a document for download, after its look is logged with the child: only for
/// who takes part in its conversation and sees documents by consent now, never when its
/// message is withdrawn or kept from this reader.
pub async fn open(
    svc: &Services,
    who: &impl Principal,
    document_id: &str,
) -> Result<Disclosed<DocumentFile>, Error> {
    let id = document_id.to_owned();
    let found = svc
        .db
        .read(move |c| {
            let Some((d, content)) = rondom_db::documents::document(c, &id)? else {
                return Ok(None);
            };
            let m = rondom_db::messages::message(c, &d.message_id)?;
            let marks = rondom_db::networks::not_for_parents(c, &d.network_id)?;
            let wrapped = rondom_db::messages::network_key(c, &d.network_id)?;
            Ok(m.map(|m| (d, content, m, marks, wrapped)))
        })
        .await?;
    let (d, content, m, marks, wrapped) = found.ok_or(Error::NotFound)?;
    let (p, conv, chosen) = conversation_for(svc, who, m.conversation_id.as_str()).await?;
    let kept = p.kept
        && marks
            .iter()
            .any(|(k, mid)| k == MESSAGE_ITEM && mid == m.id.as_str());
    let event = |outcome| AuditEvent {
        object_type: "document".into(),
        object_id: Some(d.id.clone()),
        ..conversation_event(who, "document_download", &p, conv.id.as_str(), outcome)
    };
    if !p.shares_documents(&conv, &chosen) || kept || m.withdrawn_at.is_some() {
        access::record(svc, event("denied")).await?;
        return Err(Error::NotFound);
    }
    access::record(svc, event("allowed")).await?;
    // Opened only once its look is logged.
    let key = data_key(
        svc,
        wrapped
            .as_deref()
            .ok_or_else(|| Error::internal("the network has no key"))?,
    )?;
    let (name_sealed, media_type) = (d.name_sealed, d.media_type);
    tokio::task::spawn_blocking(move || {
        let bytes = key.open_bytes(&content).map_err(Error::internal)?;
        Ok(Disclosed::logged(DocumentFile {
            file_name: key.open(&name_sealed).unwrap_or_else(|_| "document".into()),
            media_type,
            bytes,
        }))
    })
    .await
    .map_err(Error::internal)?
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(super::size_in_words(1), "1 kB");
        assert_eq!(super::size_in_words(240 * 1024), "240 kB");
        assert_eq!(super::size_in_words(1_468_006), "1,4 MB");
        assert_eq!(super::size_in_words(10 * 1024 * 1024), "10,0 MB");
    }
}
