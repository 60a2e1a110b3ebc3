//! Feeds and maps for machines, built with libraries, never by string
//! concatenation: the Atom feeds (`atom_syndication`) `/feed.xml` (the latest
//! lists, whole), `/comments.xml` and `/articles/{slug}/comments.xml`
//! (approved comments; emails never appear), `/sitemap.xml` and its parts (`quick-xml`)
//! and `/robots.txt`. Characters XML 1.0 forbids are refused at input and,
//! as a second line, stripped from every feed, so one stored control
//! character can never make a feed unreadable for every subscriber.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::{Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use chrono::DateTime;

use super::AppState;
use super::articles;
use crate::content::markdown::{Block, Document};
use crate::db::{self, comments::FeedItem, export::rfc3339};
use crate::error::{Error, Result};

/// Comments per feed.
const FEED_SIZE: i64 = 50;

fn time(ts: i64) -> FixedDateTime {
    DateTime::from_timestamp(ts, 0).unwrap_or_default().fixed_offset()
}

fn link(href: String, rel: &str) -> Link {
    Link { href, rel: rel.into(), ..Default::default() }
}

fn feed(base: &str, title: String, self_path: &str, page_path: &str, items: Vec<FeedItem>) -> HttpResponse {
    let updated = items.iter().map(|i| i.edited_at.unwrap_or(i.created_at)).max().unwrap_or_default();
    let entries: Vec<Entry> = items
        .into_iter()
        .map(|i| {
            let url = format!("{base}/articles/{}#comment-{}", i.article_slug, i.id);
            Entry {
                // The name is a commenter's: isolated (U+2068..U+2069, the
                // text form of `<bdi>`) so that a right-to-left override in
                // it cannot turn the title around it.
                title: Text::plain(format!("\u{2068}{}\u{2069} on “{}”", i.author, i.article_title)),
                id: url.clone(),
                updated: time(i.edited_at.unwrap_or(i.created_at)),
                published: Some(time(i.created_at)),
                authors: vec![Person { name: i.author, uri: i.url, ..Default::default() }],
                links: vec![link(url, "alternate")],
                content: Some(Content {
                    value: Some(i.body_html),
                    content_type: Some("html".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    atom(base, title, self_path, page_path, updated, entries)
}

fn atom(
    base: &str,
    title: String,
    self_path: &str,
    page_path: &str,
    updated: i64,
    entries: Vec<Entry>,
) -> HttpResponse {
    let mut f = Feed::default();
    f.set_title(Text::plain(title));
    f.set_id(format!("{base}{self_path}"));
    f.set_updated(time(updated));
    f.set_links(vec![link(format!("{base}{self_path}"), "self"), link(format!("{base}{page_path}"), "alternate")]);
    f.set_entries(entries);
    // Escaping leaves control characters as they are, and markup never
    // needs one: dropping them from the finished document covers every field.
    let xml: String = f.to_string().chars().filter(|&c| !crate::comments::forbidden_in_xml(c)).collect();
    HttpResponse::Ok().insert_header((CONTENT_TYPE, "application/atom+xml; charset=utf-8")).body(xml)
}

pub async fn site_comments(state: Data<AppState>) -> Result<HttpResponse> {
    let items = db::comments::feed(&state.db, db::now(), None, FEED_SIZE).await?;
    Ok(feed(state.base(), "Comments on Cuesheet".into(), "/comments.xml", "/", items))
}

pub async fn article_comments(req: HttpRequest, state: Data<AppState>, slug: Path<String>) -> Result<HttpResponse> {
    let article = articles::load(&req, &state, &slug).await?;
    let items = db::comments::feed(&state.db, db::now(), Some(article.id), FEED_SIZE).await?;
    let page = format!("/articles/{}", article.slug);
    Ok(feed(state.base(), format!("Comments on “{}”", article.title), &format!("{page}/comments.xml"), &page, items))
}

/// Lists in the site feed.
const ARTICLES_IN_FEED: i64 = 20;

/// `/feed.xml`: the latest lists, whole, with their update dates.
pub async fn articles(state: Data<AppState>) -> Result<HttpResponse> {
    let base = state.base();
    let rows = db::articles::feed(&state.db, db::now(), ARTICLES_IN_FEED).await?;
    let mut entries = Vec::with_capacity(rows.len());
    let mut updated = 0;
    let documents = rows.iter().map(|a| serde_json::from_str(&a.rendered)).collect::<Result<Vec<Document>, _>>()?;
    // Every picture the feed's lists name, in one query.
    let blocks: Vec<Block> = documents.iter().flat_map(|d| d.blocks.iter().cloned()).collect();
    let pictures = super::articles::pictures_of(&state, &blocks, None).await?;
    for (a, document) in rows.into_iter().zip(documents) {
        let url = format!("{base}/articles/{}", a.slug);
        let changed = a.updated_at.unwrap_or(a.published_at).max(a.published_at);
        updated = updated.max(changed);
        entries.push(Entry {
            title: Text::plain(a.title),
            id: url.clone(),
            updated: time(changed),
            published: Some(time(a.published_at)),
            authors: vec![Person { name: a.author, ..Default::default() }],
            links: vec![link(url, "alternate")],
            summary: Some(Text::plain(a.description)),
            content: Some(Content {
                value: Some(crate::media::absolute(&crate::media::expand(&html_of(&document), &pictures), base)),
                content_type: Some("html".into()),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    Ok(atom(base, "Cuesheet: the latest lists".into(), "/feed.xml", "/", updated, entries))
}

/// An article's stored render as one HTML fragment (ranks written out).
fn html_of(document: &Document) -> String {
    let mut html = String::new();
    for block in &document.blocks {
        match block {
            Block::Prose { html: h } => html.push_str(h),
            Block::Section { level, html: h, .. } => html.push_str(&format!("<h{level}>{h}</h{level}>")),
            Block::Entry { level, html: h, body, rank, .. } => {
                let rank = rank.map(|r| format!("{r}. ")).unwrap_or_default();
                html.push_str(&format!("<h{level}>{rank}{h}</h{level}>{body}"));
            }
        }
    }
    html
}

/// `/sitemap.xml`: an index of the sitemap's parts ([`sitemap_part`]),
/// so that no file outgrows the protocol's 50,000 addresses however large
/// the archive.
pub async fn sitemap(state: Data<AppState>) -> Result<HttpResponse> {
    let mut w = XmlWriter::new("sitemapindex")?;
    for (section, parts) in db::sitemap::parts(&state.db, db::now()).await? {
        for n in 1..=parts {
            w.element("sitemap", &[("loc", format!("{}/sitemaps/{}-{n}.xml", state.base(), section.name()))])?;
        }
    }
    w.finish()
}

/// `/sitemaps/{section}-{n}.xml`: up to [`db::sitemap::PART_SIZE`] published
/// pages of one kind with their last change; the home page leads the first
/// part of the lists.
pub async fn sitemap_part(state: Data<AppState>, name: Path<String>) -> Result<HttpResponse> {
    let (section, number) = name
        .rsplit_once('-')
        .and_then(|(s, n)| Some((db::sitemap::Section::from_name(s)?, super::paging::number(Some(n)).ok()?)))
        .ok_or(Error::NotFound)?;
    let urls = db::sitemap::part(&state.db, section, number, db::now()).await?;
    if urls.is_empty() {
        return Err(Error::NotFound);
    }
    let home = if (section, number) == (db::sitemap::Section::Lists, 1) {
        Some(db::sitemap::Url { path: "/".into(), modified: state.db.content_modified_at().await? })
    } else {
        None
    };
    let mut w = XmlWriter::new("urlset")?;
    for url in home.into_iter().chain(urls) {
        w.element("url", &[("loc", format!("{}{}", state.base(), url.path)), ("lastmod", rfc3339(url.modified))])?;
    }
    w.finish()
}

/// A sitemap file: one root in the sitemaps namespace, elements of text children.
struct XmlWriter {
    w: quick_xml::Writer<Vec<u8>>,
    root: &'static str,
}

impl XmlWriter {
    fn new(root: &'static str) -> Result<Self> {
        use quick_xml::events::{BytesDecl, BytesStart, Event};
        let mut w = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 1);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))).map_err(xml_error)?;
        let start = BytesStart::new(root).with_attributes([("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9")]);
        w.write_event(Event::Start(start)).map_err(xml_error)?;
        Ok(XmlWriter { w, root })
    }

    /// `<name><child>text</child>...</name>`.
    fn element(&mut self, name: &str, children: &[(&str, String)]) -> Result<()> {
        use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
        self.w.write_event(Event::Start(BytesStart::new(name))).map_err(xml_error)?;
        for (tag, text) in children {
            self.w.write_event(Event::Start(BytesStart::new(*tag))).map_err(xml_error)?;
            self.w.write_event(Event::Text(BytesText::new(text))).map_err(xml_error)?;
            self.w.write_event(Event::End(BytesEnd::new(*tag))).map_err(xml_error)?;
        }
        self.w.write_event(Event::End(BytesEnd::new(name))).map_err(xml_error)
    }

    fn finish(mut self) -> Result<HttpResponse> {
        use quick_xml::events::{BytesEnd, Event};
        self.w.write_event(Event::End(BytesEnd::new(self.root))).map_err(xml_error)?;
        Ok(HttpResponse::Ok().insert_header((CONTENT_TYPE, "application/xml; charset=utf-8")).body(self.w.into_inner()))
    }
}

fn xml_error(e: std::io::Error) -> Error {
    Error::Internal(e.to_string())
}

/// `/robots.txt`: everything but the desk, and where the sitemap is.
pub async fn robots(state: Data<AppState>) -> HttpResponse {
    let body = format!("User-agent: *\nDisallow: /editor\n\nSitemap: {}/sitemap.xml\n", state.base());
    HttpResponse::Ok().insert_header((CONTENT_TYPE, "text/plain; charset=utf-8")).body(body)
}
