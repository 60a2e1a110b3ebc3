//! `/tags` (every topic, A–Z, in numbered pages) and `/tags/{slug}` (its lists, newest first).

use actix_web::web::{Data, Path, Query};
use askama::Template;
use askama_web::WebTemplate;

use super::AppState;
use super::articles::SummaryView;
use super::paging::{PageQuery, Pager};
use super::view::Meta;
use crate::db::{self, tags::TagCount};
use crate::error::{Error, Result};

#[derive(Template, WebTemplate)]
#[template(path = "tags/index.html")]
pub struct TagsPage {
    pub meta: Meta,
    pub tags: Vec<TagCount>,
    pub pager: Pager,
}

pub async fn index(state: Data<AppState>, query: Query<PageQuery>) -> Result<TagsPage> {
    let window = query.window(db::tags::PAGE_SIZE)?;
    let page = db::tags::index_page(&state.db, db::now(), window).await?;
    let pager = Pager::new("/tags", &page)?;
    Ok(TagsPage {
        meta: Meta::new("Topics", "Every topic Cuesheet's lists are filed under.").paged(state.base(), "/tags", &pager),
        tags: page.items,
        pager,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "tags/show.html")]
pub struct TagPage {
    pub meta: Meta,
    pub slug: String,
    pub name: String,
    pub articles: Vec<SummaryView>,
    pub pager: Pager,
}

pub async fn show(state: Data<AppState>, slug: Path<String>, query: Query<PageQuery>) -> Result<TagPage> {
    let db = &state.db;
    let window = query.window(db::articles::PAGE_SIZE)?;
    let tag = db::tags::by_slug(db, &slug).await?.ok_or(Error::NotFound)?;
    let page = db::articles::latest(db, db::now(), Some(tag.id), window).await?;
    if page.items.is_empty() {
        // A tag whose articles are all drafts does not exist yet for
        // readers; past its last page there is nothing either.
        return Err(Error::NotFound);
    }
    let path = format!("/tags/{}", tag.slug);
    let pager = Pager::new(&path, &page)?;
    Ok(TagPage {
        meta: Meta::new(&format!("Lists about {}", tag.name), &format!("Cuesheet lists filed under {}.", tag.name))
            .paged(state.base(), &path, &pager),
        slug: tag.slug,
        name: tag.name,
        articles: page.items.into_iter().map(SummaryView::from).collect(),
        pager,
    })
}
