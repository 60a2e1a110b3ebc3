//! `/tags` (every topic) and `/tags/{slug}` (its lists, newest first).

use actix_web::web::{Data, Path, Query};
use askama::Template;
use askama_web::WebTemplate;

use super::AppState;
use super::articles::{ListQuery, SummaryView};
use super::view::Meta;
use crate::db::{self, articles::Cursor, tags::TagCount};
use crate::error::{Error, Result};

#[derive(Template, WebTemplate)]
#[template(path = "tags/index.html")]
pub struct TagsPage {
    pub meta: Meta,
    pub tags: Vec<TagCount>,
}

pub async fn index(state: Data<AppState>) -> Result<TagsPage> {
    Ok(TagsPage {
        meta: Meta::new("Topics", "Every topic Cuesheet's lists are filed under.").at(state.base(), "/tags"),
        tags: db::tags::all(&state.db, db::now()).await?,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "tags/show.html")]
pub struct TagPage {
    pub meta: Meta,
    pub slug: String,
    pub name: String,
    pub articles: Vec<SummaryView>,
    pub next: Option<String>,
}

pub async fn show(state: Data<AppState>, slug: Path<String>, query: Query<ListQuery>) -> Result<TagPage> {
    let db = &state.db;
    let tag = db::tags::by_slug(db, &slug).await?.ok_or(Error::NotFound)?;
    let before = query.before.as_deref().map(|b| Cursor::parse(b).ok_or(Error::NotFound)).transpose()?;
    let page = db::articles::latest(db, db::now(), Some(tag.id), before).await?;
    if page.items.is_empty() && before.is_none() {
        // A tag whose articles are all drafts does not exist yet for readers.
        return Err(Error::NotFound);
    }
    Ok(TagPage {
        meta: Meta::new(&format!("Lists about {}", tag.name), &format!("Cuesheet lists filed under {}.", tag.name))
            .at(state.base(), &format!("/tags/{}", tag.slug)),
        slug: tag.slug,
        name: tag.name,
        articles: page.items.into_iter().map(SummaryView::from).collect(),
        next: page.next.map(|c| c.to_string()),
    })
}
