//! Soundtrack records with their credits, tracks and facts: the data of a
//! record card. Cards for a whole article load in four queries, however many
//! entries it has.

use std::collections::HashMap;

use super::bulk::{self, Rows, Table};
use super::paging::{Page, Window};
use super::{Db, Result, search};
use crate::content::Record;
use crate::content::record::{Kind, Role};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Soundtrack {
    pub id: i64,
    pub slug: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    pub film_title: String,
    pub film_year: i64,
    pub released: Option<String>,
    pub label: Option<String>,
    pub catalogue_number: Option<String>,
    pub summary: Option<String>,
    /// The cover's description, when the record gives one.
    pub cover_alt: Option<String>,
    /// The cover picture's name and row, when it has one that exists.
    pub cover: Option<String>,
    pub cover_hash: Option<String>,
    pub cover_width: Option<i64>,
    pub cover_height: Option<i64>,
    pub cover_widths: Option<String>,
    pub cover_fallback: Option<String>,
}

impl Soundtrack {
    /// The record's cover picture, when it has one: the one place that
    /// decides what picture stands for a record.
    pub fn cover_picture(&self) -> Option<crate::media::Picture> {
        Some(crate::media::Picture {
            name: self.cover.clone()?,
            hash: self.cover_hash.clone()?,
            format: String::new(),
            width: self.cover_width?,
            height: self.cover_height?,
            widths: self.cover_widths.clone()?,
            fallback: self.cover_fallback.clone()?,
            alt: self.cover_alt.clone().unwrap_or_else(|| format!("Cover of {}", self.title)),
            bytes: 0,
            variant_bytes: 0,
        })
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credit {
    pub soundtrack_id: i64,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Track {
    pub soundtrack_id: i64,
    pub title: String,
    pub artist: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct Fact {
    soundtrack_id: i64,
    body: String,
}

/// Everything a record card or page shows.
#[derive(Debug, Clone)]
pub struct Card {
    pub soundtrack: Soundtrack,
    pub credits: Vec<Credit>,
    pub tracks: Vec<Track>,
    pub facts: Vec<String>,
}

impl Card {
    /// The people credited in one role, in order.
    pub fn people(&self, role: Role) -> Vec<&Credit> {
        self.credits.iter().filter(|c| c.role == role).collect()
    }
}

/// The four queries of a set of cards; `$1` selects the set.
macro_rules! card_queries {
    ($ids:literal) => {
        [
            concat!(
                "select s.id, s.slug, s.title, s.kind, s.film_title, s.film_year, s.released, s.label,
                        s.catalogue_number, s.summary, s.cover_alt, m.name as cover, m.hash as cover_hash,
                        m.width as cover_width, m.height as cover_height, m.widths as cover_widths,
                        m.fallback as cover_fallback
                 from soundtracks s left join media m on m.name = s.cover where s.id in ",
                $ids
            ),
            concat!(
                "select c.soundtrack_id, c.role, p.slug, p.name from credits c join people p on p.id = c.person_id
                 where c.soundtrack_id in ",
                $ids,
                " order by c.soundtrack_id, c.role, c.position"
            ),
            concat!(
                "select soundtrack_id, title, artist, note from tracks where soundtrack_id in ",
                $ids,
                " order by soundtrack_id, position"
            ),
            concat!(
                "select soundtrack_id, body from facts where soundtrack_id in ",
                $ids,
                " order by soundtrack_id, position"
            ),
        ]
    };
}

const OF_ARTICLE: [&str; 4] = card_queries!("(select soundtrack_id from entries where article_id = $1)");
const BY_ID: [&str; 4] = card_queries!("($1)");
const ID_BY_SLUG: &str = "select id from soundtracks where slug = $1";

/// The cards of every record an article lists, by soundtrack id.
pub async fn cards_of_article(db: &Db, article_id: i64) -> Result<HashMap<i64, Card>> {
    load_cards(db, &OF_ARTICLE, article_id).await
}

/// One record's card, by slug.
pub async fn card(db: &Db, slug: &str) -> Result<Option<Card>> {
    let Some(id): Option<i64> = sqlx::query_scalar(ID_BY_SLUG).bind(slug).fetch_optional(&db.pool).await? else {
        return Ok(None);
    };
    Ok(load_cards(db, &BY_ID, id).await?.remove(&id))
}

const BY_SLUGS: [&str; 4] = card_queries!("(select id from soundtracks where slug in ({list}))");

/// The cards of the records with these slugs (those that exist), by
/// soundtrack id: four queries however many there are.
pub async fn cards_by_slugs(db: &Db, slugs: &[String]) -> Result<HashMap<i64, Card>> {
    let records: Vec<Soundtrack> = super::fetch_list(db, BY_SLUGS[0], None, slugs).await?;
    let credits: Vec<Credit> = super::fetch_list(db, BY_SLUGS[1], None, slugs).await?;
    let tracks: Vec<Track> = super::fetch_list(db, BY_SLUGS[2], None, slugs).await?;
    let facts: Vec<Fact> = super::fetch_list(db, BY_SLUGS[3], None, slugs).await?;
    Ok(assemble(records, credits, tracks, facts))
}

async fn load_cards(db: &Db, sql: &[&'static str; 4], key: i64) -> Result<HashMap<i64, Card>> {
    let records: Vec<Soundtrack> = sqlx::query_as(sql[0]).bind(key).fetch_all(&db.pool).await?;
    let credits: Vec<Credit> = sqlx::query_as(sql[1]).bind(key).fetch_all(&db.pool).await?;
    let tracks: Vec<Track> = sqlx::query_as(sql[2]).bind(key).fetch_all(&db.pool).await?;
    let facts: Vec<Fact> = sqlx::query_as(sql[3]).bind(key).fetch_all(&db.pool).await?;
    Ok(assemble(records, credits, tracks, facts))
}

/// Cards from their rows.
fn assemble(
    records: Vec<Soundtrack>,
    credits: Vec<Credit>,
    tracks: Vec<Track>,
    facts: Vec<Fact>,
) -> HashMap<i64, Card> {
    let mut cards: HashMap<i64, Card> = records
        .into_iter()
        .map(|s| (s.id, Card { soundtrack: s, credits: Vec::new(), tracks: Vec::new(), facts: Vec::new() }))
        .collect();
    for c in credits {
        if let Some(card) = cards.get_mut(&c.soundtrack_id) {
            card.credits.push(c);
        }
    }
    for t in tracks {
        if let Some(card) = cards.get_mut(&t.soundtrack_id) {
            card.tracks.push(t);
        }
    }
    for f in facts {
        if let Some(card) = cards.get_mut(&f.soundtrack_id) {
            card.facts.push(f.body);
        }
    }
    cards
}

/// A record in the A–Z index.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listing {
    pub slug: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    pub film_title: String,
    pub film_year: i64,
}

/// Records on a page of the A–Z index.
pub const PAGE_SIZE: i64 = 100;

// In the order of the `soundtracks_film` index (ties by id, which the
// index holds too), so the offset walks the index.
pub(crate) const INDEX_PAGE: &str = "
select slug, title, kind, film_title, film_year from soundtracks
order by film_title, film_year, id limit $1 offset $2";

/// One page of the A–Z index (the public one and the desk's).
pub async fn index_page(db: &Db, window: Window) -> Result<Page<Listing>> {
    let rows = sqlx::query_as(INDEX_PAGE).bind(window.limit()).bind(window.offset()).fetch_all(&db.pool).await?;
    Ok(window.page(rows))
}

/// How a record is written from the editor desk (files are written in bulk
/// by [`write_files`]).
#[derive(Debug, Clone, Copy)]
pub enum Write {
    WebNew,
    /// Records keep their slug for life: articles refer to them by it.
    WebUpdate,
}

/// Records from `content/`, with the file's hash (see [`super::articles`]).
const FILE_ROWS: Table = Table {
    name: "soundtracks",
    columns: &[
        "slug",
        "title",
        "kind",
        "film_title",
        "film_year",
        "released",
        "label",
        "catalogue_number",
        "summary",
        "cover",
        "cover_alt",
        "origin",
        "origin_hash",
        "edited_at",
        "modified_at",
    ],
    suffix: "on conflict (slug) do update set
    title = excluded.title, kind = excluded.kind, film_title = excluded.film_title,
    film_year = excluded.film_year, released = excluded.released, label = excluded.label,
    catalogue_number = excluded.catalogue_number, summary = excluded.summary, cover = excluded.cover,
    cover_alt = excluded.cover_alt, origin = 'file',
    origin_hash = excluded.origin_hash, edited_at = null, modified_at = excluded.modified_at
returning slug, id",
};
const INSERT_WEB: &str = "
insert into soundtracks (slug, title, kind, film_title, film_year, released, label, catalogue_number, summary,
                         origin, origin_hash, edited_at, modified_at, cover, cover_alt)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'web', null, $10, $10, $11, $12)
returning id";
const UPDATE_WEB: &str = "
update soundtracks set title = $2, kind = $3, film_title = $4, film_year = $5, released = $6, label = $7,
    catalogue_number = $8, summary = $9, edited_at = $10, modified_at = $10, cover = $11, cover_alt = $12
where slug = $1
returning id";
const PEOPLE: Table = Table {
    name: "people",
    columns: &["slug", "name"],
    suffix: "on conflict (slug) do update set name = excluded.name returning slug, id",
};
const DELETE_CREDITS: &str = "delete from credits where soundtrack_id in ({list})";
const DELETE_TRACKS: &str = "delete from tracks where soundtrack_id in ({list})";
const DELETE_FACTS: &str = "delete from facts where soundtrack_id in ({list})";
const CREDITS: Table =
    Table { name: "credits", columns: &["soundtrack_id", "role", "position", "person_id"], suffix: "" };
const TRACKS: Table =
    Table { name: "tracks", columns: &["soundtrack_id", "position", "title", "artist", "note"], suffix: "" };
const FACTS: Table = Table { name: "facts", columns: &["soundtrack_id", "position", "body"], suffix: "" };
const DELETE_ORPHAN_PEOPLE: &str =
    "delete from people where not exists (select 1 from credits where credits.person_id = people.id)";

/// Removes people no record credits any more (their pages would be empty).
pub async fn delete_orphan_people(tx: &mut sqlx::AnyConnection) -> Result<()> {
    sqlx::query(DELETE_ORPHAN_PEOPLE).execute(tx).await.map(|_| ())
}

/// Writes one record made or changed in the editor desk and replaces its
/// credits, tracks, facts and search row, inside the caller's transaction;
/// returns its id.
pub async fn write(tx: &mut sqlx::AnyConnection, r: &Record, how: Write, stamp: i64) -> Result<i64> {
    let sql = match how {
        Write::WebNew => INSERT_WEB,
        Write::WebUpdate => UPDATE_WEB,
    };
    let id: i64 = sqlx::query_scalar(sql)
        .bind(&r.slug)
        .bind(&r.title)
        .bind(r.kind.as_str())
        .bind(&r.film.title)
        .bind(r.film.year)
        .bind(&r.released)
        .bind(&r.label)
        .bind(&r.catalogue_number)
        .bind(&r.summary)
        .bind(stamp)
        .bind(&r.cover)
        .bind(&r.cover_alt)
        .fetch_one(&mut *tx)
        .await?;
    let mut docs = Rows::new(&search::DOCS);
    docs.push(search::record_row(id, r, search::Text::of_record(r)));
    docs.execute(&mut *tx).await?;
    replace_details(tx, &[(id, r)]).await?;
    if matches!(how, Write::WebUpdate) {
        delete_orphan_people(&mut *tx).await?;
    }
    Ok(id)
}

/// Writes records from `content/` (each with its search text), their
/// credits, tracks, facts and search rows, inside the caller's transaction,
/// in a few statements per table whatever their number.
pub async fn write_files(tx: &mut sqlx::AnyConnection, files: Vec<(&Record, search::Text)>, stamp: i64) -> Result<()> {
    let mut rows = Rows::new(&FILE_ROWS);
    for (r, _) in &files {
        rows.push([
            r.slug.as_str().into(),
            r.title.as_str().into(),
            r.kind.as_str().into(),
            r.film.title.as_str().into(),
            r.film.year.into(),
            (&r.released).into(),
            (&r.label).into(),
            (&r.catalogue_number).into(),
            (&r.summary).into(),
            (&r.cover).into(),
            (&r.cover_alt).into(),
            "file".into(),
            r.hash.as_str().into(),
            None::<i64>.into(),
            stamp.into(),
        ]);
    }
    let ids: HashMap<String, i64> = rows.fetch_all::<(String, i64)>(&mut *tx).await?.into_iter().collect();
    let mut docs = Rows::new(&search::DOCS);
    let mut written = Vec::with_capacity(files.len());
    for (r, text) in files {
        let id = *ids.get(&r.slug).ok_or(sqlx::Error::RowNotFound)?;
        docs.push(search::record_row(id, r, text));
        written.push((id, r));
    }
    docs.execute(&mut *tx).await?;
    replace_details(tx, &written).await
}

/// Replaces the credits, tracks and facts of these records; the people
/// they credit are made or renamed as they go.
async fn replace_details(tx: &mut sqlx::AnyConnection, records: &[(i64, &Record)]) -> Result<()> {
    let ids: Vec<i64> = records.iter().map(|(id, _)| *id).collect();
    for sql in [DELETE_CREDITS, DELETE_TRACKS, DELETE_FACTS] {
        bulk::execute_in(&mut *tx, sql, &ids).await?;
    }
    // Each person once, where first credited, with the last spelling of
    // their name (as writing them one credit at a time would leave it).
    let mut people: Vec<(String, &str)> = Vec::new();
    let mut person_at: HashMap<String, usize> = HashMap::new();
    let credits: Vec<Vec<(Role, String)>> = records
        .iter()
        .map(|(_, r)| r.credits().into_iter().map(|(role, name)| (role, crate::content::slugify(name))).collect())
        .collect();
    for ((_, r), slugs) in records.iter().zip(&credits) {
        for ((_, name), (_, slug)) in r.credits().into_iter().zip(slugs) {
            match person_at.get(slug) {
                Some(&i) => people[i].1 = name.trim(),
                None => {
                    person_at.insert(slug.clone(), people.len());
                    people.push((slug.clone(), name.trim()));
                }
            }
        }
    }
    let mut rows = Rows::new(&PEOPLE);
    for (slug, name) in &people {
        rows.push([slug.as_str().into(), (*name).into()]);
    }
    let person_ids: HashMap<String, i64> = rows.fetch_all::<(String, i64)>(&mut *tx).await?.into_iter().collect();
    let (mut c, mut t, mut f) = (Rows::new(&CREDITS), Rows::new(&TRACKS), Rows::new(&FACTS));
    for ((id, r), slugs) in records.iter().zip(&credits) {
        let mut positions: HashMap<Role, i64> = HashMap::new();
        for &(role, ref slug) in slugs {
            let person = *person_ids.get(slug).ok_or(sqlx::Error::RowNotFound)?;
            let position = positions.entry(role).or_default();
            c.push([(*id).into(), role.as_str().into(), (*position).into(), person.into()]);
            *position += 1;
        }
        for (i, track) in (0_i64..).zip(&r.tracks) {
            t.push([(*id).into(), i.into(), track.title.as_str().into(), (&track.artist).into(), (&track.note).into()]);
        }
        for (i, fact) in (0_i64..).zip(&r.facts) {
            f.push([(*id).into(), i.into(), fact.as_str().into()]);
        }
    }
    for rows in [c, t, f] {
        rows.execute(&mut *tx).await?;
    }
    Ok(())
}

/// Records whose film or album title contains `q` (any case), for the picker.
pub async fn search(db: &Db, q: &str) -> Result<Vec<Listing>> {
    const SQL: &str = "
    select slug, title, kind, film_title, film_year from soundtracks
    where lower(film_title) like $1 or lower(title) like $1 or slug like $1
    order by film_title, film_year limit 20";
    let pattern = format!("%{}%", q.trim().to_lowercase().replace(['%', '_'], ""));
    sqlx::query_as(SQL).bind(pattern).fetch_all(&db.pool).await
}

/// `LIKE` pattern of an inline `[text](soundtrack:slug)` link.
fn inline_pattern(slug: &str) -> String {
    format!("%(soundtrack:{slug})%")
}

/// Articles that list or link a record, by title (any status).
pub async fn used_by(db: &Db, slug: &str) -> Result<Vec<(i64, String)>> {
    const SQL: &str = "
    select a.id, a.title from articles a
    where exists (select 1 from entries e join soundtracks s on s.id = e.soundtrack_id
                  where e.article_id = a.id and s.slug = $1)
       or a.body like $2
    order by a.title";
    sqlx::query_as(SQL).bind(slug).bind(inline_pattern(slug)).fetch_all(&db.pool).await
}

/// Deletes a record no article lists; false when one does (or it is gone).
pub async fn delete_unused(db: &Db, slug: &str) -> Result<bool> {
    const SQL: &str = "
    delete from soundtracks where slug = $1
    and not exists (select 1 from entries e where e.soundtrack_id = soundtracks.id)
    and not exists (select 1 from articles a where a.body like $2)
    returning id";
    let mut tx = db.begin_write().await?;
    let deleted: Option<i64> =
        sqlx::query_scalar(SQL).bind(slug).bind(inline_pattern(slug)).fetch_optional(&mut *tx).await?;
    if let Some(id) = deleted {
        super::search::remove(&mut tx, super::search::DocKind::Record, id).await?;
        delete_orphan_people(&mut tx).await?;
        super::bump_content_version(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(deleted.is_some())
}

/// A record's slug, album title and film title, and who made the film and
/// its music (director, composers, music supervisors, in the record's
/// order): what the content check compares headings and paragraphs with.
#[derive(Debug, Clone, PartialEq)]
pub struct Titles {
    pub slug: String,
    pub title: String,
    pub film_title: String,
    pub makers: Vec<String>,
}

/// One row per maker of each record (one row with no maker for a record
/// that credits none), the rows of a record together, its director first.
const TITLES: &str = "
select s.slug, s.title, s.film_title, p.name
from soundtracks s
left join credits c on c.soundtrack_id = s.id and c.role in ('director', 'composer', 'music_supervisor')
left join people p on p.id = c.person_id
order by s.id, case c.role when 'director' then 0 when 'composer' then 1 else 2 end, c.position";

/// The titles and makers of every record, in one query however many there are.
pub async fn titles(db: &Db) -> Result<Vec<Titles>> {
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(TITLES).fetch_all(&db.pool).await?;
    let mut out: Vec<Titles> = Vec::new();
    for (slug, title, film_title, maker) in rows {
        if out.last().is_none_or(|t| t.slug != slug) {
            out.push(Titles { slug, title, film_title, makers: Vec::new() });
        }
        if let (Some(t), Some(name)) = (out.last_mut(), maker) {
            t.makers.push(name);
        }
    }
    Ok(out)
}

const IDS_IN: &str = "select slug, id from soundtracks where slug in ({list})";

/// The ids of the records with these slugs (those that exist).
pub async fn ids_by_slugs(db: &Db, slugs: &[String]) -> Result<HashMap<String, i64>> {
    Ok(super::fetch_list::<(String, i64)>(db, IDS_IN, None, slugs).await?.into_iter().collect())
}

/// Every record's id by slug.
pub async fn all_ids(db: &Db) -> Result<HashMap<String, i64>> {
    const SQL: &str = "select slug, id from soundtracks";
    Ok(sqlx::query_as::<_, (String, i64)>(SQL).fetch_all(&db.pool).await?.into_iter().collect())
}

/// What a record's generated sleeve is made of.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SleeveSource {
    pub title: String,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    pub film_year: i64,
}

const SLEEVE: &str = "select title, kind, film_year from soundtracks where slug = $1";

/// The title, kind and film year of a record, for its sleeve.
pub async fn sleeve(db: &Db, slug: &str) -> Result<Option<SleeveSource>> {
    sqlx::query_as(SLEEVE).bind(slug).fetch_optional(&db.pool).await
}
