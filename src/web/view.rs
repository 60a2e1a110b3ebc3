//! Pieces every page view uses: the head's metadata, dates, record cards.

use actix_web::HttpResponse;
use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use askama::Template;
use chrono::DateTime;

use crate::content::record::Role;
use crate::db::soundtracks::Card;

/// What the base layout puts in `<head>`: title, description, canonical
/// URL, Open Graph and Twitter card tags, and JSON-LD.
#[derive(Debug, Clone)]
pub struct Meta {
    /// The page's own title, as shared (`og:title`).
    pub name: String,
    /// `<title>`: the name and the site.
    pub title: String,
    pub description: String,
    /// Absolute URL of the page, from the configured base URL.
    pub canonical: Option<String>,
    /// `website` or `article`.
    pub og_type: &'static str,
    pub noindex: bool,
    /// JSON-LD, already made safe to sit inside `<script>`.
    pub json_ld: Option<String>,
    /// Absolute URLs of the pages before and after this one of a list
    /// (see [`super::paging`]).
    pub prev: Option<String>,
    pub next: Option<String>,
    /// The share card (`og:image`): absolute URL and alt text.
    pub image: Option<(String, String)>,
}

impl Meta {
    pub fn new(title: &str, description: &str) -> Self {
        Self {
            name: title.to_owned(),
            title: format!("{title} · Cuesheet"),
            description: description.to_owned(),
            canonical: None,
            og_type: "website",
            noindex: false,
            json_ld: None,
            prev: None,
            next: None,
            image: None,
        }
    }

    /// The page's canonical address: `base` (no trailing slash) and `path`.
    pub fn at(mut self, base: &str, path: &str) -> Self {
        self.canonical = Some(format!("{base}{path}"));
        self
    }

    /// The share card shown where the page is shared (1200×630, see
    /// [`crate::media::card`]).
    pub fn image(mut self, url: String, alt: String) -> Self {
        self.image = Some((url, alt));
        self
    }

    pub fn article(mut self) -> Self {
        self.og_type = "article";
        self
    }

    /// Kept out of search engines (search results, the editor desk).
    pub fn noindex(mut self) -> Self {
        self.noindex = true;
        self
    }

    /// Structured data; serialised by serde and escaped so that `</script>`
    /// or `<!--` in any title cannot end the element. Still valid JSON.
    pub fn json_ld(mut self, value: &serde_json::Value) -> Self {
        let json = value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026");
        self.json_ld = Some(json);
        self
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

/// A moment as the desk shows it: the day, the time of day and the zone
/// (the site keeps UTC), so "scheduled for" and "saved at" are never vague.
pub fn date_time(ts: i64) -> String {
    DateTime::from_timestamp(ts, 0).map(|t| t.format("%-d %B %Y, %H:%M UTC").to_string()).unwrap_or_default()
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
    /// Other lists that feature the record: `(url, title)`.
    pub also_in: Vec<(String, String)>,
    /// The sleeve is loaded at once (atop a record's page), not lazily.
    pub eager: bool,
    /// The cover's `<picture>`, when the record has one.
    pub cover: Option<String>,
}

impl CardView {
    /// The record's picture: its generated sleeve.
    pub fn sleeve_src(&self) -> String {
        format!("/soundtracks/{}/sleeve.svg", self.slug)
    }

    pub fn sleeve_alt(&self) -> String {
        format!("Sleeve drawn by Cuesheet for {}: {}, {}", self.title, self.kind.to_lowercase(), self.film_year)
    }
}

impl From<&Card> for CardView {
    fn from(card: &Card) -> Self {
        let people = |role: Role| -> Vec<PersonLink> {
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
            kind: s.kind.label(),
            film_title: s.film_title.clone(),
            film_year: s.film_year,
            directors: people(Role::Director),
            composers: people(Role::Composer),
            supervisors: people(Role::MusicSupervisor),
            artists: people(Role::Artist),
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
            also_in: Vec::new(),
            eager: false,
            cover: s.cover_picture().map(|p| p.html(&p.alt, crate::media::Slot::Cover, true)),
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
