//! Encryption at rest for the secrets Rondom must be able to read back (second-factor
//! secrets now; BSNs, messages and documents later): XChaCha20-Poly1305 with a random
//! 192-bit nonce per value, under the installation's key. A copy of the database without
//! the key reveals none of them.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand::RngCore;

const PREFIX: &str = "v1:";

/// What a value that does not open shows instead (the log has the error).
pub const UNREADABLE: &str = "[niet te lezen: de beheerder is gewaarschuwd]";

/// A secret from the configuration (a key, a password): `Debug` never prints it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"***\"")
    }
}

#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
    /// Earlier installation keys, only to open what they sealed until a rotation has
    /// re-sealed it (`RONDOM_PREVIOUS_SECRET_KEYS`); nothing is sealed with them.
    previous: std::sync::Arc<[XChaCha20Poly1305]>,
    /// The key of the blind indexes (keyed hashes) children are recognised by, derived
    /// from the installation's root key so that it never leaves the servers either.
    matcher: [u8; 32],
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(***)")
    }
}

/// Parses a 32-byte key written as base64 (standard or URL-safe) or as 64 hex digits.
pub fn parse_key(text: &str) -> Result<[u8; 32], String> {
    let t = text.trim();
    let bytes = if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(t).map_err(|e| e.to_string())?
    } else {
        data_encoding::BASE64
            .decode(t.as_bytes())
            .or_else(|_| data_encoding::BASE64URL_NOPAD.decode(t.trim_end_matches('=').as_bytes()))
            .map_err(|_| "the secret key must be 32 bytes as base64 or 64 hex digits".to_owned())?
    };
    bytes
        .try_into()
        .map_err(|_| "the secret key must be exactly 32 bytes (44 base64 characters)".to_owned())
}

/// A fresh random key, base64.
pub fn new_key() -> String {
    let mut k = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut k);
    data_encoding::BASE64.encode(&k)
}

impl SecretBox {
    pub fn new(key: &Secret) -> Result<Self, String> {
        Ok(Self::from_bytes(parse_key(&key.0)?))
    }

    /// A box over a raw key: a network's own data key (envelope encryption: the data key
    /// seals the network's messages, the installation key seals the data key).
    pub fn from_bytes(k: [u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(Key::from_slice(&k)),
            previous: std::sync::Arc::new([]),
            matcher: matcher_of(&k),
        }
    }

    /// Also opens (never seals) what these earlier keys sealed.
    pub fn with_previous(mut self, keys: &[[u8; 32]]) -> Self {
        self.previous = keys
            .iter()
            .map(|k| XChaCha20Poly1305::new(Key::from_slice(k)))
            .collect();
        self
    }

    /// Keyed hashes from this root key instead of the sealing key (the root outlives a
    /// change of the installation key: see `root`).
    pub fn with_root(mut self, root: &[u8; 32]) -> Self {
        self.matcher = matcher_of(root);
        self
    }

    /// Whether the value opens with the current key (a rotation has nothing to do).
    pub fn is_current(&self, sealed: &str) -> bool {
        raw(sealed).is_some_and(|r| {
            let (nonce, body) = r.split_at(24);
            self.cipher.decrypt(XNonce::from_slice(nonce), body).is_ok()
        })
    }

    /// The value sealed under the current key: `None` when it is already, an error when
    /// no key opens it.
    pub fn reseal(&self, sealed: &str) -> Result<Option<String>, String> {
        if self.is_current(sealed) {
            return Ok(None);
        }
        self.open_bytes(sealed)
            .and_then(|plain| self.seal_bytes(&plain))
            .map(Some)
    }

    /// A fresh data key, sealed under this box's key: (the key, its sealed form).
    pub fn new_data_key(&self) -> Result<([u8; 32], String), String> {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        Ok((k, self.seal_bytes(&k)?))
    }

    /// Opens a data key sealed by `new_data_key`.
    pub fn open_data_key(&self, wrapped: &str) -> Result<SecretBox, String> {
        let raw: [u8; 32] = self
            .open_bytes(wrapped)?
            .try_into()
            .map_err(|_| "a data key is 32 bytes".to_owned())?;
        Ok(Self::from_bytes(raw))
    }

    /// A keyed hash of `text` (hex): equal texts give equal hashes, and without the key
    /// the text cannot be found from it.
    pub fn blind_index(&self, text: &str) -> String {
        use hmac::Mac;
        // HMAC takes a key of any length, so this cannot fail.
        <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(&self.matcher)
            .map(|mut mac| {
                mac.update(text.as_bytes());
                hex::encode(mac.finalize().into_bytes())
            })
            .unwrap_or_default()
    }

    pub fn seal(&self, plaintext: &str) -> Result<String, String> {
        self.seal_bytes(plaintext.as_bytes())
    }

    /// Seals any bytes (documents); the result is text, like every sealed value.
    pub fn seal_bytes(&self, plaintext: &[u8]) -> Result<String, String> {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plaintext)
            .map_err(|_| "encryption failed".to_owned())?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!(
            "{PREFIX}{}",
            data_encoding::BASE64URL_NOPAD.encode(&out)
        ))
    }

    /// For showing: a value that does not open (sealed under another key, or changed in
    /// the database) is an error in the log, with the request it belongs to (the log
    /// line's span), and shows as such: never as an empty name.
    pub fn open_shown(&self, sealed: &str, what: &'static str) -> String {
        match self.open(sealed) {
            Ok(text) => text,
            Err(e) => {
                tracing::error!(
                    value = what,
                    error = %e,
                    "a sealed value does not open (another installation key, or changed in the database)"
                );
                UNREADABLE.to_owned()
            }
        }
    }

    /// Fails for a value sealed under another key or changed in the database.
    pub fn open(&self, sealed: &str) -> Result<String, String> {
        String::from_utf8(self.open_bytes(sealed)?).map_err(|e| e.to_string())
    }

    pub fn open_bytes(&self, sealed: &str) -> Result<Vec<u8>, String> {
        let raw = raw(sealed).ok_or_else(|| "not a sealed value".to_owned())?;
        let (nonce, body) = raw.split_at(24);
        let nonce = XNonce::from_slice(nonce);
        std::iter::once(&self.cipher)
            .chain(self.previous.iter())
            .find_map(|c| c.decrypt(nonce, body).ok())
            .ok_or_else(|| {
                "the value does not open with this key (wrong key, or changed)".to_owned()
            })
    }
}

/// A sealed value's nonce and ciphertext, together (the nonce is the first 24 bytes).
fn raw(sealed: &str) -> Option<Vec<u8>> {
    sealed
        .strip_prefix(PREFIX)
        .and_then(|b| data_encoding::BASE64URL_NOPAD.decode(b.as_bytes()).ok())
        .filter(|r| r.len() > 24)
}

fn matcher_of(root: &[u8; 32]) -> [u8; 32] {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(b"rondom child match v1");
    h.update(root);
    h.finalize().into()
}

/// The installation's root key: what the keyed hashes of children and the audit chain's
/// keys derive from, so that a new installation key changes neither. Until a rotation it
/// is the installation key itself (no row); a server that is given earlier keys writes
/// it, sealed under its current key, as the oldest of them (the key being replaced),
/// and a rotation re-seals it like every other value. Read before migrating too (then
/// the table may not exist yet: no row).
pub fn root(
    conn: &mut rondom_db::AnyConnection,
    key: &[u8; 32],
    previous: &[[u8; 32]],
    ring: &SecretBox,
) -> Result<[u8; 32], String> {
    let open = |wrapped: &str| -> Result<[u8; 32], String> {
        ring.open_bytes(wrapped)
            .map_err(|e| {
                format!("the installation's root key does not open with the configured keys: {e}")
            })?
            .try_into()
            .map_err(|_| "the installation's root key is not 32 bytes".to_owned())
    };
    if let Some(wrapped) = rondom_db::installation::root(conn) {
        return open(&wrapped);
    }
    let Some(oldest) = previous.last() else {
        return Ok(*key);
    };
    let sealed = ring.seal_bytes(oldest)?;
    if rondom_db::installation::put_root_if_absent(conn, &sealed).is_ok()
        && let Some(wrapped) = rondom_db::installation::root(conn)
    {
        return open(&wrapped);
    }
    Ok(*oldest)
}

/// The forms a child is recognised by: (BSN, name with birth date), as keyed hashes.
pub fn child_match(
    secrets: &SecretBox,
    bsn: &str,
    name: &str,
    birth: chrono::NaiveDate,
) -> (Option<String>, Option<String>) {
    let digits: String = bsn.chars().filter(char::is_ascii_digit).collect();
    let folded = rondom_domain::search::fold(name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (
        (!digits.is_empty()).then(|| secrets.blind_index(&format!("bsn:{digits}"))),
        (!folded.is_empty()).then(|| secrets.blind_index(&format!("naam:{folded}|{birth}"))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_is_recognised_by_keyed_hashes_only() {
        let a = SecretBox::new(&Secret(new_key())).unwrap();
        let b = SecretBox::new(&Secret(new_key())).unwrap();
        let birth = chrono::NaiveDate::from_ymd_opt(2014, 3, 1).unwrap();
        let (bsn, name) = child_match(&a, "111 222 333", "Noor  de Vriës", birth);
        let (bsn2, name2) = child_match(&a, "111222333", "noor de vries", birth);
        assert_eq!(
            (&bsn, &name),
            (&bsn2, &name2),
            "typed differently, the same child"
        );
        assert!(!bsn.clone().unwrap().contains("111222333"));
        let other_day = birth.succ_opt().unwrap();
        assert_ne!(child_match(&a, "", "Noor de Vries", other_day).1, name);
        assert_eq!(
            child_match(&a, "", "Noor", birth).0,
            None,
            "no BSN, no BSN match"
        );
        assert_ne!(
            child_match(&b, "111222333", "", birth).0,
            bsn,
            "another installation's key"
        );
    }

    #[test]
    fn a_value_that_does_not_open_shows_as_unreadable_never_as_empty() {
        let a = SecretBox::new(&Secret(new_key())).unwrap();
        let b = SecretBox::new(&Secret(new_key())).unwrap();
        let sealed = a.seal("Noor de Vries").unwrap();
        assert_eq!(a.open_shown(&sealed, "child name"), "Noor de Vries");
        assert_eq!(b.open_shown(&sealed, "child name"), UNREADABLE);
        assert_eq!(a.open_shown("v1:garbage", "child name"), UNREADABLE);
    }

    #[test]
    fn sealed_values_open_only_with_their_key_and_unchanged() {
        let a = SecretBox::new(&Secret(new_key())).unwrap();
        let b = SecretBox::new(&Secret(new_key())).unwrap();
        let sealed = a.seal("JBSWY3DPEHPK3PXP").unwrap();
        assert!(!sealed.contains("JBSWY3DP"));
        assert_ne!(
            sealed,
            a.seal("JBSWY3DPEHPK3PXP").unwrap(),
            "a fresh nonce every time"
        );
        assert_eq!(a.open(&sealed).unwrap(), "JBSWY3DPEHPK3PXP");
        assert!(b.open(&sealed).is_err(), "another key opens nothing");
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(a.open(&tampered).is_err(), "a changed value is refused");
        assert!(
            a.open("JBSWY3DPEHPK3PXP").is_err(),
            "plain text is not accepted as sealed"
        );
    }

    #[test]
    fn keys_are_read_as_base64_or_hex() {
        let k = new_key();
        assert!(parse_key(&k).is_ok());
        assert!(parse_key(&"ab".repeat(32)).is_ok());
        assert!(parse_key("te kort").is_err());
        assert!(parse_key(&data_encoding::BASE64.encode(&[1u8; 16])).is_err());
    }
}
