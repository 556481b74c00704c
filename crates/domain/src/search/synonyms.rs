//! The synonym groups and compound parts of `synonyms.txt`, read once.

use super::{fold, stem};
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

struct Data {
    /// Each group's words, its concept first.
    groups: Vec<Vec<String>>,
    /// Group numbers by the stem of each of their words.
    by_stem: HashMap<String, Vec<usize>>,
    /// Words and stems known as parts of compounds: every group word and every listed
    /// part.
    parts: HashSet<String>,
}

static DATA: LazyLock<Data> = LazyLock::new(|| read(include_str!("synonyms.txt")));

fn read(text: &str) -> Data {
    let mut data = Data {
        groups: Vec::new(),
        by_stem: HashMap::new(),
        parts: HashSet::new(),
    };
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(list) = line.strip_prefix('=') {
            for w in fold(list).split_whitespace() {
                data.parts.insert(w.to_owned());
                data.parts.insert(stem(w));
            }
            continue;
        }
        let Some((concept, rest)) = line.split_once(':') else {
            continue;
        };
        let group: Vec<String> = std::iter::once(concept)
            .chain(rest.split(','))
            .map(|w| fold(w).trim().to_owned())
            .filter(|w| !w.is_empty() && !w.contains(' '))
            .collect();
        let n = data.groups.len();
        for w in &group {
            let s = stem(w);
            data.by_stem.entry(s.clone()).or_default().push(n);
            data.parts.insert(w.clone());
            data.parts.insert(s);
        }
        data.groups.push(group);
    }
    for groups in data.by_stem.values_mut() {
        groups.dedup();
    }
    data
}

/// A query word's other readings with their weights: its groups' concepts a little
/// below the word itself, the groups' other words below that.
pub(super) fn readings(word: &str) -> Vec<(&'static str, f32)> {
    const CONCEPT: f32 = 0.9;
    const SIBLING: f32 = 0.8;
    /// Enough for the largest group; a bound on the work of one term.
    const MAX: usize = 24;
    let data: &'static Data = &DATA;
    let Some(groups) = data.by_stem.get(&stem(word)) else {
        return vec![];
    };
    let mut out: Vec<(&'static str, f32)> = Vec::new();
    for &g in groups {
        for (i, w) in data.groups[g].iter().enumerate() {
            if w == word || out.iter().any(|(o, _)| *o == w) {
                continue;
            }
            out.push((w.as_str(), if i == 0 { CONCEPT } else { SIBLING }));
        }
    }
    // Concepts first, so the bound never drops them.
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out.truncate(MAX);
    out
}

/// Whether a word (or its stem) is known as the part of a compound.
pub(super) fn is_part(word: &str) -> bool {
    DATA.parts.contains(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colloquial_words_reach_the_concept() {
        let r = readings("blowen");
        assert_eq!(r.first(), Some(&("middelengebruik", 0.9)));
        assert!(r.iter().any(|(w, _)| *w == "cannabis"));
        assert!(readings("angstig").iter().any(|(w, _)| *w == "angst"));
        assert!(
            readings("eetproblemen")
                .iter()
                .any(|(w, _)| *w == "eetstoornis")
        );
        assert!(readings("fiets").is_empty());
    }

    #[test]
    fn every_line_of_the_data_is_read() {
        let text = include_str!("synonyms.txt");
        let lines = text
            .lines()
            .filter(|l| l.contains(':') && !l.trim_start().starts_with('#'))
            .count();
        assert_eq!(DATA.groups.len(), lines);
        assert!(DATA.groups.iter().all(|g| g.len() >= 2));
        assert!(is_part("ondersteuning") && is_part("opvoed"));
    }
}
