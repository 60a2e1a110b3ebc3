//! Old addresses of renamed pages: looked up only when nothing lives at the
//! address asked for, and answered `301` to the same page (and the same
//! sub-page and query) at the new slug.

use actix_web::HttpRequest;

use super::AppState;
use crate::db::{self, redirects::Kind};
use crate::error::{Error, Result};

/// For a miss at `/{section}/{old}...`: `Error::Moved` to the page's new
/// address when it was renamed, `Error::NotFound` otherwise.
pub async fn miss(req: &HttpRequest, state: &AppState, kind: Kind, old: &str) -> Result<Error> {
    let Some(new) = db::redirects::target(&state.db, kind, old).await? else {
        return Ok(Error::NotFound);
    };
    // `/articles/old/comments.xml` becomes `/articles/new/comments.xml`.
    let mut segments: Vec<&str> = req.path().split('/').collect();
    match segments.get_mut(2) {
        Some(slug) => *slug = &new,
        None => return Ok(Error::NotFound),
    }
    let mut to = segments.join("/");
    if !req.query_string().is_empty() {
        to.push('?');
        to.push_str(req.query_string());
    }
    Ok(Error::Moved(to))
}
