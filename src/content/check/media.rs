//! Pictures: the files of `content/media/` (a name the site can use, a
//! JPEG, PNG, WebP or GIF by its bytes, within the size and pixel bounds,
//! read from the header alone), and every reference to one: `media:`
//! images in an article's text, its `feature`, a record's `cover`, each
//! naming a file that exists and saying what it shows.

use std::collections::BTreeSet;
use std::path::Path;

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::content::markdown::Body;
use crate::content::{Article, LoadError, Problem, Record, Severity, Source};
use crate::media::{self, process};

/// The pictures of a tree's `media/` folder by name, and the problems of
/// each file. A missing folder holds none.
pub(super) fn files(dir: &Path) -> Result<(BTreeSet<String>, Vec<Problem>), LoadError> {
    let mut names = BTreeSet::new();
    let mut problems = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((names, problems)),
        Err(source) => return Err(LoadError::Io { path: dir.to_path_buf(), source }),
    };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if name.starts_with('.') {
            continue;
        }
        let src = Source::new(&path, "");
        if !media::is_name(&name) {
            let message =
                "a picture's file name must be a slug and .jpg, .jpeg, .png, .webp or .gif (`drive-2011.jpg`)";
            problems.push(src.whole(Severity::Error, "media-file", message));
        }
        let bytes = std::fs::read(&path).map_err(|source| LoadError::Io { path: path.clone(), source })?;
        if let Err(refused) = process::inspect(&bytes) {
            problems.push(src.whole(Severity::Error, "media-file", refused.to_string()));
        }
        names.insert(name);
    }
    Ok((names, problems))
}

/// An article's pictures: `media:` images name a file and have alt text;
/// images from elsewhere are blocked by the site's policy; the feature
/// picture exists and has its `feature_alt`.
pub(super) fn article(
    a: &Article,
    body: &Body<'_>,
    src: &Source<'_>,
    known: Option<&BTreeSet<String>>,
) -> Vec<Problem> {
    let mut out = Vec::new();
    let at = |offset: usize| a.body_offset + offset;
    let mut image: Option<(usize, String, bool)> = None;
    for (event, range) in &body.events {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => image = Some((range.start, dest_url.to_string(), false)),
            Event::Text(t) | Event::Code(t) if !t.trim().is_empty() => {
                if let Some(img) = image.as_mut() {
                    img.2 = true;
                }
            }
            Event::End(TagEnd::Image) => {
                let Some((start, dest, alt)) = image.take() else { continue };
                match dest.trim().strip_prefix("media:") {
                    Some(name) => {
                        out.extend(missing(src, at(start), name, known));
                        if !alt {
                            let message = "picture without alt text: say what it shows in the brackets, `![what it shows](media:...)`";
                            out.push(src.error(at(start), "media-alt", message));
                        }
                    }
                    None if dest.trim().starts_with('/') => {}
                    None => {
                        let message = format!(
                            "picture from elsewhere (`{dest}`): the site shows only its own pictures; put the file in media/ and write `media:name.jpg`"
                        );
                        out.push(src.warning(at(start), "external-image", message));
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(feature) = &a.front.feature {
        let offset = key(src, "feature");
        out.extend(missing(src, offset, feature, known));
        if a.front.feature_alt.as_deref().is_none_or(|t| t.trim().is_empty()) {
            let message = "`feature` needs `feature_alt`: say what the picture shows";
            out.push(src.error(offset, "media-alt", message));
        }
    } else if a.front.feature_alt.is_some() {
        out.push(src.warning(
            key(src, "feature_alt"),
            "media-alt",
            "`feature_alt` without `feature`: no picture to describe",
        ));
    }
    out
}

/// A record's cover names a file that exists.
pub(super) fn record(r: &Record, src: &Source<'_>, known: Option<&BTreeSet<String>>) -> Vec<Problem> {
    let Some(cover) = &r.cover else { return Vec::new() };
    let offset = key(src, "cover");
    let mut out: Vec<Problem> = missing(src, offset, cover, known).into_iter().collect();
    if r.cover_alt.as_deref().is_some_and(|t| t.trim().is_empty()) {
        out.push(src.error(
            key(src, "cover_alt"),
            "media-alt",
            "`cover_alt` is empty: say what the cover shows, or leave it out",
        ));
    }
    out
}

fn missing(src: &Source<'_>, offset: usize, name: &str, known: Option<&BTreeSet<String>>) -> Option<Problem> {
    let known = known?;
    (!known.contains(name)).then(|| {
        let message = format!("no picture `{name}` in media/: add the file, or fix the name");
        src.error(offset, "missing-media", message)
    })
}

/// Where a top-level `key = ` line starts (the file's start when absent).
fn key(src: &Source<'_>, key: &str) -> usize {
    crate::content::article::key_offset(src.text, key).unwrap_or(0)
}
