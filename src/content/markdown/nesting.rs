//! How deeply Markdown nests, and keeping it within bounds.
//!
//! pulldown-cmark parses in linear time, but what it produces can nest as
//! deeply as the input asks (50 KB of `>` is 50,000 nested quotes), and the
//! HTML parser under ammonia spends time on every element in proportion to
//! how many are open around it: sanitising such a page is quadratic and took
//! a worker for seconds. Every Markdown path therefore goes through one
//! [`Tracker`] over the parser's events: [`scan`] reports where a text first
//! nests past the limits (the comment form refuses it, the content check
//! makes it an error), and [`flatten`] drops the tags beyond them, keeping
//! their text, so that rendering anything at all stays linear and its output
//! a small multiple of the input.
//!
//! The sanitiser's serialiser has a quadratic path of its own: for every
//! `&` or character from U+0080 to U+00BF (`©`, `°`, `½`...) in a text
//! node or attribute, it searches on for `<` or `>` to the end of that
//! text (html5ever 0.40 `write_escaped`), so a paragraph of 500,000 `©`
//! took minutes. [`pieces`] cuts long runs of text into text nodes of at
//! most [`TEXT_PIECE`] bytes with empty HTML comments (which the sanitiser
//! drops, leaving the nodes apart), and [`flatten`] shows as text any link
//! whose address or title is longer than [`MAX_URL`].

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag};

/// Quotes, lists and footnotes inside one another. Real writing stops at
/// three or four (a quoted list inside a list); 16 leaves ample room.
pub const MAX_BLOCK_DEPTH: usize = 16;
/// Emphasis, strong, strikethrough, links and images inside one another.
/// Nobody writes more than a few; 32 lets any sane combination through.
pub const MAX_INLINE_DEPTH: usize = 32;
/// Elements left open by raw HTML (articles only; comments show HTML as
/// text). A table of divs in a figure is under ten; 32 is generous.
pub const MAX_HTML_DEPTH: usize = 32;

/// Longest run of text the sanitiser is given as one text node.
pub const TEXT_PIECE: usize = 256;
/// Longest link or image address (or title) kept as a link: browsers and
/// servers refuse far shorter URLs than the sanitiser would take quadratic
/// time over.
pub const MAX_URL: usize = 2048;
/// What [`pieces`] puts between two pieces of one text.
pub const MARK: &str = "<!---->";

/// What nests too deeply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Quotes, lists, footnotes.
    Block,
    /// Emphasis, links, images.
    Inline,
    /// Raw HTML elements.
    Html,
}

impl Kind {
    /// The limit for this kind.
    pub fn limit(self) -> usize {
        match self {
            Kind::Block => MAX_BLOCK_DEPTH,
            Kind::Inline => MAX_INLINE_DEPTH,
            Kind::Html => MAX_HTML_DEPTH,
        }
    }

    /// What this kind is called in a message.
    pub fn what(self) -> &'static str {
        match self {
            Kind::Block => "quotes and lists",
            Kind::Inline => "emphasis and links",
            Kind::Html => "HTML elements",
        }
    }
}

/// Where a text first nests past a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Excess {
    pub kind: Kind,
    /// Byte offset in the text of the element that crosses the limit.
    pub offset: usize,
    /// Its 1-based line.
    pub line: usize,
}

impl Excess {
    /// A sentence for a writer: what, how deep is allowed, and where.
    pub fn message(&self) -> String {
        format!(
            "{} nest more than {} levels deep here (line {}); keep them shallower",
            self.kind.what(),
            self.kind.limit(),
            self.line
        )
    }
}

/// How deeply a text nests, and where it first goes too deep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Nesting {
    /// The deepest block nesting, counted up to one past the limit.
    pub block: usize,
    /// The deepest inline nesting, counted up to one past the limit.
    pub inline: usize,
    /// The deepest raw HTML nesting, counted up to one past the limit.
    pub html: usize,
    pub excess: Option<Excess>,
}

/// Scans `text` as parsed with `options`: one pass of the (linear) parser,
/// nothing rendered.
pub fn scan(text: &str, options: Options) -> Nesting {
    scan_events(text, Parser::new_ext(text, options).into_offset_iter())
}

/// [`scan`] over events already made from `text` (a renderer's own stream,
/// such as comments', which turns raw HTML into text first).
pub fn scan_events<'a>(text: &str, events: impl Iterator<Item = (Event<'a>, Range<usize>)>) -> Nesting {
    let mut tracker = Tracker::new(text.len());
    let mut first: Option<(Kind, usize)> = None;
    for (event, range) in events {
        let (_, refused) = tracker.step(event, &range);
        if first.is_none() {
            first = refused;
        }
    }
    let excess = first.map(|(kind, offset)| Excess { kind, offset, line: line_of(text, offset) });
    Nesting { block: tracker.deepest.0, inline: tracker.deepest.1, html: tracker.deepest.2, excess }
}

/// The parser's events with every tag past the limits dropped (its text is
/// kept), raw HTML past [`MAX_HTML_DEPTH`] turned into text, reference
/// links turned into text once their expansions add up to more than the
/// input's own length (`[a]` repeated, `[a]` defined as a long URL, would
/// otherwise multiply the output), and table cells dropped past one per
/// input byte. `input_len` is the text's length.
///
/// The cells: the parser fills every short row of a table up to its
/// header's width with empty cells (up to 2^18 a table), so a 3 KB table of
/// 256 columns and a thousand one-character rows is 2.4 MB of `<td></td>`,
/// and a megabyte of such tables most of a gigabyte. Only cells filled in
/// (they stand on no text) count; cells written in the text are all kept.
pub fn flatten<'a, I>(events: I, input_len: usize) -> impl Iterator<Item = (Event<'a>, Range<usize>)>
where
    I: Iterator<Item = (Event<'a>, Range<usize>)>,
{
    let mut tracker = Tracker::new(input_len);
    events.filter_map(move |(event, range)| tracker.step(event, &range).0.map(|e| (e, range)))
}

/// Table cells the parser may fill in, per byte of the table's own text,
/// before the table is shown as text instead (see [`guard_tables`]).
pub const MAX_TABLE_FILL: usize = 8;

/// `text` with every table that the parser would fill in beyond
/// [`MAX_TABLE_FILL`] cells a byte made plain text, by changing one `-` of
/// its delimiter row to `~` (same length, so every offset still holds).
///
/// The parser fills each short row up to the header's width before any
/// event comes out (up to 2^18 cells a table, held in memory): a megabyte
/// of 256-column tables with one-character rows was 89 million cells, 4 GB
/// and minutes. A table as people write it has a byte or more per cell.
/// One pass over the lines, whatever they hold.
pub fn guard_tables(text: &str) -> std::borrow::Cow<'_, str> {
    let lines: Vec<(usize, &str)> = text
        .split_inclusive('\n')
        .scan(0, |at, line| {
            let start = *at;
            *at += line.len();
            Some((start, line))
        })
        .collect();
    // For each line, where its run of non-blank lines ends, and how long the
    // run is from there on: filled backwards, so the pass stays linear.
    let mut run_end = vec![0; lines.len() + 1];
    run_end[lines.len()] = lines.len();
    for (i, (_, line)) in lines.iter().enumerate().rev() {
        run_end[i] = if line.trim().is_empty() { i } else { run_end[i + 1] };
    }
    let mut breaks = Vec::new();
    for (i, (start, line)) in lines.iter().enumerate().skip(1) {
        let row = line.trim_end();
        let delimiter = row.contains('|')
            && row.contains('-')
            && row.bytes().all(|b| matches!(b, b'|' | b':' | b'-' | b' ' | b'\t' | b'>'));
        if !delimiter {
            continue;
        }
        let columns = row.matches('|').count() + 1;
        let end = run_end[i + 1].max(i + 1);
        let rows = end - i - 1;
        let table_len = lines[end - 1].0 + lines[end - 1].1.len() - lines[i - 1].0;
        if columns * rows > MAX_TABLE_FILL * table_len + 64
            && let Some(dash) = row.rfind('-')
        {
            breaks.push(start + dash);
        }
    }
    if breaks.is_empty() {
        return text.into();
    }
    let mut bytes = text.as_bytes().to_vec();
    for at in breaks {
        bytes[at] = b'~';
    }
    // Only an ASCII `-` changed into an ASCII `~`.
    String::from_utf8(bytes).map_or_else(|_| text.into(), Into::into)
}

/// `events` with long runs of text cut into pieces of at most
/// [`TEXT_PIECE`] bytes, [`MARK`] between them, for the sanitiser (see the
/// module's doc). Inline code too: its text goes out as text inside
/// `<code>`, which is what it renders to. The HTML is the same once
/// sanitised; the extra work is one comment node per piece.
pub fn pieces<'a>(events: impl IntoIterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    // Bytes of text since the last tag: adjacent text events make one node.
    let mut run = 0;
    for event in events {
        match event {
            Event::Text(text) => push_text(&mut out, &mut run, text),
            Event::SoftBreak => {
                run += 1;
                out.push(Event::SoftBreak);
            }
            Event::Code(code) if code.len() > TEXT_PIECE => {
                out.push(Event::InlineHtml("<code>".into()));
                run = 0;
                push_text(&mut out, &mut run, code);
                out.push(Event::InlineHtml("</code>".into()));
                run = 0;
            }
            event => {
                run = 0;
                out.push(event);
            }
        }
    }
    out
}

fn push_text<'a>(out: &mut Vec<Event<'a>>, run: &mut usize, text: CowStr<'a>) {
    if *run + text.len() <= TEXT_PIECE {
        *run += text.len();
        out.push(Event::Text(text));
        return;
    }
    let mut rest: &str = &text;
    while !rest.is_empty() {
        if *run >= TEXT_PIECE {
            out.push(Event::InlineHtml(MARK.into()));
            *run = 0;
        }
        let mut end = rest.len().min(TEXT_PIECE - *run);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        if end == 0 {
            // Not even one character fits in this run: start a new one.
            *run = TEXT_PIECE;
            continue;
        }
        out.push(Event::Text(rest[..end].to_owned().into()));
        *run += end;
        rest = &rest[end..];
    }
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes().iter().take(offset).filter(|&&b| b == b'\n').count() + 1
}

/// One open tag: kept (and counted as `kind`, if it counts) or dropped.
enum Frame {
    Kept(Option<Kind>),
    Dropped,
}

/// Depth bookkeeping over an event stream; linear in the number of events
/// and in the length of raw HTML.
struct Tracker {
    stack: Vec<Frame>,
    block: usize,
    inline: usize,
    html: usize,
    /// The deepest of each kind seen, up to one past the limit.
    deepest: (usize, usize, usize),
    /// Bytes reference links may still add to the output.
    budget: usize,
    /// Table cells that may still be kept.
    cells: usize,
}

impl Tracker {
    fn new(input_len: usize) -> Self {
        Tracker {
            stack: Vec::new(),
            block: 0,
            inline: 0,
            html: 0,
            deepest: (0, 0, 0),
            budget: input_len,
            cells: input_len,
        }
    }

    /// The event to pass on (if any), and the kind of limit it crossed;
    /// `range` is where the event stands in the text.
    fn step<'a>(&mut self, event: Event<'a>, range: &Range<usize>) -> (Option<Event<'a>>, Option<(Kind, usize)>) {
        let offset = range.start;
        match event {
            Event::Start(tag) => {
                let kind = match &tag {
                    Tag::BlockQuote(_) | Tag::List(_) | Tag::FootnoteDefinition(_) => Some(Kind::Block),
                    Tag::Emphasis
                    | Tag::Strong
                    | Tag::Strikethrough
                    | Tag::Superscript
                    | Tag::Subscript
                    | Tag::Link { .. }
                    | Tag::Image { .. } => Some(Kind::Inline),
                    _ => None,
                };
                // An item goes with its list: a dropped list drops its items.
                if matches!(tag, Tag::Item) && matches!(self.stack.last(), Some(Frame::Dropped)) {
                    self.stack.push(Frame::Dropped);
                    return (None, None);
                }
                if let Tag::Link { dest_url, title, .. } | Tag::Image { dest_url, title, .. } = &tag
                    && (dest_url.len() > MAX_URL || title.len() > MAX_URL)
                {
                    self.stack.push(Frame::Dropped);
                    return (None, None);
                }
                if let Tag::Link { link_type, dest_url, title, .. } | Tag::Image { link_type, dest_url, title, .. } =
                    &tag
                    && expands(*link_type)
                {
                    let cost = dest_url.len() + title.len();
                    if cost > self.budget {
                        self.stack.push(Frame::Dropped);
                        return (None, None);
                    }
                    self.budget -= cost;
                }
                // A cell the parser filled in stands on no text at all.
                if matches!(tag, Tag::TableCell) && range.is_empty() {
                    if self.cells == 0 {
                        self.stack.push(Frame::Dropped);
                        return (None, None);
                    }
                    self.cells -= 1;
                }
                let Some(kind) = kind else {
                    self.stack.push(Frame::Kept(None));
                    return (Some(Event::Start(tag)), None);
                };
                let depth = self.count(kind);
                *depth += 1;
                let depth = *depth;
                self.note(kind, depth);
                if depth > kind.limit() {
                    *self.count(kind) -= 1;
                    self.stack.push(Frame::Dropped);
                    return (None, Some((kind, offset)));
                }
                self.stack.push(Frame::Kept(Some(kind)));
                (Some(Event::Start(tag)), None)
            }
            Event::End(tag) => match self.stack.pop() {
                Some(Frame::Dropped) => (None, None),
                Some(Frame::Kept(kind)) => {
                    if let Some(kind) = kind {
                        *self.count(kind) -= 1;
                    }
                    (Some(Event::End(tag)), None)
                }
                // More ends than starts: not ours to judge.
                None => (Some(Event::End(tag)), None),
            },
            Event::Html(html) | Event::InlineHtml(html) if self.raw_html(&html).is_some() => {
                let at = self.raw_html(&html).map(|at| (Kind::Html, offset + at));
                (Some(Event::Text(html)), at)
            }
            event => (Some(event), None),
        }
    }

    fn count(&mut self, kind: Kind) -> &mut usize {
        match kind {
            Kind::Block => &mut self.block,
            Kind::Inline => &mut self.inline,
            Kind::Html => &mut self.html,
        }
    }

    fn note(&mut self, kind: Kind, depth: usize) {
        let deepest = match kind {
            Kind::Block => &mut self.deepest.0,
            Kind::Inline => &mut self.deepest.1,
            Kind::Html => &mut self.deepest.2,
        };
        *deepest = (*deepest).max(depth.min(kind.limit() + 1));
    }

    /// Follows the elements raw HTML opens and closes. When they would nest
    /// past [`MAX_HTML_DEPTH`], the HTML is to be shown as text instead: the
    /// count goes back to what it was (text opens nothing) and the offset,
    /// within `html`, of the tag that went too deep comes back. Read-only
    /// until it commits, so calling it twice on a refused event is the same.
    fn raw_html(&mut self, html: &str) -> Option<usize> {
        let bytes = html.as_bytes();
        let mut depth = self.html;
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b'<' {
                i += 1;
                continue;
            }
            let closing = bytes.get(i + 1) == Some(&b'/');
            let name_start = i + 1 + usize::from(closing);
            let name_end = name_start + bytes[name_start..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
            if name_end == name_start || !bytes[name_start].is_ascii_alphabetic() {
                i += 1;
                continue;
            }
            // The tag runs to the next `>`; scanning resumes after it, so
            // every byte is looked at a bounded number of times.
            let end = bytes[name_end..].iter().position(|&b| b == b'>').map_or(bytes.len(), |p| name_end + p);
            let self_closing = end > 0 && bytes.get(end - 1) == Some(&b'/');
            let name = &html[name_start..name_end];
            if closing {
                depth = depth.saturating_sub(1);
            } else if !self_closing && !VOID.iter().any(|v| v.eq_ignore_ascii_case(name)) {
                depth += 1;
                self.note(Kind::Html, depth);
                if depth > MAX_HTML_DEPTH {
                    return Some(i);
                }
            }
            i = end + 1;
        }
        self.html = depth;
        None
    }
}

/// Whether a link's target comes from a definition elsewhere, so that the
/// output can hold it many times for a few bytes of input each.
fn expands(link_type: LinkType) -> bool {
    matches!(
        link_type,
        LinkType::Reference
            | LinkType::ReferenceUnknown
            | LinkType::Collapsed
            | LinkType::CollapsedUnknown
            | LinkType::Shortcut
            | LinkType::ShortcutUnknown
            | LinkType::WikiLink { .. }
    )
}

/// HTML elements that never hold anything, so never stay open.
const VOID: [&str; 14] =
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::markdown::options;

    fn html(text: &str) -> String {
        let mut html = String::new();
        let events = flatten(Parser::new_ext(text, options()).into_offset_iter(), text.len()).map(|(e, _)| e);
        pulldown_cmark::html::push_html(&mut html, events);
        html
    }

    #[test]
    fn ordinary_writing_is_well_within_the_limits() {
        let text =
            "> A quote\n>\n> - with a list\n>   1. and a *numbered **item** with [a link](https://x.org)*\n\nPlain.\n";
        let n = scan(text, options());
        assert_eq!((n.block, n.inline, n.html, n.excess), (3, 2, 0, None));
        assert_eq!(html(text), {
            let mut plain = String::new();
            pulldown_cmark::html::push_html(&mut plain, Parser::new_ext(text, options()));
            plain
        });
    }

    #[test]
    fn finds_the_line_where_quotes_and_lists_first_go_too_deep() {
        let at_limit = ">".repeat(MAX_BLOCK_DEPTH) + " deep enough\n";
        assert_eq!(scan(&at_limit, options()).excess, None);
        assert_eq!(scan(&at_limit, options()).block, MAX_BLOCK_DEPTH);

        let text = format!("Intro\n\n{}", ">".repeat(MAX_BLOCK_DEPTH + 1)) + " too deep\n";
        let n = scan(&text, options());
        let excess = n.excess.map(|e| (e.kind, e.line, &text[e.offset..e.offset + 1]));
        assert_eq!(excess, Some((Kind::Block, 3, ">")));
        assert_eq!(n.block, MAX_BLOCK_DEPTH + 1);

        // Each line indented under the one before: a list in a list in a list.
        let lists: String = (0..40).map(|i| format!("{}- item {i}\n", "  ".repeat(i))).collect();
        let e = scan(&lists, options()).excess;
        assert_eq!(e.map(|e| (e.kind, e.line)), Some((Kind::Block, MAX_BLOCK_DEPTH + 1)));
        // All on one line.
        let one_line = "1. - ".repeat(20) + "x";
        assert_eq!(scan(&one_line, options()).excess.map(|e| (e.kind, e.line)), Some((Kind::Block, 1)));
    }

    #[test]
    fn finds_emphasis_and_raw_html_nested_too_deep() {
        let n = MAX_INLINE_DEPTH + 8;
        // `**` is one level of strong, so twice as many stars.
        let stars = format!("{}a{}", "*".repeat(2 * n), "*".repeat(2 * n));
        assert_eq!(scan(&stars, options()).excess.map(|e| e.kind), Some(Kind::Inline));
        // Alternating `*` and `_`, each opened after a space and closed before one.
        let delim = |i: usize| if i % 2 == 0 { '*' } else { '_' };
        let open: String = (0..n).map(|i| format!("{}x ", delim(i))).collect();
        let close: String = (0..n).rev().map(|i| format!("x{} ", delim(i))).collect();
        let e = scan(&format!("{open}{close}"), options()).excess;
        assert_eq!(e.map(|e| (e.kind, e.offset)), Some((Kind::Inline, 3 * MAX_INLINE_DEPTH)));
        let images = format!("{}x{}", "![".repeat(n), "](https://x.org/a.png)".repeat(n));
        assert_eq!(scan(&images, options()).excess.map(|e| e.kind), Some(Kind::Inline));
        let divs = "<div>".repeat(MAX_HTML_DEPTH + 1) + "\n\ntext\n";
        let e = scan(&divs, options()).excess;
        assert_eq!(e.map(|e| (e.kind, e.offset)), Some((Kind::Html, 5 * MAX_HTML_DEPTH)));
        // Closed or void elements do not add up.
        let flat = "<p>a</p><br><img src=x><hr/>".repeat(100);
        assert_eq!(scan(&flat, options()).excess, None);
    }

    #[test]
    fn flattening_keeps_the_text_and_bounds_the_tags() {
        let text = ">".repeat(1000) + " deep";
        let out = html(&text);
        assert_eq!(out.matches("<blockquote>").count(), MAX_BLOCK_DEPTH);
        assert_eq!(out.matches("</blockquote>").count(), MAX_BLOCK_DEPTH);
        assert!(out.contains("deep"), "{out}");

        let n = 500;
        let out = html(&format!("{}a{}", "*".repeat(n), "*".repeat(n)));
        assert!(out.matches("<em>").count() + out.matches("<strong>").count() <= MAX_INLINE_DEPTH, "{out}");
        assert_eq!(out.matches("<em>").count(), out.matches("</em>").count());

        let out = html(&("- ".repeat(200) + "x"));
        assert_eq!(out.matches("<ul>").count(), MAX_BLOCK_DEPTH);
        assert_eq!(out.matches("<li>").count(), MAX_BLOCK_DEPTH);

        let out = html(&"<span>".repeat(100));
        assert_eq!(out.matches("<span>").count(), MAX_HTML_DEPTH, "{out}");
        assert!(out.contains("&lt;span&gt;"));
    }

    #[test]
    fn the_cells_the_parser_fills_in_cannot_multiply_the_output() {
        let table = format!("{}|\n{}|\n{}\n", "|a".repeat(256), "|-".repeat(256), "x\n".repeat(1024));
        let out = html(&table);
        assert!(out.len() < 24 * table.len(), "{} bytes from {}", out.len(), table.len());
        assert_eq!(out.matches("<td>x</td>").count(), 1024, "every written cell is kept");
        // An ordinary table, short rows filled in, is left alone.
        let small = "| a | b | c |\n| - | - | - |\n| 1 |\n| 2 | 3 |\n";
        let mut plain = String::new();
        pulldown_cmark::html::push_html(&mut plain, Parser::new_ext(small, options()));
        assert_eq!(html(small), plain);
        assert_eq!(plain.matches("<td>").count(), 6);
    }

    #[test]
    fn long_text_goes_to_the_sanitiser_in_pieces_and_comes_out_whole() {
        let text = format!("{}\n{}\n\n`{}`", "a&b ©".repeat(200), "½".repeat(500), "x&y".repeat(300));
        let events: Vec<Event<'_>> = Parser::new_ext(&text, options()).collect();
        let cut = pieces(events.clone());
        assert!(cut.iter().filter(|e| matches!(e, Event::InlineHtml(h) if h.as_ref() == MARK)).count() > 10);
        let mut run = 0;
        for e in &cut {
            match e {
                Event::Text(t) => run += t.len(),
                Event::SoftBreak => run += 1,
                _ => run = 0,
            }
            assert!(run <= TEXT_PIECE);
        }
        let mut whole = String::new();
        pulldown_cmark::html::push_html(&mut whole, events.into_iter());
        let mut pieced = String::new();
        pulldown_cmark::html::push_html(&mut pieced, cut.into_iter());
        assert_eq!(crate::content::markdown::sanitize(&pieced), crate::content::markdown::sanitize(&whole));
    }

    #[test]
    fn links_longer_than_any_browser_takes_are_shown_as_text() {
        let url = format!("https://example.com/?{}", "a=1&".repeat(MAX_URL / 4));
        let out = html(&format!("[a long one]({url}) and [a short one](https://example.com/?a=1&b=2)"));
        assert!(!out.contains("href=\"https://example.com/?a=1&amp;a=1"), "{out}");
        assert!(out.contains("a long one") && out.contains("href=\"https://example.com/?a=1&amp;b=2\""), "{out}");
    }

    #[test]
    fn tables_the_parser_would_fill_in_without_end_are_shown_as_text() {
        let wide = format!("{}|\n{}|\n{}\n", "|a".repeat(256), "|-".repeat(256), "x\n".repeat(1024));
        let guarded = guard_tables(&wide);
        assert_eq!(guarded.len(), wide.len());
        assert_eq!(html(&guarded).matches("<td>").count(), 0);
        // Tables as people write them, short rows and all, are left alone.
        let table = "Intro\n\n| a | b | c |\n| :- | - | -: |\n| 1 |\n| 2 | 3 |\n\n> | q |\n> | - |\n> | r |\n";
        assert_eq!(guard_tables(table), table);
        let long = format!("| a | b |\n| - | - |\n{}", "| x | y |\n".repeat(10_000));
        assert_eq!(guard_tables(&long), long);
    }

    #[test]
    fn reference_links_cannot_multiply_the_output() {
        let url = format!("https://example.com/{}", "a".repeat(1000));
        let text = format!("[r]: {url}\n\n{}", "[r]".repeat(5000));
        let out = html(&text);
        assert!(out.len() < 4 * text.len(), "{} bytes from {}", out.len(), text.len());
        assert!(out.contains(&format!("<a href=\"{url}\">r</a>")));
    }
}
