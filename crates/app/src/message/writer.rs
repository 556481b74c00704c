//! The group writer of messages. A send is one transaction with the message, its order
//! number, the sender's read mark, the event for the live streams, its audit entry and
//! the e-mail notices that are due; on SQLite every commit waits for the disk, and on
//! PostgreSQL every commit takes the audit chain's lock. Under load the sends that
//! arrive while one group commits are written together in the next (sorted by
//! conversation, so two servers' groups lock rows in one order): sixteen people typing
//! at once cost a few commits, not sixteen. Each sender still waits for their own
//! message to be committed before they hear it was sent.

use crate::secrets::SecretBox;
use rondom_db::audit::AuditEvent;
use rondom_db::messages::{self as db, Sent};
use rondom_db::{AnyConnection, Db, DbError};
use rondom_domain::message::{NoticeChoice, notice_due};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// Most sends in one transaction: bounds how long the locks are held.
const MAX_GROUP: usize = 128;

/// One send as the use case checked it.
#[derive(Clone)]
pub(crate) struct Send {
    pub network_id: String,
    pub conversation_id: String,
    pub author_id: String,
    pub body: String,
    pub client_id: Option<String>,
    pub audit: AuditEvent,
    /// Who takes part besides the sender (for the e-mail notices).
    pub recipients: Vec<String>,
}

/// What a send did: the message, and the addresses to mail a notice to.
pub(crate) type Done = (Sent, Vec<String>);

type Pending = (Send, oneshot::Sender<Result<Done, String>>);

/// The queue to this server's writer, started on first use (it needs the runtime).
#[derive(Default, Clone)]
pub struct Queue(Arc<OnceLock<mpsc::UnboundedSender<Pending>>>);

impl Queue {
    /// Writes the send (with others that arrive meanwhile) and answers once committed.
    pub(crate) async fn send(
        &self,
        db: &Db,
        secrets: &SecretBox,
        s: Send,
    ) -> Result<Done, crate::Error> {
        let queue = self.0.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            // The writer holds the database and the key, not the queue: it stops when the
            // last sender (the services) is gone.
            tokio::spawn(group_writer(db.clone(), secrets.clone(), rx));
            tx
        });
        let (reply, answer) = oneshot::channel();
        if let Err(mpsc::error::SendError((s, _))) = queue.send((s, reply)) {
            let secrets = secrets.clone();
            return Ok(db.write(move |c| write_one(c, &secrets, &s)).await?);
        }
        answer
            .await
            .map_err(|_| crate::Error::internal("the message writer stopped"))?
            .map_err(|e| crate::Error::Db(DbError::Unavailable(e)))
    }
}

async fn group_writer(db: Db, secrets: SecretBox, mut rx: mpsc::UnboundedReceiver<Pending>) {
    while let Some(first) = rx.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(p) => group.push(p),
                Err(_) => break,
            }
        }
        group.sort_by(|a, b| a.0.conversation_id.cmp(&b.0.conversation_id));
        let (sends, replies): (Vec<Send>, Vec<_>) = group.into_iter().unzip();
        let alone = sends.len() == 1;
        let written = {
            let (sends, secrets) = (sends.clone(), secrets.clone());
            db.write(move |c| write_all(c, &secrets, &sends)).await
        };
        match written {
            Ok(done) => {
                for (reply, d) in replies.into_iter().zip(done) {
                    // A sender that gave up (its request was cancelled) needs no answer.
                    let _ = reply.send(Ok(d));
                }
            }
            Err(e) if alone => {
                let _ = replies
                    .into_iter()
                    .next()
                    .map(|r| r.send(Err(e.to_string())));
            }
            // One send that cannot be written must not cost the others theirs.
            Err(_) => {
                for (s, reply) in sends.into_iter().zip(replies) {
                    let secrets = secrets.clone();
                    let one = db.write(move |c| write_one(c, &secrets, &s)).await;
                    let _ = reply.send(one.map_err(|e| e.to_string()));
                }
            }
        }
    }
}

fn write_one(c: &mut AnyConnection, secrets: &SecretBox, s: &Send) -> Result<Done, DbError> {
    write_all(c, secrets, std::slice::from_ref(s)).map(|mut v| v.remove(0))
}

/// The sends in one transaction, in the given order; their audit entries at the end.
fn write_all(
    c: &mut AnyConnection,
    secrets: &SecretBox,
    sends: &[Send],
) -> Result<Vec<Done>, DbError> {
    let mut keys: HashMap<&str, SecretBox> = HashMap::new();
    let mut out = Vec::with_capacity(sends.len());
    let mut audit = Vec::new();
    let now = rondom_db::now();
    let since = now - chrono::Duration::minutes(rondom_domain::message::NOTICE_GAP_MINUTES);
    for s in sends {
        let key = match keys.get(s.network_id.as_str()) {
            Some(k) => k,
            None => {
                let wrapped = db::network_key(c, &s.network_id)?
                    .ok_or_else(|| DbError::Unavailable("the network has no key".into()))?;
                let k = secrets
                    .open_data_key(&wrapped)
                    .map_err(DbError::Unavailable)?;
                keys.entry(s.network_id.as_str()).or_insert(k)
            }
        };
        let sealed = key.seal(&s.body).map_err(DbError::Unavailable)?;
        let sent = db::send(
            c,
            &s.network_id,
            &s.conversation_id,
            &s.author_id,
            &sealed,
            s.client_id.as_deref(),
        )?;
        let mut mail = Vec::new();
        if let Sent::New(m) = &sent {
            audit.push(AuditEvent {
                object_type: "message".into(),
                object_id: Some(m.id.to_string()),
                ..s.audit.clone()
            });
            // E-mail notices: to those who chose them at once and were not mailed
            // about this conversation this quarter.
            let mut due = Vec::new();
            for (user, _, mailed, choice) in db::notice_state(c, &s.conversation_id, &s.recipients)?
            {
                let choice = choice
                    .as_deref()
                    .and_then(NoticeChoice::parse)
                    .unwrap_or_default();
                if notice_due(choice, mailed, false, now)
                    && db::mailed_unless_since(c, &s.conversation_id, &user, since)?
                {
                    due.push(user);
                }
            }
            mail = rondom_db::users::emails_of(c, &due)?
                .into_iter()
                .map(|(_, e)| e)
                .collect();
        }
        out.push((sent, mail));
    }
    rondom_db::audit::append_all(c, &audit)?;
    Ok(out)
}
