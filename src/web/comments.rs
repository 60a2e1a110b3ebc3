//! `POST /articles/{slug}/comments` (leave a reply), and the commenter's own
//! `GET|POST /comments/{id}/edit` and `POST /comments/{id}/delete` within the
//! edit window. A rejected form comes back with everything typed in it.
//! None of these forms carries a token: `web::origin` refuses cross-site
//! posts, and the article page stays the same for every visitor unless the
//! visitor has a comment of their own that only they can see or still edit
//! (`personal_view`).

use std::collections::{HashMap, HashSet};

use actix_web::http::StatusCode;
use actix_web::http::header::{LOCATION, RETRY_AFTER};
use actix_web::web::{Data, Path, Payload};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::AppState;
use super::articles;
use super::caching;
use super::forms::{self, Remembered};
use super::view::{Date, Meta, html_response};
use crate::comments::form::{CommentInput, FieldErrors, check_comment};
use crate::comments::rules::{self, Facts};
use crate::comments::{EDIT_WINDOW_SECONDS, MAX_THREAD_DEPTH, Status, fingerprint, markdown, random_token, sha256_hex};
use crate::db::{self, comments::Comment, comments::InsertError, comments::Moderation, comments::NewComment};
use crate::error::{Error, Result};

/// A comment as the thread shows it.
pub struct CommentView {
    pub id: i64,
    pub author: String,
    pub url: Option<String>,
    pub date: Date,
    pub edited: bool,
    pub body_html: String,
    /// `(anchor, heading)` of the entry it is about.
    pub entry: Option<(String, String)>,
    /// Held, shown only to its author.
    pub pending: bool,
    /// Hidden, kept as a placeholder because replies hang from it.
    pub removed: bool,
    pub can_edit: bool,
    /// Written by an editor.
    pub staff: bool,
    /// Readers who marked it helpful.
    pub helpful: i64,
    /// Replies follow: open a nested list instead of closing the item.
    pub opens: bool,
    /// Markup closing this item and the nested lists it ends.
    pub after: String,
}

/// The form as the page shows it. Nothing in it is the visitor's own until
/// they post it: name, email and website are filled in by
/// `static/comments.js` from the remember-me cookie.
#[derive(Default)]
pub struct FormView {
    pub author: String,
    pub email: String,
    pub url: String,
    pub comment: String,
    pub parent: String,
    pub entry: String,
    pub remember: bool,
    pub notify: bool,
    /// Whether the site sends mail, so the notify box is offered.
    pub mail: bool,
    pub started: String,
    pub errors: FieldErrors,
    pub notice: Option<String>,
    pub replying_to: Option<String>,
}

impl FormView {
    /// An empty form, stamped with the current time slot.
    pub fn fresh(started: String, mail: bool) -> Self {
        FormView { started, mail, ..Default::default() }
    }

    /// The form as it was posted, with what was wrong.
    fn from_input(input: CommentInput, errors: FieldErrors, notice: Option<String>, mail: bool) -> Self {
        FormView {
            author: input.author,
            email: input.email,
            url: input.url,
            comment: input.comment,
            parent: input.comment_parent,
            entry: input.entry,
            remember: input.remember,
            notify: input.notify,
            mail,
            // A person who corrects the form keeps the original stamp.
            started: input.started,
            errors,
            notice,
            replying_to: None,
        }
    }
}

/// `id → token hash` of the reader's own comments, as their cookie claims;
/// a claim counts only where it matches the stored hash.
pub type OwnedHashes = HashMap<i64, String>;

fn owned_hashes(req: &HttpRequest) -> OwnedHashes {
    forms::owned(req).into_iter().map(|(id, token)| (id, sha256_hex(&[&token]))).collect()
}

fn owns(owned: &OwnedHashes, c: &Comment) -> bool {
    owned.get(&c.id).is_some_and(|h| *h == c.token_hash)
}

/// How an article page is rendered for this request.
pub enum Viewer {
    /// The page every visitor gets, cacheable by anyone.
    Shared,
    /// The shared page, but the reader's owner cookie names nothing held or
    /// editable any more: this one response drops it.
    Expired,
    /// A commenter with a comment on this article that is held or still in
    /// its edit window: their own view, `private, no-cache`.
    Owner(OwnedHashes),
}

/// Decides between the shared page and the commenter's own view, with one
/// query for every comment the owner cookie names.
pub async fn personal_view(req: &HttpRequest, state: &AppState, article_id: i64) -> Result<Viewer> {
    let claimed = owned_hashes(req);
    if claimed.is_empty() {
        return Ok(if forms::has_owner_cookie(req) { Viewer::Expired } else { Viewer::Shared });
    }
    let ids: Vec<i64> = claimed.keys().copied().take(db::comments::LIVE_OWNED_IDS).collect();
    let since = db::now() - EDIT_WINDOW_SECONDS;
    let live: Vec<(i64, i64, String)> = db::comments::live_owned(&state.db, &ids, since)
        .await?
        .into_iter()
        .filter(|(id, _, hash)| claimed.get(id) == Some(hash))
        .collect();
    if live.is_empty() {
        return Ok(Viewer::Expired);
    }
    let here: OwnedHashes =
        live.into_iter().filter(|(_, article, _)| *article == article_id).map(|(id, _, hash)| (id, hash)).collect();
    Ok(if here.is_empty() { Viewer::Shared } else { Viewer::Owner(here) })
}

crate::text_enum! {
    /// The order of a thread's top-level comments, as the reader chose it
    /// (`?order=`); replies stay under their comment in their own order.
    #[derive(Default)]
    pub enum ThreadOrder("order") {
        #[default]
        Oldest = "oldest",
        Newest = "newest",
        Helpful = "helpful",
    }
}

impl ThreadOrder {
    /// The link's words.
    pub fn label(self) -> &'static str {
        match self {
            ThreadOrder::Oldest => "Oldest",
            ThreadOrder::Newest => "Newest",
            ThreadOrder::Helpful => "Most helpful",
        }
    }
}

/// `rows` (in reading order, replies after their parent) with the top-level
/// comments in `order`, each followed by its replies as they were. Most
/// helpful ties go to the older comment.
pub fn ordered(rows: Vec<Comment>, order: ThreadOrder) -> Vec<Comment> {
    if order == ThreadOrder::Oldest {
        return rows;
    }
    let mut groups: Vec<Vec<Comment>> = Vec::new();
    for c in rows {
        match groups.last_mut() {
            Some(group) if c.depth > 0 => group.push(c),
            _ => groups.push(vec![c]),
        }
    }
    let head = |g: &Vec<Comment>| g.first().map_or((0, 0, 0), |c| (c.helpful, c.created_at, c.id));
    match order {
        ThreadOrder::Newest => groups.sort_by_key(|g| {
            let (_, at, id) = head(g);
            std::cmp::Reverse((at, id))
        }),
        _ => groups.sort_by_key(|g| {
            let (helpful, at, id) = head(g);
            (std::cmp::Reverse(helpful), at, id)
        }),
    }
    groups.into_iter().flatten().collect()
}

/// The thread a reader sees: approved comments, their own held ones, and
/// placeholders where a hidden comment has visible replies. With no owned
/// comments it is the same for everybody.
pub fn thread(owned: &OwnedHashes, rows: &[Comment], entries: &[(String, String)], now: i64) -> Vec<CommentView> {
    let visible = |c: &Comment| c.status == Status::Approved || (c.status == Status::Pending && owns(owned, c));
    // Rows come parents first, so walking backwards sees replies first.
    let mut keep: HashSet<i64> = HashSet::new();
    for c in rows.iter().rev() {
        if visible(c) || keep.contains(&c.id) {
            keep.insert(c.id);
            if let Some(p) = c.parent_id {
                keep.insert(p);
            }
        }
    }
    let shown: Vec<&Comment> = rows.iter().filter(|c| keep.contains(&c.id)).collect();
    let mut views = Vec::with_capacity(shown.len());
    for (i, c) in shown.iter().enumerate() {
        let next = shown.get(i + 1).map_or(0, |n| n.depth);
        let opens = next > c.depth;
        let after = if opens {
            String::new()
        } else {
            let levels = usize::try_from(c.depth - next).unwrap_or_default();
            format!("</li>{}", "</ol></li>".repeat(levels))
        };
        let removed = !visible(c);
        views.push(CommentView {
            id: c.id,
            author: if removed { String::new() } else { c.author.clone() },
            url: if removed { None } else { c.url.clone() },
            date: Date::from_unix(c.created_at),
            edited: c.edited_at.is_some(),
            body_html: if removed { String::new() } else { c.body_html.clone() },
            entry: c.entry_anchor.as_ref().and_then(|a| entries.iter().find(|(anchor, _)| anchor == a).cloned()),
            pending: c.status == Status::Pending && !removed,
            removed,
            can_edit: !removed && owns(owned, c) && now - c.created_at < EDIT_WINDOW_SECONDS,
            staff: c.editor_id.is_some() && !removed,
            helpful: c.helpful,
            opens,
            after,
        });
    }
    views
}

const NO_PARENT: &str = "The comment you are replying to does not exist.";
const PARENT_ELSEWHERE: &str = "The comment you are replying to is not on this article.";

/// The comment a reply hangs from. Only an approved comment of this article
/// can be answered: a held, spam or trashed one gets the same answer as a
/// missing one, so replies reveal nothing about them. Threads stop at
/// `MAX_THREAD_DEPTH` levels (WordPress's default): a reply to the deepest
/// level joins that level, under the same parent.
async fn reply_target(
    state: &AppState,
    article_id: i64,
    id: Option<i64>,
) -> Result<Result<Option<Comment>, &'static str>> {
    let Some(id) = id else { return Ok(Ok(None)) };
    let Some(mut parent) = db::comments::by_id(&state.db, id).await?.filter(|p| p.status == Status::Approved) else {
        return Ok(Err(NO_PARENT));
    };
    if parent.article_id != article_id {
        return Ok(Err(PARENT_ELSEWHERE));
    }
    while parent.depth + 1 >= MAX_THREAD_DEPTH {
        let Some(up) = parent.parent_id else { break };
        match db::comments::by_id(&state.db, up).await? {
            Some(p) => parent = p,
            None => break,
        }
    }
    Ok(Ok(Some(parent)))
}

/// Adds `Retry-After` to a 429.
fn retry_after(mut res: HttpResponse, seconds: i64) -> HttpResponse {
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&seconds.max(1).to_string()) {
        res.headers_mut().insert(RETRY_AFTER, v);
    }
    res
}

/// Leave a reply. The steps run cheapest refusal first, so nothing costly
/// (Markdown, the rules) is spent on a form that is refused anyway: the
/// origin (`web::origin`, before this runs), the size, each field, the
/// flood interval, the parent and entry, and only then the text itself.
pub async fn create(
    req: HttpRequest,
    state: Data<AppState>,
    slug: Path<String>,
    payload: Payload,
) -> Result<HttpResponse> {
    // Only the article's id here: the whole row (its rendered body) is
    // loaded just to show the form again.
    let article = articles::published_ref(&state, &slug).await?;
    // Size: within the limit and the body deadline.
    let posted = forms::read_form(&req, payload, forms::MAX_BODY, Some("comment")).await?;
    let invalid_utf8 = posted.invalid_utf8;
    let input = CommentInput::from_fields(posted.fields);
    let now = db::now();
    let config = &state.config;
    // Anything wrong: the article again, the form as typed, this status.
    let reject = |input: CommentInput, status: StatusCode, errors: FieldErrors, notice: Option<String>| {
        let state = state.clone();
        let slug = article.slug.clone();
        let owned = owned_hashes(&req);
        let req = req.clone();
        async move {
            let article = articles::load(&req, &state, &slug).await?;
            let form = FormView::from_input(input, errors, notice, state.db.mail_on());
            let page = articles::build(&state, &owned, article, form, ThreadOrder::default()).await?;
            html_response(status, &page, []).map(caching::private)
        }
    };
    let too_quickly = |wait: i64| {
        format!(
            "You are posting comments too quickly. Please wait {wait} seconds and send it again: your comment is still here."
        )
    };

    // Each field.
    let valid = match input.validate(&invalid_utf8) {
        Ok(v) => v,
        Err(errors) => return reject(input, StatusCode::UNPROCESSABLE_ENTITY, errors, None).await,
    };
    // The flood interval, looked up before any work; the insert checks it
    // again atomically. A filled honeypot is never throttled: it is answered
    // as if accepted, and goes to spam.
    let honeypot = !input.honeypot.is_empty();
    let ip = forms::client_ip(&req, config);
    let flood_key = format!("comment:{ip}");
    if !honeypot
        && config.comment_interval > 0
        && let Some(until) = db::comments::throttled_until(&state.db, &flood_key, now).await?
    {
        let res = reject(input, StatusCode::TOO_MANY_REQUESTS, FieldErrors::new(), Some(too_quickly(until - now)));
        return res.await.map(|r| retry_after(r, until - now));
    }
    // The parent and the entry.
    let parent = match reply_target(&state, article.id, valid.parent).await? {
        Ok(p) => p,
        Err(message) => {
            let e = FieldErrors::from([("comment", message.to_owned())]);
            return reject(input, StatusCode::UNPROCESSABLE_ENTITY, e, None).await;
        }
    };
    // The entry, when one is named (most comments are about the whole list).
    if let Some(e) = &valid.entry
        && !db::articles::entries(&state.db, article.id).await?.iter().any(|(anchor, _)| anchor == e)
    {
        let e = FieldErrors::from([("entry", "Choose one of this list's entries, or the whole list.".into())]);
        return reject(input, StatusCode::UNPROCESSABLE_ENTITY, e, None).await;
    }

    // The text, and the rules. Sent sooner after the page's time slot than a
    // person types (or with no genuine stamp at all) may still be a person
    // pasting a prepared text: held for a moderator, never thrown away.
    let started = forms::started_at(&state.secret, &input.started);
    let too_fast = started.is_none_or(|t| now - t < config.comment_min_seconds);
    let body_html = markdown::render(&valid.comment);
    let known = !config.hold_first_comment || db::comments::known_commenter(&state.db, &valid.email).await?;
    let (status, reason) = rules::decide(&Facts {
        author: &valid.author,
        email: &valid.email,
        url: valid.url.as_deref().unwrap_or_default(),
        body: &valid.comment,
        ip: &ip,
        links: markdown::link_count(&body_html),
        honeypot,
        too_fast,
        hold_first_comment: config.hold_first_comment,
        known_commenter: known,
    });
    let token = random_token().map_err(|e| Error::Internal(e.to_string()))?;
    let token_hash = sha256_hex(&[&token]);
    let fingerprint = fingerprint(article.id, &valid.author, &valid.comment);
    let user_agent =
        req.headers().get("user-agent").and_then(|v| v.to_str().ok()).map(|s| s.chars().take(255).collect::<String>());
    let new = NewComment {
        article_id: article.id,
        parent: parent.as_ref(),
        entry_anchor: valid.entry.as_deref(),
        author: &valid.author,
        email: &valid.email,
        url: valid.url.as_deref(),
        body: &valid.comment,
        body_html: &body_html,
        status,
        reason,
        ip: &ip,
        user_agent: user_agent.as_deref(),
        token_hash: &token_hash,
        fingerprint: &fingerprint,
        now,
        editor_id: None,
        notify: input.notify && state.db.mail_on(),
    };
    let flood = (!honeypot).then_some((flood_key.as_str(), config.comment_interval));
    let id = match db::comments::insert(&state.db, &new, flood).await {
        Ok(id) => id,
        Err(InsertError::Duplicate) if honeypot => {
            return Ok(HttpResponse::SeeOther()
                .insert_header((LOCATION, format!("/articles/{}", article.slug)))
                .finish());
        }
        Err(InsertError::Duplicate) => {
            let notice = "You have already posted this comment here: it looks as though you’ve already said that.";
            return reject(input, StatusCode::CONFLICT, FieldErrors::new(), Some(notice.into())).await;
        }
        Err(InsertError::Flood) => {
            let wait = config.comment_interval;
            let res = reject(input, StatusCode::TOO_MANY_REQUESTS, FieldErrors::new(), Some(too_quickly(wait)));
            return res.await.map(|r| retry_after(r, wait));
        }
        Err(InsertError::Db(e)) => return Err(e.into()),
    };
    if !honeypot && status != Status::Approved {
        tracing::info!(comment = id, status = status.as_str(), reason, "comment held");
    }
    let remember = valid.url.clone().unwrap_or_default();
    let who = Remembered { author: valid.author.clone(), email: valid.email.clone(), url: remember };
    let mut res = HttpResponse::SeeOther();
    // The owner cookie makes the article page theirs while the comment is
    // held or editable: a held one is shown to them as awaiting review.
    res.insert_header((LOCATION, format!("/articles/{}#comment-{id}", article.slug)))
        .cookie(forms::owner_cookie(&req, id, &token));
    if input.remember {
        res.cookie(forms::remember_cookie(&req, Some(&who)));
    } else if forms::remembered(&req).is_some() {
        res.cookie(forms::remember_cookie(&req, None));
    }
    Ok(res.finish())
}

/// The commenter's own comment, if the edit window is still open.
async fn own_comment(req: &HttpRequest, state: &AppState, id: i64) -> Result<(Comment, String)> {
    let comment = db::comments::by_id(&state.db, id).await?.ok_or(Error::NotFound)?;
    if matches!(comment.status, Status::Trash | Status::Spam) {
        return Err(Error::NotFound);
    }
    if !owns(&owned_hashes(req), &comment) {
        return Err(Error::Forbidden("Only the person who wrote this comment can change it, from the same browser."));
    }
    if db::now() - comment.created_at >= EDIT_WINDOW_SECONDS {
        return Err(Error::Forbidden("The 15 minutes in which a comment can be edited or deleted have passed."));
    }
    let slug = articles::slug_of(state, comment.article_id).await?;
    Ok((comment, slug))
}

#[derive(Template)]
#[template(path = "comments/edit.html")]
pub struct EditPage {
    pub meta: Meta,
    pub id: i64,
    pub slug: String,
    pub comment: String,
    pub error: Option<String>,
    pub minutes_left: i64,
}

pub async fn edit_form(req: HttpRequest, state: Data<AppState>, id: Path<i64>) -> Result<HttpResponse> {
    let (comment, slug) = own_comment(&req, &state, *id).await?;
    let page = edit_page(&comment, slug, comment.body.clone(), None);
    html_response(StatusCode::OK, &page, []).map(caching::private)
}

fn edit_page(c: &Comment, slug: String, text: String, error: Option<String>) -> EditPage {
    let minutes_left = ((EDIT_WINDOW_SECONDS - (db::now() - c.created_at)) / 60).max(0) + 1;
    EditPage {
        meta: Meta::new("Edit your comment", "Edit your comment"),
        id: c.id,
        slug,
        comment: text,
        error,
        minutes_left,
    }
}

pub async fn update(req: HttpRequest, state: Data<AppState>, id: Path<i64>, payload: Payload) -> Result<HttpResponse> {
    let mut posted = forms::read_form(&req, payload, forms::MAX_BODY, Some("comment")).await?;
    let text = posted.take("comment");
    let invalid = posted.invalid_utf8;
    let (comment, slug) = own_comment(&req, &state, *id).await?;
    if let Err(error) = check_comment(&text, invalid.iter().any(|f| f == "comment")) {
        let page = edit_page(&comment, slug, text, Some(error));
        return html_response(StatusCode::UNPROCESSABLE_ENTITY, &page, []).map(caching::private);
    }
    let html = markdown::render(&text);
    let (verdict, _) = rules::decide(&Facts {
        author: &comment.author,
        body: &text,
        links: markdown::link_count(&html),
        ..Default::default()
    });
    // An edit can make a comment worse, never better than moderation left it.
    let status = if verdict == Status::Approved { comment.status } else { verdict };
    let fp = fingerprint(comment.article_id, &comment.author, &text);
    match db::comments::update_body(&state.db, comment.id, &text, &html, &fp, status, db::now()).await {
        Ok(_) => {}
        Err(InsertError::Duplicate) => {
            let page = edit_page(&comment, slug, text, Some("You have already posted this text here.".into()));
            return html_response(StatusCode::CONFLICT, &page, []).map(caching::private);
        }
        Err(InsertError::Flood) => return Err(Error::Internal("flood on edit".into())),
        Err(InsertError::Db(e)) => return Err(e.into()),
    }
    Ok(HttpResponse::SeeOther().insert_header((LOCATION, format!("/articles/{slug}#comment-{}", comment.id))).finish())
}

pub async fn delete(req: HttpRequest, state: Data<AppState>, id: Path<i64>, payload: Payload) -> Result<HttpResponse> {
    forms::read_form(&req, payload, 16 * 1024, None).await?;
    let (comment, slug) = own_comment(&req, &state, *id).await?;
    db::comments::moderate(&state.db, &[comment.id], Moderation::Trash).await?;
    Ok(HttpResponse::SeeOther().insert_header((LOCATION, format!("/articles/{slug}#comments"))).finish())
}
