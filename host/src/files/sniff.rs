//! The media types FLORA accepts for assets, recognised from a file's first bytes (a small
//! magic-number table), and from a name's extension only to say what a misleading name claimed.

/// Every media type FLORA accepts for an asset (SDK 0.11.0 `assets.create` docs).
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

/// How many leading bytes [`detect`] looks at.
pub const HEAD_LEN: usize = 32;

/// The accepted media type a file's first bytes reveal, if any.
pub fn detect(head: &[u8]) -> Option<&'static str> {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    let found = if at(0, b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if at(0, b"\xff\xd8\xff") {
        "image/jpeg"
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        "image/gif"
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        "image/webp"
    } else if at(0, b"RIFF") && at(8, b"WAVE") {
        "audio/wav"
    } else if at(4, b"ftyp") {
        return iso_brand(head.get(8..12)?);
    } else if at(0, b"\x1a\x45\xdf\xa3") {
        "video/webm"
    } else if at(0, b"ID3") || at(0, b"\xff\xfb") || at(0, b"\xff\xf3") || at(0, b"\xff\xf2") {
        "audio/mpeg"
    } else if at(0, b"OggS") {
        "audio/ogg"
    } else if at(0, b"%PDF-") {
        "application/pdf"
    } else {
        return None;
    };
    Some(found)
}

/// The type of an ISO base media file (`ftyp` box) from its major brand.
fn iso_brand(brand: &[u8]) -> Option<&'static str> {
    match brand {
        b"avif" | b"avis" => Some("image/avif"),
        b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"hevm" | b"hevs" => Some("image/heic"),
        b"mif1" | b"msf1" => Some("image/heif"),
        b"qt  " => Some("video/quicktime"),
        // Audio-only MPEG-4 is not an accepted type.
        b"M4A " | b"M4B " | b"M4P " => None,
        _ => Some("video/mp4"),
    }
}

/// The accepted media type a file name's extension claims, if any.
pub fn from_name(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "avif" => "image/avif",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "mp4" | "m4v" => "video/mp4",
        "webm" => "video/webm",
        "mov" => "video/quicktime",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "ogg" | "oga" => "audio/ogg",
        "pdf" => "application/pdf",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_detected_type_is_an_allowed_one() {
        for head in [
            &b"\x89PNG\r\n\x1a\n"[..],
            b"\xff\xd8\xff\xe0",
            b"GIF89a",
            b"RIFF\0\0\0\0WEBPVP8 ",
            b"RIFF\0\0\0\0WAVEfmt ",
            b"\0\0\0\x18ftypisom",
            b"\0\0\0\x18ftypqt  ",
            b"\0\0\0\x18ftypavif",
            b"\0\0\0\x18ftypheic",
            b"\x1a\x45\xdf\xa3",
            b"ID3\x04",
            b"OggS",
            b"%PDF-1.7",
        ] {
            let found = detect(head).unwrap_or_else(|| panic!("{head:?} not detected"));
            assert!(ALLOWED_TYPES.contains(&found), "{found}");
        }
    }

    #[test]
    fn executables_text_and_short_heads_are_not_detected() {
        for head in [&b"MZ\x90\0"[..], b"hello world", b"", b"\0\0\0\x18ftypM4A "] {
            assert_eq!(detect(head), None, "{head:?}");
        }
        assert_eq!(from_name("photo.PNG"), Some("image/png"));
        assert_eq!(from_name("setup.exe"), None);
    }
}
