//! The editors' interface: `content/articles/<slug>.md` (TOML front matter,
//! then Markdown whose `{soundtrack=slug}` headings are the list's entries)
//! and `content/soundtracks/<slug>.toml` (one structured record each).
//!
//! Loading is pure: it reads files and reports every problem with its file,
//! line, column and reason; nothing touches the database until the whole tree
//! is free of errors (see [`crate::db::import`]). The checks that decide this
//! are the ones `cuesheet check` runs ([`check`]), so an editor sees exactly
//! what an import would refuse.

/// Front matter and body of one article file.
pub mod article;
/// The editorial linter: every check, over one file or a whole tree.
pub mod check;
/// The Markdown pipeline: outline, entries, ids, ranks, sanitised HTML.
pub mod markdown;
/// Located findings: `path:line:column: severity: message`, with an excerpt.
mod problem;
/// Soundtrack records: one TOML file per album.
pub mod record;
/// Moving an entry up or down in a list's Markdown (the editor desk).
pub mod reorder;
/// TOML read with every error of a file found at once, each at its place.
mod toml_errors;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use article::Article;
pub use problem::{Excerpt, Problem, Severity, Source};
pub use record::Record;

/// Bumped whenever the renderer's output changes, so an import re-renders
/// files whose bytes did not change.
pub const RENDER_VERSION: &str = "2";

/// Why a content tree could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}", Problems(.0))]
    Invalid(Vec<Problem>),
}

struct Problems<'a>(&'a [Problem]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} problem{} in content:", if n == 1 { "" } else { "s" })?;
        for p in self.0 {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

/// A whole content tree, parsed and rendered, free of errors on its own.
#[derive(Debug, Default)]
pub struct Site {
    pub records: Vec<Record>,
    pub articles: Vec<Article>,
    /// Findings that do not stop an import, for its report.
    pub warnings: Vec<Problem>,
    /// References to records the tree does not hold, by slug, each with the
    /// error to report unless the database holds that record.
    pub external: Vec<(String, Problem)>,
}

impl Site {
    /// Reports references to records that neither this tree nor `known`
    /// (records that live only in the database) provides.
    pub fn check_references(&self, known: &BTreeSet<String>) -> Vec<Problem> {
        self.external.iter().filter(|(slug, _)| !known.contains(slug)).map(|(_, p)| p.clone()).collect()
    }
}

/// Reads, checks and renders every article and record under `dir`. Any error
/// of any file refuses the whole tree, all of them reported together;
/// warnings ride along in [`Site::warnings`]. References to records missing
/// from the tree are left to [`Site::check_references`], since records may
/// also live in the database.
pub fn load(dir: &Path) -> Result<Site, LoadError> {
    let checked = check::analyse(dir, &mut |_, _| {}, markdown::Html::Page)?;
    let (errors, warnings): (Vec<Problem>, Vec<Problem>) = checked.problems.into_iter().partition(Problem::is_error);
    if !errors.is_empty() {
        return Err(LoadError::Invalid(errors));
    }
    Ok(Site { warnings, external: checked.unresolved, ..checked.site })
}

/// The slug a file's name gives it, or the problem with it.
fn file_slug(src: &Source<'_>) -> Result<String, Vec<Problem>> {
    let stem = src.path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if is_slug(stem) {
        Ok(stem.to_owned())
    } else {
        let message = "file name must be a slug: lowercase letters, digits and single hyphens";
        Err(vec![src.whole(Severity::Error, "file-name", message)])
    }
}

/// `blade-runner-1982`: lowercase ASCII letters and digits, single hyphens.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The slug of a name or heading: `Sigur Rós` → `sigur-ros`.
pub fn slugify(text: &str) -> String {
    slug::slugify(text)
}

/// A content hash that also covers the renderer's version.
fn content_hash(text: &str) -> String {
    let mut h = Sha256::new();
    h.update(RENDER_VERSION.as_bytes());
    h.update([0]);
    h.update(text.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
