//! What this server read a moment ago: a cache checked against the database's change
//! mark, for rows that many requests in a row need (who is asking; a team's agenda
//! suggestions).

use rondom_db::{AnyConnection, ChangeMark, Db, DbError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Rows this server looked up a moment ago, by key. A copy is used only while the
/// database's change mark has not moved since it was read: any write by this server
/// moves it at once, and another process's change to what PostgreSQL announces by
/// trigger (sessions, API tokens, people, memberships, organisations; on SQLite the same
/// triggers move a change counter) within milliseconds. Never longer than its bound
/// either (`FRESH_FOR` unless made `lasting` longer), which bounds how stale anything
/// else another server changed can be. The database stays the only record: a restart or
/// another server just reads it again.
pub struct FreshCache<V> {
    entries: Mutex<HashMap<String, Cached<V>>>,
    fresh_for: Duration,
}

impl<V> Default for FreshCache<V> {
    fn default() -> Self {
        Self::lasting(FRESH_FOR)
    }
}

struct Cached<V> {
    row: Arc<V>,
    read_at: Instant,
    mark: ChangeMark,
}

const FRESH_FOR: Duration = Duration::from_secs(2);
/// Past this many entries the cache starts over (a bound on memory, not a policy).
const MAX_CACHED: usize = 10_000;

/// The change mark taken before a read, to store its result with (`FreshCache::store`).
/// None while changes are not watched: then nothing is kept.
#[derive(Debug, Clone, Copy)]
pub struct Taken(Option<ChangeMark>);

impl<V> FreshCache<V> {
    /// A cache whose copies of what another server changed may be `fresh_for` old: for
    /// work lists that decide nothing about access (this server's own writes still
    /// count at once).
    pub fn lasting(fresh_for: Duration) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            fresh_for,
        }
    }
}

impl<V: Send + Sync + 'static> FreshCache<V> {
    /// The row under `key`, from memory when that copy is current, else by `read`.
    pub async fn load<F>(&self, db: &Db, key: &str, read: F) -> Result<Option<Arc<V>>, DbError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<Option<V>, DbError> + Send + 'static,
    {
        let (copy, taken) = self.current(db, key);
        if copy.is_some() {
            return Ok(copy);
        }
        let Some(row) = db.read(read).await? else {
            return Ok(None);
        };
        let row = Arc::new(row);
        self.store(key, taken, row.clone());
        Ok(Some(row))
    }

    /// The copy under `key` if it is current, and the mark to store a fresh read with.
    /// The mark is taken before the caller reads: a change that lands during the read
    /// moves the mark past the one stored with the copy, so that copy is never used.
    pub fn current(&self, db: &Db, key: &str) -> (Option<Arc<V>>, Taken) {
        let mark = db.change_mark();
        let copy = mark.and_then(|mark| {
            let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            entries
                .get(key)
                .filter(|c| c.mark == mark && c.read_at.elapsed() < self.fresh_for)
                .map(|c| c.row.clone())
        });
        (copy, Taken(mark))
    }

    /// Keeps a row read after `current` gave `taken`.
    pub fn store(&self, key: &str, taken: Taken, row: Arc<V>) {
        let Taken(Some(mark)) = taken else {
            return;
        };
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_CACHED {
            entries.clear();
        }
        entries.insert(
            key.to_owned(),
            Cached {
                row,
                read_at: Instant::now(),
                mark,
            },
        );
    }
}
