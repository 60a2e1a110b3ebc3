//! Cross-site request refusal without tokens, as Go 1.25's
//! `http.CrossOriginProtection` does it: every request that may change state
//! (anything but GET, HEAD and OPTIONS) is checked against the headers
//! browsers set themselves and pages cannot forge. `Sec-Fetch-Site:
//! same-origin` or `none` (typed by the user) passes and any other value is
//! refused; without it, an `Origin` header must be the site's own (as the
//! client addressed it, or the configured `--base-url`); a request with
//! neither comes from something that is not a browser, which no other site
//! can make a visitor's browser send, and the comment rules apply to it as
//! to anyone. This is what lets public pages carry no per-visitor token and
//! be shared by every visitor and cache.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{HttpRequest, ResponseError};

use super::AppState;
use crate::error::Error;

const CROSS_SITE: &str = "It was sent to this site from another website, which this site never accepts: \
     a page elsewhere cannot post comments or change anything here in your name. \
     If you meant to send it, open this site's own page and send the form from there.";
const FOREIGN_ORIGIN: &str = "It was sent from a page at another address than this site's own. \
     If you meant to send it, open this site's own page and send the form from there.";

/// Why a request is refused, if it is.
pub fn refusal(req: &HttpRequest) -> Option<&'static str> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let header = |name: &str| req.headers().get(name).map(|v| v.to_str().unwrap_or_default().trim().to_owned());
    match header("sec-fetch-site").as_deref() {
        Some("same-origin" | "none") => return None,
        // "cross-site", "same-site" (a sibling subdomain is another site's
        // code) or anything unknown.
        Some(_) => return Some(CROSS_SITE),
        None => {}
    }
    let origin = header("origin")?;
    (!own_origin(req, &origin)).then_some(FOREIGN_ORIGIN)
}

/// Whether `origin` (`scheme://host[:port]`) is this site's: the origin the
/// client addressed, or the configured public one.
fn own_origin(req: &HttpRequest, origin: &str) -> bool {
    let origin = origin.to_ascii_lowercase();
    let info = req.connection_info();
    let addressed = format!("{}://{}", info.scheme(), info.host()).to_ascii_lowercase();
    if same(&origin, &addressed) {
        return true;
    }
    req.app_data::<Data<AppState>>()
        .and_then(|s| s.config.base_url.as_deref().and_then(configured_origin))
        .is_some_and(|base| same(&origin, &base))
}

/// The origin of a configured base URL, lower-cased.
fn configured_origin(base: &str) -> Option<String> {
    let url = url::Url::parse(base).ok()?;
    Some(url.origin().ascii_serialization().to_ascii_lowercase()).filter(|o| o != "null")
}

/// Two origins are the same, with a default port spelled or not.
fn same(a: &str, b: &str) -> bool {
    let normal = |o: &str| {
        o.strip_suffix(":443").filter(|_| o.starts_with("https://")).map_or_else(
            || o.strip_suffix(":80").filter(|_| o.starts_with("http://")).unwrap_or(o).to_owned(),
            str::to_owned,
        )
    };
    normal(a) == normal(b)
}

/// The middleware: refused requests get the 403 page and never reach a
/// handler, so nothing is read or stored.
pub async fn check(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Some(why) = refusal(req.request()) {
        tracing::info!(method = %req.method(), path = req.path(), "cross-origin request refused");
        let res = Error::CrossOrigin(why).error_response();
        return Ok(req.into_response(res).map_into_right_body());
    }
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn post(headers: &[(&str, &str)]) -> HttpRequest {
        let mut r = TestRequest::post().uri("/articles/x/comments").insert_header(("host", "site.example:8080"));
        for h in headers {
            r = r.insert_header(*h);
        }
        r.to_http_request()
    }

    #[test]
    fn follows_go_cross_origin_protection() {
        assert_eq!(refusal(&post(&[("sec-fetch-site", "same-origin")])), None);
        assert_eq!(refusal(&post(&[("sec-fetch-site", "none")])), None);
        assert!(refusal(&post(&[("sec-fetch-site", "cross-site")])).is_some());
        assert!(refusal(&post(&[("sec-fetch-site", "same-site")])).is_some());
        // Sec-Fetch-Site decides even when Origin says otherwise.
        assert!(refusal(&post(&[("sec-fetch-site", "cross-site"), ("origin", "http://site.example:8080")])).is_some());
        assert_eq!(refusal(&post(&[("origin", "http://site.example:8080")])), None);
        assert!(refusal(&post(&[("origin", "http://evil.example")])).is_some());
        assert!(refusal(&post(&[("origin", "https://site.example:8080")])).is_some());
        assert!(refusal(&post(&[("origin", "null")])).is_some());
        // Neither header: not a browser.
        assert_eq!(refusal(&post(&[])), None);
        let get = TestRequest::get().insert_header(("sec-fetch-site", "cross-site")).to_http_request();
        assert_eq!(refusal(&get), None);
    }

    #[test]
    fn default_ports_compare_equal() {
        assert!(same("https://a.example", "https://a.example:443"));
        assert!(same("http://a.example:80", "http://a.example"));
        assert!(!same("http://a.example:443", "http://a.example"));
        assert_eq!(configured_origin("https://Cuesheet.example/path/").as_deref(), Some("https://cuesheet.example"));
    }
}
