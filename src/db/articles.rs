//! Articles as readers see them: only published ones, newest first, in
//! numbered pages (see [`super::paging`]) whose offset walks the
//! `(published_at, id)` index alone, so page 1,000 costs about what page 1 does.

use std::collections::HashMap;

use super::bulk::{self, Rows, Table};
use super::paging::{Page, Window};
use super::{Db, Result, search};
use crate::content;
use crate::content::markdown::{ListOrder, ListStyle};

/// An article in a listing.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Summary {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub author: String,
    pub published_at: i64,
    #[sqlx(try_from = "String")]
    pub list_style: ListStyle,
    pub entry_count: i64,
    pub comment_count: i64,
}

/// Articles in a listing.
pub const PAGE_SIZE: i64 = 10;

// The inner query picks the page's ids from the index (the rows it skips
// are index entries only); the outer one joins and counts for those ten.
pub(crate) const LATEST: &str = "
select a.id, a.slug, a.title, a.description, a.author, a.published_at, a.list_style,
       (select count(*) from entries e where e.article_id = a.id) as entry_count,
       (select count(*) from comments c where c.article_id = a.id and c.status = 'approved') as comment_count
from (select id, published_at from articles where published_at <= $1
      order by published_at desc, id desc limit $2 offset $3) p
join articles a on a.id = p.id
order by p.published_at desc, p.id desc";

pub(crate) const BY_TAG: &str = "
select a.id, a.slug, a.title, a.description, a.author, a.published_at, a.list_style,
       (select count(*) from entries e where e.article_id = a.id) as entry_count,
       (select count(*) from comments c where c.article_id = a.id and c.status = 'approved') as comment_count
from (select x.id, x.published_at from article_tags t join articles x on x.id = t.article_id
      where t.tag_id = $4 and x.published_at <= $1
      order by x.published_at desc, x.id desc limit $2 offset $3) p
join articles a on a.id = p.id
order by p.published_at desc, p.id desc";

/// One page of published articles, newest first; `tag` narrows to one tag.
pub async fn latest(db: &Db, now: i64, tag: Option<i64>, window: Window) -> Result<Page<Summary>> {
    let query = sqlx::query_as(if tag.is_some() { BY_TAG } else { LATEST })
        .bind(now)
        .bind(window.limit())
        .bind(window.offset());
    let query = match tag {
        Some(t) => query.bind(t),
        None => query,
    };
    Ok(window.page(query.fetch_all(&db.pool).await?))
}

// A count of at most one row, as `exists` would be a boolean on PostgreSQL.
const ANY_PUBLISHED: &str = "select count(*) from (select 1 from articles where published_at <= $1 limit 1) x";

/// Whether readers have anything to see yet.
pub async fn any_published(db: &Db, now: i64) -> Result<bool> {
    Ok(sqlx::query_scalar::<_, i64>(ANY_PUBLISHED).bind(now).fetch_one(&db.pool).await? != 0)
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
    #[sqlx(try_from = "String")]
    pub list_style: ListStyle,
    #[sqlx(try_from = "String")]
    pub list_order: ListOrder,
    pub toc: i64,
    pub rendered: String,
    /// The feature picture's name and description.
    pub feature: Option<String>,
    pub feature_alt: Option<String>,
}

const PUBLISHED: &str = "
select id, slug, title, description, author, published_at, updated_at, list_style, list_order, toc, rendered,
       feature, feature_alt
from articles
where slug = $1 and published_at <= $2";

/// A published article by slug; drafts and scheduled articles are not found.
pub async fn published(db: &Db, slug: &str, now: i64) -> Result<Option<Article>> {
    sqlx::query_as(PUBLISHED).bind(slug).bind(now).fetch_optional(&db.pool).await
}

/// A published article, named.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArticleRef {
    pub id: i64,
    pub slug: String,
}

const PUBLISHED_REF: &str = "select id, slug from articles where slug = $1 and published_at <= $2";

/// [`published`], only its id and slug (for a comment posted to it).
pub async fn published_ref(db: &Db, slug: &str, now: i64) -> Result<Option<ArticleRef>> {
    sqlx::query_as(PUBLISHED_REF).bind(slug).bind(now).fetch_optional(&db.pool).await
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

/// Appearances on a record's or a person's page.
pub const APPEARANCES_PAGE_SIZE: i64 = 20;

pub(crate) const APPEARANCES_OF_RECORD: &str = "
select a.slug as article_slug, a.title as article_title, e.rank, e.section, e.anchor,
       s.slug as soundtrack_slug, s.film_title
from entries e
join articles a on a.id = e.article_id
join soundtracks s on s.id = e.soundtrack_id
where e.soundtrack_id = $1 and a.published_at <= $2
order by a.published_at desc, a.id desc, e.position
limit $3 offset $4";

pub(crate) const APPEARANCES_OF_PERSON: &str = "
select a.slug as article_slug, a.title as article_title, e.rank, e.section, e.anchor,
       s.slug as soundtrack_slug, s.film_title
from entries e
join articles a on a.id = e.article_id
join soundtracks s on s.id = e.soundtrack_id
where e.soundtrack_id in (select soundtrack_id from credits where person_id = $1) and a.published_at <= $2
order by a.published_at desc, a.id desc, e.position
limit $3 offset $4";

/// One page of the published entries of one record, newest list first.
pub async fn appearances_of_record(db: &Db, soundtrack_id: i64, now: i64, window: Window) -> Result<Page<Appearance>> {
    appearances(db, APPEARANCES_OF_RECORD, soundtrack_id, now, window).await
}

/// One page of the published entries of the records a person is credited
/// on, newest list first.
pub async fn appearances_of_person(db: &Db, person_id: i64, now: i64, window: Window) -> Result<Page<Appearance>> {
    appearances(db, APPEARANCES_OF_PERSON, person_id, now, window).await
}

/// One page of appearances from `sql`, which takes the record's or person's
/// id, the time, the limit and the offset.
async fn appearances(db: &Db, sql: &'static str, id: i64, now: i64, window: Window) -> Result<Page<Appearance>> {
    let rows =
        sqlx::query_as(sql).bind(id).bind(now).bind(window.limit()).bind(window.offset()).fetch_all(&db.pool).await?;
    Ok(window.page(rows))
}

const ENTRIES: &str = "select anchor, heading from entries where article_id = $1 order by position";

/// `(anchor, heading)` of every entry, in order.
pub async fn entries(db: &Db, article_id: i64) -> Result<Vec<(String, String)>> {
    sqlx::query_as(ENTRIES).bind(article_id).fetch_all(&db.pool).await
}

const SLUG: &str = "select slug from articles where id = $1";

pub async fn slug(db: &Db, id: i64) -> Result<Option<String>> {
    sqlx::query_scalar(SLUG).bind(id).fetch_optional(&db.pool).await
}

/// An article on the desk: every status.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeskRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub published_at: Option<i64>,
    pub submitted_at: Option<i64>,
    pub modified_at: i64,
    pub entry_count: i64,
    pub comment_count: i64,
    pub pending_count: i64,
}

const DESK: &str = "
select a.id, a.slug, a.title, a.published_at, a.submitted_at, a.modified_at,
       (select count(*) from entries e where e.article_id = a.id) as entry_count,
       (select count(*) from comments c where c.article_id = a.id and c.status = 'approved') as comment_count,
       (select count(*) from comments c where c.article_id = a.id and c.status = 'pending') as pending_count
from articles a
order by a.modified_at desc, a.id desc limit $1 offset $2";

/// Articles on a page of the desk's dashboard.
pub const DESK_PAGE_SIZE: i64 = 50;

/// A page of every article, most recently changed first (the offset walks
/// the `articles_modified` index).
pub async fn desk(db: &Db, window: Window) -> Result<Page<DeskRow>> {
    let rows = sqlx::query_as(DESK).bind(window.limit()).bind(window.offset()).fetch_all(&db.pool).await?;
    Ok(window.page(rows))
}

/// How an article is written from the editor desk (files are written in
/// bulk by [`write_files`]).
#[derive(Debug, Clone, Copy)]
pub enum Write {
    /// A new article made in the editor desk.
    WebNew,
    /// An existing article changed in the editor desk, over `version` (the
    /// one the editor's form was opened at); the import will not overwrite
    /// it from its file.
    WebUpdate { id: i64, version: i64 },
}

/// Articles from `content/`, with the file's hash so an unchanged file is
/// skipped next time.
const FILE_ROWS: Table = Table {
    name: "articles",
    columns: &[
        "slug",
        "title",
        "description",
        "author",
        "published_at",
        "updated_at",
        "list_style",
        "list_order",
        "toc",
        "feature",
        "feature_alt",
        "body",
        "rendered",
        "origin",
        "origin_hash",
        "edited_at",
        "modified_at",
        "toc_choice",
    ],
    suffix: "on conflict (slug) do update set
    title = excluded.title, description = excluded.description, author = excluded.author,
    published_at = excluded.published_at, updated_at = excluded.updated_at, list_style = excluded.list_style,
    list_order = excluded.list_order, toc = excluded.toc, feature = excluded.feature,
    feature_alt = excluded.feature_alt, body = excluded.body, rendered = excluded.rendered,
    origin = 'file', origin_hash = excluded.origin_hash, edited_at = null, modified_at = excluded.modified_at,
    toc_choice = excluded.toc_choice, version = articles.version + 1
returning slug, id",
};
const INSERT_WEB: &str = "
insert into articles (slug, title, description, author, published_at, updated_at, list_style, list_order, toc,
                      body, rendered, origin, origin_hash, edited_at, modified_at, toc_choice, feature, feature_alt)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'web', null, $12, $12, $13, $14, $15)
returning id";
const UPDATE_WEB: &str = "
update articles set slug = $1, title = $2, description = $3, author = $4, published_at = $5, updated_at = $6,
    list_style = $7, list_order = $8, toc = $9, body = $10, rendered = $11, edited_at = $12, modified_at = $12,
    toc_choice = $13, feature = $14, feature_alt = $15, version = version + 1
where id = $16 and version = $17
returning id";
const DELETE_ENTRIES: &str = "delete from entries where article_id in ({list})";
const DELETE_ARTICLE_TAGS: &str = "delete from article_tags where article_id in ({list})";
const ENTRY_ROWS: Table = Table {
    name: "entries",
    columns: &["article_id", "position", "soundtrack_id", "rank", "section", "anchor", "heading"],
    suffix: "",
};
const TAG_ROWS: Table = Table {
    name: "tags",
    columns: &["slug", "name"],
    suffix: "on conflict (slug) do update set name = excluded.name returning slug, id",
};
const ARTICLE_TAGS: Table =
    Table { name: "article_tags", columns: &["article_id", "tag_id"], suffix: "on conflict do nothing" };

/// Byline for articles whose front matter names no author.
pub const DEFAULT_AUTHOR: &str = "Cuesheet editors";

/// What an article's row holds beyond its front matter, made from the
/// article alone: apart from the database, so an import makes it for every
/// article on every core before it writes.
#[derive(Debug)]
pub struct Derived {
    /// The rendered document, as the `rendered` column stores it.
    rendered: String,
    search: search::Text,
}

impl Derived {
    pub fn of(a: &content::Article) -> Result<Self> {
        let rendered = serde_json::to_string(&a.rendered.document).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        Ok(Derived { rendered, search: search::Text::of_article(a) })
    }
}

fn author(a: &content::Article) -> &str {
    let author = a.front.author.trim();
    if author.is_empty() { DEFAULT_AUTHOR } else { author }
}

fn toc(a: &content::Article) -> i64 {
    i64::from(a.front.toc.unwrap_or(a.rendered.long))
}

/// Writes one article made or changed in the editor desk, with its entries,
/// tags and search row, inside the caller's transaction; returns its id, or
/// `None` when a desk update finds the article at another version than its
/// form's (someone saved meanwhile).
/// Entries whose record is not in `soundtrack_ids` are left out (a draft
/// that names one cannot be published while that stands).
pub async fn write(
    tx: &mut sqlx::AnyConnection,
    a: &content::Article,
    soundtrack_ids: &HashMap<String, i64>,
    how: Write,
    stamp: i64,
) -> Result<Option<i64>> {
    let derived = Derived::of(a)?;
    let sql = match how {
        Write::WebNew => INSERT_WEB,
        Write::WebUpdate { .. } => UPDATE_WEB,
    };
    let query = sqlx::query_scalar(sql)
        .bind(&a.slug)
        .bind(a.front.title.trim())
        .bind(a.front.description.trim())
        .bind(author(a))
        .bind(a.published.map(|t| t.timestamp()))
        .bind(a.updated.map(|t| t.timestamp()))
        .bind(a.front.list.as_str())
        .bind(a.front.order.as_str())
        .bind(toc(a))
        .bind(&a.body)
        .bind(derived.rendered)
        .bind(stamp)
        .bind(a.front.toc.map(i64::from))
        .bind(&a.front.feature)
        .bind(&a.front.feature_alt);
    let query = match how {
        Write::WebUpdate { id, version } => query.bind(id).bind(version),
        Write::WebNew => query,
    };
    let Some(id): Option<i64> = query.fetch_optional(&mut *tx).await? else {
        return Ok(None);
    };
    let mut docs = Rows::new(&search::DOCS);
    docs.push(search::article_row(id, a, derived.search));
    docs.execute(&mut *tx).await?;
    replace_entries_and_tags(tx, &[(id, a)], soundtrack_ids, Unknown::Skip).await?;
    Ok(Some(id))
}

const ADDRESS: &str = "select slug, published_at from articles where id = $1";

/// An article's slug and publish time, read inside a write's transaction
/// (a rename of a published article keeps its old address answering).
pub async fn address(tx: &mut sqlx::AnyConnection, id: i64) -> Result<Option<(String, Option<i64>)>> {
    sqlx::query_as(ADDRESS).bind(id).fetch_optional(tx).await
}

/// What the desk needs of an article besides its text.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct DeskState {
    /// Every write adds one; a desk form carries the one it was opened at.
    pub version: i64,
    pub published_at: Option<i64>,
    pub submitted_at: Option<i64>,
    pub modified_at: i64,
    /// Set by every desk save, cleared when an import writes the file's text.
    pub edited_at: Option<i64>,
}

const DESK_STATE: &str =
    "select version, published_at, submitted_at, modified_at, edited_at from articles where id = $1";

pub async fn desk_state(db: &Db, id: i64) -> Result<Option<DeskState>> {
    sqlx::query_as(DESK_STATE).bind(id).fetch_optional(&db.pool).await
}

const SET_SUBMITTED: &str = "update articles set submitted_at = $2 where id = $1";

/// Marks an article submitted for review at `at`, or clears the mark.
pub async fn set_submitted(tx: &mut sqlx::AnyConnection, id: i64, at: Option<i64>) -> Result<()> {
    sqlx::query(SET_SUBMITTED).bind(id).bind(at).execute(tx).await.map(|_| ())
}

/// Writes articles from `content/` (each with its [`Derived`] values and
/// file hash), their entries, tags and search rows, inside the caller's
/// transaction, in a few statements per table whatever their number. An
/// entry whose record is not in `soundtrack_ids` is an error.
pub async fn write_files(
    tx: &mut sqlx::AnyConnection,
    files: Vec<(&content::Article, Derived)>,
    soundtrack_ids: &HashMap<String, i64>,
    stamp: i64,
) -> Result<()> {
    let mut rows = Rows::new(&FILE_ROWS);
    let mut texts = Vec::with_capacity(files.len());
    for (a, derived) in files {
        rows.push([
            a.slug.as_str().into(),
            a.front.title.trim().into(),
            a.front.description.trim().into(),
            author(a).into(),
            a.published.map(|t| t.timestamp()).into(),
            a.updated.map(|t| t.timestamp()).into(),
            a.front.list.as_str().into(),
            a.front.order.as_str().into(),
            toc(a).into(),
            (&a.front.feature).into(),
            (&a.front.feature_alt).into(),
            a.body.as_str().into(),
            derived.rendered.into(),
            "file".into(),
            a.hash.as_str().into(),
            None::<i64>.into(),
            stamp.into(),
            a.front.toc.map(i64::from).into(),
        ]);
        texts.push((a, derived.search));
    }
    let ids: HashMap<String, i64> = rows.fetch_all::<(String, i64)>(&mut *tx).await?.into_iter().collect();
    let mut docs = Rows::new(&search::DOCS);
    let mut written = Vec::with_capacity(texts.len());
    for (a, text) in texts {
        let id = *ids.get(&a.slug).ok_or(sqlx::Error::RowNotFound)?;
        docs.push(search::article_row(id, a, text));
        written.push((id, a));
    }
    docs.execute(&mut *tx).await?;
    replace_entries_and_tags(tx, &written, soundtrack_ids, Unknown::Refuse).await
}

/// What to do with an entry whose record does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unknown {
    Skip,
    Refuse,
}

/// Replaces the entries and tags of these articles.
async fn replace_entries_and_tags(
    tx: &mut sqlx::AnyConnection,
    articles: &[(i64, &content::Article)],
    soundtrack_ids: &HashMap<String, i64>,
    unknown: Unknown,
) -> Result<()> {
    let ids: Vec<i64> = articles.iter().map(|(id, _)| *id).collect();
    bulk::execute_in(&mut *tx, DELETE_ENTRIES, &ids).await?;
    bulk::execute_in(&mut *tx, DELETE_ARTICLE_TAGS, &ids).await?;
    let mut entries = Rows::new(&ENTRY_ROWS);
    // Each tag once, where it first appears, with its last spelling.
    let mut tags: Vec<(String, &str)> = Vec::new();
    let mut tag_at: HashMap<String, usize> = HashMap::new();
    for &(id, a) in articles {
        let mut position = 0_i64;
        for e in &a.rendered.entries {
            let Some(&soundtrack) = soundtrack_ids.get(&e.soundtrack) else {
                if unknown == Unknown::Refuse {
                    return Err(sqlx::Error::RowNotFound);
                }
                continue;
            };
            entries.push([
                id.into(),
                position.into(),
                soundtrack.into(),
                e.rank.map(i64::from).into(),
                (&e.section).into(),
                e.anchor.as_str().into(),
                e.heading.as_str().into(),
            ]);
            position += 1;
        }
        for name in &a.front.tags {
            let slug = crate::content::slugify(name);
            if slug.is_empty() {
                continue;
            }
            match tag_at.get(&slug) {
                Some(&i) => tags[i].1 = name.trim(),
                None => {
                    tag_at.insert(slug.clone(), tags.len());
                    tags.push((slug, name.trim()));
                }
            }
        }
    }
    entries.execute(&mut *tx).await?;
    if tags.is_empty() {
        return Ok(());
    }
    let mut rows = Rows::new(&TAG_ROWS);
    for (slug, name) in &tags {
        rows.push([slug.as_str().into(), (*name).into()]);
    }
    let tag_ids: HashMap<String, i64> = rows.fetch_all::<(String, i64)>(&mut *tx).await?.into_iter().collect();
    let mut links = Rows::new(&ARTICLE_TAGS);
    for &(id, a) in articles {
        for name in &a.front.tags {
            if let Some(&tag) = tag_ids.get(&crate::content::slugify(name)) {
                links.push([id.into(), tag.into()]);
            }
        }
    }
    links.execute(tx).await
}

const ID_BY_SLUG: &str = "select id from articles where slug = $1";

/// The id of the article with this slug, published or not.
pub async fn id_by_slug(db: &Db, slug: &str) -> Result<Option<i64>> {
    sqlx::query_scalar(ID_BY_SLUG).bind(slug).fetch_optional(&db.pool).await
}

/// Another published list a record of this article appears in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlsoIn {
    pub soundtrack_slug: String,
    pub article_slug: String,
    pub article_title: String,
    pub anchor: String,
}

/// Other lists named on a record card at most; the record's page lists them all.
pub const ALSO_IN_PER_RECORD: i64 = 5;

// The newest few per record: a record in hundreds of lists would otherwise
// put every one of them on every card (a megabyte page at 100,000 lists).
pub(crate) const ALSO_IN: &str = "
select soundtrack_slug, article_slug, article_title, anchor from (
    select s.slug as soundtrack_slug, a.slug as article_slug, a.title as article_title, e.anchor,
           a.published_at, a.id,
           row_number() over (partition by e.soundtrack_id order by a.published_at desc, a.id desc) as n
    from entries e
    join articles a on a.id = e.article_id
    join soundtracks s on s.id = e.soundtrack_id
    where e.soundtrack_id in (select soundtrack_id from entries where article_id = $1)
      and e.article_id <> $1 and a.published_at <= $2) x
where n <= $3
order by published_at desc, id desc";

/// For each record of an article, the newest other published lists it is in.
pub async fn also_in(db: &Db, article_id: i64, now: i64) -> Result<Vec<AlsoIn>> {
    sqlx::query_as(ALSO_IN).bind(article_id).bind(now).bind(ALSO_IN_PER_RECORD).fetch_all(&db.pool).await
}

/// A related article and how much it shares.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Related {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub shared: i64,
}

const RELATED: &str = "
select a.slug, a.title, a.description, count(*) as shared
from articles a
join (select e2.article_id as other from entries e1
      join entries e2 on e2.soundtrack_id = e1.soundtrack_id
      where e1.article_id = $1 and e2.article_id <> $1
      union all
      select t2.article_id as other from article_tags t1
      join article_tags t2 on t2.tag_id = t1.tag_id
      where t1.article_id = $1 and t2.article_id <> $1) x on x.other = a.id
where a.published_at <= $2
group by a.id, a.slug, a.title, a.description, a.published_at
order by shared desc, a.published_at desc, a.id desc
limit 4";

/// Published articles that share records or tags with this one, most first.
pub async fn related(db: &Db, article_id: i64, now: i64) -> Result<Vec<Related>> {
    sqlx::query_as(RELATED).bind(article_id).bind(now).fetch_all(&db.pool).await
}

const FEED: &str = "
select id, slug, title, description, author, published_at, updated_at, list_style, list_order, toc, rendered,
       feature, feature_alt
from articles where published_at <= $1
order by published_at desc, id desc limit $2";

/// The latest published articles, whole.
pub async fn feed(db: &Db, now: i64, limit: i64) -> Result<Vec<Article>> {
    sqlx::query_as(FEED).bind(now).bind(limit).fetch_all(&db.pool).await
}

const EXISTING_IN: &str = "select slug from articles where id <> $1 and slug in ({list})";

/// Which of these slugs are articles other than `except` (any status).
pub async fn existing_slugs(db: &Db, except: Option<i64>, slugs: &[String]) -> Result<Vec<String>> {
    // Ids start at 1, so 0 excludes nothing.
    let rows: Vec<(String,)> = super::fetch_list(db, EXISTING_IN, Some(except.unwrap_or(0)), slugs).await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// What a list's share card shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CardHead {
    pub id: i64,
    pub title: String,
    pub description: String,
    #[sqlx(try_from = "String")]
    pub list_style: ListStyle,
}

/// An entry on a list's share card, with what its record's sleeve is made of.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CardEntry {
    pub rank: Option<i64>,
    pub heading: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub kind: crate::content::record::Kind,
    pub film_year: i64,
}

const CARD_HEAD: &str = "
select id, title, description, list_style from articles where slug = $1 and published_at <= $2";

const CARD_ENTRIES: &str = "
select e.rank, e.heading, s.title, s.kind, s.film_year
from entries e join soundtracks s on s.id = e.soundtrack_id
where e.article_id = $1
order by e.position
limit $2";

const ENTRY_COUNT: &str = "select count(*) from entries where article_id = $1";

/// A published list's title and its first `limit` entries, and how many it has.
pub async fn card(db: &Db, slug: &str, now: i64, limit: i64) -> Result<Option<(CardHead, Vec<CardEntry>, i64)>> {
    let Some(head): Option<CardHead> = sqlx::query_as(CARD_HEAD).bind(slug).bind(now).fetch_optional(&db.pool).await?
    else {
        return Ok(None);
    };
    let entries = sqlx::query_as(CARD_ENTRIES).bind(head.id).bind(limit).fetch_all(&db.pool).await?;
    let count = sqlx::query_scalar(ENTRY_COUNT).bind(head.id).fetch_one(&db.pool).await?;
    Ok(Some((head, entries, count)))
}
