//! The three readers. Each yields one [`RawRecord`] per record, in order,
//! holding at most one record (up to the size limit) in memory.

use std::io::BufRead;
use std::sync::Arc;

use super::reject::RejectKind;
use super::sources::{InputError, InputFormat, io_reason};
use super::{Origin, Payload, RawRecord};

/// `--max-record-bytes` by default: 16 MiB.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;

/// The deepest nesting a record may have (serde_json's recursion limit).
pub const MAX_DEPTH: usize = 128;

type RecordIter = Box<dyn Iterator<Item = Result<RawRecord, InputError>> + Send>;

/// A reader of `format` over `bytes`, naming records after `file`.
pub fn open_reader(
    bytes: Box<dyn BufRead + Send>,
    format: InputFormat,
    file: Arc<str>,
    max_record_bytes: usize,
) -> RecordIter {
    let max = max_record_bytes.max(1);
    match format {
        InputFormat::JsonLines => Box::new(JsonLines {
            r: bytes,
            file,
            line: 0,
            record: 0,
            max,
            done: false,
        }),
        InputFormat::JsonArray => Box::new(JsonArray {
            r: bytes,
            file,
            line: 1,
            record: 0,
            max,
            state: ArrayState::Start,
            pending: None,
        }),
        InputFormat::Csv => Box::new(CsvRows::new(bytes, file, max)),
    }
}

fn unreadable(file: &str, e: &std::io::Error) -> InputError {
    InputError::Unreadable {
        name: file.to_string(),
        reason: io_reason(e),
    }
}

fn too_large(max: usize) -> String {
    format!("the record is larger than {max} bytes (`--max-record-bytes`)")
}

/// JSON Lines: one record per non-blank line.
struct JsonLines {
    r: Box<dyn BufRead + Send>,
    file: Arc<str>,
    line: u64,
    record: u64,
    max: usize,
    done: bool,
}

/// Reads one line into `buf`, keeping at most `max` bytes of it; says
/// whether anything was read and whether the line was longer than `max`.
fn read_line_limited(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<(bool, bool)> {
    let mut any = false;
    let mut over = false;
    loop {
        let available = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((any, over));
        }
        any = true;
        let (chunk, found) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..i], Some(i)),
            None => (available, None),
        };
        let room = max.saturating_sub(buf.len());
        if chunk.len() > room {
            over = true;
        }
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = found.map_or(available.len(), |i| i + 1);
        r.consume(used);
        if found.is_some() {
            return Ok((true, over));
        }
    }
}

impl Iterator for JsonLines {
    type Item = Result<RawRecord, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            let mut buf = Vec::new();
            let (any, over) = match read_line_limited(&mut *self.r, &mut buf, self.max) {
                Ok(x) => x,
                Err(e) => {
                    self.done = true;
                    return Some(Err(unreadable(&self.file, &e)));
                }
            };
            if !any {
                self.done = true;
                return None;
            }
            self.line += 1;
            if self.line == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
                buf.drain(..3);
            }
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            if !over && buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.record += 1;
            let origin = Origin {
                file: Arc::clone(&self.file),
                line: self.line,
                record: self.record,
            };
            let payload = if over {
                Payload::Rejected {
                    kind: RejectKind::TooLarge,
                    reason: too_large(self.max),
                    text: String::from_utf8_lossy(&buf).into_owned(),
                }
            } else {
                Payload::Json(buf)
            };
            return Some(Ok(RawRecord { origin, payload }));
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArrayState {
    /// Before the opening `[`.
    Start,
    /// Inside the array, before an element.
    Elements,
    /// After the closing `]`, or after a fault that ends the file.
    Done,
}

/// A JSON array of records, split into elements by a scanner that tracks
/// strings and nesting; each element is parsed later, on a worker.
struct JsonArray {
    r: Box<dyn BufRead + Send>,
    file: Arc<str>,
    line: u64,
    record: u64,
    max: usize,
    state: ArrayState,
    /// A reject found after the last element (text after `]`).
    pending: Option<RawRecord>,
}

impl JsonArray {
    fn peek(&mut self) -> std::io::Result<Option<u8>> {
        loop {
            match self.r.fill_buf() {
                Ok(b) => return Ok(b.first().copied()),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn bump(&mut self) {
        self.r.consume(1);
    }

    /// Skips whitespace (and a BOM at the start), counting lines.
    fn skip_ws(&mut self) -> std::io::Result<Option<u8>> {
        loop {
            match self.peek()? {
                Some(b'\n') => {
                    self.line += 1;
                    self.bump();
                }
                Some(b' ' | b'\t' | b'\r') => self.bump(),
                other => return Ok(other),
            }
        }
    }

    fn reject(&mut self, line: u64, kind: RejectKind, reason: String, text: Vec<u8>) -> RawRecord {
        self.record += 1;
        RawRecord {
            origin: Origin {
                file: Arc::clone(&self.file),
                line,
                record: self.record,
            },
            payload: Payload::Rejected {
                kind,
                reason,
                text: String::from_utf8_lossy(&text).into_owned(),
            },
        }
    }

    fn step(&mut self) -> std::io::Result<Option<RawRecord>> {
        loop {
            match self.state {
                ArrayState::Done => return Ok(None),
                ArrayState::Start => {
                    if self.line == 1 {
                        // A UTF-8 byte order mark.
                        let head = self.r.fill_buf()?;
                        if head.starts_with(b"\xEF\xBB\xBF") {
                            self.r.consume(3);
                        }
                    }
                    match self.skip_ws()? {
                        None => {
                            self.state = ArrayState::Done;
                            return Ok(None);
                        }
                        Some(b'[') => {
                            self.bump();
                            self.state = ArrayState::Elements;
                            if self.skip_ws()? == Some(b']') {
                                self.bump();
                                return self.finish();
                            }
                        }
                        Some(_) => {
                            self.state = ArrayState::Done;
                            let line = self.line;
                            let text = self.rest()?;
                            return Ok(Some(self.reject(
                                line,
                                RejectKind::Malformed,
                                "a JSON array input must start with `[`: for one object per line use JSON Lines (`.jsonl`)".to_string(),
                                text,
                            )));
                        }
                    }
                }
                ArrayState::Elements => return self.element(),
            }
        }
    }

    /// After the closing `]`: only whitespace may follow.
    fn finish(&mut self) -> std::io::Result<Option<RawRecord>> {
        self.state = ArrayState::Done;
        match self.skip_ws()? {
            None => Ok(None),
            Some(_) => {
                let line = self.line;
                let text = self.rest()?;
                Ok(Some(self.reject(
                    line,
                    RejectKind::Malformed,
                    "text after the closing `]` of the array".to_string(),
                    text,
                )))
            }
        }
    }

    /// The rest of the input, up to the size limit, for a reject.
    fn rest(&mut self) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        loop {
            let b = self.r.fill_buf()?;
            if b.is_empty() {
                return Ok(out);
            }
            let n = b.len();
            let room = self.max.saturating_sub(out.len());
            out.extend_from_slice(&b[..n.min(room)]);
            self.r.consume(n);
        }
    }

    fn element(&mut self) -> std::io::Result<Option<RawRecord>> {
        self.skip_ws()?;
        let start_line = self.line;
        let mut buf = Vec::new();
        let mut over = false;
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let chunk = self.r.fill_buf()?;
            if chunk.is_empty() {
                self.state = ArrayState::Done;
                return Ok(Some(self.reject(
                    start_line,
                    RejectKind::Malformed,
                    "the array is not closed: the input ends inside it".to_string(),
                    buf,
                )));
            }
            let mut end: Option<(usize, u8)> = None;
            for (i, &b) in chunk.iter().enumerate() {
                if b == b'\n' {
                    self.line += 1;
                }
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => depth -= 1,
                    b',' | b']' if depth == 0 => {
                        end = Some((i, b));
                        break;
                    }
                    _ => {}
                }
            }
            let take = end.map_or(chunk.len(), |(i, _)| i);
            let room = self.max.saturating_sub(buf.len());
            if take > room {
                over = true;
            }
            buf.extend_from_slice(&chunk[..take.min(room)]);
            let consumed = end.map_or(chunk.len(), |(i, _)| i + 1);
            self.r.consume(consumed);
            let Some((_, terminator)) = end else {
                continue;
            };
            while buf.last().is_some_and(u8::is_ascii_whitespace) {
                buf.pop();
            }
            let record = if over {
                Some(self.reject(start_line, RejectKind::TooLarge, too_large(self.max), buf))
            } else if buf.is_empty() {
                Some(self.reject(
                    start_line,
                    RejectKind::Malformed,
                    "an empty element in the array (two commas, or a comma before `]`)".to_string(),
                    buf,
                ))
            } else {
                self.record += 1;
                Some(RawRecord {
                    origin: Origin {
                        file: Arc::clone(&self.file),
                        line: start_line,
                        record: self.record,
                    },
                    payload: Payload::Json(buf),
                })
            };
            if terminator == b']' {
                let rec = record;
                let trailing = self.finish()?;
                // Text after `]` becomes its own reject, after this record.
                if let Some(t) = trailing {
                    self.pending = Some(t);
                }
                return Ok(rec);
            }
            return Ok(record);
        }
    }
}

impl Iterator for JsonArray {
    type Item = Result<RawRecord, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(p) = self.pending.take() {
            return Some(Ok(p));
        }
        match self.step() {
            Ok(r) => r.map(Ok),
            Err(e) => {
                self.state = ArrayState::Done;
                Some(Err(unreadable(&self.file, &e)))
            }
        }
    }
}

/// CSV with a header row.
struct CsvRows {
    rows: csv::Reader<Box<dyn BufRead + Send>>,
    file: Arc<str>,
    header: Option<Arc<[String]>>,
    record: u64,
    max: usize,
    done: bool,
}

impl CsvRows {
    fn new(bytes: Box<dyn BufRead + Send>, file: Arc<str>, max: usize) -> CsvRows {
        let rows = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        CsvRows {
            rows,
            file,
            header: None,
            record: 0,
            max,
            done: false,
        }
    }
}

impl Iterator for CsvRows {
    type Item = Result<RawRecord, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut row = csv::ByteRecord::new();
        loop {
            match self.rows.read_byte_record(&mut row) {
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Ok(true) => {}
                Err(e) => {
                    self.done = true;
                    return Some(Err(match e.into_kind() {
                        csv::ErrorKind::Io(io) => unreadable(&self.file, &io),
                        other => InputError::Unreadable {
                            name: self.file.to_string(),
                            reason: format!("{other:?}"),
                        },
                    }));
                }
            }
            let line = row.position().map_or(0, |p| p.line());
            let Some(header) = self.header.clone() else {
                let mut names = Vec::with_capacity(row.len());
                for (i, field) in row.iter().enumerate() {
                    let field = if i == 0 {
                        field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field)
                    } else {
                        field
                    };
                    match std::str::from_utf8(field) {
                        Ok(s) => names.push(s.trim().to_string()),
                        Err(_) => {
                            self.done = true;
                            return Some(Err(InputError::Unreadable {
                                name: self.file.to_string(),
                                reason: format!("column {} of the header is not UTF-8", i + 1),
                            }));
                        }
                    }
                }
                self.header = Some(Arc::from(names));
                continue;
            };
            if row.len() == 1 && row.as_slice().trim_ascii().is_empty() {
                continue;
            }
            self.record += 1;
            let origin = Origin {
                file: Arc::clone(&self.file),
                line,
                record: self.record,
            };
            let size = row.as_slice().len();
            let payload = if size > self.max {
                Payload::Rejected {
                    kind: RejectKind::TooLarge,
                    reason: too_large(self.max),
                    text: String::from_utf8_lossy(&row.as_slice()[..self.max]).into_owned(),
                }
            } else if row.len() != header.len() {
                let width = row.len();
                let text = Payload::Csv {
                    header: Arc::clone(&header),
                    fields: row,
                }
                .text();
                Payload::Rejected {
                    kind: RejectKind::Malformed,
                    reason: format!(
                        "the row has {} field{}, the header has {}",
                        width,
                        if width == 1 { "" } else { "s" },
                        header.len()
                    ),
                    text,
                }
            } else {
                Payload::Csv {
                    header,
                    fields: row,
                }
            };
            return Some(Ok(RawRecord { origin, payload }));
        }
    }
}
