//! Which inputs to read: files, globs, `-`; their format and compression.

use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::RawRecord;
use super::readers::open_reader;

/// The shape of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// One JSON object per line (the default).
    JsonLines,
    /// One JSON array of objects.
    JsonArray,
    /// CSV with a header row.
    Csv,
}

impl InputFormat {
    /// The format a file name says (`.jsonl`, `.json`, `.csv`, under any
    /// `.gz` or `.zst`); `None` when it says nothing.
    pub fn from_name(name: &str) -> Option<InputFormat> {
        let lower = name.to_ascii_lowercase();
        let base = lower
            .strip_suffix(".gz")
            .or_else(|| lower.strip_suffix(".zst"))
            .unwrap_or(&lower);
        let ext = Path::new(base).extension()?.to_str()?;
        match ext {
            "jsonl" | "ndjson" => Some(InputFormat::JsonLines),
            "json" => Some(InputFormat::JsonArray),
            "csv" => Some(InputFormat::Csv),
            _ => None,
        }
    }
}

/// How an input's bytes are compressed, found from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSpec {
    /// `None` for stdin.
    pub path: Option<PathBuf>,
    pub format: InputFormat,
}

impl InputSpec {
    /// How the input is named in messages: its path as given, or `-`.
    pub fn display_name(&self) -> String {
        match &self.path {
            Some(p) => p.display().to_string(),
            None => "-".to_string(),
        }
    }
}

/// An input that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("`{pattern}` matches no file")]
    NoMatch { pattern: String },
    #[error("`{pattern}` is not a valid glob: {reason}")]
    BadGlob { pattern: String, reason: String },
    #[error("cannot read `{name}`: {reason}")]
    Unreadable { name: String, reason: String },
    #[error("`-` (stdin) is given twice")]
    StdinTwice,
    #[error("`{again}` is `{first}` again: its interactions would be counted twice")]
    ReadTwice { first: String, again: String },
    /// An output of the run is one of its input files.
    #[error("{what} is the input `{input}`: writing it would destroy the records this run reads")]
    WouldOverwrite { what: String, input: String },
}

impl InputError {
    /// What to do about it, when there is something to say.
    pub fn help(&self) -> Option<&'static str> {
        match self {
            InputError::WouldOverwrite { .. } => Some("write the output to another file"),
            InputError::ReadTwice { .. } => {
                Some("give each file once (globs that overlap each other, or a file, count)")
            }
            _ => None,
        }
    }
}

/// Expands the command line's inputs: `-` is stdin, a name that exists is a
/// file, anything else with glob characters is a glob (its matches sorted).
/// `forced` overrides the format the names say.
pub fn expand(args: &[String], forced: Option<InputFormat>) -> Result<Vec<InputSpec>, InputError> {
    let mut out = Vec::new();
    let mut stdin_seen = false;
    for arg in args {
        if arg == "-" {
            if stdin_seen {
                return Err(InputError::StdinTwice);
            }
            stdin_seen = true;
            out.push(InputSpec {
                path: None,
                format: forced.unwrap_or(InputFormat::JsonLines),
            });
            continue;
        }
        let path = PathBuf::from(arg);
        let paths = if path.exists() || !arg.contains(['*', '?', '[']) {
            vec![path]
        } else {
            let matches = glob::glob(arg).map_err(|e| InputError::BadGlob {
                pattern: arg.clone(),
                reason: e.msg.to_string(),
            })?;
            let mut found: Vec<PathBuf> = matches
                .filter_map(Result::ok)
                .filter(|p| p.is_file())
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(InputError::NoMatch {
                    pattern: arg.clone(),
                });
            }
            found
        };
        for p in paths {
            let name = p.display().to_string();
            let format = forced
                .or_else(|| InputFormat::from_name(&name))
                .unwrap_or(InputFormat::JsonLines);
            out.push(InputSpec {
                path: Some(p),
                format,
            });
        }
    }
    super::same_file::refuse_repeats(&out)?;
    Ok(out)
}

/// Opens an input, decompressing it if its first bytes say so.
pub(super) fn open_bytes(spec: &InputSpec) -> Result<Box<dyn BufRead + Send>, InputError> {
    let name = spec.display_name();
    let unreadable = |e: io::Error| InputError::Unreadable {
        name: name.clone(),
        reason: io_reason(&e),
    };
    let raw: Box<dyn Read + Send> = match &spec.path {
        Some(p) => {
            if p.is_dir() {
                return Err(InputError::Unreadable {
                    name,
                    reason: "it is a folder".to_string(),
                });
            }
            Box::new(std::fs::File::open(p).map_err(unreadable)?)
        }
        None => Box::new(io::stdin()),
    };
    let mut buffered = BufReader::with_capacity(256 * 1024, raw);
    let compression = Compression::sniff(buffered.fill_buf().map_err(unreadable)?);
    Ok(match compression {
        Compression::None => Box::new(buffered),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            256 * 1024,
            flate2::bufread::MultiGzDecoder::new(buffered),
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            256 * 1024,
            zstd::stream::read::Decoder::with_buffer(buffered).map_err(unreadable)?,
        )),
    })
}

pub(super) fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let text = e.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text).to_string();
            let mut chars = text.chars();
            match chars.next() {
                Some(c) => c.to_lowercase().chain(chars).collect(),
                None => text,
            }
        }
    }
}

/// Every record of every input, in order. Inputs are opened one at a time,
/// when the previous one is exhausted.
pub struct Records {
    specs: std::vec::IntoIter<InputSpec>,
    current: Option<Box<dyn Iterator<Item = Result<RawRecord, InputError>> + Send>>,
    max_record_bytes: usize,
    stdin: StdinOrigin,
}

/// How standard input is named in origins, and where its lines start:
/// a part of a larger file piped in (a Spark partition) keeps the file's
/// name and line numbers, so its rejections read as the whole file's would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StdinOrigin {
    pub name: String,
    /// Lines read from stdin are numbered from `line_offset + 1`.
    pub line_offset: u64,
}

impl Default for StdinOrigin {
    fn default() -> Self {
        StdinOrigin {
            name: "-".to_string(),
            line_offset: 0,
        }
    }
}

impl Records {
    pub fn new(specs: Vec<InputSpec>, max_record_bytes: usize) -> Records {
        Records {
            specs: specs.into_iter(),
            current: None,
            max_record_bytes,
            stdin: StdinOrigin::default(),
        }
    }

    /// Names standard input and shifts its line numbers.
    pub fn with_stdin_origin(mut self, stdin: StdinOrigin) -> Records {
        self.stdin = stdin;
        self
    }
}

impl Iterator for Records {
    type Item = Result<RawRecord, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(cur) = &mut self.current {
                match cur.next() {
                    Some(item) => return Some(item),
                    None => self.current = None,
                }
            }
            let spec = self.specs.next()?;
            let is_stdin = spec.path.is_none();
            let name: Arc<str> = if is_stdin {
                Arc::from(self.stdin.name.as_str())
            } else {
                Arc::from(spec.display_name())
            };
            match open_bytes(&spec) {
                Ok(bytes) => {
                    let reader = open_reader(bytes, spec.format, name, self.max_record_bytes);
                    let offset = self.stdin.line_offset;
                    self.current = Some(if is_stdin && offset > 0 {
                        Box::new(reader.map(move |r| {
                            r.map(|mut raw| {
                                raw.origin.line += offset;
                                raw
                            })
                        }))
                    } else {
                        reader
                    });
                }
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_comes_from_the_extension_under_compression() {
        assert_eq!(InputFormat::from_name("a/b.csv.gz"), Some(InputFormat::Csv));
        assert_eq!(
            InputFormat::from_name("x.JSON.zst"),
            Some(InputFormat::JsonArray)
        );
        assert_eq!(
            InputFormat::from_name("x.jsonl"),
            Some(InputFormat::JsonLines)
        );
        assert_eq!(InputFormat::from_name("x.txt"), None);
    }

    #[test]
    fn glob_without_a_match_is_an_error() {
        let err = expand(&["/nonexistent-dir/*.jsonl".to_string()], None).unwrap_err();
        assert!(matches!(err, InputError::NoMatch { .. }));
    }
}
