//! The HSDS import's check of a file: any bytes are refused with named problems or
//! become a plan whose every record passes the web forms' own rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rondom_app::directory::hsds::import::plan;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let day = rondom_app::dates::parse_iso("2026-12-01").unwrap_or_default();
    match plan(&doc, Some("GM9999"), day) {
        Ok(p) => {
            for o in &p.organisations {
                if let Some(w) = &o.website {
                    assert!(
                        rondom_domain::validate::website("website", w).is_ok(),
                        "{w}"
                    );
                }
                assert!(o.input.name.chars().count() <= 200);
                assert!(!o.input.name.contains('\0'));
            }
            for s in &p.services {
                assert!(s.age_min <= s.age_max);
                assert!(s.description.chars().count() <= 4000);
            }
        }
        Err(errors) => assert!(!errors.is_empty()),
    }
});
