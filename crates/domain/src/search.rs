//! Dutch text matching for the sociale kaart. People type "opvoeden", "opvoedingsonder-
//! steuning" or "opvoedondersteunig" and expect the course called "Opvoedondersteuning".
//! Three steps make that work without a language server:
//!
//! 1. folding: lower case, accents removed ("café" = "cafe", "coördinatie" = "coordinatie");
//! 2. a light Dutch stemmer that maps word forms onto one stem ("opvoeden", "opvoeding" →
//!    "opvoed"; "kinderen" → "kind");
//! 3. trigram containment: the share of a query stem's three-letter pieces found in the
//!    text. Compounds ("opvoedondersteuning" contains "opvoed") and typos (most trigrams
//!    survive one wrong letter) both score high; unrelated words score low.
//!
//! Pure functions: the storage layer decides where the trigrams are kept.

use std::collections::HashSet;

/// Lower case with diacritics removed; everything that is not a letter or digit becomes a
/// space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let base = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'ı' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            'ç' => 'c',
            'ñ' => 'n',
            'ş' | 'ś' | 'š' => 's',
            'ğ' => 'g',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        out.push(base);
    }
    out
}

/// Words too common to say anything about a service.
const STOPWORDS: &[&str] = &[
    "de", "het", "een", "en", "van", "voor", "met", "in", "op", "aan", "bij", "naar", "om", "te",
    "tot", "of", "die", "dat", "is", "zijn", "er", "ook", "als", "door", "over", "uit", "je",
    "jij", "u", "uw", "we", "wij", "ze", "hun", "hoe", "wat",
];

/// Folded words, stopwords left out.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split_whitespace()
        .filter(|w| !STOPWORDS.contains(w))
        .map(str::to_owned)
        .collect()
}

/// A light stemmer for Dutch: strips the inflectional and the most frequent derivational
/// endings, so that the forms people type meet the forms providers write. It never cuts a
/// word below three letters.
pub fn stem(word: &str) -> String {
    if word.chars().any(|c| c.is_ascii_digit()) || word.chars().count() <= 3 {
        return word.to_owned();
    }
    // Longest endings first. "eren" catches kinderen → kind, jongeren → jong.
    const ENDINGS: &[&str] = &[
        "ingen", "heden", "eren", "ing", "heid", "lijk", "en", "es", "er", "e", "s",
    ];
    let mut w = word.to_owned();
    for ending in ENDINGS {
        if let Some(rest) = w.strip_suffix(ending)
            && rest.chars().count() >= 3
        {
            w = rest.to_owned();
            break;
        }
    }
    // zitten → zitt → zit; opvoedd does not occur but would become opvoed.
    let b = w.as_bytes();
    if b.len() >= 4 {
        let (x, y) = (b[b.len() - 1], b[b.len() - 2]);
        if x == y && !b"aeiou".contains(&x) {
            w.pop();
        }
    }
    w
}

/// The three-letter pieces of a stem, with word boundaries marked, as compact keys.
pub fn trigrams(stem: &str) -> Vec<u32> {
    let padded: Vec<char> = std::iter::once(' ')
        .chain(stem.chars())
        .chain(std::iter::once(' '))
        .collect();
    let mut out: Vec<u32> = padded
        .windows(3)
        .map(|w| {
            // 10 bits per letter is enough for folded Latin text; anything else shares a
            // bucket, which only makes matching a little more generous.
            let code = |c: char| (c as u32).min(1023);
            (code(w[0]) << 20) | (code(w[1]) << 10) | code(w[2])
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// A text prepared for matching: the trigrams of all its stems.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub grams: HashSet<u32>,
    pub stems: Vec<String>,
}

impl Document {
    pub fn new(text: &str) -> Self {
        let stems: Vec<String> = words(text).iter().map(|w| stem(w)).collect();
        let grams = stems.iter().flat_map(|s| trigrams(s)).collect();
        Self { grams, stems }
    }
}

/// What someone typed, split into text terms and an age ("9 jaar", "9-jarige", "12 jr").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<String>,
    pub age: Option<u8>,
}

/// What a search reads of its input: enough for any real question, and a bound on the
/// work one request can cause.
pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_TERMS: usize = 8;

impl Query {
    pub fn parse(input: &str) -> Self {
        let bounded: String = input.chars().take(MAX_QUERY_CHARS).collect();
        let ws = words(&bounded);
        let mut terms = Vec::new();
        let mut age = None;
        let mut i = 0;
        while i < ws.len() {
            let w = &ws[i];
            let next_is_year = ws
                .get(i + 1)
                .is_some_and(|n| matches!(n.as_str(), "jaar" | "jr" | "jarige" | "jarig"));
            if let Ok(n) = w.parse::<u8>()
                && n <= 27
                && (next_is_year || ws.len() == 1 || age.is_none())
            {
                age = Some(n);
                i += if next_is_year { 2 } else { 1 };
                continue;
            }
            if let Some(n) = w
                .strip_suffix("jarige")
                .or_else(|| w.strip_suffix("jarig"))
                .and_then(|n| n.parse::<u8>().ok())
            {
                age = Some(n);
                i += 1;
                continue;
            }
            terms.push(stem(w));
            i += 1;
        }
        terms.truncate(MAX_TERMS);
        Self { terms, age }
    }

    /// How well one term is found in a document: the share of its trigrams present.
    pub fn term_score(term: &str, doc: &Document) -> f32 {
        let grams = trigrams(term);
        if grams.is_empty() {
            return 0.0;
        }
        let found = grams.iter().filter(|g| doc.grams.contains(g)).count();
        found as f32 / grams.len() as f32
    }

    /// 0 when some term is missing from the document; otherwise the mean of the term
    /// scores (1.0 = every term found whole). A term counts as found from `MATCH` on.
    pub fn score(&self, doc: &Document) -> f32 {
        if self.terms.is_empty() {
            return 1.0;
        }
        let mut total = 0.0;
        for t in &self.terms {
            let s = Self::term_score(t, doc);
            if s < MATCH {
                return 0.0;
            }
            total += s;
        }
        total / self.terms.len() as f32
    }
}

/// The share of a term's trigrams that must be present for the term to count as found.
pub const MATCH: f32 = 0.6;

#[cfg(test)]
mod tests {
    use super::*;

    fn score(query: &str, text: &str) -> f32 {
        Query::parse(query).score(&Document::new(text))
    }

    #[test]
    fn folding_removes_case_and_accents() {
        assert_eq!(fold("Coördinatie & Café-Één"), "coordinatie   cafe een");
        assert_eq!(words("De cursus voor ouders"), vec!["cursus", "ouders"]);
    }

    #[test]
    fn word_forms_share_a_stem() {
        assert_eq!(stem("opvoeden"), "opvoed");
        assert_eq!(stem("opvoeding"), "opvoed");
        assert_eq!(stem("kinderen"), "kind");
        assert_eq!(stem("ondersteuning"), "ondersteun");
        assert_eq!(stem("ondersteunen"), "ondersteun");
        assert_eq!(stem("jongeren"), "jong");
        assert_eq!(stem("zitten"), "zit");
        assert_eq!(stem("gezin"), "gezin", "short and plain words stay");
        assert_eq!(stem("12"), "12");
    }

    #[test]
    fn forms_compounds_and_typos_find_the_course() {
        let course = "Opvoedondersteuning: cursus Positief Opvoeden voor ouders van kinderen van 4 tot 12 jaar";
        for q in [
            "opvoeden",
            "opvoeding",
            "opvoedingsondersteuning",
            "opvoedondersteunig",
            "OPVOEDEN",
            "opvoéden",
        ] {
            assert!(score(q, course) >= MATCH, "{q} should find the course");
        }
        for q in ["schulden", "verslaving", "dyslexie"] {
            assert_eq!(score(q, course), 0.0, "{q} should not");
        }
    }

    #[test]
    fn every_term_must_be_found_and_whole_words_rank_higher() {
        let a = Document::new("Opvoedondersteuning voor gezinnen");
        let b = Document::new("Opvoeden en schulden: hulp voor gezinnen");
        let q = Query::parse("opvoeden schulden");
        assert_eq!(q.score(&a), 0.0);
        assert!(q.score(&b) > 0.9);
        let exact = Query::parse("opvoeding").score(&Document::new("Opvoeding"));
        let typo = Query::parse("opvoedng").score(&Document::new("Opvoeding"));
        assert!(exact > typo && typo >= MATCH, "exact {exact} > typo {typo}");
    }

    #[test]
    fn ages_are_taken_out_of_the_text() {
        assert_eq!(
            Query::parse("opvoeden 9 jaar"),
            Query {
                terms: vec!["opvoed".into()],
                age: Some(9)
            }
        );
        assert_eq!(Query::parse("12-jarige").age, Some(12));
        assert_eq!(Query::parse("angst 15").age, Some(15));
        assert_eq!(Query::parse("angst").age, None);
        assert_eq!(Query::parse("").terms, Vec::<String>::new());
    }

    #[test]
    fn a_query_is_bounded() {
        let long = "opvoeden ".repeat(10_000);
        let q = Query::parse(&long);
        assert!(q.terms.len() <= MAX_TERMS);
        let many: String = (0..50).map(|i| format!("woord{i} ")).collect();
        assert_eq!(Query::parse(&many).terms.len(), MAX_TERMS);
    }
}
