//! The blocklist (`src/blocklist.txt`): spam tokens and hold phrases, matched
//! as whole words regardless of case, and inside host names and URLs too,
//! where spam hides a token in a longer name (`lk21official.cc`). The comment
//! rules and the content check both read it from here.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
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
    /// The words run together, as a host name spells a phrase.
    joined: String,
    severity: Severity,
}

/// Inside a host name or URL, a listed token counts at the start of a run of
/// letters and digits (`lk21official`), and at its end when it is at least
/// this long (`watchfmovies`): shorter tokens end too many innocent names
/// (`blk21`). Never in the middle (`specialist` holds `cialis`).
const MIN_SUFFIX: usize = 6;

/// The list, and where to look in it.
struct List {
    entries: Vec<Entry>,
    /// The entries whose phrase starts with a word, in list order.
    by_first: HashMap<String, Vec<usize>>,
    /// The most words a phrase has.
    longest: usize,
}

static LIST: LazyLock<List> = LazyLock::new(|| {
    let mut severity = Severity::Spam;
    let mut entries = Vec::new();
    for line in include_str!("blocklist.txt").lines().map(str::trim) {
        match line {
            "" => {}
            l if l.starts_with('#') => {}
            "[spam]" => severity = Severity::Spam,
            "[hold]" => severity = Severity::Hold,
            phrase => {
                let words: Vec<String> = phrase.split_whitespace().map(str::to_lowercase).collect();
                entries.push(Entry { phrase, joined: words.concat(), words, severity })
            }
        }
    }
    let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, entry) in entries.iter().enumerate() {
        if let Some(first) = entry.words.first() {
            by_first.entry(first.clone()).or_default().push(i);
        }
    }
    let longest = entries.iter().map(|e| e.words.len()).max().unwrap_or(1).max(1);
    List { entries, by_first, longest }
});

/// Every listed phrase in `text`, in order of position.
pub fn scan(text: &str) -> Vec<Hit> {
    let list = &*LIST;
    // Link spans come sorted and apart: a word finds the one it may be in
    // by binary search (looking through them all per word was quadratic in
    // a text of many host names).
    let links = link_spans(text);
    let in_link = |at: usize| {
        let i = links.partition_point(|&(s, _)| s <= at);
        i > 0 && at < links[i - 1].1
    };
    // The words from the current one on, as many as the longest phrase has:
    // the text's words are read once and never all held.
    let mut words = words(text);
    let mut window: VecDeque<(usize, usize, Cow<'_, str>)> = words.by_ref().take(list.longest).collect();
    let mut hits = Vec::new();
    while let Some((s, e, word)) = window.front() {
        let (s, e) = (*s, *e);
        let phrase_at = |entry: &Entry| {
            let n = entry.words.len();
            (n <= window.len() && window.iter().zip(&entry.words).all(|(w, ew)| w.2 == *ew)).then(|| window[n - 1].1)
        };
        if in_link(s) {
            for entry in &list.entries {
                if let Some(end) = phrase_at(entry) {
                    hits.push(Hit { start: s, end, phrase: entry.phrase, severity: entry.severity });
                } else if word.starts_with(&entry.joined)
                    || entry.joined.len() >= MIN_SUFFIX && word.ends_with(&entry.joined)
                {
                    hits.push(Hit { start: s, end: e, phrase: entry.phrase, severity: entry.severity });
                }
            }
        } else if let Some(candidates) = list.by_first.get(word.as_ref()) {
            // Outside links only whole phrases count: only those starting
            // with this word can.
            for entry in candidates.iter().map(|&i| &list.entries[i]) {
                if let Some(end) = phrase_at(entry) {
                    hits.push(Hit { start: s, end, phrase: entry.phrase, severity: entry.severity });
                }
            }
        }
        window.pop_front();
        window.extend(words.next());
    }
    hits
}

/// The words of `text` (runs of letters and digits) with their byte ranges,
/// lowercased (borrowed when they already are).
fn words(text: &str) -> impl Iterator<Item = (usize, usize, Cow<'_, str>)> {
    let mut start = None;
    text.char_indices().chain(std::iter::once((text.len(), ' '))).filter_map(move |(i, c)| {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                start = None;
                return Some((s, i, lowercase(&text[s..i])));
            }
            _ => {}
        }
        None
    })
}

fn lowercase(word: &str) -> Cow<'_, str> {
    if word.is_ascii() && !word.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(word)
    } else if word.is_ascii() {
        Cow::Owned(word.to_ascii_lowercase())
    } else {
        Cow::Owned(word.to_lowercase())
    }
}

/// Byte ranges of the host names and URLs in `text`: runs without spaces,
/// quotes or brackets that hold `://`, or a dot between two letters or digits
/// (`lk21official.cc`, `www.x.example/path`).
fn link_spans(text: &str) -> Vec<(usize, usize)> {
    let breaks = |c: char| c.is_whitespace() || "<>\"'()[]{}|\\^`".contains(c);
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        if breaks(c) {
            let run = &text[start..i];
            let dotted = run.char_indices().any(|(j, c)| {
                c == '.'
                    && run[..j].chars().next_back().is_some_and(char::is_alphanumeric)
                    && run[j + 1..].chars().next().is_some_and(char::is_alphanumeric)
            });
            if run.contains("://") || dotted {
                spans.push((start, i));
            }
            start = i + c.len_utf8();
        }
    }
    spans
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

    #[test]
    fn matches_tokens_inside_host_names_and_urls() {
        fn hit(t: &str) -> Vec<(&'static str, &str)> {
            scan(t).into_iter().map(|h| (h.phrase, &t[h.start..h.end])).collect()
        }
        assert_eq!(hit("https://lk21official.cc"), vec![("lk21", "lk21official")]);
        assert_eq!(hit("visit www.LK21Official.cc today"), vec![("lk21", "LK21Official")]);
        assert_eq!(hit("[watch](https://x.example/free-watchfmovies-hd)"), vec![("fmovies", "watchfmovies")]);
        assert_eq!(hit("paydayloan.example"), vec![("payday loan", "paydayloan")]);
        assert_eq!(worst(["https://cheapviagra.example"]), Some(Severity::Hold));
        // Innocent words stay innocent, in prose and in links.
        assert!(scan("lk21official in prose is one word").is_empty());
        assert!(scan("https://specialist.example/blk21 and e.g. a specialist").is_empty());
        assert!(scan("the end.Then lk210 without a host").is_empty());
    }
}
