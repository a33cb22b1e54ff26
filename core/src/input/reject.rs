//! A record that could not be used, with where it was and why.

use std::fmt;

use super::Origin;

/// Why a record was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RejectKind {
    /// Not valid JSON, or a CSV row that does not fit its header.
    Malformed,
    /// Bytes that are not UTF-8.
    InvalidUtf8,
    /// Valid JSON that is not an object.
    NotAnObject,
    /// No `id`, or an empty one.
    MissingId,
    /// A field whose value does not fit its type.
    WrongType,
    /// A field given twice with different values: a key repeated in an
    /// object, two CSV columns of one name, or a `[mapping]` target the
    /// record also has.
    DuplicateField,
    /// Larger than `--max-record-bytes`.
    TooLarge,
    /// Nested deeper than [`super::MAX_DEPTH`].
    TooDeep,
    /// A CEL expression failed on the record (the record is still
    /// evaluated by the other expressions).
    Evaluation,
}

impl RejectKind {
    pub fn name(self) -> &'static str {
        match self {
            RejectKind::Malformed => "malformed",
            RejectKind::InvalidUtf8 => "invalid-utf8",
            RejectKind::NotAnObject => "not-an-object",
            RejectKind::MissingId => "missing-id",
            RejectKind::WrongType => "wrong-type",
            RejectKind::DuplicateField => "duplicate-field",
            RejectKind::TooLarge => "too-large",
            RejectKind::TooDeep => "too-deep",
            RejectKind::Evaluation => "evaluation-error",
        }
    }
}

impl fmt::Display for RejectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A rejected record: where, what kind, why, and the record as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub origin: Origin,
    pub kind: RejectKind,
    /// Lowercase, user input in backticks.
    pub reason: String,
    /// The record as read (lossy where it was not UTF-8; the first
    /// `--max-record-bytes` of a record over the limit).
    pub text: String,
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.reason)
    }
}
