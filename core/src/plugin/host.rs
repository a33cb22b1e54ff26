//! The plugin host: one wasmtime `Engine` (fuel and epoch interruption
//! always on), one `Linker`, an epoch ticker thread for deadlines, and an
//! `InstancePre` per loaded plugin.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value as Json;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine};

use super::artifacts::ArtifactCache;
use super::bindings::PluginPre;
use super::capabilities;
use super::description::PluginDescription;
use super::error::{PluginHostError, PluginLoadError};
use super::limits::{HostSettings, PluginLimits};
use super::runner::{self, PluginRunner};
use super::sandbox::HostState;

/// How often the epoch ticks; deadlines are rounded up to it.
pub(crate) const TICK: Duration = Duration::from_millis(2);

/// Runs plugins. Cheap to clone; plugins loaded from it keep it alive.
#[derive(Clone)]
pub struct PluginHost {
    inner: Arc<HostInner>,
}

pub(crate) struct HostInner {
    pub(crate) engine: Engine,
    linker: Linker<HostState>,
    settings: HostSettings,
    cache: Option<ArtifactCache>,
    _ticker: EpochTicker,
}

impl PluginHost {
    pub fn new(settings: HostSettings) -> Result<Self, PluginHostError> {
        let mut config = Config::new();
        config
            .consume_fuel(true)
            .epoch_interruption(true)
            .max_wasm_stack(settings.max_wasm_stack);
        let cache = match &settings.cache_dir {
            Some(dir) => Some(ArtifactCache::new(dir).map_err(|e| {
                PluginHostError(format!("cannot create cache `{}`: {e}", dir.display()))
            })?),
            None => None,
        };
        let engine = Engine::new(&config).map_err(|e| PluginHostError(format!("{e:#}")))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(|e| PluginHostError(format!("{e:#}")))?;
        let ticker = EpochTicker::start(engine.clone())
            .map_err(|e| PluginHostError(format!("cannot start the epoch ticker: {e}")))?;
        Ok(PluginHost {
            inner: Arc::new(HostInner {
                engine,
                linker,
                settings,
                cache,
                _ticker: ticker,
            }),
        })
    }

    pub fn settings(&self) -> &HostSettings {
        &self.inner.settings
    }

    /// Compilations served from the on-disk cache and compilations done,
    /// since the host started; `None` without a cache.
    pub fn cache_stats(&self) -> Option<CacheStats> {
        self.inner.cache.as_ref().map(|c| CacheStats {
            hits: c.hits(),
            misses: c.misses(),
        })
    }

    /// Loads the plugin at `path`: compiles it (or takes it from the cache),
    /// refuses it if it imports anything not granted, asks it to describe
    /// itself and checks it accepts `config`.
    pub fn load(
        &self,
        path: &Path,
        limits: PluginLimits,
        config: &Json,
    ) -> Result<LoadedPlugin, PluginLoadError> {
        let bytes = std::fs::read(path).map_err(|e| PluginLoadError::Read {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        self.load_bytes(&crate::source::display_path(path), &bytes, limits, config)
    }

    /// [`PluginHost::load`] from bytes; `name` names the plugin in errors
    /// until it has described itself.
    pub fn load_bytes(
        &self,
        name: &str,
        bytes: &[u8],
        limits: PluginLimits,
        config: &Json,
    ) -> Result<LoadedPlugin, PluginLoadError> {
        let (component, imports) = self.compile(name, bytes)?;
        self.link(name, &component, imports, limits, config)
    }

    fn link(
        &self,
        name: &str,
        component: &Component,
        imports: Vec<String>,
        limits: PluginLimits,
        config: &Json,
    ) -> Result<LoadedPlugin, PluginLoadError> {
        if let Some(found) =
            capabilities::other_contract_version(&self.inner.engine, component, &imports)
        {
            return Err(PluginLoadError::ContractVersion {
                name: name.to_string(),
                found,
            });
        }
        if let Some(import) = capabilities::first_forbidden(&imports) {
            return Err(PluginLoadError::ForbiddenImport {
                name: name.to_string(),
                import: import.to_string(),
            });
        }
        let pre = self
            .inner
            .linker
            .instantiate_pre(component)
            .and_then(PluginPre::new)
            .map_err(|e| PluginLoadError::Contract {
                name: name.to_string(),
                reason: format!("{e:#}"),
            })?;
        let config_json = config.to_string();
        let description = runner::describe_and_configure(&pre, name, &limits, &config_json)?;
        Ok(LoadedPlugin {
            shared: Arc::new(PluginShared {
                _host: self.inner.clone(),
                source: name.to_string(),
                pre,
                limits,
                config_json,
                description,
                imports,
            }),
        })
    }

    /// What `plugin inspect` shows: the plugin's imports (each granted or
    /// not) and, when it loads, its description.
    pub fn inspect(
        &self,
        path: &Path,
        limits: PluginLimits,
    ) -> Result<Inspection, PluginLoadError> {
        let bytes = std::fs::read(path).map_err(|e| PluginLoadError::Read {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let name = crate::source::display_path(path);
        let (component, imports) = self.compile(&name, &bytes)?;
        let infos = imports
            .iter()
            .map(|name| ImportInfo {
                granted: capabilities::first_forbidden(std::slice::from_ref(name)).is_none(),
                name: name.clone(),
            })
            .collect();
        let no_config = Json::Object(Default::default());
        let (description, refused) = match self.link(&name, &component, imports, limits, &no_config)
        {
            Ok(plugin) => (Some(plugin.describe().clone()), None),
            Err(e) => (None, Some(e.to_string())),
        };
        Ok(Inspection {
            file: name,
            size_bytes: bytes.len() as u64,
            contract: format!("goodwill:policy/policy@{}", super::CONTRACT_VERSION),
            imports: infos,
            limits,
            max_wasm_stack: self.inner.settings.max_wasm_stack,
            description,
            refused,
        })
    }

    fn compile(
        &self,
        name: &str,
        bytes: &[u8],
    ) -> Result<(Component, Vec<String>), PluginLoadError> {
        let engine = &self.inner.engine;
        let compiled = match &self.inner.cache {
            Some(cache) => cache.component(engine, bytes),
            None => Component::from_binary(engine, bytes),
        };
        let component = compiled.map_err(|e| PluginLoadError::NotAComponent {
            name: name.to_string(),
            reason: format!("{e:#}"),
        })?;
        let imports = capabilities::imports(&self.inner.engine, &component);
        Ok((component, imports))
    }
}

/// See [`PluginHost::cache_stats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CacheStats {
    pub hits: usize,
    pub misses: usize,
}

/// A plugin ready to run: compiled, linked, described and configured.
/// Cheap to clone; create one [`PluginRunner`] per worker thread.
#[derive(Clone)]
pub struct LoadedPlugin {
    pub(crate) shared: Arc<PluginShared>,
}

pub(crate) struct PluginShared {
    _host: Arc<HostInner>,
    pub(crate) source: String,
    pub(crate) pre: PluginPre<HostState>,
    pub(crate) limits: PluginLimits,
    pub(crate) config_json: String,
    pub(crate) description: PluginDescription,
    pub(crate) imports: Vec<String>,
}

impl LoadedPlugin {
    /// The policy id the plugin describes.
    pub fn id(&self) -> &str {
        &self.shared.description.id
    }

    pub fn describe(&self) -> &PluginDescription {
        &self.shared.description
    }

    pub fn limits(&self) -> &PluginLimits {
        &self.shared.limits
    }

    /// Where the plugin came from, as given to [`PluginHost::load`].
    pub fn source(&self) -> &str {
        &self.shared.source
    }

    pub fn imports(&self) -> &[String] {
        &self.shared.imports
    }

    /// A runner for the calling thread: its own store and instance.
    pub fn runner(&self) -> PluginRunner {
        PluginRunner::new(self.shared.clone())
    }
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin")
            .field("id", &self.id())
            .field("source", &self.shared.source)
            .field("limits", &self.shared.limits)
            .finish_non_exhaustive()
    }
}

/// What `goodwill plugin inspect` shows.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    pub file: String,
    pub size_bytes: u64,
    /// The contract the host expects the plugin to export.
    pub contract: String,
    pub imports: Vec<ImportInfo>,
    pub limits: PluginLimits,
    pub max_wasm_stack: usize,
    /// `None` when the plugin is refused.
    pub description: Option<PluginDescription>,
    /// Why the plugin is refused, if it is.
    pub refused: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportInfo {
    pub name: String,
    pub granted: bool,
}

/// Advances the engine's epoch every [`TICK`] until dropped.
struct EpochTicker {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engine: Engine) -> std::io::Result<Self> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("goodwill-epoch".to_string())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(TICK) {
                    engine.increment_epoch();
                }
            })?;
        Ok(EpochTicker {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
