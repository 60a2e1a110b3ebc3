//! Character-level defects, over a file's whole text: mojibake (UTF-8 that
//! was read as Windows-1252 and saved again, `””` where a dash was, `�`),
//! control characters, and spam tokens from the shared blocklist.

use crate::blocklist::{self, Severity as Block};
use crate::content::{Problem, Source};

/// Every character-level finding of a file.
pub(super) fn check(src: &Source<'_>) -> Vec<Problem> {
    let chars: Vec<(usize, char)> = src.text.char_indices().collect();
    let mut out = Vec::new();
    let (mut garbled, mut controls) = (Capped::default(), Capped::default());
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if let Some((len, message)) = mojibake(&chars[i..]) {
            garbled.push(&mut out, at, || src.error(at, "mojibake", message));
            i += len;
            continue;
        }
        if control(c) {
            // A run of one control character is one finding: a file of NUL
            // bytes is one defect, not a million.
            let run = chars[i..].iter().take_while(|&&(_, d)| d == c).count();
            let what = if run == 1 { String::new() } else { format!(" ({run} in a row)") };
            let message = format!("control character {}{what}: delete it", describe(c));
            controls.push(&mut out, at, || src.error(at, "control-char", message));
            i += run;
            continue;
        }
        i += 1;
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

/// Whether `chars` starts with mojibake: how many characters it spans, and
/// what to tell the editor.
fn mojibake(chars: &[(usize, char)]) -> Option<(usize, String)> {
    let c = |i: usize| chars.get(i).map(|&(_, c)| c);
    match (c(0)?, c(1)) {
        ('\u{201d}', Some('\u{201d}')) => {
            return Some((2, "mojibake: a doubled closing quote `””` is what an em dash (—) turns into through a bad conversion; write — (or a single quote)".into()));
        }
        ('\u{fffd}', _) => {
            return Some((1, "mojibake: `\u{fffd}` marks characters lost in a conversion; retype them".into()));
        }
        _ => {}
    }
    let lead = cp1252_byte(c(0)?)?;
    let n = match lead {
        0xc2..=0xdf => 1,
        0xe0..=0xef => 2,
        0xf0..=0xf4 => 3,
        _ => return None,
    };
    let mut bytes = vec![lead];
    for i in 1..=n {
        match c(i).and_then(cp1252_byte) {
            Some(b @ 0x80..=0xbf) => bytes.push(b),
            _ if lead == 0xe2 && i == 2 && bytes == [0xe2, 0x80] => {
                let message = "mojibake: `â€` is the start of a quote, dash or ellipsis garbled by a wrong encoding; retype the punctuation";
                return Some((2, message.into()));
            }
            _ => return None,
        }
    }
    let decoded = std::str::from_utf8(&bytes).ok()?.chars().next()?;
    if !plausible(decoded, n) || punctuated(lead, &chars[1..=n]) {
        return None;
    }
    let seen: String = chars[..=n].iter().map(|&(_, c)| c).collect();
    Some((
        n + 1,
        format!(
            "mojibake: `{seen}` is `{decoded}` saved as UTF-8 and read back as Windows-1252; replace it with `{decoded}`"
        ),
    ))
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
fn punctuated(lead: u8, rest: &[(usize, char)]) -> bool {
    const TYPOGRAPHIC: [char; 12] = ['‘', '’', '“', '”', '–', '—', '…', '•', '‚', '„', '‹', '›'];
    !matches!(lead, 0xc2 | 0xc3 | 0xe2) && rest.iter().all(|(_, c)| TYPOGRAPHIC.contains(c))
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
