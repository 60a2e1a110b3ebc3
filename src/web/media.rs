//! `/media/<hash>-<width>.<ext>`: a picture's variant, made when the
//! picture was taken and never again. Its name changes with its bytes, so
//! it is cached for a year; only variants of recorded pictures are served
//! (never an original, which may carry metadata).

use actix_web::http::header::{CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG};
use actix_web::web::{Data, Path};
use actix_web::{HttpRequest, HttpResponse};

use super::AppState;
use crate::error::{Error, Result};
use crate::media::{self, store};

pub async fn serve(req: HttpRequest, state: Data<AppState>, file: Path<String>) -> Result<HttpResponse> {
    let (hash, width, ext) = media::parse_variant_file(&file).ok_or(Error::NotFound)?;
    let etag = format!("\"{hash}-{width}-{ext}\"");
    if req.headers().get("if-none-match").and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains(&etag)) {
        return Ok(HttpResponse::NotModified()
            .insert_header((CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .insert_header((ETAG, etag))
            .finish());
    }
    if !crate::db::media::has_hash(&state.db, hash).await? {
        return Err(Error::NotFound);
    }
    let bytes = state.media.get(&store::variant_key(&file)).await.map_err(|e| Error::Internal(e.to_string()))?;
    let bytes = bytes.ok_or(Error::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, media::content_type(ext)))
        .insert_header((CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((ETAG, etag))
        // Already compressed: the compression middleware leaves it alone.
        .insert_header((CONTENT_ENCODING, "identity"))
        .body(bytes))
}
