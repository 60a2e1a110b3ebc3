//! The Markdown pipeline, in small passes: parse with heading attributes,
//! split the event stream at top-level headings, decide which headings are
//! entries (those carrying `{soundtrack=slug}`), give every heading a unique
//! id, number ranked entries from the structure, render and sanitise.
//!
//! The output is a [`Document`] of blocks that the article template walks:
//! prose, section headings and entries (heading + body, joined to a record
//! card at request time). It is rendered once, when an article is written,
//! and stored.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

use super::{line_of, slugify};

/// How a list presents its entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListStyle {
    Ranked,
    Unranked,
    #[default]
    None,
}

impl ListStyle {
    pub fn as_str(self) -> &'static str {
        match self {
            ListStyle::Ranked => "ranked",
            ListStyle::Unranked => "unranked",
            ListStyle::None => "none",
        }
    }
}

/// Whether ranks count up from 1 or down to 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListOrder {
    #[default]
    Ascending,
    Countdown,
}

impl ListOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            ListOrder::Ascending => "ascending",
            ListOrder::Countdown => "countdown",
        }
    }
}

/// What the article template walks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub blocks: Vec<Block>,
    pub toc: Vec<TocItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Block {
    /// Sanitised HTML between headings.
    Prose { html: String },
    /// An ordinary section heading (intro, conclusion, FAQ...).
    Section { level: u8, id: String, html: String },
    /// An entry: `entry` indexes [`Rendered::entries`]; `soundtrack` is its record's slug.
    Entry { level: u8, id: String, html: String, body: String, entry: usize, soundtrack: String, rank: Option<u32> },
}

/// A table of contents line; `children` are one level deeper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TocItem {
    pub id: String,
    pub text: String,
    pub rank: Option<u32>,
    pub children: Vec<TocItem>,
}

/// An entry of the list, in document order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub soundtrack: String,
    pub heading: String,
    pub anchor: String,
    pub rank: Option<u32>,
    /// The section heading that ranks this entry, in a guide with several.
    pub section: Option<String>,
    pub line: usize,
}

/// A link from the body to a record, with its line in the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub slug: String,
    pub line: usize,
    /// True for an entry heading, false for an inline `soundtrack:` link.
    pub entry: bool,
}

/// The renderer's whole output.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub document: Document,
    pub entries: Vec<Entry>,
    pub references: Vec<Reference>,
    /// `(line in body, message)`: structure errors that stop an import.
    pub problems: Vec<(usize, String)>,
    /// Whether the table of contents is worth showing by default.
    pub long: bool,
}

/// Ids the page itself uses; headings never take them.
const RESERVED_IDS: [&str; 6] = ["main", "content", "toc", "comments", "respond", "top"];

/// Articles with at least this many sections show a table of contents.
const TOC_MIN_SECTIONS: usize = 5;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// The policy for editors' HTML: what Markdown produces, plus heading ids.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    for h in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        b.add_tag_attributes(h, &["id"]);
    }
    b.add_tag_attributes("a", &["id"]).add_tag_attributes("li", &["id"]).add_tag_attributes("sup", &["id"]);
    b.id_prefix(None).link_rel(Some("noopener"));
    b
});

/// Sanitises editors' HTML.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

struct Heading<'a> {
    level: u8,
    explicit_id: Option<String>,
    soundtrack: Option<Option<String>>,
    inner: Vec<Event<'a>>,
    line: usize,
}

enum Chunk<'a> {
    Prose(Vec<Event<'a>>),
    Heading(Heading<'a>),
}

/// Renders an article body.
pub fn render(body: &str, style: ListStyle, order: ListOrder) -> Rendered {
    let mut out = Rendered::default();
    let chunks = split(body, &mut out);
    let mut ids = Ids::default();

    // Sections currently open, `(level, block index, text)`; an entry's group
    // is the innermost open section above its level.
    let mut sections: Vec<(u8, usize, String)> = Vec::new();
    let mut groups: Vec<Option<usize>> = Vec::new();
    // Headings at an entry's level since that entry: fine as a closing
    // section, an error when another entry follows.
    let mut last_entry_level: Option<u8> = None;
    let mut stray: Vec<(usize, String, u8)> = Vec::new();
    let mut open_entry: Option<usize> = None;
    let mut heads: Vec<Head> = Vec::new();

    for chunk in chunks {
        match chunk {
            Chunk::Prose(events) => {
                let html = html_of(events);
                match open_entry {
                    Some(i) => push_body(&mut out.document.blocks[i], &html),
                    None => out.document.blocks.push(Block::Prose { html }),
                }
            }
            Chunk::Heading(h) => {
                let text = plain_text(&h.inner);
                let html = html_of(h.inner.clone());
                if let Some(Block::Entry { level, .. }) = open_entry.map(|i| &out.document.blocks[i])
                    && h.level > *level
                    && h.soundtrack.is_none()
                {
                    // A sub-heading inside an entry stays part of its body.
                    let id = ids.claim(h.explicit_id.as_deref(), &text);
                    let i = open_entry.unwrap_or_default();
                    push_body(&mut out.document.blocks[i], &format!("<h{0} id=\"{id}\">{html}</h{0}>", h.level));
                    continue;
                }
                open_entry = None;
                let id = ids.claim(h.explicit_id.as_deref(), &text);
                match h.soundtrack {
                    None => {
                        while sections.last().is_some_and(|(l, _, _)| *l >= h.level) {
                            sections.pop();
                        }
                        match last_entry_level {
                            Some(l) if l == h.level => stray.push((h.line, text.clone(), h.level)),
                            Some(l) if h.level < l => {
                                last_entry_level = None;
                                stray.clear();
                            }
                            _ => {}
                        }
                        heads.push(Head { level: h.level, id: id.clone(), text: text.clone(), entry: None });
                        sections.push((h.level, out.document.blocks.len(), text));
                        out.document.blocks.push(Block::Section { level: h.level, id, html });
                    }
                    Some(slug) => {
                        for (line, t, _) in stray.drain(..).filter(|(_, _, l)| *l == h.level) {
                            out.problems.push((
                                line,
                                format!("entry without record: heading `{t}` sits between entries but names no soundtrack; add {{soundtrack=slug}} to it, or give a section another heading level"),
                            ));
                        }
                        last_entry_level = Some(h.level);
                        let slug = slug.unwrap_or_default();
                        if slug.is_empty() {
                            out.problems.push((
                                h.line,
                                "entry without record: `{soundtrack=...}` needs a record's slug".into(),
                            ));
                        }
                        if text.trim().is_empty() {
                            out.problems.push((
                                h.line,
                                format!("entry for `{slug}` has an empty heading: write the title readers see"),
                            ));
                        }
                        let group = sections.iter().rev().find(|(l, _, _)| *l < h.level);
                        groups.push(group.map(|(_, i, _)| *i));
                        out.references.push(Reference { slug: slug.clone(), line: h.line, entry: true });
                        heads.push(Head {
                            level: h.level,
                            id: id.clone(),
                            text: text.clone(),
                            entry: Some(out.entries.len()),
                        });
                        out.entries.push(Entry {
                            soundtrack: slug,
                            heading: text,
                            anchor: id.clone(),
                            rank: None,
                            section: group.map(|(_, _, t)| t.clone()),
                            line: h.line,
                        });
                        open_entry = Some(out.document.blocks.len());
                        out.document.blocks.push(Block::Entry {
                            level: h.level,
                            id,
                            html,
                            body: String::new(),
                            entry: out.entries.len() - 1,
                            soundtrack: out.entries[out.entries.len() - 1].soundtrack.clone(),
                            rank: None,
                        });
                    }
                }
            }
        }
    }

    for block in &out.document.blocks {
        if let Block::Entry { body, entry, .. } = block
            && body.trim().is_empty()
        {
            let e = &out.entries[*entry];
            out.problems
                .push((e.line, format!("entry `{}` has no text: write at least a sentence about it", e.heading)));
        }
    }
    if style == ListStyle::Ranked {
        number(&mut out, &groups, order);
    }
    out.references.sort_by_key(|r| r.line);
    out.problems.sort();
    out.document.toc = toc(&heads, &out.entries);
    out.long =
        out.document.blocks.iter().filter(|b| matches!(b, Block::Section { level: 2, .. })).count() >= TOC_MIN_SECTIONS;
    out
}

/// Ranks 1..N within each group, in document order (N..1 for a countdown).
fn number(out: &mut Rendered, groups: &[Option<usize>], order: ListOrder) {
    let mut seen: Vec<Option<usize>> = Vec::new();
    for g in groups {
        if !seen.contains(g) {
            seen.push(*g);
        }
    }
    for g in seen {
        let members: Vec<usize> = (0..groups.len()).filter(|&i| groups[i] == g).collect();
        let n = members.len();
        for (k, &i) in members.iter().enumerate() {
            let rank = match order {
                ListOrder::Ascending => k + 1,
                ListOrder::Countdown => n - k,
            };
            out.entries[i].rank = u32::try_from(rank).ok();
        }
    }
    for block in &mut out.document.blocks {
        if let Block::Entry { entry, rank, .. } = block {
            *rank = out.entries[*entry].rank;
        }
    }
}

/// Two levels: the top level present, and the one below it.
fn toc(heads: &[Head], entries: &[Entry]) -> Vec<TocItem> {
    let Some(top) = heads.iter().map(|h| h.level).min() else { return Vec::new() };
    let mut items: Vec<TocItem> = Vec::new();
    for h in heads {
        let rank = h.entry.and_then(|i| entries[i].rank);
        let item = TocItem { id: h.id.clone(), text: h.text.clone(), rank, children: Vec::new() };
        if h.level == top {
            items.push(item);
        } else if h.level == top + 1
            && let Some(parent) = items.last_mut()
        {
            parent.children.push(item);
        }
    }
    items
}

/// A top-level heading, for the table of contents.
struct Head {
    level: u8,
    id: String,
    text: String,
    entry: Option<usize>,
}

/// Parses the body and cuts the event stream at top-level headings.
fn split<'a>(body: &'a str, out: &mut Rendered) -> Vec<Chunk<'a>> {
    let mut chunks = Vec::new();
    let mut prose: Vec<Event<'a>> = Vec::new();
    let mut heading: Option<Heading<'a>> = None;
    let mut depth = 0usize; // open list items, block quotes, footnotes
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let line = line_of(body, range.start);
        match event {
            Event::Start(Tag::Item | Tag::BlockQuote(_) | Tag::FootnoteDefinition(_)) => {
                depth += 1;
                prose.push(event);
            }
            Event::End(TagEnd::Item | TagEnd::BlockQuote(_) | TagEnd::FootnoteDefinition) => {
                depth = depth.saturating_sub(1);
                prose.push(event);
            }
            Event::Start(Tag::Heading { level, id, classes: _, attrs }) => {
                let soundtrack = attrs
                    .iter()
                    .find(|(k, _)| k.as_ref() == "soundtrack")
                    .map(|(_, v)| v.as_ref().map(|v| v.trim().to_owned()));
                if depth > 0 {
                    if soundtrack.is_some() {
                        out.problems.push((
                            line,
                            "entry heading inside a Markdown list or quote: entries are numbered by the site, remove the list marker".into(),
                        ));
                    }
                    let id = id.map(|i| i.to_string());
                    prose.push(Event::Start(Tag::Heading {
                        level,
                        id: id.map(CowStr::from),
                        classes: vec![],
                        attrs: vec![],
                    }));
                    continue;
                }
                if !prose.is_empty() {
                    chunks.push(Chunk::Prose(std::mem::take(&mut prose)));
                }
                heading = Some(Heading {
                    level: level_number(level),
                    explicit_id: id.map(|i| i.to_string()),
                    soundtrack,
                    inner: Vec::new(),
                    line,
                });
            }
            Event::End(TagEnd::Heading(_)) if depth == 0 => {
                if let Some(h) = heading.take() {
                    chunks.push(Chunk::Heading(h));
                }
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest = rewrite_link(&dest_url, line, out);
                let event = Event::Start(Tag::Link { link_type, dest_url: dest, title, id });
                match heading.as_mut() {
                    Some(h) => h.inner.push(event),
                    None => prose.push(event),
                }
            }
            event => match heading.as_mut() {
                Some(h) => h.inner.push(event),
                None => prose.push(event),
            },
        }
    }
    if !prose.is_empty() {
        chunks.push(Chunk::Prose(prose));
    }
    chunks
}

/// `soundtrack:slug` and `person:slug` become site links; the first kind is
/// recorded so the import can check the record exists.
fn rewrite_link<'a>(dest: &CowStr<'a>, line: usize, out: &mut Rendered) -> CowStr<'a> {
    if let Some(slug) = dest.strip_prefix("soundtrack:") {
        out.references.push(Reference { slug: slug.to_owned(), line, entry: false });
        return format!("/soundtracks/{slug}").into();
    }
    if let Some(slug) = dest.strip_prefix("person:") {
        return format!("/people/{slug}").into();
    }
    dest.clone()
}

fn push_body(block: &mut Block, html: &str) {
    if let Block::Entry { body, .. } = block {
        body.push_str(html);
    }
}

fn html_of<'a>(events: Vec<Event<'a>>) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    sanitize(&html)
}

fn plain_text(events: &[Event<'_>]) -> String {
    let mut s = String::new();
    for e in events {
        if let Event::Text(t) | Event::Code(t) = e {
            s.push_str(t);
        }
    }
    s.trim().to_owned()
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Heading ids: an explicit `{#id}` first, else the slug of the text, made
/// unique with `-1`, `-2`... (as Zola and Hugo do).
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
}

impl Ids {
    fn claim(&mut self, explicit: Option<&str>, text: &str) -> String {
        if self.used.is_empty() {
            self.used.extend(RESERVED_IDS.iter().map(|s| s.to_string()));
        }
        let base = match explicit.map(slugify).filter(|s| !s.is_empty()) {
            Some(id) => id,
            None => Some(slugify(text)).filter(|s| !s.is_empty()).unwrap_or_else(|| "section".into()),
        };
        let mut id = base.clone();
        let mut n = 0;
        while self.used.contains(&id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        self.used.insert(id.clone());
        id
    }
}
