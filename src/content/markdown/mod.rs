//! The Markdown pipeline, in small passes: parse with heading attributes,
//! split the event stream at top-level headings ([`parse`]), decide which
//! headings are entries (those carrying `{soundtrack=slug}`), give every
//! heading a unique id, number ranked entries from the structure, render and
//! sanitise.
//!
//! The output is a [`Document`] of blocks that the article template walks:
//! prose, section headings and entries (heading + body, joined to a record
//! card at request time). It is rendered once, when an article is written,
//! and stored. Alongside it come what the check needs: the outline, every
//! link, and the structure errors found on the way ([`Issue`]).

/// The body parsed once, for the renderer and every check.
mod body;
/// How deeply Markdown nests; flattening past the limits keeps rendering linear.
pub mod nesting;
mod parse;

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{Event, Parser};
use serde::{Deserialize, Serialize};

pub use body::Body;

use parse::{Chunk, Ids, html_of, plain_text, shape_of};
pub use parse::{options, sanitize};

crate::text_enum! {
    /// How a list presents its entries (front matter `list`, the
    /// `articles.list_style` column).
    #[derive(Default, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum ListStyle("list style") {
        Ranked = "ranked",
        Unranked = "unranked",
        #[default]
        None = "none",
    }
}

crate::text_enum! {
    /// Whether ranks count up from 1 or down to 1 (front matter `order`,
    /// the `articles.list_order` column).
    #[derive(Default, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum ListOrder("list order") {
        #[default]
        Ascending = "ascending",
        Countdown = "countdown",
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
    pub level: u8,
    /// Byte offset of the heading in the body.
    pub offset: usize,
}

/// A link from the body to a record, with its byte offset in the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub slug: String,
    pub offset: usize,
    /// True for an entry heading, false for an inline `soundtrack:` link.
    pub entry: bool,
}

/// A heading of the article's outline (not one inside a list, a quote or
/// an entry's body), as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Outline {
    pub level: u8,
    pub id: String,
    pub text: String,
    pub offset: usize,
    /// The entry this heading starts, if it is one.
    pub entry: Option<usize>,
}

/// A link as written (`soundtrack:x`, `person:x`, `/tags/x`, `https://...`).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub dest: String,
    pub offset: usize,
}

/// A structure error found while rendering: it stops an import.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Issue {
    /// Byte offset in the body.
    pub offset: usize,
    pub code: &'static str,
    pub message: String,
}

/// The renderer's whole output.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub document: Document,
    pub entries: Vec<Entry>,
    pub references: Vec<Reference>,
    pub outline: Vec<Outline>,
    pub links: Vec<Link>,
    pub issues: Vec<Issue>,
    /// Whether the table of contents is worth showing by default.
    pub long: bool,
}

/// Articles with at least this many sections show a table of contents.
const TOC_MIN_SECTIONS: usize = 5;

/// What the HTML of a render is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Html {
    /// The page readers see: sanitised.
    Page,
    /// Only its shape, for a check that never shows it: the same elements,
    /// ids and empty bodies as [`Html::Page`], every text cut to a letter,
    /// so the sanitiser's time cannot grow with the square of a paragraph
    /// (see [`parse::shape_of`]).
    Shape,
}

/// Renders an article body.
pub fn render(body: &str, style: ListStyle, order: ListOrder) -> Rendered {
    render_with(body, style, order, Html::Page)
}

/// [`render`], with the HTML made for `html`.
pub fn render_with(body: &str, style: ListStyle, order: ListOrder, html: Html) -> Rendered {
    // Same length as `body`: every offset found in it holds for `body`.
    let body = &nesting::guard_tables(body);
    render_events(body, Parser::new_ext(body, options()).into_offset_iter(), style, order, html)
}

/// [`render_with`] from a body already parsed (for the checks, which read
/// the same events): the events are not made again, unless a table in the
/// body has to be shown as text (see [`nesting::guard_tables`]), which
/// changes what the parser makes of it.
pub fn render_body(body: &Body<'_>, style: ListStyle, order: ListOrder, html: Html) -> Rendered {
    match nesting::guard_tables(body.text) {
        Cow::Borrowed(text) => render_events(text, body.events.iter().cloned(), style, order, html),
        Cow::Owned(text) => {
            render_events(&text, Parser::new_ext(&text, options()).into_offset_iter(), style, order, html)
        }
    }
}

/// A body's text as search indexes it, after `lead` (the standfirst): a
/// space between blocks so that no two sentences run together in a snippet
/// ("frontier. Every", not "frontier.Every"), none around inline markup
/// (`*Daft* Punk.` stays `Daft Punk.`). Takes the events of a parse made
/// already ([`Body`]) or of a fresh one.
pub fn plain_text_of<'a, E: std::borrow::Borrow<Event<'a>>>(lead: &str, events: impl IntoIterator<Item = E>) -> String {
    use pulldown_cmark::TagEnd;
    let inline = |tag: TagEnd| {
        matches!(
            tag,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image
        )
    };
    let mut text = lead.trim().to_owned();
    let mut gap = false;
    for e in events {
        match e.borrow() {
            Event::Text(t) | Event::Code(t) => {
                if std::mem::take(&mut gap) && !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(t);
            }
            Event::SoftBreak | Event::HardBreak => gap = true,
            Event::Start(tag) => gap |= !inline(tag.to_end()),
            Event::End(tag) => gap |= !inline(*tag),
            _ => {}
        }
    }
    text
}

/// Renders the events the parser made of `body`.
fn render_events<'a>(
    body: &str,
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    style: ListStyle,
    order: ListOrder,
    html: Html,
) -> Rendered {
    let html_of = match html {
        Html::Page => html_of,
        Html::Shape => shape_of,
    };
    let mut out = Rendered::default();
    let chunks = parse::split(body, events, &mut out);
    let mut ids = Ids::new(chunks.iter().filter_map(|c| match c {
        Chunk::Heading(h) => h.explicit_id.as_deref(),
        Chunk::Prose(_) => None,
    }));

    // Sections currently open, `(level, block index, text)`; an entry's group
    // is the innermost open section above its level.
    let mut sections: Vec<(u8, usize, String)> = Vec::new();
    let mut groups: Vec<Option<usize>> = Vec::new();
    // Headings at an entry's level since that entry: fine as a closing
    // section, an error when another entry follows.
    let mut last_entry_level: Option<u8> = None;
    let mut stray: Vec<(usize, String, u8)> = Vec::new();
    let mut open_entry: Option<usize> = None;

    for chunk in chunks {
        let h = match chunk {
            Chunk::Prose(events) => {
                let html = html_of(events);
                match open_entry {
                    Some(i) => push_body(&mut out.document.blocks[i], &html),
                    None => out.document.blocks.push(Block::Prose { html }),
                }
                continue;
            }
            Chunk::Heading(h) => h,
        };
        let text = plain_text(&h.inner);
        let html = html_of(h.inner.clone());
        if let Some(i) = open_entry
            && let Block::Entry { level, .. } = &out.document.blocks[i]
            && h.level > *level
            && h.soundtrack.is_none()
        {
            // A sub-heading inside an entry stays part of its body.
            let id = ids.claim(h.explicit_id.as_deref(), &text);
            push_body(&mut out.document.blocks[i], &format!("<h{0} id=\"{id}\">{html}</h{0}>", h.level));
            continue;
        }
        open_entry = None;
        let id = ids.claim(h.explicit_id.as_deref(), &text);
        let Some(slug) = h.soundtrack else {
            while sections.last().is_some_and(|(l, _, _)| *l >= h.level) {
                sections.pop();
            }
            match last_entry_level {
                Some(l) if l == h.level => stray.push((h.offset, text.clone(), h.level)),
                Some(l) if h.level < l => {
                    last_entry_level = None;
                    stray.clear();
                }
                _ => {}
            }
            out.outline.push(Outline {
                level: h.level,
                id: id.clone(),
                text: text.clone(),
                offset: h.offset,
                entry: None,
            });
            sections.push((h.level, out.document.blocks.len(), text));
            out.document.blocks.push(Block::Section { level: h.level, id, html });
            continue;
        };
        for (offset, t, _) in stray.drain(..).filter(|(_, _, l)| *l == h.level) {
            out.issues.push(Issue {
                offset,
                code: "entry-without-record",
                message: format!("entry without record: heading `{t}` sits between entries but names no soundtrack; add {{soundtrack=slug}} to it, or give a section another heading level"),
            });
        }
        last_entry_level = Some(h.level);
        let slug = slug.unwrap_or_default();
        if slug.is_empty() {
            out.issues.push(Issue {
                offset: h.offset,
                code: "entry-without-record",
                message: "entry without record: `{soundtrack=...}` needs a record's slug".into(),
            });
        }
        if text.trim().is_empty() {
            out.issues.push(Issue {
                offset: h.offset,
                code: "empty-heading",
                message: format!("entry for `{slug}` has an empty heading: write the title readers see"),
            });
        }
        let group = sections.iter().rev().find(|(l, _, _)| *l < h.level);
        groups.push(group.map(|(_, i, _)| *i));
        out.references.push(Reference { slug: slug.clone(), offset: h.offset, entry: true });
        let entry = out.entries.len();
        let (level, offset) = (h.level, h.offset);
        out.outline.push(Outline { level, id: id.clone(), text: text.clone(), offset, entry: Some(entry) });
        out.entries.push(Entry {
            soundtrack: slug.clone(),
            heading: text,
            anchor: id.clone(),
            rank: None,
            section: group.map(|(_, _, t)| t.clone()),
            level: h.level,
            offset: h.offset,
        });
        open_entry = Some(out.document.blocks.len());
        let body = String::new();
        out.document.blocks.push(Block::Entry { level: h.level, id, html, body, entry, soundtrack: slug, rank: None });
    }

    for block in &out.document.blocks {
        if let Block::Entry { body, entry, .. } = block
            && body.trim().is_empty()
        {
            let e = &out.entries[*entry];
            out.issues.push(Issue {
                offset: e.offset,
                code: "empty-entry",
                message: format!("entry `{}` has no text: write at least a sentence about it", e.heading),
            });
        }
    }
    if style == ListStyle::Ranked {
        number(&mut out, &groups, order);
    }
    out.references.sort_by_key(|r| r.offset);
    out.issues.sort();
    out.document.toc = toc(&out.outline, &out.entries);
    out.long =
        out.document.blocks.iter().filter(|b| matches!(b, Block::Section { level: 2, .. })).count() >= TOC_MIN_SECTIONS;
    out
}

/// Ranks 1..N within each group, in document order (N..1 for a countdown).
fn number(out: &mut Rendered, groups: &[Option<usize>], order: ListOrder) {
    // Members of each group in document order, groups in order of first
    // appearance: one pass, however many groups there are.
    let mut order_of: std::collections::HashMap<Option<usize>, usize> = std::collections::HashMap::new();
    let mut by_group: Vec<Vec<usize>> = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let k = *order_of.entry(*g).or_insert_with(|| {
            by_group.push(Vec::new());
            by_group.len() - 1
        });
        by_group[k].push(i);
    }
    for members in by_group {
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
fn toc(outline: &[Outline], entries: &[Entry]) -> Vec<TocItem> {
    let Some(top) = outline.iter().map(|h| h.level).min() else { return Vec::new() };
    let mut items: Vec<TocItem> = Vec::new();
    for h in outline {
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

fn push_body(block: &mut Block, html: &str) {
    if let Block::Entry { body, .. } = block {
        body.push_str(html);
    }
}
