//! What goes wrong with plugins: at load (the plugin is refused) and per
//! call (one interaction gets a plugin-error record; the run goes on).

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// A plugin that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PluginLoadError {
    #[error("cannot read plugin `{}`: {reason}", .path.display())]
    Read { path: PathBuf, reason: String },
    #[error("`{name}` is not a WebAssembly component: {reason}")]
    NotAComponent { name: String, reason: String },
    #[error("`{name}` imports `{import}`, which goodwill does not grant to plugins")]
    ForbiddenImport { name: String, import: String },
    #[error("`{name}` does not implement `goodwill:policy/policy@{version}`: {reason}", version = super::CONTRACT_VERSION)]
    Contract { name: String, reason: String },
    #[error("`{name}` is built against `goodwill:policy@{found}`, but this goodwill implements `goodwill:policy@{expected}`", expected = super::CONTRACT_VERSION)]
    ContractVersion { name: String, found: String },
    #[error("`{name}` failed in `{call}`: {cause}")]
    Call {
        name: String,
        call: &'static str,
        cause: PluginErrorCause,
    },
    #[error("`{name}` describes itself wrongly: {reason}")]
    BadDescription { name: String, reason: String },
    #[error("`{name}` refused its configuration: {reason}")]
    Configure { name: String, reason: String },
}

/// The plugin host itself could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot start the plugin host: {0}")]
pub struct PluginHostError(pub String);

/// Why one call into a plugin failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PluginErrorCause {
    /// The call burnt all its fuel.
    OutOfFuel { fuel: u64 },
    /// The call ran past its wall-clock deadline.
    Deadline { deadline_ms: u64 },
    /// The instance asked for more memory than its cap.
    Memory { limit_mib: u64 },
    /// The call recursed deeper than the host's stack allows.
    StackOverflow,
    /// The guest trapped (`unreachable`, out-of-bounds access, a panic, ...).
    Trap { message: String },
    /// The guest returned data that does not fit the contract.
    Malformed { message: String },
    /// The guest returned an error for this interaction.
    Guest { message: String },
}

impl fmt::Display for PluginErrorCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PluginErrorCause::OutOfFuel { fuel } => write!(f, "out of fuel ({fuel} units)"),
            PluginErrorCause::Deadline { deadline_ms } => {
                write!(f, "deadline of {deadline_ms} ms exceeded")
            }
            PluginErrorCause::Memory { limit_mib } => {
                write!(f, "memory cap of {limit_mib} MiB exceeded")
            }
            PluginErrorCause::StackOverflow => f.write_str("stack overflow"),
            PluginErrorCause::Trap { message } => write!(f, "trap: {message}"),
            PluginErrorCause::Malformed { message } => write!(f, "malformed result: {message}"),
            PluginErrorCause::Guest { message } => write!(f, "plugin error: {message}"),
        }
    }
}

impl PluginErrorCause {
    /// A short stable name for summaries: `out-of-fuel`, `deadline`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            PluginErrorCause::OutOfFuel { .. } => "out-of-fuel",
            PluginErrorCause::Deadline { .. } => "deadline",
            PluginErrorCause::Memory { .. } => "memory",
            PluginErrorCause::StackOverflow => "stack-overflow",
            PluginErrorCause::Trap { .. } => "trap",
            PluginErrorCause::Malformed { .. } => "malformed",
            PluginErrorCause::Guest { .. } => "guest",
        }
    }
}

/// The plugin-error record of one interaction: which plugin, which
/// interaction, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("plugin `{plugin}` failed on interaction `{interaction}`: {cause}")]
pub struct PluginError {
    /// The policy id the plugin describes.
    pub plugin: String,
    pub interaction: String,
    pub cause: PluginErrorCause,
}
