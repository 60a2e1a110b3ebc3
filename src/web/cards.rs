//! Pictures the site draws itself: `/articles/{slug}/card.png` and
//! `/soundtracks/{slug}/card.png` (share cards, see [`crate::media::card`])
//! and `/soundtracks/{slug}/sleeve.svg` (a record's generated sleeve, see
//! [`crate::media::sleeve`]).
//!
//! They are public pages like any other: the render cache keeps their bytes
//! per content version with an `ETag` ([`super::caching`]). Below it, the
//! images themselves are kept by the digest of the SVG they are drawn from,
//! in a size-bounded LRU: a new content version that leaves a card's title
//! and entries alone costs one query and a lookup, not a new drawing, and a
//! changed title or entry is a new digest, so a new image.

use std::sync::LazyLock;

use actix_web::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use actix_web::web::{self, Bytes, Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use super::AppState;
use crate::content::markdown::ListStyle;
use crate::db;
use crate::error::{Error, Result};
use crate::media::card::{self, Card, Entry};
use crate::media::sleeve::Sleeve;

/// The policy of a served sleeve: an image with nothing to load or run.
pub const SLEEVE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/// Drawn images by the digest of their SVG source, at most 32 MB of them.
static DRAWN: LazyLock<moka::sync::Cache<[u8; 32], Bytes>> = LazyLock::new(|| {
    moka::sync::Cache::builder()
        .max_capacity(32 * 1024 * 1024)
        .weigher(|_, v: &Bytes| u32::try_from(v.len() + 64).unwrap_or(u32::MAX))
        .build()
});

/// The image drawn from `svg` by `draw`, made once and kept. Drawing runs
/// off the async workers.
async fn drawn(svg: String, draw: impl FnOnce(&str) -> Result<Vec<u8>> + Send + 'static) -> Result<Bytes> {
    let key: [u8; 32] = Sha256::digest(svg.as_bytes()).into();
    if let Some(bytes) = DRAWN.get(&key) {
        return Ok(bytes);
    }
    let bytes =
        web::block(move || draw(&svg)).await.map_err(|e| Error::Internal(format!("drawing an image: {e}")))??;
    let bytes = Bytes::from(bytes);
    DRAWN.insert(key, bytes.clone());
    Ok(bytes)
}

fn png_of(svg: &str) -> Result<Vec<u8>> {
    card::png(svg).map_err(|e| Error::Internal(e.to_string()))
}

fn outlined(svg: &str) -> Result<Vec<u8>> {
    crate::media::sleeve::outline(svg).map(String::into_bytes).map_err(|e| Error::Internal(e.to_string()))
}

fn png(bytes: Bytes) -> HttpResponse {
    HttpResponse::Ok().insert_header((CONTENT_TYPE, "image/png")).body(bytes)
}

/// The address of a list's share card.
pub fn article_card_url(base: &str, slug: &str) -> String {
    format!("{base}/articles/{slug}/card.png")
}

/// The address of a record's share card.
pub fn record_card_url(base: &str, slug: &str) -> String {
    format!("{base}/soundtracks/{slug}/card.png")
}

/// `/articles/{slug}/card.png`: the title and, for a list, its first
/// entries with their ranks and sleeves.
/// A renamed list's old card address answers `301` to the new one, as its
/// page does.
pub async fn article(req: HttpRequest, state: Data<AppState>, slug: Path<String>) -> Result<HttpResponse> {
    let limit = i64::try_from(card::MAX_ENTRIES).unwrap_or(5);
    let Some((head, entries, count)) = db::articles::card(&state.db, &slug, db::now(), limit).await? else {
        return Err(super::redirects::miss(&req, &state, db::redirects::Kind::Article, &slug).await?);
    };
    let kicker = match head.list_style {
        ListStyle::Ranked => format!("Ranked list · {}", super::view::count(count, "entry", "entries")),
        ListStyle::Unranked => format!("List · {}", super::view::count(count, "entry", "entries")),
        ListStyle::None => "Cuesheet".to_owned(),
    };
    let shown = if head.list_style == ListStyle::None { &[][..] } else { &entries[..] };
    let card = Card {
        kicker: &kicker,
        title: &head.title,
        subtitle: &head.description,
        entries: shown
            .iter()
            .map(|e| Entry {
                rank: e.rank.filter(|_| head.list_style == ListStyle::Ranked),
                heading: &e.heading,
                sleeve: Sleeve { title: &e.title, year: e.film_year, kind: e.kind },
            })
            .collect(),
        sleeve: None,
        cover: None,
    };
    Ok(png(drawn(card.svg(), png_of).await?))
}

/// `/soundtracks/{slug}/card.png`: the film, the album and its sleeve.
pub async fn record(state: Data<AppState>, slug: Path<String>) -> Result<HttpResponse> {
    let c = db::soundtracks::card(&state.db, &slug).await?.ok_or(Error::NotFound)?;
    let s = &c.soundtrack;
    let makers: Vec<&str> = c
        .people(crate::content::record::Role::Composer)
        .into_iter()
        .chain(c.people(crate::content::record::Role::Artist))
        .map(|p| p.name.as_str())
        // Names the card's fonts cannot draw would leave a bare separator.
        .filter(|name| !crate::media::sleeve::drawable(name).is_empty())
        .take(3)
        .collect();
    let subtitle = if makers.is_empty() { s.title.clone() } else { format!("{} · {}", s.title, makers.join(", ")) };
    let kicker = format!("{} · the soundtrack", s.kind.label());
    // A film title the card's fonts cannot draw at all: its address's words.
    let film = if crate::media::sleeve::drawable(&s.film_title).is_empty() {
        words_of_slug(&slug, s.film_year)
    } else {
        s.film_title.clone()
    };
    let title = format!("{film} ({})", s.film_year);
    let cover = cover_bytes(&state, s).await?;
    let card = Card {
        kicker: &kicker,
        title: &title,
        subtitle: &subtitle,
        entries: Vec::new(),
        sleeve: Some(Sleeve { title: &s.title, year: s.film_year, kind: s.kind }),
        cover: cover.as_ref().map(|(hash, _)| hash.as_str()),
    };
    let svg = card.svg();
    let bytes = match cover {
        Some((_, bytes)) => {
            drawn(svg, move |svg| card::png_with_cover(svg, &bytes).map_err(|e| Error::Internal(e.to_string()))).await?
        }
        None => drawn(svg, png_of).await?,
    };
    Ok(png(bytes))
}

/// `mononoke-hime-1997` as "Mononoke Hime": the words of a record's
/// address, without the film's year.
fn words_of_slug(slug: &str, year: i64) -> String {
    let year = format!("-{year}");
    let words = slug.strip_suffix(&year).unwrap_or(slug);
    let mut out = String::with_capacity(words.len());
    for word in words.split('-').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// The uploaded cover of a record, when it has one: its hash and the bytes
/// of its fallback (JPEG or PNG) variant nearest the card's size. A cover
/// missing from the store leaves the sleeve.
async fn cover_bytes(state: &AppState, s: &db::soundtracks::Soundtrack) -> Result<Option<(String, Bytes)>> {
    let Some(p) = s.cover_picture() else {
        return Ok(None);
    };
    let widths = p.widths();
    let Some(width) = widths.iter().copied().find(|&w| w >= card::COVER_AT.2).or_else(|| widths.last().copied()) else {
        return Ok(None);
    };
    let key = crate::media::store::variant_key(&crate::media::variant_file(&p.hash, width, &p.fallback));
    let bytes = state.media.get(&key).await.map_err(|e| Error::Internal(e.to_string()))?;
    Ok(bytes.map(|b| (p.hash, b)))
}

/// `/soundtracks/{slug}/sleeve.svg`: the record's generated sleeve, its
/// text in outlines. Our own markup, sent with a policy of its own so that
/// even opened directly it can load and run nothing.
pub async fn sleeve(state: Data<AppState>, slug: Path<String>) -> Result<HttpResponse> {
    let s = db::soundtracks::sleeve(&state.db, &slug).await?.ok_or(Error::NotFound)?;
    let svg = Sleeve { title: &s.title, year: s.film_year, kind: s.kind }.svg();
    let bytes = drawn(svg, outlined).await?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "image/svg+xml"))
        .insert_header((X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((CONTENT_SECURITY_POLICY, SLEEVE_POLICY))
        .body(bytes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_slug_gives_its_words_without_the_year() {
        assert_eq!(super::words_of_slug("mononoke-hime-1997", 1997), "Mononoke Hime");
        assert_eq!(super::words_of_slug("ran-1985", 2001), "Ran 1985");
        assert_eq!(super::words_of_slug("1997", 1997), "1997");
    }
}
