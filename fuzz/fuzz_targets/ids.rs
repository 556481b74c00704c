//! Ids, and the NUL guards at the edge: whatever text arrives, an id either parses into
//! the one canonical spelling (and parses again to itself) or is refused; and whenever a
//! form body, query string or JSON body decodes to text with a NUL in it, the guard that
//! runs before decoding saw it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rondom_domain::ids::{ReferralId, parse_uuid};
use rondom_web::extract::{has_encoded_nul, json_has_nul};

fn json_holds_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(json_holds_nul),
        serde_json::Value::Object(o) => {
            o.iter().any(|(k, v)| k.contains('\0') || json_holds_nul(v))
        }
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(id) = parse_uuid(text) {
            assert_eq!(id.len(), 36);
            assert!(
                id.bytes()
                    .all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            );
            assert_eq!(parse_uuid(&id).as_deref(), Ok(id.as_str()));
            assert_eq!(ReferralId::parse(text).map(|r| r.into_inner()), Ok(id));
        }
    }
    if let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(data)
        && pairs
            .iter()
            .any(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        assert!(has_encoded_nul(data), "a NUL got past the form guard");
    }
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data)
        && json_holds_nul(&v)
    {
        assert!(json_has_nul(data), "a NUL got past the JSON guard");
    }
});
