//! Time-based one-time codes (RFC 6238) and recovery codes. A code is accepted once:
//! the time step it belongs to is stored, and only later steps are accepted after it.

use super::sha256_hex;
use rand::Rng;
use totp_rs::{Algorithm, TOTP};

const ISSUER: &str = "Rondom";

pub fn new_secret() -> String {
    let mut b = [0u8; 20];
    rand::rngs::OsRng.fill(&mut b);
    data_encoding::BASE32_NOPAD.encode(&b)
}

fn totp(secret_b32: &str, account: &str) -> Option<TOTP> {
    let bytes = data_encoding::BASE32_NOPAD
        .decode(secret_b32.as_bytes())
        .ok()?;
    // The otpauth label may not contain ':'.
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some(ISSUER.to_owned()),
        account.replace(':', "_"),
    )
    .ok()
}

/// The code for a moment (tests and the enrolment check use it).
pub fn code_at(secret_b32: &str, unix_secs: u64) -> Option<String> {
    totp(secret_b32, "x").map(|t| t.generate(unix_secs))
}

/// The time step the code belongs to, allowing one step of clock drift either way.
pub fn matching_step(secret_b32: &str, code: &str, unix_secs: u64) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret_b32, "x")?;
    let now_step = (unix_secs / 30) as i64;
    (now_step - 1..=now_step + 1).find(|&step| {
        let at = (step.max(0) as u64) * 30;
        super::constant_time_eq(&t.generate(at), &code)
    })
}

pub fn otpauth_url(secret_b32: &str, email: &str) -> Option<String> {
    totp(secret_b32, email).map(|t| t.get_url())
}

/// Ten one-time recovery codes like `k7m2-x9qp`, and their hashes for storage.
pub fn recovery_codes() -> (Vec<String>, Vec<String>) {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    let codes: Vec<String> = (0..10)
        .map(|_| {
            let s: String = (0..8)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect();
            format!("{}-{}", &s[..4], &s[4..])
        })
        .collect();
    let hashes = codes.iter().map(|c| hash_recovery_code(c)).collect();
    (codes, hashes)
}

pub fn hash_recovery_code(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    sha256_hex(&format!("rondom-recovery:{normal}"))
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_its_own_step_and_neighbours_only() {
        let s = new_secret();
        let t = 1_800_000_000u64;
        let code = code_at(&s, t).unwrap_or_default();
        assert_eq!(matching_step(&s, &code, t), Some((t / 30) as i64));
        assert_eq!(matching_step(&s, &code, t + 30), Some((t / 30) as i64));
        assert_eq!(matching_step(&s, &code, t + 90), None);
        assert_eq!(matching_step(&s, "12345", t), None);
        assert_eq!(matching_step(&s, "abcdef", t), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_ignoring_format() {
        let (codes, hashes) = recovery_codes();
        assert_eq!(codes.len(), 10);
        assert_eq!(hashes.len(), 10);
        let first = &codes[0];
        assert_eq!(
            hash_recovery_code(&first.to_uppercase().replace('-', " ")),
            hashes[0]
        );
        let mut sorted = hashes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 10);
    }

    #[test]
    fn otpauth_url_names_issuer_and_account() {
        let url = otpauth_url(&new_secret(), "a@b.nl").unwrap_or_default();
        assert!(url.starts_with("otpauth://totp/Rondom:a%40b.nl?") || url.contains("Rondom"));
    }
}
