//! `/editor`: every article with its status, last change and counts.

use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::CurrentEditor;
use crate::db;
use crate::error::Result;
use crate::web::AppState;
use crate::web::forms;
use crate::web::view::{Date, Meta, html_response};

pub struct Row {
    pub id: i64,
    pub title: String,
    pub status: &'static str,
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
    pending: i64,
}

/// Draft, in review, scheduled or published, by the publish time, the
/// review mark and the clock.
pub fn status(published_at: Option<i64>, submitted_at: Option<i64>, now: i64) -> &'static str {
    match published_at {
        None if submitted_at.is_some() => "in review",
        None => "draft",
        Some(t) if t > now => "scheduled",
        Some(_) => "published",
    }
}

pub async fn show(req: HttpRequest, state: Data<AppState>, editor: CurrentEditor) -> Result<HttpResponse> {
    let now = db::now();
    let (rows, pending) = tokio::join!(db::articles::desk(&state.db), db::comments::count_by_status(&state.db));
    let pending = pending?.into_iter().find(|(s, _)| s == "pending").map_or(0, |(_, n)| n);
    let articles = rows?
        .into_iter()
        .map(|a| Row {
            id: a.id,
            status: status(a.published_at, a.submitted_at, now),
            when: a.published_at.map(|t| Date::from_unix(t).human),
            changed: Date::from_unix(a.modified_at).human,
            title: a.title,
            entries: a.entry_count,
            comments: a.comment_count,
            pending: a.pending_count,
        })
        .collect();
    let (csrf, cookie) = forms::csrf_for(&req, &state.secret)?;
    let page = Dashboard { meta: Meta::new("Dashboard", "Editor desk"), csrf, me: editor.me(), articles, pending };
    html_response(StatusCode::OK, &page, cookie)
}
