//! The distinct words of a text collection, and how a query term meets them.

use super::{Term, stem, synonyms};
use std::collections::HashMap;

/// How strongly a query word meets a word of the text, by kind of match.
pub type Strength = f32;
/// The same stem or the same word.
pub const SAME: Strength = 1.0;
/// The start of a longer word: "rouw" in "rouwverwerking", "opvoed" in "opvoedwinkel".
pub const START: Strength = 0.9;
/// A compound of the same parts: "opvoedingsondersteuning" and "opvoedondersteuning".
pub const PARTS: Strength = 0.9;
/// A later part of a compound: "ondersteuning" in "opvoedondersteuning".
pub const INSIDE: Strength = 0.75;
/// One wrong, missing or swapped letter (two in long words).
pub const TYPO: Strength = 0.7;

/// A query stem this long is specific enough to be found inside a word whose first part
/// is not known ("problemen" in "concentratieproblemen"); shorter ones need a known first
/// part, so that "rouw" is not found in "zelfvertrouwen".
const SPECIFIC: usize = 7;

#[derive(Debug, Clone)]
pub struct Word {
    pub text: String,
    pub stem: String,
    /// The stems of a compound's two parts, when both are known words.
    pub parts: Option<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    words: Vec<Word>,
    by_text: HashMap<String, u32>,
    by_stem: HashMap<String, Vec<u32>>,
    by_parts: HashMap<(String, String), Vec<u32>>,
    /// Word numbers in text order, to find the longer words that start with a stem.
    sorted: Vec<u32>,
    /// Every later part of every word (from its fourth letter, at least three letters
    /// long) as (word, byte offset), in text order: a stem's occurrences inside words
    /// are one binary search away instead of a scan of the whole vocabulary.
    suffixes: Vec<(u32, u16)>,
    /// Word numbers by length in letters, for the typo search.
    by_len: Vec<Vec<u32>>,
    /// Per word, which letters it has (see `letters`), for the typo search.
    masks: Vec<u32>,
}

/// One bit per letter a to z (others share one): an edit adds or removes at most two
/// letters, so words whose letter sets differ in more than 2k letters are more than k
/// edits apart, and the full comparison can be skipped.
fn letters(word: &str) -> u32 {
    word.bytes().fold(0, |m, b| {
        m | match b {
            b'a'..=b'z' => 1 << (b - b'a'),
            _ => 1 << 26,
        }
    })
}

/// Longer "words" are codes or junk; they are matched whole only.
const LONGEST_SPLIT: usize = 60;

impl Vocabulary {
    /// Adds a folded word and answers its number (the same number for the same word).
    pub fn add(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.by_text.get(word) {
            return id;
        }
        let id = self.words.len() as u32;
        let s = stem(word);
        self.by_stem.entry(s.clone()).or_default().push(id);
        self.by_text.insert(word.to_owned(), id);
        self.words.push(Word {
            text: word.to_owned(),
            stem: s,
            parts: None,
        });
        id
    }

    /// Prepares the lookups once every word is added.
    pub fn finish(&mut self) {
        let mut sorted: Vec<u32> = (0..self.words.len() as u32).collect();
        sorted.sort_by(|a, b| {
            self.words[*a as usize]
                .text
                .cmp(&self.words[*b as usize].text)
        });
        self.sorted = sorted;
        let mut suffixes: Vec<(u32, u16)> = Vec::new();
        let mut by_len: Vec<Vec<u32>> = Vec::new();
        for (id, w) in self.words.iter().enumerate() {
            let n = w.text.chars().count();
            if by_len.len() <= n {
                by_len.resize_with(n + 1, Vec::new);
            }
            by_len[n].push(id as u32);
            if w.text.len() > LONGEST_SPLIT {
                continue;
            }
            for (i, (p, _)) in w.text.char_indices().enumerate().skip(3) {
                if n - i < 3 {
                    break;
                }
                suffixes.push((id as u32, p as u16));
            }
        }
        suffixes.sort_unstable_by(|a, b| self.suffix(*a).cmp(self.suffix(*b)));
        self.suffixes = suffixes;
        self.by_len = by_len;
        self.masks = self.words.iter().map(|w| letters(&w.text)).collect();
        self.by_parts.clear();
        for id in 0..self.words.len() {
            let parts = self.split(&self.words[id].text);
            if let Some(p) = &parts {
                self.by_parts.entry(p.clone()).or_default().push(id as u32);
            }
            self.words[id].parts = parts;
        }
    }

    fn suffix(&self, (id, p): (u32, u16)) -> &str {
        self.words[id as usize]
            .text
            .get(usize::from(p)..)
            .unwrap_or("")
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn word(&self, id: u32) -> Option<&Word> {
        self.words.get(id as usize)
    }

    /// A word of this vocabulary or of the data's compound parts, as written or as stem.
    fn known(&self, s: &str) -> bool {
        s.chars().count() >= 3
            && (self.by_text.contains_key(s)
                || self.by_stem.contains_key(s)
                || synonyms::is_part(s)
                || {
                    let st = stem(s);
                    self.by_stem.contains_key(&st) || synonyms::is_part(&st)
                })
    }

    /// Whether `head` is a known first part, with or without the joining "s", "e" or
    /// "en" of Dutch compounds.
    fn known_head(&self, head: &str) -> Option<String> {
        [
            Some(head),
            head.strip_suffix('s'),
            head.strip_suffix("en"),
            head.strip_suffix('e'),
        ]
        .into_iter()
        .flatten()
        .find(|h| self.known(h))
        .map(stem)
    }

    /// The stems of a compound's two known parts: "opvoedingsondersteuning" → ("opvoed",
    /// "ondersteun"). The longest known second part wins.
    fn split(&self, word: &str) -> Option<(String, String)> {
        if word.chars().count() < 6 {
            return None;
        }
        for (p, _) in word.char_indices().skip(3) {
            let (head, tail) = word.split_at(p);
            if tail.chars().count() < 3 || !self.known(tail) {
                continue;
            }
            if let Some(h) = self.known_head(head) {
                return Some((h, stem(tail)));
            }
        }
        None
    }

    /// The words a query term meets, each with its strongest match (already weighed by
    /// the reading's weight).
    pub fn matches(&self, term: &Term) -> Vec<(u32, Strength)> {
        let mut found: HashMap<u32, Strength> = HashMap::new();
        let mut put = |id: u32, s: Strength| {
            let e = found.entry(id).or_insert(0.0);
            if s > *e {
                *e = s;
            }
        };
        for alt in &term.alternatives {
            let w = alt.weight;
            let mut known = false;
            for &id in self.by_stem.get(&alt.stem).into_iter().flatten() {
                put(id, SAME * w);
                known = true;
            }
            if let Some(&id) = self.by_text.get(&alt.word) {
                put(id, SAME * w);
                known = true;
            }
            // Short synonyms ("add", "ass") would start too many unrelated words.
            let shortest = if alt.typed { 3 } else { 4 };
            if alt.stem.chars().count() >= shortest {
                let from = self.sorted.partition_point(|&id| {
                    self.words[id as usize].text.as_str() < alt.stem.as_str()
                });
                for &id in &self.sorted[from..] {
                    if !self.words[id as usize].text.starts_with(alt.stem.as_str()) {
                        break;
                    }
                    put(id, START * w);
                    known = true;
                }
            }
            if !alt.typed {
                continue;
            }
            if let Some(parts) = self.split(&alt.word) {
                for &id in self.by_parts.get(&parts).into_iter().flatten() {
                    put(id, PARTS * w);
                    known = true;
                }
            }
            for id in self.inside(&alt.stem) {
                put(id, INSIDE * w);
                known = true;
            }
            // A typo is a word nobody wrote: a word that is found as such never is one
            // ("pesten" must not find "testen").
            if !known && !synonyms::is_part(&alt.word) {
                let n = alt.word.chars().count();
                if n >= 5 {
                    let k = if n >= 9 { 2 } else { 1 };
                    let hi = (n + k).min(self.by_len.len().saturating_sub(1));
                    let near = self.by_len.get(n - k..=hi).into_iter().flatten().flatten();
                    let mask = letters(&alt.word);
                    for &id in near {
                        if (self.masks[id as usize] ^ mask).count_ones() as usize > 2 * k {
                            continue;
                        }
                        let word = &self.words[id as usize];
                        if within(alt.word.as_bytes(), word.text.as_bytes(), k)
                            || within(alt.stem.as_bytes(), word.stem.as_bytes(), k)
                        {
                            put(id, TYPO * w);
                        }
                    }
                }
            }
        }
        found.into_iter().collect()
    }

    /// The words `stem` is a later part of: after a known first part, or anywhere when
    /// it is specific enough.
    fn inside(&self, stem: &str) -> Vec<u32> {
        let len = stem.chars().count();
        if len < 3 {
            return vec![];
        }
        let from = self.suffixes.partition_point(|s| self.suffix(*s) < stem);
        let mut out: Vec<u32> = self.suffixes[from..]
            .iter()
            .take_while(|s| self.suffix(**s).starts_with(stem))
            .filter(|(id, p)| {
                len >= SPECIFIC
                    || self.words[*id as usize]
                        .text
                        .get(..usize::from(*p))
                        .is_some_and(|head| self.known_head(head).is_some())
            })
            .map(|(id, _)| *id)
            .collect();
        out.dedup();
        out
    }
}

/// Whether two words are at most `k` edits apart (insert, delete, replace, or swap two
/// neighbours), computed in a band and given up as soon as it cannot be.
fn within(a: &[u8], b: &[u8], k: usize) -> bool {
    if a.len().abs_diff(b.len()) > k {
        return false;
    }
    let (n, m) = (a.len(), b.len());
    let big = k + 1;
    let mut before = vec![big; m + 1];
    let mut prev: Vec<usize> = (0..=m).map(|j| j.min(big)).collect();
    let mut cur = vec![big; m + 1];
    for i in 1..=n {
        cur[0] = i.min(big);
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d.min(big);
            row_min = row_min.min(cur[j]);
        }
        if row_min > k {
            return false;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m] <= k
}

#[cfg(test)]
mod tests {
    use super::within;

    #[test]
    fn edits_are_counted_with_swaps() {
        assert!(within(b"opvoeding", b"opvoeding", 0));
        assert!(within(b"opvoedng", b"opvoeding", 1));
        assert!(within(b"opvoedign", b"opvoeding", 1), "a swap is one edit");
        assert!(!within(b"pesten", b"gamen", 1));
        assert!(within(b"huiswerkbegeleidng", b"huiswerkbegeleiding", 2));
        assert!(!within(b"angst", b"angstig", 1));
    }
}
