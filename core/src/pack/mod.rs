//! Policy packs: a folder with `goodwill.toml` and one TOML file per policy.
//! [`load`] reads, validates and compiles a whole pack, and reports every
//! fault it finds — in every file — as [`Diagnostic`]s with positions.

pub(crate) mod load;
pub mod model;
pub mod schema;
pub mod spans;

use std::path::PathBuf;
use std::sync::Arc;

pub use load::load;
pub use model::{FieldSource, Level, Manifest, MappingDef, PolicyFile, Severity};

use crate::cel::Expression;
use crate::diagnostic::{Diagnostic, Location};
use crate::fields::FieldCatalog;
use crate::source::SourceFile;
use crate::template::Template;
pub use spans::SpanIndex;

/// A loaded, valid pack: every expression compiled, every field known.
#[derive(Debug)]
pub struct Pack {
    /// The folder holding `goodwill.toml`.
    pub root: PathBuf,
    pub manifest: Manifest,
    pub manifest_file: Arc<SourceFile>,
    /// Where each key of `goodwill.toml` is.
    pub manifest_spans: SpanIndex,
    /// The fields the pack's expressions may read.
    pub catalog: FieldCatalog,
    /// In file-name order.
    pub policies: Vec<Policy>,
}

/// One policy, compiled.
#[derive(Debug)]
pub struct Policy {
    /// What the policy file says, as written.
    pub def: PolicyFile,
    pub file: Arc<SourceFile>,
    /// Where each key of the policy file is, for findings about it.
    pub spans: SpanIndex,
    pub applies: Expression,
    pub enforced: Option<Expression>,
    pub benefit: Option<Expression>,
    pub checks: Vec<Check>,
    pub tests: Vec<PackTest>,
}

impl Policy {
    pub fn id(&self) -> &str {
        &self.def.id
    }
}

/// One of a policy's checks, compiled.
#[derive(Debug)]
pub struct Check {
    pub id: String,
    pub severity: Severity,
    pub level: Level,
    pub when: Expression,
    pub message: Template,
    pub description: Option<String>,
    pub location: Location,
}

/// One of a policy's unit tests, with its interaction loaded.
#[derive(Debug, Clone)]
pub struct PackTest {
    pub name: String,
    pub interaction: serde_json::Map<String, serde_json::Value>,
    pub raises: Vec<String>,
    pub not_raises: Vec<String>,
    pub applies: Option<bool>,
    pub enforced: Option<bool>,
    pub location: Location,
}

/// A pack that could not be loaded, with every fault found.
#[derive(Debug, thiserror::Error)]
#[error("the pack at `{}` could not be loaded: {} error{}", .root.display(), .diagnostics.len(), if .diagnostics.len() == 1 { "" } else { "s" })]
pub struct PackError {
    pub root: PathBuf,
    pub diagnostics: Vec<Diagnostic>,
}
