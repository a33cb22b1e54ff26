//! Calling a plugin: one store and instance per runner (one runner per
//! worker thread), every call under fresh fuel and a fresh deadline, and an
//! instance that failed thrown away and re-created for the next call (a
//! trapped instance cannot be entered again, and one that returned garbage
//! is not trusted).

use std::sync::Arc;

use wasmtime::{Store, Trap};

use super::bindings::{Plugin, PluginPre};
use super::description::{PluginDescription, PluginEvaluation};
use super::error::{PluginError, PluginErrorCause, PluginLoadError};
use super::host::{PluginShared, TICK};
use super::limits::PluginLimits;
use super::sandbox::{HostState, PluginLog};

/// Calls one plugin from one thread.
pub struct PluginRunner {
    plugin: Arc<PluginShared>,
    live: Option<Live>,
    log: PluginLog,
    /// Instances created so far (1 + the number of failures recovered).
    instantiations: u64,
}

struct Live {
    store: Store<HostState>,
    bindings: Plugin,
}

impl PluginRunner {
    pub(crate) fn new(plugin: Arc<PluginShared>) -> Self {
        let log = PluginLog::new(plugin.limits.log_capacity());
        PluginRunner {
            plugin,
            live: None,
            log,
            instantiations: 0,
        }
    }

    /// Evaluates one interaction (a JSON object as text). `interaction_id`
    /// names it in a plugin error. Any failure is contained: it is returned
    /// as a [`PluginError`] and the next call gets a fresh instance.
    pub fn evaluate(
        &mut self,
        interaction_id: &str,
        interaction_json: &str,
    ) -> Result<PluginEvaluation, PluginError> {
        let plugin = self.plugin.clone();
        let fail = |cause| PluginError {
            plugin: plugin.description.id.clone(),
            interaction: interaction_id.to_string(),
            cause,
        };
        let live = match self.live.take() {
            Some(live) => live,
            None => self.instantiate().map_err(fail)?,
        };
        let Live {
            mut store,
            bindings,
        } = live;
        store.data_mut().rewind_randomness();
        arm(&mut store, &self.plugin.limits);
        let result = bindings
            .goodwill_policy_policy()
            .call_evaluate(&mut store, interaction_json);
        match result {
            Ok(Ok(evaluation)) => {
                match PluginEvaluation::from_wit(evaluation, &self.plugin.description) {
                    Ok(evaluation) => {
                        self.live = Some(Live { store, bindings });
                        Ok(evaluation)
                    }
                    Err(message) => Err(fail(PluginErrorCause::Malformed { message })),
                }
            }
            Ok(Err(message)) => {
                self.live = Some(Live { store, bindings });
                Err(fail(PluginErrorCause::Guest { message }))
            }
            Err(e) => Err(fail(classify(&e, &mut store, &self.plugin.limits))),
        }
    }

    /// What the plugin wrote to stdout and stderr so far, and how many bytes
    /// past the cap were dropped.
    pub fn log(&self) -> (String, u64) {
        self.log.contents()
    }

    /// How many instances this runner created: 1 after the first call, one
    /// more after each failure.
    pub fn instantiations(&self) -> u64 {
        self.instantiations
    }

    fn instantiate(&mut self) -> Result<Live, PluginErrorCause> {
        self.instantiations += 1;
        let (live, configured) = start(
            &self.plugin.pre,
            &self.plugin.limits,
            &self.log,
            &self.plugin.config_json,
        )?;
        match configured {
            Ok(()) => Ok(live),
            Err(message) => Err(PluginErrorCause::Guest {
                message: format!("configure: {message}"),
            }),
        }
    }
}

/// Instantiates and configures; the inner result is the guest's verdict on
/// its configuration.
fn start(
    pre: &PluginPre<HostState>,
    limits: &PluginLimits,
    log: &PluginLog,
    config_json: &str,
) -> Result<(Live, Result<(), String>), PluginErrorCause> {
    let mut store = Store::new(pre.engine(), HostState::new(limits, log));
    store.limiter(|state| state.limiter());
    arm(&mut store, limits);
    let bindings = match pre.instantiate(&mut store) {
        Ok(b) => b,
        Err(e) => return Err(classify(&e, &mut store, limits)),
    };
    arm(&mut store, limits);
    match bindings
        .goodwill_policy_policy()
        .call_configure(&mut store, config_json)
    {
        Ok(verdict) => Ok((Live { store, bindings }, verdict)),
        Err(e) => Err(classify(&e, &mut store, limits)),
    }
}

/// At load: one instance, asked to describe itself and to accept its
/// configuration.
pub(crate) fn describe_and_configure(
    pre: &PluginPre<HostState>,
    name: &str,
    limits: &PluginLimits,
    config_json: &str,
) -> Result<PluginDescription, PluginLoadError> {
    let log = PluginLog::new(limits.log_capacity());
    let call_failed = |call, cause| PluginLoadError::Call {
        name: name.to_string(),
        call,
        cause,
    };
    let mut store = Store::new(pre.engine(), HostState::new(limits, &log));
    store.limiter(|state| state.limiter());
    arm(&mut store, limits);
    let bindings = pre
        .instantiate(&mut store)
        .map_err(|e| call_failed("instantiate", classify(&e, &mut store, limits)))?;
    arm(&mut store, limits);
    let description = bindings
        .goodwill_policy_policy()
        .call_describe(&mut store)
        .map_err(|e| call_failed("describe", classify(&e, &mut store, limits)))?;
    let description = PluginDescription::from_wit(description).map_err(|reason| {
        PluginLoadError::BadDescription {
            name: name.to_string(),
            reason,
        }
    })?;
    arm(&mut store, limits);
    bindings
        .goodwill_policy_policy()
        .call_configure(&mut store, config_json)
        .map_err(|e| call_failed("configure", classify(&e, &mut store, limits)))?
        .map_err(|reason| PluginLoadError::Configure {
            name: description.id.clone(),
            reason,
        })?;
    Ok(description)
}

/// Fresh fuel and a fresh deadline for the next call.
fn arm(store: &mut Store<HostState>, limits: &PluginLimits) {
    // Fuel is always on in this engine, so this cannot fail.
    let _ = store.set_fuel(limits.fuel);
    let tick_ms = TICK.as_millis().max(1) as u64;
    store.set_epoch_deadline(limits.deadline_ms.div_ceil(tick_ms) + 1);
}

/// Why a call failed, from wasmtime's error and what the limiter saw.
fn classify(
    error: &wasmtime::Error,
    store: &mut Store<HostState>,
    limits: &PluginLimits,
) -> PluginErrorCause {
    if store.data_mut().take_memory_refused() {
        return PluginErrorCause::Memory {
            limit_mib: limits.memory_mib,
        };
    }
    if let Some(trap) = error.downcast_ref::<Trap>() {
        return match trap {
            Trap::OutOfFuel => PluginErrorCause::OutOfFuel { fuel: limits.fuel },
            Trap::Interrupt => PluginErrorCause::Deadline {
                deadline_ms: limits.deadline_ms,
            },
            Trap::StackOverflow => PluginErrorCause::StackOverflow,
            other => {
                let text = other.to_string();
                PluginErrorCause::Trap {
                    message: text
                        .strip_prefix("wasm trap: ")
                        .unwrap_or(&text)
                        .to_string(),
                }
            }
        };
    }
    if let Some(exit) = error.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return PluginErrorCause::Trap {
            message: format!("the plugin exited with status {}", exit.0),
        };
    }
    // Not a trap: wasmtime could not read what the guest returned (a string
    // out of bounds, an invalid discriminant, bad UTF-8).
    PluginErrorCause::Malformed {
        message: first_line(&format!("{error:#}")),
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}
