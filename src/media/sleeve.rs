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
//! [`Sleeve::layout`] places the text from the font's own glyph metrics:
//! the title at the largest size whose lines clear each other and the
//! year, a long year set smaller, every letter inside the margin; the
//! pattern's solid marks (a score's label, the bars, the meters) keep to
//! the room the text leaves.
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
/// same licence. Letters neither has (CJK, emoji) are left out
/// ([`drawable`]) rather than drawn as empty boxes.
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

/// The sleeve's margin: no text comes nearer its edge.
pub const EDGE: f64 = 32.0;
/// The least room between two runs of text, and around the label.
const GAP: f64 = 6.0;
/// The sizes a title is tried at, largest first.
const TITLE_SIZES: [f32; 3] = [40.0, 34.0, 28.0];
/// The year's size, when it fits.
const YEAR_SIZE: f32 = 44.0;
/// Where a compilation's bars end.
const BARS_FOOT: f64 = 330.0;
/// The foot of the level meters, and the tallest they rise.
const METERS_FOOT: f64 = 376.0;
const METER_MAX: f64 = 190.0;
/// A title's lines are this many sizes apart, or further when their
/// letters would touch.
const LEADING: f64 = 1.12;

/// A rectangle in the sleeve's units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Rect {
    /// Whether the two share any area.
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.left < other.right && other.left < self.right && self.top < other.bottom && other.top < self.bottom
    }

    /// The smallest rectangle holding both.
    pub fn union(&self, other: &Rect) -> Rect {
        Rect {
            left: self.left.min(other.left),
            top: self.top.min(other.top),
            right: self.right.max(other.right),
            bottom: self.bottom.max(other.bottom),
        }
    }

    /// Whether it lies within `inner` of every edge of a `side` square.
    pub fn inside(&self, side: f64, inner: f64) -> bool {
        self.left >= inner && self.top >= inner && self.right <= side - inner && self.bottom <= side - inner
    }
}

/// One line of text on a sleeve.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    /// Where it starts (or ends, when `end`), on its baseline.
    pub x: f64,
    pub y: f64,
    pub size: f32,
    /// Set from its end (`text-anchor="end"`).
    pub end: bool,
    pub spacing: f64,
    /// The box its letters fill.
    pub bounds: Rect,
}

impl Run {
    fn new(text: &str, x: f64, y: f64, size: f32, end: bool, spacing: f64) -> Run {
        let (left, top, right, bottom) = ink(text, size, spacing);
        let shift = if end { x - advance(text, size, spacing) } else { x };
        let bounds = Rect { left: shift + left, top: y + top, right: shift + right, bottom: y + bottom };
        Run { text: text.to_owned(), x, y, size, end, spacing, bounds }
    }
}

/// Where a sleeve's text and label go ([`Sleeve::layout`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The kind, the title's lines, the year, in that order.
    pub runs: Vec<Run>,
    /// A score's label: centre and radius.
    pub label: Option<(f64, f64, f64)>,
    /// Where the pattern's solid marks go: a score's label, a
    /// compilation's bars, the meters of songs. Clear of every run.
    pub art: Rect,
}

/// The title's lines from `top` down: each baseline one leading below the
/// last, or lower when the letters would touch.
fn stack(lines: &[String], top: f64, size: f32) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::with_capacity(lines.len());
    for line in lines {
        let (left, ascent, _, _) = ink(line, size, 0.0);
        let y = match runs.last() {
            None => (top + f64::from(size) * 1.1).max(top - ascent),
            Some(prev) => (prev.y + f64::from(size) * LEADING).max(prev.bounds.bottom + GAP - ascent),
        };
        // A letter that hangs left of its pen (a J) moves the line in.
        runs.push(Run::new(line, EDGE - left.min(0.0), y, size, false, 0.0));
    }
    runs
}

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
        let layout = self.layout();
        let side = f64::from(SIDE);
        let _ = write!(
            out,
            r#"<clipPath id="{id}-clip"><rect width="{side}" height="{side}"/></clipPath><g clip-path="url(#{id}-clip)"><rect width="{side}" height="{side}" fill="{}"/>"#,
            palette.ground
        );
        match self.kind {
            Kind::Score => {
                let label = layout.label.unwrap_or_default();
                grooves(out, &seed, palette, label);
                // The grooves stop short of the text, as if it were printed
                // on a panel: the kind and the title, then the year.
                let (title, year) = layout.runs.split_at(layout.runs.len().saturating_sub(1));
                for block in [title, year] {
                    if let Some(b) = block.iter().map(|r| r.bounds).reduce(|a, b| a.union(&b)) {
                        let pad = 2.0 * GAP;
                        let _ = write!(
                            out,
                            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"/>"#,
                            b.left - pad,
                            b.top - pad,
                            b.right - b.left + 2.0 * pad,
                            b.bottom - b.top + 2.0 * pad,
                            palette.ground
                        );
                    }
                }
                disc(out, palette, label);
            }
            Kind::Compilation => bars(out, &seed, palette, &layout.art),
            Kind::Songs => meters(out, &seed, palette, &layout.art),
        }
        for (i, run) in layout.runs.iter().enumerate() {
            // The kind, small and spaced, comes first; then the title, then the year.
            let fill = if i == 0 { palette.accent } else { palette.ink };
            let anchor = if run.end { r#" text-anchor="end""# } else { "" };
            let spacing =
                if run.spacing > 0.0 { format!(r#" letter-spacing="{}""#, run.spacing) } else { String::new() };
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}"{anchor} font-family="{FAMILY}" font-weight="bold" font-size="{:.1}"{spacing} fill="{fill}">{}</text>"#,
                run.x,
                run.y,
                run.size,
                escape(&run.text)
            );
        }
        out.push_str("</g>");
    }

    /// Where the sleeve's text goes: the kind, the title's lines and the
    /// year, each with the box its letters fill (measured glyph by glyph in
    /// the shipped fonts), and a score's label. No two boxes overlap, none
    /// leaves the sleeve's margin, and the label keeps clear of the year.
    pub fn layout(&self) -> Layout {
        let mut runs = Vec::with_capacity(5);
        let kind = match self.kind {
            Kind::Score => "SCORE",
            Kind::Compilation => "COMPILATION",
            Kind::Songs => "SONGS",
        };
        runs.push(Run::new(kind, EDGE, 50.0, 15.0, false, 3.0));

        // The year, at the foot on the right; a year too wide for the
        // sleeve is set smaller.
        let year = self.year.to_string();
        let room = f64::from(SIDE) - 2.0 * EDGE;
        let natural = advance(&year, YEAR_SIZE, 0.0);
        let year_size = if natural > room { (f64::from(YEAR_SIZE) * room / natural).floor() as f32 } else { YEAR_SIZE };
        let foot = f64::from(SIDE) - EDGE;
        let (_, _, _, below) = ink(&year, year_size, 0.0);
        // Round figures dip a little under the baseline: the ink sits on the margin.
        let year = Run::new(&year, foot, foot - below.max(0.0), year_size, true, 0.0);

        // The title between the kind and the year: the largest size (and
        // fewest lines) at which its lines clear each other and the year.
        let floor = year.bounds.top - GAP;
        let mut title = Vec::new();
        'sizes: for max_lines in (1..=3).rev() {
            for (i, &size) in TITLE_SIZES.iter().enumerate() {
                let last = i + 1 == TITLE_SIZES.len();
                let lines = wrap(self.title, size, room, max_lines);
                let ellipsised = lines.last().is_some_and(|l| l.ends_with('…')) && !drawable(self.title).ends_with('…');
                if ellipsised && !last {
                    continue;
                }
                let set = stack(&lines, runs[0].bounds.bottom + GAP, size);
                if set.last().is_none_or(|r| r.bounds.bottom <= floor) {
                    title = set;
                    break 'sizes;
                }
            }
        }
        // The pattern's solid marks keep to the room the text leaves.
        let under = title.last().map_or(runs[0].bounds.bottom, |r| r.bounds.bottom) + 2.0 * GAP;
        let side = f64::from(SIDE);
        let (label, art) = match self.kind {
            Kind::Score => {
                let (cx, cy, r) = label(&self.seed(), &year.bounds);
                (Some((cx, cy, r)), Rect { left: cx - r, top: cy - r, right: cx + r, bottom: cy + r })
            }
            Kind::Compilation => (
                None,
                Rect { left: EDGE, top: under, right: side - EDGE, bottom: BARS_FOOT.min(year.bounds.top - GAP) },
            ),
            // Left of the year, or over it when a long one leaves no room.
            Kind::Songs if year.bounds.left - GAP - EDGE >= side / 3.0 => (
                None,
                Rect {
                    left: EDGE,
                    top: under.max(METERS_FOOT - METER_MAX),
                    right: year.bounds.left - GAP,
                    bottom: METERS_FOOT,
                },
            ),
            Kind::Songs => (None, Rect { left: EDGE, top: under, right: side - EDGE, bottom: year.bounds.top - GAP }),
        };
        runs.extend(title);
        runs.push(year);
        Layout { runs, label, art }
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

/// Where a score's label goes, somewhere in the lower half, and its radius:
/// `(cx, cy, r)`. A label that would touch the year moves left, or up
/// when there is no room on its left.
fn label(seed: &[u8; 32], year: &Rect) -> (f64, f64, f64) {
    let mut cx = 90.0 + frac(seed, 1) * 260.0;
    let mut cy = 250.0 + frac(seed, 2) * 140.0;
    let r = groove_step(seed) * 1.4;
    let clear = Rect { left: cx - r, top: cy - r, right: cx + r, bottom: cy + r };
    let pad = Rect { left: year.left - GAP, top: year.top - GAP, right: year.right + GAP, bottom: year.bottom + GAP };
    if clear.overlaps(&pad) {
        let left = pad.left - r;
        if left - r >= EDGE {
            cx = cx.min(left);
        } else {
            cy = cy.min(pad.top - r);
        }
    }
    (cx, cy, r)
}

/// The distance between two grooves.
fn groove_step(seed: &[u8; 32]) -> f64 {
    16.0 + frac(seed, 4) * 14.0
}

/// A score: grooves around a record label (drawn by [`disc`]).
fn grooves(out: &mut String, seed: &[u8; 32], p: &Palette, (cx, cy, label): (f64, f64, f64)) {
    let rings = 7 + usize::from(seed[3] % 6);
    let step = groove_step(seed);
    let marked = 2 + usize::from(seed[5]) % (rings - 2);
    for i in 0..rings {
        let r = label + step * (i as f64 + 1.0);
        let (stroke, width, opacity) =
            if i == marked { (p.accent, 7.0, 1.0) } else { (p.ink, 1.5 + frac(seed, 6 + i) * 4.0, 0.28) };
        let _ = write!(
            out,
            r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="{r:.1}" fill="none" stroke="{stroke}" stroke-width="{width:.1}" stroke-opacity="{opacity}"/>"#
        );
    }
}

/// A score's record label, over its grooves.
fn disc(out: &mut String, p: &Palette, (cx, cy, label): (f64, f64, f64)) {
    let _ = write!(out, r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="{label:.1}" fill="{}"/>"#, p.accent);
    let _ = write!(out, r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="4" fill="{}"/>"#, p.ink);
}

/// A compilation: a stack of track bars of different lengths.
/// They stand on the foot of `art`, closer together under a long title.
fn bars(out: &mut String, seed: &[u8; 32], p: &Palette, art: &Rect) {
    let count = 6 + usize::from(seed[3] % 5);
    let pitch = (20.0 + frac(seed, 4) * 4.0).min((art.bottom - art.top) / count as f64);
    let height = 12.0_f64.min(pitch * 0.6);
    let radius = height / 2.0;
    let marked = usize::from(seed[5]) % count;
    for i in 0..count {
        let y = art.bottom - (count - i) as f64 * pitch;
        let len = (70.0 + frac(seed, 6 + i) * 230.0).min(art.right - art.left);
        let x = art.left;
        let (fill, opacity) = if i == marked { (p.accent, 1.0) } else { (p.ink, 0.3) };
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{len:.1}" height="{height:.1}" rx="{radius:.1}" fill="{fill}" fill-opacity="{opacity}"/>"#
        );
    }
}

/// Songs: a row of level meters rising from the foot of `art`, left of
/// the year and lower under a long title.
fn meters(out: &mut String, seed: &[u8; 32], p: &Palette, art: &Rect) {
    let count = 9 + usize::from(seed[3] % 6);
    let width = (art.right - art.left) / count as f64;
    let scale = ((art.bottom - art.top) / METER_MAX).min(1.0);
    let marked = usize::from(seed[5]) % count;
    for i in 0..count {
        let h = (40.0 + frac(seed, 6 + i) * 150.0) * scale;
        let x = art.left + i as f64 * width;
        let (fill, opacity) = if i == marked { (p.accent, 1.0) } else { (p.ink, 0.3) };
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{fill}" fill-opacity="{opacity}"/>"#,
            art.bottom - h,
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

/// [`clean`] text without the letters neither shipped font has (CJK,
/// emoji and more, which would be drawn as empty boxes), and without the
/// spaces they leave: "Mononoke 🎵 もののけ姫" is "Mononoke". Empty when
/// nothing in it can be drawn.
pub fn drawable(text: &str) -> String {
    let fonts: Vec<_> = [FONT, FALLBACK].into_iter().filter_map(|f| skrifa::FontRef::new(f).ok()).collect();
    let charmaps: Vec<_> = fonts.iter().map(MetadataProvider::charmap).collect();
    let has = |c: char| charmaps.iter().any(|m| m.map(c).is_some_and(|id| id != skrifa::GlyphId::NOTDEF));
    let clean = clean(text);
    let mut out = String::with_capacity(clean.len());
    for word in clean.split(' ') {
        let kept: String = word.chars().filter(|&c| has(c)).collect();
        if kept.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&kept);
    }
    out
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
    advance(text, size, 0.0)
}

/// The width of `text` at `size` with `spacing` after every letter.
fn advance(text: &str, size: f32, spacing: f64) -> f64 {
    glyphs(text, size).iter().map(|g| g.advance + spacing).sum()
}

/// The box the letters of `text` fill, from its start on the baseline:
/// `(left, top, right, bottom)`, y down. Empty text has an empty box there.
fn ink(text: &str, size: f32, spacing: f64) -> (f64, f64, f64, f64) {
    let mut pen = 0.0;
    let mut b: Option<(f64, f64, f64, f64)> = None;
    for g in glyphs(text, size) {
        if let Some((l, t, r, bot)) = g.ink {
            let (l, t, r, bot) = (pen + l, t, pen + r, bot);
            b = Some(match b {
                None => (l, t, r, bot),
                Some((l0, t0, r0, b0)) => (l0.min(l), t0.min(t), r0.max(r), b0.max(bot)),
            });
        }
        pen += g.advance + spacing;
    }
    b.unwrap_or((0.0, 0.0, 0.0, 0.0))
}

/// One letter as set: how far it moves the pen, and the box of its ink
/// (left, top, right, bottom from the pen on the baseline, y down), when
/// it has any.
struct Glyph {
    advance: f64,
    ink: Option<(f64, f64, f64, f64)>,
}

/// The letters of `text` in the shipped font, or the fallback for those
/// it lacks; a letter neither has counts as a box 0.6 of the size wide.
fn glyphs(text: &str, size: f32) -> Vec<Glyph> {
    let fonts: Vec<_> = [FONT, FALLBACK].into_iter().filter_map(|f| skrifa::FontRef::new(f).ok()).collect();
    let faces: Vec<_> =
        fonts.iter().map(|f| (f.charmap(), f.glyph_metrics(Size::new(size), LocationRef::default()))).collect();
    text.chars()
        .map(|c| {
            let found = faces.iter().find_map(|(charmap, metrics)| {
                let id = charmap.map(c).filter(|id| *id != skrifa::GlyphId::NOTDEF)?;
                Some((metrics.advance_width(id)?, metrics.bounds(id)))
            });
            match found {
                Some((advance, bounds)) => Glyph {
                    advance: f64::from(advance),
                    ink: bounds
                        .filter(|b| b.x_max > b.x_min || b.y_max > b.y_min)
                        .map(|b| (f64::from(b.x_min), -f64::from(b.y_max), f64::from(b.x_max), -f64::from(b.y_min))),
                },
                None => {
                    let s = f64::from(size);
                    Glyph { advance: s * 0.6, ink: Some((0.0, -s * 0.8, s * 0.6, 0.0)) }
                }
            }
        })
        .collect()
}

/// `text` broken into at most `max_lines` lines no wider than `max_width`
/// at `size`; what does not fit ends the last line with an ellipsis.
pub fn wrap(text: &str, size: f32, max_width: f64, max_lines: usize) -> Vec<String> {
    // Measured glyph by glyph; the shaper may set a run in the fallback
    // font, spaces included, so a line keeps some room to spare.
    let max_width = max_width * 0.95;
    let text = drawable(text);
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
        let ellipsised = lines.last().is_some_and(|l| l.ends_with('…')) && !drawable(text).ends_with('…');
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

/// The glyph ids of every letter the renderer sets in an SVG document.
#[cfg(test)]
pub(crate) fn glyph_ids(svg: &str) -> Vec<u32> {
    fn walk(group: &usvg::Group, out: &mut Vec<u32>) {
        for node in group.children() {
            match node {
                usvg::Node::Group(g) => walk(g, out),
                usvg::Node::Text(t) => {
                    out.extend(t.layouted().iter().flat_map(|s| s.positioned_glyphs.iter().map(|g| g.id.0)))
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(tree) = parse(svg) {
        walk(tree.root(), &mut out);
    }
    out
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

    /// Every record of `content/`: title, film year and kind.
    fn content_records() -> Vec<(String, i64, Kind)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/soundtracks");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if let (Some(r), _) = crate::content::record::parse(&path, &text) {
                out.push((r.title, r.film.year, r.kind));
            }
        }
        out
    }

    /// The groups of letters the renderer makes of each `<text>`, in order:
    /// the box of their outlines.
    fn drawn_text(group: &usvg::Group, out: &mut Vec<usvg::Rect>) {
        for node in group.children() {
            match node {
                usvg::Node::Group(g) => drawn_text(g, out),
                usvg::Node::Text(t) => out.push(t.flattened().abs_bounding_box()),
                _ => {}
            }
        }
    }

    /// The layout's promises, and the renderer's letters inside its boxes.
    fn check(s: &Sleeve<'_>) {
        let layout = s.layout();
        let runs = &layout.runs;
        let what = format!("{:?} {} {:?}", s.title, s.year, s.kind);
        let titled = s.title.chars().any(|c| c.is_ascii_alphanumeric());
        assert!(runs.len() >= 2 + usize::from(titled), "{what}: {runs:#?}");
        assert_eq!(runs[0].text, s.kind.as_str().to_uppercase(), "{what}");
        assert_eq!(runs[runs.len() - 1].text, s.year.to_string(), "{what}");
        for (i, a) in runs.iter().enumerate() {
            assert!(a.bounds.inside(f64::from(SIDE), EDGE - 0.5), "{what}: {a:?} leaves the margin");
            for b in &runs[i + 1..] {
                assert!(!a.bounds.overlaps(&b.bounds), "{what}: {a:?} overlaps {b:?}");
            }
        }
        let art = layout.art;
        if layout.label.is_none() {
            assert!(art.right > art.left + 100.0 && art.bottom > art.top + 40.0, "{what}: no room for {art:?}");
        }
        for run in runs {
            assert!(!art.overlaps(&run.bounds), "{what}: the pattern's marks {art:?} are under {run:?}");
        }
        assert!(!glyph_ids(&s.svg()).contains(&0), "{what}: a .notdef box");
        let tree = parse(&s.svg()).unwrap_or_else(|e| panic!("{what}: {e}"));
        let mut drawn = Vec::new();
        drawn_text(tree.root(), &mut drawn);
        assert_eq!(drawn.len(), runs.len(), "{what}");
        // The shaper kerns, so allow it a little room either way.
        for (run, d) in runs.iter().zip(&drawn) {
            let b = run.bounds;
            let fits = f64::from(d.left()) >= b.left - 2.0
                && f64::from(d.right()) <= b.right + 2.0
                && f64::from(d.top()) >= b.top - 1.0
                && f64::from(d.bottom()) <= b.bottom + 1.0;
            assert!(fits, "{what}: {:?} drawn at {d:?}, laid out at {b:?}", run.text);
        }
    }

    #[test]
    fn sleeve_text_never_overlaps_or_leaves_the_sleeve() {
        let records = content_records();
        assert!(records.len() >= 30, "{}", records.len());
        let long_title = "The Original Motion Picture Soundtrack of the Extended Director's Cut: Music Composed, \
                          Arranged, Orchestrated and Conducted for the Film and Its Sequels";
        let word = "Supercalifragilisticexpialidociousnessesque".repeat(3);
        let accents = "ÉÅÎ Ögypsy Ñjqg ÂÊÛ gjpqy ÈÉÊ";
        let mut titles: Vec<(String, i64, Kind)> = records;
        for kind in [Kind::Score, Kind::Compilation, Kind::Songs] {
            for (title, year) in [
                (long_title, 1982),
                (word.as_str(), 2001),
                (accents, 1999),
                ("", 1960),
                ("W", i64::MIN),
                ("Brand New Year", 123_456_789),
                ("Mononoke 🎵 もののけ姫 شريط", 1997),
                ("🎵 もののけ姫", 1997),
            ] {
                titles.push((title.to_owned(), year, kind));
            }
        }
        for (title, year, kind) in &titles {
            check(&Sleeve { title, year: *year, kind: *kind });
        }
        // Scores' labels land all over the lower half: some near the year.
        let moved = (1900..2030)
            .map(|year| Sleeve { title: "Grooves", year, kind: Kind::Score })
            .inspect(check)
            .filter(|s| {
                let seed = s.seed();
                let (cx, cy) = (90.0 + frac(&seed, 1) * 260.0, 250.0 + frac(&seed, 2) * 140.0);
                s.layout().label.is_some_and(|(x, y, _)| (x, y) != (cx, cy))
            })
            .count();
        assert!(moved > 0, "no label came near the year");
    }

    #[test]
    fn letters_the_fonts_lack_are_left_out() {
        assert_eq!(drawable("Mononoke 🎵 もののけ姫"), "Mononoke");
        assert_eq!(drawable("  🎵  雨 "), "");
        assert_eq!(drawable("Le🎵Mans 雨 ’66 שלום"), "LeMans ’66 שלום");
        assert_eq!(wrap("Mononoke 🎵 もののけ姫", 40.0, 336.0, 3), ["Mononoke"]);
        assert!(wrap("🎵 もののけ姫", 40.0, 336.0, 3).is_empty());
        let svg = sleeve("Mononoke 🎵 もののけ姫 مرحبا").svg();
        let ids = glyph_ids(&svg);
        assert!(ids.len() > 15, "{ids:?}");
        assert!(!ids.contains(&0), "a .notdef box: {ids:?}");
    }

    #[test]
    fn outlines_hold_no_text() {
        let svg = sleeve("שיר השירים · 雨の日 🎬").outlined_svg().unwrap_or_default();
        assert!(svg.starts_with("<svg"));
        assert!(!svg.contains("<text"));
    }
}
