//! Findings: one thing wrong with one file, located like a compiler's
//! (`path:line:column: severity: message`) and carrying the source line it
//! is on, so a reader sees the defect without opening the file.

use std::cell::{Cell, OnceCell};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

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
    /// Shared by every finding of its file.
    #[serde(serialize_with = "path_text")]
    pub path: Arc<Path>,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based, counted in characters; 0 when `line` is 0.
    pub column: usize,
    pub severity: Severity,
    /// A short, stable kebab-case id of the kind of finding (`mojibake`).
    pub code: &'static str,
    pub message: String,
    /// The offending line, trimmed and shortened, control characters shown.
    pub excerpt: Excerpt,
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
        let Some((excerpt, caret)) = self.excerpt.render() else { return String::new() };
        match caret {
            Some(c) => format!("    | {excerpt}\n    | {}^", " ".repeat(c)),
            None => format!("    | {excerpt}"),
        }
    }

    /// Where a caret goes under the excerpt (0-based characters), when a
    /// plain terminal can draw it in the right place.
    pub fn caret(&self) -> Option<usize> {
        self.excerpt.render().and_then(|(_, caret)| caret)
    }
}

/// The line a finding is on, kept as offsets into the file's text (shared by
/// every finding of the file) and made into text only when it is shown: a
/// file with a million findings that nobody prints costs no excerpt.
#[derive(Clone, Default)]
pub struct Excerpt(Option<Located>);

#[derive(Clone)]
struct Located {
    text: Arc<str>,
    /// The line's byte range, without its line ending (`end` reaches the
    /// offset at least).
    start: usize,
    end: usize,
    offset: usize,
    /// The offset's 0-based character column in its line.
    column: usize,
}

impl Excerpt {
    /// The excerpt's text and where its caret goes; `None` for a finding
    /// about the whole file.
    fn render(&self) -> Option<(String, Option<usize>)> {
        let l = self.0.as_ref()?;
        let (text, caret) = excerpt(&l.text, l.start, l.end, l.offset, l.column);
        (!text.is_empty()).then_some((text, caret))
    }

    /// The excerpt's text: empty for a finding about the whole file.
    pub fn text(&self) -> String {
        self.render().map(|(text, _)| text).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.render().is_none()
    }
}

impl fmt::Display for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl fmt::Debug for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text(), f)
    }
}

/// Two excerpts are equal when they show the same: text and caret.
impl PartialEq for Excerpt {
    fn eq(&self, other: &Self) -> bool {
        self.render() == other.render()
    }
}

impl Eq for Excerpt {}

impl PartialEq<str> for Excerpt {
    fn eq(&self, other: &str) -> bool {
        self.text() == other
    }
}

impl PartialEq<&str> for Excerpt {
    fn eq(&self, other: &&str) -> bool {
        self.text() == *other
    }
}

impl Serialize for Excerpt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
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
///
/// Locating must stay linear however many findings a file has: the line
/// starts are indexed once (on first use) and looked up by binary search, and
/// the character column is counted on from the previous finding when it is
/// further along the same line (checks report in order), so a long line
/// full of findings is not recounted from its start each time. Excerpts are
/// not made here: each finding keeps its place in one shared copy of the
/// text, made on the first finding.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    /// Byte offset of the start of every line.
    lines: OnceCell<Vec<usize>>,
    /// The text, shared by the excerpts of every finding.
    shared: OnceCell<Arc<str>>,
    /// The path, shared by every finding.
    shared_path: OnceCell<Arc<Path>>,
    /// The last located `(offset, column)`, to count on from.
    last: Cell<(usize, usize)>,
}

impl<'a> Source<'a> {
    pub fn new(path: &'a Path, text: &'a str) -> Self {
        Self {
            path,
            text,
            lines: OnceCell::new(),
            shared: OnceCell::new(),
            shared_path: OnceCell::new(),
            last: Cell::new((0, 0)),
        }
    }

    /// The file's path, one copy for all its findings.
    fn path(&self) -> Arc<Path> {
        Arc::clone(self.shared_path.get_or_init(|| Arc::from(self.path)))
    }

    pub fn error(&self, offset: usize, code: &'static str, message: impl Into<String>) -> Problem {
        self.at(offset, Severity::Error, code, message)
    }

    pub fn warning(&self, offset: usize, code: &'static str, message: impl Into<String>) -> Problem {
        self.at(offset, Severity::Warning, code, message)
    }

    /// Line starts: after every `\n`, and after a `\r` not followed by one
    /// (old Mac files end lines with CR alone, and Markdown reads it so).
    fn starts(&self) -> &[usize] {
        self.lines.get_or_init(|| {
            let bytes = self.text.as_bytes();
            let ends = bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count();
            let mut starts = Vec::with_capacity(ends + 1);
            starts.push(0);
            for (i, &b) in bytes.iter().enumerate() {
                if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                    starts.push(i + 1);
                }
            }
            starts
        })
    }

    /// 0-based line index of a byte offset, and its line's byte range
    /// (without the line ending).
    fn locate(&self, offset: usize) -> (usize, usize, usize) {
        let starts = self.starts();
        let i = starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = starts[i];
        let end = starts.get(i + 1).map_or(self.text.len(), |&next| next);
        let line = &self.text.as_bytes()[start..end];
        let trimmed = line.len() - line.iter().rev().take_while(|&&b| b == b'\n' || b == b'\r').count();
        (i, start, start + trimmed)
    }

    /// A problem at byte `offset` (clamped to the text, moved back to a
    /// character boundary).
    pub fn at(&self, offset: usize, severity: Severity, code: &'static str, message: impl Into<String>) -> Problem {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (index, start, end) = self.locate(offset);
        let (last_offset, last_column) = self.last.get();
        let column = if last_offset >= start && last_offset <= offset {
            last_column + self.text[last_offset..offset].chars().count()
        } else {
            self.text[start..offset].chars().count()
        };
        self.last.set((offset, column));
        let text = Arc::clone(self.shared.get_or_init(|| Arc::from(self.text)));
        let excerpt = Excerpt(Some(Located { text, start, end: end.max(offset), offset, column }));
        Problem {
            path: self.path(),
            line: index + 1,
            column: column + 1,
            severity,
            code,
            message: message.into(),
            excerpt,
        }
    }

    /// A problem about the whole file, not a place in it.
    pub fn whole(&self, severity: Severity, code: &'static str, message: impl Into<String>) -> Problem {
        Problem {
            path: self.path(),
            line: 0,
            column: 0,
            severity,
            code,
            message: message.into(),
            excerpt: Excerpt::default(),
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.locate(offset.min(self.text.len())).0 + 1
    }

    /// Byte offset of the first non-blank character of a 1-based line (the
    /// line's end if it is blank; the text's end past the last line).
    pub fn line_offset(&self, line: usize) -> usize {
        let Some(&start) = line.checked_sub(1).and_then(|i| self.starts().get(i)) else { return self.text.len() };
        let (_, _, end) = self.locate(start);
        let l = &self.text[start..end];
        start + (l.len() - l.trim_start().len())
    }
}

/// Longest excerpt shown, in characters.
const EXCERPT_WIDTH: usize = 100;

/// The line `text[start..end]` around byte `offset` (at character `column`
/// of the line): leading and trailing blanks cut, a window of
/// [`EXCERPT_WIDTH`] characters around the column on long lines, control
/// characters drawn as visible symbols. Only a window of bytes around the
/// offset is read, so a megabyte-long line costs no more than a short one.
fn excerpt(text: &str, start: usize, end: usize, offset: usize, column: usize) -> (String, Option<usize>) {
    // Four bytes per character at most: this window holds every character shown.
    let reach = EXCERPT_WIDTH * 4;
    let mut from = offset.saturating_sub(reach).max(start);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let mut to = (offset + reach).min(end);
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    let cut_before = from > start;
    let cut_after = to < end;
    let chars: Vec<char> = text[from..to].chars().collect();
    let skipped = column - text[from..offset].chars().count();
    let column = column - skipped;
    let column = column.min(chars.len());
    let mut start = if cut_before { 0 } else { chars.iter().take_while(|c| c.is_whitespace()).count().min(column) };
    let mut end = chars.len();
    if !cut_after {
        while end > column + 1 && chars[end - 1].is_whitespace() {
            end -= 1;
        }
    }
    let (mut before, mut after) = (cut_before, cut_after);
    if end - start > EXCERPT_WIDTH {
        let to = (column.saturating_sub(EXCERPT_WIDTH / 3).max(start) + EXCERPT_WIDTH).min(end);
        let from = to - EXCERPT_WIDTH;
        (before, after) = (before || from > start, after || to < end);
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
        assert_eq!(p.caret(), Some(7));
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
        let excerpt = p.excerpt.text();
        assert!(excerpt.starts_with('…') && excerpt.ends_with('…'), "{excerpt}");
        let caret = p.caret().unwrap_or_default();
        assert_eq!(excerpt.chars().skip(caret).take(6).collect::<String>(), "TARGET");
        let rtl = Source::new(Path::new("a.md"), "\u{5e9}\u{5dc}\u{5d5}\u{5dd} x");
        assert_eq!(rtl.warning(9, "x", "y").caret(), None);
    }
}
