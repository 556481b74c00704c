//! Parse, don't validate: each type here can only hold a valid value. Error messages are
//! Dutch because they are shown to the person who typed the value.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: &'static str,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

macro_rules! string_newtype {
    ($name:ident) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_inner(self) -> String {
                self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_newtype!(Postcode);
string_newtype!(AgbCode);
string_newtype!(GemeenteCode);
string_newtype!(WijkCode);
string_newtype!(Email);

impl Postcode {
    /// Dutch postcode, normalised to `1234 AB`. The letter pairs SA, SD and SS are never
    /// issued by PostNL.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        let bytes = compact.as_bytes();
        let ok = bytes.len() == 6
            && (b'1'..=b'9').contains(&bytes[0])
            && bytes[1..4].iter().all(u8::is_ascii_digit)
            && bytes[4..6].iter().all(u8::is_ascii_uppercase);
        if !ok {
            return Err(ValidationError::new(
                "postcode",
                "Vul een geldige postcode in, bijvoorbeeld 1234 AB.",
            ));
        }
        let letters = &compact[4..6];
        if matches!(letters, "SA" | "SD" | "SS") {
            return Err(ValidationError::new(
                "postcode",
                "Deze postcode bestaat niet: de letters SA, SD en SS worden niet gebruikt.",
            ));
        }
        Ok(Self(format!("{} {}", &compact[..4], letters)))
    }
}

impl AgbCode {
    /// AGB code (Vektis): exactly eight digits.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let t = input.trim();
        if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(t.to_owned()))
        } else {
            Err(ValidationError::new(
                "agb_code",
                "Een AGB-code bestaat uit precies 8 cijfers.",
            ))
        }
    }
}

impl GemeenteCode {
    /// CBS municipality code: `GM` followed by four digits.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let t = input.trim().to_uppercase();
        if t.len() == 6 && t.starts_with("GM") && t[2..].bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(t))
        } else {
            Err(ValidationError::new(
                "gemeente_code",
                "Een gemeentecode is GM gevolgd door 4 cijfers, bijvoorbeeld GM0363.",
            ))
        }
    }
}

impl WijkCode {
    /// CBS district code: `WK` + the municipality's four digits + two characters (digits
    /// or capitals).
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let t = input.trim().to_uppercase();
        let b = t.as_bytes();
        let ok = b.len() == 8
            && t.starts_with("WK")
            && b[2..6].iter().all(u8::is_ascii_digit)
            && b[6..8]
                .iter()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase());
        if ok {
            Ok(Self(t))
        } else {
            Err(ValidationError::new(
                "wijk_code",
                "Een wijkcode is WK gevolgd door 6 tekens, bijvoorbeeld WK036301.",
            ))
        }
    }

    pub fn gemeente_digits(&self) -> &str {
        &self.0[2..6]
    }
}

impl Email {
    /// A pragmatic check: one `@`, a dot in the domain, no spaces; stored lower-case so
    /// that log-in does not depend on how someone typed their address.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let t = input.trim().to_lowercase();
        let err = || ValidationError::new("email", "Vul een geldig e-mailadres in.");
        if t.len() > 254 || t.chars().any(char::is_whitespace) {
            return Err(err());
        }
        let (local, domain) = t.split_once('@').ok_or_else(err)?;
        if local.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
        {
            return Err(err());
        }
        Ok(Self(t))
    }
}

/// A BSN (burgerservicenummer) passes the 11-check: weights 9..2 and -1, sum divisible
/// by 11. Older 8-digit numbers get a leading zero.
pub fn bsn_is_valid(input: &str) -> bool {
    let digits: Vec<u32> = input
        .trim()
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    if digits.len() != input.trim().len() || !(8..=9).contains(&digits.len()) {
        return false;
    }
    let mut d = digits;
    if d.len() == 8 {
        d.insert(0, 0);
    }
    if d.iter().all(|&x| x == 0) {
        return false;
    }
    let sum: i64 = d
        .iter()
        .zip([9i64, 8, 7, 6, 5, 4, 3, 2, -1])
        .map(|(&x, w)| i64::from(x) * w)
        .sum();
    sum % 11 == 0
}

/// The lengths the sociale kaart keeps, whether a record is typed in a form or
/// imported from a file: one rule for both.
pub mod limits {
    pub const ORGANISATION_NAME: usize = 200;
    pub const ORGANISATION_DESCRIPTION: usize = 2000;
    pub const SERVICE_NAME: usize = 200;
    pub const SERVICE_DESCRIPTION: usize = 4000;
    pub const COST: usize = 200;
    pub const WEBSITE: usize = 500;
}

/// A website address: `https://` or `http://` and a host, nothing a browser would run
/// (`javascript:`, `data:`), no spaces or control characters, bounded.
pub fn website(field: &'static str, input: &str) -> Result<String, ValidationError> {
    let t = input.trim();
    let host = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
    let ok = host.is_some_and(|h| {
        !h.is_empty()
            && h.chars()
                .all(|c| c.is_alphanumeric() || ".-:[]".contains(c))
    }) && t.chars().count() <= limits::WEBSITE
        && !t.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(t.to_owned())
    } else {
        Err(ValidationError::new(
            field,
            "Een website begint met https:// en daarna de naam van de site, zoals https://www.voorbeeld.nl.",
        ))
    }
}

/// A phone number as people write it: at least ten digits, with spaces, dashes,
/// brackets or a leading plus.
pub fn phone_ok(p: &str) -> bool {
    p.chars().filter(char::is_ascii_digit).count() >= 10
        && p.chars().count() <= 30
        && p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
}

/// An optional longer text (a description): trimmed, bounded, and without control
/// characters other than line breaks and tabs. Empty is None.
pub fn optional_text(
    field: &'static str,
    label: &str,
    input: &str,
    max: usize,
) -> Result<Option<String>, ValidationError> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("Houd {label} korter dan {max} tekens."),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ValidationError::new(
            field,
            format!("{label} bevat ongeldige tekens."),
        ));
    }
    Ok(Some(t.to_owned()))
}

/// A short required free-text field (names, places): trimmed, not empty, bounded.
pub fn required_text(
    field: &'static str,
    label: &str,
    input: &str,
    max: usize,
) -> Result<String, ValidationError> {
    let t = input.trim();
    if t.is_empty() {
        return Err(ValidationError::new(field, format!("Vul {label} in.")));
    }
    if t.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("{label} mag hoogstens {max} tekens lang zijn."),
        ));
    }
    if t.chars().any(|c| c.is_control()) {
        return Err(ValidationError::new(
            field,
            format!("{label} bevat ongeldige tekens."),
        ));
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websites_are_web_addresses_and_nothing_else() {
        for ok in [
            "https://www.voorbeeld.nl",
            "http://voorbeeld.nl/aanbod?x=1",
            " https://jeugd-ggz.example/ ",
        ] {
            assert!(website("website", ok).is_ok(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "data:text/html,<script>",
            "https://",
            "https:// voorbeeld.nl",
            "ftp://voorbeeld.nl",
            "www.voorbeeld.nl",
            "https://voor\u{0}beeld.nl",
            "https://\"onmouseover=alert(1)",
        ] {
            assert!(website("website", bad).is_err(), "{bad}");
        }
        let long = format!("https://v.nl/{}", "a".repeat(600));
        assert!(website("website", &long).is_err());
    }

    #[test]
    fn descriptions_are_bounded_and_clean() {
        assert_eq!(optional_text("b", "de beschrijving", "  ", 10), Ok(None));
        assert_eq!(
            optional_text("b", "de beschrijving", "twee\nregels", 20),
            Ok(Some("twee\nregels".into()))
        );
        assert!(optional_text("b", "de beschrijving", &"x".repeat(11), 10).is_err());
        assert!(optional_text("b", "de beschrijving", "a\u{0}b", 10).is_err());
    }

    #[test]
    fn postcodes_are_normalised_and_checked() {
        assert_eq!(
            Postcode::parse("1234ab").map(|p| p.into_inner()),
            Ok("1234 AB".into())
        );
        assert_eq!(
            Postcode::parse(" 9999 zz ").map(|p| p.into_inner()),
            Ok("9999 ZZ".into())
        );
        assert!(Postcode::parse("0123 AB").is_err(), "no leading zero");
        assert!(Postcode::parse("1234 SS").is_err(), "SS is never issued");
        assert!(Postcode::parse("1234 SA").is_err());
        assert!(Postcode::parse("1234 SD").is_err());
        assert!(Postcode::parse("12345 AB").is_err());
        assert!(Postcode::parse("1234 A1").is_err());
        assert!(Postcode::parse("").is_err());
    }

    #[test]
    fn agb_codes_are_eight_digits() {
        assert!(AgbCode::parse("01234567").is_ok());
        assert!(AgbCode::parse("1234567").is_err());
        assert!(AgbCode::parse("123456789").is_err());
        assert!(AgbCode::parse("1234567a").is_err());
    }

    #[test]
    fn gemeente_and_wijk_codes_follow_cbs() {
        assert_eq!(
            GemeenteCode::parse("gm0363").map(|g| g.into_inner()),
            Ok("GM0363".into())
        );
        assert!(GemeenteCode::parse("GM363").is_err());
        assert!(GemeenteCode::parse("WK036301").is_err());
        let w = WijkCode::parse("WK0363AB");
        assert!(w.is_ok());
        assert_eq!(w.map(|w| w.gemeente_digits().to_owned()), Ok("0363".into()));
        assert!(WijkCode::parse("WK03630").is_err());
        assert!(WijkCode::parse("WK0363a!").is_err());
    }

    #[test]
    fn email_addresses_are_lowercased_and_checked() {
        assert_eq!(
            Email::parse(" A.Jansen@Praktijk.NL ").map(|e| e.into_inner()),
            Ok("a.jansen@praktijk.nl".into())
        );
        for bad in [
            "", "geen-at", "a@b", "a @b.nl", "@b.nl", "a@b.nl.", "a@@b.nl",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn bsn_eleven_check() {
        assert!(bsn_is_valid("123456782"));
        assert!(!bsn_is_valid("123456789"));
        assert!(bsn_is_valid("11122333") == bsn_is_valid("011122333"));
        assert!(!bsn_is_valid("000000000"));
        assert!(!bsn_is_valid("12345678x"));
        assert!(!bsn_is_valid("1234567"));
    }

    #[test]
    fn required_text_trims_and_bounds() {
        assert_eq!(
            required_text("name", "een naam", "  Jan ", 10),
            Ok("Jan".into())
        );
        assert!(required_text("name", "een naam", "   ", 10).is_err());
        assert!(required_text("name", "een naam", "abcdefghijk", 10).is_err());
        assert!(required_text("name", "een naam", "a\u{0}b", 10).is_err());
    }
}
