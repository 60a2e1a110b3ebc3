//! The web layer's error: every failure a reader can meet becomes a rendered
//! page with the right status. Server errors are logged in full and shown
//! without detail.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("page not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A form posted without a valid CSRF token; keeps what was typed.
    #[error("missing or invalid CSRF token")]
    Csrf { kept: Option<String> },
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// A state-changing request a browser sent from another site.
    #[error("cross-origin request refused: {0}")]
    CrossOrigin(&'static str),
    /// A form that cannot be accepted as sent, with what was typed.
    #[error("unprocessable: {0}")]
    Unprocessable(String, String),
    /// A body over `limit` bytes (`sent` when known), with the text it held
    /// when it could be read.
    #[error("request body too large")]
    TooLarge { limit: usize, sent: Option<usize>, kept: Option<String> },
    /// The body did not arrive in time.
    #[error("request body timed out")]
    Timeout,
    /// The page lives at another address now (a renamed article or
    /// record): `301` to this path.
    #[error("moved to {0}")]
    Moved(String),
    /// An editor page asked for without a session: off to the login page.
    #[error("login required")]
    LoginRequired,
    #[error("{0}")]
    Internal(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    #[error("stored article could not be read: {0}")]
    Stored(#[from] serde_json::Error),
}

/// Results of handlers.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The error page.
#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage<'a> {
    meta: crate::web::view::Meta,
    heading: &'a str,
    message: &'a str,
    /// Text the visitor typed, given back so nothing is lost.
    kept: Option<&'a str>,
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        match self {
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Csrf { .. } | Error::Forbidden(_) | Error::CrossOrigin(_) => StatusCode::FORBIDDEN,
            Error::Unprocessable(..) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Timeout => StatusCode::REQUEST_TIMEOUT,
            Error::LoginRequired => StatusCode::SEE_OTHER,
            Error::Moved(_) => StatusCode::MOVED_PERMANENTLY,
            Error::Db(e) if crate::db::is_unavailable(e) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Db(_) | Error::Template(_) | Error::Stored(_) | Error::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if let Error::LoginRequired = self {
            return HttpResponse::SeeOther()
                .insert_header((actix_web::http::header::LOCATION, "/editor/login"))
                .insert_header((CACHE_CONTROL, "no-store"))
                .finish();
        }
        if let Error::Moved(to) = self {
            // Shared caches may keep it a minute, like the pages: the old
            // address may live again if the page is renamed back.
            return HttpResponse::MovedPermanently()
                .insert_header((actix_web::http::header::LOCATION, to.as_str()))
                .insert_header((CACHE_CONTROL, crate::web::caching::PUBLIC))
                .finish();
        }
        let too_large;
        let (heading, message) = match self {
            Error::NotFound => {
                ("Page not found", "There is no page at this address. It may have moved, or never existed.")
            }
            Error::BadRequest(_) => ("Bad request", "The address has a part this site cannot read."),
            Error::Csrf { .. } => (
                "This form could not be accepted",
                "It was sent without the security token this site gives each form, or with an old one. \
                 This happens when cookies are blocked for this site, or when the form was open for a long time \
                 in another browser. Go back, reload the page and send it again.",
            ),
            Error::Forbidden(why) => ("Not allowed", *why),
            Error::CrossOrigin(why) => ("This form could not be accepted", *why),
            Error::Unprocessable(why, _) => ("This could not be saved", why.as_str()),
            Error::LoginRequired => ("Login required", "Please log in."),
            Error::Moved(_) => ("Moved", "This page has a new address."),
            Error::TooLarge { limit, sent, kept } => {
                let sent = sent.map(|n| format!(" What you sent was {} bytes.", thousands(n))).unwrap_or_default();
                let back =
                    if kept.is_some() { " Your text is below: copy it, shorten it and send it again." } else { "" };
                too_large = format!(
                    "This form accepts at most {} bytes as sent (a comment may hold {} bytes of text).{sent}{back}",
                    thousands(*limit),
                    thousands(crate::comments::form::MAX_COMMENT),
                );
                ("Too large", too_large.as_str())
            }
            Error::Timeout => {
                ("Too slow", "What you sent did not arrive in time. Please check your connection and send it again.")
            }
            Error::Db(_) if status == StatusCode::SERVICE_UNAVAILABLE => (
                "Briefly unavailable",
                "The site cannot reach its database just now and recovers by itself. Please try again in a few \
                 seconds; if you were sending a form, go back and send it again.",
            ),
            _ => (
                "Something went wrong",
                "The page could not be shown. The problem has been logged; please try again shortly.",
            ),
        };
        // An unreachable database is an outage to watch, not a bug: it heals
        // by itself, so it is a warning.
        if status == StatusCode::SERVICE_UNAVAILABLE {
            tracing::warn!(error = %self, "database unavailable");
        } else if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let kept = match self {
            Error::Csrf { kept } => kept.as_deref().filter(|k| !k.trim().is_empty()),
            Error::Unprocessable(_, kept) => Some(kept.as_str()).filter(|k| !k.trim().is_empty()),
            Error::TooLarge { kept, .. } => kept.as_deref().filter(|k| !k.trim().is_empty()),
            _ => None,
        };
        let page = ErrorPage { meta: crate::web::view::Meta::new(heading, message), heading, message, kept };
        let body = page.render().unwrap_or_else(|e| {
            tracing::error!(error = %e, "error page failed to render");
            format!("<!doctype html><title>{heading}</title><h1>{heading}</h1>")
        });
        let mut res = HttpResponse::build(status);
        res.insert_header((CONTENT_TYPE, "text/html; charset=utf-8")).insert_header((CACHE_CONTROL, "no-store"));
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.insert_header((RETRY_AFTER, "5"));
        }
        res.body(body)
    }
}

/// `65525` as `65,525`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
