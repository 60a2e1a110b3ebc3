//! `Strict-Transport-Security` when the site is served over HTTPS: its
//! public address says so (`--base-url https://...`), or the reverse proxy
//! this node trusts (`--trusted-proxy-header` is set) says the request came
//! in over HTTPS with `X-Forwarded-Proto`. The header is never sent over
//! plain HTTP, where browsers ignore it, nor on an untrusted header's word.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, STRICT_TRANSPORT_SECURITY};
use actix_web::middleware::Next;
use actix_web::web::Data;

use super::AppState;

/// One year; subdomains are not included, as they may not be this site's.
const HSTS: &str = "max-age=31536000";

/// Whether `req` reached the site over HTTPS, as far as this node can trust.
pub fn is_https(state: &AppState, req: &ServiceRequest) -> bool {
    if state.config.base_url.as_deref().is_some_and(|u| u.to_ascii_lowercase().starts_with("https://")) {
        return true;
    }
    state.config.trusted_proxy_header.is_some()
        && req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').next_back().is_some_and(|p| p.trim().eq_ignore_ascii_case("https")))
}

pub async fn strict_transport(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let https = req.app_data::<Data<AppState>>().is_some_and(|s| is_https(s, &req));
    let mut res = next.call(req).await?;
    if https {
        res.headers_mut().insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    Ok(res)
}
