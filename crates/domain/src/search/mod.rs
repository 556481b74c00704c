//! Dutch text matching for the sociale kaart. People type "opvoeden", "opvoedingsonder-
//! steuning", "blowen" or "opvoedondersteunig" and expect the course called
//! "Opvoedondersteuning" or the help for "Middelengebruik". Matching works on whole
//! words, never on letters pooled over a text:
//!
//! 1. folding: lower case, accents removed ("café" = "cafe", "coördinatie" = "coordinatie");
//! 2. the Snowball stemmer for Dutch maps word forms onto one stem ("opvoeden",
//!    "opvoeding" → "opvoed");
//! 3. the words people use (`synonyms.txt`, data, not code) widen a query word to the
//!    words providers write ("blowen" → "middelengebruik");
//! 4. each query word is compared with each word of the text (`Vocabulary::matches`):
//!    the same stem, the start of a longer word ("rouw" in "rouwverwerking"), a compound
//!    of the same parts, a part after a known word ("ondersteuning" in
//!    "opvoedondersteuning", but not "rouw" in "zelfvertrouwen"), or one typo.
//!
//! Pure functions: the storage layer decides where the vocabulary and its postings live.

mod synonyms;
mod vocabulary;

pub use vocabulary::{Strength, Vocabulary, Word};

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
    "jij", "u", "uw", "we", "wij", "ze", "hun", "hoe", "wat", "heeft", "hebben", "mijn", "kan",
    "wil", "niet", "geen", "nog", "erg", "veel", "zeer",
];

/// Folded words, stopwords left out.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split_whitespace()
        .filter(|w| !STOPWORDS.contains(w))
        .map(str::to_owned)
        .collect()
}

static STEMMER: std::sync::LazyLock<rust_stemmers::Stemmer> =
    std::sync::LazyLock::new(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::Dutch));

/// The Snowball stem of a folded word. Numbers and words of three letters stay as they
/// are: there is nothing to strip that would not change their meaning.
pub fn stem(word: &str) -> String {
    if word.chars().any(|c| c.is_ascii_digit()) || word.chars().count() <= 3 {
        return word.to_owned();
    }
    STEMMER.stem(word).into_owned()
}

/// One way to read a query word: the word itself or a word of its synonym group.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    pub word: String,
    pub stem: String,
    /// How much a match on this reading counts: 1 for the typed word, less for a
    /// synonym.
    pub weight: f32,
    /// The typed word itself: only it may also match inside a compound or with a typo
    /// (a synonym's own typo would be a guess on a guess).
    pub typed: bool,
}

impl Alternative {
    fn new(word: &str, weight: f32, typed: bool) -> Self {
        Self {
            word: word.to_owned(),
            stem: stem(word),
            weight,
            typed,
        }
    }
}

/// A word of the query with its readings, the typed word first.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub alternatives: Vec<Alternative>,
}

impl Term {
    pub fn new(word: &str) -> Self {
        let mut alternatives = vec![Alternative::new(word, 1.0, true)];
        for (w, weight) in synonyms::readings(word) {
            if alternatives.iter().all(|a| a.word != w) {
                alternatives.push(Alternative::new(w, weight, false));
            }
        }
        Self { alternatives }
    }

    /// The typed word.
    pub fn word(&self) -> &str {
        self.alternatives.first().map_or("", |a| a.word.as_str())
    }
}

/// What someone typed, split into text terms and an age ("9 jaar", "9-jarige", "12 jr").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub terms: Vec<Term>,
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
            if terms.len() < MAX_TERMS && !terms.iter().any(|t: &Term| t.word() == w) {
                terms.push(Term::new(w));
            }
            i += 1;
        }
        Self { terms, age }
    }

    /// How well the query is found in a short text (an organisation's name, a taxonomy
    /// term): 0 when some term is missing, otherwise the mean strength of the terms'
    /// best matches (1.0 = every term found as such).
    pub fn score(&self, doc: &Document) -> f32 {
        if self.terms.is_empty() {
            return 1.0;
        }
        let mut total = 0.0;
        for t in &self.terms {
            let best = doc
                .vocabulary
                .matches(t)
                .into_iter()
                .map(|(_, s)| s)
                .fold(0.0, f32::max);
            if best <= 0.0 {
                return 0.0;
            }
            total += best;
        }
        total / self.terms.len() as f32
    }
}

/// A short text prepared for matching on its own. The sociale kaart's index keeps one
/// vocabulary for all services instead.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub vocabulary: Vocabulary,
}

impl Document {
    pub fn new(text: &str) -> Self {
        let mut vocabulary = Vocabulary::default();
        for w in words(text) {
            vocabulary.add(&w);
        }
        vocabulary.finish();
        Self { vocabulary }
    }
}

#[cfg(test)]
mod tests;
