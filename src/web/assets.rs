//! `/static/...`: the stylesheets (the site's, and the editor desk's own),
//! scripts and icons, built into the binary so it runs
//! from anywhere. Each is served under a fingerprinted name
//! (`style.3f2a9c01b4.css`), cacheable for a year; the plain name still works
//! with a short cache for links from outside.

use std::sync::LazyLock;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG};
use actix_web::web::Path;
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

struct Asset {
    name: &'static str,
    mime: &'static str,
    bytes: &'static [u8],
    /// `style.<hash>.css`
    fingerprinted: String,
    hash: String,
}

macro_rules! asset {
    ($name:literal, $mime:literal) => {
        ($name, $mime, include_bytes!(concat!("../../static/", $name)).as_slice())
    };
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    [
        asset!("style.css", "text/css; charset=utf-8"),
        asset!("desk.css", "text/css; charset=utf-8"),
        asset!("favicon.svg", "image/svg+xml"),
        asset!("comments.js", "text/javascript; charset=utf-8"),
        asset!("votes.js", "text/javascript; charset=utf-8"),
        asset!("editor.js", "text/javascript; charset=utf-8"),
    ]
    .into_iter()
    .map(|(name, mime, bytes)| {
        let hash: String = Sha256::digest(bytes).iter().take(5).map(|b| format!("{b:02x}")).collect();
        let fingerprinted = match name.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
            None => format!("{name}.{hash}"),
        };
        Asset { name, mime, bytes, fingerprinted, hash }
    })
    .collect()
});

/// The URL templates link to: fingerprinted, so it changes with the file.
pub fn url(name: &str) -> String {
    ASSETS
        .iter()
        .find(|a| a.name == name)
        .map_or_else(|| format!("/static/{name}"), |a| format!("/static/{}", a.fingerprinted))
}

pub async fn serve(req: HttpRequest, file: Path<String>) -> Result<HttpResponse> {
    let file = file.as_str();
    let (asset, cache) = if let Some(a) = ASSETS.iter().find(|a| a.fingerprinted == file) {
        (a, "public, max-age=31536000, immutable")
    } else if let Some(a) = ASSETS.iter().find(|a| a.name == file) {
        (a, "public, max-age=3600")
    } else {
        return Err(Error::NotFound);
    };
    let etag = format!("\"{}\"", asset.hash);
    let matches = req
        .headers()
        .get("if-none-match")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut res = if matches { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    res.insert_header((CACHE_CONTROL, cache)).insert_header((ETAG, etag));
    if matches {
        return Ok(res.finish());
    }
    Ok(res.insert_header((CONTENT_TYPE, asset.mime)).body(asset.bytes))
}
