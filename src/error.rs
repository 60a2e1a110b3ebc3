//! The web layer's error: every failure a reader can meet becomes a rendered
//! page with the right status. Server errors are logged in full and shown
//! without detail.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("page not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
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
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        match self {
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Db(_) | Error::Template(_) | Error::Stored(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (heading, message) = match self {
            Error::NotFound => {
                ("Page not found", "There is no page at this address. It may have moved, or never existed.")
            }
            Error::BadRequest(_) => ("Bad request", "The address has a part this site cannot read."),
            _ => (
                "Something went wrong",
                "The page could not be shown. The problem has been logged; please try again shortly.",
            ),
        };
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let page = ErrorPage { meta: crate::web::view::Meta::new(heading, message), heading, message };
        let body = page.render().unwrap_or_else(|e| {
            tracing::error!(error = %e, "error page failed to render");
            format!("<!doctype html><title>{heading}</title><h1>{heading}</h1>")
        });
        HttpResponse::build(status)
            .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((CACHE_CONTROL, "no-store"))
            .body(body)
    }
}
