//! Findings: one thing wrong with one file, located like a compiler's
//! (`path:line:column: severity: message`) and carrying the source line it
//! is on, so a reader sees the defect without opening the file.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};

/// Errors stop an import (and publishing); warnings are reported only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One finding in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    #[serde(serialize_with = "path_text")]
    pub path: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based, counted in characters; 0 when `line` is 0.
    pub column: usize,
    pub severity: Severity,
    /// A short, stable kebab-case id of the kind of finding (`mojibake`).
    pub code: &'static str,
    pub message: String,
    /// The offending line, trimmed and shortened, control characters shown.
    pub excerpt: String,
    /// Where a caret goes under `excerpt` (0-based characters), when a plain
    /// terminal can draw it in the right place.
    #[serde(skip)]
    pub caret: Option<usize>,
}

fn path_text<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string_lossy())
}

impl Problem {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The excerpt and a caret line under the column, indented for a
    /// terminal; empty for a problem with no line.
    pub fn snippet(&self) -> String {
        if self.excerpt.is_empty() {
            return String::new();
        }
        match self.caret {
            Some(c) => format!("    | {}\n    | {}^", self.excerpt, " ".repeat(c)),
            None => format!("    | {}", self.excerpt),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (path, sev) = (self.path.display(), self.severity.as_str());
        if self.line > 0 {
            write!(f, "{path}:{}:{}: {sev}: {}", self.line, self.column, self.message)
        } else {
            write!(f, "{path}: {sev}: {}", self.message)
        }
    }
}

/// A file being checked: turns byte offsets into located problems.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl<'a> Source<'a> {
    pub fn new(path: &'a Path, text: &'a str) -> Self {
        Self { path, text }
    }

    pub fn error(&self, offset: usize, code: &'static str, message: impl Into<String>) -> Problem {
        self.at(offset, Severity::Error, code, message)
    }

    pub fn warning(&self, offset: usize, code: &'static str, message: impl Into<String>) -> Problem {
        self.at(offset, Severity::Warning, code, message)
    }

    /// A problem at byte `offset` (clamped to the text, moved back to a
    /// character boundary).
    pub fn at(&self, offset: usize, severity: Severity, code: &'static str, message: impl Into<String>) -> Problem {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[offset..].find('\n').map_or(self.text.len(), |i| offset + i);
        let line = self.text[..start].bytes().filter(|&b| b == b'\n').count() + 1;
        let column = self.text[start..offset].chars().count();
        let (excerpt, caret) = excerpt(self.text[start..end].trim_end_matches('\r'), column);
        Problem {
            path: self.path.to_path_buf(),
            line,
            column: column + 1,
            severity,
            code,
            message: message.into(),
            excerpt,
            caret,
        }
    }

    /// A problem about the whole file, not a place in it.
    pub fn whole(&self, severity: Severity, code: &'static str, message: impl Into<String>) -> Problem {
        Problem {
            path: self.path.to_path_buf(),
            line: 0,
            column: 0,
            severity,
            code,
            message: message.into(),
            excerpt: String::new(),
            caret: None,
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.text.bytes().take(offset).filter(|&b| b == b'\n').count() + 1
    }

    /// Byte offset of the first non-blank character of a 1-based line (the
    /// line's end if it is blank; the text's end past the last line).
    pub fn line_offset(&self, line: usize) -> usize {
        let mut offset = 0;
        for (i, l) in self.text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                return offset + (l.len() - l.trim_start().len()).min(l.trim_end().len());
            }
            offset += l.len();
        }
        self.text.len()
    }
}

/// Longest excerpt shown, in characters.
const EXCERPT_WIDTH: usize = 100;

/// The line around `column` (0-based characters): leading and trailing blanks
/// cut, a window of [`EXCERPT_WIDTH`] characters around the column on long
/// lines, control characters drawn as visible symbols.
fn excerpt(line: &str, column: usize) -> (String, Option<usize>) {
    let chars: Vec<char> = line.chars().collect();
    let column = column.min(chars.len());
    let mut start = chars.iter().take_while(|c| c.is_whitespace()).count().min(column);
    let mut end = chars.len();
    while end > column + 1 && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    let (mut before, mut after) = (false, false);
    if end - start > EXCERPT_WIDTH {
        let to = (column.saturating_sub(EXCERPT_WIDTH / 3).max(start) + EXCERPT_WIDTH).min(end);
        let from = to - EXCERPT_WIDTH;
        (before, after) = (from > start, to < end);
        (start, end) = (from, to);
    }
    let shown: String = chars[start..end].iter().map(|&c| visible(c)).collect();
    let text = format!("{}{shown}{}", if before { "…" } else { "" }, if after { "…" } else { "" });
    let caret = column - start + usize::from(before);
    let lead = &chars[start..column.min(end)];
    let drawable = lead.iter().all(|&c| narrow(c)) && !chars[start..end].iter().any(|&c| right_to_left(c));
    (text, drawable.then_some(caret))
}

/// Control characters as the symbols that stand for them (U+2400 block), a
/// tab as a space, so an excerpt never moves a terminal's cursor.
fn visible(c: char) -> char {
    match c {
        '\t' => ' ',
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        '\u{80}'..='\u{9f}' => '\u{fffd}',
        c => c,
    }
}

/// One terminal cell wide and drawn left to right: the scripts a caret can
/// be lined up under by counting characters.
fn narrow(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{2ff}' | '\u{370}'..='\u{58f}' | '\u{1e00}'..='\u{200a}' | '\u{2010}'..='\u{2027}'
        | '\u{2030}'..='\u{205e}' | '\u{2070}'..='\u{23ff}')
}

/// Hebrew, Arabic and their neighbours: a terminal reorders them.
fn right_to_left(c: char) -> bool {
    matches!(c, '\u{590}'..='\u{8ff}' | '\u{fb1d}'..='\u{fdff}' | '\u{fe70}'..='\u{feff}' | '\u{200f}' | '\u{202b}'
        | '\u{202e}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_offsets_by_line_and_character_column() {
        let text = "first\n  se\u{e7}ond \u{1}x\r\nthird";
        let src = Source::new(Path::new("a.md"), text);
        let p = src.error(text.find('\u{1}').unwrap_or_default(), "control-char", "bad");
        assert_eq!((p.line, p.column), (2, 10));
        assert_eq!(p.excerpt, "se\u{e7}ond \u{2401}x");
        assert_eq!(p.caret, Some(7));
        assert_eq!(p.to_string(), "a.md:2:10: error: bad");
        assert_eq!(p.snippet(), "    | se\u{e7}ond \u{2401}x\n    |        ^");
        assert_eq!(src.line_offset(2), 8);
        assert_eq!(src.whole(Severity::Warning, "x", "y").to_string(), "a.md: warning: y");
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = format!("{}TARGET{}", "a".repeat(300), "b".repeat(300));
        let src = Source::new(Path::new("a.md"), &line);
        let p = src.warning(300, "x", "y");
        assert!(p.excerpt.starts_with('…') && p.excerpt.ends_with('…'), "{}", p.excerpt);
        let caret = p.caret.unwrap_or_default();
        assert_eq!(p.excerpt.chars().skip(caret).take(6).collect::<String>(), "TARGET");
        let rtl = Source::new(Path::new("a.md"), "\u{5e9}\u{5dc}\u{5d5}\u{5dd} x");
        assert_eq!(rtl.warning(9, "x", "y").caret, None);
    }
}
