//! Keeping records right: `/editor/records` (every record, A–Z, a page
//! at a time), new and edit forms with every field of the
//! record format (tracks added and removed without JavaScript), and delete,
//! refused while an article uses the record.

use std::collections::BTreeMap;
use std::path::Path as FsPath;

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{Data, Path, Payload, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{CurrentEditor, RECORDS_EDITORS_ONLY};
use crate::auth::Role;
use crate::comments::form::FieldErrors;
use crate::content::check::check_record;
use crate::content::record::{Film, Kind, Track};
use crate::content::{Record, is_slug, slugify};
use crate::db::{self, soundtracks::Listing};
use crate::error::{Error, Result};
use crate::web::AppState;
use crate::web::forms;
use crate::web::paging::{PageQuery, Pager};
use crate::web::view::{Meta, html_response};

#[derive(Template)]
#[template(path = "editor/records.html")]
struct RecordsPage {
    meta: Meta,
    csrf: String,
    me: super::Me,
    records: Vec<Listing>,
    pager: Pager,
}

pub async fn index(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    query: Query<PageQuery>,
) -> Result<HttpResponse> {
    editor.require(Role::can_edit_records, RECORDS_EDITORS_ONLY)?;
    let (csrf, _) = forms::csrf_for(&req, &state.secret)?;
    let window = query.window(db::soundtracks::PAGE_SIZE)?;
    let records = db::soundtracks::index_page(&state.db, window).await?;
    let pager = Pager::new("/editor/records", &records)?;
    let meta = Meta::new("Records", "Editor desk").paged(state.base(), "/editor/records", &pager);
    let page = RecordsPage { meta, csrf, me: editor.me(), records: records.items, pager };
    html_response(StatusCode::OK, &page, [])
}

crate::text_enum! {
    /// What a button of the record form asks for.
    enum RecordAction("action") {
        Save = "save",
        /// Another empty track row (no JavaScript needed).
        AddTrack = "add-track",
    }
}

/// One track row of the form.
#[derive(Debug, Clone, Default)]
pub struct TrackRow {
    pub title: String,
    pub artist: String,
    pub note: String,
}

/// The record form, as typed. Lists of names and facts are one per line.
#[derive(Debug, Clone, Default)]
pub struct RecordForm {
    pub slug: String,
    pub title: String,
    pub kind: String,
    pub film_title: String,
    pub film_year: String,
    pub director: String,
    pub composers: String,
    pub music_supervisors: String,
    pub artists: String,
    pub label: String,
    pub released: String,
    pub catalogue_number: String,
    pub summary: String,
    /// The cover's name in the media library, and what it shows.
    pub cover: String,
    pub cover_alt: String,
    pub facts: String,
    pub tracks: Vec<TrackRow>,
    /// The list the editor came from (its draft kept), to go back to.
    pub back: String,
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl RecordForm {
    fn from_record(r: &Record) -> Self {
        RecordForm {
            slug: r.slug.clone(),
            title: r.title.clone(),
            kind: r.kind.as_str().into(),
            film_title: r.film.title.clone(),
            film_year: r.film.year.to_string(),
            director: r.film.director.clone(),
            composers: r.composers.join("\n"),
            music_supervisors: r.music_supervisors.join("\n"),
            artists: r.artists.join("\n"),
            label: r.label.clone().unwrap_or_default(),
            released: r.released.clone().unwrap_or_default(),
            catalogue_number: r.catalogue_number.clone().unwrap_or_default(),
            summary: r.summary.clone().unwrap_or_default(),
            cover: r.cover.clone().unwrap_or_default(),
            cover_alt: r.cover_alt.clone().unwrap_or_default(),
            facts: r.facts.join("\n"),
            tracks: r
                .tracks
                .iter()
                .map(|t| TrackRow {
                    title: t.title.clone(),
                    artist: t.artist.clone().unwrap_or_default(),
                    note: t.note.clone().unwrap_or_default(),
                })
                .collect(),
            back: String::new(),
        }
    }

    /// The list to go back to, when `back` names one of the desk's article
    /// pages (nothing else: it becomes a link and a redirect).
    pub fn back_link(&self) -> Option<&str> {
        let (path, query) = self.back.split_once('?').unwrap_or((&self.back, ""));
        let id = path.strip_prefix("/editor/articles/")?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let query_ok = query.is_empty() || query.strip_prefix("restore=").is_some_and(digits);
        (digits(id) && query_ok).then_some(self.back.as_str())
    }

    /// Reads the fields; track rows are `track-N-title` etc., and a ticked
    /// `track-N-remove` drops its row.
    fn from_fields(f: &mut BTreeMap<String, String>) -> Self {
        let mut tracks = Vec::new();
        for n in 0..200 {
            let key = |k: &str| format!("track-{n}-{k}");
            if !f.contains_key(&key("title")) {
                break;
            }
            let row = TrackRow {
                title: f.remove(&key("title")).unwrap_or_default(),
                artist: f.remove(&key("artist")).unwrap_or_default(),
                note: f.remove(&key("note")).unwrap_or_default(),
            };
            if f.remove(&key("remove")).is_none() {
                tracks.push(row);
            }
        }
        let mut take = |k: &str| f.remove(k).unwrap_or_default();
        RecordForm {
            slug: take("slug"),
            title: take("title"),
            kind: take("kind"),
            film_title: take("film_title"),
            film_year: take("film_year"),
            director: take("director"),
            composers: take("composers"),
            music_supervisors: take("music_supervisors"),
            artists: take("artists"),
            label: take("label"),
            released: take("released"),
            catalogue_number: take("catalogue_number"),
            summary: take("summary"),
            cover: take("cover"),
            cover_alt: take("cover_alt"),
            facts: take("facts"),
            tracks,
            back: take("back"),
        }
    }

    /// The record this form stands for (checked by the caller).
    fn record(&self, slug: &str) -> Result<Record, FieldErrors> {
        let year = self
            .film_year
            .trim()
            .parse::<i64>()
            .map_err(|_| FieldErrors::from([("film_year", "Write the film's year, such as 1982.".to_string())]))?;
        // A select offers only these; anything else is a score.
        let kind = self.kind.parse().unwrap_or(Kind::Score);
        Ok(Record {
            slug: slug.to_owned(),
            path: format!("soundtracks/{slug}.toml").into(),
            hash: String::new(),
            title: self.title.trim().to_owned(),
            kind,
            released: opt(&self.released),
            label: opt(&self.label),
            catalogue_number: opt(&self.catalogue_number),
            summary: opt(&self.summary),
            cover: opt(&self.cover),
            cover_alt: opt(&self.cover_alt),
            composers: lines(&self.composers),
            music_supervisors: lines(&self.music_supervisors),
            artists: lines(&self.artists),
            facts: lines(&self.facts),
            film: Film { title: self.film_title.trim().to_owned(), year, director: self.director.trim().to_owned() },
            tracks: self
                .tracks
                .iter()
                .filter(|t| !t.title.trim().is_empty())
                .map(|t| Track { title: t.title.trim().to_owned(), artist: opt(&t.artist), note: opt(&t.note) })
                .collect(),
        })
    }
}

#[derive(Template)]
#[template(path = "editor/record.html")]
struct RecordPage {
    meta: Meta,
    csrf: String,
    me: super::Me,
    /// Editing an existing record (its slug is fixed).
    existing: bool,
    form: RecordForm,
    errors: FieldErrors,
    problems: Vec<String>,
    notice: Option<String>,
    used_by: Vec<(i64, String)>,
}

/// What a record page says besides the record: field errors, check
/// problems, a notice.
#[derive(Default)]
struct Feedback {
    errors: FieldErrors,
    problems: Vec<String>,
    notice: Option<String>,
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    editor: &CurrentEditor,
    existing: bool,
    form: RecordForm,
    feedback: Feedback,
    status: StatusCode,
) -> Result<HttpResponse> {
    let (csrf, _) = forms::csrf_for(req, &state.secret)?;
    let used_by = if existing { db::soundtracks::used_by(&state.db, &form.slug).await? } else { Vec::new() };
    let meta = Meta::new(if existing { "Edit record" } else { "New record" }, "Editor desk");
    let Feedback { errors, problems, notice } = feedback;
    let page = RecordPage { meta, csrf, me: editor.me(), existing, form, errors, problems, notice, used_by };
    html_response(status, &page, [])
}

/// `?back=`: the list the editor came from.
#[derive(Debug, Deserialize)]
pub struct BackQuery {
    pub back: Option<String>,
    pub saved: Option<String>,
}

pub async fn new(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    query: Query<BackQuery>,
) -> Result<HttpResponse> {
    editor.require(Role::can_edit_records, RECORDS_EDITORS_ONLY)?;
    let back = query.into_inner().back.unwrap_or_default();
    let form = RecordForm { kind: "score".into(), tracks: vec![TrackRow::default()], back, ..Default::default() };
    render(&req, &state, &editor, false, form, Feedback::default(), StatusCode::OK).await
}

pub async fn edit(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    slug: Path<String>,
    query: Query<BackQuery>,
) -> Result<HttpResponse> {
    editor.require(Role::can_edit_records, RECORDS_EDITORS_ONLY)?;
    let BackQuery { back, saved } = query.into_inner();
    let notice = saved.map(|_| "Saved.".to_string());
    let record = db::export::record(&state.db, &slug).await?.ok_or(Error::NotFound)?;
    let form = RecordForm { back: back.unwrap_or_default(), ..RecordForm::from_record(&record) };
    render(&req, &state, &editor, true, form, Feedback { notice, ..Feedback::default() }, StatusCode::OK).await
}

/// The stored record's form, with a notice.
async fn existing(
    req: &HttpRequest,
    state: &AppState,
    editor: &CurrentEditor,
    slug: &str,
    notice: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse> {
    let record = db::export::record(&state.db, slug).await?.ok_or(Error::NotFound)?;
    let form = RecordForm::from_record(&record);
    render(req, state, editor, true, form, Feedback { notice, ..Feedback::default() }, status).await
}

pub async fn create(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    payload: Payload,
) -> Result<HttpResponse> {
    editor.require(Role::can_edit_records, RECORDS_EDITORS_ONLY)?;
    submit(req, state, editor, None, payload).await
}

pub async fn save(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    slug: Path<String>,
    payload: Payload,
) -> Result<HttpResponse> {
    editor.require(Role::can_edit_records, RECORDS_EDITORS_ONLY)?;
    db::soundtracks::card(&state.db, &slug).await?.ok_or(Error::NotFound)?;
    submit(req, state, editor, Some(slug.into_inner()), payload).await
}

async fn submit(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    existing: Option<String>,
    payload: Payload,
) -> Result<HttpResponse> {
    let mut posted = forms::posted(&req, payload, 256 * 1024, &state.secret, None).await?;
    let action = match posted.take("action").as_str() {
        "" => RecordAction::Save,
        a => a.parse().map_err(|e| Error::BadRequest(format!("{e}")))?,
    };
    let mut form = RecordForm::from_fields(&mut posted.fields);
    let is_existing = existing.is_some();
    if let Some(slug) = &existing {
        form.slug.clone_from(slug);
    }
    if action == RecordAction::AddTrack {
        form.tracks.push(TrackRow::default());
        return render(&req, &state, &editor, is_existing, form, Feedback::default(), StatusCode::OK).await;
    }
    let slug = match existing {
        Some(s) => s,
        None => {
            let typed = form.slug.trim();
            let slug = if typed.is_empty() {
                slugify(&format!("{} {}", form.film_title, form.film_year))
            } else {
                typed.to_owned()
            };
            let mut errors = FieldErrors::new();
            if !is_slug(&slug) {
                errors
                    .insert("slug", "Use lowercase letters, digits and single hyphens, e.g. blade-runner-1982.".into());
            } else if db::soundtracks::card(&state.db, &slug).await?.is_some() {
                errors.insert("slug", "A record with this slug exists already.".into());
            }
            if !errors.is_empty() {
                return render(
                    &req,
                    &state,
                    &editor,
                    false,
                    form,
                    Feedback { errors, ..Feedback::default() },
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            form.slug.clone_from(&slug);
            slug
        }
    };
    let record = match form.record(&slug) {
        Ok(r) => r,
        Err(errors) => {
            return render(
                &req,
                &state,
                &editor,
                is_existing,
                form,
                Feedback { errors, ..Feedback::default() },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    // The same check as files get: write the record as its file would be.
    let text = toml::to_string(&record).map_err(|e| Error::Internal(e.to_string()))?;
    let (checked, problems) = check_record(FsPath::new(&format!("soundtracks/{slug}.toml")), &text);
    let errors: Vec<String> = problems.iter().filter(|p| p.is_error()).map(|p| p.message.clone()).collect();
    let Some(checked) = checked.filter(|_| errors.is_empty()) else {
        return render(
            &req,
            &state,
            &editor,
            is_existing,
            form,
            Feedback { problems: errors, ..Feedback::default() },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let mut tx = state.db.begin_write().await?;
    let how = if is_existing { db::soundtracks::Write::WebUpdate } else { db::soundtracks::Write::WebNew };
    db::soundtracks::write(&mut tx, &checked, how, db::now()).await?;
    db::chart::retitle(&mut tx, &slug).await?;
    db::bump_content_version(&mut tx).await?;
    tx.commit().await?;
    let mut to = format!("/editor/records/{slug}?saved=1");
    if let Some(back) = form.back_link() {
        to.push('&');
        to.push_str(&url::form_urlencoded::Serializer::new(String::new()).append_pair("back", back).finish());
    }
    Ok(HttpResponse::SeeOther().insert_header((LOCATION, to)).finish())
}

pub async fn delete(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    slug: Path<String>,
    payload: Payload,
) -> Result<HttpResponse> {
    editor.require(Role::can_edit_records, RECORDS_EDITORS_ONLY)?;
    forms::posted(&req, payload, 16 * 1024, &state.secret, None).await?;
    if db::soundtracks::delete_unused(&state.db, &slug).await? {
        return Ok(HttpResponse::SeeOther().insert_header((LOCATION, "/editor/records")).finish());
    }
    let notice = Some("This record cannot be deleted while the articles below use it.".to_string());
    existing(&req, &state, &editor, &slug, notice, StatusCode::CONFLICT).await
}
