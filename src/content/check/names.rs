//! Names spelt two ways: a run of capitalised words in an article's prose
//! that comes within a small edit distance of a name or title from a record
//! the article uses (film, album, person, track), without being it —
//! `Kush Groove` beside the record's `Krush Groove`.
//!
//! To stay quiet on correct text, a near miss must: start with a capital and
//! not run on into more capitalised words (`Blue Suede Shoes`); share the name's
//! first letter; not merely add or drop letters at either end (`Stones`,
//! `Driver`); not be another known name; and be at least 6 characters long
//! for one word (5 for several), 1 edit away, or 2 from 9 characters on.

use std::collections::{BTreeMap, HashSet};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::{Context, RecordNames};
use crate::content::markdown;
use crate::content::{Article, Problem, Source};

/// A word of prose: as written, lowercased, where it starts in the body, and
/// whether only spaces separate it from the word before.
struct Word {
    text: String,
    lower: String,
    offset: usize,
    joined: bool,
}

/// A name to compare against, as words.
struct Name<'a> {
    words: Vec<String>,
    shown: &'a str,
    slug: &'a str,
}

pub(super) fn check(a: &Article, src: &Source<'_>, ctx: &Context) -> Vec<Problem> {
    let names = names(a, ctx.names());
    let known: HashSet<String> = names.iter().map(|n| n.words.join(" ")).collect();
    let words = prose_words(&a.body);
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if !capital(w) {
            continue;
        }
        for name in &names {
            let k = name.words.len();
            let Some(window) = words.get(i..i + k) else { continue };
            if window.iter().skip(1).any(|w| !w.joined) || words.get(i + k).is_some_and(|n| n.joined && capital(n)) {
                continue;
            }
            let seen = window.iter().map(|w| w.lower.as_str()).collect::<Vec<_>>().join(" ");
            let want = name.words.join(" ");
            if near_miss(&seen, &want, k) && !known.contains(&seen) {
                let shown = window.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
                let message = format!(
                    "`{shown}` looks like a misspelling of `{}` (record `{}`): spell a name the same way everywhere",
                    name.shown, name.slug
                );
                out.push(src.warning(a.body_offset + w.offset, "misspelt-name", message));
                break;
            }
        }
    }
    out
}

fn capital(w: &Word) -> bool {
    w.text.starts_with(char::is_uppercase)
}

/// Within the edit distance the length allows, but not the same, nor the
/// same with letters added or dropped at one end.
fn near_miss(seen: &str, want: &str, words: usize) -> bool {
    let len = want.chars().count();
    let limit = match len {
        0..5 => return false,
        5 if words == 1 => return false,
        5..9 => 1,
        _ => 2,
    };
    let (a, b): (Vec<char>, Vec<char>) = (seen.chars().collect(), want.chars().collect());
    if a.first() != b.first() || a.len().abs_diff(b.len()) > limit {
        return false;
    }
    if seen.starts_with(want) || want.starts_with(seen) || seen.ends_with(want) || want.ends_with(seen) {
        return false;
    }
    let d = distance(&a, &b);
    d > 0 && d <= limit
}

/// Damerau–Levenshtein distance (optimal string alignment).
fn distance(a: &[char], b: &[char]) -> usize {
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * w + j] = if i == 0 || j == 0 {
                i + j
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1).min(d[(i - 1) * w + j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[(i - 2) * w + j - 2] + 1);
                }
                v
            };
        }
    }
    d[a.len() * w + b.len()]
}

/// The names of the records the article uses: film and album titles,
/// people and their surnames, track titles; each once.
fn names<'a>(a: &Article, all: &'a BTreeMap<String, RecordNames>) -> Vec<Name<'a>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for r in &a.rendered.references {
        let Some((slug, n)) = all.get_key_value(&r.slug) else { continue };
        let surnames = n.people.iter().filter_map(|p| surname(p));
        let all_names = std::iter::once(n.film.as_str())
            .chain(n.album.iter().map(String::as_str))
            .chain(n.people.iter().map(String::as_str))
            .chain(surnames)
            .chain(n.tracks.iter().map(String::as_str));
        for shown in all_names.filter(|s| s.starts_with(char::is_uppercase)) {
            let words: Vec<String> = tokens(shown).into_iter().map(|(_, _, w)| fold(&w)).collect();
            if !words.is_empty() && seen.insert(words.clone()) {
                out.push(Name { words, shown, slug });
            }
        }
    }
    out
}

/// The last word of a person's name (`Herrmann` of `Bernard Herrmann`), if
/// long enough to compare alone; bands (`The Kinks`, `Prince and the
/// Revolution`) have none.
fn surname(name: &str) -> Option<&str> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let person =
        (2..=3).contains(&words.len()) && words[0] != "The" && words.iter().all(|w| w.starts_with(char::is_uppercase));
    words.last().filter(|s| person && s.chars().count() >= 6).copied()
}

/// Words of the prose: text outside code, in headings and paragraphs alike.
fn prose_words(body: &str) -> Vec<Word> {
    let options = markdown::options() - Options::ENABLE_SMART_PUNCTUATION;
    let mut words = Vec::new();
    let mut code = false;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => code = true,
            Event::End(TagEnd::CodeBlock) => code = false,
            Event::Text(t) if !code => {
                // Offsets are exact when the event's text is its source.
                let exact = body.get(range.clone()) == Some(&*t);
                let mut last_end: Option<usize> = None;
                for (at, end, w) in tokens(&t) {
                    let joined = last_end.is_some_and(|e| t[e..at].chars().all(|c| c == ' '));
                    last_end = Some(end);
                    let offset = range.start + if exact { at } else { 0 };
                    words.push(Word { lower: fold(&w), text: t[at..end].to_owned(), offset, joined });
                }
            }
            _ => {}
        }
    }
    words
}

/// A word as compared: lowercase, without a possessive `'s`.
fn fold(word: &str) -> String {
    let lower = word.to_lowercase();
    lower.strip_suffix("'s").map(str::to_owned).unwrap_or(lower)
}

/// Words with their byte ranges: letters and digits, with apostrophes and
/// hyphens inside a word kept (`I’m`, `Run-DMC`) and made plain (`’` → `'`),
/// and `&` as a word of its own.
fn tokens(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c == '&' {
            out.push((at, at + 1, "&".to_owned()));
            i += 1;
            continue;
        }
        if !c.is_alphanumeric() {
            i += 1;
            continue;
        }
        let mut word = String::new();
        while let Some(&(_, c)) = chars.get(i) {
            let inner = matches!(c, '\'' | '’' | '-') && chars.get(i + 1).is_some_and(|(_, n)| n.is_alphanumeric());
            if !(c.is_alphanumeric() || inner) {
                break;
            }
            word.push(if c == '’' { '\'' } else { c });
            i += 1;
        }
        let end = chars.get(i).map_or(text.len(), |&(e, _)| e);
        out.push((at, end, word));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_are_small_and_not_mere_endings() {
        assert!(near_miss("kush groove", "krush groove", 2));
        assert!(near_miss("debussey", "debussy", 1));
        assert!(near_miss("appolonia", "apollonia", 1));
        assert!(near_miss("i'm no there", "i'm not there", 3));
        assert!(!near_miss("stones", "stone", 1), "an ending");
        assert!(!near_miss("driver", "drive", 1), "an ending");
        assert!(!near_miss("krush groove", "krush groove", 2), "the same");
        assert!(!near_miss("the cure", "the crow", 2), "too far");
        assert!(!near_miss("dive", "drive", 1), "too short");
        assert_eq!(distance(&['a', 'b'], &['b', 'a']), 1);
    }

    #[test]
    fn tokens_keep_inner_apostrophes_and_ampersands() {
        let t: Vec<String> =
            tokens("“I’m Not There” — Simon & Garfunkel's Run-DMC").into_iter().map(|(_, _, w)| w).collect();
        assert_eq!(t, ["I'm", "Not", "There", "Simon", "&", "Garfunkel's", "Run-DMC"]);
    }
}
