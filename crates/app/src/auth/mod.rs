//! Secrets that prove who someone is: password hashes (argon2id) and random tokens
//! (session ids, API tokens, reset links), stored only as their SHA-256.

pub mod links;
pub mod password;
pub mod second_factor;
pub mod sessions;
pub mod totp;

use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 random bits, URL-safe: a session id, an API token's secret, a reset link.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    data_encoding::BASE64URL_NOPAD.encode(&b)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Compares secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What every API token starts with, so that a leaked one is recognisable.
pub const API_TOKEN_PREFIX: &str = "rdm_";

/// A new API token: (the value, shown once; its SHA-256, stored).
pub fn new_api_token() -> (String, String) {
    let value = format!("{API_TOKEN_PREFIX}{}", random_token());
    let hash = sha256_hex(&value);
    (value, hash)
}
