//! The sessions this server read a moment ago (a cache checked against the database's
//! change mark), so that most requests find their session without a round trip.

use rondom_db::sessions::{self, SessionWithUser};
use rondom_db::{Db, DbError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The sessions this server looked up a moment ago. Every request needs its session, its
/// person and their memberships; reading them from memory instead of the database is
/// most of the difference between a page and `/healthz` (a round trip to PostgreSQL
/// costs more than rendering the page). A copy is used only while the database's change
/// mark has not moved since it was read: any write by this server moves it at once, and
/// any other process's change within milliseconds (PostgreSQL announces changes to
/// sessions, people, memberships and organisations by trigger; on SQLite the same
/// triggers move a change counter). Never longer than `FRESH_FOR` either. The database stays the
/// only record: a restart or another server just reads it again.
#[derive(Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<String, Cached>>,
}

struct Cached {
    row: Arc<SessionWithUser>,
    read_at: Instant,
    mark: rondom_db::ChangeMark,
}

const FRESH_FOR: Duration = Duration::from_secs(2);
/// Past this many sessions the cache starts over (a bound on memory, not a policy).
const MAX_CACHED: usize = 10_000;

impl SessionCache {
    /// The session with this id (the cookie's hash), from memory when that copy is
    /// current, else from the database.
    pub async fn load(&self, db: &Db, id: &str) -> Result<Option<Arc<SessionWithUser>>, DbError> {
        // Taken before reading: a change that lands during the read moves the mark past
        // the one stored with the copy, so the copy is never used.
        let mark = db.change_mark();
        if let Some(mark) = mark {
            let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(c) = entries.get(id)
                && c.mark == mark
                && c.read_at.elapsed() < FRESH_FOR
            {
                return Ok(Some(c.row.clone()));
            }
        }
        let sid = id.to_owned();
        let Some(row) = db.read(move |c| sessions::load(c, &sid)).await? else {
            return Ok(None);
        };
        let row = Arc::new(row);
        if let Some(mark) = mark {
            let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if entries.len() >= MAX_CACHED {
                entries.clear();
            }
            entries.insert(
                id.to_owned(),
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
