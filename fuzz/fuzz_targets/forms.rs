//! The web forms: any body is either refused with a message or parsed into values their
//! own checks accept; nothing panics, and nothing with a NUL gets through.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rondom_web::admin::organisations::OrganisationForm;
use rondom_web::session::parse_form;
use rondom_web::directory::edit::ServiceForm;
use rondom_web::directory::links::HoursForm;
use rondom_web::directory::profile::{LocationForm, ProfileForm};

fn no_nul(s: &str) {
    assert!(!s.contains('\0'), "a NUL in a parsed value");
}

fuzz_target!(|data: &[u8]| {
    if let Ok(f) = parse_form::<OrganisationForm>(data)
        && let Ok(o) = rondom_app::admin::organisations::check(&f.fields(), None)
    {
        no_nul(&o.name);
        no_nul(&o.street);
        assert!(!o.name.trim().is_empty());
    }
    if let Ok(f) = parse_form::<ProfileForm>(data)
        && let Ok(p) = f.parse()
    {
        if let Some(w) = &p.website {
            assert!(w.starts_with("https://") || w.starts_with("http://"), "{w}");
        }
        if let Some(d) = &p.description {
            no_nul(d);
        }
    }
    if let Ok(f) = parse_form::<LocationForm>(data) {
        let _ = f.parse(
            "0192f0c4-7a1e-7c3b-9d2e-5f6a7b8c9d0e",
            "0192f0c4-7a1e-7c3b-9d2e-5f6a7b8c9d0f",
        );
    }
    if let Ok(f) = parse_form::<HoursForm>(data) {
        let _ = f.parse(rondom_web::format::parse_iso("2026-12-01").unwrap_or_default());
    }
    if let Ok(pairs) = parse_form::<Vec<(String, String)>>(data) {
        for (k, v) in &pairs {
            no_nul(k);
            no_nul(v);
        }
        if let Ok(s) = ServiceForm::from_pairs(pairs).parse(&[]) {
            no_nul(&s.name);
            assert!(s.age_min <= s.age_max);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = rondom_domain::consultation::contains_bsn(text);
        let _ = rondom_domain::validate::Postcode::parse(text);
        let _ = rondom_domain::validate::website("website", text);
        let _ = rondom_web::directory::edit::parse_area_lines(text);
    }
});
