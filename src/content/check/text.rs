//! Character-level defects, over a file's whole text: mojibake (UTF-8 that
//! was read as Windows-1252 and saved again, `””` where a dash was, `�`),
//! control characters, and spam tokens from the shared blocklist.

use crate::blocklist::{self, Severity as Block};
use crate::content::{Problem, Source};

/// Every character-level finding of a file.
///
/// One pass over the bytes: printable ASCII (most of any file) starts no
/// finding and is stepped over; other characters are decoded where they
/// stand. Messages are written only for the findings shown.
pub(super) fn check(src: &Source<'_>) -> Vec<Problem> {
    let text = src.text;
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut garbled, mut controls) = (Capped::default(), Capped::default());
    let mut at = 0;
    while at < bytes.len() {
        if matches!(bytes[at], 0x20..=0x7e | b'\t' | b'\n' | b'\r') {
            at += 1;
            continue;
        }
        let rest = &text[at..];
        if let Some((len, garble)) = mojibake(rest) {
            garbled.push(&mut out, at, || src.error(at, "mojibake", garble.message()));
            at += len;
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        if control(c) {
            // A run of one control character is one finding: a file of NUL
            // bytes is one defect, not a million.
            let run = rest.chars().take_while(|&d| d == c).count();
            controls.push(&mut out, at, || {
                let what = if run == 1 { String::new() } else { format!(" ({run} in a row)") };
                src.error(at, "control-char", format!("control character {}{what}: delete it", describe(c)))
            });
            at += run * c.len_utf8();
            continue;
        }
        at += c.len_utf8();
    }
    garbled.finish(&mut out, src, "mojibake");
    controls.finish(&mut out, src, "control-char");
    for hit in blocklist::scan(src.text).into_iter().filter(|h| h.severity == Block::Spam) {
        let message = format!("spam token `{}` (a blocklisted site name): remove it", &src.text[hit.start..hit.end]);
        out.push(src.warning(hit.start, "spam", message));
    }
    out
}

/// Findings of one code shown per file: past this, a garbled file is one
/// note with a count, not a million lines an editor will not read (nor a
/// million excerpts held in memory).
const MAX_PER_CODE: usize = 1000;

/// Findings of one code, capped at [`MAX_PER_CODE`]: the rest are counted
/// from the first one left out.
#[derive(Default)]
struct Capped {
    shown: usize,
    more: Option<(usize, usize)>,
}

impl Capped {
    fn push(&mut self, out: &mut Vec<Problem>, at: usize, make: impl FnOnce() -> Problem) {
        if self.shown < MAX_PER_CODE {
            self.shown += 1;
            out.push(make());
        } else {
            self.more.get_or_insert((at, 0)).1 += 1;
        }
    }

    fn finish(self, out: &mut Vec<Problem>, src: &Source<'_>, code: &'static str) {
        if let Some((at, more)) = self.more {
            let message = format!(
                "{more} more `{code}` findings in this file from here on, not shown one by one: fix the file's encoding as a whole"
            );
            out.push(src.error(at, code, message));
        }
    }
}

/// What kind of mojibake was found; its message is written only when shown.
enum Garble<'a> {
    /// `””` where a dash was.
    DoubledQuote,
    /// `�`.
    Replacement,
    /// `â€` before something that is no continuation byte.
    CutPunctuation,
    /// `seen` is `decoded` saved as UTF-8 and read back as Windows-1252.
    Decoded { seen: &'a str, decoded: char },
}

impl Garble<'_> {
    fn message(&self) -> String {
        match self {
            Garble::DoubledQuote => "mojibake: a doubled closing quote `””` is what an em dash (—) turns into through a bad conversion; write — (or a single quote)".into(),
            Garble::Replacement => "mojibake: `\u{fffd}` marks characters lost in a conversion; retype them".into(),
            Garble::CutPunctuation => "mojibake: `â€` is the start of a quote, dash or ellipsis garbled by a wrong encoding; retype the punctuation".into(),
            Garble::Decoded { seen, decoded } => format!(
                "mojibake: `{seen}` is `{decoded}` saved as UTF-8 and read back as Windows-1252; replace it with `{decoded}`"
            ),
        }
    }
}

/// Whether `text` starts with mojibake: how many bytes it spans, and what
/// it is.
fn mojibake(text: &str) -> Option<(usize, Garble<'_>)> {
    // The first four characters, with the byte offset each ends at.
    let mut chars = [('\0', 0usize); 4];
    let mut count = 0;
    for (i, c) in text.char_indices().take(4) {
        chars[count] = (c, i + c.len_utf8());
        count += 1;
    }
    let c = |i: usize| (i < count).then(|| chars[i].0);
    let end = |i: usize| chars[i].1;
    match (c(0)?, c(1)) {
        ('\u{201d}', Some('\u{201d}')) => return Some((end(1), Garble::DoubledQuote)),
        ('\u{fffd}', _) => return Some((end(0), Garble::Replacement)),
        _ => {}
    }
    let lead = cp1252_byte(c(0)?)?;
    let n = match lead {
        0xc2..=0xdf => 1,
        0xe0..=0xef => 2,
        0xf0..=0xf4 => 3,
        _ => return None,
    };
    let mut bytes = [lead, 0, 0, 0];
    for i in 1..=n {
        match c(i).and_then(cp1252_byte) {
            Some(b @ 0x80..=0xbf) => bytes[i] = b,
            _ if lead == 0xe2 && i == 2 && bytes[1] == 0x80 => return Some((end(1), Garble::CutPunctuation)),
            _ => return None,
        }
    }
    let decoded = std::str::from_utf8(&bytes[..=n]).ok()?.chars().next()?;
    if !plausible(decoded, n) || punctuated(lead, &chars[1..=n]) {
        return None;
    }
    Some((end(n), Garble::Decoded { seen: &text[..end(n)], decoded }))
}

/// What a double-encoded sequence of `n` continuation bytes can decode to in
/// text about film music: accented Latin, Greek, Cyrillic, Hebrew and Arabic
/// letters, punctuation and symbols, emoji. Anything else is more likely a
/// real capital letter next to a real quote (`CAFÉ’S`).
fn plausible(c: char, n: usize) -> bool {
    match n {
        1 => matches!(c, '\u{a0}'..='\u{17f}' | '\u{370}'..='\u{4ff}' | '\u{5d0}'..='\u{5ea}' | '\u{620}'..='\u{64a}'),
        _ => true,
    }
}

/// A real accented letter followed by real typographic punctuation
/// (`BLÅ”`, `GUÐ”`, `PERÒ—`, `cliché…`, `touché—”`), which reads as a lead
/// byte and continuation bytes too. Only `Â` and `Ã` (the leads of Latin-1's
/// own letters, by far the most common mojibake: `Ã”` for `Ô`) and `â` (the
/// lead of every garbled quote and dash) are trusted before punctuation.
fn punctuated(lead: u8, rest: &[(char, usize)]) -> bool {
    const TYPOGRAPHIC: [char; 12] = ['‘', '’', '“', '”', '–', '—', '…', '•', '‚', '„', '‹', '›'];
    !matches!(lead, 0xc2 | 0xc3 | 0xe2) && rest.iter().all(|(c, _)| TYPOGRAPHIC.contains(c))
}

/// The byte Windows-1252 (Latin-1 for its five holes) writes for `c`.
fn cp1252_byte(c: char) -> Option<u8> {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match u32::from(c) {
        n @ (0..=0x7f | 0xa0..=0xff) => u8::try_from(n).ok(),
        n @ 0x80..=0x9f => u8::try_from(n).ok(),
        _ => HIGH.iter().position(|&h| h == c).and_then(|i| u8::try_from(0x80 + i).ok()),
    }
}

fn control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

fn describe(c: char) -> String {
    let name = match c {
        '\0' => " (NUL)",
        '\u{7}' => " (bell)",
        '\u{8}' => " (backspace)",
        '\u{b}' => " (vertical tab)",
        '\u{c}' => " (form feed)",
        '\u{1b}' => " (escape)",
        '\u{7f}' => " (delete)",
        '\u{80}'..='\u{9f}' => " (C1)",
        _ => "",
    };
    format!("U+{:04X}{name}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn codes(text: &str) -> Vec<(usize, &'static str)> {
        check(&Source::new(Path::new("a.md"), text)).iter().map(|p| (p.column, p.code)).collect()
    }

    #[test]
    fn finds_double_encoding_and_its_fix() {
        let p = check(&Source::new(Path::new("a.md"), "It\u{e2}\u{20ac}\u{2122}s caf\u{c3}\u{a9}"));
        assert_eq!(p.iter().map(|p| (p.column, p.code)).collect::<Vec<_>>(), [(3, "mojibake"), (11, "mojibake")]);
        assert!(p[0].message.contains("replace it with `\u{2019}`"), "{}", p[0].message);
        assert!(p[1].message.contains("`\u{e9}`"), "{}", p[1].message);
        assert_eq!(codes("music\u{201d}\u{201d}they"), [(6, "mojibake")]);
        assert_eq!(codes("an em dash \u{e2}\u{20ac}\u{201d} here"), [(12, "mojibake")]);
        assert_eq!(codes("lost \u{e2}\u{20ac} byte"), [(6, "mojibake")]);
        assert_eq!(codes("\u{f0}\u{178}\u{17d}\u{b5} emoji"), [(1, "mojibake")]);
    }

    #[test]
    fn leaves_real_text_alone() {
        let real = "Björk’s “All Is Full of Love” — CAFÉ’S “déjà vu”… Sigur Rós, São Paulo, AÑO, «Ça va» \
                    שלום עולם, مرحبا بالعالم, Ελληνικά, Кино, 日本語, 🎬🎵👩🏽‍🎤, ½ × ©, tab\there\r\n";
        assert_eq!(codes(real), []);
    }

    #[test]
    fn finds_control_characters_and_spam() {
        assert_eq!(
            codes("a\u{0}b\u{7}c\u{85}d\u{7f}"),
            [(2, "control-char"), (4, "control-char"), (6, "control-char"), (8, "control-char")]
        );
        assert_eq!(codes("leaving a LK21 mark"), [(11, "spam")]);
        assert_eq!(codes("cheap viagra"), [], "hold phrases are for comments");
    }
}
