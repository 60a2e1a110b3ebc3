//! What keeps forms honest, with no state on the app node: a CSRF token
//! (an HttpOnly cookie holding a random value, and in the form that value's
//! HMAC under the site secret), a signed "form shown at" stamp for the
//! minimum fill time, the client's address, and the commenter's cookies
//! (edit tokens of their own comments; name, email and website only when
//! they ask to be remembered).

use std::collections::BTreeMap;

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::SiteConfig;
use crate::error::Error;

pub const CSRF_COOKIE: &str = "cuesheet_csrf";
pub const OWNER_COOKIE: &str = "cuesheet_mine";
pub const REMEMBER_COOKIE: &str = "cuesheet_commenter";

/// Requests bodies larger than this are refused with 413.
pub const MAX_BODY: usize = 64 * 1024;
/// Edit tokens kept in the owner cookie.
const MAX_OWNED: usize = 20;

fn mac(secret: &[u8], purpose: &str, value: &str) -> Hmac<Sha256> {
    // HMAC takes keys of any length: this cannot fail.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    m.update(purpose.as_bytes());
    m.update(&[0]);
    m.update(value.as_bytes());
    m
}

fn sign(secret: &[u8], purpose: &str, value: &str) -> String {
    hex(&mac(secret, purpose, value).finalize().into_bytes())
}

fn verify(secret: &[u8], purpose: &str, value: &str, signature: &str) -> bool {
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

/// The form's CSRF token for this browser, and the cookie to set when the
/// browser has none yet.
pub fn csrf_for(req: &HttpRequest, secret: &[u8]) -> Result<(String, Option<Cookie<'static>>), Error> {
    if let Some(c) = req.cookie(CSRF_COOKIE).filter(|c| c.value().len() >= 32) {
        return Ok((sign(secret, "csrf", c.value()), None));
    }
    let value = crate::comments::random_token().map_err(|e| Error::Internal(e.to_string()))?;
    let token = sign(secret, "csrf", &value);
    Ok((token, Some(cookie(req, CSRF_COOKIE, value, None))))
}

/// Whether a posted token matches this browser's cookie.
pub fn csrf_ok(req: &HttpRequest, secret: &[u8], token: &str) -> bool {
    req.cookie(CSRF_COOKIE).is_some_and(|c| verify(secret, "csrf", c.value(), token))
}

/// `<unix time>.<signature>`: when the form was shown.
pub fn started_stamp(secret: &[u8], now: i64) -> String {
    let t = now.to_string();
    format!("{t}.{}", sign(secret, "started", &t))
}

/// When the form was shown, if the stamp is genuine.
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
    let Some(c) = req.cookie(OWNER_COOKIE) else { return Vec::new() };
    c.value()
        .split('.')
        .filter_map(|pair| {
            let (id, token) = pair.split_once('-')?;
            Some((id.parse().ok()?, token.to_owned()))
        })
        .collect()
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

/// Name, email and website remembered for the next comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Remembered {
    pub author: String,
    pub email: String,
    pub url: String,
}

pub fn remembered(req: &HttpRequest) -> Option<Remembered> {
    let c = req.cookie(REMEMBER_COOKIE)?;
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

/// The cookie that remembers a commenter for a year, or the one that forgets them.
pub fn remember_cookie(req: &HttpRequest, who: Option<&Remembered>) -> Cookie<'static> {
    match who {
        Some(r) => {
            let value = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("author", &r.author)
                .append_pair("email", &r.email)
                .append_pair("url", &r.url)
                .finish();
            cookie(req, REMEMBER_COOKIE, value, Some(Duration::days(365)))
        }
        None => {
            let mut c = cookie(req, REMEMBER_COOKIE, String::new(), Some(Duration::ZERO));
            c.make_removal();
            c
        }
    }
}

fn cookie(req: &HttpRequest, name: &'static str, value: String, max_age: Option<Duration>) -> Cookie<'static> {
    let mut c = Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(req.connection_info().scheme() == "https")
        .finish();
    if let Some(age) = max_age {
        c.set_max_age(age);
    }
    c
}

/// A posted form whose CSRF token checked out.
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

/// Reads a posted form (413 over `limit`) and checks its CSRF token; a
/// refused form gives back the text of the field `keep`, so nothing is lost.
pub async fn posted(
    req: &HttpRequest,
    payload: actix_web::web::Payload,
    limit: usize,
    secret: &[u8],
    keep: Option<&str>,
) -> Result<Posted, Error> {
    let body = read_body(req, payload, limit).await?;
    let (mut fields, invalid_utf8) = crate::comments::form::parse_urlencoded(&body);
    let token = fields.remove("csrf").unwrap_or_default();
    if !csrf_ok(req, secret, &token) {
        return Err(Error::Csrf { kept: keep.and_then(|k| fields.remove(k)) });
    }
    Ok(Posted { fields, invalid_utf8 })
}

/// Reads a request body, refusing (413) one larger than `limit`.
pub async fn read_body(
    req: &HttpRequest,
    mut payload: actix_web::web::Payload,
    limit: usize,
) -> Result<Vec<u8>, Error> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(Error::TooLarge);
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(1024).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| Error::BadRequest(e.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(Error::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_refuse_tampering() {
        let stamp = started_stamp(b"secret", 1_800_000_000);
        assert_eq!(started_at(b"secret", &stamp), Some(1_800_000_000));
        assert_eq!(started_at(b"other", &stamp), None);
        assert_eq!(started_at(b"secret", &stamp.replace("1800", "1700")), None);
        assert_eq!(started_at(b"secret", "garbage"), None);
        assert!(verify(b"k", "csrf", "v", &sign(b"k", "csrf", "v")));
        assert!(!verify(b"k", "csrf", "v", &sign(b"k", "csrf", "w")));
        assert!(!verify(b"k", "csrf", "v", "zz"));
    }
}
