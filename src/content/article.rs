//! Articles: `content/articles/<slug>.md`, TOML front matter between `+++`
//! lines, then the Markdown body.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::markdown::{self, Body, Html, ListOrder, ListStyle, Rendered};
use super::{Problem, Source, content_hash, file_slug};

/// The front matter as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub author: String,
    /// RFC 3339 date-time; absent means draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<TomlTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<TomlTime>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub list: ListStyle,
    #[serde(default)]
    pub order: ListOrder,
    /// Table of contents: forced on or off; shown for long articles when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toc: Option<bool>,
    /// The feature picture: a file of `content/media/`, shown above the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    /// What the feature picture shows (required with `feature`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_alt: Option<String>,
}

/// A time written either as a TOML date-time (`2026-09-14T09:00:00Z`) or as a
/// quoted RFC 3339 string; a bare date means midnight UTC.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TomlTime {
    Native(toml::value::Datetime),
    Text(String),
}

impl TomlTime {
    fn to_utc(&self) -> Option<DateTime<Utc>> {
        let text = match self {
            TomlTime::Native(d) => d.to_string(),
            TomlTime::Text(s) => s.trim().to_owned(),
        };
        if let Ok(t) = DateTime::parse_from_rfc3339(&text) {
            return Some(t.with_timezone(&Utc));
        }
        NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()?.and_hms_opt(0, 0, 0).map(|t| t.and_utc())
    }
}

/// One article, parsed and rendered.
#[derive(Debug, Clone)]
pub struct Article {
    pub slug: String,
    pub path: PathBuf,
    pub hash: String,
    pub front: FrontMatter,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// The Markdown after the front matter.
    pub body: String,
    /// Where the body starts in the file, in bytes: offsets in
    /// [`Rendered`] plus this are offsets in the file.
    pub body_offset: usize,
    pub rendered: Rendered,
    /// The standfirst and the body's text as search indexes it, made from
    /// the one parse of the body (see [`Body::plain_text`]); `None` when
    /// rendered for [`Html::Shape`] (a check, which never indexes).
    pub search_text: Option<String>,
}

/// Parses and renders one article file, with every problem of its front
/// matter and structure. The article comes back whenever its front matter
/// could be read, so the check can go on looking at it; only a file without
/// problems may be imported.
pub fn parse(path: &Path, text: &str) -> (Option<Article>, Vec<Problem>) {
    parse_with(path, text, Html::Page)
}

/// [`parse`], with the body's HTML made for `html`: a check that only reads
/// the findings asks for [`Html::Shape`].
pub fn parse_with(path: &Path, text: &str, html: Html) -> (Option<Article>, Vec<Problem>) {
    let src = Source::new(path, text);
    let (head, mut problems) = head(&src);
    let article = head.map(|head| {
        let body = Body::parse(head.body(text));
        head.finish(&src, &body, html, &mut problems)
    });
    (article, problems)
}

/// An article file read up to its body: its slug and front matter. Enough
/// to know the article exists and its tags; [`Head::finish`] renders the
/// body, parsed once for the renderer and the checks.
#[derive(Debug)]
pub(crate) struct Head {
    slug: String,
    pub front: FrontMatter,
    published: Option<DateTime<Utc>>,
    updated: Option<DateTime<Utc>>,
    /// Where the front matter's text starts and ends, and the body starts.
    front_start: usize,
    front_end: usize,
    body_offset: usize,
}

/// Reads an article file's front matter, with its problems; `None` when
/// there is no article to go on with (a bad file name, unreadable front
/// matter).
pub(crate) fn head(src: &Source<'_>) -> (Option<Head>, Vec<Problem>) {
    let text = src.text;
    let slug = match file_slug(src) {
        Ok(slug) => slug,
        Err(p) => return (None, p),
    };
    let (front_start, front_end, body_offset) = match split(text) {
        Ok(at) => at,
        Err(message) => return (None, vec![src.error(0, "front-matter", message)]),
    };
    let front_text = &text[front_start..front_end];
    let front: FrontMatter = match super::toml_errors::parse(front_text) {
        Ok(front) => front,
        Err(errors) => {
            let problems = errors.into_iter().map(|e| {
                let message = format!("invalid front matter: {}", e.message);
                src.error(front_start + e.span.start, "front-matter", message)
            });
            return (None, problems.collect());
        }
    };
    let mut problems = Vec::new();
    let key = |key: &str| front_start + key_offset(front_text, key).unwrap_or(0);
    if front.title.trim().is_empty() {
        problems.push(src.error(key("title"), "front-matter", "`title` must not be empty"));
    }
    let mut time = |name: &str, value: &Option<TomlTime>| {
        let t = value.as_ref().map(TomlTime::to_utc);
        if let Some(None) = t {
            let message = format!("`{name}` must be an RFC 3339 date-time such as 2026-09-14T09:00:00Z");
            problems.push(src.error(key(name), "front-matter", message));
        }
        t.flatten()
    };
    let published = time("published", &front.published);
    let updated = time("updated", &front.updated);
    let head = Head { slug, front, published, updated, front_start, front_end, body_offset };
    (Some(head), problems)
}

impl Head {
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// The Markdown after the front matter, in the file's `text`.
    pub fn body<'t>(&self, text: &'t str) -> &'t str {
        &text[self.body_offset..]
    }

    /// The article, rendered from its body parsed as `body` (of
    /// [`Head::body`]), the HTML made for `html`; the problems of its
    /// structure are added to `problems`.
    pub fn finish(self, src: &Source<'_>, body: &Body<'_>, html: Html, problems: &mut Vec<Problem>) -> Article {
        let Head { slug, front, published, updated, front_start, front_end, body_offset } = self;
        let text = src.text;
        let key = |key: &str| front_start + key_offset(&text[front_start..front_end], key).unwrap_or(0);
        let rendered = markdown::render_body(body, front.list, front.order, html);
        let search_text = (html == Html::Page).then(|| body.plain_text(&front.description));
        problems.extend(rendered.issues.iter().map(|i| src.error(body_offset + i.offset, i.code, i.message.clone())));
        if front.list != ListStyle::None && rendered.entries.is_empty() {
            problems.push(src.error(
                key("list"),
                "no-entries",
                format!(
                    "list = \"{}\" but the article has no entries: an entry is a heading such as `## Blade Runner {{soundtrack=blade-runner-1982}}`",
                    front.list.as_str()
                ),
            ));
        }
        if front.order == ListOrder::Countdown && front.list != ListStyle::Ranked {
            let message = format!(
                "order = \"countdown\" counts ranks down, but list = \"{}\" has no ranks: make it list = \"ranked\" or drop `order`",
                front.list.as_str()
            );
            problems.push(src.error(key("order"), "ranking", message));
        }
        Article {
            slug,
            path: src.path.to_path_buf(),
            hash: content_hash(text),
            front,
            published,
            updated,
            body: text[body_offset..].to_owned(),
            body_offset,
            rendered,
            search_text,
        }
    }
}

/// Splits `+++` front matter from the body: the byte offsets where the front
/// matter's text starts and ends, and where the body starts.
fn split(text: &str) -> Result<(usize, usize, usize), &'static str> {
    let bom = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let Some(first) = text[bom..].split_inclusive('\n').next().filter(|l| l.trim_end() == "+++") else {
        return Err("no front matter: the file must start with a `+++` line");
    };
    let front_start = bom + first.len();
    let mut offset = front_start;
    for line in text[front_start..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Ok((front_start, offset, offset + line.len()));
        }
        offset += line.len();
    }
    Err("front matter is not closed: add a `+++` line after it")
}

/// Where `key = ...` is written in the front matter.
pub(crate) fn key_offset(front: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in front.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('=')) {
            return Some(offset + line.len() - trimmed.len());
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Article, Vec<Problem>> {
        match parse(Path::new("articles/a.md"), text) {
            (Some(a), p) if p.is_empty() => Ok(a),
            (_, p) => Err(p),
        }
    }

    #[test]
    fn front_matter_errors_name_their_line_and_column() {
        let p = parse_str("+++\ntitle = \"A\"\nlist = ranked\n+++\n## X {soundtrack=x}\n\nText\n")
            .err()
            .unwrap_or_default();
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!((p[0].line, p[0].column, p[0].code), (3, 8, "front-matter"));
        assert!(p[0].message.starts_with("invalid front matter"));
        assert_eq!(p[0].excerpt, "list = ranked");

        let p = parse_str("title = \"A\"\n").err().unwrap_or_default();
        assert!(p[0].message.contains("no front matter"));
        let p = parse_str("+++\ntitle = \"A\"\n").err().unwrap_or_default();
        assert!(p[0].message.contains("not closed"));
        let p = parse_str("+++\ntitle = \"A\"\npublished = \"last tuesday\"\n+++\nHello\n").err().unwrap_or_default();
        assert_eq!((p[0].line, p[0].message.contains("RFC 3339")), (3, true));
        let p = parse_str("+++\ntitle = \"A\"\norder = \"countdown\"\n+++\nHello\n").err().unwrap_or_default();
        assert_eq!((p[0].line, p[0].code), (3, "ranking"));
    }

    #[test]
    fn body_offsets_count_from_the_file() {
        let text =
            "+++\ntitle = \"A\"\nlist = \"ranked\"\n+++\n\n## X {soundtrack=x}\n\nSee [Jaws](soundtrack:jaws-1975).\n";
        let a = parse_str(text).map_err(|p| format!("{p:?}"));
        let at: Vec<(String, &str)> = a
            .iter()
            .flat_map(|a| a.rendered.references.iter().map(|r| (r.slug.clone(), &text[a.body_offset + r.offset..])))
            .map(|(slug, rest)| (slug, rest.lines().next().unwrap_or_default()))
            .collect();
        assert_eq!(
            at,
            vec![("x".to_string(), "## X {soundtrack=x}"), ("jaws-1975".to_string(), "[Jaws](soundtrack:jaws-1975).")]
        );
    }

    #[test]
    fn dates_accept_toml_and_strings() {
        let a = parse_str("+++\ntitle = \"A\"\npublished = 2026-09-14T09:00:00Z\nupdated = \"2026-09-15\"\n+++\nHi\n");
        let a = a.ok();
        assert_eq!(a.as_ref().and_then(|a| a.published).map(|t| t.timestamp()), Some(1_789_376_400));
        assert_eq!(a.and_then(|a| a.updated).map(|t| t.to_rfc3339()), Some("2026-09-15T00:00:00+00:00".into()));
    }
}
