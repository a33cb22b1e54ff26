//! Bulk evaluation: raw records in, per-interaction outcomes out, in input
//! order on any number of threads. Every interaction is evaluated by the
//! pack's TOML policies and by its plugin policies
//! ([`Engine::with_plugins`]), each worker thread calling plugins through
//! its own runners. `goodwill eval` renders the outcomes as
//! JSON lines; the audit folds them into its ledger. Both plug in through
//! [`run_ordered`]'s `work` (runs on the workers) and `sink` (runs in input
//! order on the calling thread).

mod pipeline;
mod plugins;
mod summary;

pub use pipeline::{Finish, Weigh, run_ordered};
pub use plugins::{PluginFailure, PluginOutcome};
pub use summary::{Summary, Tally};

use std::borrow::Cow;

use serde_json::Value as Json;

use crate::cel::Bound;
use crate::evaluate::{PolicyOutcome, evaluate_policy_bound};
use crate::input::{Interaction, Mapping, MappingError, RawRecord, Reject, RejectKind, decode};
use crate::pack::{Check, Pack, Policy};
use crate::plugin::LoadedPlugin;
use crate::record::{Fields, Record};
use plugins::PluginSet;

/// Evaluates records against a pack.
#[derive(Debug)]
pub struct Engine<'p> {
    pack: &'p Pack,
    mapping: Mapping,
    plugins: PluginSet,
}

/// What became of one record.
#[derive(Debug, Clone)]
pub enum Outcome {
    Evaluated(Evaluated),
    Rejected(Reject),
}

/// One interaction, evaluated by every policy of the pack.
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub interaction: Interaction,
    /// One per policy of the pack, in the pack's order.
    pub policies: Vec<PolicyOutcome>,
    /// The checks that fired, in policy then check order.
    pub findings: Vec<Finding>,
    /// Expressions that failed on this interaction, as rejects of kind
    /// [`RejectKind::Evaluation`] naming policy and expression.
    pub errors: Vec<Reject>,
    /// One per plugin of the engine ([`Engine::plugins`]), in the pack's
    /// `[[plugins]]` order: its evaluation, or the plugin error it got (a
    /// failed plugin changes nothing else here).
    pub plugins: Vec<PluginOutcome>,
}

/// A check that fired on an interaction. Its evidence is read from the
/// interaction when it is written: [`Engine::evidence`].
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Index of the policy in [`Pack::policies`].
    pub policy: usize,
    /// Index of the check in [`Policy::checks`].
    pub check: usize,
    pub message: String,
}

impl<'p> Engine<'p> {
    /// An engine for `pack`, with its `[mapping]`.
    pub fn new(pack: &'p Pack) -> Result<Engine<'p>, Vec<MappingError>> {
        Ok(Engine {
            pack,
            mapping: Mapping::new(&pack.manifest.mapping, &pack.catalog)?,
            plugins: PluginSet::new(Vec::new()),
        })
    }

    /// Also evaluates every interaction with `plugins` (the pack's
    /// `[[plugins]]` as [`crate::plugin::load_pack_plugins`] loaded them),
    /// each thread through its own runners.
    pub fn with_plugins(mut self, plugins: Vec<LoadedPlugin>) -> Self {
        self.plugins = PluginSet::new(plugins);
        self
    }

    /// The plugin policies, in the order of [`Evaluated::plugins`].
    pub fn plugins(&self) -> &[LoadedPlugin] {
        self.plugins.loaded()
    }

    pub fn pack(&self) -> &'p Pack {
        self.pack
    }

    pub fn mapping(&self) -> &Mapping {
        &self.mapping
    }

    /// Parses, maps, binds and evaluates one record.
    pub fn evaluate(&self, raw: RawRecord) -> Outcome {
        match decode(raw, &self.mapping) {
            Ok(interaction) => self.evaluate_interaction(interaction),
            Err(reject) => Outcome::Rejected(reject),
        }
    }

    /// Evaluates an interaction decoded elsewhere (the demo's), or passes
    /// its rejection on.
    pub fn evaluate_decoded(&self, decoded: Result<Interaction, Reject>) -> Outcome {
        match decoded {
            Ok(interaction) => self.evaluate_interaction(interaction),
            Err(reject) => Outcome::Rejected(reject),
        }
    }

    /// Binds and evaluates one decoded interaction.
    pub fn evaluate_interaction(&self, interaction: Interaction) -> Outcome {
        let bound = Bound::new(&interaction.record, &self.pack.catalog);
        let mut policies = Vec::with_capacity(self.pack.policies.len());
        let mut findings = Vec::new();
        let mut errors = Vec::new();
        for (pi, policy) in self.pack.policies.iter().enumerate() {
            let outcome = evaluate_policy_bound(policy, &bound);
            for fired in &outcome.fired {
                let Some(ci) = policy.checks.iter().position(|c| c.id == fired.check_id) else {
                    continue;
                };
                findings.push(Finding {
                    policy: pi,
                    check: ci,
                    message: fired.message.clone(),
                });
            }
            for failure in &outcome.errors {
                errors.push(Reject {
                    origin: interaction.origin.clone(),
                    kind: RejectKind::Evaluation,
                    reason: format!(
                        "policy `{}`, `{}`: {}",
                        policy.id(),
                        failure.expression,
                        failure.message
                    ),
                    text: String::new(),
                });
            }
            policies.push(outcome);
        }
        drop(bound);
        let plugins = self.plugins.evaluate(&interaction);
        if !errors.is_empty() {
            let text = interaction.text();
            for e in &mut errors {
                e.text.clone_from(&text);
            }
        }
        Outcome::Evaluated(Evaluated {
            interaction,
            policies,
            findings,
            errors,
            plugins,
        })
    }

    /// The policy and check a finding is about.
    pub fn check_of(&self, finding: &Finding) -> (&'p Policy, &'p Check) {
        let policy = &self.pack.policies[finding.policy];
        (policy, &policy.checks[finding.check])
    }

    /// The evidence of `finding` on `record`, the interaction it fired
    /// on: the value of every field the check's condition reads, first
    /// read first, each once; `null` for a field the interaction lacks.
    pub fn evidence<'r>(
        &self,
        finding: &Finding,
        record: &'r Record,
    ) -> impl Iterator<Item = (&'p str, Cow<'r, Json>)> + use<'p, 'r> {
        self.check_of(finding).1.when.read_paths().map(move |path| {
            let value = record.get(path).unwrap_or(Cow::Owned(Json::Null));
            (path, value)
        })
    }
}
