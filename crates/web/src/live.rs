//! Server-Sent Events: one person's live stream (`GET /api/v1/events` with a token, and
//! `/live` for the pages, with the session). Chosen over WebSocket because the traffic
//! is one way (sending is an ordinary POST, which keeps CSRF, validation and
//! idempotency in one place), it passes proxies as plain HTTP, and the browser's
//! EventSource reconnects by itself with Last-Event-ID. The stream is woken by news of
//! its networks and reads what happened from the database (`rondom_app::message::live`).

use crate::access::Principal;
use crate::state::AppState;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use rondom_app::message::live::{Live, LiveEvent, Stream as LiveStream};
use serde_json::json;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::{Duration, Instant};

/// A stream ends after this long and the client reconnects (EventSource does so by
/// itself, with Last-Event-ID): a revoked token or an ended session then stops it.
const LIFETIME: Duration = Duration::from_secs(300);

/// Looks again this often without news (a safety net should an announcement be lost).
const RECHECK: Duration = Duration::from_secs(20);

fn event(e: &LiveEvent) -> Event {
    let data = match &e.data {
        Live::Message {
            network_id,
            conversation_id,
            message,
        } => json!({
            "network_id": network_id,
            "conversation_id": conversation_id,
            "message": crate::api::messages::message_out((**message).clone()),
        }),
        Live::Read {
            network_id,
            conversation_id,
            user_id,
            seq,
        } => json!({
            "network_id": network_id,
            "conversation_id": conversation_id,
            "user_id": user_id,
            "seq": seq,
        }),
        Live::Conversation {
            network_id,
            conversation_id,
        } => json!({"network_id": network_id, "conversation_id": conversation_id}),
        Live::Membership { network_id } => json!({"network_id": network_id}),
    };
    Event::default()
        .id(e.id.clone())
        .event(e.kind.clone())
        .data(data.to_string())
}

struct Running<P> {
    stream: LiveStream,
    who: P,
    state: AppState,
    queue: VecDeque<LiveEvent>,
    ends: Instant,
}

/// The live stream of `who`, from the request's Last-Event-ID (or now).
pub async fn stream<P>(
    state: AppState,
    who: P,
    headers: &HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>> + use<P>>, rondom_app::Error>
where
    P: Principal + Send + Sync + 'static,
{
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let opened = LiveStream::open(&state.app, &who, last.as_deref()).await?;
    let running = Running {
        stream: opened,
        who,
        state,
        queue: VecDeque::new(),
        ends: Instant::now() + LIFETIME,
    };
    let s = futures_util::stream::unfold(running, |mut r| async move {
        loop {
            if let Some(e) = r.queue.pop_front() {
                let ev = event(&e);
                return Some((Ok(ev), r));
            }
            if Instant::now() >= r.ends {
                return None;
            }
            // An announcement that arrives while we read leaves its permit: the wait
            // below then returns at once.
            let wake = r.stream.wake();
            match r.stream.next(&r.state.app, &r.who).await {
                Ok(batch) if !batch.events.is_empty() => {
                    r.queue.extend(batch.events);
                    continue;
                }
                Ok(batch) if batch.more => continue,
                Ok(batch) if batch.unsettled => {
                    // Committed, but an older transaction is still open (PostgreSQL):
                    // it settles within moments.
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    continue;
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "a live stream stopped; the client will reconnect");
                    return None;
                }
            }
            let left = r.ends.saturating_duration_since(Instant::now());
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(RECHECK.min(left)) => {}
            }
        }
    });
    Ok(Sse::new(s).keep_alive(KeepAlive::default()))
}
