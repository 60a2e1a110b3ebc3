//! Pieces every page view uses: the head's metadata, dates, record cards.

use actix_web::HttpResponse;
use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use askama::Template;
use chrono::DateTime;

use crate::content::record::Kind;
use crate::db::soundtracks::Card;

/// What the base layout puts in `<head>`.
#[derive(Debug, Clone)]
pub struct Meta {
    pub title: String,
    pub description: String,
}

impl Meta {
    pub fn new(title: &str, description: &str) -> Self {
        Self { title: format!("{title} · Cuesheet"), description: description.to_owned() }
    }
}

/// A date as readers see it, and as `<time datetime>` wants it.
#[derive(Debug, Clone)]
pub struct Date {
    pub human: String,
    pub iso: String,
}

impl Date {
    pub fn from_unix(ts: i64) -> Self {
        match DateTime::from_timestamp(ts, 0) {
            Some(t) => Date { human: t.format("%-d %B %Y").to_string(), iso: t.to_rfc3339() },
            None => Date { human: String::new(), iso: String::new() },
        }
    }
}

/// A link to a person.
#[derive(Debug, Clone)]
pub struct PersonLink {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct TrackView {
    pub title: String,
    pub artist: Option<PersonLink>,
    pub note: Option<String>,
}

/// A record card: on every entry of a list, and atop the record's own page.
#[derive(Debug, Clone)]
pub struct CardView {
    pub slug: String,
    pub title: String,
    pub kind: &'static str,
    pub film_title: String,
    pub film_year: i64,
    pub directors: Vec<PersonLink>,
    pub composers: Vec<PersonLink>,
    pub supervisors: Vec<PersonLink>,
    pub artists: Vec<PersonLink>,
    pub label: Option<String>,
    pub released: Option<String>,
    pub catalogue_number: Option<String>,
    pub summary: Option<String>,
    pub tracks: Vec<TrackView>,
    pub facts: Vec<String>,
}

impl From<&Card> for CardView {
    fn from(card: &Card) -> Self {
        let people = |role: &str| -> Vec<PersonLink> {
            card.people(role).into_iter().map(|c| PersonLink { slug: c.slug.clone(), name: c.name.clone() }).collect()
        };
        // Track artists link to their page: they are credited on the record.
        let link = |artist: &str| -> PersonLink {
            let slug = card
                .credits
                .iter()
                .find(|c| c.name == artist)
                .map_or_else(|| crate::content::slugify(artist), |c| c.slug.clone());
            PersonLink { slug, name: artist.to_owned() }
        };
        let s = &card.soundtrack;
        CardView {
            slug: s.slug.clone(),
            title: s.title.clone(),
            kind: Kind::label(&s.kind),
            film_title: s.film_title.clone(),
            film_year: s.film_year,
            directors: people("director"),
            composers: people("composer"),
            supervisors: people("music_supervisor"),
            artists: people("artist"),
            label: s.label.clone(),
            released: s.released.clone(),
            catalogue_number: s.catalogue_number.clone(),
            summary: s.summary.clone(),
            tracks: card
                .tracks
                .iter()
                .map(|t| TrackView {
                    title: t.title.clone(),
                    artist: t.artist.as_deref().map(link),
                    note: t.note.clone(),
                })
                .collect(),
            facts: card.facts.clone(),
        }
    }
}

/// "1 entry", "18 entries".
pub fn count(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The rank of an entry in a listing: "No. 2 in The greatest original scores".
pub fn placement(rank: Option<i64>, section: Option<&str>) -> Option<String> {
    let rank = rank?;
    Some(match section {
        Some(s) => format!("No. {rank} in “{s}”"),
        None => format!("No. {rank}"),
    })
}

/// A page with a status chosen on purpose, and cookies to set.
pub fn html_response(
    status: StatusCode,
    page: &impl Template,
    cookies: impl IntoIterator<Item = Cookie<'static>>,
) -> crate::error::Result<HttpResponse> {
    let body = page.render()?;
    let mut res = HttpResponse::build(status);
    res.insert_header((CONTENT_TYPE, "text/html; charset=utf-8"));
    let mut personal = false;
    for c in cookies {
        res.cookie(c);
        personal = true;
    }
    if personal {
        res.insert_header((CACHE_CONTROL, "private, no-store"));
    }
    Ok(res.body(body))
}
