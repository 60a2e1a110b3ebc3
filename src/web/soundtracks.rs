//! `/soundtracks` (every record) and `/soundtracks/{slug}` (one record and
//! the lists that feature it).

use actix_web::web::{Data, Path, Query};
use askama::Template;
use askama_web::WebTemplate;

use super::AppState;
use super::paging::{PageQuery, Pager};
use super::structured;
use super::view::{CardView, Meta, placement};
use crate::db;
use crate::error::{Error, Result};

/// A list that features a record (or a person's record), with its rank there.
pub struct AppearanceView {
    pub article_slug: String,
    pub article_title: String,
    pub anchor: String,
    pub placement: Option<String>,
    pub soundtrack_slug: String,
    pub film_title: String,
}

impl From<db::articles::Appearance> for AppearanceView {
    fn from(a: db::articles::Appearance) -> Self {
        AppearanceView {
            placement: placement(a.rank, a.section.as_deref()),
            article_slug: a.article_slug,
            article_title: a.article_title,
            anchor: a.anchor,
            soundtrack_slug: a.soundtrack_slug,
            film_title: a.film_title,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "soundtracks/show.html")]
pub struct SoundtrackPage {
    pub meta: Meta,
    pub card: CardView,
    pub appearances: Vec<AppearanceView>,
    pub pager: Pager,
    /// "No. 7 on the Cuesheet chart, from 3 lists", and the chart page it is on.
    pub standing: Option<(String, String)>,
}

pub async fn show(state: Data<AppState>, slug: Path<String>, query: Query<PageQuery>) -> Result<SoundtrackPage> {
    let db = &state.db;
    let window = query.window(db::articles::APPEARANCES_PAGE_SIZE)?;
    let card = db::soundtracks::card(db, &slug).await?.ok_or(Error::NotFound)?;
    let now = db::now();
    let appearances = db::articles::appearances_of_record(db, card.soundtrack.id, now, window).await?;
    let standing = db::chart::standing(db, now, card.soundtrack.id)
        .await?
        .map(|s| (super::chart::standing_text(&s), super::chart::href(s.position, &card.soundtrack.slug)));
    let path = format!("/soundtracks/{}", card.soundtrack.slug);
    let pager = Pager::new(&path, &appearances)?;
    let mut card = CardView::from(&card);
    card.eager = true;
    let description = format!(
        "{} ({}), the soundtrack of {} ({}): credits, notable tracks and the lists that feature it.",
        card.title, card.kind, card.film_title, card.film_year
    );
    Ok(SoundtrackPage {
        meta: Meta::new(&format!("{} ({}) soundtrack", card.film_title, card.film_year), &description)
            .paged(state.base(), &path, &pager)
            .image(
                super::cards::record_card_url(state.base(), &card.slug),
                format!("{} ({}): the soundtrack, with its sleeve", card.film_title, card.film_year),
            )
            .json_ld(&structured::soundtrack(state.base(), &card)),
        card,
        appearances: appearances.items.into_iter().map(AppearanceView::from).collect(),
        pager,
        standing,
    })
}

pub struct ListingView {
    pub slug: String,
    pub title: String,
    pub kind: &'static str,
    pub film_title: String,
    pub film_year: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "soundtracks/index.html")]
pub struct SoundtracksPage {
    pub meta: Meta,
    pub records: Vec<ListingView>,
    pub pager: Pager,
}

pub async fn index(state: Data<AppState>, query: Query<PageQuery>) -> Result<SoundtracksPage> {
    let window = query.window(db::soundtracks::PAGE_SIZE)?;
    let records = db::soundtracks::index_page(&state.db, window).await?;
    let pager = Pager::new("/soundtracks", &records)?;
    Ok(SoundtracksPage {
        meta: Meta::new("Soundtracks A–Z", "Every soundtrack record on Cuesheet, by film.").paged(
            state.base(),
            "/soundtracks",
            &pager,
        ),
        pager,
        records: records
            .items
            .into_iter()
            .map(|r| ListingView {
                kind: r.kind.label(),
                slug: r.slug,
                title: r.title,
                film_title: r.film_title,
                film_year: r.film_year,
            })
            .collect(),
    })
}
