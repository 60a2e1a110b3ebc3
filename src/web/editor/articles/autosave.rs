//! Autosave for scripts: `POST /editor/articles/{id}/autosave` and, for a
//! list not saved yet, `POST /editor/articles/autosave`. Both take the
//! article form's own fields (URL-encoded, with its `csrf` token) and answer
//! a small JSON object; nothing they keep is ever published by itself.
//!
//! - An existing article: its text is kept as the editor's autosave (a
//!   revision of its own kind, one per editor and article, replaced each
//!   time); the article is untouched. `200 {"revision": N, "saved": "...",
//!   "stale": bool}`: `stale` says someone saved the article since the
//!   form's version, so a save from this form will be refused (409).
//! - A new list: saved as a draft, whatever publish time the form has.
//!   `201 {"article": N, "version": V, "slug": "...", "edit": "/editor/articles/N"}`;
//!   the page then posts to the article's own address. `422 {"error": "..."}`
//!   while there is nothing to keep yet (no title).

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Payload};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use super::form::ArticleForm;
use super::store::{Kept, keep_draft};
use crate::db;
use crate::error::{Error, Result};
use crate::web::AppState;
use crate::web::editor::CurrentEditor;
use crate::web::forms;
use crate::web::view::date_time;

/// The same body limit as the article form.
const LIMIT: usize = 1 << 20;

/// `POST /editor/articles/{id}/autosave`.
pub async fn existing(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    id: Path<i64>,
    payload: Payload,
) -> Result<HttpResponse> {
    let desk = db::articles::desk_state(&state.db, *id).await?.ok_or(Error::NotFound)?;
    let mut posted = forms::posted(&req, payload, LIMIT, &state.secret, Some("body")).await?;
    let form = ArticleForm::from_fields(&mut posted.fields);
    let stale = form.version.trim().parse::<i64>().ok() != Some(desk.version);
    match keep_draft(&state, &editor, Some(*id), &form).await? {
        Kept::Autosave { revision, at } => {
            Ok(HttpResponse::Ok().json(json!({ "revision": revision, "saved": date_time(at), "stale": stale })))
        }
        _ => Err(Error::Internal("an existing article's draft was not kept as an autosave".into())),
    }
}

/// `POST /editor/articles/autosave`: a list not saved yet.
pub async fn new(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    payload: Payload,
) -> Result<HttpResponse> {
    let mut posted = forms::posted(&req, payload, LIMIT, &state.secret, Some("body")).await?;
    let form = ArticleForm::from_fields(&mut posted.fields);
    match keep_draft(&state, &editor, None, &form).await? {
        Kept::Draft { id, version, slug } => Ok(HttpResponse::Created().json(json!({
            "article": id,
            "version": version,
            "slug": slug,
            "edit": format!("/editor/articles/{id}"),
        }))),
        Kept::Nothing(why) => Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY).json(json!({ "error": why }))),
        Kept::Autosave { .. } => Err(Error::Internal("a new list was kept as an autosave".into())),
    }
}
