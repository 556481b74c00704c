//! What in a text could identify a child besides a BSN: a full name, a birth date, a
//! street address or a postcode with house number, a phone number. An anonymous
//! consultation is checked with this before it is stored; what it finds is a warning the
//! asker confirms or rewrites, since a rule cannot tell a child's name from a
//! professional's or a birth date from an appointment.

use chrono::{Datelike, NaiveDate};

/// One thing found, with the words that gave it away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clue {
    Name(String),
    BirthDate(String),
    Address(String),
    Phone(String),
}

impl Clue {
    /// "een naam (‘Noor de Vries’)", for the warning.
    pub fn describe(&self) -> String {
        let (what, text) = match self {
            Self::Name(t) => ("een naam", t),
            Self::BirthDate(t) => ("een datum die een geboortedatum kan zijn", t),
            Self::Address(t) => ("een adres", t),
            Self::Phone(t) => ("een telefoonnummer", t),
        };
        format!("{what} (‘{text}’)")
    }
}

/// Everything in `text` that could identify a child, in the order it appears. `today`
/// bounds which dates could be a young person's birth date.
pub fn clues(text: &str, today: NaiveDate) -> Vec<Clue> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '"'))
        .map(|w| w.trim_matches(|c: char| matches!(c, '.' | ':' | '!' | '?' | '\'' | '‘' | '’')))
        .filter(|w| !w.is_empty())
        .collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if let Some((clue, used)) = name_at(&words[i..])
            .or_else(|| birth_date_at(&words[i..], i.checked_sub(1).map(|p| words[p]), today))
            .or_else(|| address_at(&words[i..], i.checked_sub(1).map(|p| words[p])))
        {
            if !found.contains(&clue) {
                found.push(clue);
            }
            i += used;
        } else {
            i += 1;
        }
    }
    for phone in phone_numbers(text) {
        found.push(Clue::Phone(phone));
    }
    found
}

/// Common Dutch given names (boys' and girls' names of the last twenty years, and a few
/// of their parents'), lowercase and sorted for a binary search.
const GIVEN_NAMES: &[&str] = &[
    "aaron",
    "abdel",
    "adam",
    "ahmed",
    "aisha",
    "alex",
    "alexander",
    "ali",
    "amber",
    "amira",
    "amy",
    "anna",
    "anne",
    "anouk",
    "ayoub",
    "bart",
    "bas",
    "benjamin",
    "bilal",
    "bo",
    "boaz",
    "bram",
    "casper",
    "charlotte",
    "chloe",
    "daan",
    "dani",
    "daniel",
    "david",
    "demi",
    "dex",
    "dirk",
    "dylan",
    "elif",
    "elin",
    "elise",
    "eliza",
    "ella",
    "emir",
    "emma",
    "esmee",
    "eva",
    "evi",
    "fatima",
    "femke",
    "fenna",
    "finn",
    "fleur",
    "floor",
    "floris",
    "fons",
    "gijs",
    "hamza",
    "hanna",
    "hannah",
    "hugo",
    "ibrahim",
    "ilse",
    "imran",
    "inaya",
    "ines",
    "isa",
    "isabel",
    "isabella",
    "ivy",
    "jack",
    "jade",
    "jamie",
    "jan",
    "janna",
    "jasmijn",
    "jasper",
    "jayden",
    "jens",
    "jesse",
    "jip",
    "joep",
    "johannes",
    "jonas",
    "joost",
    "joris",
    "josephine",
    "julia",
    "julian",
    "jurre",
    "kees",
    "kevin",
    "khadija",
    "lana",
    "lara",
    "lars",
    "laura",
    "lauren",
    "lea",
    "lena",
    "levi",
    "liam",
    "lieke",
    "lieve",
    "lina",
    "linde",
    "lisa",
    "liv",
    "lize",
    "lot",
    "lotte",
    "louis",
    "luca",
    "lucas",
    "luuk",
    "maarten",
    "maria",
    "marit",
    "mark",
    "mats",
    "matthijs",
    "maud",
    "max",
    "maya",
    "meryem",
    "mila",
    "milan",
    "milou",
    "mohamed",
    "mohammed",
    "noa",
    "noah",
    "noor",
    "nora",
    "olivia",
    "otis",
    "owen",
    "pepijn",
    "pieter",
    "pim",
    "quinn",
    "rayan",
    "rik",
    "roos",
    "ruben",
    "sam",
    "sara",
    "sarah",
    "sem",
    "senna",
    "siem",
    "sofia",
    "sophie",
    "stijn",
    "sven",
    "tess",
    "teun",
    "thijs",
    "thomas",
    "tijn",
    "tim",
    "tom",
    "vera",
    "victor",
    "vince",
    "wout",
    "yara",
    "yasmine",
    "yusuf",
    "zara",
    "zeynep",
    "zoey",
    "zoë",
];

/// The small words inside Dutch surnames (de Vries, van der Berg, in 't Veld).
const INFIXES: &[&str] = &[
    "de", "der", "den", "het", "in", "op", "t", "'t", "te", "ten", "ter", "van", "von", "el", "al",
    "la", "le",
];

fn is_given_name(word: &str) -> bool {
    starts_upper(word)
        && GIVEN_NAMES
            .binary_search(&word.to_lowercase().as_str())
            .is_ok()
}

fn starts_upper(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase)
        && chars.clone().next().is_some()
        && chars.all(|c| c.is_alphabetic() || c == '-')
}

/// A given name followed by a surname: "Noor de Vries", "Sem Bakker".
fn name_at(words: &[&str]) -> Option<(Clue, usize)> {
    if !is_given_name(words.first()?) {
        return None;
    }
    let mut n = 1;
    while words
        .get(n)
        .is_some_and(|w| INFIXES.contains(&w.to_lowercase().as_str()))
        && n < 4
    {
        n += 1;
    }
    let surname = words.get(n)?;
    (starts_upper(surname) && !is_given_name(surname))
        .then(|| (Clue::Name(words[..=n].join(" ")), n + 1))
}

/// A full date that could be a young person's birth date (up to 23 years back, and more
/// than a year ago unless "geboren" says it is one): 03-03-2015, 3/3/2015, 2015-03-03,
/// 3 maart 2015.
fn birth_date_at(words: &[&str], before: Option<&str>, today: NaiveDate) -> Option<(Clue, usize)> {
    let (date, used) = date_at(words)?;
    let said_born = before.is_some_and(|b| b.to_lowercase().starts_with("geb"));
    let years_ago = today.year() - date.year();
    let plausible = date <= today
        && years_ago <= 23
        && (said_born || date < today - chrono::Duration::days(365));
    plausible.then(|| (Clue::BirthDate(words[..used].join(" ")), used))
}

fn date_at(words: &[&str]) -> Option<(NaiveDate, usize)> {
    let first = *words.first()?;
    let parts: Vec<&str> = first.split(['-', '/', '.']).collect();
    if let [a, b, c] = parts.as_slice() {
        let n = |s: &str| s.parse::<u32>().ok();
        let (d, m, y) = if a.len() == 4 {
            (n(c)?, n(b)?, n(a)?)
        } else {
            (n(a)?, n(b)?, n(c)?)
        };
        let y = if y < 100 { return None } else { y };
        return NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d).map(|date| (date, 1));
    }
    // 3 maart 2015
    let day: u32 = first.parse().ok()?;
    let name = words.get(1)?.to_lowercase();
    let month = crate::hours::MONTHS.iter().position(|m| *m == name)?;
    let year: i32 = words.get(2)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()? + 1, day).map(|date| (date, 3))
}

/// Endings of Dutch street names.
const STREETS: &[&str] = &[
    "straat",
    "laan",
    "weg",
    "plein",
    "gracht",
    "singel",
    "kade",
    "dijk",
    "hof",
    "pad",
    "steeg",
    "dreef",
    "park",
    "markt",
    "plantsoen",
    "erf",
    "ring",
    "baan",
    "veld",
    "wal",
    "boulevard",
    "hoven",
    "akker",
];

/// "Dorpsstraat 12", "Van Goghlaan 3a", or a postcode with a house number near it:
/// "1234 AB 12", "12, 1234AB".
fn address_at(words: &[&str], before: Option<&str>) -> Option<(Clue, usize)> {
    let first = *words.first()?;
    let lower = first.to_lowercase();
    let street = starts_upper(first)
        && STREETS
            .iter()
            .any(|s| lower.ends_with(s) && lower.len() > s.len());
    if street && words.get(1).is_some_and(|w| is_house_number(w)) {
        return Some((Clue::Address(words[..2].join(" ")), 2));
    }
    let postcode_len = postcode_at(words)?;
    let after = words.get(postcode_len).is_some_and(|w| is_house_number(w));
    let before = before.is_some_and(is_house_number);
    (after || before).then(|| {
        let end = postcode_len + usize::from(after);
        (Clue::Address(words[..end].join(" ")), end)
    })
}

/// A Dutch postcode ("1234 AB" or "1234AB"): how many words it takes.
fn postcode_at(words: &[&str]) -> Option<usize> {
    let first = *words.first()?;
    let digits_ok =
        |d: &str| d.len() == 4 && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0');
    let letters_ok = |l: &str| l.len() == 2 && l.bytes().all(|b| b.is_ascii_uppercase());
    if let (6, Some(d), Some(l)) = (first.len(), first.get(..4), first.get(4..))
        && digits_ok(d)
        && letters_ok(l)
    {
        return Some(1);
    }
    (digits_ok(first) && words.get(1).is_some_and(|w| letters_ok(w))).then_some(2)
}

fn is_house_number(word: &str) -> bool {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    (1..=4).contains(&digits)
        && word[digits..].len() <= 2
        && word[digits..]
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '-')
}

/// Dutch phone numbers however they are grouped: 06-12345678, 010 123 45 67,
/// +31 6 12345678, 0031612345678.
fn phone_numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !(chars[i].is_ascii_digit() || chars[i] == '+') {
            i += 1;
            continue;
        }
        let start = i;
        let mut digits = String::new();
        if chars[i] == '+' {
            digits.push('+');
            i += 1;
        }
        while i < chars.len() {
            let c = chars[i];
            if c.is_ascii_digit() {
                digits.push(c);
            } else if is_separator(c)
                && chars[i + 1..]
                    .iter()
                    .take(3)
                    .find(|n| !is_separator(**n))
                    .is_some_and(char::is_ascii_digit)
            {
                // A separator inside a number: "06-12", "(020) 12".
            } else {
                break;
            }
            i += 1;
        }
        let national = if let Some(rest) = digits.strip_prefix("+31") {
            Some(rest.trim_start_matches('0').len() == 9)
        } else if let Some(rest) = digits.strip_prefix("0031") {
            Some(rest.len() == 9)
        } else {
            Some(digits.starts_with('0') && !digits.starts_with("00") && digits.len() == 10)
        };
        if national == Some(true) {
            out.push(chars[start..i].iter().collect::<String>().trim().to_owned());
        }
    }
    out
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '(' | ')')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap_or_default()
    }

    fn found(text: &str) -> Vec<Clue> {
        clues(text, today())
    }

    #[test]
    fn the_name_list_is_sorted_for_its_search() {
        let mut sorted = GIVEN_NAMES.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, GIVEN_NAMES);
    }

    #[test]
    fn a_given_name_with_a_surname_is_a_name() {
        assert_eq!(
            found("Het gaat om Noor de Vries, 11 jaar."),
            vec![Clue::Name("Noor de Vries".into())]
        );
        assert_eq!(
            found("Sem Bakker slaapt slecht"),
            vec![Clue::Name("Sem Bakker".into())]
        );
        assert_eq!(
            found("zoon Daan van der Berg"),
            vec![Clue::Name("Daan van der Berg".into())]
        );
    }

    #[test]
    fn a_given_name_alone_or_an_ordinary_sentence_is_no_name() {
        assert!(found("Noor slaapt slecht en is angstig.").is_empty());
        assert!(
            found("Meisje van 11, angstig. Ouders willen hulp. School meldt verzuim.").is_empty()
        );
        assert!(found("Past hier hulp van het team, of specialistisch?").is_empty());
    }

    #[test]
    fn a_past_date_within_a_childhood_is_a_possible_birth_date() {
        assert_eq!(
            found("geboren 03-03-2015, woont bij moeder"),
            vec![Clue::BirthDate("03-03-2015".into())]
        );
        assert_eq!(
            found("sinds 3 maart 2015"),
            vec![Clue::BirthDate("3 maart 2015".into())]
        );
        assert_eq!(
            found("2014-05-16"),
            vec![Clue::BirthDate("2014-05-16".into())]
        );
        // Last month's appointment, or a date long before any child now in care, is not.
        assert!(found("op 12-11-2026 was er een incident op school").is_empty());
        assert!(found("moeder is van 1980, 12-04-1980").is_empty());
        assert_eq!(
            found("geb. 12-11-2026"),
            vec![Clue::BirthDate("12-11-2026".into())],
            "a newborn, said to be born"
        );
    }

    #[test]
    fn a_street_with_a_number_or_a_postcode_with_a_number_is_an_address() {
        assert_eq!(
            found("woont Dorpsstraat 12a"),
            vec![Clue::Address("Dorpsstraat 12a".into())]
        );
        assert_eq!(
            found("adres: 1234 AB 12"),
            vec![Clue::Address("1234 AB 12".into())]
        );
        assert_eq!(
            found("nummer 12, 1234AB"),
            vec![Clue::Address("1234AB".into())]
        );
        assert!(found("in de straat 3 keer gezien").is_empty());
        assert!(found("postcodegebied 1234 AB in de wijk").is_empty());
    }

    #[test]
    fn dutch_phone_numbers_are_found_however_grouped() {
        for (text, phone) in [
            ("bel moeder op 06-12345678.", "06-12345678"),
            ("tel 010 123 45 67", "010 123 45 67"),
            ("+31 6 12345678", "+31 6 12345678"),
            ("(020) 1234567 overdag", "(020) 1234567"),
        ] {
            let phone = phone.trim_start_matches('(');
            assert_eq!(found(text), vec![Clue::Phone(phone.into())], "{text}");
        }
        // A BSN (nine digits) and short numbers are no phone numbers.
        assert!(found("111222333").is_empty());
        assert!(found("3 keer per week, 45 minuten").is_empty());
    }

    #[test]
    fn each_clue_says_what_it_is() {
        assert_eq!(
            Clue::Name("Noor de Vries".into()).describe(),
            "een naam (‘Noor de Vries’)"
        );
    }
}
