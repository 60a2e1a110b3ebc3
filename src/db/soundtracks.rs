//! Soundtrack records with their credits, tracks and facts: the data of a
//! record card. Cards for a whole article load in four queries, however many
//! entries it has.

use std::collections::HashMap;

use super::{Db, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Soundtrack {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub kind: String,
    pub film_title: String,
    pub film_year: i64,
    pub released: Option<String>,
    pub label: Option<String>,
    pub catalogue_number: Option<String>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credit {
    pub soundtrack_id: i64,
    pub role: String,
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
    pub fn people(&self, role: &str) -> Vec<&Credit> {
        self.credits.iter().filter(|c| c.role == role).collect()
    }
}

/// The four queries of a set of cards; `$1` selects the set.
macro_rules! card_queries {
    ($ids:literal) => {
        [
            concat!(
                "select id, slug, title, kind, film_title, film_year, released, label, catalogue_number, summary
                 from soundtracks where id in ",
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

async fn load_cards(db: &Db, sql: &[&'static str; 4], key: i64) -> Result<HashMap<i64, Card>> {
    let records: Vec<Soundtrack> = sqlx::query_as(sql[0]).bind(key).fetch_all(&db.pool).await?;
    let credits: Vec<Credit> = sqlx::query_as(sql[1]).bind(key).fetch_all(&db.pool).await?;
    let tracks: Vec<Track> = sqlx::query_as(sql[2]).bind(key).fetch_all(&db.pool).await?;
    let facts: Vec<Fact> = sqlx::query_as(sql[3]).bind(key).fetch_all(&db.pool).await?;
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
    Ok(cards)
}

/// A record in the A–Z index.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listing {
    pub slug: String,
    pub title: String,
    pub kind: String,
    pub film_title: String,
    pub film_year: i64,
}

const ALL: &str = "select slug, title, kind, film_title, film_year from soundtracks order by film_title, film_year";

/// Every record, by film title.
pub async fn all(db: &Db) -> Result<Vec<Listing>> {
    sqlx::query_as(ALL).fetch_all(&db.pool).await
}
