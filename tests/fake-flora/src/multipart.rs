//! An incremental `multipart/form-data` reader: bytes go in as they arrive, and a [`Sink`] is
//! told where each part starts, what its body bytes are and where it ends — so a large file can
//! be counted rather than buffered.

/// The headers of one part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartHeaders {
    /// `name` from `Content-Disposition: form-data; name="…"`.
    pub name: String,
    /// `filename`, present for file parts.
    pub filename: Option<String>,
    pub content_type: Option<String>,
}

/// What the reader reports to; an `Err` stops reading with that message.
pub trait Sink {
    fn part(&mut self, headers: PartHeaders) -> Result<(), String>;
    fn data(&mut self, bytes: &[u8]) -> Result<(), String>;
    fn end_part(&mut self) -> Result<(), String>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Preamble,
    AfterBoundary,
    Headers,
    Body,
    Done,
}

/// Largest header block accepted for one part.
const MAX_HEADERS: usize = 16 * 1024;

/// The reader for one body.
pub struct Reader {
    /// `\r\n--<boundary>`.
    delimiter: Vec<u8>,
    state: State,
    buffer: Vec<u8>,
}

/// The boundary in a `multipart/form-data; boundary=…` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let essence = params.next()?.trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

impl Reader {
    pub fn new(boundary: &str) -> Reader {
        Reader {
            delimiter: format!("\r\n--{boundary}").into_bytes(),
            state: State::Preamble,
            // The first boundary has no CRLF before it; pretend it had one.
            buffer: b"\r\n".to_vec(),
        }
    }

    /// Whether the closing boundary has been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Feeds the next bytes of the body.
    pub fn feed(&mut self, chunk: &[u8], sink: &mut impl Sink) -> Result<(), String> {
        if self.state == State::Done {
            return Ok(());
        }
        self.buffer.extend_from_slice(chunk);
        loop {
            let progressed = match self.state {
                State::Preamble => self.skip_preamble(),
                State::AfterBoundary => self.after_boundary()?,
                State::Headers => self.headers(sink)?,
                State::Body => self.body(sink)?,
                State::Done => {
                    self.buffer.clear();
                    return Ok(());
                }
            };
            if !progressed {
                return Ok(());
            }
        }
    }

    /// Checks the body ended properly.
    pub fn finish(&self) -> Result<(), String> {
        if self.is_done() {
            Ok(())
        } else {
            Err("multipart body ended before its closing boundary".to_owned())
        }
    }

    fn skip_preamble(&mut self) -> bool {
        match find(&self.buffer, &self.delimiter) {
            Some(at) => {
                self.buffer.drain(..at + self.delimiter.len());
                self.state = State::AfterBoundary;
                true
            }
            None => {
                let keep = self.delimiter.len() - 1;
                let cut = self.buffer.len().saturating_sub(keep);
                self.buffer.drain(..cut);
                false
            }
        }
    }

    fn after_boundary(&mut self) -> Result<bool, String> {
        if self.buffer.len() < 2 {
            return Ok(false);
        }
        if self.buffer.starts_with(b"--") {
            self.state = State::Done;
        } else if self.buffer.starts_with(b"\r\n") {
            self.buffer.drain(..2);
            self.state = State::Headers;
        } else {
            return Err("malformed multipart boundary line".to_owned());
        }
        Ok(true)
    }

    fn headers(&mut self, sink: &mut impl Sink) -> Result<bool, String> {
        let end = if self.buffer.starts_with(b"\r\n") {
            Some(0)
        } else {
            find(&self.buffer, b"\r\n\r\n").map(|at| at + 2)
        };
        let Some(end) = end else {
            if self.buffer.len() > MAX_HEADERS {
                return Err("multipart part headers are too large".to_owned());
            }
            return Ok(false);
        };
        let block = String::from_utf8_lossy(&self.buffer[..end]).into_owned();
        self.buffer.drain(..end + 2);
        sink.part(parse_headers(&block)?)?;
        self.state = State::Body;
        Ok(true)
    }

    fn body(&mut self, sink: &mut impl Sink) -> Result<bool, String> {
        match find(&self.buffer, &self.delimiter) {
            Some(at) => {
                sink.data(&self.buffer[..at])?;
                self.buffer.drain(..at + self.delimiter.len());
                sink.end_part()?;
                self.state = State::AfterBoundary;
                Ok(true)
            }
            None => {
                let keep = self.delimiter.len() - 1;
                let cut = self.buffer.len().saturating_sub(keep);
                if cut > 0 {
                    sink.data(&self.buffer[..cut])?;
                    self.buffer.drain(..cut);
                }
                Ok(false)
            }
        }
    }
}

/// The first position of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(offset) = haystack.get(from..)?.iter().position(|&b| b == first) {
        let at = from + offset;
        if haystack.get(at..at + needle.len())? == needle {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn parse_headers(block: &str) -> Result<PartHeaders, String> {
    let mut headers = PartHeaders::default();
    let mut named = false;
    for line in block.split("\r\n").filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("malformed multipart header line {line:?}"))?;
        if name.trim().eq_ignore_ascii_case("content-type") {
            headers.content_type = Some(value.trim().to_owned());
        } else if name.trim().eq_ignore_ascii_case("content-disposition") {
            for param in value.split(';').skip(1) {
                let Some((key, raw)) = param.split_once('=') else {
                    continue;
                };
                let raw = raw.trim();
                let unquoted = raw
                    .strip_prefix('"')
                    .and_then(|r| r.strip_suffix('"'))
                    .unwrap_or(raw)
                    .replace("\\\"", "\"");
                match key.trim().to_ascii_lowercase().as_str() {
                    "name" => {
                        headers.name = unquoted;
                        named = true;
                    }
                    "filename" => headers.filename = Some(unquoted),
                    _ => {}
                }
            }
        }
    }
    if named {
        Ok(headers)
    } else {
        Err("a multipart part has no content-disposition name".to_owned())
    }
}

/// A [`Sink`] that keeps every part in memory (for small bodies).
#[derive(Debug, Default)]
pub struct Collect {
    pub parts: Vec<(PartHeaders, Vec<u8>)>,
}

impl Sink for Collect {
    fn part(&mut self, headers: PartHeaders) -> Result<(), String> {
        self.parts.push((headers, Vec::new()));
        Ok(())
    }

    fn data(&mut self, bytes: &[u8]) -> Result<(), String> {
        if let Some((_, body)) = self.parts.last_mut() {
            body.extend_from_slice(bytes);
        }
        Ok(())
    }

    fn end_part(&mut self) -> Result<(), String> {
        Ok(())
    }
}

/// Reads a whole in-memory body.
pub fn collect(content_type: &str, body: &[u8]) -> Result<Collect, String> {
    let boundary = boundary(content_type)
        .ok_or_else(|| "content-type has no multipart boundary".to_owned())?;
    let mut reader = Reader::new(&boundary);
    let mut sink = Collect::default();
    reader.feed(body, &mut sink)?;
    reader.finish()?;
    Ok(sink)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = concat!(
        "preamble\r\n--XyZ\r\n",
        "Content-Disposition: form-data; name=\"workspace_id\"\r\n\r\nws_1\r\n--XyZ\r\n",
        "Content-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n",
        "Content-Type: image/png\r\n\r\n\u{89}PNG\r\n--X\r\n--XyZ--\r\n",
    )
    .as_bytes();

    #[test]
    fn reads_parts_whole_and_byte_by_byte() {
        let whole = collect("multipart/form-data; boundary=XyZ", BODY).unwrap();
        let mut reader = Reader::new("XyZ");
        let mut sink = Collect::default();
        for byte in BODY {
            reader.feed(&[*byte], &mut sink).unwrap();
        }
        reader.finish().unwrap();
        for parts in [&whole.parts, &sink.parts] {
            assert_eq!(parts.len(), 2);
            assert_eq!(parts[0].0.name, "workspace_id");
            assert_eq!(parts[0].1, b"ws_1");
            assert_eq!(parts[1].0.filename.as_deref(), Some("a.png"));
            assert_eq!(parts[1].0.content_type.as_deref(), Some("image/png"));
            assert_eq!(parts[1].1, "\u{89}PNG\r\n--X".as_bytes());
        }
    }

    #[test]
    fn rejects_truncated_and_foreign_bodies() {
        assert!(collect("multipart/form-data; boundary=XyZ", &BODY[..60]).is_err());
        assert!(collect("application/json", BODY).is_err());
        assert_eq!(
            boundary("multipart/form-data; boundary=\"a b\"").as_deref(),
            Some("a b")
        );
    }
}
