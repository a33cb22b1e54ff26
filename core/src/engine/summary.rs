//! The counts of a run. They add up: read = evaluated + rejected.

use std::collections::BTreeMap;

use super::{Engine, Outcome, PluginFailure};
use crate::input::{Reject, RejectKind};
use crate::pack::Severity;

/// Most distinct reject reasons kept; the rest are counted under their kind
/// only.
const MAX_REASONS: usize = 1000;

/// What a run read and found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub read: u64,
    pub evaluated: u64,
    pub rejected: u64,
    /// Rejected records by kind.
    pub rejected_by_kind: BTreeMap<RejectKind, u64>,
    /// Rejected records by reason, for the top reasons.
    pub reasons: BTreeMap<String, u64>,
    /// Expressions that failed on an evaluated record.
    pub evaluation_errors: u64,
    pub evaluation_reasons: BTreeMap<String, u64>,
    pub findings_by_severity: BTreeMap<Severity, u64>,
    /// Findings by policy id.
    pub findings_by_policy: BTreeMap<String, u64>,
    /// Plugin calls that failed on an evaluated record (the record was
    /// evaluated by every other policy).
    pub plugin_errors: u64,
    /// Plugin errors by `plugin `id`: cause`, for the top causes.
    pub plugin_error_causes: BTreeMap<String, u64>,
}

/// What the summary needs of one outcome: small, so that it crosses from
/// the worker to the calling thread cheaply while the record itself is
/// dropped on the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// The reject, when the record was rejected.
    pub rejected: Option<Reject>,
    /// Expressions that failed on the evaluated record.
    pub errors: Vec<Reject>,
    /// (policy index, check index) of each finding.
    pub findings: Vec<(usize, usize)>,
    /// (plugin index, severity) of each plugin finding.
    pub plugin_findings: Vec<(usize, Severity)>,
    /// The plugins that failed on the evaluated record.
    pub plugin_errors: Vec<PluginFailure>,
}

impl Outcome {
    /// What the summary counts of this outcome, keeping the outcome (the
    /// audit reduces it further). Only rejects and failures are copied.
    pub fn tally(&self) -> Tally {
        match self {
            Outcome::Rejected(r) => Tally {
                rejected: Some(r.clone()),
                errors: Vec::new(),
                findings: Vec::new(),
                plugin_findings: Vec::new(),
                plugin_errors: Vec::new(),
            },
            Outcome::Evaluated(e) => {
                let mut plugin_findings = Vec::new();
                let mut plugin_errors = Vec::new();
                for (i, outcome) in e.plugins.iter().enumerate() {
                    match outcome {
                        Ok(evaluation) => plugin_findings
                            .extend(evaluation.findings.iter().map(|f| (i, f.severity))),
                        Err(error) => plugin_errors.push(PluginFailure {
                            origin: e.interaction.origin.clone(),
                            error: error.clone(),
                            text: e.interaction.text(),
                        }),
                    }
                }
                Tally {
                    rejected: None,
                    findings: e.findings.iter().map(|f| (f.policy, f.check)).collect(),
                    errors: e.errors.clone(),
                    plugin_findings,
                    plugin_errors,
                }
            }
        }
    }

    pub fn into_tally(self) -> Tally {
        self.tally()
    }
}

impl Summary {
    /// Counts one outcome.
    pub fn add(&mut self, engine: &Engine<'_>, tally: &Tally) {
        self.read += 1;
        if let Some(r) = &tally.rejected {
            self.rejected += 1;
            *self.rejected_by_kind.entry(r.kind).or_default() += 1;
            count_reason(&mut self.reasons, &r.reason);
            return;
        }
        self.evaluated += 1;
        for err in &tally.errors {
            self.evaluation_errors += 1;
            count_reason(&mut self.evaluation_reasons, &err.reason);
        }
        for &(p, c) in &tally.findings {
            let policy = &engine.pack().policies[p];
            let check = &policy.checks[c];
            self.count_finding(check.severity, policy.id());
        }
        for &(p, severity) in &tally.plugin_findings {
            self.count_finding(severity, engine.plugins()[p].id());
        }
        for failure in &tally.plugin_errors {
            self.plugin_errors += 1;
            let cause = format!("plugin `{}`: {}", failure.error.plugin, failure.error.cause);
            count_reason(&mut self.plugin_error_causes, &cause);
        }
    }

    fn count_finding(&mut self, severity: Severity, policy: &str) {
        *self.findings_by_severity.entry(severity).or_default() += 1;
        match self.findings_by_policy.get_mut(policy) {
            Some(n) => *n += 1,
            None => {
                self.findings_by_policy.insert(policy.to_string(), 1);
            }
        }
    }

    pub fn findings(&self) -> u64 {
        self.findings_by_severity.values().sum()
    }

    /// The most frequent reasons, most frequent first, ties by text.
    pub fn top_reasons(map: &BTreeMap<String, u64>, n: usize) -> Vec<(&str, u64)> {
        let mut v: Vec<(&str, u64)> = map.iter().map(|(k, c)| (k.as_str(), *c)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.truncate(n);
        v
    }
}

fn count_reason(map: &mut BTreeMap<String, u64>, reason: &str) {
    if let Some(c) = map.get_mut(reason) {
        *c += 1;
    } else if map.len() < MAX_REASONS {
        map.insert(reason.to_string(), 1);
    }
}
