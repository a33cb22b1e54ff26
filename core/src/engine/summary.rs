//! The counts of a run. They add up: read = evaluated + rejected.

use std::collections::BTreeMap;

use super::{Engine, Outcome};
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
}

impl Outcome {
    /// What the summary counts of this outcome, keeping the outcome.
    pub fn tally(&self) -> Tally {
        match self {
            Outcome::Rejected(r) => Tally {
                rejected: Some(r.clone()),
                errors: Vec::new(),
                findings: Vec::new(),
            },
            Outcome::Evaluated(e) => Tally {
                rejected: None,
                findings: e.findings.iter().map(|f| (f.policy, f.check)).collect(),
                errors: e.errors.clone(),
            },
        }
    }

    pub fn into_tally(self) -> Tally {
        match self {
            Outcome::Rejected(r) => Tally {
                rejected: Some(r),
                errors: Vec::new(),
                findings: Vec::new(),
            },
            Outcome::Evaluated(e) => Tally {
                rejected: None,
                findings: e.findings.iter().map(|f| (f.policy, f.check)).collect(),
                errors: e.errors,
            },
        }
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
            *self.findings_by_severity.entry(check.severity).or_default() += 1;
            match self.findings_by_policy.get_mut(policy.id()) {
                Some(n) => *n += 1,
                None => {
                    self.findings_by_policy.insert(policy.id().to_string(), 1);
                }
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
