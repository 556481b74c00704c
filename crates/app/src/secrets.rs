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
    /// The key of the blind indexes (keyed hashes) children are recognised by, derived
    /// from the installation key so that it never leaves the servers either.
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
        let matcher = {
            use sha2::Digest;
            let mut h = sha2::Sha256::new();
            h.update(b"rondom child match v1");
            h.update(k);
            h.finalize().into()
        };
        Self {
            cipher: XChaCha20Poly1305::new(Key::from_slice(&k)),
            matcher,
        }
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
        let raw = sealed
            .strip_prefix(PREFIX)
            .and_then(|b| data_encoding::BASE64URL_NOPAD.decode(b.as_bytes()).ok())
            .filter(|r| r.len() > 24)
            .ok_or_else(|| "not a sealed value".to_owned())?;
        let (nonce, body) = raw.split_at(24);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), body)
            .map_err(|_| {
                "the value does not open with this key (wrong key, or changed)".to_owned()
            })?;
        Ok(plain)
    }
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
