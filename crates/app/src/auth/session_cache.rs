//! What this server read a moment ago about who is asking (sessions, API tokens): a
//! cache checked against the database's change mark, so that most requests find their
//! caller without a round trip.

use rondom_db::sessions::{self, SessionWithUser};
use rondom_db::{AnyConnection, Db, DbError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Rows about callers that this server looked up a moment ago, by key (a session id, an
/// API token's hash). Every request needs its caller, their person and their
/// memberships; reading them from memory instead of the database is most of the
/// difference between a page and `/healthz` (a round trip to PostgreSQL costs more than
/// rendering the page). A copy is used only while the database's change mark has not
/// moved since it was read: any write by this server that may touch them moves it at
/// once, and any other process's change within milliseconds (PostgreSQL announces
/// changes to sessions, API tokens, people, memberships and organisations by trigger; on
/// SQLite the same triggers move a change counter). Never longer than `FRESH_FOR`
/// either. The database stays the only record: a restart or another server just reads
/// it again.
pub struct FreshCache<V> {
    entries: Mutex<HashMap<String, Cached<V>>>,
}

impl<V> Default for FreshCache<V> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

struct Cached<V> {
    row: Arc<V>,
    read_at: Instant,
    mark: rondom_db::ChangeMark,
}

const FRESH_FOR: Duration = Duration::from_secs(2);
/// Past this many entries the cache starts over (a bound on memory, not a policy).
const MAX_CACHED: usize = 10_000;

impl<V: Send + Sync + 'static> FreshCache<V> {
    /// The row under `key`, from memory when that copy is current, else by `read`.
    pub async fn load<F>(&self, db: &Db, key: &str, read: F) -> Result<Option<Arc<V>>, DbError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<Option<V>, DbError> + Send + 'static,
    {
        // Taken before reading: a change that lands during the read moves the mark past
        // the one stored with the copy, so the copy is never used.
        let mark = db.change_mark();
        if let Some(mark) = mark {
            let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(c) = entries.get(key)
                && c.mark == mark
                && c.read_at.elapsed() < FRESH_FOR
            {
                return Ok(Some(c.row.clone()));
            }
        }
        let Some(row) = db.read(read).await? else {
            return Ok(None);
        };
        let row = Arc::new(row);
        if let Some(mark) = mark {
            let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if entries.len() >= MAX_CACHED {
                entries.clear();
            }
            entries.insert(
                key.to_owned(),
                Cached {
                    row: row.clone(),
                    read_at: Instant::now(),
                    mark,
                },
            );
        }
        Ok(Some(row))
    }
}

/// The sessions this server looked up a moment ago.
pub type SessionCache = FreshCache<SessionWithUser>;

impl FreshCache<SessionWithUser> {
    /// The session with this id (the cookie's hash).
    pub async fn session(
        &self,
        db: &Db,
        id: &str,
    ) -> Result<Option<Arc<SessionWithUser>>, DbError> {
        let sid = id.to_owned();
        self.load(db, id, move |c| sessions::load(c, &sid)).await
    }
}

/// The API tokens this server looked up a moment ago, by the token's hash.
pub type TokenCache = FreshCache<super::TokenHolder>;
