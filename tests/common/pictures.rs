//! Pictures made in the test itself: plain ones in each format, a JPEG
//! carrying EXIF (an orientation and a GPS-like marker), a PNG whose header
//! claims a decompression bomb, and the desk's upload form.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

use super::{Browser, Page};

/// Text hidden in the EXIF block; no served variant may contain it.
pub const SECRET: &[u8] = b"GPS 51.5007N 0.1246W secret-marker";

/// A `w`×`h` picture in `format`, a gradient (so resizing has work to do).
pub fn picture(w: u32, h: u32, format: ImageFormat) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x * 255 / w.max(1)) as u8, (y * 255 / h.max(1)) as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img).write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A `w`×`h` JPEG with an EXIF block: orientation 6 (turn 90° clockwise
/// to show) and [`SECRET`].
pub fn jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
    let jpeg = picture(w, h, ImageFormat::Jpeg);
    // TIFF, little-endian: one IFD with one entry, Orientation (0x0112), SHORT, 6.
    let mut tiff: Vec<u8> = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&6u16.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(SECRET);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let len = u16::try_from(app1.len() + 2).unwrap();
    let mut out = jpeg[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A small PNG file whose header says `w`×`h`: decoding it would ask for
/// gigabytes.
pub fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    let mut crc = flate2::Crc::new();
    crc.update(&ihdr);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&crc.sum().to_be_bytes());
    // An IDAT of zeros compresses a thousandfold: a few KB stand for the rest.
    let zeros = vec![0u8; 1 << 20];
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut z, &zeros).unwrap();
    let data = z.finish().unwrap();
    let mut idat = b"IDAT".to_vec();
    idat.extend_from_slice(&data);
    let mut crc = flate2::Crc::new();
    crc.update(&idat);
    out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
    out.extend_from_slice(&idat);
    out.extend_from_slice(&crc.sum().to_be_bytes());
    out
}

/// Sends the desk's upload form: a file under `file_name` (with whatever
/// `content_type` the browser claims) and its alt text.
pub async fn upload(b: &Browser<'_>, file_name: &str, content_type: &str, bytes: &[u8], alt: &str) -> Page {
    upload_with(b, file_name, content_type, bytes, alt, &[]).await
}

/// [`upload`] with extra request headers (the writing view's script asks
/// for JSON).
pub async fn upload_with(
    b: &Browser<'_>,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
    alt: &str,
    headers: &[(&str, &str)],
) -> Page {
    let page = b.get("/editor/media").await;
    assert_eq!(page.status, 200);
    let csrf = page.attrs("form[enctype] input[name=csrf]", "value")[0].clone();
    let boundary = "----cuesheet-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, value) in [("csrf", csrf.as_str()), ("alt", alt)] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={boundary}");
    let mut all = vec![("content-type", ct.as_str())];
    all.extend_from_slice(headers);
    b.post_bytes_with("/editor/media", body, &all).await
}

/// A response's bytes as they came (pictures are not text).
pub async fn get_bytes(app: &super::TestApp, path: &str) -> (u16, actix_web::http::header::HeaderMap, Vec<u8>) {
    let mut res = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
    let body = res.body().limit(32 << 20).await.unwrap();
    (res.status().as_u16(), res.headers().clone(), body.to_vec())
}
