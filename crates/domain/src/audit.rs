//! The audit chain: every entry carries the hash of the one before it, so that a changed,
//! removed or inserted row breaks the chain from that point on (NEN 7513 asks for a log
//! that cannot be altered unnoticed).

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

/// The hash that the first entry points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an entry that the hash covers, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedFields<'a> {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor_user_id: Option<&'a str>,
    pub actor_name: &'a str,
    pub actor_role: Option<&'a str>,
    pub actor_organisation_id: Option<&'a str>,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<&'a str>,
    pub child_id: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub source_address: Option<&'a str>,
    pub outcome: &'a str,
    pub prev_hash: &'a str,
}

impl ChainedFields<'_> {
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        // Length-prefixing every field makes the encoding unambiguous: no two different
        // entries can serialise to the same bytes.
        let mut put = |s: &str| {
            h.update((s.len() as u64).to_be_bytes());
            h.update(s.as_bytes());
        };
        let opt = |o: Option<&str>| o.map(|s| format!("1{s}")).unwrap_or_else(|| "0".into());
        put(&self.seq.to_string());
        put(&self.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string());
        put(&opt(self.actor_user_id));
        put(self.actor_name);
        put(&opt(self.actor_role));
        put(&opt(self.actor_organisation_id));
        put(self.action);
        put(self.object_type);
        put(&opt(self.object_id));
        put(&opt(self.child_id));
        put(&opt(self.reason));
        put(&opt(self.source_address));
        put(self.outcome);
        put(self.prev_hash);
        hex::encode(h.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn entry(prev: &str) -> ChainedFields<'_> {
        let at = NaiveDate::from_ymd_opt(2026, 1, 2)
            .and_then(|d| d.and_hms_micro_opt(3, 4, 5, 6))
            .unwrap_or_default();
        ChainedFields {
            seq: 1,
            at,
            actor_user_id: Some("u"),
            actor_name: "A. Arts",
            actor_role: Some("huisarts"),
            actor_organisation_id: Some("o"),
            action: "read",
            object_type: "organisation",
            object_id: Some("o"),
            child_id: None,
            reason: None,
            source_address: Some("127.0.0.1"),
            outcome: "allowed",
            prev_hash: prev,
        }
    }

    #[test]
    fn any_changed_field_changes_the_hash() {
        let base = entry(GENESIS_HASH);
        let h = base.hash();
        assert_eq!(h.len(), 64);
        assert_eq!(h, entry(GENESIS_HASH).hash(), "hash is deterministic");
        let mut e = base.clone();
        e.outcome = "denied";
        assert_ne!(e.hash(), h);
        let mut e = base.clone();
        e.object_id = None;
        assert_ne!(e.hash(), h);
        assert_ne!(entry("ff").hash(), h);
    }

    #[test]
    fn none_and_empty_string_are_different() {
        let mut a = entry(GENESIS_HASH);
        a.reason = Some("");
        assert_ne!(a.hash(), entry(GENESIS_HASH).hash());
    }
}
