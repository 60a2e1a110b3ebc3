//! Share cards: the 1200×630 PNG that Open Graph and Twitter show for a
//! list or a record.
//!
//! A card is an SVG document made here (every text escaped and cut to
//! length, at most [`MAX_ENTRIES`] entries) and rasterised by resvg with
//! the shipped font only, so the same card is the same bytes on every
//! machine. A list's card shows its title and its first entries, each with
//! its rank and its record's sleeve; a record's card its film, album and
//! sleeve.

use std::fmt::Write;

use resvg::{tiny_skia, usvg};

use super::sleeve::{self, FAMILY, Sleeve, escape, fit, wrap};

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;
/// Entries a list's card shows at most.
pub const MAX_ENTRIES: usize = 5;

const GROUND: &str = "#1f1a17";
const INK: &str = "#fffaf3";
const MUTED: &str = "#b5aa9e";
const ACCENT: &str = "#f29a7c";
/// Around each sleeve, so a dark one still stands off the ground.
const EDGE: &str = "#5d544d";
const MARGIN: f64 = 64.0;
/// The site's name, as the card's corner sets it.
const SITE: &str = "Cuesheet";

/// An entry shown on a list's card.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub rank: Option<i64>,
    pub heading: &'a str,
    pub sleeve: Sleeve<'a>,
}

/// What a card shows.
#[derive(Debug, Clone)]
pub struct Card<'a> {
    /// A short line over the title: "Ranked list · 18 entries".
    pub kicker: &'a str,
    pub title: &'a str,
    /// A line under the title (the standfirst, or the album), when there
    /// are no entries to show.
    pub subtitle: &'a str,
    pub entries: Vec<Entry<'a>>,
    /// The record's own sleeve, on a record's card.
    pub sleeve: Option<Sleeve<'a>>,
    /// The hash of the record's uploaded cover, shown instead of its sleeve
    /// (drawn by [`png_with_cover`]; named in the SVG so a new cover is a
    /// new card).
    pub cover: Option<&'a str>,
}

/// Where a record's card shows its sleeve or cover: left, top and side.
pub const COVER_AT: (u32, u32, u32) = (736, 115, sleeve::SIDE);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("card: {0}")]
    Svg(#[from] usvg::Error),
    #[error("card: cannot make the image")]
    Raster,
}

impl Card<'_> {
    /// The card as an SVG document. Letters the shipped fonts lack are
    /// left out ([`sleeve::drawable`]); a title with nothing left to draw
    /// is the site's name.
    pub fn svg(&self) -> String {
        let title = if sleeve::drawable(self.title).is_empty() { SITE } else { self.title };
        let mut out = String::with_capacity(16 * 1024);
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"><rect width="{WIDTH}" height="{HEIGHT}" fill="{GROUND}"/><rect width="{WIDTH}" height="10" fill="{ACCENT}"/>"#
        );
        let _ = write!(
            out,
            r#"<text x="{MARGIN}" y="86" font-family="{FAMILY}" font-weight="bold" font-size="40" fill="{INK}">Cue<tspan fill="{ACCENT}">sheet</tspan></text>"#
        );
        // Letter-spaced: measured narrower than the line to leave room.
        let kicker = wrap(&self.kicker.to_uppercase(), 22.0, (f64::from(WIDTH) - 2.0 * MARGIN) * 0.84, 1);
        if let Some(kicker) = kicker.first() {
            let _ = write!(
                out,
                r#"<text x="{MARGIN}" y="140" font-family="{FAMILY}" font-weight="bold" font-size="22" letter-spacing="2" fill="{MUTED}">{}</text>"#,
                escape(kicker)
            );
        }
        let entries = &self.entries[..self.entries.len().min(MAX_ENTRIES)];
        if !entries.is_empty() {
            let full = f64::from(WIDTH) - 2.0 * MARGIN;
            let (size, lines) = fit(title, full, &[64.0, 54.0, 46.0], 2);
            text_lines(&mut out, &lines, MARGIN, 140.0 + f64::from(size) * 1.25, size, INK);
            self.draw_entries(&mut out, entries);
        } else if let Some(s) = &self.sleeve {
            let column = 600.0;
            let (size, lines) = fit(title, column, &[72.0, 60.0, 50.0], 3);
            let end = text_lines(&mut out, &lines, MARGIN, 150.0 + f64::from(size) * 1.25, size, INK);
            let sub = wrap(self.subtitle, 30.0, column, 3);
            text_lines(&mut out, &sub, MARGIN, end + 64.0, 30.0, MUTED);
            out.push_str(r#"<g transform="translate(736 115)">"#);
            match self.cover {
                // The cover's pixels are laid over this ground once drawn.
                Some(hash) => {
                    let _ = write!(
                        out,
                        r#"<rect id="cover-{}" width="{}" height="{}" fill="{EDGE}"/>"#,
                        escape(hash),
                        sleeve::SIDE,
                        sleeve::SIDE
                    );
                }
                None => s.draw(&mut out, "record"),
            }
            let _ = write!(
                out,
                r#"<rect width="{}" height="{}" fill="none" stroke="{EDGE}" stroke-width="2"/></g>"#,
                sleeve::SIDE,
                sleeve::SIDE
            );
        } else {
            let full = f64::from(WIDTH) - 2.0 * MARGIN;
            let (size, lines) = fit(title, full, &[80.0, 68.0, 56.0], 3);
            let end = text_lines(&mut out, &lines, MARGIN, 150.0 + f64::from(size) * 1.25, size, INK);
            let sub = wrap(self.subtitle, 30.0, full, 3);
            text_lines(&mut out, &sub, MARGIN, end + 68.0, 30.0, MUTED);
        }
        out.push_str("</svg>");
        out
    }

    /// A row of sleeves, each with its rank and the entry's heading.
    fn draw_entries(&self, out: &mut String, entries: &[Entry<'_>]) {
        let (tile, gap, side, top) = (200.0, 18.0, 150.0, 348.0);
        let scale = side / f64::from(sleeve::SIDE);
        for (i, entry) in entries.iter().enumerate() {
            let x = MARGIN + i as f64 * (tile + gap);
            let _ = write!(out, r#"<g transform="translate({x:.1} {top}) scale({scale})">"#);
            entry.sleeve.draw(out, &format!("e{i}"));
            out.push_str("</g>");
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{top}" width="{side}" height="{side}" fill="none" stroke="{EDGE}" stroke-width="2"/>"#
            );
            if let Some(rank) = entry.rank {
                let _ = write!(
                    out,
                    r#"<circle cx="{:.1}" cy="{top}" r="27" fill="{ACCENT}" stroke="{GROUND}" stroke-width="4"/><text x="{:.1}" y="{:.1}" text-anchor="middle" font-family="{FAMILY}" font-weight="bold" font-size="26" fill="{GROUND}">{rank}</text>"#,
                    x + side,
                    x + side,
                    top + 9.0
                );
            }
            // A heading with nothing to draw: the record's own title.
            let heading = if sleeve::drawable(entry.heading).is_empty() { entry.sleeve.title } else { entry.heading };
            let lines = wrap(heading, 22.0, tile - 8.0, 2);
            text_lines(out, &lines, x, top + side + 34.0, 22.0, INK);
        }
    }

    /// The card as a PNG.
    pub fn png(&self) -> Result<Vec<u8>, Error> {
        png(&self.svg())
    }
}

/// A card's SVG document (from [`Card::svg`]) drawn as a PNG.
pub fn png(svg: &str) -> Result<Vec<u8>, Error> {
    let tree = sleeve::parse(svg)?;
    let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT).ok_or(Error::Raster)?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|_| Error::Raster)
}

/// A record card's SVG drawn as a PNG with its cover (a JPEG or PNG
/// variant's bytes) over the sleeve's place, scaled to fill the square and
/// cropped to its centre. A cover that cannot be read leaves the ground.
pub fn png_with_cover(svg: &str, cover: &[u8]) -> Result<Vec<u8>, Error> {
    let tree = sleeve::parse(svg)?;
    let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT).ok_or(Error::Raster)?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    if let Ok(picture) = image::load_from_memory(cover) {
        let (left, top, side) = COVER_AT;
        // Inside the 2 px edge the sleeve would have.
        let (left, top, side) = (left + 1, top + 1, side - 2);
        let square = picture.resize_to_fill(side, side, image::imageops::FilterType::Triangle).to_rgba8();
        let data = pixmap.data_mut();
        for (x, y, px) in square.enumerate_pixels() {
            let [r, g, b, a] = px.0;
            let i = (((top + y) * WIDTH + left + x) * 4) as usize;
            if let Some(dst) = data.get_mut(i..i + 4) {
                // Over the opaque ground: premultiplied, as the pixmap keeps it.
                let over =
                    |c: u8, d: u8| ((u16::from(c) * u16::from(a) + u16::from(d) * (255 - u16::from(a))) / 255) as u8;
                dst.copy_from_slice(&[over(r, dst[0]), over(g, dst[1]), over(b, dst[2]), 255]);
            }
        }
    }
    pixmap.encode_png().map_err(|_| Error::Raster)
}

/// Lines of text from a baseline down; returns the last baseline.
fn text_lines(out: &mut String, lines: &[String], x: f64, first: f64, size: f32, fill: &str) -> f64 {
    let mut y = first;
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            y += f64::from(size) * 1.15;
        }
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{y:.1}" font-family="{FAMILY}" font-weight="bold" font-size="{size}" fill="{fill}">{}</text>"#,
            escape(line)
        );
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::record::Kind;

    #[test]
    fn letters_the_fonts_lack_never_draw_as_boxes() {
        let title = "Mononoke 🎵 もののけ姫";
        let sleeve = Sleeve { title, year: 1997, kind: Kind::Score };
        let list = Card {
            kicker: "Ranked list · 2 entries",
            title,
            subtitle: "",
            entries: vec![
                Entry { rank: Some(1), heading: title, sleeve },
                Entry { rank: Some(2), heading: "🎵", sleeve: Sleeve { title: "雨", ..sleeve } },
            ],
            sleeve: None,
            cover: None,
        };
        let record = Card {
            kicker: "Score · the soundtrack",
            subtitle: title,
            entries: Vec::new(),
            sleeve: Some(sleeve),
            ..list.clone()
        };
        let nothing = Card { title: "🎵 もののけ姫", entries: Vec::new(), ..list.clone() };
        for card in [&list, &record, &nothing] {
            let svg = card.svg();
            let ids = sleeve::glyph_ids(&svg);
            assert!(ids.len() > 10, "{ids:?}");
            assert!(!ids.contains(&0), "a .notdef box in {svg}");
            assert!(!svg.contains('🎵') && !svg.contains('姫'), "{svg}");
        }
        assert!(list.svg().contains(">Mononoke</text>"));
        // Nothing left of the title: the site's name.
        assert_eq!(nothing.svg().matches(">Cuesheet</text>").count(), 1, "{}", nothing.svg());
        let png = nothing.png().unwrap_or_default();
        assert_eq!(&png[1..4], b"PNG");
    }

    #[test]
    fn a_hostile_title_is_text_and_the_card_is_a_png() {
        let title = format!("</text><script>alert(1)</script> שלום 🎬 {}", "é".repeat(2000));
        let sleeve = Sleeve { title: &title, year: 2001, kind: Kind::Compilation };
        let card = Card {
            kicker: "Ranked list",
            title: &title,
            subtitle: "",
            entries: vec![Entry { rank: Some(1), heading: &title, sleeve }; 8],
            sleeve: None,
            cover: None,
        };
        let svg = card.svg();
        assert!(!svg.contains("<script"));
        assert_eq!(svg.matches("<clipPath").count(), MAX_ENTRIES);
        let png = card.png().unwrap_or_default();
        assert_eq!(&png[1..4], b"PNG");
        assert_eq!(u32::from_be_bytes([png[16], png[17], png[18], png[19]]), WIDTH);
    }
}
