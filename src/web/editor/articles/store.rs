//! Checking an article as the desk has it (the same checks as `cuesheet
//! check`), and writing it with its revision, its review mark and its old
//! address in one transaction.

use std::collections::HashMap;
use std::path::Path as FsPath;

use crate::content::article::FrontMatter;
use crate::content::check::check_article_with;
use crate::content::markdown::Html;
use crate::content::{Article, is_slug, slugify};
use crate::db::{self, export::ArticleFile};
use crate::error::{Error, Result};
use crate::web::AppState;
use crate::web::editor::CurrentEditor;

use super::ProblemView;
use super::form::ArticleForm;

/// What the check says of the form, and the article if it could be read.
pub(super) struct Checked {
    pub article: Option<Article>,
    pub problems: Vec<ProblemView>,
    pub errors: usize,
}

/// Checks the article as the form has it; the article comes back rendered
/// for `html` (the page, to be written; its shape, to be shown the findings).
pub(super) async fn check(
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
    let ctx = crate::web::editor::context::context(state, id, FsPath::new(&path), &text).await?;
    let (article, problems) = check_article_with(FsPath::new(&path), &text, &ctx, html);
    let errors = problems.iter().filter(|p| p.is_error()).count();
    let problems = problems
        .iter()
        .map(|p| {
            let line = (p.line >= body_line).then(|| p.line - body_line + 1);
            ProblemView {
                severity: p.severity.as_str(),
                place: match line {
                    Some(line) => format!("line {line}, column {}", p.column),
                    None => "settings".into(),
                },
                message: p.message.clone(),
                line,
                column: p.column,
            }
        })
        .collect();
    Ok(Checked { article, problems, errors })
}

/// Stores the article and a revision in one transaction; `submit` marks it
/// submitted for review (publishing clears the mark). An existing article
/// is written only at the version given; `None` when it has moved on.
pub(super) async fn write(
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
    let (before, mut charted) = match existing {
        Some((id, _)) => (db::articles::address(&mut tx, id).await?, db::chart::records_of(&mut tx, id).await?),
        None => (None, Vec::new()),
    };
    let Some(id) = db::articles::write(&mut tx, a, &ids, how, now).await? else {
        return Ok(None);
    };
    // The chart counts the records it listed and lists now, as they stand.
    charted.extend(db::chart::records_of(&mut tx, id).await?);
    db::chart::refresh(&mut tx, &charted, now).await?;
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
pub(super) async fn unique_slug(db: &db::Db, base: &str, id: Option<i64>) -> Result<String> {
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

/// What keeping a draft came to.
pub enum Kept {
    /// An existing article's text, kept as the editor's autosave (the
    /// article itself is untouched).
    Autosave { revision: i64, at: i64 },
    /// A new list, saved as a draft.
    Draft { id: i64, version: i64, slug: String },
    /// Nothing could be kept yet, and why.
    Nothing(&'static str),
}

/// Keeps what the form holds without publishing anything: an existing
/// article's text as the editor's autosave, a new list as a draft.
pub(super) async fn keep_draft(
    state: &AppState,
    editor: &CurrentEditor,
    id: Option<i64>,
    form: &ArticleForm,
) -> Result<Kept> {
    match id {
        Some(id) => {
            let at = db::now();
            let revision = keep_autosave(state, editor, id, form, at).await?;
            Ok(Kept::Autosave { revision, at })
        }
        None => create_draft(state, editor, form).await,
    }
}

/// The editor's autosave of an article, replacing their previous one.
pub(super) async fn keep_autosave(
    state: &AppState,
    editor: &CurrentEditor,
    id: i64,
    form: &ArticleForm,
    now: i64,
) -> Result<i64> {
    let front = form.draft_front();
    let front_text = toml::to_string(&front).map_err(|e| Error::Internal(e.to_string()))?;
    let revision = db::revisions::NewRevision {
        article_id: id,
        editor_id: editor.0.id,
        editor_name: &editor.0.name,
        now,
        title: &front.title,
        front: &front_text,
        body: &form.body,
    };
    Ok(db::revisions::autosave(&state.db, &revision).await?)
}

/// A new list saved as a draft (never published, whatever time the form
/// has), at the address the form asks for when it is free and valid.
async fn create_draft(state: &AppState, editor: &CurrentEditor, form: &ArticleForm) -> Result<Kept> {
    if form.title.trim().is_empty() {
        return Ok(Kept::Nothing("give the list a title and it is kept as a draft."));
    }
    let front = form.draft_front();
    let typed = form.slug.trim();
    let slug = if is_slug(typed) && db::articles::id_by_slug(&state.db, typed).await?.is_none() {
        typed.to_owned()
    } else {
        unique_slug(&state.db, &slugify(&form.title), None).await?
    };
    let checked = check(state, None, &slug, &front, &form.body, Html::Page).await?;
    let Some(article) = checked.article else {
        return Ok(Kept::Nothing("the text cannot be read as a list yet; fix the errors listed under the text."));
    };
    match write(state, editor, None, &article, &front, false).await? {
        Some(id) => Ok(Kept::Draft { id, version: 1, slug }),
        None => Err(Error::Internal("a new article was not written".into())),
    }
}
