//! Policies written as WebAssembly components (`plugins/wit/`), run in
//! wasmtime with no ambient authority and bounded fuel, time, memory and
//! stack. Whatever a plugin does, it cannot panic the host or change
//! another policy's results: a failed call is a [`PluginError`] naming the
//! plugin, the interaction and the cause.
//!
//! ```no_run
//! # use goodwill_core::plugin::*;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let host = PluginHost::new(HostSettings::default())?;
//! let plugin = host.load("promise.wasm".as_ref(), PluginLimits::default(), &serde_json::json!({}))?;
//! let mut runner = plugin.runner(); // one per worker thread
//! match runner.evaluate("t-1", r#"{"id": "t-1"}"#) {
//!     Ok(evaluation) => println!("{} findings", evaluation.findings.len()),
//!     Err(error) => println!("{error}"),
//! }
//! # Ok(()) }
//! ```

mod artifacts;
mod bindings;
mod capabilities;
mod description;
mod error;
mod host;
mod limits;
mod pack;
mod runner;
mod sandbox;

pub use capabilities::GRANTED;
pub use description::{CheckDoc, PluginDescription, PluginEvaluation, PluginFinding};
pub use error::{PluginError, PluginErrorCause, PluginHostError, PluginLoadError};
pub use host::{CacheStats, ImportInfo, Inspection, LoadedPlugin, PluginHost};
pub use limits::{HostSettings, PluginLimits};
pub use pack::{load_pack_plugins, plugin_entries};
pub use runner::PluginRunner;

/// The version of `goodwill:policy` this host implements.
pub const CONTRACT_VERSION: &str = "0.2.0";
