//! The links in the site's mail: `/mail/confirm` (double opt-in for reply
//! notifications) and `/mail/unsubscribe` (one click, RFC 8058). Both are
//! signed with the site's secret, so they work without logging in and on
//! any node. A GET only shows a button (mail scanners follow links); the
//! POST does it. A mail client's one-click unsubscribe is a POST with
//! `List-Unsubscribe=One-Click` and no browser headers, which the
//! cross-origin check lets through like any non-browser request.

use actix_web::http::StatusCode;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::web::{Data, Payload, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::AppState;
use super::forms;
use super::view::{Meta, html_response};
use crate::db;
use crate::error::{Error, Result};

#[derive(Debug, Deserialize)]
pub struct Signed {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub sig: String,
}

#[derive(Template)]
#[template(path = "mail/page.html")]
struct MailPage {
    meta: Meta,
    heading: &'static str,
    message: String,
    /// `(action, button)` when there is something to do.
    form: Option<(String, &'static str)>,
    /// The button sends what a mail client's one-click unsubscribe sends.
    one_click: bool,
}

const BAD_LINK: &str = "This link is not complete or not one of ours. Copy the whole address from the mail.";

fn page(
    status: StatusCode,
    heading: &'static str,
    message: String,
    form: Option<(String, &'static str)>,
) -> Result<HttpResponse> {
    let mut meta = Meta::new(heading, heading);
    meta.noindex = true;
    let one_click = form.as_ref().is_some_and(|(action, _)| action.starts_with("/mail/unsubscribe"));
    let mut res = html_response(status, &MailPage { meta, heading, message, form, one_click }, [])?;
    res.headers_mut().insert(CACHE_CONTROL, actix_web::http::header::HeaderValue::from_static("no-store"));
    Ok(res)
}

fn again(req: &HttpRequest) -> String {
    format!("{}?{}", req.path(), req.query_string())
}

pub async fn confirm_page(req: HttpRequest, state: Data<AppState>, q: Query<Signed>) -> Result<HttpResponse> {
    if !crate::mail::confirm_ok(&state.secret, &q.email, &q.sig) {
        return page(StatusCode::NOT_FOUND, "Link not recognised", BAD_LINK.into(), None);
    }
    let message = format!("Email {} when someone replies to a comment written with this address?", q.email);
    page(StatusCode::OK, "Replies by email", message, Some((again(&req), "Yes, email me about replies")))
}

pub async fn confirm(
    req: HttpRequest,
    state: Data<AppState>,
    q: Query<Signed>,
    payload: Payload,
) -> Result<HttpResponse> {
    forms::read_form(&req, payload, 4 * 1024, None).await?;
    if !crate::mail::confirm_ok(&state.secret, &q.email, &q.sig) {
        return page(StatusCode::NOT_FOUND, "Link not recognised", BAD_LINK.into(), None);
    }
    if !db::mail::confirm(&state.db, &q.email, db::now()).await? {
        return Err(Error::NotFound);
    }
    let message = format!(
        "Done: {} will get a mail when someone replies to a comment that asked for it. Every such mail has a link to stop them.",
        q.email
    );
    page(StatusCode::OK, "Replies by email: on", message, None)
}

pub async fn unsubscribe_page(req: HttpRequest, state: Data<AppState>, q: Query<Signed>) -> Result<HttpResponse> {
    if !crate::mail::unsubscribe_ok(&state.secret, &q.email, &q.sig) {
        return page(StatusCode::NOT_FOUND, "Link not recognised", BAD_LINK.into(), None);
    }
    let message = format!("Stop emailing {} about replies?", q.email);
    page(StatusCode::OK, "No more mail about replies", message, Some((again(&req), "Stop these mails")))
}

pub async fn unsubscribe(
    req: HttpRequest,
    state: Data<AppState>,
    q: Query<Signed>,
    payload: Payload,
) -> Result<HttpResponse> {
    forms::read_form(&req, payload, 4 * 1024, None).await?;
    if !crate::mail::unsubscribe_ok(&state.secret, &q.email, &q.sig) {
        return page(StatusCode::NOT_FOUND, "Link not recognised", BAD_LINK.into(), None);
    }
    db::mail::unsubscribe(&state.db, &q.email).await?;
    let message = format!(
        "Done: {} gets no more mail about replies. Ticking “Email me when someone replies” on a comment asks again.",
        q.email
    );
    page(StatusCode::OK, "Unsubscribed", message, None)
}
