//! What this server read a moment ago about who is asking (sessions, API tokens), so
//! that most requests find their caller without a round trip: every request needs its
//! caller, their person and their memberships, and reading them from memory instead of
//! the database is most of the difference between a page and `/healthz` (a round trip to
//! PostgreSQL costs more than rendering the page). See `crate::fresh` for when a copy
//! is used.

pub use crate::fresh::FreshCache;
use rondom_db::sessions::{self, SessionWithUser};
use rondom_db::{Db, DbError};
use std::sync::Arc;

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
