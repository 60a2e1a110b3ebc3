//! Tags: the editors' topics, each with a page of its articles.

use super::paging::{Page, Window};
use super::{Db, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Tag {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// A tag with how many published articles carry it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TagCount {
    pub slug: String,
    pub name: String,
    pub articles: i64,
}

const BY_SLUG: &str = "select id, slug, name from tags where slug = $1";
const OF_ARTICLE: &str = "
select t.id, t.slug, t.name from tags t join article_tags at on at.tag_id = t.id
where at.article_id = $1 order by t.name";
/// Topics on a page of `/tags`.
pub const PAGE_SIZE: i64 = 100;

// By slug, the order of a unique index, so the offset walks the index;
// each topic's count reads only its own rows.
pub(crate) const INDEX_PAGE: &str = "
select t.slug, t.name,
       (select count(*) from article_tags at join articles a on a.id = at.article_id
        where at.tag_id = t.id and a.published_at <= $1) as articles
from tags t
where exists (select 1 from article_tags at join articles a on a.id = at.article_id
              where at.tag_id = t.id and a.published_at <= $1)
order by t.slug limit $2 offset $3";

pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<Tag>> {
    sqlx::query_as(BY_SLUG).bind(slug).fetch_optional(&db.pool).await
}

pub async fn of_article(db: &Db, article_id: i64) -> Result<Vec<Tag>> {
    sqlx::query_as(OF_ARTICLE).bind(article_id).fetch_all(&db.pool).await
}

/// A page of the tags that have at least one published article.
pub async fn index_page(db: &Db, now: i64, window: Window) -> Result<Page<TagCount>> {
    let rows =
        sqlx::query_as(INDEX_PAGE).bind(now).bind(window.limit()).bind(window.offset()).fetch_all(&db.pool).await?;
    Ok(window.page(rows))
}

const PUBLISHED_IN: &str = "
select t.slug from tags t
where t.slug in ({list})
  and exists (select 1 from article_tags at join articles a on a.id = at.article_id
              where at.tag_id = t.id and a.published_at <= $1)";

/// Which of these slugs are tags of a published article (have a page).
pub async fn existing_slugs(db: &Db, slugs: &[String], now: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = super::fetch_list(db, PUBLISHED_IN, Some(now), slugs).await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

const USED_IN: &str = "
select t.slug from tags t
where t.slug in ({list})
  and exists (select 1 from article_tags at where at.tag_id = t.id and at.article_id <> $1)";

/// Which of these slugs are tags of an article other than `except`.
pub async fn used_slugs(db: &Db, except: Option<i64>, slugs: &[String]) -> Result<Vec<String>> {
    // Ids start at 1, so 0 excludes nothing.
    let rows: Vec<(String,)> = super::fetch_list(db, USED_IN, Some(except.unwrap_or(0)), slugs).await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}
