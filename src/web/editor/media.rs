//! `/editor/media`: the media library. Every picture with its name, size
//! and the Markdown that shows it; an upload form (a plain file form, no
//! script needed) that asks what the picture shows. The file's type comes
//! from its bytes alone; anything refused comes back with the reason and
//! the alt text as typed.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{Data, Payload, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use futures_util::TryStreamExt;
use serde::Deserialize;

use super::CurrentEditor;
use crate::auth::Role;
use crate::db;
use crate::error::{Error, Result};
use crate::media::{self, Picture, process};
use crate::web::AppState;
use crate::web::forms;
use crate::web::view::{Meta, html_response};

/// Room for the form's other fields beside the file.
const FIELD_LIMIT: usize = 4096;

pub struct Row {
    pub picture: Picture,
    pub preview: String,
    pub size: String,
}

#[derive(Template)]
#[template(path = "editor/media.html")]
struct Library {
    meta: Meta,
    csrf: String,
    me: super::Me,
    pictures: Vec<Row>,
    /// The picture just added, and the Markdown that shows it.
    added: Option<(String, String)>,
    /// The picture just deleted.
    deleted: Option<String>,
    error: Option<String>,
    alt: String,
    max_mb: usize,
}

#[derive(Debug, Deserialize)]
pub struct IndexQuery {
    pub added: Option<String>,
    pub deleted: Option<String>,
}

/// What the library shows besides its pictures.
#[derive(Default)]
struct Notice<'a> {
    added: Option<&'a str>,
    deleted: Option<&'a str>,
    error: Option<String>,
    alt: String,
}

fn kib(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1048576.0)
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// The Markdown that shows a picture in a text.
pub fn markdown(p: &Picture, alt: &str) -> String {
    let alt = alt.replace(['[', ']'], "");
    format!("![{alt}](media:{})", p.name)
}

async fn page(
    req: &HttpRequest,
    state: &AppState,
    editor: &CurrentEditor,
    status: StatusCode,
    notice: Notice<'_>,
) -> Result<HttpResponse> {
    let Notice { added, deleted, error, alt } = notice;
    let all = db::media::all(&state.db).await?;
    let added =
        added.and_then(|name| all.iter().find(|p| p.name == name)).map(|p| (p.name.clone(), markdown(p, &p.alt)));
    let pictures = all
        .into_iter()
        .map(|p| Row { preview: p.html(&p.alt, media::Slot::Cover, true), size: kib(p.bytes), picture: p })
        .collect();
    let (csrf, cookie) = forms::csrf_for(req, &state.secret)?;
    let page = Library {
        meta: Meta::new("Media", "Editor desk"),
        csrf,
        me: editor.me(),
        pictures,
        added,
        deleted: deleted.map(str::to_owned),
        error,
        alt,
        max_mb: process::MAX_BYTES / (1024 * 1024),
    };
    html_response(status, &page, cookie)
}

pub async fn index(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    query: Query<IndexQuery>,
) -> Result<HttpResponse> {
    let notice = Notice { added: query.added.as_deref(), deleted: query.deleted.as_deref(), ..Notice::default() };
    page(&req, &state, &editor, StatusCode::OK, notice).await
}

/// Where a refusal goes: the library page with the reason, or JSON.
struct Answer<'a> {
    req: &'a HttpRequest,
    state: &'a AppState,
    editor: &'a CurrentEditor,
    json: bool,
    alt: String,
}

impl Answer<'_> {
    async fn refuse(&self, status: StatusCode, why: String) -> Result<HttpResponse> {
        if self.json {
            return Ok(HttpResponse::build(status).json(serde_json::json!({ "error": why })));
        }
        let notice = Notice { error: Some(why), alt: self.alt.clone(), ..Notice::default() };
        page(self.req, self.state, self.editor, status, notice).await
    }
}

/// What the upload form sent.
#[derive(Default)]
struct Upload {
    csrf: String,
    alt: String,
    file_name: String,
    bytes: Vec<u8>,
    /// The file was larger than the limit (its first bytes are dropped).
    too_large: Option<usize>,
}

async fn read_upload(mut form: Multipart) -> Result<Upload> {
    let mut up = Upload::default();
    let broken = |e: actix_multipart::MultipartError| Error::BadRequest(format!("the upload could not be read: {e}"));
    while let Some(mut field) = form.try_next().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            up.file_name = field.content_disposition().and_then(|d| d.get_filename()).unwrap_or_default().to_owned();
        }
        let limit = if name == "file" { process::MAX_BYTES } else { FIELD_LIMIT };
        let mut buf = Vec::new();
        let mut total = 0usize;
        while let Some(chunk) = field.try_next().await.map_err(broken)? {
            total += chunk.len();
            if total <= limit {
                buf.extend_from_slice(&chunk);
            }
        }
        match name.as_str() {
            "file" if total > limit => up.too_large = Some(total),
            "file" => up.bytes = buf,
            "csrf" => up.csrf = String::from_utf8_lossy(&buf).into_owned(),
            "alt" => up.alt = String::from_utf8_lossy(&buf).trim().to_owned(),
            _ => {}
        }
    }
    Ok(up)
}

/// `POST /editor/media`: takes a picture (variants made on a blocking
/// thread, stored, recorded, the content version moved) and shows it with
/// its Markdown; a refused file comes back with the reason.
pub async fn upload(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    form: Multipart,
) -> Result<HttpResponse> {
    let up = read_upload(form).await?;
    if !forms::csrf_ok(&req, &state.secret, &up.csrf) {
        return Err(Error::Csrf { kept: None });
    }
    // The writing view's script asks for JSON, to put the Markdown at the cursor.
    let json = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let answer = Answer { req: &req, state: &state, editor: &editor, json, alt: up.alt.clone() };
    if let Some(sent) = up.too_large {
        let why = process::Refused::TooLarge(sent).to_string();
        return answer.refuse(StatusCode::PAYLOAD_TOO_LARGE, why).await;
    }
    if up.bytes.is_empty() {
        return answer.refuse(StatusCode::UNPROCESSABLE_ENTITY, "Choose a picture to upload.".into()).await;
    }
    if up.alt.is_empty() {
        let why = "Say what the picture shows (its alt text): readers who cannot see it get that instead.";
        return answer.refuse(StatusCode::UNPROCESSABLE_ENTITY, why.into()).await;
    }
    let len = up.bytes.len();
    let processed = match media::take(&state.media, up.bytes.clone()).await {
        Ok(p) => p,
        Err(media::TakeError::Refused(why)) => {
            return answer
                .refuse(StatusCode::UNPROCESSABLE_ENTITY, format!("This picture was not taken: {why}."))
                .await;
        }
        Err(media::TakeError::Store(e)) => return Err(Error::Internal(e.to_string())),
    };
    // A name another picture has gets a number: `poster-2.jpg`.
    let wanted = media::name_from_upload(&up.file_name, processed.format);
    let mut name = wanted.clone();
    let mut n = 1;
    while db::media::name_taken(&state.db, &name, &processed.hash).await? {
        n += 1;
        let (stem, ext) = wanted.rsplit_once('.').unwrap_or((&wanted, "jpg"));
        name = format!("{stem}-{n}.{ext}");
    }
    let row = db::media::row(&name, &processed, &up.alt, len);
    // The content version moves with it; the caching layer reads the clock
    // again after every write, so pages naming the picture show it at once.
    db::media::save_upload(&state.db, &row).await?;
    if json {
        let markdown = markdown(&row, &row.alt);
        return Ok(HttpResponse::Created().json(serde_json::json!({ "name": name, "markdown": markdown })));
    }
    // A name is a slug and an extension: nothing in it needs escaping.
    let to = format!("/editor/media?added={name}");
    Ok(HttpResponse::SeeOther().insert_header((LOCATION, to)).finish())
}

/// `POST /editor/media/delete`: removes a picture that nothing shows (its
/// bytes too, unless another name has the same); one in use stays, and the
/// library says where it is shown.
pub async fn delete(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    payload: Payload,
) -> Result<HttpResponse> {
    editor.require(Role::can_publish, super::MEDIA_EDITORS_ONLY)?;
    let mut posted = forms::posted(&req, payload, FIELD_LIMIT, &state.secret, None).await?;
    let name = posted.take("name");
    let removed = match db::media::remove(&state.db, &state.media, &name).await? {
        Ok(removed) => removed,
        Err(uses) => {
            let places: Vec<String> =
                uses.iter().map(|(kind, slug, title)| format!("the {kind} “{title}” ({slug})")).collect();
            let why =
                format!("{name} was not deleted: it is shown by {}. Take it out of those first.", places.join(", "));
            return page(&req, &state, &editor, StatusCode::CONFLICT, Notice { error: Some(why), ..Notice::default() })
                .await;
        }
    };
    let picture = removed.ok_or(Error::NotFound)?;
    let to = format!("/editor/media?deleted={}", picture.name);
    Ok(HttpResponse::SeeOther().insert_header((LOCATION, to)).finish())
}
