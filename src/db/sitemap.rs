//! The sitemap's addresses, one section per kind of page, in numbered parts
//! of at most [`PART_SIZE`] addresses (the protocol allows 50,000 per file;
//! WordPress writes 2,000, which keeps every part small enough to cache).

use super::paging::Window;
use super::{Db, Result};

/// Addresses per sitemap file.
pub const PART_SIZE: i64 = 2_000;

/// A kind of public page, and the part of the sitemap that lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Lists,
    Soundtracks,
    People,
    Topics,
}

impl Section {
    pub const ALL: [Section; 4] = [Section::Lists, Section::Soundtracks, Section::People, Section::Topics];

    /// The name in the part's address (`/sitemaps/{name}-{n}.xml`).
    pub fn name(self) -> &'static str {
        match self {
            Section::Lists => "lists",
            Section::Soundtracks => "soundtracks",
            Section::People => "people",
            Section::Topics => "topics",
        }
    }

    fn dated(self) -> bool {
        matches!(self, Section::Lists | Section::Topics)
    }

    pub fn from_name(name: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The part's query and the count's; those of lists and topics take
    /// the time (what is published by then) as `$1`.
    fn sql(self) -> (&'static str, &'static str) {
        match self {
            Section::Lists => (LISTS, LISTS_COUNT),
            Section::Soundtracks => (SOUNDTRACKS, SOUNDTRACKS_COUNT),
            Section::People => (PEOPLE, PEOPLE_COUNT),
            Section::Topics => (TOPICS, TOPICS_COUNT),
        }
    }
}

/// An address of the sitemap and when what it shows last changed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Url {
    pub path: String,
    pub modified: i64,
}

// Each in the order of a unique index: `[now,] limit, offset`.
pub(crate) const LISTS: &str = "
select '/articles/' || slug as path, modified_at as modified from articles
where published_at <= $1 order by slug limit $2 offset $3";
const LISTS_COUNT: &str = "select count(*) from articles where published_at <= $1";
pub(crate) const SOUNDTRACKS: &str = "
select '/soundtracks/' || slug as path, modified_at as modified from soundtracks
order by slug limit $1 offset $2";
const SOUNDTRACKS_COUNT: &str = "select count(*) from soundtracks";
// A person's page changes with their records.
pub(crate) const PEOPLE: &str = "
select '/people/' || p.slug as path,
       (select max(s.modified_at) from credits c join soundtracks s on s.id = c.soundtrack_id
        where c.person_id = p.id) as modified
from people p
where exists (select 1 from credits c where c.person_id = p.id)
order by p.slug limit $1 offset $2";
const PEOPLE_COUNT: &str =
    "select count(*) from people p where exists (select 1 from credits c where c.person_id = p.id)";
// A topic's page changes with its newest published list.
pub(crate) const TOPICS: &str = "
select '/tags/' || t.slug as path,
       (select max(a.modified_at) from article_tags at join articles a on a.id = at.article_id
        where at.tag_id = t.id and a.published_at <= $1) as modified
from tags t
where exists (select 1 from article_tags at join articles a on a.id = at.article_id
              where at.tag_id = t.id and a.published_at <= $1)
order by t.slug limit $2 offset $3";
const TOPICS_COUNT: &str = "
select count(*) from tags t
where exists (select 1 from article_tags at join articles a on a.id = at.article_id
              where at.tag_id = t.id and a.published_at <= $1)";

/// How many parts each section has (a section with nothing to list has none).
pub async fn parts(db: &Db, now: i64) -> Result<Vec<(Section, i64)>> {
    let mut parts = Vec::new();
    for section in Section::ALL {
        let query = sqlx::query_scalar(section.sql().1);
        let query = if section.dated() { query.bind(now) } else { query };
        let count: i64 = query.fetch_one(&db.pool).await?;
        parts.push((section, (count + PART_SIZE - 1) / PART_SIZE));
    }
    Ok(parts)
}

/// Part `number` (from 1) of a section; empty past its last part.
pub async fn part(db: &Db, section: Section, number: i64, now: i64) -> Result<Vec<Url>> {
    let window = Window::new(number, PART_SIZE);
    let query = sqlx::query_as(section.sql().0);
    let query = if section.dated() { query.bind(now) } else { query };
    query.bind(window.size).bind(window.offset()).fetch_all(&db.pool).await
}
