//! The audit keys lent to a write transaction's thread. An entry is appended only inside
//! `Db::write`, from dozens of places that hold a connection and nothing else; lending
//! the keys for the length of the transaction lets each of them key its entry without
//! passing the key through every caller, and a write through a handle without keys
//! appends nothing.

use rondom_domain::audit::AuditKeys;

thread_local! {
    /// The audit keys of the `Db` whose write transaction runs on this thread. An entry
    /// is appended only inside `Db::write`, from dozens of places that hold a connection
    /// and nothing else; lending the keys for the length of the transaction lets each of
    /// them key its entry without passing the key through every caller, and a write
    /// through a handle without keys appends nothing.
    static AUDIT_KEYS: std::cell::Cell<Option<AuditKeys>> = const { std::cell::Cell::new(None) };
}

/// The audit keys lent to the current write transaction.
pub(crate) fn audit_keys() -> Option<AuditKeys> {
    AUDIT_KEYS.with(|k| k.get())
}

/// Lends keys to this thread until dropped, then restores what was there.
pub(crate) struct LentKeys(Option<AuditKeys>);

impl LentKeys {
    pub(crate) fn lend(keys: Option<AuditKeys>) -> Self {
        Self(AUDIT_KEYS.with(|k| k.replace(keys)))
    }
}

impl Drop for LentKeys {
    fn drop(&mut self) {
        AUDIT_KEYS.with(|k| k.set(self.0));
    }
}
