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
