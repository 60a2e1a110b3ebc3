//! Atom feeds, built with `atom_syndication`: `/comments.xml` (the site's
//! latest approved comments) and `/articles/{slug}/comments.xml` (one
//! article's). Emails never appear in them.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::{Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use chrono::DateTime;

use super::AppState;
use super::articles;
use crate::db::{self, comments::FeedItem};
use crate::error::Result;

/// Comments per feed.
const FEED_SIZE: i64 = 50;

fn time(ts: i64) -> FixedDateTime {
    DateTime::from_timestamp(ts, 0).unwrap_or_default().fixed_offset()
}

/// `scheme://host` of this request, for absolute links.
fn origin(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

fn link(href: String, rel: &str) -> Link {
    Link { href, rel: rel.into(), ..Default::default() }
}

fn feed(req: &HttpRequest, title: String, self_path: &str, page_path: &str, items: Vec<FeedItem>) -> HttpResponse {
    let base = origin(req);
    let updated = items.iter().map(|i| i.edited_at.unwrap_or(i.created_at)).max().unwrap_or_default();
    let entries: Vec<Entry> = items
        .into_iter()
        .map(|i| {
            let url = format!("{base}/articles/{}#comment-{}", i.article_slug, i.id);
            Entry {
                title: Text::plain(format!("{} on “{}”", i.author, i.article_title)),
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
    let mut f = Feed::default();
    f.set_title(Text::plain(title));
    f.set_id(format!("{base}{self_path}"));
    f.set_updated(time(updated));
    f.set_links(vec![link(format!("{base}{self_path}"), "self"), link(format!("{base}{page_path}"), "alternate")]);
    f.set_entries(entries);
    HttpResponse::Ok().insert_header((CONTENT_TYPE, "application/atom+xml; charset=utf-8")).body(f.to_string())
}

pub async fn site_comments(req: HttpRequest, state: Data<AppState>) -> Result<HttpResponse> {
    let items = db::comments::feed(&state.db, db::now(), None, FEED_SIZE).await?;
    Ok(feed(&req, "Comments on Cuesheet".into(), "/comments.xml", "/", items))
}

pub async fn article_comments(req: HttpRequest, state: Data<AppState>, slug: Path<String>) -> Result<HttpResponse> {
    let article = articles::load(&state, &slug).await?;
    let items = db::comments::feed(&state.db, db::now(), Some(article.id), FEED_SIZE).await?;
    let page = format!("/articles/{}", article.slug);
    Ok(feed(&req, format!("Comments on “{}”", article.title), &format!("{page}/comments.xml"), &page, items))
}
