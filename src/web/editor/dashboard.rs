//! `/editor`: every article with its status, last change and counts.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::CurrentEditor;
use crate::db;
use crate::error::Result;
use crate::web::AppState;
use crate::web::forms;
use crate::web::paging::{PageQuery, Pager};
use crate::web::view::{Meta, date_time, html_response};

pub struct Row {
    pub id: i64,
    pub title: String,
    pub status: Status,
    /// The publish time, to the minute, with the zone.
    pub when: Option<String>,
    pub changed: String,
    pub entries: i64,
    pub comments: i64,
    pub pending: i64,
}

#[derive(Template)]
#[template(path = "editor/dashboard.html")]
struct Dashboard {
    meta: Meta,
    csrf: String,
    me: super::Me,
    articles: Vec<Row>,
    pager: Pager,
    pending: i64,
}

crate::text_enum! {
    /// Where an article stands, by its publish time, its review mark and
    /// the clock (the text is its CSS class; [`Status::label`] is shown).
    pub enum Status("article status") {
        Draft = "draft",
        /// A draft a contributor submitted for review.
        InReview = "review",
        /// To be published at a time still to come.
        Scheduled = "scheduled",
        Published = "published",
    }
}

impl Status {
    pub fn of(published_at: Option<i64>, submitted_at: Option<i64>, now: i64) -> Self {
        match published_at {
            None if submitted_at.is_some() => Status::InReview,
            None => Status::Draft,
            Some(t) if t > now => Status::Scheduled,
            Some(_) => Status::Published,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in review",
            Status::Scheduled => "scheduled",
            Status::Published => "published",
        }
    }

    /// Readers can see it now.
    pub fn is_live(self) -> bool {
        self == Status::Published
    }

    /// It has a publish time, past or to come.
    pub fn is_published_or_scheduled(self) -> bool {
        matches!(self, Status::Published | Status::Scheduled)
    }
}

/// "Published 3 March 2026, 10:00 UTC", "Scheduled for ...": when, to the
/// minute and with the zone.
pub fn when(published_at: Option<i64>, now: i64) -> Option<String> {
    match published_at? {
        t if t > now => Some(format!("for {}", date_time(t))),
        t => Some(date_time(t)),
    }
}

pub async fn show(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    query: Query<PageQuery>,
) -> Result<HttpResponse> {
    let now = db::now();
    let window = query.window(db::articles::DESK_PAGE_SIZE)?;
    let (rows, pending) = tokio::join!(db::articles::desk(&state.db, window), db::comments::count_by_status(&state.db));
    let pending = pending?.into_iter().find(|c| c.status == crate::comments::Status::Pending).map_or(0, |c| c.count);
    let rows = rows?;
    let pager = Pager::new("/editor", &rows)?;
    let articles = rows
        .items
        .into_iter()
        .map(|a| Row {
            id: a.id,
            status: Status::of(a.published_at, a.submitted_at, now),
            when: when(a.published_at, now),
            changed: date_time(a.modified_at),
            title: a.title,
            entries: a.entry_count,
            comments: a.comment_count,
            pending: a.pending_count,
        })
        .collect();
    let (csrf, cookie) = forms::csrf_for(&req, &state.secret)?;
    let meta = Meta::new("Dashboard", "Editor desk").paged(state.base(), "/editor", &pager);
    let page = Dashboard { meta, csrf, me: editor.me(), articles, pager, pending };
    html_response(StatusCode::OK, &page, cookie)
}
