//! File types: what FLORA accepts for assets (images jpeg, png, webp, gif, avif, heic, heif;
//! video mp4, webm, quicktime; audio mpeg, wav, ogg; pdf), recognised from a file's first bytes
//! or from a URL's extension, plus image dimensions where the header gives them cheaply.

/// Every content type FLORA accepts for an asset.
pub const ALLOWED_TYPES: [&str; 14] = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "image/avif",
    "image/heic",
    "image/heif",
    "video/mp4",
    "video/webm",
    "video/quicktime",
    "audio/mpeg",
    "audio/wav",
    "audio/ogg",
    "application/pdf",
];

/// Largest image FLORA accepts, in pixels (150 MP).
pub const MAX_IMAGE_PIXELS: u64 = 150_000_000;

/// How many leading bytes [`detect`] and [`dimensions`] need.
pub const HEAD_LEN: usize = 32;

/// The content type `head` (a file's first bytes) reveals, if it is a recognised kind.
pub fn detect(head: &[u8]) -> Option<&'static str> {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    if at(0, b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if at(0, b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        Some("image/gif")
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Some("image/webp")
    } else if at(0, b"RIFF") && at(8, b"WAVE") {
        Some("audio/wav")
    } else if at(4, b"ftyp") {
        detect_iso_brand(head.get(8..12)?)
    } else if at(0, b"\x1a\x45\xdf\xa3") {
        Some("video/webm")
    } else if at(0, b"ID3") || at(0, b"\xff\xfb") || at(0, b"\xff\xf3") || at(0, b"\xff\xf2") {
        Some("audio/mpeg")
    } else if at(0, b"OggS") {
        Some("audio/ogg")
    } else if at(0, b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// The type of an ISO base media file from its major brand.
fn detect_iso_brand(brand: &[u8]) -> Option<&'static str> {
    match brand {
        b"avif" | b"avis" => Some("image/avif"),
        b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"hevm" | b"hevs" => Some("image/heic"),
        b"mif1" | b"msf1" => Some("image/heif"),
        b"qt  " => Some("video/quicktime"),
        b"M4A " | b"M4B " => None,
        _ => Some("video/mp4"),
    }
}

/// Width and height from a PNG or GIF header.
pub fn dimensions(head: &[u8]) -> Option<(u32, u32)> {
    match detect(head)? {
        "image/png" => {
            let be = |at: usize| {
                head.get(at..at + 4)
                    .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            };
            Some((be(16)?, be(20)?))
        }
        "image/gif" => {
            let le = |at: usize| {
                head.get(at..at + 2)
                    .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
            };
            Some((le(6)?, le(8)?))
        }
        _ => None,
    }
}

/// The content type a URL's (or file name's) extension names, if it is an allowed kind.
pub fn from_name(name: &str) -> Option<&'static str> {
    let path = name.split(['?', '#']).next().unwrap_or(name);
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "avif" => "image/avif",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mov" => "video/quicktime",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "ogg" => "audio/ogg",
        "pdf" => "application/pdf",
        _ => return None,
    })
}

/// The allowed type `content_type` (parameters ignored) names, if FLORA accepts it.
pub fn allowed(content_type: &str) -> Option<&'static str> {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    ALLOWED_TYPES
        .iter()
        .copied()
        .find(|t| t.eq_ignore_ascii_case(essence))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_common_headers() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(detect(&png), Some("image/png"));
        assert_eq!(dimensions(&png), Some((640, 480)));
        assert_eq!(detect(b"\0\0\0\x18ftypisom"), Some("video/mp4"));
        assert_eq!(detect(b"\0\0\0\x18ftypqt  "), Some("video/quicktime"));
        assert_eq!(detect(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(detect(b"MZ\x90\0"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn names_and_allow_list() {
        assert_eq!(from_name("https://x.y/a/b.JPG?v=1"), Some("image/jpeg"));
        assert_eq!(from_name("setup.exe"), None);
        assert_eq!(allowed("Image/PNG; charset=binary"), Some("image/png"));
        assert_eq!(allowed("application/zip"), None);
    }
}
