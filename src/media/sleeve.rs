//! Generated sleeves: the site's own picture of a record that has no cover.
//!
//! A sleeve is an abstract, typographic design drawn from the record's
//! title, film year and kind alone, so the same record always gets the same
//! sleeve and two records almost never share one: a score is a set of
//! grooves around a label, a compilation a stack of track bars, an album of
//! songs a row of level meters, in a colour pair of the site's palette
//! (`static/style.css`). The title and year are set in the shipped font
//! (`static/fonts/`, the only font ever loaded) and turned into outlines
//! by usvg, so the served SVG looks the same in every browser and carries
//! nothing but paths: no text, script, link or external reference.
//!
//! This module also holds what the share cards ([`super::card`]) draw
//! with: the font, text measuring and wrapping, XML escaping and parsing.

use std::fmt::Write;
use std::sync::{Arc, LazyLock};

use resvg::usvg;
use sha2::{Digest, Sha256};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

use crate::content::record::Kind;

/// The font: DejaVu Serif Condensed Bold (Bitstream Vera licence, see
/// `static/fonts/DejaVu-LICENSE.txt`).
pub static FONT: &[u8] = include_bytes!("../../static/fonts/DejaVuSerifCondensed-Bold.ttf");
/// For the letters it lacks (Hebrew, Arabic and more): DejaVu Sans Bold,
/// same licence. Letters neither has (CJK, emoji) are drawn as empty boxes.
pub static FALLBACK: &[u8] = include_bytes!("../../static/fonts/DejaVuSans-Bold.ttf");
/// Its family name, as the SVG documents ask for it.
pub const FAMILY: &str = "DejaVu Serif";

/// Side of a sleeve, in its own units.
pub const SIDE: u32 = 400;

/// Longest title drawn, in characters: layout stays bounded in time.
pub const MAX_TITLE_CHARS: usize = 200;

/// What a sleeve is made from.
#[derive(Debug, Clone, Copy)]
pub struct Sleeve<'a> {
    pub title: &'a str,
    pub year: i64,
    pub kind: Kind,
}

/// The colours of one sleeve: ground, ink and accent, from the site's palette.
struct Palette {
    ground: &'static str,
    ink: &'static str,
    accent: &'static str,
}

const PALETTES: [Palette; 6] = [
    Palette { ground: "#8a2f1d", ink: "#fffaf3", accent: "#f29a7c" },
    Palette { ground: "#1f1a17", ink: "#eee6dc", accent: "#f29a7c" },
    Palette { ground: "#f6eee2", ink: "#1f1a17", accent: "#8a2f1d" },
    Palette { ground: "#e6dccf", ink: "#1f1a17", accent: "#8a2f1d" },
    Palette { ground: "#5d544d", ink: "#fffaf3", accent: "#f29a7c" },
    Palette { ground: "#161311", ink: "#f6eee2", accent: "#8a2f1d" },
];

impl Sleeve<'_> {
    /// The sleeve as a standalone SVG document (text still as text).
    pub fn svg(&self) -> String {
        let mut out = String::with_capacity(4096);
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{SIDE}" height="{SIDE}" viewBox="0 0 {SIDE} {SIDE}">"#
        );
        self.draw(&mut out, "s");
        out.push_str("</svg>");
        out
    }

    /// The sleeve as served: the same document with its text turned into
    /// outlines of the shipped font.
    pub fn outlined_svg(&self) -> Result<String, usvg::Error> {
        outline(&self.svg())
    }

    /// Draws the sleeve into `out` at 0,0, `SIDE` wide, clipped to its square;
    /// `id` keeps its clip path's id unique in a larger document.
    pub fn draw(&self, out: &mut String, id: &str) {
        let seed = self.seed();
        let palette = &PALETTES[usize::from(seed[0]) % PALETTES.len()];
        let side = f64::from(SIDE);
        let _ = write!(
            out,
            r#"<clipPath id="{id}-clip"><rect width="{side}" height="{side}"/></clipPath><g clip-path="url(#{id}-clip)"><rect width="{side}" height="{side}" fill="{}"/>"#,
            palette.ground
        );
        match self.kind {
            Kind::Score => grooves(out, &seed, palette),
            Kind::Compilation => bars(out, &seed, palette),
            Kind::Songs => meters(out, &seed, palette),
        }
        // The kind, small and spaced, over the title.
        let kind = match self.kind {
            Kind::Score => "SCORE",
            Kind::Compilation => "COMPILATION",
            Kind::Songs => "SONGS",
        };
        let _ = write!(
            out,
            r#"<text x="32" y="50" font-family="{FAMILY}" font-weight="bold" font-size="15" letter-spacing="3" fill="{}">{kind}</text>"#,
            palette.accent
        );
        let (size, lines) = fit(self.title, 336.0, &[40.0, 34.0, 28.0], 3);
        let mut y = 56.0 + size * 1.1;
        for line in &lines {
            let _ = write!(
                out,
                r#"<text x="32" y="{y:.1}" font-family="{FAMILY}" font-weight="bold" font-size="{size}" fill="{}">{}</text>"#,
                palette.ink,
                escape(line)
            );
            y += size * 1.12;
        }
        let _ = write!(
            out,
            r#"<text x="368" y="372" text-anchor="end" font-family="{FAMILY}" font-weight="bold" font-size="44" fill="{}">{}</text></g>"#,
            palette.ink, self.year
        );
    }

    /// 32 bytes that decide every choice of the design.
    fn seed(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.kind.as_str().as_bytes());
        h.update([0]);
        h.update(self.year.to_le_bytes());
        h.update(clean(self.title).as_bytes());
        h.finalize().into()
    }
}

/// A byte of the seed as a fraction in `[0, 1)`.
fn frac(seed: &[u8; 32], i: usize) -> f64 {
    f64::from(seed[i % 32]) / 256.0
}

/// A score: grooves around a record label, somewhere in the lower half.
fn grooves(out: &mut String, seed: &[u8; 32], p: &Palette) {
    let cx = 90.0 + frac(seed, 1) * 260.0;
    let cy = 250.0 + frac(seed, 2) * 140.0;
    let rings = 7 + usize::from(seed[3] % 6);
    let step = 16.0 + frac(seed, 4) * 14.0;
    let marked = 2 + usize::from(seed[5]) % (rings - 2);
    let label = step * 1.4;
    for i in 0..rings {
        let r = label + step * (i as f64 + 1.0);
        let (stroke, width, opacity) =
            if i == marked { (p.accent, 7.0, 1.0) } else { (p.ink, 1.5 + frac(seed, 6 + i) * 4.0, 0.28) };
        let _ = write!(
            out,
            r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="{r:.1}" fill="none" stroke="{stroke}" stroke-width="{width:.1}" stroke-opacity="{opacity}"/>"#
        );
    }
    let _ = write!(out, r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="{label:.1}" fill="{}"/>"#, p.accent);
    let _ = write!(out, r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="4" fill="{}"/>"#, p.ink);
}

/// A compilation: a stack of track bars of different lengths.
fn bars(out: &mut String, seed: &[u8; 32], p: &Palette) {
    let count = 6 + usize::from(seed[3] % 5);
    let height = 12.0;
    let gap = 8.0 + frac(seed, 4) * 4.0;
    let top = 330.0 - (count as f64) * (height + gap);
    let marked = usize::from(seed[5]) % count;
    for i in 0..count {
        let y = top + i as f64 * (height + gap);
        let len = 70.0 + frac(seed, 6 + i) * 230.0;
        let (fill, opacity) = if i == marked { (p.accent, 1.0) } else { (p.ink, 0.3) };
        let _ = write!(
            out,
            r#"<rect x="32" y="{y:.1}" width="{len:.1}" height="{height}" rx="6" fill="{fill}" fill-opacity="{opacity}"/>"#
        );
    }
}

/// Songs: a row of level meters rising from the foot.
fn meters(out: &mut String, seed: &[u8; 32], p: &Palette) {
    let count = 9 + usize::from(seed[3] % 6);
    let width = 240.0 / count as f64;
    let marked = usize::from(seed[5]) % count;
    for i in 0..count {
        let h = 40.0 + frac(seed, 6 + i) * 150.0;
        let x = 32.0 + i as f64 * width;
        let (fill, opacity) = if i == marked { (p.accent, 1.0) } else { (p.ink, 0.3) };
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{fill}" fill-opacity="{opacity}"/>"#,
            376.0 - h,
            width * 0.62
        );
    }
}

/// Text as an SVG document may hold it: no character XML forbids, runs of
/// whitespace as one space, at most [`MAX_TITLE_CHARS`] characters.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_TITLE_CHARS * 4));
    let mut space = false;
    for c in text.chars().take(MAX_TITLE_CHARS * 2) {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        // Bidirectional overrides and isolates would reorder the rest of a
        // line (a hostile title reversing the site's own words); the
        // shaper orders right-to-left text by itself.
        let allowed = !c.is_control()
            && !matches!(c, '\u{FFFE}' | '\u{FFFF}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if !allowed {
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    match out.char_indices().nth(MAX_TITLE_CHARS) {
        Some((i, _)) => out[..i].to_owned(),
        None => out,
    }
}

/// Escapes text for an SVG element or attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The width of `text` set in the shipped fonts at `size`.
pub fn width(text: &str, size: f32) -> f64 {
    let fonts: Vec<_> = [FONT, FALLBACK].into_iter().filter_map(|f| skrifa::FontRef::new(f).ok()).collect();
    let faces: Vec<_> =
        fonts.iter().map(|f| (f.charmap(), f.glyph_metrics(Size::new(size), LocationRef::default()))).collect();
    text.chars()
        .map(|c| {
            let advance = faces.iter().find_map(|(charmap, metrics)| metrics.advance_width(charmap.map(c)?));
            f64::from(advance.unwrap_or(size * 0.6))
        })
        .sum()
}

/// `text` broken into at most `max_lines` lines no wider than `max_width`
/// at `size`; what does not fit ends the last line with an ellipsis.
pub fn wrap(text: &str, size: f32, max_width: f64, max_lines: usize) -> Vec<String> {
    // Measured glyph by glyph; the shaper may set a run in the fallback
    // font, spaces included, so a line keeps some room to spare.
    let max_width = max_width * 0.95;
    let text = clean(text);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut overflow = false;
    for word in text.split(' ') {
        let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
        if width(&candidate, size) <= max_width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if lines.len() == max_lines {
            overflow = true;
            break;
        }
        // A word wider than a line is broken where it must be.
        for c in word.chars() {
            line.push(c);
            if width(&line, size) > max_width {
                line.pop();
                lines.push(std::mem::replace(&mut line, c.to_string()));
                if lines.len() == max_lines {
                    overflow = true;
                    break;
                }
            }
        }
        if overflow {
            break;
        }
    }
    if !overflow && !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        overflow = true;
    }
    if overflow && let Some(last) = lines.last_mut() {
        while !last.is_empty() && width(&format!("{last}…"), size) > max_width {
            last.pop();
        }
        let kept = last.trim_end().to_owned();
        *last = format!("{kept}…");
    }
    lines
}

/// The largest of `sizes` at which `text` fits in `max_lines` lines (the
/// smallest, ellipsised, when none does), and its lines.
pub fn fit(text: &str, max_width: f64, sizes: &[f32], max_lines: usize) -> (f32, Vec<String>) {
    let mut best = (0.0, Vec::new());
    for &size in sizes {
        let lines = wrap(text, size, max_width, max_lines);
        let ellipsised = lines.last().is_some_and(|l| l.ends_with('…')) && !clean(text).ends_with('…');
        best = (size, lines);
        if !ellipsised {
            break;
        }
    }
    best
}

/// The font database: the shipped font and nothing else, so images are the
/// same on every machine.
static FONTS: LazyLock<Arc<usvg::fontdb::Database>> = LazyLock::new(|| {
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(FONT.to_vec());
    db.load_font_data(FALLBACK.to_vec());
    db.set_serif_family(FAMILY);
    db.set_sans_serif_family(FAMILY);
    Arc::new(db)
});

/// An SVG document made here, written again by usvg: text in outlines of
/// the shipped font, nothing but shapes and paint.
pub fn outline(svg: &str) -> Result<String, usvg::Error> {
    Ok(parse(svg)?.to_string(&usvg::WriteOptions::default()))
}

/// Parses an SVG document made here, with the shipped font.
pub fn parse(svg: &str) -> Result<usvg::Tree, usvg::Error> {
    let options = usvg::Options { font_family: FAMILY.to_owned(), fontdb: Arc::clone(&FONTS), ..Default::default() };
    usvg::Tree::from_str(svg, &options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sleeve(title: &str) -> Sleeve<'_> {
        Sleeve { title, year: 1982, kind: Kind::Score }
    }

    #[test]
    fn the_same_record_gets_the_same_sleeve_and_others_differ() {
        assert_eq!(sleeve("Blade Runner").svg(), sleeve("Blade Runner").svg());
        assert_ne!(sleeve("Blade Runner").svg(), sleeve("Blade Runner 2049").svg());
        let songs = Sleeve { kind: Kind::Songs, ..sleeve("Blade Runner") };
        assert_ne!(songs.svg(), sleeve("Blade Runner").svg());
    }

    #[test]
    fn text_is_escaped_and_cleaned() {
        let svg = sleeve("</text><script>alert(1)</script>\u{0}\u{7}").svg();
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;/text&gt;"));
        assert!(!svg.contains('\u{0}'));
        assert!(!clean("a\u{202e}b\u{2067}c").contains(['\u{202e}', '\u{2067}']));
        assert!(parse(&svg).is_ok());
    }

    #[test]
    fn long_titles_wrap_and_end_in_an_ellipsis() {
        let lines = wrap(&"Music for an Imaginary Film ".repeat(40), 34.0, 336.0, 3);
        assert_eq!(lines.len(), 3);
        assert!(lines[2].ends_with('…'));
        assert!(lines.iter().all(|l| width(l, 34.0) <= 336.0));
        let one = wrap(&"x".repeat(500), 34.0, 336.0, 2);
        assert_eq!(one.len(), 2);
    }

    #[test]
    fn outlines_hold_no_text() {
        let svg = sleeve("שיר השירים · 雨の日 🎬").outlined_svg().unwrap_or_default();
        assert!(svg.starts_with("<svg"));
        assert!(!svg.contains("<text"));
    }
}
