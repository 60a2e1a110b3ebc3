//! Articles: `content/articles/<slug>.md`, TOML front matter between `+++`
//! lines, then the Markdown body.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::markdown::{self, ListOrder, ListStyle, Rendered};
use super::{Problem, content_hash, file_slug, line_of};

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
    pub rendered: Rendered,
}

/// Parses, validates and renders one article file.
pub fn parse(path: &Path, text: &str) -> Result<Article, Vec<Problem>> {
    let slug = file_slug(path).map_err(|p| vec![p])?;
    let (front_text, body, body_line) = split(path, text).map_err(|p| vec![p])?;
    let front: FrontMatter = toml::from_str(front_text).map_err(|e| {
        // +1 for the opening `+++` line.
        let line = e.span().map_or(1, |s| line_of(front_text, s.start) + 1);
        vec![Problem::new(path, line, format!("invalid front matter: {}", e.message().trim()))]
    })?;
    let mut problems = Vec::new();
    let key_line = |key: &str| front_text.lines().position(|l| l.trim_start().starts_with(key)).map_or(1, |i| i + 2);
    if front.title.trim().is_empty() {
        problems.push(Problem::new(path, key_line("title"), "`title` must not be empty"));
    }
    let mut time = |key: &str, value: &Option<TomlTime>| {
        let t = value.as_ref().map(TomlTime::to_utc);
        if let Some(None) = t {
            problems.push(Problem::new(
                path,
                key_line(key),
                format!("`{key}` must be an RFC 3339 date-time such as 2026-09-14T09:00:00Z"),
            ));
        }
        t.flatten()
    };
    let published = time("published", &front.published);
    let updated = time("updated", &front.updated);

    let rendered = markdown::render(body, front.list, front.order);
    problems.extend(rendered.problems.iter().map(|(line, msg)| Problem::new(path, line + body_line - 1, msg.clone())));
    if front.list != ListStyle::None && rendered.entries.is_empty() {
        problems.push(Problem::new(
            path,
            key_line("list"),
            format!(
                "list = \"{}\" but the article has no entries: an entry is a heading such as `## Blade Runner {{soundtrack=blade-runner-1982}}`",
                front.list.as_str()
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // References are reported against the file, not the body.
    let mut rendered = rendered;
    for r in &mut rendered.references {
        r.line += body_line - 1;
    }
    Ok(Article {
        slug,
        path: path.to_path_buf(),
        hash: content_hash(text),
        front,
        published,
        updated,
        body: body.to_owned(),
        rendered,
    })
}

/// Splits `+++` front matter from the body; also returns the body's first line.
fn split<'a>(path: &Path, text: &'a str) -> Result<(&'a str, &'a str, usize), Problem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text.strip_prefix("+++").and_then(|r| r.strip_prefix('\n').or_else(|| r.strip_prefix("\r\n")))
    else {
        return Err(Problem::new(path, 1, "no front matter: the file must start with a `+++` line"));
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let body_line = line_of(text, text.len() - body.len());
            return Ok((front, body, body_line));
        }
        offset += line.len();
    }
    Err(Problem::new(path, 1, "front matter is not closed: add a `+++` line after it"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Article, Vec<Problem>> {
        parse(Path::new("articles/a.md"), text)
    }

    #[test]
    fn front_matter_errors_name_their_line() {
        let p = parse_str("+++\ntitle = \"A\"\nlist = ranked\n+++\n## X {soundtrack=x}\n\nText\n")
            .err()
            .unwrap_or_default();
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, 3);
        assert!(p[0].message.starts_with("invalid front matter"));

        let p = parse_str("title = \"A\"\n").err().unwrap_or_default();
        assert!(p[0].message.contains("no front matter"));
        let p = parse_str("+++\ntitle = \"A\"\n").err().unwrap_or_default();
        assert!(p[0].message.contains("not closed"));
        let p = parse_str("+++\ntitle = \"A\"\npublished = \"last tuesday\"\n+++\nHello\n").err().unwrap_or_default();
        assert_eq!((p[0].line, p[0].message.contains("RFC 3339")), (3, true));
    }

    #[test]
    fn body_lines_count_from_the_file() {
        let text =
            "+++\ntitle = \"A\"\nlist = \"ranked\"\n+++\n\n## X {soundtrack=x}\n\nSee [Jaws](soundtrack:jaws-1975).\n";
        let a = parse_str(text).map_err(|p| format!("{p:?}"));
        let lines: Vec<(String, usize)> =
            a.iter().flat_map(|a| a.rendered.references.iter().map(|r| (r.slug.clone(), r.line))).collect();
        assert_eq!(lines, vec![("x".to_string(), 6), ("jaws-1975".to_string(), 8)]);
    }

    #[test]
    fn dates_accept_toml_and_strings() {
        let a = parse_str("+++\ntitle = \"A\"\npublished = 2026-09-14T09:00:00Z\nupdated = \"2026-09-15\"\n+++\nHi\n");
        let a = a.ok();
        assert_eq!(a.as_ref().and_then(|a| a.published).map(|t| t.timestamp()), Some(1_789_376_400));
        assert_eq!(a.and_then(|a| a.updated).map(|t| t.to_rfc3339()), Some("2026-09-15T00:00:00+00:00".into()));
    }
}
