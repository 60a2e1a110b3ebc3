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
//! Vowel-only differences are variant spellings, not slips. The article is
//! also compared with itself: a name it spells two ways is found even when
//! no record names it.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use pulldown_cmark::{Event, Tag, TagEnd};

use super::{Context, RecordNames};
use crate::content::markdown::Body;
use crate::content::{Article, Problem, Source};

/// A word of prose: as written, lowercased, where it starts in the body, and
/// whether only spaces separate it from the word before. Both texts are
/// borrowed from the body where they can be (most words): a 5 MB article
/// has a million words.
struct Word<'a> {
    text: Cow<'a, str>,
    lower: Cow<'a, str>,
    offset: usize,
    joined: bool,
}

/// A name to compare against, as words.
struct Name<'a> {
    words: &'a [String],
    /// The words joined, and its letters, as a near miss compares them.
    joined: &'a str,
    letters: &'a [char],
    shown: &'a str,
    slug: &'a str,
}

/// One name of a record as [`check`] compares it: as written, as words,
/// and those joined and their letters. Made once per record.
#[derive(Debug, Clone)]
pub(crate) struct Compared {
    shown: String,
    words: Vec<String>,
    joined: String,
    letters: Vec<char>,
}

/// A record's names as compared: film and album titles, people and their
/// surnames, track titles, those that start with a capital, in that order.
fn compared(n: &RecordNames) -> Vec<Compared> {
    let surnames = n.people.iter().filter_map(|p| surname(p));
    let all_names = std::iter::once(n.film.as_str())
        .chain(n.album.iter().map(String::as_str))
        .chain(n.people.iter().map(String::as_str))
        .chain(surnames)
        .chain(n.tracks.iter().map(String::as_str));
    let mut out = Vec::new();
    for shown in all_names.filter(|s| s.starts_with(char::is_uppercase)) {
        let words: Vec<String> = tokens(shown).into_iter().map(|(_, _, w)| fold(&w)).collect();
        if !words.is_empty() {
            let joined = words.join(" ");
            let letters = letters(&joined).collect();
            out.push(Compared { shown: shown.to_owned(), words, joined, letters });
        }
    }
    out
}

pub(super) fn check(a: &Article, body: &Body<'_>, src: &Source<'_>, ctx: &Context) -> Vec<Problem> {
    let names = names(a, ctx.names());
    // Each name joined once, as the letters a near miss compares.
    let wants: Vec<&str> = names.iter().map(|n| n.joined).collect();
    let want_letters: Vec<&[char]> = names.iter().map(|n| n.letters).collect();
    // The names by the letter a near miss of them starts with, in their
    // order: a word is compared only with the names it could be a slip of.
    let mut by_first: HashMap<Option<char>, Vec<usize>> = HashMap::new();
    for (n, want) in want_letters.iter().enumerate() {
        by_first.entry(want.first().copied()).or_default().push(n);
    }
    let every: Vec<usize> = (0..names.len()).collect();
    let known: HashSet<&str> = wants.iter().copied().collect();
    let words = prose_words(body);
    let mut out = Vec::new();
    let mut flagged = HashSet::new();
    let mut scratch = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if !capital(w) {
            continue;
        }
        let first = first_letter(&w.lower);
        let candidates = match first {
            Some(_) => by_first.get(&first).map_or(&[][..], Vec::as_slice),
            None => &every[..],
        };
        // The words from here joined, and their letters, once per length of name.
        let mut joined: Vec<Option<(String, Vec<char>)>> = Vec::new();
        for &n in candidates {
            let name = &names[n];
            let k = name.words.len();
            let Some(window) = words.get(i..i + k) else { continue };
            if window.iter().skip(1).any(|w| !w.joined) || words.get(i + k).is_some_and(|n| n.joined && capital(n)) {
                continue;
            }
            if joined.len() <= k {
                joined.resize(k + 1, None);
            }
            let (seen, seen_letters) = joined[k].get_or_insert_with(|| {
                let seen = window.iter().map(|w| &*w.lower).collect::<Vec<_>>().join(" ");
                let seen_letters = letters(&seen).collect();
                (seen, seen_letters)
            });
            let want = Spelling { text: wants[n], letters: want_letters[n] };
            let spelt = Spelling { text: seen, letters: seen_letters };
            if near_miss_spelt(spelt, want, k, &mut scratch) && !known.contains(seen.as_str()) {
                let shown = window.iter().map(|w| &*w.text).collect::<Vec<_>>().join(" ");
                let message = format!(
                    "`{shown}` looks like a misspelling of `{}` (record `{}`): spell a name the same way everywhere",
                    name.shown, name.slug
                );
                out.push(src.warning(a.body_offset + w.offset, "misspelt-name", message));
                flagged.insert(i);
                break;
            }
        }
    }
    out.extend(within(a, &words, &known, &flagged, src));
    out
}

/// Names the article spells two ways itself (`Debussey` beside `Debussy`),
/// whether or not a record names them: one edit apart, or a doubled letter
/// moved (`Appolonia`, `Apollonia`); single capitalised words of 6
/// letters or more, compared through their deletion neighbourhoods (each
/// word indexed under itself with one letter dropped, or two from 9
/// letters on), so the pass stays linear in the article's length. The
/// rarer spelling is reported (the later one when both are as common),
/// with where the other is written.
fn within(
    a: &Article,
    words: &[Word<'_>],
    known: &HashSet<&str>,
    flagged: &HashSet<usize>,
    src: &Source<'_>,
) -> Vec<Problem> {
    // Each distinct capitalised word: count and first occurrence.
    let mut forms: HashMap<&str, (usize, usize)> = HashMap::new();
    for (i, w) in words.iter().enumerate() {
        if capital(w) && w.lower.chars().count() >= 6 && w.lower.chars().all(char::is_alphabetic) {
            forms.entry(&*w.lower).or_insert((0, i)).0 += 1;
        }
    }
    let mut index: HashMap<u64, Vec<&str>> = HashMap::new();
    let mut keys = Vec::new();
    for &form in forms.keys() {
        deletion_keys(form, &mut keys);
        for &key in &keys {
            index.entry(key).or_default().push(form);
        }
    }
    let mut pairs: HashSet<(&str, &str)> = HashSet::new();
    for group in index.values().filter(|g| g.len() > 1 && g.len() <= 8) {
        for (x, &p) in group.iter().enumerate() {
            for &q in &group[x + 1..] {
                if p != q && near_miss(p, q, 1) && (distance_of(p, q) == 1 || undoubled(p) == undoubled(q)) {
                    pairs.insert(if p < q { (p, q) } else { (q, p) });
                }
            }
        }
    }
    let mut reported = HashSet::new();
    let mut out = Vec::new();
    let mut pairs: Vec<(&str, &str)> = pairs.into_iter().collect();
    pairs.sort_unstable();
    for (p, q) in pairs {
        let (cp, cq) = (forms[p], forms[q]);
        // The rarer form is the slip; a name of a record never is.
        let wrong_first = match (known.contains(p), known.contains(q)) {
            (true, false) => false,
            (false, true) => true,
            _ => (cp.0, std::cmp::Reverse(cp.1)) < (cq.0, std::cmp::Reverse(cq.1)),
        };
        let (wrong, right) = if wrong_first { (cp, cq) } else { (cq, cp) };
        if flagged.contains(&wrong.1) || !reported.insert(wrong.1) {
            continue;
        }
        let (w, r) = (&words[wrong.1], &words[right.1]);
        let message = format!(
            "`{}` looks like a misspelling of `{}`, as this article writes it at line {}: spell a name the same way everywhere",
            w.text,
            r.text,
            src.line(a.body_offset + r.offset)
        );
        out.push(src.warning(a.body_offset + w.offset, "misspelt-name", message));
    }
    out
}

fn distance_of(a: &str, b: &str) -> usize {
    distance(&a.chars().collect::<Vec<_>>(), &b.chars().collect::<Vec<_>>())
}

/// A word with each doubled letter written once: `Appolonia` and
/// `Apollonia` are one slip apart, the doubling moved.
fn undoubled(word: &str) -> String {
    let mut out: Vec<char> = word.chars().collect();
    out.dedup();
    out.into_iter().collect()
}

/// A word with one letter dropped (two from 9 letters on), and itself,
/// each as a 64-bit hash of its letters (into `out`, each once): no string
/// is made for a key, and two words sharing a key are compared letter by
/// letter afterwards, so a collision can only add a pair to compare. The
/// first letter is never dropped.
fn deletion_keys(word: &str, out: &mut Vec<u64>) {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    // FNV-1a over the letters kept.
    let key = |skip: [usize; 2]| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (k, &c) in chars.iter().enumerate() {
            if k != skip[0] && k != skip[1] {
                h = (h ^ u64::from(u32::from(c))).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        h
    };
    out.clear();
    out.push(key([n, n]));
    for i in 1..n {
        out.push(key([i, n]));
        if n >= 9 {
            out.extend((i + 1..n).map(|j| key([i, j])));
        }
    }
    out.sort_unstable();
    out.dedup();
}

fn capital(w: &Word<'_>) -> bool {
    w.text.starts_with(char::is_uppercase)
}

/// Within the edit distance the length allows, but not the same, nor the
/// same with letters added or dropped at one end, nor a variant spelling
/// that only swaps vowels (`Miserlou`/`Misirlou`, `The Birds`/`The Byrds`).
/// A leading "The" is no part of the comparison: `The Vines` and `The
/// Kinks` are two short names, not one long one.
fn near_miss(seen: &str, want: &str, words: usize) -> bool {
    let (seen_letters, want_letters): (Vec<char>, Vec<char>) = (letters(seen).collect(), letters(want).collect());
    let seen = Spelling { text: seen, letters: &seen_letters };
    let want = Spelling { text: want, letters: &want_letters };
    near_miss_spelt(seen, want, words, &mut Vec::new())
}

/// A text as [`near_miss`] compares it: lowercase, with its [`letters`].
#[derive(Clone, Copy)]
struct Spelling<'a> {
    text: &'a str,
    letters: &'a [char],
}

/// [`near_miss`] with the letters of both made already: it runs for every
/// word and name, and allocates nothing but the distance's `scratch` table.
fn near_miss_spelt(seen: Spelling<'_>, want: Spelling<'_>, words: usize, scratch: &mut Vec<usize>) -> bool {
    // `letters` passes nothing of "the " over: its letters are the first four.
    if let (Some(s), Some(w)) = (seen.text.strip_prefix("the "), want.text.strip_prefix("the ")) {
        let seen = Spelling { text: s, letters: &seen.letters[4..] };
        let want = Spelling { text: w, letters: &want.letters[4..] };
        return near_miss_spelt(seen, want, words.saturating_sub(1), scratch);
    }
    let (seen, want) = (seen.letters, want.letters);
    let len = want.len();
    let limit = match len {
        0..5 => return false,
        5 if words <= 1 => return false,
        5..9 => 1,
        _ => 2,
    };
    // Most pairs differ in their first letter or their length: refused first.
    if seen.first() != want.first() || seen.len().abs_diff(len) > limit {
        return false;
    }
    if seen.starts_with(want) || want.starts_with(seen) || seen.ends_with(want) || want.ends_with(seen) {
        return false;
    }
    let vowel = |c: &char| "aeiouy".contains(*c);
    if seen.len() == want.len() && seen.iter().zip(want).all(|(x, y)| x == y || (vowel(x) && vowel(y))) {
        return false;
    }
    if letters_apart(seen, want) > limit {
        return false;
    }
    let d = distance_in(seen, want, scratch);
    d > 0 && d <= limit
}

/// How many letters one of `a` and `b` has that the other lacks, counted
/// with repeats, the larger of the two counts (0 when either holds a letter
/// beyond ASCII: then it tells nothing). No edit changes it by more than one
/// and swapping two letters not at all, so it never exceeds [`distance`]:
/// most pairs of different names are refused by it without the table.
fn letters_apart(a: &[char], b: &[char]) -> usize {
    let mut count = [0_i32; 128];
    for (chars, step) in [(a, 1), (b, -1)] {
        for &c in chars {
            match count.get_mut(c as usize) {
                Some(n) => *n += step,
                None => return 0,
            }
        }
    }
    let (more, fewer) = count.iter().fold((0, 0), |(more, fewer), &n| (more + n.max(0), fewer + (-n).max(0)));
    more.max(fewer) as usize
}

/// The letters [`near_miss`] compares: apostrophes and hyphens passed over.
fn letters(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter(|c| !matches!(c, '\'' | '-'))
}

/// The first letter [`near_miss`] compares (apostrophes and hyphens are
/// passed over): two names starting differently are never a near miss.
fn first_letter(s: &str) -> Option<char> {
    letters(s).next()
}

/// Damerau–Levenshtein distance (optimal string alignment).
fn distance(a: &[char], b: &[char]) -> usize {
    distance_in(a, b, &mut Vec::new())
}

/// [`distance`], its table in `d` (reused from call to call).
fn distance_in(a: &[char], b: &[char], d: &mut Vec<usize>) -> usize {
    let w = b.len() + 1;
    d.clear();
    d.resize((a.len() + 1) * w, 0);
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
    let mut seen: HashSet<&[String]> = HashSet::new();
    let mut out = Vec::new();
    for r in &a.rendered.references {
        let Some((slug, n)) = all.get_key_value(&r.slug) else { continue };
        for c in n.compared.get_or_init(|| compared(n)) {
            if seen.insert(&c.words) {
                out.push(Name { words: &c.words, joined: &c.joined, letters: &c.letters, shown: &c.shown, slug });
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
/// A name runs on across a line break or emphasis (`*Krush*\nGroove`), but
/// not across a block, a link or code. Neighbouring text events are read as
/// one (the parser splits text at a typographic apostrophe: `I` `’` `m`).
fn prose_words<'a>(body: &Body<'a>) -> Vec<Word<'a>> {
    let mut words = Vec::new();
    let mut code = false;
    // Whether only spaces, line breaks and emphasis lie since the last word.
    let mut clean = false;
    let mut run: Vec<(&str, std::ops::Range<usize>)> = Vec::new();
    for (event, range) in &body.events {
        if let Event::Text(t) = event
            && !code
        {
            run.push((t, range.clone()));
            continue;
        }
        if !run.is_empty() {
            clean = read_run(body.text, &std::mem::take(&mut run), clean, &mut words);
        }
        match event {
            Event::Start(Tag::CodeBlock(_)) => code = true,
            Event::End(TagEnd::CodeBlock) => code = false,
            Event::SoftBreak
            | Event::Start(Tag::Emphasis | Tag::Strong)
            | Event::End(TagEnd::Emphasis | TagEnd::Strong) => {}
            Event::Text(_) => {}
            _ => clean = false,
        }
    }
    if !run.is_empty() {
        read_run(body.text, &run, clean, &mut words);
    }
    words
}

/// The words of neighbouring text events, each at its offset in the
/// source: exact where an event's text is its source, else looked for in
/// it. Returns whether the run ends clean (in spaces, or a word).
fn read_run<'a>(
    source: &'a str,
    run: &[(&str, std::ops::Range<usize>)],
    clean: bool,
    words: &mut Vec<Word<'a>>,
) -> bool {
    let mut text = String::new();
    let mut starts = Vec::with_capacity(run.len());
    for (t, _) in run {
        starts.push(text.len());
        text.push_str(t);
    }
    // Whether each event's text is its source, decided once per event: asked
    // per word, a long paragraph would be compared whole at every word.
    let exact: Vec<bool> = run.iter().map(|(t, range)| source.get(range.clone()) == Some(*t)).collect();
    let mut segment = 0;
    let mut cursor = 0;
    let mut last_end: Option<usize> = None;
    for (at, end, w) in tokens(&text) {
        while segment + 1 < starts.len() && starts[segment + 1] <= at {
            segment += 1;
            cursor = 0;
        }
        let gap = &text[last_end.unwrap_or(0)..at];
        let joined = gap.chars().all(|c| c == ' ') && (last_end.is_some() || clean);
        last_end = Some(end);
        let (_, range) = &run[segment];
        let src = &source[range.clone()];
        let raw = &text[at..end];
        let offset = if exact[segment] {
            range.start + (at - starts[segment])
        } else if let Some(k) = src.get(cursor..).and_then(|s| s.find(raw)) {
            cursor += k + raw.len();
            range.start + cursor - raw.len()
        } else {
            range.start
        };
        // The word as the body writes it, when it does (a word may run over
        // events whose text is not their source).
        let written = source.get(offset..offset + raw.len()).filter(|s| *s == raw);
        let (text, lower) = match (written, w) {
            (Some(s), Cow::Borrowed(_)) => (Cow::Borrowed(s), fold_borrowed(s)),
            (Some(s), Cow::Owned(w)) => (Cow::Borrowed(s), Cow::Owned(fold(&w))),
            (None, w) => (Cow::Owned(raw.to_owned()), Cow::Owned(fold(&w))),
        };
        words.push(Word { text, lower, offset, joined });
    }
    match last_end {
        Some(e) => text[e..].chars().all(|c| c == ' '),
        None => clean && text.chars().all(|c| c == ' '),
    }
}

/// [`fold`], borrowing a word already in lowercase ASCII.
fn fold_borrowed(word: &str) -> Cow<'_, str> {
    if word.is_ascii() && !word.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(word.strip_suffix("'s").unwrap_or(word))
    } else {
        Cow::Owned(fold(word))
    }
}

/// A word as compared: lowercase, without a possessive `'s`.
fn fold(word: &str) -> String {
    let mut lower = if word.is_ascii() { word.to_ascii_lowercase() } else { word.to_lowercase() };
    if lower.ends_with("'s") {
        lower.truncate(lower.len() - 2);
    }
    lower
}

/// Words with their byte ranges: letters and digits, with apostrophes and
/// hyphens inside a word kept (`I’m`, `Run-DMC`) and made plain (`’` → `'`),
/// and `&` as a word of its own. A word is borrowed from `text` unless it
/// had a `’` to make plain.
fn tokens(text: &str) -> Vec<(usize, usize, Cow<'_, str>)> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == '&' {
            out.push((at, at + 1, Cow::Borrowed("&")));
            continue;
        }
        if !c.is_alphanumeric() {
            continue;
        }
        let mut end = at + c.len_utf8();
        let mut curly = false;
        while let Some(&(i, c)) = chars.peek() {
            let after = text[i + c.len_utf8()..].chars().next();
            let inner = matches!(c, '\'' | '’' | '-') && after.is_some_and(char::is_alphanumeric);
            if !(c.is_alphanumeric() || inner) {
                break;
            }
            curly |= c == '’';
            end = i + c.len_utf8();
            chars.next();
        }
        let word = &text[at..end];
        out.push((at, end, if curly { Cow::Owned(word.replace('’', "'")) } else { Cow::Borrowed(word) }));
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
    fn letters_apart_never_exceeds_the_distance() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        let words =
            ["krush groove", "kush groove", "debussy", "debussey", "apollonia", "appolonia", "abc", "cab", "", "é"];
        for a in words {
            for b in words {
                assert!(letters_apart(&chars(a), &chars(b)) <= distance(&chars(a), &chars(b)), "{a} {b}");
            }
        }
        assert_eq!(letters_apart(&chars("silver avalanche"), &chars("silver kingdom")), 8);
        assert_eq!(letters_apart(&chars("abc"), &chars("cab")), 0);
    }

    #[test]
    fn tokens_keep_inner_apostrophes_and_ampersands() {
        let t: Vec<String> = tokens("“I’m Not There” — Simon & Garfunkel's Run-DMC")
            .into_iter()
            .map(|(_, _, w)| w.into_owned())
            .collect();
        assert_eq!(t, ["I'm", "Not", "There", "Simon", "&", "Garfunkel's", "Run-DMC"]);
    }
}
