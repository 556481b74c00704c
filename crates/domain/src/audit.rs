//! The audit chain: every entry carries the hash of the one before it, so that a changed,
//! removed or inserted row breaks the chain from that point on (NEN 7513 asks for a log
//! that cannot be altered unnoticed).
//!
//! A plain hash chain only holds against someone who cannot write the database: whoever
//! can may edit a row and compute every later hash again, or cut the tail off. So entries
//! are keyed (HMAC-SHA256 under a key derived from the installation key, which the
//! database never holds), and the chain's head and length are written now and then as
//! signed checkpoints outside the database (a file and a log line an operator can ship
//! elsewhere). Re-chaining then needs the key, and truncation shows against the last
//! checkpoint.

use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// The keys the audit log is kept with, derived from the installation key so that
/// neither is the key that seals data, and a leak of one reveals nothing of the others.
#[derive(Clone, Copy)]
pub struct AuditKeys {
    chain: [u8; 32],
    checkpoint: [u8; 32],
}

impl std::fmt::Debug for AuditKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKeys(***)")
    }
}

fn derive(installation_key: &[u8; 32], purpose: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&hmac_sha256(installation_key, purpose.as_bytes()));
    out
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length: `new_from_slice` cannot fail.
    match HmacSha256::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Compares in time independent of where the first difference is.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl AuditKeys {
    pub fn derive(installation_key: &[u8; 32]) -> Self {
        Self {
            chain: derive(installation_key, "rondom/audit-chain/v1"),
            checkpoint: derive(installation_key, "rondom/audit-checkpoint/v1"),
        }
    }
}

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
    /// The organisations whose data the entry is about (keyed entries only).
    pub subject_org_id: Option<&'a str>,
    pub other_subject_org_id: Option<&'a str>,
    pub prev_hash: &'a str,
}

impl ChainedFields<'_> {
    /// The unkeyed SHA-256 of entries written before the log was keyed. Kept to verify
    /// them; never used for new entries.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        self.encode(&mut |b| h.update(b), false);
        hex::encode(h.finalize())
    }

    /// The keyed hash of an entry: HMAC-SHA256 under the chain key over every field,
    /// the subjects and the previous entry's hash.
    pub fn mac(&self, keys: &AuditKeys) -> String {
        let mut data = Vec::with_capacity(512);
        self.encode(&mut |b| data.extend_from_slice(b), true);
        hex::encode(hmac_sha256(&keys.chain, &data))
    }

    /// Whether `stored` is this entry's hash, keyed or (for the old entries) not.
    pub fn matches(&self, stored: &str, keyed: bool, keys: &AuditKeys) -> bool {
        let expected = if keyed { self.mac(keys) } else { self.hash() };
        same(&expected, stored)
    }

    fn encode(&self, out: &mut dyn FnMut(&[u8]), with_subjects: bool) {
        // Length-prefixing every field makes the encoding unambiguous: no two different
        // entries can serialise to the same bytes.
        let mut put = |s: &str| {
            out(&(s.len() as u64).to_be_bytes());
            out(s.as_bytes());
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
        if with_subjects {
            put(&opt(self.subject_org_id));
            put(&opt(self.other_subject_org_id));
        }
        put(self.prev_hash);
    }
}

/// A signed statement of the log's state at one moment: its latest entry and that
/// entry's hash, the end of every other chain, and from which entry on it is keyed. Written outside the database;
/// `audit verify` checks the log against every checkpoint it is given, so that cutting
/// entries off the end, or re-chaining the log, shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// UTC, as `2026-12-01T21:56:49Z`.
    pub at: String,
    pub seq: i64,
    pub head: String,
    /// The first keyed entry (1 for a log keyed from the start).
    pub keyed_from: i64,
    /// The last entry (sequence number, hash) of every other chain, oldest first. On
    /// PostgreSQL the log is several chains side by side (so that appends need not wait
    /// for each other's commits); a checkpoint vouches for each one's end.
    pub other_heads: Vec<(i64, String)>,
}

const CHECKPOINT_TAG: &str = "rondom-audit-checkpoint v1";

impl Checkpoint {
    fn signed_text(&self) -> String {
        let mut text = format!(
            "{CHECKPOINT_TAG} at={} seq={} head={} keyed_from={}",
            self.at, self.seq, self.head, self.keyed_from
        );
        // Left out for a single chain, so such a log's checkpoints read as before.
        if !self.other_heads.is_empty() {
            let heads: Vec<String> = self
                .other_heads
                .iter()
                .map(|(seq, hash)| format!("{seq}:{hash}"))
                .collect();
            text.push_str(" chains=");
            text.push_str(&heads.join(","));
        }
        text
    }

    /// Every entry this checkpoint vouches for: the latest and each other chain's end.
    pub fn vouched(&self) -> impl Iterator<Item = (i64, &str)> {
        std::iter::once((self.seq, self.head.as_str()))
            .chain(self.other_heads.iter().map(|(s, h)| (*s, h.as_str())))
    }

    /// One line: the statement and its HMAC under the checkpoint key.
    pub fn to_line(&self, keys: &AuditKeys) -> String {
        let text = self.signed_text();
        let mac = hex::encode(hmac_sha256(&keys.checkpoint, text.as_bytes()));
        format!("{text} mac={mac}")
    }

    /// Finds a checkpoint in a line (a file line, or a log line with a prefix) and checks
    /// its signature. None when the line holds no checkpoint; Err when it holds one that
    /// was not signed with this installation's key (forged or changed).
    pub fn from_line(line: &str, keys: &AuditKeys) -> Option<Result<Self, String>> {
        let start = line.find(CHECKPOINT_TAG)?;
        let rest = line[start + CHECKPOINT_TAG.len()..].trim();
        let mut at = None;
        let mut seq = None;
        let mut head = None;
        let mut keyed_from = None;
        let mut other_heads = Some(vec![]);
        let mut mac = None;
        for part in rest.split_whitespace() {
            match part.split_once('=') {
                Some(("at", v)) => at = Some(v.to_owned()),
                Some(("seq", v)) => seq = v.parse::<i64>().ok(),
                Some(("head", v)) => head = Some(v.to_owned()),
                Some(("keyed_from", v)) => keyed_from = v.parse::<i64>().ok(),
                Some(("chains", v)) => {
                    other_heads = v
                        .split(',')
                        .map(|h| {
                            let (seq, hash) = h.split_once(':')?;
                            Some((seq.parse::<i64>().ok()?, hash.to_owned()))
                        })
                        .collect()
                }
                Some(("mac", v)) => mac = Some(v.to_owned()),
                _ => {}
            }
        }
        let (Some(at), Some(seq), Some(head), Some(keyed_from), Some(other_heads), Some(mac)) =
            (at, seq, head, keyed_from, other_heads, mac)
        else {
            return Some(Err("an incomplete checkpoint line".into()));
        };
        let c = Self {
            at,
            seq,
            head,
            keyed_from,
            other_heads,
        };
        let expected = hex::encode(hmac_sha256(&keys.checkpoint, c.signed_text().as_bytes()));
        if !same(&expected, &mac) {
            return Some(Err(format!(
                "the checkpoint of {} (entry {}) does not carry this installation's signature",
                c.at, c.seq
            )));
        }
        Some(Ok(c))
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
            subject_org_id: Some("o"),
            other_subject_org_id: None,
            prev_hash: prev,
        }
    }

    fn keys(byte: u8) -> AuditKeys {
        AuditKeys::derive(&[byte; 32])
    }

    #[test]
    fn the_keyed_hash_needs_the_key() {
        let e = entry(GENESIS_HASH);
        let mac = e.mac(&keys(1));
        assert_eq!(mac.len(), 64);
        assert!(e.matches(&mac, true, &keys(1)));
        assert!(
            !e.matches(&mac, true, &keys(2)),
            "another installation's key"
        );
        assert!(
            !e.matches(&e.hash(), true, &keys(1)),
            "a plain SHA-256 is no MAC"
        );
        let mut other = e.clone();
        other.other_subject_org_id = Some("p");
        assert!(
            !other.matches(&mac, true, &keys(1)),
            "the subjects are covered"
        );
        assert!(
            e.matches(&e.hash(), false, &keys(1)),
            "old entries keep their hash"
        );
    }

    #[test]
    fn checkpoints_round_trip_and_refuse_forgeries() {
        let c = Checkpoint {
            at: "2026-12-01T21:56:49Z".into(),
            seq: 42,
            head: "ab".repeat(32),
            keyed_from: 1,
            other_heads: vec![],
        };
        let line = c.to_line(&keys(1));
        assert!(
            !line.contains("chains="),
            "a single chain reads as before: {line}"
        );
        assert_eq!(Checkpoint::from_line(&line, &keys(1)), Some(Ok(c.clone())));
        let several = Checkpoint {
            other_heads: vec![(39, "cd".repeat(32)), (41, "ef".repeat(32))],
            ..c.clone()
        };
        let several_line = several.to_line(&keys(1));
        assert_eq!(
            Checkpoint::from_line(&several_line, &keys(1)),
            Some(Ok(several.clone()))
        );
        assert_eq!(
            several.vouched().map(|(s, _)| s).collect::<Vec<_>>(),
            vec![42, 39, 41]
        );
        // A chain's end left out of a signed line breaks the signature.
        let fewer = several_line.replace(&format!(",41:{}", "ef".repeat(32)), "");
        assert!(matches!(
            Checkpoint::from_line(&fewer, &keys(1)),
            Some(Err(_))
        ));
        let logged = format!("2026-12-01T21:56:49Z INFO rondom::audit: {line}");
        assert_eq!(Checkpoint::from_line(&logged, &keys(1)), Some(Ok(c)));
        assert!(matches!(
            Checkpoint::from_line(&line, &keys(2)),
            Some(Err(_))
        ));
        let shorter = line.replace("seq=42", "seq=41");
        assert!(matches!(
            Checkpoint::from_line(&shorter, &keys(1)),
            Some(Err(_))
        ));
        assert_eq!(Checkpoint::from_line("an unrelated line", &keys(1)), None);
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
