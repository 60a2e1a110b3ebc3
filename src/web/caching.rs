//! HTTP caching for every public page, in one middleware.
//!
//! - **Shared pages** (a GET or HEAD of a public page by a visitor with no
//!   comment of their own still live) come from the render cache: the
//!   finished page with its `ETag` and its gzip and brotli forms, made once
//!   per content version ([`crate::db::clock`]) and kept in a size-bounded
//!   LRU. While one request renders a page, others asking for the same page
//!   wait for it instead of rendering it again (no stampede). A cached page
//!   costs no database query.
//! - **Personal pages** (a commenter's own view, the desk's pages are
//!   `no-store` and skipped) get an `ETag` hashed from their body and answer
//!   conditional requests too, but are never stored.
//! - **Writes** (any other method) re-read the content clock after they
//!   answer (writes that end together share one reading), so this node
//!   serves the change at once; other nodes see it within one poll.
//!
//! Shared pages are `public` for a minute in shared caches and revalidated
//! by browsers; `Last-Modified` is when anything public last changed.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, Weak};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, HeaderMap,
    HeaderValue, HttpDate, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, SET_COOKIE, VARY,
};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use super::AppState;
use crate::db::clock::Stamp;

/// For public pages that every visitor sees alike.
pub const PUBLIC: &str = "public, max-age=0, s-maxage=60, must-revalidate";
/// For pages with a visitor's own comments or form tokens.
pub const PRIVATE: &str = "private, no-cache";

/// Marks a page personal: browsers may keep and revalidate it, shared
/// caches must not, and the render cache passes it by. A page that sets a
/// cookie is `no-store` already and stays so.
pub fn private(mut res: HttpResponse) -> HttpResponse {
    if !res.headers().contains_key(CACHE_CONTROL) {
        res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static(PRIVATE));
    }
    res
}

/// What a cached page is stored under: the request target and what the page
/// shows, so a stale page is simply never asked for again (and ages out).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    target: String,
    stamp: Stamp,
    slot: i64,
}

/// A finished page, in every form it is sent in.
#[derive(Debug)]
struct Page {
    status: StatusCode,
    content_type: HeaderValue,
    cache_control: HeaderValue,
    etag: HeaderValue,
    last_modified: Option<HeaderValue>,
    /// A policy of the page's own (a served sleeve's), else the site's applies.
    policy: Option<HeaderValue>,
    identity: Bytes,
    gzip: Bytes,
    brotli: Bytes,
}

/// The render cache: finished shared pages, bounded by their size in bytes.
pub struct PageCache {
    pages: moka::sync::Cache<Key, Arc<Page>>,
    /// One lock per page being rendered, so concurrent misses render once.
    rendering: Mutex<HashMap<Key, Weak<tokio::sync::Mutex<()>>>>,
}

impl PageCache {
    /// A cache holding at most `max_bytes` of pages (all forms counted).
    pub fn new(max_bytes: u64) -> Self {
        let pages = moka::sync::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|k: &Key, p: &Arc<Page>| {
                let bytes = k.target.len() + p.identity.len() + p.gzip.len() + p.brotli.len() + 256;
                u32::try_from(bytes).unwrap_or(u32::MAX)
            })
            // Pages of old versions are never asked for again.
            .time_to_idle(std::time::Duration::from_secs(600))
            .build();
        PageCache { pages, rendering: Mutex::default() }
    }

    fn lock_for(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.rendering.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(lock) = map.get(key).and_then(Weak::upgrade) {
            return lock;
        }
        map.retain(|_, w| w.strong_count() > 0);
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        map.insert(key.clone(), Arc::downgrade(&lock));
        lock
    }
}

/// How a request is treated.
enum Kind {
    /// A public page every anonymous reader sees alike.
    Shared,
    /// A public page that may be personal: conditional, never stored.
    Personal,
    /// A write: the content clock is read again once it is answered.
    Write,
    /// The desk, static files, pictures, mail links, health checks: passed through untouched.
    Other,
}

/// The cookie naming a visitor's own comments (with or without `__Host-`).
const OWNER_COOKIE: &str = "cuesheet_mine";

fn kind(req: &ServiceRequest) -> Kind {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return if *req.method() == Method::OPTIONS { Kind::Other } else { Kind::Write };
    }
    let path = req.path();
    let passed = ["/editor", "/static/", "/media/", "/mail/"];
    if passed.iter().any(|p| path.starts_with(p)) || path == "/healthz" {
        return Kind::Other;
    }
    let personal = req
        .headers()
        .get_all(actix_web::http::header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| c.trim_start().split('=').next().is_some_and(|name| name.ends_with(OWNER_COOKIE)));
    if personal { Kind::Personal } else { Kind::Shared }
}

/// The middleware; see the module documentation.
pub async fn layer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<Data<AppState>>().cloned() else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    match kind(&req) {
        Kind::Other => next.call(req).await.map(ServiceResponse::map_into_boxed_body),
        Kind::Write => {
            let res = next.call(req).await?;
            if !res.status().is_server_error()
                && let Err(e) = state.clock.refresh_after_write(&state.db).await
            {
                tracing::warn!(error = %e, "content clock: cannot read the database after a write");
            }
            Ok(res.map_into_boxed_body())
        }
        Kind::Personal => revalidated(next.call(req).await?.map_into_boxed_body(), &state).await,
        Kind::Shared => shared(req, next, &state).await,
    }
}

async fn shared(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    state: &AppState,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = key(&req, state);
    let cache = &state.pages;
    if let Some(page) = cache.pages.get(&key) {
        let res = respond(req.request(), &page, Source::Hit);
        return Ok(req.into_response(res));
    }
    let lock = cache.lock_for(&key);
    let _rendering = lock.lock().await;
    if let Some(page) = cache.pages.get(&key) {
        let res = respond(req.request(), &page, Source::Hit);
        return Ok(req.into_response(res));
    }
    let res = next.call(req).await?;
    let shareable = res.status() == StatusCode::OK
        && !res.headers().contains_key(SET_COOKIE)
        && !res.headers().contains_key(CONTENT_ENCODING)
        && !res
            .headers()
            .get(CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("private") || v.contains("no-store"));
    if !shareable {
        return revalidated(res.map_into_boxed_body(), state).await;
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let Ok(identity) = actix_web::body::to_bytes(body).await else {
        return Ok(ServiceResponse::new(req, HttpResponse::InternalServerError().finish()));
    };
    let page = Arc::new(finish(head.status(), head.headers(), identity, state.clock.modified_at()));
    cache.pages.insert(key, Arc::clone(&page));
    let res = respond(&req, &page, Source::Miss);
    Ok(ServiceResponse::new(req, res))
}

/// The key of a shared page. Article pages (and their comment feeds) depend
/// on their own comments; their form carries a time slot, so they are made
/// again once per slot and the stamp is never older than that.
fn key(req: &ServiceRequest, state: &AppState) -> Key {
    let target = req.uri().path_and_query().map_or_else(|| req.path().to_owned(), |pq| pq.as_str().to_owned());
    // A list's share card shows no comment and no form.
    let article = req
        .path()
        .strip_prefix("/articles/")
        .filter(|rest| !rest.ends_with("/card.png"))
        .map(|rest| rest.split('/').next().unwrap_or_default());
    let (stamp, slot) = match article {
        Some(slug) => (state.clock.article_stamp(slug), crate::db::now().div_euclid(super::forms::SLOT_SECONDS)),
        None => (state.clock.stamp(), 0),
    };
    Key { target, stamp, slot }
}

/// Makes the finished page: its tag and compressed forms, once.
fn finish(status: StatusCode, headers: &HeaderMap, identity: Bytes, modified_at: i64) -> Page {
    let content_type =
        headers.get(CONTENT_TYPE).cloned().unwrap_or_else(|| HeaderValue::from_static("text/html; charset=utf-8"));
    let cache_control = headers.get(CACHE_CONTROL).cloned().unwrap_or_else(|| HeaderValue::from_static(PUBLIC));
    // A PNG is compressed already: sent as it is.
    let compress = content_type.as_bytes() != b"image/png";
    Page {
        status,
        content_type,
        cache_control,
        etag: etag_of(&identity),
        last_modified: last_modified(modified_at),
        policy: headers.get(CONTENT_SECURITY_POLICY).cloned(),
        gzip: if compress { gzip(&identity) } else { Bytes::new() },
        brotli: if compress { brotli(&identity) } else { Bytes::new() },
        identity,
    }
}

/// A weak tag: the same entity is sent in several encodings.
fn etag_of(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("W/\"{hex}\"")).unwrap_or_else(|_| HeaderValue::from_static("W/\"0\""))
}

fn last_modified(unix: i64) -> Option<HeaderValue> {
    let secs = u64::try_from(unix).ok().filter(|s| *s > 0)?;
    let date = HttpDate::from(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs));
    HeaderValue::from_str(&date.to_string()).ok()
}

fn gzip(body: &[u8]) -> Bytes {
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::new(6));
    match enc.write_all(body).and_then(|()| enc.finish()) {
        Ok(out) => out.into(),
        Err(_) => Bytes::new(),
    }
}

fn brotli(body: &[u8]) -> Bytes {
    let params = brotli::enc::BrotliEncoderParams { quality: 6, lgwin: 22, ..Default::default() };
    let mut out = Vec::with_capacity(body.len() / 4);
    match brotli::BrotliCompress(&mut &body[..], &mut out, &params) {
        Ok(_) => out.into(),
        Err(_) => Bytes::new(),
    }
}

/// The encodings a client takes, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

fn negotiate(headers: &HeaderMap) -> Encoding {
    let mut br = false;
    let mut gz = false;
    for value in headers.get_all(ACCEPT_ENCODING).filter_map(|v| v.to_str().ok()) {
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0)
            });
            if refused {
                continue;
            }
            match name.as_str() {
                "br" => br = true,
                "gzip" | "x-gzip" => gz = true,
                "*" => {
                    br = true;
                    gz = true;
                }
                _ => {}
            }
        }
    }
    if br {
        Encoding::Brotli
    } else if gz {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// Whether the client's copy is current: `If-None-Match` wins;
/// `If-Modified-Since` counts only without it.
fn fresh(headers: &HeaderMap, etag: &HeaderValue, last_modified: Option<&HeaderValue>) -> bool {
    let etag = etag.to_str().unwrap_or_default();
    if let Some(tags) = headers.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        return tags.split(',').map(str::trim).any(|t| t == "*" || weak_eq(t, etag));
    }
    let since = headers.get(IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<HttpDate>().ok());
    let modified = last_modified.and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<HttpDate>().ok());
    matches!((since, modified), (Some(since), Some(modified)) if modified <= since)
}

/// Weak comparison: `W/"x"` equals `"x"` and `W/"x"`.
fn weak_eq(a: &str, b: &str) -> bool {
    a.trim_start_matches("W/") == b.trim_start_matches("W/")
}

/// Whether a shared page was rendered for this request, said in `X-Cache`
/// (as Varnish and most CDNs do) for operators, tests and the benchmark.
#[derive(Debug, Clone, Copy)]
enum Source {
    Hit,
    Miss,
}

/// The cached page as this client takes it, or `304` when its copy is current.
fn respond(req: &HttpRequest, page: &Page, source: Source) -> HttpResponse {
    let not_modified = fresh(req.headers(), &page.etag, page.last_modified.as_ref());
    let mut res = HttpResponse::build(if not_modified { StatusCode::NOT_MODIFIED } else { page.status });
    let source = match source {
        Source::Hit => "hit",
        Source::Miss => "miss",
    };
    res.insert_header(("x-cache", source))
        .insert_header((ETAG, page.etag.clone()))
        .insert_header((CACHE_CONTROL, page.cache_control.clone()))
        .insert_header((VARY, HeaderValue::from_static("accept-encoding")));
    if let Some(lm) = &page.last_modified {
        res.insert_header((LAST_MODIFIED, lm.clone()));
    }
    if not_modified {
        return res.finish();
    }
    res.insert_header((CONTENT_TYPE, page.content_type.clone()));
    if let Some(policy) = &page.policy {
        res.insert_header((CONTENT_SECURITY_POLICY, policy.clone()));
    }
    let body = match negotiate(req.headers()) {
        Encoding::Brotli if !page.brotli.is_empty() => {
            res.insert_header((CONTENT_ENCODING, HeaderValue::from_static("br")));
            page.brotli.clone()
        }
        Encoding::Brotli | Encoding::Gzip if !page.gzip.is_empty() => {
            res.insert_header((CONTENT_ENCODING, HeaderValue::from_static("gzip")));
            page.gzip.clone()
        }
        _ => page.identity.clone(),
    };
    res.body(body)
}

/// A page that may be personal: tagged from its body, answered with `304`
/// when current, never stored.
async fn revalidated(
    res: ServiceResponse<BoxBody>,
    state: &AppState,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let no_store = res.headers().get(CACHE_CONTROL).is_some_and(|v| v.as_bytes().starts_with(b"no-store"));
    if res.status() != StatusCode::OK || res.headers().contains_key(SET_COOKIE) || no_store {
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let (mut head, body) = res.into_parts();
    let Ok(bytes) = actix_web::body::to_bytes(body).await else {
        return Ok(ServiceResponse::new(req, HttpResponse::InternalServerError().finish()));
    };
    let etag = etag_of(&bytes);
    let last_modified = last_modified(state.clock.modified_at());
    let current = fresh(req.headers(), &etag, last_modified.as_ref());
    let headers = head.headers_mut();
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(PUBLIC));
    }
    headers.insert(ETAG, etag);
    if let Some(lm) = last_modified {
        headers.insert(LAST_MODIFIED, lm);
    }
    if current {
        *head.status_mut() = StatusCode::NOT_MODIFIED;
        return Ok(ServiceResponse::new(req, head.set_body(BoxBody::new(()))));
    }
    Ok(ServiceResponse::new(req, head.set_body(BoxBody::new(bytes))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(actix_web::http::header::HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn negotiates_the_best_encoding_the_client_takes() {
        assert_eq!(negotiate(&headers(&[("accept-encoding", "gzip, deflate, br")])), Encoding::Brotli);
        assert_eq!(negotiate(&headers(&[("accept-encoding", "gzip, br;q=0")])), Encoding::Gzip);
        assert_eq!(negotiate(&headers(&[("accept-encoding", "identity")])), Encoding::Identity);
        assert_eq!(negotiate(&headers(&[])), Encoding::Identity);
        assert_eq!(negotiate(&headers(&[("accept-encoding", "*")])), Encoding::Brotli);
    }

    #[test]
    fn compressed_forms_decode_to_the_same_bytes() {
        use std::io::Read;
        let body = "<p>Vangelis</p>".repeat(500);
        let mut out = String::new();
        flate2::read::GzDecoder::new(&gzip(body.as_bytes())[..]).read_to_string(&mut out).unwrap_or_default();
        assert_eq!(out, body);
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &brotli(body.as_bytes())[..], &mut out).unwrap_or_default();
        assert_eq!(out, body.as_bytes());
    }

    #[test]
    fn conditional_requests_match_weakly_and_by_date() {
        let etag = etag_of(b"page");
        let tag = etag.to_str().unwrap_or_default().to_owned();
        let strong = tag.trim_start_matches("W/").to_owned();
        let mut h = HeaderMap::new();
        h.insert(IF_NONE_MATCH, HeaderValue::from_str(&strong).unwrap_or(HeaderValue::from_static("x")));
        assert!(fresh(&h, &etag, None));
        let lm = last_modified(1_800_000_000);
        let mut h = HeaderMap::new();
        h.insert(IF_MODIFIED_SINCE, lm.clone().unwrap_or(HeaderValue::from_static("x")));
        assert!(fresh(&h, &etag, lm.as_ref()));
        assert!(!fresh(&h, &etag, last_modified(1_800_000_001).as_ref()));
    }
}
