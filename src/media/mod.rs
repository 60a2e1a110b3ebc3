//! Pictures: taken once (at upload or import), stored by content hash in
//! the media [`store`], recorded in the `media` table, and served as
//! resized variants (`/media/<hash>-<width>.<ext>`) in WebP with a JPEG or
//! PNG fallback. Pages are written from the table alone: width, height and
//! the widths there are, never a look at the store.
//!
//! Editors name a picture by its file name (`drive.jpg`): Markdown
//! `![alt](media:drive.jpg)`, a record's `cover`, an article's `feature`.

pub mod card;
pub mod process;
pub mod sleeve;
pub mod store;

use std::collections::HashMap;
use std::fmt::Write as _;

pub use process::{Format, Processed, Refused};
pub use store::Store;

/// A picture as the pages know it (a `media` row).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Picture {
    pub name: String,
    pub hash: String,
    pub format: String,
    pub width: i64,
    pub height: i64,
    /// The served widths, `320,640,1024`.
    pub widths: String,
    /// `jpg` or `png`.
    pub fallback: String,
    /// The library's description, offered when the picture is inserted.
    pub alt: String,
    pub bytes: i64,
    pub variant_bytes: i64,
}

/// Pictures by name.
pub type Pictures = HashMap<String, Picture>;

/// How wide a picture is shown, for `sizes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// In an article's text column.
    Column,
    /// A record card's cover.
    Cover,
}

impl Slot {
    fn sizes(self) -> &'static str {
        match self {
            // The page's column: 48rem less its padding, or the screen less it.
            Slot::Column => "(min-width: 48rem) 45.5rem, calc(100vw - 2.5rem)",
            Slot::Cover => "6rem",
        }
    }
}

impl Picture {
    /// The widths served, smallest first.
    pub fn widths(&self) -> Vec<u32> {
        self.widths.split(',').filter_map(|w| w.trim().parse().ok()).collect()
    }

    /// The address of one variant.
    pub fn src(&self, width: u32, ext: &str) -> String {
        format!("/media/{}", variant_file(&self.hash, width, ext))
    }

    fn srcset(&self, ext: &str) -> String {
        let mut out = String::new();
        for w in self.widths() {
            if !out.is_empty() {
                out.push_str(", ");
            }
            let _ = write!(out, "{} {w}w", self.src(w, ext));
        }
        out
    }

    /// The `<picture>` element: WebP first, the fallback in `<img>` with the
    /// picture's proportions in `width`/`height` so nothing shifts while it
    /// loads. `alt` is escaped here; `lazy` for anything below the fold.
    pub fn html(&self, alt: &str, slot: Slot, lazy: bool) -> String {
        self.html_escaped(&escape(alt), slot, lazy)
    }

    fn html_escaped(&self, alt: &str, slot: Slot, lazy: bool) -> String {
        let widths = self.widths();
        let largest = widths.last().copied().unwrap_or(1);
        let (w, h) = (
            largest,
            process::scaled_height(
                u32::try_from(self.width).unwrap_or(1),
                u32::try_from(self.height).unwrap_or(1),
                largest,
            ),
        );
        let sizes = slot.sizes();
        let loading = if lazy { r#" loading="lazy" decoding="async""# } else { "" };
        format!(
            r#"<picture><source type="image/webp" srcset="{webp}" sizes="{sizes}"><img src="{src}" srcset="{fallback}" sizes="{sizes}" width="{w}" height="{h}" alt="{alt}"{loading}></picture>"#,
            webp = self.srcset("webp"),
            src = self.src(largest.min(widths.iter().copied().find(|&x| x >= 640).unwrap_or(largest)), &self.fallback),
            fallback = self.srcset(&self.fallback),
        )
    }
}

/// The last part of a variant's URL and its key in the store.
pub fn variant_file(hash: &str, width: u32, ext: &str) -> String {
    format!("{hash}-{width}.{ext}")
}

/// `(hash, width, ext)` of a variant's file name, when it is one.
pub fn parse_variant_file(file: &str) -> Option<(&str, u32, &'static str)> {
    let (stem, ext) = file.rsplit_once('.')?;
    let ext = ["webp", "jpg", "png"].into_iter().find(|e| *e == ext)?;
    let (hash, width) = stem.split_once('-')?;
    let valid = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let width: u32 = width.parse().ok().filter(|w: &u32| w.to_string() == width)?;
    valid.then_some((hash, width, ext))
}

/// The content type of a variant's extension.
pub fn content_type(ext: &str) -> &'static str {
    match ext {
        "webp" => "image/webp",
        "png" => "image/png",
        _ => "image/jpeg",
    }
}

/// A file name an editor may use for a picture: a slug, a dot and one of
/// the four extensions (`drive-2011.jpg`).
pub fn is_name(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        crate::content::is_slug(stem) && ["jpg", "jpeg", "png", "webp", "gif"].contains(&ext)
    })
}

/// A picture name made from an uploaded file's name, with the extension
/// its bytes deserve (`My Photo.PNG` as JPEG → `my-photo.jpg`).
pub fn name_from_upload(file_name: &str, format: Format) -> String {
    let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);
    let stem = crate::content::slugify(stem);
    let stem = if stem.is_empty() { "picture".to_owned() } else { stem };
    format!("{stem}.{}", format.extension())
}

/// Takes a file: processes it on a blocking thread, then writes the
/// original and every variant to the store (skipping what is already
/// there: the same bytes are stored once).
pub async fn take(store: &Store, bytes: Vec<u8>) -> Result<Processed, TakeError> {
    let (processed, bytes) = tokio::task::spawn_blocking(move || process::process(&bytes).map(|p| (p, bytes)))
        .await
        .map_err(|e| TakeError::Refused(Refused::Corrupt(format!("processing stopped: {e}"))))??;
    let original = store::original_key(&processed.hash, processed.format.extension());
    if !store.has(&original).await? {
        for v in &processed.variants {
            store.put(&store::variant_key(&variant_file(&processed.hash, v.width, v.ext)), v.bytes.clone()).await?;
        }
        // The original last: its presence says the set is complete.
        store.put(&original, bytes).await?;
    }
    Ok(processed)
}

/// Removes a picture's bytes from the store: the original first (its
/// absence makes the next upload of the same bytes write the whole set
/// again), then every variant.
pub async fn forget(store: &Store, p: &Picture) -> Result<(), store::StoreError> {
    let ext = if p.format == "jpeg" { "jpg" } else { p.format.as_str() };
    store.delete(&store::original_key(&p.hash, ext)).await?;
    for width in p.widths() {
        for ext in ["webp", p.fallback.as_str()] {
            store.delete(&store::variant_key(&variant_file(&p.hash, width, ext))).await?;
        }
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum TakeError {
    #[error("{0}")]
    Refused(#[from] Refused),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// The names of every `media:` picture in some sanitised HTML.
pub fn names_in(html: &str, out: &mut Vec<String>) {
    let mut rest = html;
    while let Some(i) = rest.find("src=\"media:") {
        rest = &rest[i + "src=\"media:".len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.push(unescape_attr(&rest[..end]));
        rest = &rest[end..];
    }
}

/// Replaces each `<img src="media:NAME" alt="...">` of sanitised HTML with
/// its `<picture>` (lazy: text pictures are below the fold); a name with no
/// picture leaves its alt text in a marked span.
pub fn expand(html: &str, pictures: &Pictures) -> String {
    if !html.contains("src=\"media:") {
        return html.to_owned();
    }
    let mut out = String::with_capacity(html.len() + 512);
    let mut rest = html;
    while let Some(start) = rest.find("<img ") {
        let Some(len) = rest[start..].find('>') else { break };
        let tag = &rest[start..start + len + 1];
        out.push_str(&rest[..start]);
        match attr(tag, "src").and_then(|s| s.strip_prefix("media:")) {
            Some(name) => {
                let alt = attr(tag, "alt").unwrap_or_default();
                match pictures.get(&unescape_attr(name)) {
                    Some(p) => out.push_str(&p.html_escaped(alt, Slot::Column, true)),
                    None => {
                        let _ = write!(out, r#"<span class="missing-picture">{alt}</span>"#);
                    }
                }
            }
            None => out.push_str(tag),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// Pictures' addresses made absolute, for HTML read away from the site (feeds).
pub fn absolute(html: &str, base: &str) -> String {
    html.replace("\"/media/", &format!("\"{base}/media/")).replace(", /media/", &format!(", {base}/media/"))
}

/// The value of `name="..."` in a serialised tag (still escaped).
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let end = tag[i..].find('"')?;
    Some(&tag[i..i + end])
}

fn unescape_attr(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// Escapes text for an attribute value.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture() -> Picture {
        Picture {
            name: "a.jpg".into(),
            hash: "ab".repeat(32),
            format: "jpeg".into(),
            width: 2000,
            height: 1000,
            widths: "320,640,1024,1600".into(),
            fallback: "jpg".into(),
            alt: String::new(),
            bytes: 0,
            variant_bytes: 0,
        }
    }

    #[test]
    fn expands_media_images_only() {
        let pictures: Pictures = [("a.jpg".to_owned(), picture())].into();
        let html = r#"<p>x <img src="media:a.jpg" alt="A &amp; B"> <img src="/x.png" alt="y"> <img src="media:b.jpg" alt="gone"></p>"#;
        let out = expand(html, &pictures);
        assert!(out.contains(r#"width="1600" height="800" alt="A &amp; B" loading="lazy""#), "{out}");
        assert!(out.contains(r#"<img src="/x.png" alt="y">"#));
        assert!(out.contains(r#"<span class="missing-picture">gone</span>"#));
        let mut names = Vec::new();
        names_in(html, &mut names);
        assert_eq!(names, ["a.jpg", "b.jpg"]);
    }

    #[test]
    fn variant_files() {
        let h = "ab".repeat(32);
        assert_eq!(parse_variant_file(&format!("{h}-640.webp")), Some((h.as_str(), 640, "webp")));
        assert_eq!(parse_variant_file(&format!("{h}-0640.webp")), None);
        assert_eq!(parse_variant_file(&format!("{h}-640.svg")), None);
        assert_eq!(parse_variant_file("../etc-640.jpg"), None);
    }
}
