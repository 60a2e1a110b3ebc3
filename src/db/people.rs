//! People: composers, directors, music supervisors and artists.

use super::{Db, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// A record a person is credited on, and as what.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Work {
    #[sqlx(try_from = "String")]
    pub role: crate::content::record::Role,
    pub slug: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub kind: crate::content::record::Kind,
    pub film_title: String,
    pub film_year: i64,
}

const BY_SLUG: &str = "select id, slug, name from people where slug = $1";
pub(crate) const WORKS: &str = "
select c.role, s.slug, s.title, s.kind, s.film_title, s.film_year
from credits c join soundtracks s on s.id = c.soundtrack_id
where c.person_id = $1
order by s.film_year, s.film_title, c.role";

pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<Person>> {
    sqlx::query_as(BY_SLUG).bind(slug).fetch_optional(&db.pool).await
}

/// Every credit of a person, oldest film first.
pub async fn works(db: &Db, person_id: i64) -> Result<Vec<Work>> {
    sqlx::query_as(WORKS).bind(person_id).fetch_all(&db.pool).await
}

const EXISTING_IN: &str = "select slug from people where slug in ({list})";

/// Which of these slugs are people some record credits.
pub async fn existing_slugs(db: &Db, slugs: &[String]) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = super::fetch_list(db, EXISTING_IN, None, slugs).await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}
