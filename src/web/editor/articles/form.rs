//! The article form as typed: every field kept as a string so a refused
//! form comes back exactly as it was sent, and what it stands for.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime};

use crate::comments::form::FieldErrors;
use crate::content::article::{FrontMatter, TomlTime};
use crate::content::markdown::{ListOrder, ListStyle};
use crate::db::{self, export::ArticleFile};
use crate::error::{Error, Result};

/// The article form, as typed.
#[derive(Debug, Clone, Default)]
pub struct ArticleForm {
    pub title: String,
    pub slug: String,
    pub description: String,
    pub author: String,
    pub tags: String,
    pub list: String,
    pub order: String,
    pub toc: String,
    /// The feature picture's name in the media library, and what it shows.
    pub feature: String,
    pub feature_alt: String,
    /// `YYYY-MM-DDTHH:MM`, UTC; empty for a draft.
    pub published: String,
    pub body: String,
    /// The article's version when the form was opened (empty for a new
    /// one): a save over a newer version is refused.
    pub version: String,
}

impl ArticleForm {
    pub(super) fn from_fields(f: &mut BTreeMap<String, String>) -> Self {
        let mut take = |k: &str| f.remove(k).unwrap_or_default();
        ArticleForm {
            title: take("title"),
            slug: take("slug"),
            description: take("description"),
            author: take("author"),
            tags: take("tags"),
            list: take("list"),
            order: take("order"),
            toc: take("toc"),
            feature: take("feature").trim().to_owned(),
            feature_alt: take("feature_alt"),
            published: take("published"),
            body: take("body").replace("\r\n", "\n"),
            version: take("version"),
        }
    }

    pub(super) fn from_file(f: &ArticleFile) -> Self {
        let time = |t: &Option<TomlTime>| match t {
            Some(TomlTime::Text(s)) => {
                DateTime::parse_from_rfc3339(s).map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()).unwrap_or_default()
            }
            Some(TomlTime::Native(d)) => d.to_string(),
            None => String::new(),
        };
        ArticleForm {
            title: f.front.title.clone(),
            slug: f.slug.clone(),
            description: f.front.description.clone(),
            author: f.front.author.clone(),
            tags: f.front.tags.join(", "),
            list: f.front.list.as_str().into(),
            order: f.front.order.as_str().into(),
            toc: match f.front.toc {
                Some(true) => "show",
                Some(false) => "hide",
                None => "auto",
            }
            .into(),
            feature: f.front.feature.clone().unwrap_or_default(),
            feature_alt: f.front.feature_alt.clone().unwrap_or_default(),
            published: time(&f.front.published),
            body: f.body.clone(),
            version: String::new(),
        }
    }

    /// This form with a revision's text and settings, keeping the
    /// article's own address and publish time: restoring never publishes
    /// or unpublishes anything.
    pub(super) fn restored(self, r: &db::revisions::Revision) -> Result<Self> {
        let front: FrontMatter = toml::from_str(&r.front).map_err(|e| Error::Internal(e.to_string()))?;
        let file = ArticleFile { id: r.article_id, slug: self.slug.clone(), front, body: r.body.clone() };
        Ok(ArticleForm { published: self.published, version: self.version, ..ArticleForm::from_file(&file) })
    }

    /// The front matter this form stands for, or what is wrong with it.
    pub(super) fn front(&self, updated: Option<String>) -> Result<FrontMatter, FieldErrors> {
        let (front, errors) = self.read(updated);
        if errors.is_empty() { Ok(front) } else { Err(errors) }
    }

    /// The front matter of this form as a draft to keep (an autosave, or a
    /// new list kept before a page is left): never published, and kept
    /// whatever is wrong with the rest.
    pub(super) fn draft_front(&self) -> FrontMatter {
        FrontMatter { published: None, ..self.read(None).0 }
    }

    /// The front matter as far as it can be read, and what is wrong.
    fn read(&self, updated: Option<String>) -> (FrontMatter, FieldErrors) {
        let mut errors = FieldErrors::new();
        if self.title.trim().is_empty() {
            errors.insert("title", "A list needs a title.".into());
        }
        // A select offers only these; anything else is the default.
        let list: ListStyle = self.list.parse().unwrap_or_default();
        let order: ListOrder = self.order.parse().unwrap_or_default();
        let published = match self.published.trim() {
            "" => None,
            t => match parse_time(t) {
                Some(ts) => Some(TomlTime::Text(db::export::rfc3339(ts))),
                None => {
                    errors.insert("published", "Write a date and time such as 2026-11-22T09:00 (UTC).".into());
                    None
                }
            },
        };
        let front = FrontMatter {
            title: self.title.trim().to_owned(),
            description: self.description.trim().to_owned(),
            author: self.author.trim().to_owned(),
            published,
            updated: updated.map(TomlTime::Text),
            tags: self.tags.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect(),
            list,
            order,
            toc: match self.toc.as_str() {
                "show" => Some(true),
                "hide" => Some(false),
                _ => None,
            },
            feature: Some(self.feature.trim().to_owned()).filter(|f| !f.is_empty()),
            feature_alt: Some(self.feature_alt.trim().to_owned()).filter(|f| !f.is_empty()),
        };
        (front, errors)
    }
}

/// `2026-11-22T09:00` (UTC, as `datetime-local` sends it) or RFC 3339.
pub(super) fn parse_time(s: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .map(|t| t.and_utc().timestamp())
}
