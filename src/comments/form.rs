//! The comment form as posted. The body is parsed by hand so that nothing a
//! commenter typed is lost: invalid UTF-8 or a NUL byte is an error on that
//! one field, shown next to it, while every other field comes back as typed.

use std::borrow::Cow;
use std::collections::BTreeMap;

use percent_encoding::percent_decode;

/// WordPress's limits, in bytes.
pub const MAX_AUTHOR: usize = 245;
pub const MAX_EMAIL: usize = 100;
pub const MAX_URL: usize = 200;
pub const MAX_COMMENT: usize = 65_525;

/// `application/x-www-form-urlencoded` into fields. A value that is not
/// valid UTF-8 is kept (lossily decoded) and its field name returned too.
pub fn parse_urlencoded(body: &[u8]) -> (BTreeMap<String, String>, Vec<String>) {
    let mut fields = BTreeMap::new();
    let mut invalid = Vec::new();
    for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &b""[..]),
        };
        let key = decode(k).into_owned();
        let raw = decode_bytes(v);
        let value = match String::from_utf8(raw) {
            Ok(s) => s,
            Err(e) => {
                invalid.push(key.clone());
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
        };
        fields.insert(key, value);
    }
    (fields, invalid)
}

fn decode_bytes(v: &[u8]) -> Vec<u8> {
    let plus: Vec<u8> = v.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
    percent_decode(&plus).collect()
}

fn decode(v: &[u8]) -> Cow<'static, str> {
    Cow::Owned(String::from_utf8_lossy(&decode_bytes(v)).into_owned())
}

/// What the commenter typed, field by field (the form's names).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommentInput {
    pub author: String,
    pub email: String,
    pub url: String,
    pub comment: String,
    pub comment_parent: String,
    pub entry: String,
    pub remember: bool,
    /// "Email me when someone replies", unticked by default.
    pub notify: bool,
    /// The honeypot: people never see it, so never fill it.
    pub honeypot: String,
    pub started: String,
}

/// Field name of the honeypot.
pub const HONEYPOT: &str = "homepage";

/// Errors by field (`author`, `email`, `url`, `comment`, `form`).
pub type FieldErrors = BTreeMap<&'static str, String>;

impl CommentInput {
    pub fn from_fields(mut f: BTreeMap<String, String>) -> Self {
        let mut take = |k: &str| f.remove(k).unwrap_or_default();
        CommentInput {
            author: take("author"),
            email: take("email"),
            url: take("url"),
            comment: take("comment"),
            comment_parent: take("comment_parent"),
            entry: take("entry"),
            remember: !take("remember").is_empty(),
            notify: !take("notify").is_empty(),
            honeypot: take(HONEYPOT),
            started: take("started"),
        }
    }

    /// Checks every field; `invalid_utf8` names fields whose bytes were not text.
    pub fn validate(&self, invalid_utf8: &[String]) -> Result<Valid, FieldErrors> {
        let mut errors = FieldErrors::new();
        for name in invalid_utf8 {
            if let Some(field) = field_name(name) {
                errors.insert(field, INVALID_UTF8.into());
            }
        }
        let mut check = |field: &'static str, value: &str, required: Option<&str>, max: usize| {
            if !errors.contains_key(field)
                && let Some(e) = field_error(value, required, max)
            {
                errors.insert(field, e);
            }
        };
        check("author", &self.author, Some("Please enter your name."), MAX_AUTHOR);
        check("email", &self.email, Some("Please enter your email address. It is never published."), MAX_EMAIL);
        check("url", &self.url, None, MAX_URL);
        check("comment", &self.comment, Some(NO_COMMENT), MAX_COMMENT);
        // Before anything renders it: text nested past the limits is refused.
        if !errors.contains_key("comment")
            && let Some(e) = super::markdown::nesting_error(&self.comment)
        {
            errors.insert("comment", e);
        }
        if !errors.contains_key("email") && !valid_email(self.email.trim()) {
            errors.insert("email", "This does not look like an email address (name@example.com).".into());
        }
        let url = self.url.trim();
        let url = if url.is_empty() || errors.contains_key("url") {
            None
        } else {
            match normalize_url(url) {
                Some(u) if u.len() <= MAX_URL => Some(u),
                _ => {
                    errors.insert("url", "A website must be an http:// or https:// address.".into());
                    None
                }
            }
        };
        let parent = match self.comment_parent.trim() {
            "" | "0" => None,
            p => match p.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    errors.insert("comment", "The comment you are replying to does not exist.".into());
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Valid {
            author: self.author.trim().to_owned(),
            email: self.email.trim().to_owned(),
            url,
            comment: self.comment.clone(),
            parent,
            entry: Some(self.entry.trim().to_owned()).filter(|e| !e.is_empty()),
        })
    }
}

/// What is wrong with one field's value, if anything.
fn field_error(value: &str, required: Option<&str>, max: usize) -> Option<String> {
    if value.contains('\0') {
        Some("This contains a NUL character, which cannot be stored. Please remove it.".into())
    } else if let Some(c) = value.chars().find(|&c| super::forbidden_in_xml(c)) {
        Some(format!(
            "This contains an invisible control character (U+{:04X}) that cannot be published. Please remove it.",
            u32::from(c)
        ))
    } else if let Some(msg) = required.filter(|_| value.trim().is_empty()) {
        Some(msg.into())
    } else if value.len() > max {
        Some(format!("This is {} bytes long; the limit is {max}.", value.len()))
    } else {
        None
    }
}

/// Checks an edited comment's text.
pub fn check_comment(text: &str, invalid_utf8: bool) -> Result<(), String> {
    if invalid_utf8 {
        return Err(INVALID_UTF8.into());
    }
    field_error(text, Some(NO_COMMENT), MAX_COMMENT)
        .or_else(|| super::markdown::nesting_error(text))
        .map_or(Ok(()), Err)
}

const INVALID_UTF8: &str = "This contains bytes that are not valid text (UTF-8). Please retype it.";
const NO_COMMENT: &str = "Please write a comment.";

fn field_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "author" => "author",
        "email" => "email",
        "url" => "url",
        "comment" => "comment",
        _ => "form",
    })
}

/// A comment that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    pub author: String,
    pub email: String,
    pub url: Option<String>,
    pub comment: String,
    pub parent: Option<i64>,
    pub entry: Option<String>,
}

/// `name@domain.tld`, no spaces or control characters.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && s.chars().all(|c| !c.is_whitespace() && !c.is_control())
        && !domain.contains('@')
}

/// An `http`/`https` URL with a host, normalised; `example.com` gets `https://`.
pub fn normalize_url(s: &str) -> Option<String> {
    let candidate =
        if s.contains("://") || s.contains(':') && !s.contains('.') { s.to_owned() } else { format!("https://{s}") };
    let url = url::Url::parse(&candidate).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty())).then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_was_typed_even_when_it_is_not_utf8() {
        let (f, invalid) = parse_urlencoded(b"author=Bj%C3%B6rk+%F0%9F%8E%B5&comment=%FF%FEbad&email=a%40b.co");
        assert_eq!(f["author"], "Björk 🎵");
        assert_eq!(f["email"], "a@b.co");
        assert_eq!(invalid, vec!["comment"]);
        let input = CommentInput::from_fields(f);
        let errors = input.validate(&invalid).err().unwrap_or_default();
        assert!(errors["comment"].contains("UTF-8"));
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn validates_each_field() {
        let ok = CommentInput {
            author: "Ana".into(),
            email: "ana@example.com".into(),
            comment: "Hi".into(),
            url: "example.com/me".into(),
            ..Default::default()
        };
        assert_eq!(ok.validate(&[]).map(|v| v.url), Ok(Some("https://example.com/me".into())));
        let bad = CommentInput { url: "javascript:alert(1)".into(), email: "nope".into(), ..ok.clone() };
        let e = bad.validate(&[]).err().unwrap_or_default();
        assert!(e.contains_key("url") && e.contains_key("email"));
        let nul = CommentInput { comment: "a\0b".into(), ..ok.clone() };
        let bell = CommentInput { author: "An\u{7}a".into(), comment: "x\u{1b}[0m".into(), ..ok.clone() };
        let e = bell.validate(&[]).err().unwrap_or_default();
        assert!(e["author"].contains("U+0007") && e["comment"].contains("U+001B"), "{e:?}");
        assert!(check_comment("tab\tand\r\nnewlines are fine", false).is_ok());
        assert!(check_comment("\u{ffff}", false).is_err());
        assert!(nul.validate(&[]).err().unwrap_or_default()["comment"].contains("NUL"));
        let long = CommentInput { author: "x".repeat(246), ..ok };
        assert!(long.validate(&[]).err().unwrap_or_default()["author"].contains("245"));
    }
}
