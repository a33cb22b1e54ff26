//! The pack's plugin policies inside the engine: every plugin evaluates
//! every interaction, on the worker thread that decoded it, through that
//! thread's own runners.
//!
//! Runners live in a [`ThreadLocal`] owned by the engine: each thread that
//! evaluates gets its own `Vec<PluginRunner>` (one wasmtime store and
//! instance per plugin) on first use and keeps it for the engine's life.
//! This needs no knowledge of the pool's size (rayon workers, the calling
//! thread and tests alike), takes no lock after a thread's first call, and
//! no two threads ever share a store. A slot keyed by rayon's
//! `current_thread_index()` would need the pool size up front and a
//! mutex per slot, and a fallback for threads outside the pool.

use std::cell::RefCell;
use std::fmt;

use thread_local::ThreadLocal;

use crate::input::{Interaction, Origin};
use crate::plugin::{LoadedPlugin, PluginError, PluginEvaluation, PluginRunner};

/// What one plugin made of one interaction.
pub type PluginOutcome = Result<PluginEvaluation, PluginError>;

/// The loaded plugins and each thread's runners for them.
pub(super) struct PluginSet {
    loaded: Vec<LoadedPlugin>,
    runners: ThreadLocal<RefCell<Vec<PluginRunner>>>,
}

impl PluginSet {
    pub(super) fn new(loaded: Vec<LoadedPlugin>) -> Self {
        PluginSet {
            loaded,
            runners: ThreadLocal::new(),
        }
    }

    pub(super) fn loaded(&self) -> &[LoadedPlugin] {
        &self.loaded
    }

    /// Every plugin's outcome on `interaction`, in the pack's plugin order.
    pub(super) fn evaluate(&self, interaction: &Interaction) -> Vec<PluginOutcome> {
        if self.loaded.is_empty() {
            return Vec::new();
        }
        // The record as mapped (canonical field names), the same object the
        // TOML policies' expressions read. Serializing a JSON map cannot fail.
        let json = serde_json::to_string(&interaction.record.to_map()).unwrap_or_default();
        let cell = self
            .runners
            .get_or(|| RefCell::new(self.loaded.iter().map(LoadedPlugin::runner).collect()));
        match cell.try_borrow_mut() {
            Ok(mut runners) => runners
                .iter_mut()
                .map(|r| r.evaluate(&interaction.id, &json))
                .collect(),
            // Only reachable if evaluation were re-entered on this thread
            // (it is not: plugin calls never yield to rayon); fresh runners
            // keep it correct rather than a panic.
            Err(_) => self
                .loaded
                .iter()
                .map(|p| p.runner().evaluate(&interaction.id, &json))
                .collect(),
        }
    }
}

impl fmt::Debug for PluginSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.loaded.iter().map(LoadedPlugin::id))
            .finish()
    }
}

/// A plugin that failed on an interaction: the plugin-error record of a
/// run, with where the interaction was read and its text for the rejects
/// file. The interaction was still evaluated by every other policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginFailure {
    pub origin: Origin,
    pub error: PluginError,
    /// The record as read.
    pub text: String,
}

impl fmt::Display for PluginFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.error)
    }
}
