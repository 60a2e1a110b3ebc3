//! The article form's buttons: parsed once into an [`Action`], each a
//! small named step of [`Desk`].

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use chrono::DateTime;

use super::form::ArticleForm;
use super::store::{Kept, check, keep_autosave, keep_draft, unique_slug, write};
use super::{Conflict, page};
use crate::auth::Role;
use crate::comments::form::FieldErrors;
use crate::content::markdown::{Html, ListStyle};
use crate::content::{is_slug, reorder, slugify};
use crate::db;
use crate::error::{Error, Result};
use crate::web::AppState;
use crate::web::editor::revisions::word_diff;
use crate::web::editor::{CurrentEditor, RECORDS_EDITORS_ONLY};
use crate::web::forms;
use crate::web::view::{date_time, html_response};

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

crate::text_enum! {
    /// What a save came to, for the notice after the redirect
    /// (`?saved=...`).
    pub enum Outcome("outcome") {
        Saved = "saved",
        Published = "published",
        Scheduled = "scheduled",
        Unpublished = "unpublished",
        Submitted = "submitted",
    }
}

impl Outcome {
    /// The notice: what happened, and what readers see now.
    pub fn notice(self, slug: &str, published_at: Option<i64>, now: i64) -> String {
        match (self, published_at) {
            (Outcome::Published, _) => format!("Published: it is live at /articles/{slug}."),
            (Outcome::Scheduled, Some(at)) if at > now => {
                format!("Scheduled for {}: it appears by itself then.", date_time(at))
            }
            (Outcome::Unpublished, _) => "Unpublished: it is a draft again, and its page is off the site.".into(),
            (Outcome::Submitted, _) => "Submitted for review: an editor will read and publish it.".into(),
            (_, Some(at)) if at <= now => "Saved: the changes are live.".into(),
            (_, Some(at)) => format!("Saved; it is scheduled for {}.", date_time(at)),
            (_, None) => "Saved as a draft.".into(),
        }
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
    /// `create-record`: off to the new record form, and back afterwards.
    CreateRecord,
}

impl Action {
    /// Every button but the saving ones leaves the page (a round trip
    /// without JavaScript): the draft is kept first.
    fn keeps_draft_first(&self) -> bool {
        !matches!(self, Action::Save(_))
    }
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
            "create-record" => Action::CreateRecord,
            _ => match s.split_once(':') {
                Some(("up", n)) => Action::Move { entry: entry(n)?, up: true },
                Some(("down", n)) => Action::Move { entry: entry(n)?, up: false },
                Some(("add", slug)) if is_slug(slug) => Action::AddEntry(slug.to_owned()),
                _ => Action::Save(s.parse().map_err(|_| bad())?),
            },
        })
    }
}

/// Every button of the editor form lands here; `action` says which.
pub(super) async fn submit(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    id: Option<i64>,
    payload: Payload,
) -> Result<HttpResponse> {
    let mut posted = forms::posted(&req, payload, 1 << 20, &state.secret, Some("body")).await?;
    let action: Action = posted.take("action").parse()?;
    let find = posted.take("find");
    // Where the text cursor was, as a script sets it (UTF-16 code units, as
    // a textarea counts); empty without one.
    let cursor = posted.take("cursor").trim().parse::<usize>().ok();
    let form = ArticleForm::from_fields(&mut posted.fields);
    let mut errors = FieldErrors::new();
    if !posted.invalid_utf8.is_empty() {
        errors.insert("body", "Part of what was sent is not valid text (UTF-8); it has been replaced.".into());
    }
    let mut desk = Desk { req: &req, state: &state, editor: &editor, id, kept: None };
    let (form, back) = if action.keeps_draft_first() { desk.keep(form).await? } else { (form, None) };
    match action {
        Action::Move { entry, up } => desk.move_entry(form, errors, entry, up).await,
        Action::AddEntry(slug) => desk.add_entry(form, errors, &slug, cursor).await,
        Action::Find => desk.find(form, errors, find).await,
        Action::Preview => desk.preview(form, errors).await,
        Action::CreateRecord => desk.create_record(form, errors, back).await,
        Action::Save(kind) => desk.save(form, errors, kind).await,
    }
}

/// The byte offset of a position counted in UTF-16 code units (the end
/// when past it).
fn utf16_to_byte(text: &str, units: usize) -> usize {
    let mut counted = 0;
    for (i, c) in text.char_indices() {
        if counted >= units {
            return i;
        }
        counted += c.len_utf16();
    }
    text.len()
}

/// One request on the article form: who asks, about which article.
struct Desk<'a> {
    req: &'a HttpRequest,
    state: &'a AppState,
    editor: &'a CurrentEditor,
    id: Option<i64>,
    /// What was kept before this action, to say so.
    kept: Option<String>,
}

impl Desk<'_> {
    /// Keeps the draft before the page is left: an existing article's text
    /// as the editor's autosave, a new list as a draft (from then on this
    /// request is about that article). Returns the form, and where the
    /// editor comes back to find their text.
    async fn keep(&mut self, mut form: ArticleForm) -> Result<(ArticleForm, Option<String>)> {
        let (said, back) = match keep_draft(self.state, self.editor, self.id, &form).await? {
            Kept::Autosave { revision, at } => {
                let id = self.id.unwrap_or_default();
                let said = format!("Your text is kept as an autosave ({}); saving makes it the list's.", date_time(at));
                (said, Some(format!("/editor/articles/{id}?restore={revision}")))
            }
            Kept::Draft { id, version, slug } => {
                self.id = Some(id);
                form.version = version.to_string();
                form.slug = slug;
                ("Saved as a draft.".to_string(), Some(format!("/editor/articles/{id}")))
            }
            Kept::Nothing(why) => (format!("Not kept yet: {why}"), None),
        };
        self.kept = Some(said);
        Ok((form, back))
    }

    /// The notice with what was kept before it.
    fn notice(&self, notice: Option<String>) -> Option<String> {
        match (notice, &self.kept) {
            (Some(n), Some(k)) => Some(format!("{n} {k}")),
            (n, k) => n.or_else(|| k.clone()),
        }
    }

    /// The editor page for this form, with the notices.
    async fn page(&self, form: ArticleForm, errors: FieldErrors, notice: Option<String>) -> Result<super::EditorPage> {
        page(self.req, self.state, self.editor, self.id, form, errors, self.notice(notice)).await
    }

    /// The form again, with a notice, answered with `status`.
    async fn again(
        &self,
        form: ArticleForm,
        errors: FieldErrors,
        notice: Option<String>,
        status: StatusCode,
    ) -> Result<HttpResponse> {
        html_response(status, &self.page(form, errors, notice).await?, [])
    }

    /// Off to the new record form, the draft kept; back to it afterwards.
    async fn create_record(
        &self,
        form: ArticleForm,
        errors: FieldErrors,
        back: Option<String>,
    ) -> Result<HttpResponse> {
        let Some(back) = back else {
            let notice = Some("Give the list a title first, so it is kept while you create the record.".into());
            return self.again(form, errors, notice, StatusCode::UNPROCESSABLE_ENTITY).await;
        };
        self.editor.require(Role::can_edit_records, RECORDS_EDITORS_ONLY)?;
        let query = url::form_urlencoded::Serializer::new(String::new()).append_pair("back", &back).finish();
        Ok(HttpResponse::SeeOther().insert_header((LOCATION, format!("/editor/records/new?{query}"))).finish())
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

    /// Adds a whole entry (heading, record and a line to replace) between
    /// blocks: after the paragraph, list or code the cursor is in, or at the
    /// end without one.
    async fn add_entry(
        &self,
        mut form: ArticleForm,
        errors: FieldErrors,
        slug: &str,
        cursor: Option<usize>,
    ) -> Result<HttpResponse> {
        let Some(card) = db::soundtracks::card(&self.state.db, slug).await? else {
            let notice = Some(format!("There is no record `{slug}`."));
            return self.again(form, errors, notice, StatusCode::UNPROCESSABLE_ENTITY).await;
        };
        let heading = if form.list.parse() == Ok(ListStyle::None) { "###" } else { "##" };
        let film = &card.soundtrack.film_title;
        let entry = format!("{heading} {film} {{soundtrack={slug}}}\n\nWhy {film} belongs here.");
        let at = cursor.map(|c| utf16_to_byte(&form.body, c));
        form.body = reorder::insert_block(&form.body, at, &entry);
        let notice = Some(format!("Added an entry for {film}; write its text, then save."));
        self.again(form, errors, notice, StatusCode::OK).await
    }

    async fn find(&self, form: ArticleForm, errors: FieldErrors, find: String) -> Result<HttpResponse> {
        let mut page = self.page(form, errors, None).await?;
        page.found = Some(db::soundtracks::search(&self.state.db, &find).await?);
        page.find = find;
        html_response(StatusCode::OK, &page, [])
    }

    /// The page again: its preview is rendered from the text as sent.
    async fn preview(&self, form: ArticleForm, errors: FieldErrors) -> Result<HttpResponse> {
        let page = self.page(form, errors, None).await?;
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
        // Yours is kept too, should this page be closed.
        keep_autosave(self.state, self.editor, id, &form, db::now()).await?;
        let notice = format!(
            "Not saved: {who} saved this list at {when}, after you opened it. Your version is in the editor (and \
             kept as your autosave); theirs is below, with what differs. Take what you need from theirs, then save \
             again to replace it."
        );
        let diff = word_diff(&theirs.body, &form.body);
        let mut page = self.page(form, errors, Some(notice)).await?;
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
            let notice = Some(format!("Not saved: {}", crate::web::editor::PUBLISHERS_ONLY));
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
                "Not published: fix the errors listed under the text first. Your text is unchanged.".to_string()
            } else {
                "Not saved: fix the errors listed under the text first.".to_string()
            };
            return self.again(form, errors, Some(notice), StatusCode::UNPROCESSABLE_ENTITY).await;
        };
        let written = write(state, self.editor, id.zip(version), &article, &front, kind == SaveKind::Submit).await?;
        // Checked above, but another save may have come in while this one
        // was being checked.
        let Some(id) = written else {
            return self.conflict(form, errors).await;
        };
        let outcome = match (kind, article.published.map(|t| t.timestamp())) {
            (SaveKind::Unpublish, _) => Outcome::Unpublished,
            (SaveKind::Submit, _) => Outcome::Submitted,
            (_, Some(at)) if at > db::now() => Outcome::Scheduled,
            (SaveKind::Publish, _) => Outcome::Published,
            (SaveKind::Save, _) => Outcome::Saved,
        };
        Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, format!("/editor/articles/{id}?saved={outcome}")))
            .finish())
    }
}
