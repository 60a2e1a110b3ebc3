//! `/editor/articles/{id}/votes`: the readers' votes on a ranked list, per
//! entry (too high, right, too low; the rankings that placed it and its
//! readers' rank), with a reset of an entry's verdicts for moderators.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{Data, Path, Payload, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{CurrentEditor, MODERATORS_ONLY};
use crate::auth::Role;
use crate::db;
use crate::error::{Error, Result};
use crate::web::view::{Meta, html_response};
use crate::web::{AppState, forms, votes};

pub struct VoteRow {
    pub record: String,
    pub heading: String,
    pub rank: i64,
    pub section: Option<String>,
    pub totals: db::votes::Totals,
    pub readers_rank: Option<u32>,
}

#[derive(Template)]
#[template(path = "editor/votes.html")]
struct VotesPage {
    meta: Meta,
    csrf: String,
    me: super::Me,
    id: i64,
    title: String,
    slug: String,
    ballots: i64,
    rows: Vec<VoteRow>,
    notice: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Done {
    pub reset: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    id: Path<i64>,
    query: Query<Done>,
) -> Result<HttpResponse> {
    editor.require(Role::can_moderate, MODERATORS_ONLY)?;
    let (title, slug) = db::votes::title(&state.db, *id).await?.ok_or(Error::NotFound)?;
    let (entries, totals, ballots) = tokio::join!(
        db::votes::entries(&state.db, *id),
        db::votes::totals(&state.db, *id),
        db::votes::ballot_count(&state.db, *id),
    );
    let (entries, totals, ballots) = (entries?, totals?, ballots?);
    let readers = votes::readers_ranks(&entries, &totals);
    let rows = entries
        .iter()
        .filter(|e| e.rank.is_some())
        .map(|e| VoteRow {
            record: e.slug.clone(),
            heading: e.heading.clone(),
            rank: e.rank.unwrap_or_default(),
            section: e.section.clone(),
            totals: totals.get(&e.soundtrack_id).copied().unwrap_or_default(),
            readers_rank: readers.get(&e.slug).copied(),
        })
        .collect();
    let (csrf, _) = forms::csrf_for(&req, &state.secret)?;
    let notice = query.reset.as_deref().map(|r| format!("The votes on {r} were reset."));
    let page = VotesPage {
        meta: Meta::new("Readers’ votes", "Editor desk"),
        csrf,
        me: editor.me(),
        id: *id,
        title,
        slug,
        ballots,
        rows,
        notice,
    };
    html_response(StatusCode::OK, &page, [])
}

/// Resets one entry's verdicts (`record`), then back to the table.
pub async fn reset(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    id: Path<i64>,
    payload: Payload,
) -> Result<HttpResponse> {
    editor.require(Role::can_moderate, MODERATORS_ONLY)?;
    let mut posted = forms::posted(&req, payload, 16 * 1024, &state.secret, None).await?;
    let record = posted.take("record");
    let entries = db::votes::entries(&state.db, *id).await?;
    let entry = entries.iter().find(|e| e.slug == record).ok_or(Error::NotFound)?;
    db::votes::reset_entry(&state.db, *id, entry.soundtrack_id).await?;
    let heading: String = url::form_urlencoded::byte_serialize(entry.heading.as_bytes()).collect();
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("/editor/articles/{}/votes?reset={heading}", *id)))
        .finish())
}
