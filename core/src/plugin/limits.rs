//! What one call into a plugin may consume. Every limit has a safe default;
//! `goodwill.toml` can tighten or loosen them per plugin (`[plugins.limits]`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Per-plugin limits, applied to every call (`configure`, `describe`,
/// `evaluate`) separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PluginLimits {
    /// Fuel one call may burn (about one unit per WebAssembly instruction).
    pub fuel: u64,
    /// Wall-clock milliseconds one call may take.
    pub deadline_ms: u64,
    /// The most linear memory (and table space) one instance may hold, in
    /// MiB.
    pub memory_mib: u64,
    /// Bytes of the plugin's stdout and stderr kept in its log; the rest is
    /// dropped, not an error.
    pub log_bytes: u64,
}

impl Default for PluginLimits {
    fn default() -> Self {
        PluginLimits {
            fuel: 2_000_000_000,
            deadline_ms: 2_000,
            memory_mib: 256,
            log_bytes: 64 * 1024,
        }
    }
}

impl PluginLimits {
    pub fn memory_bytes(&self) -> usize {
        usize::try_from(self.memory_mib.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX)
    }

    pub fn log_capacity(&self) -> usize {
        usize::try_from(self.log_bytes).unwrap_or(usize::MAX)
    }
}

/// Settings of the whole plugin host: wasmtime sets these per engine, so
/// they are the same for every plugin of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSettings {
    /// The most native stack WebAssembly may use, in bytes; deeper recursion
    /// is a stack-overflow plugin error.
    pub max_wasm_stack: usize,
    /// Where compiled plugins are cached; `None` compiles every time.
    pub cache_dir: Option<std::path::PathBuf>,
}

impl Default for HostSettings {
    fn default() -> Self {
        HostSettings {
            max_wasm_stack: 512 * 1024,
            cache_dir: None,
        }
    }
}
