//! The `[[plugins]]` of a pack's `goodwill.toml`, loaded into a host. A
//! plugin that is refused is a diagnostic pointing at its entry.

use std::collections::BTreeSet;

use serde_json::Value as Json;
use toml::de::DeTable;

use super::error::PluginLoadError;
use super::host::{LoadedPlugin, PluginHost};
use crate::diagnostic::{Diagnostic, DiagnosticCode, Location};
use crate::pack::Pack;
use crate::pack::load::toml_to_json;
use crate::pack::spans::SpanIndex;

/// Loads every plugin the pack lists, in order. Plugins that load are
/// returned even when others fail; each failure is one diagnostic.
pub fn load_pack_plugins(pack: &Pack, host: &PluginHost) -> (Vec<LoadedPlugin>, Vec<Diagnostic>) {
    let file = &pack.manifest_file;
    let entries = plugin_entries(pack);
    let mut ids: BTreeSet<String> = pack.policies.iter().map(|p| p.id().to_string()).collect();
    let mut plugins = Vec::new();
    let mut diagnostics = Vec::new();
    for (entry, at) in pack.manifest.plugins.iter().zip(entries) {
        let span = at.span;
        let config = Json::Object(entry.config.as_ref().map(toml_to_json).unwrap_or_default());
        match host.load(&pack.root.join(&entry.path), entry.limits, &config) {
            Ok(plugin) => {
                if ids.insert(plugin.id().to_string()) {
                    plugins.push(plugin);
                } else {
                    diagnostics.push(
                        Diagnostic::new(
                            DiagnosticCode::DuplicateId,
                            format!(
                                "plugin `{}` describes policy `{}`, an id already in the pack",
                                entry.path,
                                plugin.id()
                            ),
                        )
                        .at(file, span)
                        .label("this plugin")
                        .help("give every policy, TOML or plugin, its own id"),
                    );
                }
            }
            Err(e) => diagnostics.push(
                Diagnostic::new(DiagnosticCode::PluginLoad, e.to_string())
                    .at(file, span)
                    .label("this plugin")
                    .help(help(&e)),
            ),
        }
    }
    (plugins, diagnostics)
}

/// Where each `[[plugins]]` entry is in `goodwill.toml` (its `path`
/// value), in the pack's order: diagnostics and lint findings about a
/// plugin point there.
pub fn plugin_entries(pack: &Pack) -> Vec<Location> {
    let file = &pack.manifest_file;
    let spans = DeTable::parse(&file.text)
        .map(|doc| SpanIndex::build(&doc))
        .unwrap_or_default();
    (0..pack.manifest.plugins.len())
        .map(|i| {
            let key = format!("plugins.{i}.path");
            Location {
                file: file.clone(),
                span: spans
                    .value_span(&key)
                    .unwrap_or_else(|| spans.nearest(&key)),
            }
        })
        .collect()
}

fn help(e: &PluginLoadError) -> &'static str {
    match e {
        PluginLoadError::Read { .. } => {
            "the path is relative to `goodwill.toml`; build the plugin first"
        }
        PluginLoadError::NotAComponent { .. } => {
            "build a component (componentize-py, cargo component, or `wasm-tools component new`)"
        }
        PluginLoadError::ForbiddenImport { .. } => {
            "plugins get no files, network or host services; remove the import from the plugin"
        }
        PluginLoadError::Contract { .. } => {
            "build the plugin against the WIT in `plugins/wit/` of this goodwill version"
        }
        PluginLoadError::ContractVersion { .. } => {
            "rebuild the plugin against `plugins/wit/policy.wit` of this goodwill version"
        }
        PluginLoadError::Call { .. } => "raise the plugin's `[plugins.limits]`, or fix the plugin",
        PluginLoadError::BadDescription { .. } => "fix what the plugin's `describe` returns",
        PluginLoadError::Configure { .. } => "fix the plugin's `config` table in `goodwill.toml`",
    }
}
