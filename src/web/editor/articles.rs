//! Writing lists: `/editor/articles/new`, `/editor/articles/{id}` (edit,
//! preview, find and add records, move entries, save, publish), and the
//! revisions every save keeps. The body is checked by the same code as
//! `cuesheet check` and the import; publishing is refused while an error
//! stands. A refused form comes back exactly as typed.

use std::collections::{BTreeMap, HashMap};
use std::path::Path as FsPath;

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{Data, Path, Payload, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::{DateTime, NaiveDateTime};
use serde::Deserialize;

use super::CurrentEditor;
use super::dashboard::status;
use super::revisions::{DiffPart, RevisionRow, word_diff};
use crate::comments::form::FieldErrors;
use crate::content::article::{FrontMatter, TomlTime};
use crate::content::check::check_article_with;
use crate::content::markdown::{Html, ListOrder, ListStyle, TocItem};
use crate::content::{Article, is_slug, reorder, slugify};
use crate::db::{self, export::ArticleFile, soundtracks::Listing};
use crate::error::{Error, Result};
use crate::web::AppState;
use crate::web::articles::{Part, parts};
use crate::web::forms;
use crate::web::view::{Meta, date_time, html_response};

/// The article form, as typed.
#[derive(Debug, Clone, Default)]
pub struct ArticleForm {
    pub title: String,
    pub slug: String,
    pub description: String,
    pub author: String,
    pub tags: String,
    pub list: String,
    pub order: String,
    pub toc: String,
    /// `YYYY-MM-DDTHH:MM`, UTC; empty for a draft.
    pub published: String,
    pub body: String,
    /// The article's version when the form was opened (empty for a new
    /// one): a save over a newer version is refused.
    pub version: String,
}

impl ArticleForm {
    fn from_fields(f: &mut BTreeMap<String, String>) -> Self {
        let mut take = |k: &str| f.remove(k).unwrap_or_default();
        ArticleForm {
            title: take("title"),
            slug: take("slug"),
            description: take("description"),
            author: take("author"),
            tags: take("tags"),
            list: take("list"),
            order: take("order"),
            toc: take("toc"),
            published: take("published"),
            body: take("body").replace("\r\n", "\n"),
            version: take("version"),
        }
    }

    fn from_file(f: &ArticleFile) -> Self {
        let time = |t: &Option<TomlTime>| match t {
            Some(TomlTime::Text(s)) => {
                DateTime::parse_from_rfc3339(s).map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()).unwrap_or_default()
            }
            Some(TomlTime::Native(d)) => d.to_string(),
            None => String::new(),
        };
        ArticleForm {
            title: f.front.title.clone(),
            slug: f.slug.clone(),
            description: f.front.description.clone(),
            author: f.front.author.clone(),
            tags: f.front.tags.join(", "),
            list: f.front.list.as_str().into(),
            order: f.front.order.as_str().into(),
            toc: match f.front.toc {
                Some(true) => "show",
                Some(false) => "hide",
                None => "auto",
            }
            .into(),
            published: time(&f.front.published),
            body: f.body.clone(),
            version: String::new(),
        }
    }

    /// This form with a revision's text and settings, keeping the
    /// article's own address and publish time: restoring never publishes
    /// or unpublishes anything.
    fn restored(self, r: &db::revisions::Revision) -> Result<Self> {
        let front: FrontMatter = toml::from_str(&r.front).map_err(|e| Error::Internal(e.to_string()))?;
        let file = ArticleFile { id: r.article_id, slug: self.slug.clone(), front, body: r.body.clone() };
        Ok(ArticleForm { published: self.published, version: self.version, ..ArticleForm::from_file(&file) })
    }

    /// The front matter this form stands for, or what is wrong with it.
    fn front(&self, updated: Option<String>) -> Result<FrontMatter, FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.title.trim().is_empty() {
            errors.insert("title", "A list needs a title.".into());
        }
        let list = match self.list.as_str() {
            "ranked" => ListStyle::Ranked,
            "unranked" => ListStyle::Unranked,
            _ => ListStyle::None,
        };
        let order = if self.order == "countdown" { ListOrder::Countdown } else { ListOrder::Ascending };
        let published = match self.published.trim() {
            "" => None,
            t => match parse_time(t) {
                Some(ts) => Some(TomlTime::Text(db::export::rfc3339(ts))),
                None => {
                    errors.insert("published", "Write a date and time such as 2026-11-22T09:00 (UTC).".into());
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(FrontMatter {
            title: self.title.trim().to_owned(),
            description: self.description.trim().to_owned(),
            author: self.author.trim().to_owned(),
            published,
            updated: updated.map(TomlTime::Text),
            tags: self.tags.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect(),
            list,
            order,
            toc: match self.toc.as_str() {
                "show" => Some(true),
                "hide" => Some(false),
                _ => None,
            },
        })
    }
}

/// `2026-11-22T09:00` (UTC, as `datetime-local` sends it) or RFC 3339.
fn parse_time(s: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .map(|t| t.and_utc().timestamp())
}

crate::text_enum! {
    /// What saving does besides keeping the text.
    pub enum SaveKind("save") {
        /// Keeps the text; the publish time is as the form has it.
        Save = "save",
        /// Publishes now (or at the time the form has).
        Publish = "publish",
        /// Takes the list off the site: a draft again.
        Unpublish = "unpublish",
        /// Keeps a draft and asks an editor to review it.
        Submit = "submit",
    }
}

/// What a button of the article form asks for, parsed once from its
/// `action` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `save`, `publish`, `unpublish`, `submit` (and no button at all: save).
    Save(SaveKind),
    /// `preview`: the article as readers will see it.
    Preview,
    /// `find`: records whose film or album title matches the search field.
    Find,
    /// `up:N`, `down:N`: moves entry N.
    Move { entry: usize, up: bool },
    /// `add:SLUG`: adds an entry for a record.
    AddEntry(String),
}

impl std::str::FromStr for Action {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::BadRequest(format!("unknown action `{s}`"));
        let entry = |n: &str| n.parse::<usize>().map_err(|_| bad());
        Ok(match s {
            "" => Action::Save(SaveKind::Save),
            "preview" => Action::Preview,
            "find" => Action::Find,
            _ => match s.split_once(':') {
                Some(("up", n)) => Action::Move { entry: entry(n)?, up: true },
                Some(("down", n)) => Action::Move { entry: entry(n)?, up: false },
                Some(("add", slug)) if is_slug(slug) => Action::AddEntry(slug.to_owned()),
                _ => Action::Save(s.parse().map_err(|_| bad())?),
            },
        })
    }
}

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
    pub status: &'static str,
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
    // The shared body template's names.
    pub parts: Vec<Part>,
    pub slug: String,
    pub discuss: bool,
    pub toc: Vec<TocItem>,
}

/// What the check says of the form, and the article if it could be read.
struct Checked {
    article: Option<Article>,
    problems: Vec<ProblemView>,
    errors: usize,
}

/// Checks the article as the form has it; the article comes back rendered
/// for `html` (the page, to be written; its shape, to be shown the findings).
async fn check(
    state: &AppState,
    id: Option<i64>,
    slug: &str,
    front: &FrontMatter,
    body: &str,
    html: Html,
) -> Result<Checked> {
    let file =
        ArticleFile { id: id.unwrap_or_default(), slug: slug.to_owned(), front: front.clone(), body: body.to_owned() };
    let text = file.text().map_err(|e| Error::Internal(e.to_string()))?;
    let body_start = text.len() - body.len();
    let body_line = text[..body_start].matches('\n').count() + 1;
    let path = format!("articles/{slug}.md");
    let ctx = super::context::context(state, id, FsPath::new(&path), &text).await?;
    let (article, problems) = check_article_with(FsPath::new(&path), &text, &ctx, html);
    let errors = problems.iter().filter(|p| p.is_error()).count();
    let problems = problems
        .iter()
        .map(|p| ProblemView {
            severity: p.severity.as_str(),
            place: if p.line >= body_line {
                format!("line {}, column {}", p.line - body_line + 1, p.column)
            } else {
                "settings".into()
            },
            message: p.message.clone(),
        })
        .collect();
    Ok(Checked { article, problems, errors })
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
    let mut notice = query.saved.as_deref().map(|s| match s {
        "published" => "Published.".to_string(),
        "submitted" => "Submitted for review: an editor will read and publish it.".to_string(),
        _ => "Saved.".to_string(),
    });
    if let Some(rev) = query.restore {
        let r = db::revisions::get(&state.db, *id, rev).await?.ok_or(Error::NotFound)?;
        form = form.restored(&r)?;
        let status = if file.front.published.is_some() { "stays published" } else { "stays a draft" };
        notice = Some(format!(
            "Restored {} into the editor. Nothing changes for readers until you save; the list {status}.",
            super::revisions::label(&r).to_lowercase(),
        ));
    }
    let page = page(&req, &state, &editor, Some(*id), form, FieldErrors::new(), notice).await?;
    html_response(StatusCode::OK, &page, [])
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
    let revisions = match id {
        Some(id) => db::revisions::list(&state.db, id).await?.into_iter().map(RevisionRow::from).collect(),
        None => Vec::new(),
    };
    let published = parse_time(form.published.trim());
    Ok(EditorPage {
        meta: Meta::new(if id.is_some() { "Edit list" } else { "New list" }, "Editor desk"),
        csrf,
        me: editor.me(),
        id,
        status: status(published, None, db::now()),
        slug,
        form,
        errors,
        notice,
        problems,
        error_count,
        entries,
        find: String::new(),
        found: None,
        preview: None,
        revisions,
        conflict: None,
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
    submit(req, state, editor, None, payload).await
}

pub async fn save(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    id: Path<i64>,
    payload: Payload,
) -> Result<HttpResponse> {
    db::export::article(&state.db, *id).await?.ok_or(Error::NotFound)?;
    submit(req, state, editor, Some(*id), payload).await
}

/// Every button of the editor form lands here; `action` says which.
async fn submit(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    id: Option<i64>,
    payload: Payload,
) -> Result<HttpResponse> {
    let mut posted = forms::posted(&req, payload, 1 << 20, &state.secret, Some("body")).await?;
    let action: Action = posted.take("action").parse()?;
    let find = posted.take("find");
    let form = ArticleForm::from_fields(&mut posted.fields);
    let mut errors = FieldErrors::new();
    if !posted.invalid_utf8.is_empty() {
        errors.insert("body", "Part of what was sent is not valid text (UTF-8); it has been replaced.".into());
    }
    let desk = Desk { req: &req, state: &state, editor: &editor, id };
    match action {
        Action::Move { entry, up } => desk.move_entry(form, errors, entry, up).await,
        Action::AddEntry(slug) => desk.add_entry(form, errors, &slug).await,
        Action::Find => desk.find(form, errors, find).await,
        Action::Preview => desk.preview(form, errors).await,
        Action::Save(kind) => desk.save(form, errors, kind).await,
    }
}

/// One request on the article form: who asks, about which article.
struct Desk<'a> {
    req: &'a HttpRequest,
    state: &'a AppState,
    editor: &'a CurrentEditor,
    id: Option<i64>,
}

impl Desk<'_> {
    /// The form again, with a notice, answered with `status`.
    async fn again(
        &self,
        form: ArticleForm,
        errors: FieldErrors,
        notice: Option<String>,
        status: StatusCode,
    ) -> Result<HttpResponse> {
        let page = page(self.req, self.state, self.editor, self.id, form, errors, notice).await?;
        html_response(status, &page, [])
    }

    async fn move_entry(
        &self,
        mut form: ArticleForm,
        mut errors: FieldErrors,
        entry: usize,
        up: bool,
    ) -> Result<HttpResponse> {
        match reorder::move_entry(&form.body, entry, up) {
            Some(body) => form.body = body,
            None => {
                errors.insert("body", "That entry cannot move further.".into());
            }
        }
        self.again(form, errors, Some("Entry moved; save to keep the new order.".into()), StatusCode::OK).await
    }

    async fn add_entry(&self, mut form: ArticleForm, errors: FieldErrors, slug: &str) -> Result<HttpResponse> {
        let Some(card) = db::soundtracks::card(&self.state.db, slug).await? else {
            let notice = Some(format!("There is no record `{slug}`."));
            return self.again(form, errors, notice, StatusCode::UNPROCESSABLE_ENTITY).await;
        };
        let heading = if form.list == "none" { "###" } else { "##" };
        let film = &card.soundtrack.film_title;
        form.body =
            format!("{}\n\n{heading} {film} {{soundtrack={slug}}}\n\nWhy {film} belongs here.\n", form.body.trim_end());
        let notice = Some(format!("Added an entry for {film}; write its text, then save."));
        self.again(form, errors, notice, StatusCode::OK).await
    }

    async fn find(&self, form: ArticleForm, errors: FieldErrors, find: String) -> Result<HttpResponse> {
        let mut page = page(self.req, self.state, self.editor, self.id, form, errors, None).await?;
        page.found = Some(db::soundtracks::search(&self.state.db, &find).await?);
        page.find = find;
        html_response(StatusCode::OK, &page, [])
    }

    async fn preview(&self, form: ArticleForm, errors: FieldErrors) -> Result<HttpResponse> {
        let mut page = page(self.req, self.state, self.editor, self.id, form, errors, None).await?;
        page.preview = Some(preview(self.state, &page.form).await?);
        html_response(StatusCode::OK, &page, [])
    }

    /// A save refused because the article moved on since the form was
    /// opened (409): the editor keeps their text in the form, sees the other
    /// version and what differs, and the form now carries the current
    /// version, so saving again replaces theirs on purpose, never unseen.
    async fn conflict(&self, mut form: ArticleForm, errors: FieldErrors) -> Result<HttpResponse> {
        let db = &self.state.db;
        let id = self.id.ok_or(Error::NotFound)?;
        let theirs = db::export::article(db, id).await?.ok_or(Error::NotFound)?;
        let desk = db::articles::desk_state(db, id).await?.ok_or(Error::NotFound)?;
        // The text is the file's when an import wrote it last.
        let last = match desk.edited_at {
            Some(_) => db::revisions::latest_save(db, id).await?,
            None => None,
        };
        let (who, when) = match &last {
            Some(r) => (r.editor_name.clone(), date_time(r.created_at)),
            None => ("An import of its file".to_string(), date_time(desk.modified_at)),
        };
        form.version = desk.version.to_string();
        let notice = format!(
            "Not saved: {who} saved this list at {when}, after you opened it. Your version is in the editor; \
             theirs is below, with what differs. Take what you need from theirs, then save again to replace it."
        );
        let diff = word_diff(&theirs.body, &form.body);
        let mut page = page(self.req, self.state, self.editor, self.id, form, errors, Some(notice)).await?;
        page.conflict = Some(Conflict { who, when, title: theirs.front.title, body: theirs.body, diff });
        html_response(StatusCode::CONFLICT, &page, [])
    }

    /// Saves, publishes, unpublishes or submits for review; refused forms
    /// come back as typed.
    async fn save(&self, mut form: ArticleForm, mut errors: FieldErrors, kind: SaveKind) -> Result<HttpResponse> {
        let (state, id) = (self.state, self.id);
        // A contributor writes drafts: publishing, scheduling, unpublishing
        // or changing what readers see is refused, with the text kept.
        let previous = match id {
            Some(id) => db::export::article(&state.db, id).await?,
            None => None,
        };
        // Someone saved since this form was opened: nothing is written over
        // their version unseen.
        let version = match id {
            Some(id) => {
                let current = db::articles::desk_state(&state.db, id).await?.ok_or(Error::NotFound)?.version;
                if form.version.trim().parse::<i64>().ok() != Some(current) {
                    return self.conflict(form, errors).await;
                }
                Some(current)
            }
            None => None,
        };
        let live = previous.as_ref().is_some_and(|p| p.front.published.is_some());
        let publishes =
            matches!(kind, SaveKind::Publish | SaveKind::Unpublish) || !form.published.trim().is_empty() || live;
        if publishes && !self.editor.0.role.can_publish() {
            let notice = Some(format!("Not saved: {}", super::PUBLISHERS_ONLY));
            return self.again(form, errors, notice, StatusCode::FORBIDDEN).await;
        }
        match kind {
            SaveKind::Publish if form.published.trim().is_empty() => {
                form.published =
                    DateTime::from_timestamp(db::now(), 0).unwrap_or_default().format("%Y-%m-%dT%H:%M:%S").to_string();
            }
            SaveKind::Unpublish => form.published.clear(),
            _ => {}
        }
        // Editing a published article marks it updated.
        let updated = previous
            .as_ref()
            .filter(|p| p.front.published.is_some() && !form.published.trim().is_empty())
            .map(|_| db::export::rfc3339(db::now()));
        let front = match form.front(updated) {
            Ok(f) => f,
            Err(e) => return self.again(form, e, None, StatusCode::UNPROCESSABLE_ENTITY).await,
        };
        let slug = match form.slug.trim() {
            "" => unique_slug(&state.db, &slugify(&form.title), id).await?,
            s => s.to_owned(),
        };
        if !is_slug(&slug) {
            errors.insert("slug", "Use lowercase letters, digits and single hyphens, e.g. night-drives.".into());
        } else if let Some(other) = db::articles::id_by_slug(&state.db, &slug).await?
            && Some(other) != id
        {
            errors.insert("slug", "Another article has this address already.".into());
        }
        if !errors.is_empty() {
            return self.again(form, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        form.slug.clone_from(&slug);
        let checked = check(state, id, &slug, &front, &form.body, Html::Page).await?;
        let publishing = front.published.is_some();
        let Some(article) = checked.article.filter(|_| !(publishing && checked.errors > 0)) else {
            let notice = if publishing {
                "Not published: fix the errors listed above first. Your text is unchanged below.".to_string()
            } else {
                "Not saved: fix the errors listed above first.".to_string()
            };
            return self.again(form, errors, Some(notice), StatusCode::UNPROCESSABLE_ENTITY).await;
        };
        let written = write(state, self.editor, id.zip(version), &article, &front, kind == SaveKind::Submit).await?;
        // Checked above, but another save may have come in while this one
        // was being checked.
        let Some(id) = written else {
            return self.conflict(form, errors).await;
        };
        let saved = match kind {
            SaveKind::Publish => "published",
            SaveKind::Submit => "submitted",
            SaveKind::Save | SaveKind::Unpublish => "saved",
        };
        Ok(HttpResponse::SeeOther().insert_header((LOCATION, format!("/editor/articles/{id}?saved={saved}"))).finish())
    }
}

/// Stores the article and a revision in one transaction; `submit` marks it
/// submitted for review (publishing clears the mark). An existing article
/// is written only at the version given; `None` when it has moved on.
async fn write(
    state: &AppState,
    editor: &CurrentEditor,
    existing: Option<(i64, i64)>,
    a: &Article,
    front: &FrontMatter,
    submit: bool,
) -> Result<Option<i64>> {
    let db = &state.db;
    let slugs: Vec<String> = a.rendered.entries.iter().map(|e| e.soundtrack.clone()).collect();
    let ids: HashMap<String, i64> = db::soundtracks::ids_by_slugs(db, &slugs).await?;
    let now = db::now();
    let front_text = toml::to_string(front).map_err(|e| Error::Internal(e.to_string()))?;
    let mut tx = db.begin_write().await?;
    let how = match existing {
        Some((id, version)) => db::articles::Write::WebUpdate { id, version },
        None => db::articles::Write::WebNew,
    };
    let before = match existing {
        Some((id, _)) => db::articles::address(&mut tx, id).await?,
        None => None,
    };
    let Some(id) = db::articles::write(&mut tx, a, &ids, how, now).await? else {
        return Ok(None);
    };
    // Readers may have the old address of a page that was live: it keeps
    // answering, with a 301 to the new one.
    if let Some((old, Some(published_at))) = before
        && published_at <= now
    {
        db::redirects::renamed(&mut tx, db::redirects::Kind::Article, &old, &a.slug, now).await?;
    }
    if submit {
        db::articles::set_submitted(&mut tx, id, Some(now)).await?;
    } else if front.published.is_some() {
        db::articles::set_submitted(&mut tx, id, None).await?;
    }
    let revision = db::revisions::NewRevision {
        article_id: id,
        editor_id: editor.0.id,
        editor_name: &editor.0.name,
        now,
        title: &front.title,
        front: &front_text,
        body: &a.body,
    };
    db::revisions::insert_save(&mut tx, &revision).await?;
    db::bump_content_version(&mut tx).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// `base`, or `base-2`, `base-3`... whichever no other article has.
async fn unique_slug(db: &db::Db, base: &str, id: Option<i64>) -> Result<String> {
    let base = if base.is_empty() { "untitled".to_owned() } else { base.to_owned() };
    let mut slug = base.clone();
    let mut n = 1;
    while let Some(other) = db::articles::id_by_slug(db, &slug).await? {
        if Some(other) == id {
            break;
        }
        n += 1;
        slug = format!("{base}-{n}");
    }
    Ok(slug)
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
    });
    let rendered = crate::content::markdown::render(&form.body, front.list, front.order);
    let slugs: Vec<String> = rendered.entries.iter().map(|e| e.soundtrack.clone()).collect();
    let cards = db::soundtracks::cards_by_slugs(&state.db, &slugs).await?;
    let by_slug: HashMap<&str, &db::soundtracks::Card> =
        cards.values().map(|c| (c.soundtrack.slug.as_str(), c)).collect();
    Ok(parts(rendered.document.blocks, &by_slug).0)
}
