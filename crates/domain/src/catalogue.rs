//! The fixed vocabularies of the sociale kaart: what kind of help an offer is, how one
//! gets access to it, and which problem areas it serves. Referrals use the same list of
//! problem areas, so that "what is on offer" and "what is asked for" can be compared.

/// (code, Dutch label)
pub const CATEGORIES: &[(&str, &str)] = &[
    ("preventief", "Preventief en voorliggend aanbod"),
    ("eigen_hulp", "Hulp van het sociaal team zelf"),
    (
        "specialistisch",
        "Gecontracteerde specialistische jeugdhulp",
    ),
];

pub const ACCESS_ROUTES: &[(&str, &str)] = &[
    ("vrij", "Vrij toegankelijk"),
    ("via_sociaal_team", "Via het sociaal team"),
    ("verwijzing", "Met een verwijzing"),
];

pub const PROBLEM_AREAS: &[(&str, &str)] = &[
    ("opvoeding", "Opvoeding en gezin"),
    ("gedrag", "Gedrag"),
    ("ontwikkeling", "Ontwikkeling"),
    ("psychisch", "Psychische klachten"),
    ("school", "School en leren"),
    ("verslaving", "Middelengebruik en verslaving"),
    ("veiligheid", "Veiligheid en huiselijk geweld"),
    ("financien", "Geld en schulden"),
    ("lichamelijk", "Lichamelijke gezondheid en beperking"),
    ("sociaal", "Vrienden, vrije tijd en meedoen"),
];

/// An entry not checked for six months is stale: its owner is asked to check it, and
/// readers are warned.
pub fn is_stale(last_checked: chrono::NaiveDate, today: chrono::NaiveDate) -> bool {
    last_checked
        .checked_add_months(chrono::Months::new(6))
        .is_none_or(|due| due <= today)
}

pub fn label(list: &[(&'static str, &'static str)], code: &str) -> Option<&'static str> {
    list.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// Problem areas stored as a comma-separated list of codes; unknown codes are dropped.
pub fn parse_areas(stored: &str) -> Vec<&'static str> {
    stored
        .split(',')
        .filter_map(|c| {
            PROBLEM_AREAS
                .iter()
                .find(|(code, _)| *code == c.trim())
                .map(|(code, _)| *code)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_go_stale_after_six_months() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        assert!(!is_stale(d(2026, 5, 23), d(2026, 11, 22)));
        assert!(is_stale(d(2026, 5, 22), d(2026, 11, 22)));
        assert!(is_stale(d(2025, 1, 1), d(2026, 11, 22)));
    }

    #[test]
    fn codes_have_labels_and_unknown_areas_are_dropped() {
        assert_eq!(
            label(CATEGORIES, "preventief"),
            Some("Preventief en voorliggend aanbod")
        );
        assert_eq!(label(ACCESS_ROUTES, "onbekend"), None);
        assert_eq!(
            parse_areas("opvoeding, gedrag,onzin"),
            vec!["opvoeding", "gedrag"]
        );
    }
}
