//! `/` (latest lists) and `/articles/{slug}` (one list).

use actix_web::web::{Data, Path, Query};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::AppState;
use super::view::{CardView, Date, Meta, count};
use crate::content::markdown::{Block, Document, TocItem};
use crate::db::{self, articles::Cursor};
use crate::error::{Error, Result};

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub before: Option<String>,
}

/// An article in a listing.
pub struct SummaryView {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub author: String,
    pub date: Date,
    pub entries: String,
}

impl From<db::articles::Summary> for SummaryView {
    fn from(s: db::articles::Summary) -> Self {
        let entries = match s.list_style.as_str() {
            "none" => String::new(),
            _ => count(s.entry_count, "entry", "entries"),
        };
        SummaryView {
            slug: s.slug,
            title: s.title,
            description: s.description,
            author: s.author,
            date: Date::from_unix(s.published_at),
            entries,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "articles/index.html")]
pub struct HomePage {
    pub meta: Meta,
    pub articles: Vec<SummaryView>,
    pub next: Option<String>,
    pub paged: bool,
}

pub async fn home(state: Data<AppState>, query: Query<ListQuery>) -> Result<HomePage> {
    let before = query.before.as_deref().map(|b| Cursor::parse(b).ok_or(Error::NotFound)).transpose()?;
    let page = db::articles::latest(&state.db, db::now(), None, before).await?;
    Ok(HomePage {
        meta: Meta::new(
            "Lists about music in film",
            "Soundtrack lists and guides: the scores and songs that carry their films.",
        ),
        articles: page.items.into_iter().map(SummaryView::from).collect(),
        next: page.next.map(|c| c.to_string()),
        paged: before.is_some(),
    })
}

/// A block of the article, joined to its record card.
pub enum Part {
    Prose { html: String },
    Section { level: u8, id: String, html: String },
    Entry { level: u8, id: String, html: String, body: String, rank: Option<u32>, card: Option<Box<CardView>> },
}

pub struct TagLink {
    pub slug: String,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "articles/show.html")]
pub struct ArticlePage {
    pub meta: Meta,
    pub title: String,
    pub description: String,
    pub author: String,
    pub published: Date,
    pub updated: Option<Date>,
    pub ranked: bool,
    pub entry_count: usize,
    pub toc: Vec<TocItem>,
    pub parts: Vec<Part>,
    pub tags: Vec<TagLink>,
}

pub async fn show(state: Data<AppState>, slug: Path<String>) -> Result<ArticlePage> {
    let db = &state.db;
    let article = db::articles::published(db, &slug, db::now()).await?.ok_or(Error::NotFound)?;
    let document: Document = serde_json::from_str(&article.rendered)?;
    let (cards, tags) =
        tokio::join!(db::soundtracks::cards_of_article(db, article.id), db::tags::of_article(db, article.id));
    let (cards, tags) = (cards?, tags?);
    let mut entry_count = 0;
    let parts = document
        .blocks
        .into_iter()
        .map(|b| match b {
            Block::Prose { html } => Part::Prose { html },
            Block::Section { level, id, html } => Part::Section { level, id, html },
            Block::Entry { level, id, html, body, soundtrack, rank, .. } => {
                entry_count += 1;
                let card =
                    cards.values().find(|c| c.soundtrack.slug == soundtrack).map(|c| Box::new(CardView::from(c)));
                Part::Entry { level, id, html, body, rank, card }
            }
        })
        .collect();
    Ok(ArticlePage {
        meta: Meta::new(&article.title, &article.description),
        title: article.title,
        description: article.description,
        author: article.author,
        published: Date::from_unix(article.published_at),
        updated: article.updated_at.filter(|&u| u > article.published_at).map(Date::from_unix),
        ranked: article.list_style == "ranked",
        entry_count,
        toc: if article.toc == 1 { document.toc } else { Vec::new() },
        parts,
        tags: tags.into_iter().map(|t| TagLink { slug: t.slug, name: t.name }).collect(),
    })
}
