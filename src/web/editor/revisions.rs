//! An article's revisions on the desk: each says who kept it and when (the
//! time of day included), and shows, word by word, how it differs from the
//! current text. "Restore" loads a revision into the editor
//! (`/editor/articles/{id}?restore={rev}`): nothing changes for readers
//! until the editor saves, and restoring never changes whether the article
//! is published.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use similar::{ChangeTag, TextDiff};

use super::{CurrentEditor, Me};
use crate::content::article::{FrontMatter, TomlTime};
use crate::db::{self, revisions::Kind, revisions::Revision};
use crate::error::{Error, Result};
use crate::web::AppState;
use crate::web::forms;
use crate::web::view::{Meta, date_time, html_response};

/// A revision in the editor's list.
pub struct RevisionRow {
    pub id: i64,
    /// "Revision 3", or "Autosave".
    pub label: String,
    pub editor: String,
    pub when: String,
    pub title: String,
}

/// "Revision 3" or "Autosave".
pub fn label(r: &Revision) -> String {
    match (r.kind, r.number) {
        (Kind::Save, Some(n)) => format!("Revision {n}"),
        (Kind::Save, None) => "Revision".into(),
        (Kind::Autosave, _) => "Autosave".into(),
    }
}

impl From<Revision> for RevisionRow {
    fn from(r: Revision) -> Self {
        RevisionRow { id: r.id, label: label(&r), editor: r.editor_name, when: date_time(r.created_at), title: r.title }
    }
}

/// A piece of a word-level difference.
pub enum DiffPart {
    /// In both texts.
    Same(String),
    /// Only in the revision (gone from the current text).
    Removed(String),
    /// Only in the current text.
    Added(String),
    /// Unchanged text left out between two changes.
    Gap,
}

/// Words of context kept around each change (whitespace counts as a token).
const CONTEXT_TOKENS: usize = 24;
/// A diff of two long, very different texts may take long; past this it
/// settles for a coarser (still correct) answer.
const DIFF_DEADLINE: Duration = Duration::from_millis(500);

/// How `revision` turns into `current`, word by word, with the unchanged
/// stretches between changes left out. Empty when the two are the same.
pub fn word_diff(revision: &str, current: &str) -> Vec<DiffPart> {
    let diff = TextDiff::configure().timeout(DIFF_DEADLINE).diff_words(revision, current);
    let mut parts = Vec::new();
    for (i, group) in diff.grouped_ops(CONTEXT_TOKENS).iter().enumerate() {
        if i > 0 {
            parts.push(DiffPart::Gap);
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let text = change.value().to_owned();
                let part = match change.tag() {
                    ChangeTag::Equal => DiffPart::Same(text),
                    ChangeTag::Delete => DiffPart::Removed(text),
                    ChangeTag::Insert => DiffPart::Added(text),
                };
                // Runs of one kind read better as one element.
                match (parts.last_mut(), part) {
                    (Some(DiffPart::Same(a)), DiffPart::Same(b))
                    | (Some(DiffPart::Removed(a)), DiffPart::Removed(b))
                    | (Some(DiffPart::Added(a)), DiffPart::Added(b)) => a.push_str(&b),
                    (_, part) => parts.push(part),
                }
            }
        }
    }
    parts
}

/// A setting that differs between a revision and the current article.
pub struct SettingChange {
    pub name: &'static str,
    pub revision: String,
    pub current: String,
}

/// The settings that differ, as the form names them. The publish time is
/// listed for information: restoring keeps the article's own.
pub fn setting_changes(revision: &FrontMatter, current: &FrontMatter) -> Vec<SettingChange> {
    let time = |t: &Option<TomlTime>| match t {
        Some(TomlTime::Text(s)) => s.clone(),
        Some(TomlTime::Native(d)) => d.to_string(),
        None => "not published".into(),
    };
    let toc = |t: Option<bool>| match t {
        Some(true) => "shown",
        Some(false) => "hidden",
        None => "for long articles",
    };
    let pairs = [
        ("Title", revision.title.clone(), current.title.clone()),
        ("Standfirst", revision.description.clone(), current.description.clone()),
        ("Byline", revision.author.clone(), current.author.clone()),
        ("Tags", revision.tags.join(", "), current.tags.join(", ")),
        ("List style", revision.list.as_str().into(), current.list.as_str().into()),
        ("Order", revision.order.as_str().into(), current.order.as_str().into()),
        ("Contents", toc(revision.toc).into(), toc(current.toc).into()),
        ("Publish time (kept on restore)", time(&revision.published), time(&current.published)),
    ];
    pairs
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(name, revision, current)| SettingChange { name, revision, current })
        .collect()
}

#[derive(Template)]
#[template(path = "editor/revision.html")]
struct RevisionPage {
    meta: Meta,
    csrf: String,
    me: Me,
    article_id: i64,
    id: i64,
    label: String,
    title: String,
    editor: String,
    when: String,
    settings: Vec<SettingChange>,
    diff: Vec<DiffPart>,
    body: String,
}

/// `/editor/articles/{id}/revisions/{rev}`.
pub async fn show(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    ids: Path<(i64, i64)>,
) -> Result<HttpResponse> {
    let (article_id, id) = *ids;
    let r = db::revisions::get(&state.db, article_id, id).await?.ok_or(Error::NotFound)?;
    let current = db::export::article(&state.db, article_id).await?.ok_or(Error::NotFound)?;
    let front: FrontMatter = toml::from_str(&r.front).map_err(|e| Error::Internal(e.to_string()))?;
    let (csrf, _) = forms::csrf_for(&req, &state.secret)?;
    let page = RevisionPage {
        meta: Meta::new("Revision", "Editor desk"),
        csrf,
        me: editor.me(),
        article_id,
        id,
        label: label(&r),
        title: r.title.clone(),
        editor: r.editor_name.clone(),
        when: date_time(r.created_at),
        settings: setting_changes(&front, &current.front),
        diff: word_diff(&r.body, &current.body),
        body: r.body,
    };
    html_response(StatusCode::OK, &page, [])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(parts: &[DiffPart]) -> String {
        parts
            .iter()
            .map(|p| match p {
                DiffPart::Same(s) => s.clone(),
                DiffPart::Removed(s) => format!("[-{s}-]"),
                DiffPart::Added(s) => format!("{{+{s}+}}"),
                DiffPart::Gap => "…".into(),
            })
            .collect()
    }

    #[test]
    fn differences_are_word_by_word_with_context() {
        assert!(word_diff("same text", "same text").is_empty());
        assert_eq!(show(&word_diff("Two notes of dread.", "Two notes of pure dread.")), "Two notes of {+pure +}dread.");
        assert_eq!(show(&word_diff("a loud score", "a quiet score")), "a [-loud-]{+quiet+} score");
        // Far apart changes keep their context and leave out the middle.
        let long: Vec<String> = (0..200).map(|i| format!("w{i}")).collect();
        let old = long.join(" ");
        let new = old.replace("w3 ", "x3 ").replace("w190", "x190");
        let shown = show(&word_diff(&old, &new));
        assert!(shown.contains("[-w3-]{+x3+}") && shown.contains("[-w190-]{+x190+}") && shown.contains('…'), "{shown}");
        assert!(!shown.contains("w100 "), "{shown}");
    }

    /// A measurement, run by hand: `cargo test --release --lib
    /// long_diff -- --ignored --nocapture`. The longest real article ten
    /// times over (about 30,000 words) with a word changed every 500.
    #[test]
    #[ignore = "a measurement, run by hand"]
    fn long_diff() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/content/articles/best-movie-soundtracks-of-all-time.md");
        let article = std::fs::read_to_string(path).unwrap_or_default();
        let old = article.repeat(10);
        let mut changed = 0;
        let new: Vec<String> = old
            .split(' ')
            .enumerate()
            .map(|(i, w)| {
                if i % 500 == 250 {
                    changed += 1;
                    format!("CHANGED{i}")
                } else {
                    w.to_owned()
                }
            })
            .collect();
        let new = new.join(" ");
        let started = std::time::Instant::now();
        let parts = word_diff(&old, &new);
        let took = started.elapsed();
        let added = parts.iter().filter(|p| matches!(p, DiffPart::Added(t) if t.contains("CHANGED"))).count();
        eprintln!("{} words, {changed} changes: {} parts in {took:?}", old.split_whitespace().count(), parts.len());
        assert_eq!(added, changed);
    }
}
