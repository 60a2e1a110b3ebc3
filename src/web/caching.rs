//! Conditional requests for every public page: a weak `ETag` (a hash of the
//! exact body, so any change a page shows changes it), `Last-Modified` (when
//! anything public last changed), `304 Not Modified` with no body when the
//! client's copy is current, and a default `Cache-Control`: shared caches may
//! keep a page for a minute, browsers revalidate. Pages that carry a
//! visitor's own form tokens say `private` themselves; the editor desk says
//! `no-store`; static assets are handled in `assets`.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CACHE_CONTROL, ETAG, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{HttpResponse, http::header::HttpDate};
use sha2::{Digest, Sha256};

use super::AppState;

/// For public pages that every visitor sees alike.
pub const PUBLIC: &str = "public, max-age=0, s-maxage=60, must-revalidate";
/// For pages with a visitor's own form tokens or comments.
pub const PRIVATE: &str = "private, no-cache";

/// Marks a page that holds a visitor's own form token: browsers may keep
/// and revalidate it, shared caches must not. A page that sets a cookie is
/// `no-store` already and stays so.
pub fn private(mut res: HttpResponse) -> HttpResponse {
    if !res.headers().contains_key(CACHE_CONTROL) {
        res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static(PRIVATE));
    }
    res
}

pub async fn conditional(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let cacheable = matches!(*req.method(), Method::GET | Method::HEAD)
        && !req.path().starts_with("/editor")
        && !req.path().starts_with("/static/");
    let if_none_match = req.headers().get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let if_modified_since = req.headers().get(IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let state = req.app_data::<Data<AppState>>().cloned();
    let res = next.call(req).await?.map_into_boxed_body();
    if !cacheable || res.status() != StatusCode::OK || res.headers().contains_key("set-cookie") {
        return Ok(res);
    }
    if res.headers().get(CACHE_CONTROL).is_some_and(|v| v.as_bytes().starts_with(b"no-store")) {
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let (mut head, body) = res.into_parts();
    let Ok(bytes) = actix_web::body::to_bytes(body).await else {
        return Ok(ServiceResponse::new(req, HttpResponse::InternalServerError().finish()));
    };
    let digest = Sha256::digest(&bytes);
    let etag = format!("W/\"{}\"", digest.iter().take(12).map(|b| format!("{b:02x}")).collect::<String>());
    let modified = match &state {
        Some(s) => s.db.content_modified_at().await.ok().filter(|t| *t > 0),
        None => None,
    };
    let headers = head.headers_mut();
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(PUBLIC));
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, v);
    }
    let last_modified = modified.and_then(|t| {
        let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(u64::try_from(t).ok()?);
        Some(HttpDate::from(time))
    });
    if let Some(lm) = &last_modified
        && let Ok(v) = HeaderValue::from_str(&lm.to_string())
    {
        headers.insert(LAST_MODIFIED, v);
    }
    // If-None-Match wins; If-Modified-Since only counts without it.
    let fresh = match (&if_none_match, &if_modified_since, &last_modified) {
        (Some(tags), _, _) => tags.split(',').map(str::trim).any(|t| t == "*" || weak_eq(t, &etag)),
        (None, Some(since), Some(lm)) => since.parse::<HttpDate>().is_ok_and(|since| *lm <= since),
        _ => false,
    };
    if fresh {
        *head.status_mut() = StatusCode::NOT_MODIFIED;
        return Ok(ServiceResponse::new(req, head.set_body(BoxBody::new(()))));
    }
    Ok(ServiceResponse::new(req, head.set_body(BoxBody::new(bytes))))
}

/// Weak comparison: `W/"x"` equals `"x"` and `W/"x"`.
fn weak_eq(a: &str, b: &str) -> bool {
    a.trim_start_matches("W/") == b.trim_start_matches("W/")
}
