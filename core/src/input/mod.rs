//! Interactions in: the readers of `goodwill eval` and the audit. Files,
//! globs and stdin; JSON Lines, a JSON array or CSV; gzip and zstd read
//! transparently. Readers stream: they hold one record at a time, never the
//! file. A record that cannot be used becomes a [`Reject`] with its file and
//! line, in input order, so nothing is dropped silently.

mod convert;
mod csv_plan;
mod decode;
mod mapping;
#[cfg(test)]
mod proptests;
mod readers;
mod reject;
mod same_file;
mod sources;
mod strict_json;

pub use decode::{Interaction, decode};
pub use mapping::{Mapping, MappingError};
pub use readers::{DEFAULT_MAX_RECORD_BYTES, MAX_DEPTH, open_reader};
pub use reject::{Reject, RejectKind};
pub use same_file::{Output, refuse_overwriting};
pub use sources::{Compression, InputError, InputFormat, InputSpec, Records, StdinOrigin, expand};

use std::sync::Arc;

/// Where a record was read: file (or `-`), the line it starts on, and its
/// number among the file's records (from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: Arc<str>,
    pub line: u64,
    pub record: u64,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One record as read, not yet parsed: parsing happens on the worker
/// threads.
#[derive(Debug, Clone)]
pub struct RawRecord {
    pub origin: Origin,
    pub payload: Payload,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// The bytes of one JSON value (a line, or an element of an array).
    Json(Vec<u8>),
    /// One CSV row, with the file's header.
    Csv {
        header: Arc<[String]>,
        /// The row's cells, in one buffer.
        fields: csv::ByteRecord,
    },
    /// A record the reader already knows is bad (too large, a broken row).
    Rejected {
        kind: RejectKind,
        reason: String,
        text: String,
    },
}

impl Payload {
    /// The record's size as read, in bytes.
    pub fn byte_len(&self) -> usize {
        match self {
            Payload::Json(b) => b.len(),
            Payload::Csv { fields, .. } => fields.as_slice().len(),
            Payload::Rejected { text, .. } => text.len(),
        }
    }

    /// The record as it was read, for the rejects file.
    pub fn text(&self) -> String {
        match self {
            Payload::Json(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            Payload::Csv { fields, .. } => {
                let mut w = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::Any(b'\n'))
                    .from_writer(Vec::new());
                let _ = w.write_record(fields);
                let bytes = w.into_inner().unwrap_or_default();
                String::from_utf8_lossy(&bytes).trim_end().to_string()
            }
            Payload::Rejected { text, .. } => text.clone(),
        }
    }
}
