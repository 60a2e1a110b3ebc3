//! The blocklist (`src/blocklist.txt`): spam tokens and hold phrases, matched
//! as whole words regardless of case. The comment rules and the content check
//! both read it from here.

use std::sync::LazyLock;

/// What a match means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Spam: a comment goes straight to spam; prose gets a warning.
    Spam,
    /// Suspicious: a comment is held for moderation.
    Hold,
}

/// One match: byte range in the text, and the listed phrase it matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub phrase: &'static str,
    pub severity: Severity,
}

struct Entry {
    phrase: &'static str,
    words: Vec<String>,
    severity: Severity,
}

static LIST: LazyLock<Vec<Entry>> = LazyLock::new(|| {
    let mut severity = Severity::Spam;
    let mut out = Vec::new();
    for line in include_str!("blocklist.txt").lines().map(str::trim) {
        match line {
            "" => {}
            l if l.starts_with('#') => {}
            "[spam]" => severity = Severity::Spam,
            "[hold]" => severity = Severity::Hold,
            phrase => {
                out.push(Entry { phrase, words: phrase.split_whitespace().map(str::to_lowercase).collect(), severity })
            }
        }
    }
    out
});

/// Every listed phrase in `text`, in order of position.
pub fn scan(text: &str) -> Vec<Hit> {
    // Words with their byte ranges; a word is a run of letters and digits.
    let mut words: Vec<(usize, usize, String)> = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push((s, i, text[s..i].to_lowercase()));
                start = None;
            }
            _ => {}
        }
    }
    let mut hits = Vec::new();
    for (i, (s, _, _)) in words.iter().enumerate() {
        for entry in LIST.iter() {
            let n = entry.words.len();
            if i + n <= words.len() && words[i..i + n].iter().zip(&entry.words).all(|(w, e)| w.2 == *e) {
                hits.push(Hit { start: *s, end: words[i + n - 1].1, phrase: entry.phrase, severity: entry.severity });
            }
        }
    }
    hits
}

/// The worst severity found in any of `texts`.
pub fn worst<'a>(texts: impl IntoIterator<Item = &'a str>) -> Option<Severity> {
    let mut worst = None;
    for t in texts {
        for hit in scan(t) {
            match hit.severity {
                Severity::Spam => return Some(Severity::Spam),
                Severity::Hold => worst = Some(Severity::Hold),
            }
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_whole_words_only_and_ignores_case() {
        let hits = scan("leaving a LK21 lasting impression");
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].start, hits[0].end, hits[0].phrase), (10, 14, "lk21"));
        assert!(scan("blk21 and lk210 are other words").is_empty());
        assert_eq!(scan("a payday\n  loan offer")[0].phrase, "payday loan");
        assert_eq!(worst(["fine", "cheap Viagra"]), Some(Severity::Hold));
        assert_eq!(worst(["cheap viagra", "watch on 123movies"]), Some(Severity::Spam));
        assert_eq!(worst(["Björk’s “All Is Full of Love” — عربى"]), None);
    }
}
