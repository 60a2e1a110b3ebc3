//! The blocklist (`src/blocklist.txt`): spam tokens and hold phrases, matched
//! as whole words regardless of case, and inside host names and URLs too,
//! where spam hides a token in a longer name (`lk21official.cc`). The comment
//! rules and the content check both read it from here.

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
                let words: Vec<String> = phrase.split_whitespace().map(str::to_lowercase).collect();
                out.push(Entry { phrase, joined: words.concat(), words, severity })
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
    // Link spans come sorted and apart: a word finds the one it may be in
    // by binary search (looking through them all per word was quadratic in
    // a text of many host names).
    let links = link_spans(text);
    let in_link = |at: usize| {
        let i = links.partition_point(|&(s, _)| s <= at);
        i > 0 && at < links[i - 1].1
    };
    let mut hits = Vec::new();
    for (i, (s, e, word)) in words.iter().enumerate() {
        let linked = in_link(*s);
        for entry in LIST.iter() {
            let n = entry.words.len();
            if i + n <= words.len() && words[i..i + n].iter().zip(&entry.words).all(|(w, e)| w.2 == *e) {
                hits.push(Hit { start: *s, end: words[i + n - 1].1, phrase: entry.phrase, severity: entry.severity });
            } else if linked
                && (word.starts_with(&entry.joined)
                    || entry.joined.len() >= MIN_SUFFIX && word.ends_with(&entry.joined))
            {
                hits.push(Hit { start: *s, end: *e, phrase: entry.phrase, severity: entry.severity });
            }
        }
    }
    hits
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
