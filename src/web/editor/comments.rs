//! `/editor/comments`: moderation. Tabs for pending, approved, spam and
//! trash with counts; each comment with its article, entry, author, email,
//! address and text; one action per comment or on every selected one; and
//! replies written as the editor, marked as staff on the public page.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::web::{Data, Path, Payload, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{CurrentEditor, MODERATORS_ONLY};
use crate::auth::Role;
use crate::comments::form::check_comment;
use crate::comments::{Status, fingerprint, markdown, random_token, sha256_hex};
use crate::db::{self, comments::Moderated, comments::Moderation, comments::NewComment};
use crate::error::{Error, Result};
use crate::web::AppState;
use crate::web::forms;
use crate::web::view::{Meta, date_time, html_response};

/// Comments listed per tab.
const LIMIT: i64 = 200;

pub struct Tab {
    pub status: Status,
    pub count: i64,
    pub current: bool,
}

pub struct Row {
    pub c: Moderated,
    pub date: String,
}

#[derive(Template)]
#[template(path = "editor/comments.html")]
struct ModerationPage {
    meta: Meta,
    csrf: String,
    me: super::Me,
    tabs: Vec<Tab>,
    status: Status,
    comments: Vec<Row>,
    notice: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct TabQuery {
    pub status: Option<String>,
    pub done: Option<String>,
}

pub async fn index(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    query: Query<TabQuery>,
) -> Result<HttpResponse> {
    editor.require(Role::can_moderate, MODERATORS_ONLY)?;
    let status = query.status.as_deref().and_then(|s| s.parse().ok()).unwrap_or(Status::Pending);
    let counts = db::comments::count_by_status(&state.db).await?;
    let tabs = Status::ALL
        .iter()
        .map(|&t| Tab {
            status: t,
            count: counts.iter().find(|c| c.status == t).map_or(0, |c| c.count),
            current: t == status,
        })
        .collect();
    let comments = db::comments::by_status(&state.db, status, LIMIT)
        .await?
        .into_iter()
        .map(|c| Row { date: date_time(c.created_at), c })
        .collect();
    let (csrf, _) = forms::csrf_for(&req, &state.secret)?;
    let notice = query.done.as_deref().map(|d| format!("Done: {d}."));
    let page = ModerationPage {
        meta: Meta::new("Comments", "Editor desk"),
        csrf,
        me: editor.me(),
        tabs,
        status,
        comments,
        notice,
    };
    html_response(StatusCode::OK, &page, [])
}

/// Which comments a moderation button acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    One(i64),
    /// Every ticked `pick-N`.
    Selected,
}

/// A moderation button's value, parsed once: `approve:12` acts on comment
/// 12, `approve:selected` on every ticked one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ModerationAction {
    what: Moderation,
    target: Target,
}

impl std::str::FromStr for ModerationAction {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let (verb, target) = s.split_once(':').ok_or_else(|| Error::BadRequest("no action".into()))?;
        let what = verb.parse().map_err(|e| Error::BadRequest(format!("{e}")))?;
        let target = match target {
            "selected" => Target::Selected,
            id => Target::One(id.parse().map_err(|_| Error::BadRequest("bad comment id".into()))?),
        };
        Ok(ModerationAction { what, target })
    }
}

pub async fn act(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    payload: Payload,
) -> Result<HttpResponse> {
    editor.require(Role::can_moderate, MODERATORS_ONLY)?;
    let posted = forms::posted(&req, payload, 256 * 1024, &state.secret, None).await?;
    let mut fields = posted.fields;
    let back = fields.remove("tab").and_then(|t| t.parse::<Status>().ok()).unwrap_or(Status::Pending);
    let ModerationAction { what, target } = fields.remove("action").unwrap_or_default().parse()?;
    let ids: Vec<i64> = match target {
        Target::Selected => {
            fields.keys().filter_map(|k| k.strip_prefix("pick-")).filter_map(|id| id.parse().ok()).collect()
        }
        Target::One(id) => vec![id],
    };
    let changed = db::comments::moderate(&state.db, &ids, what).await?;
    let done = format!("{what}%20{changed}");
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("/editor/comments?status={back}&done={done}")))
        .finish())
}

/// A reply written as the editor: approved at once, marked as staff.
pub async fn reply(
    req: HttpRequest,
    state: Data<AppState>,
    editor: CurrentEditor,
    id: Path<i64>,
    payload: Payload,
) -> Result<HttpResponse> {
    editor.require(Role::can_moderate, MODERATORS_ONLY)?;
    let mut posted = forms::posted(&req, payload, forms::MAX_BODY, &state.secret, Some("comment")).await?;
    let text = posted.take("comment");
    if let Err(e) = check_comment(&text, posted.invalid_utf8.iter().any(|f| f == "comment")) {
        return Err(Error::Unprocessable(e, text));
    }
    let parent = db::comments::by_id(&state.db, *id).await?.ok_or(Error::NotFound)?;
    let html = markdown::render(&text);
    let token = random_token().map_err(|e| Error::Internal(e.to_string()))?;
    let editor = &editor.0;
    let new = NewComment {
        article_id: parent.article_id,
        parent: Some(&parent),
        entry_anchor: parent.entry_anchor.as_deref(),
        author: &editor.name,
        email: &editor.email,
        url: None,
        body: &text,
        body_html: &html,
        status: Status::Approved,
        reason: Some("written by an editor"),
        ip: &forms::client_ip(&req, &state.config),
        user_agent: None,
        token_hash: &sha256_hex(&[&token]),
        fingerprint: &fingerprint(parent.article_id, &editor.name, &text),
        now: db::now(),
        editor_id: Some(editor.id),
        notify: false,
    };
    let id = match db::comments::insert(&state.db, &new, None).await {
        Ok(id) => id,
        Err(db::comments::InsertError::Duplicate) => {
            return Err(Error::Unprocessable("You have already posted this reply.".into(), text));
        }
        Err(db::comments::InsertError::Flood) => return Err(Error::Internal("flood on an editor reply".into())),
        Err(db::comments::InsertError::Db(e)) => return Err(e.into()),
    };
    let slug = crate::web::articles::slug_of(&state, parent.article_id).await?;
    Ok(HttpResponse::SeeOther().insert_header((LOCATION, format!("/articles/{slug}#comment-{id}"))).finish())
}
