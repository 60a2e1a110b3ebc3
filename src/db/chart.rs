//! The chart: every record ranked by its places across all published ranked
//! lists. An entry at rank `r` of a ranking of `n` entries (a ranked list,
//! or one ranked section of a guide) earns `(n - r + 1) / n` points: first
//! place 1, last `1/n`, so a long list does not outweigh a short one. A
//! record's score is the sum over the published ranked lists it is in; ties
//! go to more lists, then the better single place, then the title.
//!
//! The score is kept, not computed per request: the `chart` table holds each
//! record's points (in millionths, rounded per entry, so sums compare exactly
//! on both backends), lists and best place, and is written in the same
//! transaction as every write that changes a published list: the records a
//! desk save touches (its old entries and its new), everything at the end of
//! an import or a demo archive (one statement). A scheduled list needs no
//! write to fall due, so `chart_until` says up to when every due list is
//! counted, and the first read after a list falls due counts it
//! ([`catch_up`]): an index lookup when nothing is due, which is always but
//! once per scheduled list. Pages walk the `chart_order` index; a record's
//! position is one plus the records ahead of it, counted by index ranges.

use super::paging::{Page, Window};
use super::{Db, Result};

/// Records on a page of `/chart`.
pub const PAGE_SIZE: i64 = 25;

/// Lists named under one record on `/chart` at most ("and N more").
pub const LISTS_PER_RECORD: i64 = 5;

/// One point, in the units `chart.points` counts.
pub const POINT: i64 = 1_000_000;

/// The chart rows of the records `$records` (a condition on `soundtrack_id`),
/// from the ranked lists published by `$1`; `$lists` narrows the rankings
/// measured to the lists those records are in (a condition on `article_id`).
macro_rules! score {
    ($records:expr, $lists:expr) => {
        concat!(
            "insert into chart (soundtrack_id, points, lists, best, title)
select e.soundtrack_id,
       sum(((l.n - e.rank + 1) * 2000000 + l.n) / (2 * l.n)),
       count(distinct e.article_id), min(e.rank), s.title
from entries e
join articles a on a.id = e.article_id
join (select article_id, coalesce(section, '') as section, max(rank) as n from entries
      where rank is not null and ",
            $lists,
            "
      group by article_id, coalesce(section, '')) l
  on l.article_id = e.article_id and l.section = coalesce(e.section, '')
join soundtracks s on s.id = e.soundtrack_id
where ",
            $records,
            " and e.rank is not null and a.list_style = 'ranked' and a.published_at <= $1
group by e.soundtrack_id, s.title"
        )
    };
}

/// The records of the lists published after `$2` and by `$1`.
macro_rules! due {
    () => {
        "soundtrack_id in (select soundtrack_id from entries where article_id in
    (select id from articles where published_at > $2 and published_at <= $1))"
    };
}

/// The records `{list}` stands for (numbered placeholders).
macro_rules! some {
    () => {
        "soundtrack_id in ({list})"
    };
}

const CLEAR_ALL: &str = "delete from chart";
const SCORE_ALL: &str = score!("1 = 1", "1 = 1");
const CLEAR_DUE: &str = concat!("delete from chart where ", due!());
const SCORE_DUE: &str =
    score!(concat!("e.", due!()), concat!("article_id in (select article_id from entries where ", due!(), ")"));
const CLEAR_SOME: &str = concat!("delete from chart where ", some!());
const SCORE_SOME: &str =
    score!(concat!("e.", some!()), concat!("article_id in (select article_id from entries where ", some!(), ")"));

const SET_UNTIL: &str = "update site_state set value = $1 where name = 'chart_until'";
/// Taken first in a catch-up: its row lock makes concurrent catch-ups on
/// PostgreSQL wait their turn (SQLite's writer already does).
const LOCK_UNTIL: &str = "update site_state set value = value where name = 'chart_until'";
const UNTIL: &str = "select value from site_state where name = 'chart_until'";
// A count of at most one row, answered from the `articles_published` index.
pub(crate) const PENDING: &str = "
select count(*) from (select 1 from articles
    where published_at > (select value from site_state where name = 'chart_until') and published_at <= $1
    limit 1) x";

/// Scores every record again, counting the lists published by `now`: one
/// statement, for an import or a generated archive.
pub async fn rebuild(tx: &mut sqlx::AnyConnection, now: i64) -> Result<()> {
    sqlx::query(CLEAR_ALL).execute(&mut *tx).await?;
    sqlx::query(SCORE_ALL).bind(now).execute(&mut *tx).await?;
    sqlx::query(SET_UNTIL).bind(now).execute(&mut *tx).await?;
    Ok(())
}

/// Ids bound per statement of [`refresh`]: each is written twice.
const REFRESH_CHUNK: usize = 400;

/// Scores these records again (the ones a write added to or took from a
/// list), counting the lists published by `now`.
pub async fn refresh(tx: &mut sqlx::AnyConnection, ids: &[i64], now: i64) -> Result<()> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(REFRESH_CHUNK) {
        // `$N` placeholders: both backends read `$2` as the second value
        // wherever it appears, so the list is bound once and used twice.
        let clear = CLEAR_SOME.replace("{list}", &placeholders(1, chunk.len()));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(clear));
        for id in chunk {
            query = query.bind(*id);
        }
        query.execute(&mut *tx).await?;
        let score = SCORE_SOME.replace("{list}", &placeholders(2, chunk.len()));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(score)).bind(now);
        for id in chunk {
            query = query.bind(*id);
        }
        query.execute(&mut *tx).await?;
    }
    Ok(())
}

/// `$first, ...`: `n` numbered placeholders.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

const OF_ARTICLE: &str = "select soundtrack_id from entries where article_id = $1";

/// The records an article lists now: read before and after a write, they
/// are what [`refresh`] must score again.
pub async fn records_of(tx: &mut sqlx::AnyConnection, article_id: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(OF_ARTICLE).bind(article_id).fetch_all(tx).await
}

const RETITLE: &str = "
update chart set title = (select s.title from soundtracks s where s.id = chart.soundtrack_id)
where soundtrack_id in (select id from soundtracks where slug = $1)";

/// Keeps a record's title, the last tie-break, as the record has it.
pub async fn retitle(tx: &mut sqlx::AnyConnection, slug: &str) -> Result<()> {
    sqlx::query(RETITLE).bind(slug).execute(tx).await.map(|_| ())
}

/// Counts the lists that fell due since the last count. Called by every
/// read of the chart; costs one indexed lookup when none did.
pub async fn catch_up(db: &Db, now: i64) -> Result<()> {
    let pending: i64 = sqlx::query_scalar(PENDING).bind(now).fetch_one(&db.pool).await?;
    if pending == 0 {
        return Ok(());
    }
    let mut tx = db.begin_write().await?;
    sqlx::query(LOCK_UNTIL).execute(&mut *tx).await?;
    let until: i64 = sqlx::query_scalar(UNTIL).fetch_one(&mut *tx).await?;
    if until < now {
        sqlx::query(CLEAR_DUE).bind(now).bind(until).execute(&mut *tx).await?;
        sqlx::query(SCORE_DUE).bind(now).bind(until).execute(&mut *tx).await?;
        sqlx::query(SET_UNTIL).bind(now).execute(&mut *tx).await?;
    }
    tx.commit().await
}

/// A record on the chart.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub soundtrack_id: i64,
    pub points: i64,
    pub lists: i64,
    pub best: i64,
    pub slug: String,
    pub title: String,
    pub film_title: String,
    pub film_year: i64,
}

// The inner query takes the page from the order index alone.
pub(crate) const PAGE: &str = "
select c.soundtrack_id, c.points, c.lists, c.best, s.slug, s.title, s.film_title, s.film_year
from (select soundtrack_id, points, lists, best, title from chart
      order by points desc, lists desc, best, title, soundtrack_id limit $1 offset $2) c
join soundtracks s on s.id = c.soundtrack_id
order by c.points desc, c.lists desc, c.best, c.title, c.soundtrack_id";

/// One page of the chart, best first (its first row is at position
/// `window.offset() + 1`).
pub async fn page(db: &Db, now: i64, window: Window) -> Result<Page<Row>> {
    catch_up(db, now).await?;
    let rows = sqlx::query_as(PAGE).bind(window.limit()).bind(window.offset()).fetch_all(&db.pool).await?;
    Ok(window.page(rows))
}

/// A list behind a record's score, with the record's place there.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Place {
    pub soundtrack_id: i64,
    pub article_slug: String,
    pub article_title: String,
    pub anchor: String,
    pub rank: i64,
    pub section: Option<String>,
}

// The best few places of each record, then the newest lists.
const PLACES: &str = "
select soundtrack_id, article_slug, article_title, anchor, rank, section from (
    select e.soundtrack_id, a.slug as article_slug, a.title as article_title, e.anchor, e.rank, e.section,
           row_number() over (partition by e.soundtrack_id
                              order by e.rank, a.published_at desc, a.id desc) as n
    from entries e
    join articles a on a.id = e.article_id
    where e.soundtrack_id in ({list}) and e.rank is not null and a.list_style = 'ranked'
      and a.published_at <= $1) x
where n <= $2
order by soundtrack_id, n";

/// The best [`LISTS_PER_RECORD`] places of each of these records.
pub async fn places(db: &Db, now: i64, ids: &[i64]) -> Result<Vec<Place>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = PLACES.replace("{list}", &placeholders(3, ids.len()));
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(now).bind(LISTS_PER_RECORD);
    for id in ids {
        query = query.bind(*id);
    }
    query.fetch_all(&db.pool).await
}

/// Where a record stands.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Standing {
    /// From 1.
    pub position: i64,
    pub points: i64,
    pub lists: i64,
}

// One plus the records ahead: four ranges of the order index.
pub(crate) const STANDING: &str = "
select 1 + (select count(*) from chart x where x.points > c.points)
         + (select count(*) from chart x where x.points = c.points and x.lists > c.lists)
         + (select count(*) from chart x where x.points = c.points and x.lists = c.lists and x.best < c.best)
         + (select count(*) from chart x where x.points = c.points and x.lists = c.lists and x.best = c.best
                and (x.title < c.title or (x.title = c.title and x.soundtrack_id < c.soundtrack_id)))
         as position,
       c.points, c.lists
from chart c where c.soundtrack_id = $1";

/// A record's position on the chart; `None` when no published ranked list
/// has it.
pub async fn standing(db: &Db, now: i64, soundtrack_id: i64) -> Result<Option<Standing>> {
    catch_up(db, now).await?;
    sqlx::query_as(STANDING).bind(soundtrack_id).fetch_optional(&db.pool).await
}
