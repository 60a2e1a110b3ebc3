//! The live preview for scripts: `POST /editor/articles/{id}/preview` and,
//! for a list not saved yet, `POST /editor/articles/preview`. Both take the
//! article form's own fields (URL-encoded, with its `csrf` token), keep
//! nothing, and answer the two pieces of the writing view that follow the
//! text: its findings (`#live-problems`) and the article as readers will see
//! it (`#live-preview`), rendered by the same templates as the page itself,
//! so a refresh by script and a press of Preview show the same thing.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Payload};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::form::ArticleForm;
use super::{Findings, ProblemView, findings, preview};
use crate::db;
use crate::error::{Error, Result};
use crate::web::AppState;
use crate::web::articles::Part;
use crate::web::editor::CurrentEditor;
use crate::web::forms;
use crate::web::view::html_response;

/// The same body limit as the article form.
const LIMIT: usize = 1 << 20;

#[derive(Template)]
#[template(path = "editor/_live.html")]
struct Live {
    form: ArticleForm,
    problems: Vec<ProblemView>,
    error_count: usize,
    preview: Option<Vec<Part>>,
    // The shared body template's names.
    slug: String,
    discuss: bool,
}

/// `POST /editor/articles/{id}/preview`.
pub async fn existing(
    req: HttpRequest,
    state: Data<AppState>,
    _editor: CurrentEditor,
    id: Path<i64>,
    payload: Payload,
) -> Result<HttpResponse> {
    db::articles::desk_state(&state.db, *id).await?.ok_or(Error::NotFound)?;
    refresh(&req, &state, Some(*id), payload).await
}

/// `POST /editor/articles/preview`: a list not saved yet.
pub async fn new(
    req: HttpRequest,
    state: Data<AppState>,
    _editor: CurrentEditor,
    payload: Payload,
) -> Result<HttpResponse> {
    refresh(&req, &state, None, payload).await
}

async fn refresh(req: &HttpRequest, state: &AppState, id: Option<i64>, payload: Payload) -> Result<HttpResponse> {
    let mut posted = forms::posted(req, payload, LIMIT, &state.secret, Some("body")).await?;
    let form = ArticleForm::from_fields(&mut posted.fields);
    let Findings { slug, problems, error_count, .. } = findings(state, id, &form).await?;
    let preview = Some(preview(state, &form).await?);
    let live = Live { form, problems, error_count, preview, slug, discuss: false };
    html_response(StatusCode::OK, &live, [])
}
