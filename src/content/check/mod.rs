//! `cuesheet check`: the editorial linter, and the one place that decides
//! what an import refuses. Every finding has a stable code:
//!
//! | code | severity | what |
//! | --- | --- | --- |
//! | `encoding` | error | the file is not UTF-8 |
//! | `file-name` | error | the file name is not a slug |
//! | `front-matter` | error | missing, unclosed or malformed front matter, empty title, bad date |
//! | `invalid-record` | error | a record's TOML or one of its values |
//! | `unknown-record` | error | an entry or `soundtrack:` link names no record |
//! | `entry-without-record` | error | a heading between entries, or `{soundtrack=}`, names no record |
//! | `empty-heading`, `empty-entry` | error | an entry without title or without text |
//! | `duplicate-entry` | error | one record listed twice in one article |
//! | `no-entries` | error | `list = "ranked"/"unranked"` without entries |
//! | `ranking` | error | `order = "countdown"` without ranks; ranks that would not run 1..N |
//! | `rank-in-heading` | error | a heading that writes its own rank (`1.`, `#3`, `No. 2`) |
//! | `entry-without-heading` | error | `{soundtrack=}` outside a heading; a body paragraph opening on another film's bold or quoted title |
//! | `list-numbered` | error | entries or sections numbered by a Markdown list or by hand (`1.“Title”`, `(1)`, `IV.`) |
//! | `entry-in-list` | error | an entry heading inside a bullet list or quote |
//! | `mojibake` | error | UTF-8 read as Windows-1252 (`â€™`, `Ã©`), `””` for a dash, `�` |
//! | `control-char` | error | C0 (but tab, newline, CR), DEL, C1 or NUL |
//! | `media-file` | error | a file of `media/` that is not a JPEG, PNG, WebP or GIF by its bytes, too large, too many pixels, or badly named |
//! | `missing-media` | error | a `media:` picture, `feature` or `cover` naming no file of `media/` |
//! | `media-alt` | error | a `media:` picture without alt text, `feature` without `feature_alt` |
//! | `external-image` | warning | a picture from another site (the site's policy blocks it) |
//! | `nesting` | error | quotes or lists over 16 deep, emphasis or links over 32, raw HTML over 32 |
//! | `spam` | warning | a spam token of the blocklist |
//! | `unknown-link` | warning | `/articles/x`, `/soundtracks/x`, `/people/x`, `/tags/x`, `person:x` leading nowhere |
//! | `heading-without-record` | warning | a heading at the entries' level that names a film but carries no record |
//! | `misspelt-name` | warning | a near miss of a name of a record the article uses, or of a name the article spells elsewhere |
//! | `entry-without-heading` | warning | a bold title line, or a paragraph about another record's film, in an entry's body |
//! | `broken-anchor`, `empty-link`, `reversed-link`, `undefined-reference` | warning | links to no heading, to nothing, written back to front, to no definition |
//! | `heading-level`, `duplicate-heading` | warning | a skipped heading level, sibling headings with one text |
//! | `image-alt`, `table-columns` | warning | an image without alt text, a table row of the wrong width |
//! | `faq-off-topic` | warning | an FAQ question about nothing in the article or its records |
//! | `record-incomplete` | warning | a record whose card would credit nobody but the director, or list no track |
//!
//! The import ([`crate::content::load`]) runs exactly these checks and
//! refuses a tree with any error; [`check_article`] and [`check_record`]
//! check one file against a [`Context`], for the editor desk.

/// Entries that lost their heading and joined the entry before them.
mod entries;
/// FAQ sections whose questions are about something else entirely.
mod faq;
/// What a Markdown linter checks: anchors, links, headings, images, tables.
mod lint;
/// Pictures: the files of `media/` and every reference to one.
mod media;
/// Names and titles spelt differently from the records an article uses.
mod names;
/// Markdown nested past the renderer's limits.
mod nesting;
/// Printing a report for people (with excerpts) or tools (JSON); the command.
mod output;
/// Entries and their numbering, internal links, headings that look like entries.
mod structure;
/// Character-level defects: mojibake, control characters, spam tokens.
mod text;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use output::{Format, run};

use super::markdown::{Body, Html};
use super::record::Role;
use super::{Article, LoadError, Problem, Record, Severity, Site, Source, article, is_slug, record, slugify};

/// What a file is checked against: the records, articles, tags and people
/// that exist elsewhere (in the tree, or in the database for the desk).
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Every record slug that exists, readable or not.
    records: BTreeSet<String>,
    /// The names each readable record gives.
    names: BTreeMap<String, RecordNames>,
    articles: BTreeSet<String>,
    tags: BTreeSet<String>,
    people: BTreeSet<String>,
    /// The pictures there are, by name; `None` when not known (nothing is
    /// reported missing then).
    media: Option<BTreeSet<String>>,
    /// `(slug, film title, plain film title)` of every record in `names`,
    /// made once for every article checked (see [`Context::films`]).
    films: std::sync::OnceLock<Vec<(String, String, String)>>,
}

/// The names and titles of one record, as written.
#[derive(Debug, Clone, Default)]
pub(crate) struct RecordNames {
    pub film: String,
    pub album: Vec<String>,
    pub people: Vec<String>,
    /// The director, composers and music supervisors: who a paragraph about
    /// this film names.
    pub makers: Vec<String>,
    pub tracks: Vec<String>,
    /// The names as the misspelling check compares them, made the first
    /// time an article uses the record rather than for every article.
    pub compared: std::sync::OnceLock<Vec<names::Compared>>,
}

impl Context {
    /// A record that exists, with its names.
    pub fn add_record(&mut self, r: &Record) {
        self.records.insert(r.slug.clone());
        self.people.extend(r.credits().iter().map(|(_, name)| slugify(name)));
        let names = RecordNames {
            film: r.film.title.clone(),
            album: strip_brackets(&r.title).split(": ").map(|s| s.trim().to_owned()).collect(),
            people: r.credits().iter().map(|(_, name)| name.trim().to_owned()).collect(),
            makers: r
                .credits()
                .iter()
                .filter(|(role, _)| matches!(role, Role::Director | Role::Composer | Role::MusicSupervisor))
                .map(|(_, name)| name.trim().to_owned())
                .filter(|name| !name.is_empty())
                .collect(),
            tracks: r.tracks.iter().map(|t| strip_brackets(&t.title)).collect(),
            compared: Default::default(),
        };
        self.names.insert(r.slug.clone(), names);
        self.films = Default::default();
    }

    /// A record that exists, known by its album and film titles and its
    /// makers (director, composers, music supervisors) only: enough to tell
    /// a heading that names its film and a paragraph about another record
    /// (what `cuesheet check` knows of every record, so the desk warns alike);
    /// [`Context::add_record`] adds the rest for the records an article uses.
    pub fn add_record_titles(&mut self, slug: &str, album: &str, film: &str, makers: &[String]) {
        self.records.insert(slug.to_owned());
        let names = RecordNames {
            film: film.to_owned(),
            album: strip_brackets(album).split(": ").map(|s| s.trim().to_owned()).collect(),
            people: Vec::new(),
            makers: makers.iter().map(|m| m.trim().to_owned()).filter(|m| !m.is_empty()).collect(),
            tracks: Vec::new(),
            compared: Default::default(),
        };
        self.names.entry(slug.to_owned()).or_insert(names);
        self.films = Default::default();
    }

    /// A person some record credits, by slug.
    pub fn add_person(&mut self, slug: &str) {
        self.people.insert(slug.to_owned());
    }

    /// A tag some article is filed under, by slug.
    pub fn add_tag(&mut self, slug: &str) {
        self.tags.insert(slug.to_owned());
    }

    /// A record known to exist whose names are not known (an unreadable file).
    /// The pictures that exist, by name.
    pub fn set_media(&mut self, names: BTreeSet<String>) {
        self.media = Some(names);
    }

    pub fn add_record_slug(&mut self, slug: &str) {
        self.records.insert(slug.to_owned());
    }

    /// An article that exists, and the tags it files itself under.
    pub fn add_article(&mut self, slug: &str, tags: &[String]) {
        self.articles.insert(slug.to_owned());
        self.tags.extend(tags.iter().map(|t| slugify(t)).filter(|t| !t.is_empty()));
    }

    pub(crate) fn has_record(&self, slug: &str) -> bool {
        self.records.contains(slug)
    }

    pub(crate) fn names(&self) -> &BTreeMap<String, RecordNames> {
        &self.names
    }

    /// `(slug, film title, its` [`plain`] `form)` of every record with
    /// names, by slug: made the first time an article asks, not once per
    /// article.
    pub(crate) fn films(&self) -> &[(String, String, String)] {
        self.films
            .get_or_init(|| self.names.iter().map(|(slug, n)| (slug.clone(), n.film.clone(), plain(&n.film))).collect())
    }
}

/// `Title (Original Soundtrack)` → `Title`.
fn strip_brackets(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every finding of a tree, sorted by file and position.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub files: usize,
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|p| p.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.problems.len() - self.errors()
    }

    /// `checked 42 files: 0 errors, 0 warnings`.
    pub fn summary(&self) -> String {
        let n = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        format!("checked {}: {}, {}", n(self.files, "file"), n(self.errors(), "error"), n(self.warnings(), "warning"))
    }
}

/// Checks every article and record under `dir`.
pub fn check_tree(dir: &Path) -> Result<Report, LoadError> {
    check_tree_with(dir, &mut |_, _| {})
}

/// [`check_tree`], calling `progress(done, total)` after each file.
pub fn check_tree_with(dir: &Path, progress: &mut dyn FnMut(usize, usize)) -> Result<Report, LoadError> {
    if !dir.join("articles").is_dir() && !dir.join("soundtracks").is_dir() && dir.is_dir() {
        let source = std::io::Error::new(std::io::ErrorKind::NotFound, "no articles/ or soundtracks/ folder in it");
        return Err(LoadError::Io { path: dir.to_path_buf(), source });
    }
    // The report is all a check shows: the HTML is made for its shape only.
    let checked = analyse(dir, progress, Html::Shape)?;
    let mut problems = checked.problems;
    problems.extend(checked.unresolved.into_iter().map(|(_, p)| p));
    sort(&mut problems);
    Ok(Report { files: checked.files, problems })
}

/// Checks one file: against the tree it sits in (`articles/` or
/// `soundtracks/` under a content folder), reporting only its own findings;
/// a file outside such a tree is checked on its own, against nothing.
pub fn check_file(path: &Path) -> Result<Report, LoadError> {
    let folder = path.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str());
    let tree = path.parent().and_then(Path::parent).filter(|_| matches!(folder, Some("articles" | "soundtracks")));
    let mut problems = match tree {
        Some(tree) => {
            let report = check_tree(tree)?;
            let same = |p: &Problem| {
                p.path.file_name() == path.file_name()
                    && p.path.parent().and_then(|d| d.file_name()) == path.parent().and_then(|d| d.file_name())
            };
            report.problems.into_iter().filter(same).collect()
        }
        None => match read(path)? {
            Err(p) => vec![p],
            Ok(text) if path.extension().is_some_and(|e| e == "toml") => check_record(path, &text).1,
            Ok(text) => check_article_with(path, &text, &Context::default(), Html::Shape).1,
        },
    };
    sort(&mut problems);
    Ok(Report { files: 1, problems })
}

/// Checks one article file against what exists around it. An article whose
/// front matter could be read comes back too; it is publishable only if no
/// problem is an error.
pub fn check_article(path: &Path, text: &str, ctx: &Context) -> (Option<Article>, Vec<Problem>) {
    check_article_with(path, text, ctx, Html::Page)
}

/// [`check_article`], with the article's HTML made for `html`: a caller that
/// only reads the findings asks for [`Html::Shape`].
pub fn check_article_with(path: &Path, text: &str, ctx: &Context, html: Html) -> (Option<Article>, Vec<Problem>) {
    if let Some(p) = utf16(path, text) {
        return (None, vec![p]);
    }
    let text = &line_ends(text);
    let src = Source::new(path, text);
    let (head, problems) = article::head(&src);
    let (article, mut problems, unresolved) = finish(&src, head, problems, ctx, html);
    problems.extend(unresolved.into_iter().map(|(_, p)| p));
    sort(&mut problems);
    (article, problems)
}

/// An article file whose front matter was read (`head`, with its
/// `problems`), rendered and checked against `ctx`: its body is parsed once
/// for the renderer and every check. The references to records `ctx` lacks
/// come apart, by slug.
fn finish(
    src: &Source<'_>,
    head: Option<article::Head>,
    mut problems: Vec<Problem>,
    ctx: &Context,
    html: Html,
) -> (Option<Article>, Vec<Problem>, Vec<(String, Problem)>) {
    let Some(head) = head else {
        problems.extend(text::check(src));
        return (None, problems, Vec::new());
    };
    let body = Body::parse(head.body(src.text));
    let a = head.finish(src, &body, html, &mut problems);
    problems.extend(text::check(src));
    let (more, unresolved) = article_findings(&a, &body, src, ctx);
    problems.extend(more);
    (Some(a), problems, unresolved)
}

/// Checks one record file on its own.
pub fn check_record(path: &Path, text: &str) -> (Option<Record>, Vec<Problem>) {
    if let Some(p) = utf16(path, text) {
        return (None, vec![p]);
    }
    let text = &line_ends(text);
    let src = Source::new(path, text);
    let (record, mut problems) = record::parse(path, text);
    problems.extend(text::check(&src));
    if let Some(r) = &record {
        problems.extend(structure::incomplete(r, &src));
    }
    sort(&mut problems);
    (record, problems)
}

/// The checks of a parsed article that need the rest of the site; references
/// to records the context lacks come apart, by slug.
fn article_findings(
    a: &Article,
    body: &Body<'_>,
    src: &Source<'_>,
    ctx: &Context,
) -> (Vec<Problem>, Vec<(String, Problem)>) {
    let found = [
        structure::check(a, body, src, ctx),
        structure::links(a, src, ctx),
        faq::check(a, body, src, ctx),
        names::check(a, body, src, ctx),
        entries::check(a, body, src, ctx),
        lint::check(a, body, src),
        nesting::check(a, body, src).into_iter().collect(),
        media::article(a, body, src, ctx.media.as_ref()),
    ];
    // One list of the right size: a file with a finding a line would
    // otherwise copy its findings over and over as the list grows.
    let mut problems = Vec::with_capacity(found.iter().map(Vec::len).sum());
    for found in found {
        problems.extend(found);
    }
    (problems, structure::unknown_records(a, src, ctx))
}

/// Findings by file and position, each once. Most share their file: paths
/// are compared as bytes first, and by component only when they differ.
fn sort(problems: &mut Vec<Problem>) {
    let path = |a: &Problem, b: &Problem| {
        if a.path.as_os_str() == b.path.as_os_str() { std::cmp::Ordering::Equal } else { a.path.cmp(&b.path) }
    };
    let place = |p: &Problem| (p.line, p.column, p.code);
    problems.sort_by(|a, b| path(a, b).then_with(|| place(a).cmp(&place(b))));
    problems.dedup_by(|a, b| place(a) == place(b) && path(a, b).is_eq());
}

/// A tree, checked: what parsed, every finding, and the references left for
/// the database to resolve.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    pub site: Site,
    pub problems: Vec<Problem>,
    pub unresolved: Vec<(String, Problem)>,
    pub files: usize,
}

/// Reads and checks a tree: records first (articles are checked against
/// them), then every article against the whole context; the articles' HTML
/// made for `html` (the page for an import, the shape for a check).
pub(crate) fn analyse(dir: &Path, progress: &mut dyn FnMut(usize, usize), html: Html) -> Result<Checked, LoadError> {
    // A missing tree must not read as an empty one: that would unpublish everything.
    if !dir.is_dir() {
        let source = std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder");
        return Err(LoadError::Io { path: dir.to_path_buf(), source });
    }
    let record_paths = list(&dir.join("soundtracks"), "toml")?;
    let article_paths = list(&dir.join("articles"), "md")?;
    let (media_names, media_problems) = media::files(&dir.join("media"))?;
    let files = record_paths.len() + article_paths.len() + media_names.len();
    let mut out = Checked { files, problems: media_problems, ..Checked::default() };
    let mut ctx = Context::default();
    ctx.set_media(media_names);
    let mut done = 0;
    let mut step = |out: &Checked, n: usize| {
        done += n;
        progress(done, out.files);
    };

    // Files are read, parsed and checked on every core (each on its own,
    // so the findings are the same); what they add to the context and the
    // report is gathered in file order.
    let records = record_paths
        .par_iter()
        .map(|path| {
            Ok(read(path)?.map(|text| {
                let (record, mut problems) = check_record(path, &text);
                if let Some(r) = &record {
                    problems.extend(media::record(r, &Source::new(path, &text), ctx.media.as_ref()));
                }
                (record, problems)
            }))
        })
        .collect::<Result<Vec<_>, LoadError>>()?;
    for (path, record) in record_paths.iter().zip(records) {
        match record {
            Ok((record, problems)) => {
                out.problems.extend(problems);
                match record {
                    Some(r) => {
                        ctx.add_record(&r);
                        out.site.records.push(r);
                    }
                    None => ctx.add_record_slug(stem(path)),
                }
            }
            Err(p) => {
                ctx.add_record_slug(stem(path));
                out.problems.push(p);
            }
        }
        step(&out, 1);
    }

    // Articles in two passes: their front matter first (enough for the
    // context: which articles and tags exist), then each body parsed once
    // for its rendering and every check, against the whole context.
    let heads = article_paths
        .par_iter()
        .map(|path| {
            Ok(read(path)?.map(|text| {
                let (head, problems) = article::head(&Source::new(path, &text));
                (head, problems, text)
            }))
        })
        .collect::<Result<Vec<_>, LoadError>>()?;
    let mut parsed = Vec::with_capacity(heads.len());
    for (path, head) in article_paths.iter().zip(heads) {
        match head {
            Ok((head, problems, text)) => {
                match &head {
                    Some(h) => ctx.add_article(h.slug(), &h.front.tags),
                    None => ctx.add_article(stem(path), &[]),
                }
                parsed.push((path, head, problems, text));
            }
            Err(p) => {
                out.problems.push(p);
                step(&out, 1);
            }
        }
    }
    // In chunks, so progress is drawn as it goes.
    let mut parsed = parsed.into_iter().peekable();
    while parsed.peek().is_some() {
        let chunk: Vec<_> = parsed.by_ref().take(PARALLEL_CHUNK).collect();
        let n = chunk.len();
        let done: Vec<_> = chunk
            .into_par_iter()
            .map(|(path, head, problems, text)| finish(&Source::new(path, &text), head, problems, &ctx, html))
            .collect();
        for (article, problems, unresolved) in done {
            out.problems.extend(problems);
            out.unresolved.extend(unresolved);
            out.site.articles.extend(article);
        }
        step(&out, n);
    }
    sort(&mut out.problems);
    Ok(out)
}

/// Articles checked between two progress updates.
const PARALLEL_CHUNK: usize = 256;

fn stem(path: &Path) -> &str {
    path.file_stem().and_then(|s| s.to_str()).filter(|s| is_slug(s)).unwrap_or_default()
}

/// The `*.ext` files of a folder, sorted by name; a missing folder is empty.
fn list(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, LoadError> {
    let io = |source| LoadError::Io { path: dir.to_path_buf(), source };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(e)),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == ext) && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// A file's text; one that is not UTF-8 is a finding at its first bad byte.
fn read(path: &Path) -> Result<Result<String, Problem>, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io { path: path.to_path_buf(), source })?;
    match String::from_utf8(bytes) {
        Ok(text) => match utf16(path, &text) {
            Some(p) => Ok(Err(p)),
            None => Ok(Ok(line_ends(&text).into_owned())),
        },
        Err(e) => {
            let bom = e.as_bytes().starts_with(&[0xff, 0xfe]) || e.as_bytes().starts_with(&[0xfe, 0xff]);
            if bom {
                let message = "the file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8";
                return Ok(Err(Source::new(path, "").whole(Severity::Error, "encoding", message)));
            }
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes());
            let message = "not valid UTF-8: save the file as UTF-8 (the bad bytes show as �)";
            Ok(Err(Source::new(path, &lossy).at(at, Severity::Error, "encoding", message)))
        }
    }
}

/// UTF-16 saved without a byte-order mark reads as valid UTF-8 with a NUL
/// beside every ASCII character: one `encoding` error for the file, not one
/// control character per letter.
fn utf16(path: &Path, text: &str) -> Option<Problem> {
    let bytes = text.as_bytes();
    let nul = |parity: usize| bytes.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let half = bytes.len() / 2;
    let looks = half >= 2 && (nul(0) * 4 >= half * 3 || nul(1) * 4 >= half * 3);
    looks.then(|| {
        let message = "the file looks like UTF-16 saved without a byte-order mark (a NUL byte beside every letter): save it as UTF-8";
        Source::new(path, "").whole(Severity::Error, "encoding", message)
    })
}

/// A file whose lines end in a carriage return alone (old Mac editors) with
/// each such CR made a newline: the same length, so every offset holds, and
/// the front matter and line numbers read as the editor sees them.
fn line_ends(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let lone = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    if !(0..bytes.len()).any(lone) {
        return std::borrow::Cow::Borrowed(text);
    }
    let fixed: String = text
        .char_indices()
        .map(|(i, c)| if c == '\r' && bytes.get(i + 1) != Some(&b'\n') { '\n' } else { c })
        .collect();
    std::borrow::Cow::Owned(fixed)
}

/// Lowercase words joined by single spaces, apostrophes kept and made
/// straight: `“I’m Not There” (2007)` → `i'm not there 2007`.
fn plain(s: &str) -> String {
    let words = s.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '&'));
    let words = words.map(|w| w.trim_matches(['\'', '’']).replace('’', "'").to_lowercase()).filter(|w| !w.is_empty());
    words.collect::<Vec<_>>().join(" ")
}
