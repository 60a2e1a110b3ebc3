//! Writing lists: `/editor/articles/new` and `/editor/articles/{id}`. The
//! form ([`form`]) is checked by the same code as `cuesheet check` and the
//! import ([`store`]); its buttons ([`actions`]) preview, find and add
//! records, move entries, save, publish and submit for review; those that
//! leave the page keep the draft first, and scripts keep it as it is typed
//! ([`autosave`]) and refresh its preview and findings ([`live`]). A refused form comes back exactly as typed.

/// The buttons of the article form, one small step each.
pub mod actions;
/// Autosave: the draft kept as it is typed, never published by itself.
pub mod autosave;
/// The article form as typed, and what it stands for.
pub mod form;
/// The preview and the findings, refreshed for scripts as the text changes.
pub mod live;
/// Checking and writing an article, its revision and its old address.
pub mod store;

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Payload, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::CurrentEditor;
use super::dashboard::Status;
use super::revisions::{DiffPart, RevisionRow};
use crate::comments::form::FieldErrors;
use crate::content::article::FrontMatter;
use crate::content::markdown::{Html, ListOrder, ListStyle, TocItem};
use crate::content::slugify;
use crate::db::{self, soundtracks::Listing};
use crate::error::{Error, Result};
use crate::web::AppState;
use crate::web::articles::{Part, parts};
use crate::web::forms;
use crate::web::view::{Meta, date_time, html_response};
pub use actions::{Action, SaveKind};
pub use form::ArticleForm;
use form::parse_time;
use store::check;

/// The other version of a save refused for a conflict.
pub struct Conflict {
    pub who: String,
    pub when: String,
    pub title: String,
    pub body: String,
    /// From their text to yours.
    pub diff: Vec<DiffPart>,
}

/// A problem as the desk lists it, with its line in the body.
pub struct ProblemView {
    pub severity: &'static str,
    pub place: String,
    pub message: String,
    /// Line (from 1) and column (in characters, from 1) in the Markdown
    /// text; `None` for a problem of the settings.
    pub line: Option<usize>,
    pub column: usize,
}

pub struct EntryRow {
    pub heading: String,
    pub soundtrack: String,
    pub rank: Option<u32>,
}

#[derive(Template)]
#[template(path = "editor/article.html")]
pub struct EditorPage {
    pub meta: Meta,
    pub csrf: String,
    pub me: super::Me,
    pub id: Option<i64>,
    pub status: Status,
    /// When it is (or is to be) published, to the minute, with the zone.
    pub when: Option<String>,
    /// The time now, as the publish time field reads it (UTC).
    pub now: String,
    pub form: ArticleForm,
    pub errors: FieldErrors,
    pub notice: Option<String>,
    pub problems: Vec<ProblemView>,
    pub error_count: usize,
    pub entries: Vec<EntryRow>,
    pub find: String,
    pub found: Option<Vec<Listing>>,
    pub preview: Option<Vec<Part>>,
    pub revisions: Vec<RevisionRow>,
    /// A save refused because someone saved meanwhile: their version.
    pub conflict: Option<Conflict>,
    /// The editor's autosave, newer than what is stored: `(revision, when)`.
    pub autosave: Option<(i64, String)>,
    // The shared body template's names.
    pub parts: Vec<Part>,
    pub slug: String,
    pub discuss: bool,
    pub toc: Vec<TocItem>,
}

pub async fn new(req: HttpRequest, state: Data<AppState>, editor: CurrentEditor) -> Result<HttpResponse> {
    let form =
        ArticleForm { list: "ranked".into(), toc: "auto".into(), author: editor.0.name.clone(), ..Default::default() };
    let page = page(&req, &state, &editor, None, form, FieldErrors::new(), None).await?;
    html_response(StatusCode::OK, &page, [])
}

#[derive(Debug, Deserialize)]
pub struct EditQuery {
    pub saved: Option<String>,
    /// A revision to load into the editor.
    pub restore: Option<i64>,
}

pub async fn edit(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    id: Path<i64>,
    query: Query<EditQuery>,
) -> Result<HttpResponse> {
    let file = db::export::article(&state.db, *id).await?.ok_or(Error::NotFound)?;
    let desk = db::articles::desk_state(&state.db, *id).await?.ok_or(Error::NotFound)?;
    let mut form = ArticleForm { version: desk.version.to_string(), ..ArticleForm::from_file(&file) };
    let outcome = query.saved.as_deref().and_then(|s| s.parse::<actions::Outcome>().ok());
    let mut notice = outcome.map(|o| o.notice(&file.slug, desk.published_at, db::now()));
    if let Some(rev) = query.restore {
        let r = db::revisions::get(&state.db, *id, rev).await?.ok_or(Error::NotFound)?;
        form = form.restored(&r)?;
        let status = match Status::of(desk.published_at, desk.submitted_at, db::now()) {
            Status::Published => "stays published",
            Status::Scheduled => "stays scheduled",
            Status::Draft | Status::InReview => "stays a draft",
        };
        notice = Some(format!(
            "Restored {} into the editor. Nothing changes for readers until you save; the list {status}.",
            super::revisions::label(&r).to_lowercase(),
        ));
    }
    // Text typed since the last save (kept while typing, or before the
    // page was left) is offered back, never loaded unasked.
    let autosave = match query.restore {
        Some(_) => None,
        None => db::revisions::autosave_of(&state.db, *id, editor.0.id)
            .await?
            .filter(|a| a.created_at >= desk.modified_at && (a.body != file.body || a.title != file.front.title)),
    };
    let mut page = page(&req, &state, &editor, Some(*id), form, FieldErrors::new(), notice).await?;
    page.autosave = autosave.map(|a| (a.id, date_time(a.created_at)));
    html_response(StatusCode::OK, &page, [])
}

/// What the check says of the form as typed: the address it stands for,
/// its entries and its problems.
struct Findings {
    slug: String,
    entries: Vec<EntryRow>,
    problems: Vec<ProblemView>,
    error_count: usize,
}

async fn findings(state: &AppState, id: Option<i64>, form: &ArticleForm) -> Result<Findings> {
    let slug = if form.slug.trim().is_empty() { slugify(&form.title) } else { form.slug.trim().to_owned() };
    let (entries, problems, error_count) = match form.front(None) {
        Ok(front) if !slug.is_empty() => {
            let c = check(state, id, &slug, &front, &form.body, Html::Shape).await?;
            let entries = c
                .article
                .map(|a| {
                    a.rendered
                        .entries
                        .into_iter()
                        .map(|e| EntryRow { heading: e.heading, soundtrack: e.soundtrack, rank: e.rank })
                        .collect()
                })
                .unwrap_or_default();
            (entries, c.problems, c.errors)
        }
        _ => (Vec::new(), Vec::new(), 0),
    };
    Ok(Findings { slug, entries, problems, error_count })
}

/// The editor page for `form`, with its check and, for a saved article,
/// its revisions.
async fn page(
    req: &HttpRequest,
    state: &AppState,
    editor: &CurrentEditor,
    id: Option<i64>,
    form: ArticleForm,
    errors: FieldErrors,
    notice: Option<String>,
) -> Result<EditorPage> {
    let (csrf, _) = forms::csrf_for(req, &state.secret)?;
    let Findings { slug, entries, problems, error_count } = findings(state, id, &form).await?;
    let revisions = match id {
        Some(id) => db::revisions::list(&state.db, id).await?.into_iter().map(RevisionRow::from).collect(),
        None => Vec::new(),
    };
    // The status of the form as it stands (a review mark is the stored
    // article's).
    let published = parse_time(form.published.trim());
    let submitted_at = match id {
        Some(id) => db::articles::desk_state(&state.db, id).await?.and_then(|d| d.submitted_at),
        None => None,
    };
    let now = db::now();
    // The preview is always there, beside the text: scripts refresh it as
    // the text changes, the Preview button does without them.
    let preview = Some(preview(state, &form).await?);
    Ok(EditorPage {
        meta: Meta::new(if id.is_some() { "Edit list" } else { "New list" }, "Editor desk"),
        csrf,
        me: editor.me(),
        id,
        status: Status::of(published, submitted_at, now),
        when: super::dashboard::when(published, now),
        now: date_time(now),
        slug,
        form,
        errors,
        notice,
        problems,
        error_count,
        entries,
        find: String::new(),
        found: None,
        preview,
        revisions,
        conflict: None,
        autosave: None,
        parts: Vec::new(),
        discuss: false,
        toc: Vec::new(),
    })
}

pub async fn create(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    payload: Payload,
) -> Result<HttpResponse> {
    actions::submit(req, state, editor, None, payload).await
}

pub async fn save(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    id: Path<i64>,
    payload: Payload,
) -> Result<HttpResponse> {
    db::export::article(&state.db, *id).await?.ok_or(Error::NotFound)?;
    actions::submit(req, state, editor, Some(*id), payload).await
}

/// The article as readers will see it, rendered by the public page's code.
async fn preview(state: &AppState, form: &ArticleForm) -> Result<Vec<Part>> {
    let front = form.front(None).unwrap_or_else(|_| FrontMatter {
        title: form.title.clone(),
        description: String::new(),
        author: String::new(),
        published: None,
        updated: None,
        tags: Vec::new(),
        list: ListStyle::None,
        order: ListOrder::Ascending,
        toc: None,
        feature: None,
        feature_alt: None,
    });
    let rendered = crate::content::markdown::render(&form.body, front.list, front.order);
    let slugs: Vec<String> = rendered.entries.iter().map(|e| e.soundtrack.clone()).collect();
    let cards = db::soundtracks::cards_by_slugs(&state.db, &slugs).await?;
    let by_slug: HashMap<&str, &db::soundtracks::Card> =
        cards.values().map(|c| (c.soundtrack.slug.as_str(), c)).collect();
    let pictures = super::super::articles::pictures_of(state, &rendered.document.blocks, None).await?;
    Ok(parts(rendered.document.blocks, &by_slug, &pictures).0)
}
