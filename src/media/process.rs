//! From uploaded bytes to the variants the site serves: the type sniffed
//! from the bytes (never the name or a Content-Type), the dimensions
//! bounded before anything is decoded, the orientation applied, and every
//! variant re-encoded, so no metadata (EXIF, GPS, comments) survives.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits, imageops::FilterType};
use sha2::{Digest, Sha256};

/// The largest file accepted (an upload's body limit says the same).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// The longest side accepted, in pixels.
pub const MAX_SIDE: u32 = 12_000;
/// The most pixels accepted (a 40-megapixel photo).
pub const MAX_PIXELS: u64 = 40_000_000;
/// The widths served, at most; a picture narrower than one is served at its own width.
pub const WIDTHS: [u32; 4] = [320, 640, 1024, 1600];
/// Lossy WebP quality (libwebp's 0..100).
const WEBP_QUALITY: f32 = 80.0;
/// JPEG fallback quality.
const JPEG_QUALITY: u8 = 82;

/// The formats accepted, as sniffed from their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl Format {
    /// Recognises the four formats by their signatures; anything else
    /// (SVG, HTML, PDF...) is `None`, whatever its name says.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(Format::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Format::Webp)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Format::Gif)
        } else {
            None
        }
    }

    /// As stored in the `media.format` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
        }
    }

    /// From the `media.format` column (JPEG for anything unknown).
    pub fn from_column(s: &str) -> Format {
        match s {
            "png" => Format::Png,
            "webp" => Format::Webp,
            "gif" => Format::Gif,
            _ => Format::Jpeg,
        }
    }

    /// The extension of an original kept in the store.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
        }
    }

    fn image_format(self) -> image::ImageFormat {
        match self {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
            Format::Webp => image::ImageFormat::WebP,
            Format::Gif => image::ImageFormat::Gif,
        }
    }
}

/// Why a file is not taken, in words an editor can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the file is {0} bytes; pictures may be at most {max} MB", max = MAX_BYTES / (1024 * 1024))]
    TooLarge(usize),
    #[error(
        "not a JPEG, PNG, WebP or GIF picture (SVG and other formats are not accepted, whatever the file is called)"
    )]
    Unsupported,
    #[error("the picture is {0} × {1} pixels; at most {MAX_SIDE} pixels a side and {max} megapixels are accepted", max = MAX_PIXELS / 1_000_000)]
    TooManyPixels(u32, u32),
    #[error("the picture cannot be read: {0}")]
    Corrupt(String),
}

/// One served form of a picture.
#[derive(Debug, Clone)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    /// `webp`, `jpg` or `png`.
    pub ext: &'static str,
    pub bytes: Vec<u8>,
}

/// A picture taken: what the database records, and every variant to store.
#[derive(Debug, Clone)]
pub struct Processed {
    /// SHA-256 of the original bytes, in hex: the picture's name in the store.
    pub hash: String,
    pub format: Format,
    /// After orientation.
    pub width: u32,
    pub height: u32,
    /// `jpg` or `png`: the fallback for browsers without WebP.
    pub fallback: &'static str,
    /// The widths served, smallest first.
    pub widths: Vec<u32>,
    pub variants: Vec<Variant>,
}

/// The content hash of a file, as the store names it.
pub fn hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Sniffs, bounds and reads the header only: the format and the
/// dimensions as stored, refusing a decompression bomb before a pixel is
/// decoded.
pub fn inspect(bytes: &[u8]) -> Result<(Format, u32, u32), Refused> {
    if bytes.len() > MAX_BYTES {
        return Err(Refused::TooLarge(bytes.len()));
    }
    let format = Format::sniff(bytes).ok_or(Refused::Unsupported)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    // Only the header is read here; the bounds below are the limits.
    reader.no_limits();
    let (w, h) = reader.into_dimensions().map_err(|e| Refused::Corrupt(e.to_string()))?;
    if w == 0 || h == 0 {
        return Err(Refused::Corrupt("it has no pixels".into()));
    }
    if w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(Refused::TooManyPixels(w, h));
    }
    Ok((format, w, h))
}

/// Takes a file: checks it ([`inspect`]), decodes it within limits,
/// applies its orientation and makes every variant (CPU work: run it on a
/// blocking thread).
pub fn process(bytes: &[u8]) -> Result<Processed, Refused> {
    let (format, _, _) = inspect(bytes)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    // Room for the decoded pixels at 16 bits a channel, and little more.
    limits.max_alloc = Some(MAX_PIXELS * 8 + (64 << 20));
    reader.limits(limits);
    let corrupt = |e: image::ImageError| Refused::Corrupt(e.to_string());
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let orientation = decoder.orientation().map_err(corrupt)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    img.apply_orientation(orientation);
    let (width, height) = (img.width(), img.height());
    let alpha = img.color().has_alpha();
    let fallback = if alpha { "png" } else { "jpg" };
    let widths = widths_for(width);
    let mut variants = Vec::with_capacity(widths.len() * 2);
    for &w in &widths {
        let h = scaled_height(width, height, w);
        let small = if w == width { img.clone() } else { img.resize_exact(w, h, FilterType::CatmullRom) };
        variants.push(Variant { width: w, height: h, ext: "webp", bytes: encode_webp(&small, alpha)? });
        variants.push(Variant { width: w, height: h, ext: fallback, bytes: encode_fallback(&small, alpha)? });
    }
    Ok(Processed { hash: hash(bytes), format, width, height, fallback, widths, variants })
}

/// The widths served for a picture `width` pixels wide: every step of
/// [`WIDTHS`] below it, then its own width (at most the largest step).
pub fn widths_for(width: u32) -> Vec<u32> {
    let top = width.min(WIDTHS[WIDTHS.len() - 1]);
    let mut out: Vec<u32> = WIDTHS.iter().copied().filter(|&w| w < top).collect();
    out.push(top);
    out
}

/// The height of a variant `w` wide, in proportion (at least 1).
pub fn scaled_height(width: u32, height: u32, w: u32) -> u32 {
    let h = (u64::from(height) * u64::from(w) + u64::from(width) / 2) / u64::from(width.max(1));
    u32::try_from(h).unwrap_or(u32::MAX).max(1)
}

fn encode_webp(img: &DynamicImage, alpha: bool) -> Result<Vec<u8>, Refused> {
    let (w, h) = (img.width(), img.height());
    let out = if alpha {
        webp::Encoder::from_rgba(img.to_rgba8().as_raw(), w, h).encode(WEBP_QUALITY).to_vec()
    } else {
        webp::Encoder::from_rgb(img.to_rgb8().as_raw(), w, h).encode(WEBP_QUALITY).to_vec()
    };
    Ok(out)
}

fn encode_fallback(img: &DynamicImage, alpha: bool) -> Result<Vec<u8>, Refused> {
    let mut out = Vec::new();
    let corrupt = |e: image::ImageError| Refused::Corrupt(e.to_string());
    if alpha {
        img.to_rgba8().write_with_encoder(image::codecs::png::PngEncoder::new(&mut out)).map_err(corrupt)?;
    } else {
        img.to_rgb8()
            .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
            .map_err(corrupt)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_bytes() {
        assert_eq!(Format::sniff(b"<svg xmlns="), None);
        assert_eq!(Format::sniff(b"<!doctype html>"), None);
        assert_eq!(Format::sniff(b"GIF89a...."), Some(Format::Gif));
        assert_eq!(Format::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::Webp));
    }

    #[test]
    fn widths_stop_at_the_picture() {
        assert_eq!(widths_for(200), vec![200]);
        assert_eq!(widths_for(700), vec![320, 640, 700]);
        assert_eq!(widths_for(5000), vec![320, 640, 1024, 1600]);
        assert_eq!(scaled_height(1000, 500, 320), 160);
    }
}
