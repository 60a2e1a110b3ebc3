//! Articles as readers see them: only published ones, newest first, paged by
//! keyset `(published_at, id)` so a page costs the same wherever it is.

use super::{Db, Result};

/// An article in a listing.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Summary {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub author: String,
    pub published_at: i64,
    pub list_style: String,
    pub entry_count: i64,
}

/// A page of a listing, and where the next one starts.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

/// A keyset position: the `(published_at, id)` of the last item shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub published_at: i64,
    pub id: i64,
}

impl Cursor {
    /// From `?before=1789376400-12`; anything else is the first page.
    pub fn parse(s: &str) -> Option<Self> {
        let (t, id) = s.split_once('-')?;
        Some(Cursor { published_at: t.parse().ok()?, id: id.parse().ok()? })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.published_at, self.id)
    }
}

pub const PAGE_SIZE: i64 = 10;

const LATEST: &str = "
select a.id, a.slug, a.title, a.description, a.author, a.published_at, a.list_style,
       (select count(*) from entries e where e.article_id = a.id) as entry_count
from articles a
where a.published_at <= $1 and (a.published_at < $2 or (a.published_at = $2 and a.id < $3))
order by a.published_at desc, a.id desc
limit $4";

const BY_TAG: &str = "
select a.id, a.slug, a.title, a.description, a.author, a.published_at, a.list_style,
       (select count(*) from entries e where e.article_id = a.id) as entry_count
from articles a join article_tags t on t.article_id = a.id
where t.tag_id = $5 and a.published_at <= $1 and (a.published_at < $2 or (a.published_at = $2 and a.id < $3))
order by a.published_at desc, a.id desc
limit $4";

/// Published articles, newest first; `tag` narrows to one tag.
pub async fn latest(db: &Db, now: i64, tag: Option<i64>, before: Option<Cursor>) -> Result<Page<Summary>> {
    let before = before.unwrap_or(Cursor { published_at: i64::MAX, id: i64::MAX });
    let query = sqlx::query_as(if tag.is_some() { BY_TAG } else { LATEST })
        .bind(now)
        .bind(before.published_at)
        .bind(before.id)
        .bind(PAGE_SIZE + 1);
    let query = match tag {
        Some(t) => query.bind(t),
        None => query,
    };
    let mut items: Vec<Summary> = query.fetch_all(&db.pool).await?;
    let next = if items.len() as i64 > PAGE_SIZE {
        items.truncate(PAGE_SIZE as usize);
        items.last().map(|s| Cursor { published_at: s.published_at, id: s.id })
    } else {
        None
    };
    Ok(Page { items, next })
}

/// An article page's own row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Article {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub author: String,
    pub published_at: i64,
    pub updated_at: Option<i64>,
    pub list_style: String,
    pub toc: i64,
    pub rendered: String,
}

const PUBLISHED: &str = "
select id, slug, title, description, author, published_at, updated_at, list_style, toc, rendered
from articles
where slug = $1 and published_at <= $2";

/// A published article by slug; drafts and scheduled articles are not found.
pub async fn published(db: &Db, slug: &str, now: i64) -> Result<Option<Article>> {
    sqlx::query_as(PUBLISHED).bind(slug).bind(now).fetch_optional(&db.pool).await
}

/// Where a record appears: one row per entry in a published article.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Appearance {
    pub article_slug: String,
    pub article_title: String,
    pub rank: Option<i64>,
    pub section: Option<String>,
    pub anchor: String,
    pub soundtrack_slug: String,
    pub film_title: String,
}

const APPEARANCES_OF_RECORD: &str = "
select a.slug as article_slug, a.title as article_title, e.rank, e.section, e.anchor,
       s.slug as soundtrack_slug, s.film_title
from entries e
join articles a on a.id = e.article_id
join soundtracks s on s.id = e.soundtrack_id
where e.soundtrack_id = $1 and a.published_at <= $2
order by a.published_at desc, a.id desc, e.position";

const APPEARANCES_OF_PERSON: &str = "
select a.slug as article_slug, a.title as article_title, e.rank, e.section, e.anchor,
       s.slug as soundtrack_slug, s.film_title
from entries e
join articles a on a.id = e.article_id
join soundtracks s on s.id = e.soundtrack_id
where e.soundtrack_id in (select soundtrack_id from credits where person_id = $1) and a.published_at <= $2
order by a.published_at desc, a.id desc, e.position";

/// Every published entry of one record.
pub async fn appearances_of_record(db: &Db, soundtrack_id: i64, now: i64) -> Result<Vec<Appearance>> {
    sqlx::query_as(APPEARANCES_OF_RECORD).bind(soundtrack_id).bind(now).fetch_all(&db.pool).await
}

/// Every published entry of a record a person is credited on.
pub async fn appearances_of_person(db: &Db, person_id: i64, now: i64) -> Result<Vec<Appearance>> {
    sqlx::query_as(APPEARANCES_OF_PERSON).bind(person_id).bind(now).fetch_all(&db.pool).await
}
