//! `/chart`: every record ranked by its places across the published ranked
//! lists (how it is scored: [`crate::db::chart`]), in numbered pages, each
//! record with the lists behind its score.

use std::collections::HashMap;

use actix_web::web::{Data, Query};
use askama::Template;
use askama_web::WebTemplate;

use super::AppState;
use super::paging::{PageQuery, Pager};
use super::view::{Meta, placement};
use crate::db::{self, chart};
use crate::error::Result;

/// A list behind a record's score, and its place there.
pub struct PlaceView {
    pub article_slug: String,
    pub article_title: String,
    pub anchor: String,
    pub placement: String,
}

/// A record on the chart.
pub struct ChartRowView {
    pub position: i64,
    pub slug: String,
    pub title: String,
    pub film_title: String,
    pub film_year: i64,
    /// Points, to two decimals.
    pub score: String,
    pub lists: i64,
    /// The best few places ([`chart::LISTS_PER_RECORD`]).
    pub places: Vec<PlaceView>,
    /// The lists beyond those.
    pub more: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "chart/index.html")]
pub struct ChartPage {
    pub meta: Meta,
    /// The position of the page's first row.
    pub start: i64,
    pub rows: Vec<ChartRowView>,
    pub pager: Pager,
}

/// A score in points, to two decimals ("2.33"), from its millionths.
pub fn score(points: i64) -> String {
    let hundredths = (points + chart::POINT / 200) / (chart::POINT / 100);
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Where a record stands, as its page says it: "No. 7 on the Cuesheet
/// chart, from 3 lists", and the chart page it is on.
pub fn standing_text(s: &chart::Standing) -> String {
    let lists = if s.lists == 1 { "1 list".to_owned() } else { format!("{} lists", s.lists) };
    format!("No. {} on the Cuesheet chart, from {lists}", s.position)
}

/// The address of the chart page that shows `position`.
pub fn href(position: i64, slug: &str) -> String {
    let number = (position - 1) / chart::PAGE_SIZE + 1;
    if number == 1 { format!("/chart#{slug}") } else { format!("/chart?page={number}#{slug}") }
}

pub async fn index(state: Data<AppState>, query: Query<PageQuery>) -> Result<ChartPage> {
    let db = &state.db;
    let now = db::now();
    let window = query.window(chart::PAGE_SIZE)?;
    let page = chart::page(db, now, window).await?;
    let pager = Pager::new("/chart", &page)?;
    let ids: Vec<i64> = page.items.iter().map(|r| r.soundtrack_id).collect();
    let mut places: HashMap<i64, Vec<PlaceView>> = HashMap::new();
    for p in chart::places(db, now, &ids).await? {
        places.entry(p.soundtrack_id).or_default().push(PlaceView {
            placement: placement(Some(p.rank), p.section.as_deref()).unwrap_or_default(),
            article_slug: p.article_slug,
            article_title: p.article_title,
            anchor: p.anchor,
        });
    }
    let first = window.offset() + 1;
    let mut rows = Vec::with_capacity(page.items.len());
    for (i, r) in (0_i64..).zip(page.items) {
        let mine = places.remove(&r.soundtrack_id).unwrap_or_default();
        rows.push(ChartRowView {
            position: first + i,
            more: (r.lists - i64::try_from(mine.len()).unwrap_or(i64::MAX)).max(0),
            places: mine,
            slug: r.slug,
            title: r.title,
            film_title: r.film_title,
            film_year: r.film_year,
            score: score(r.points),
            lists: r.lists,
        });
    }
    Ok(ChartPage {
        meta: Meta::new(
            "The Cuesheet chart",
            "Every soundtrack ranked by its places across Cuesheet's ranked lists, with the lists behind each.",
        )
        .paged(state.base(), "/chart", &pager),
        start: first,
        rows,
        pager,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_round_to_two_decimals() {
        assert_eq!(score(chart::POINT), "1.00");
        assert_eq!(score(2_333_333), "2.33");
        assert_eq!(score(666_667), "0.67");
        assert_eq!(score(0), "0.00");
    }

    #[test]
    fn a_position_links_to_its_page() {
        assert_eq!(href(1, "jaws-1975"), "/chart#jaws-1975");
        assert_eq!(href(chart::PAGE_SIZE, "x"), "/chart#x");
        assert_eq!(href(chart::PAGE_SIZE + 1, "x"), "/chart?page=2#x");
    }
}
