//! The first passes: parse with the site's options, cut the event stream at
//! the headings of the outline, rewrite `soundtrack:` and `person:` links,
//! and note every heading, link and misplaced entry on the way.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Tag, TagEnd};

use super::{Issue, Link, Reference, Rendered, nesting};
use crate::content::slugify;

/// Ids the page itself uses; headings never take them.
const RESERVED_IDS: [&str; 6] = ["main", "content", "toc", "comments", "respond", "top"];

/// The parser options every pass uses.
pub fn options() -> Options {
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
    // `media:name.jpg`: a picture of the site's own, made a `<picture>` when shown.
    b.add_url_schemes(&["media"]);
    b
});

/// Sanitises editors' HTML.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// The escaped form of [`nesting::MARK`]: where raw HTML opened an element
/// whose content is text (`<textarea>`, `<xmp>`, `<plaintext>`), a mark
/// stays text, and the sanitiser keeps that text; it is taken out again.
const ESCAPED_MARK: &str = "&lt;!----&gt;";

pub(super) struct RawHeading<'a> {
    pub level: u8,
    pub explicit_id: Option<String>,
    pub soundtrack: Option<Option<String>>,
    pub inner: Vec<Event<'a>>,
    pub offset: usize,
}

pub(super) enum Chunk<'a> {
    Prose(Vec<Event<'a>>),
    Heading(RawHeading<'a>),
}

/// A list item, block quote or footnote the parser is inside.
struct Container {
    /// An item of an ordered (numbered) list.
    numbered: bool,
    offset: usize,
}

/// Cuts the body's event stream (as the parser made it from `body`) at the
/// outline's headings.
pub(super) fn split<'a>(
    body: &str,
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    out: &mut Rendered,
) -> Vec<Chunk<'a>> {
    let mut chunks = Vec::new();
    let mut prose: Vec<Event<'a>> = Vec::new();
    let mut heading: Option<RawHeading<'a>> = None;
    let mut containers: Vec<Container> = Vec::new();
    let mut lists: Vec<bool> = Vec::new(); // open lists: numbered or not
    for (event, range) in super::nesting::flatten(events, body.len()) {
        match event {
            Event::Start(Tag::List(first)) => {
                lists.push(first.is_some());
                prose.push(Event::Start(Tag::List(first)));
            }
            Event::End(TagEnd::List(numbered)) => {
                lists.pop();
                prose.push(Event::End(TagEnd::List(numbered)));
            }
            Event::Start(tag @ (Tag::Item | Tag::BlockQuote(_) | Tag::FootnoteDefinition(_))) => {
                let numbered = matches!(tag, Tag::Item) && lists.last() == Some(&true);
                let indent = body[range.start..].len() - body[range.start..].trim_start_matches(' ').len();
                containers.push(Container { numbered, offset: range.start + indent });
                prose.push(Event::Start(tag));
            }
            Event::End(tag @ (TagEnd::Item | TagEnd::BlockQuote(_) | TagEnd::FootnoteDefinition)) => {
                containers.pop();
                prose.push(Event::End(tag));
            }
            Event::Start(Tag::Heading { level, id, classes: _, attrs }) => {
                let soundtrack = attrs
                    .iter()
                    .find(|(k, _)| k.as_ref() == "soundtrack")
                    .map(|(_, v)| v.as_ref().map(|v| v.trim().to_owned()));
                if let Some(c) = containers.last() {
                    misplaced_heading(c, soundtrack.is_some(), out);
                    let id = id.map(|i| CowStr::from(i.to_string()));
                    prose.push(Event::Start(Tag::Heading { level, id, classes: vec![], attrs: vec![] }));
                    continue;
                }
                if !prose.is_empty() {
                    chunks.push(Chunk::Prose(std::mem::take(&mut prose)));
                }
                heading = Some(RawHeading {
                    level: level_number(level),
                    explicit_id: id.map(|i| i.to_string()),
                    soundtrack,
                    inner: Vec::new(),
                    offset: range.start,
                });
            }
            Event::End(TagEnd::Heading(_)) if containers.is_empty() => {
                if let Some(h) = heading.take() {
                    chunks.push(Chunk::Heading(h));
                }
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                out.links.push(Link { dest: dest_url.to_string(), offset: range.start });
                let dest = rewrite_link(&dest_url, range.start, out);
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

/// A heading inside a list item or quote: an entry there is an error, and so
/// is any heading numbered by a Markdown list (`1. ## Closing thoughts`).
fn misplaced_heading(c: &Container, entry: bool, out: &mut Rendered) {
    let (code, message) = match (entry, c.numbered) {
        (true, true) => (
            "list-numbered",
            "entry heading inside a Markdown list: entries are numbered by the site, remove the list marker",
        ),
        (true, false) => (
            "entry-in-list",
            "entry heading inside a Markdown list or quote: an entry must be a heading of its own, remove the marker",
        ),
        (false, true) => (
            "list-numbered",
            "heading numbered by a Markdown list: the site numbers entries and never sections, remove the list marker",
        ),
        (false, false) => return,
    };
    out.issues.push(Issue { offset: c.offset, code, message: message.into() });
}

/// `soundtrack:slug` and `person:slug` become site links; the first kind is
/// recorded so the import can check the record exists.
fn rewrite_link<'a>(dest: &CowStr<'a>, offset: usize, out: &mut Rendered) -> CowStr<'a> {
    if let Some(slug) = dest.strip_prefix("soundtrack:") {
        out.references.push(Reference { slug: slug.to_owned(), offset, entry: false });
        return format!("/soundtracks/{slug}").into();
    }
    if let Some(slug) = dest.strip_prefix("person:") {
        return format!("/people/{slug}").into();
    }
    dest.clone()
}

pub(super) fn html_of<'a>(events: Vec<Event<'a>>) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, nesting::pieces(events).into_iter());
    let clean = sanitize(&html);
    if clean.contains(ESCAPED_MARK) { clean.replace(ESCAPED_MARK, "") } else { clean }
}

/// [`html_of`] with every text cut to one letter (a text of blanks to one
/// blank, or to one no-break space if it has one, which the page shows as
/// `&nbsp;`), and link and image titles likewise: the same elements, ids and
/// empty bodies, in time linear in the text. html5ever's serialiser, under
/// the sanitiser, scans a text to its next `<` or `>` at every `&` and every
/// character from U+0080 to U+00BF (`©`, `°`, `«`), so a long paragraph of
/// them costs the square of its length; the check reads only the shape.
pub(super) fn shape_of<'a>(events: Vec<Event<'a>>) -> String {
    fn cut(t: CowStr<'_>) -> CowStr<'static> {
        match t.trim().is_empty() {
            false => CowStr::Borrowed("x"),
            true if t.contains('\u{a0}') => CowStr::Borrowed("\u{a0}"),
            true if t.is_empty() => CowStr::Borrowed(""),
            true => CowStr::Borrowed(" "),
        }
    }
    let events = events.into_iter().map(|e| match e {
        Event::Text(t) => Event::Text(cut(t)),
        Event::Code(t) => Event::Code(cut(t)),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Link { link_type, dest_url, title: cut(title), id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Image { link_type, dest_url, title: cut(title), id })
        }
        e => e,
    });
    let events: Vec<Event<'a>> = events.collect();
    // What Markdown makes itself the sanitiser keeps, but for a footnote's
    // id: only raw HTML and footnotes can change the shape, so only they
    // pay for it (one sanitiser run per heading was most of a check's time).
    let raw = events
        .iter()
        .any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_) | Event::Start(Tag::FootnoteDefinition(_))));
    if raw {
        return html_of(events);
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

pub(super) fn plain_text(events: &[Event<'_>]) -> String {
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
/// unique with `-1`, `-2`... (as Zola and Hugo do). Explicit ids are
/// reserved before any heading is numbered, so `{#credits}` keeps its id even
/// when an earlier heading reads "Credits". Each base remembers the next
/// suffix to try, so a thousand headings with one text cost a thousand steps,
/// not half a million.
#[derive(Default)]
pub(super) struct Ids {
    used: HashSet<String>,
    /// Explicit ids not yet claimed by their own heading.
    explicit: HashSet<String>,
    next: HashMap<String, usize>,
}

impl Ids {
    /// Ids for a document whose headings carry these explicit ids.
    pub fn new<'s>(explicit: impl IntoIterator<Item = &'s str>) -> Self {
        let used = RESERVED_IDS.iter().map(|s| s.to_string()).collect();
        let explicit = explicit.into_iter().map(slugify).filter(|s| !s.is_empty()).collect();
        Self { used, explicit, next: HashMap::new() }
    }

    pub fn claim(&mut self, explicit: Option<&str>, text: &str) -> String {
        if self.used.is_empty() {
            self.used.extend(RESERVED_IDS.iter().map(|s| s.to_string()));
        }
        let base = match explicit.map(slugify).filter(|s| !s.is_empty()) {
            Some(id) => {
                if self.explicit.remove(&id) && !self.used.contains(&id) {
                    self.used.insert(id.clone());
                    return id;
                }
                id
            }
            None => Some(slugify(text)).filter(|s| !s.is_empty()).unwrap_or_else(|| "section".into()),
        };
        let mut n = self.next.get(&base).copied().unwrap_or(0);
        let mut id = if n == 0 { base.clone() } else { format!("{base}-{n}") };
        while self.used.contains(&id) || self.explicit.contains(&id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        self.next.insert(base, n);
        self.used.insert(id.clone());
        id
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ListOrder, ListStyle, render};

    fn ids(body: &str) -> Vec<String> {
        render(body, ListStyle::None, ListOrder::Ascending).outline.into_iter().map(|h| h.id).collect()
    }

    #[test]
    fn explicit_ids_are_reserved_before_headings_are_numbered() {
        assert_eq!(ids("## Credits\n\nA.\n\n## Who made it {#credits}\n\nB.\n"), ["credits-1", "credits"]);
        assert_eq!(ids("## A\n\n## A\n\n## A-1\n\n## A\n"), ["a", "a-1", "a-1-1", "a-2"]);
        assert_eq!(ids("## Top\n\n## X {#x}\n\n## Y {#x}\n"), ["top-1", "x", "x-1"]);
    }
}
