//! What keeps forms honest, with no state on the app node: the editor
//! desk's CSRF token (an HttpOnly cookie holding a random value, and in the
//! form that value's HMAC under the site secret), a signed time slot for the
//! minimum fill time of public forms (the same for every visitor within a
//! minute, so public pages stay shareable), the client's address, reading a
//! form body within a size and time limit, and the commenter's cookies (edit
//! tokens of their own comments; name, email and website only when they ask
//! to be remembered). Public forms carry no token: cross-site posts are
//! refused by `web::origin` from the browser's own headers.

use std::collections::BTreeMap;

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::web::Data;
use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::AppState;
use crate::comments::form::{MAX_AUTHOR, MAX_COMMENT, MAX_EMAIL, MAX_URL};
use crate::config::SiteConfig;
use crate::error::Error;

pub const CSRF_COOKIE: &str = "cuesheet_csrf";
pub const OWNER_COOKIE: &str = "cuesheet_mine";
pub const REMEMBER_COOKIE: &str = "cuesheet_commenter";

/// A comment form's body limit: every field at its limit with every byte
/// percent-encoded (`%E4`, three bytes for one), plus room for the hidden
/// fields, so no comment the form limits accept is refused for its size.
pub const MAX_BODY: usize = 3 * (MAX_COMMENT + MAX_AUTHOR + MAX_EMAIL + MAX_URL) + 4 * 1024;
/// Edit tokens kept in the owner cookie.
pub const MAX_OWNED: usize = 20;
/// The minimum fill time is measured from the start of a slot this long,
/// so everyone who loads a page within it gets the same bytes.
pub const SLOT_SECONDS: i64 = 60;
/// A whole request body must arrive within this; a client that trickles
/// it slower holds a connection for nothing.
pub const BODY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);
/// Over its limit, a body is still read up to this many times the limit so
/// the text in it can be given back; beyond that it is dropped unread.
const GIVE_BACK_FACTOR: usize = 4;

fn mac(secret: &[u8], purpose: &str, value: &str) -> Hmac<Sha256> {
    // HMAC takes keys of any length: this cannot fail.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    m.update(purpose.as_bytes());
    m.update(&[0]);
    m.update(value.as_bytes());
    m
}

pub(crate) fn sign(secret: &[u8], purpose: &str, value: &str) -> String {
    hex(&mac(secret, purpose, value).finalize().into_bytes())
}

pub(crate) fn verify(secret: &[u8], purpose: &str, value: &str, signature: &str) -> bool {
    unhex(signature).is_some_and(|sig| mac(secret, purpose, value).verify_slice(&sig).is_ok())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// Whether the site is served over HTTPS: the configured base URL says so,
/// or the request came in over it.
pub fn https(req: &HttpRequest) -> bool {
    let configured = req.app_data::<Data<AppState>>().and_then(|s| s.config.base_url.clone()).unwrap_or_default();
    configured.to_ascii_lowercase().starts_with("https://") || req.connection_info().scheme() == "https"
}

/// A cookie's name as this site sets it: over HTTPS with the `__Host-`
/// prefix, which browsers accept only from a secure origin, for the whole
/// path and without a domain, so no sibling subdomain can plant or shadow it.
/// Over plain HTTP (development) the name stays as given.
pub fn cookie_name(req: &HttpRequest, base: &str) -> String {
    if https(req) { format!("__Host-{base}") } else { base.to_owned() }
}

fn read_cookie(req: &HttpRequest, base: &str) -> Option<Cookie<'static>> {
    req.cookie(&cookie_name(req, base))
}

/// The form's CSRF token for this browser, and the cookie to set when the
/// browser has none yet. Only the editor desk uses these: its pages are
/// never cached.
pub fn csrf_for(req: &HttpRequest, secret: &[u8]) -> Result<(String, Option<Cookie<'static>>), Error> {
    if let Some(c) = read_cookie(req, CSRF_COOKIE).filter(|c| c.value().len() >= 32) {
        return Ok((sign(secret, "csrf", c.value()), None));
    }
    let value = crate::comments::random_token().map_err(|e| Error::Internal(e.to_string()))?;
    let token = sign(secret, "csrf", &value);
    Ok((token, Some(cookie(req, CSRF_COOKIE, value, None))))
}

/// Whether a posted token matches this browser's cookie.
pub fn csrf_ok(req: &HttpRequest, secret: &[u8], token: &str) -> bool {
    read_cookie(req, CSRF_COOKIE).is_some_and(|c| verify(secret, "csrf", c.value(), token))
}

/// `<unix time>.<signature>`: the start of the time slot in which the form
/// was shown. Rounded down to `SLOT_SECONDS`, so a page is byte-identical for
/// every visitor within a slot and can be shared by caches.
pub fn slot_stamp(secret: &[u8], now: i64) -> String {
    let t = (now - now.rem_euclid(SLOT_SECONDS)).to_string();
    format!("{t}.{}", sign(secret, "started", &t))
}

/// The start of the slot in which the form was shown, if the stamp is genuine.
pub fn started_at(secret: &[u8], stamp: &str) -> Option<i64> {
    let (t, sig) = stamp.split_once('.')?;
    verify(secret, "started", t, sig).then(|| t.parse().ok()).flatten()
}

/// The client's address: the peer, or behind a trusted proxy the last
/// address in its header.
pub fn client_ip(req: &HttpRequest, config: &SiteConfig) -> String {
    if let Some(header) = &config.trusted_proxy_header
        && let Some(v) = req.headers().get(header.as_str()).and_then(|v| v.to_str().ok())
        && let Some(last) = v.rsplit(',').map(str::trim).find(|s| !s.is_empty())
    {
        return last.to_owned();
    }
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// `(comment id, edit token)` pairs from the owner cookie.
pub fn owned(req: &HttpRequest) -> Vec<(i64, String)> {
    let Some(c) = read_cookie(req, OWNER_COOKIE) else { return Vec::new() };
    c.value()
        .split('.')
        .filter_map(|pair| {
            let (id, token) = pair.split_once('-')?;
            Some((id.parse().ok()?, token.to_owned()))
        })
        .collect()
}

/// Whether the request carries an owner cookie at all (even one that names
/// nothing readable).
pub fn has_owner_cookie(req: &HttpRequest) -> bool {
    read_cookie(req, OWNER_COOKIE).is_some()
}

/// The owner cookie with one more comment of theirs.
pub fn owner_cookie(req: &HttpRequest, id: i64, token: &str) -> Cookie<'static> {
    let mut pairs = owned(req);
    pairs.retain(|(i, _)| *i != id);
    pairs.push((id, token.to_owned()));
    let start = pairs.len().saturating_sub(MAX_OWNED);
    let value: Vec<String> = pairs[start..].iter().map(|(i, t)| format!("{i}-{t}")).collect();
    cookie(req, OWNER_COOKIE, value.join("."), Some(Duration::days(30)))
}

/// Removes the owner cookie once nothing it names can be edited or is held:
/// from then on the reader gets the shared page.
pub fn forget_owner(req: &HttpRequest) -> Cookie<'static> {
    removal(req, OWNER_COOKIE)
}

/// Name, email and website remembered for the next comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Remembered {
    pub author: String,
    pub email: String,
    pub url: String,
}

/// The remember-me cookie. Pages never read it (a page filled in by the
/// server would be personal for a year); `static/comments.js` fills the form
/// from it. The server only reads it to know whether there is one to forget.
pub fn remembered(req: &HttpRequest) -> Option<Remembered> {
    let c = read_cookie(req, REMEMBER_COOKIE)?;
    let mut r = Remembered::default();
    for (k, v) in url::form_urlencoded::parse(c.value().as_bytes()) {
        match k.as_ref() {
            "author" => r.author = v.into_owned(),
            "email" => r.email = v.into_owned(),
            "url" => r.url = v.into_owned(),
            _ => {}
        }
    }
    Some(r)
}

/// The cookie that remembers a commenter for a year, or the one that forgets
/// them. Not HttpOnly: the script that fills the form must read it (as
/// WordPress's comment cookies are read by page caches' scripts); it holds
/// nothing but what the commenter typed and asked to keep.
pub fn remember_cookie(req: &HttpRequest, who: Option<&Remembered>) -> Cookie<'static> {
    match who {
        Some(r) => {
            let value = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("author", &r.author)
                .append_pair("email", &r.email)
                .append_pair("url", &r.url)
                .finish();
            let mut c = cookie(req, REMEMBER_COOKIE, value, Some(Duration::days(365)));
            c.set_http_only(false);
            c
        }
        None => removal(req, REMEMBER_COOKIE),
    }
}

fn removal(req: &HttpRequest, base: &str) -> Cookie<'static> {
    let mut c = cookie(req, base, String::new(), Some(Duration::ZERO));
    c.make_removal();
    c
}

/// A cookie for the whole site: HttpOnly, SameSite=Lax, Secure (and
/// `__Host-` named) over HTTPS.
pub fn cookie(req: &HttpRequest, base: &str, value: String, max_age: Option<Duration>) -> Cookie<'static> {
    let mut c = Cookie::build(cookie_name(req, base), value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(https(req))
        .finish();
    if let Some(age) = max_age {
        c.set_max_age(age);
    }
    c
}

/// A posted form, field by field.
pub struct Posted {
    pub fields: BTreeMap<String, String>,
    /// Fields whose bytes were not valid UTF-8 (kept, lossily decoded).
    pub invalid_utf8: Vec<String>,
}

impl Posted {
    /// Takes a field out ("" when absent).
    pub fn take(&mut self, name: &str) -> String {
        self.fields.remove(name).unwrap_or_default()
    }
}

/// Reads a posted form (413 over `limit`); a form too large gives back the
/// text of the field `keep` when it can, so nothing is lost. Public forms
/// use this alone: `web::origin` has refused cross-site posts already.
pub async fn read_form(
    req: &HttpRequest,
    payload: actix_web::web::Payload,
    limit: usize,
    keep: Option<&str>,
) -> Result<Posted, Error> {
    let body = match read_capped(req, payload, limit).await? {
        Body::Within(body) => body,
        Body::Over { sent, body } => {
            let kept = keep.and_then(|k| crate::comments::form::parse_urlencoded(&body).0.remove(k));
            return Err(Error::TooLarge { limit, sent, kept });
        }
    };
    let (fields, invalid_utf8) = crate::comments::form::parse_urlencoded(&body);
    Ok(Posted { fields, invalid_utf8 })
}

/// Reads a posted form and checks the editor desk's CSRF token; a refused
/// form gives back the text of the field `keep`.
pub async fn posted(
    req: &HttpRequest,
    payload: actix_web::web::Payload,
    limit: usize,
    secret: &[u8],
    keep: Option<&str>,
) -> Result<Posted, Error> {
    let mut posted = read_form(req, payload, limit, keep).await?;
    let token = posted.take("csrf");
    if !csrf_ok(req, secret, &token) {
        return Err(Error::Csrf { kept: keep.and_then(|k| posted.fields.remove(k)) });
    }
    Ok(posted)
}

/// Reads a request body within `BODY_DEADLINE`, refusing (413) one larger
/// than `limit`.
pub async fn read_body(req: &HttpRequest, payload: actix_web::web::Payload, limit: usize) -> Result<Vec<u8>, Error> {
    match read_capped(req, payload, limit).await? {
        Body::Within(body) => Ok(body),
        Body::Over { sent, .. } => Err(Error::TooLarge { limit, sent, kept: None }),
    }
}

enum Body {
    Within(Vec<u8>),
    /// Over the limit: what was read (empty when too large to give back),
    /// and its size when known.
    Over {
        sent: Option<usize>,
        body: Vec<u8>,
    },
}

async fn read_capped(req: &HttpRequest, mut payload: actix_web::web::Payload, limit: usize) -> Result<Body, Error> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let give_back = limit.saturating_mul(GIVE_BACK_FACTOR);
    if let Some(n) = declared.filter(|n| *n > give_back) {
        return Ok(Body::Over { sent: Some(n), body: Vec::new() });
    }
    let read = async {
        let mut body = Vec::with_capacity(declared.unwrap_or(1024).min(give_back));
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| Error::BadRequest(e.to_string()))?;
            if body.len() + chunk.len() > give_back {
                return Ok(Body::Over { sent: declared, body: Vec::new() });
            }
            body.extend_from_slice(&chunk);
        }
        if body.len() > limit {
            return Ok(Body::Over { sent: Some(body.len()), body });
        }
        Ok(Body::Within(body))
    };
    tokio::time::timeout(BODY_DEADLINE, read).await.map_err(|_| Error::Timeout)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_refuse_tampering() {
        let stamp = slot_stamp(b"secret", 1_800_000_000);
        assert_eq!(started_at(b"secret", &stamp), Some(1_800_000_000));
        // Everyone within one minute gets the same stamp, from the slot's start.
        assert_eq!(slot_stamp(b"secret", 1_800_000_059), stamp);
        assert_eq!(started_at(b"secret", &slot_stamp(b"secret", 1_800_000_060)), Some(1_800_000_060));
        assert_eq!(started_at(b"other", &stamp), None);
        assert_eq!(started_at(b"secret", &stamp.replace("1800", "1700")), None);
        assert_eq!(started_at(b"secret", "garbage"), None);
        assert!(verify(b"k", "csrf", "v", &sign(b"k", "csrf", "v")));
        assert!(!verify(b"k", "csrf", "v", &sign(b"k", "csrf", "w")));
        assert!(!verify(b"k", "csrf", "v", "zz"));
    }
}
