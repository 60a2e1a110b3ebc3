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

/// The two signed links a mail carries.
#[derive(Debug, Clone, Copy)]
enum Link {
    Confirm,
    Unsubscribe,
}

impl Link {
    /// Whether the link's signature is the site's, for this address.
    fn signed(self, state: &AppState, q: &Signed) -> bool {
        match self {
            Link::Confirm => crate::mail::confirm_ok(&state.secret, &q.email, &q.sig),
            Link::Unsubscribe => crate::mail::unsubscribe_ok(&state.secret, &q.email, &q.sig),
        }
    }
}

fn bad_link() -> Result<HttpResponse> {
    page(StatusCode::NOT_FOUND, "Link not recognised", BAD_LINK.into(), None)
}

/// A GET of a link: only the question and its button.
fn ask(req: &HttpRequest, state: &AppState, q: &Signed, link: Link) -> Result<HttpResponse> {
    if !link.signed(state, q) {
        return bad_link();
    }
    let (heading, message, button) = match link {
        Link::Confirm => (
            "Replies by email",
            format!("Email {} when someone replies to a comment written with this address?", q.email),
            "Yes, email me about replies",
        ),
        Link::Unsubscribe => {
            ("No more mail about replies", format!("Stop emailing {} about replies?", q.email), "Stop these mails")
        }
    };
    page(StatusCode::OK, heading, message, Some((again(req), button)))
}

/// The POST of a link's button (or a mail client's one click): the form
/// read within its bound, then the signature checked.
async fn answered(req: &HttpRequest, state: &AppState, q: &Signed, link: Link, payload: Payload) -> Result<bool> {
    forms::read_form(req, payload, 4 * 1024, None).await?;
    Ok(link.signed(state, q))
}

pub async fn confirm_page(req: HttpRequest, state: Data<AppState>, q: Query<Signed>) -> Result<HttpResponse> {
    ask(&req, &state, &q, Link::Confirm)
}

pub async fn confirm(
    req: HttpRequest,
    state: Data<AppState>,
    q: Query<Signed>,
    payload: Payload,
) -> Result<HttpResponse> {
    if !answered(&req, &state, &q, Link::Confirm, payload).await? {
        return bad_link();
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
    ask(&req, &state, &q, Link::Unsubscribe)
}

pub async fn unsubscribe(
    req: HttpRequest,
    state: Data<AppState>,
    q: Query<Signed>,
    payload: Payload,
) -> Result<HttpResponse> {
    if !answered(&req, &state, &q, Link::Unsubscribe, payload).await? {
        return bad_link();
    }
    db::mail::unsubscribe(&state.db, &q.email).await?;
    let message = format!(
        "Done: {} gets no more mail about replies. Ticking “Email me when someone replies” on a comment asks again.",
        q.email
    );
    page(StatusCode::OK, "Unsubscribed", message, None)
}
