//! Baselines: the findings a pack had when the baseline was written, by
//! fingerprint, so CI fails only on new ones. A fingerprint is rule +
//! policy + a hash of the fields the rule read, so moving lines keeps a
//! finding in the baseline and changing what the policy says does not.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Finding, Status};

/// The baseline file, JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version; 1.
    pub version: u32,
    /// Sorted by fingerprint.
    pub findings: Vec<BaselineEntry>,
}

/// One baselined finding; only `fingerprint` is matched, the rest is for
/// people reading the file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule: String,
    pub policy: Option<String>,
    pub message: String,
}

impl Baseline {
    /// The baseline of `findings`: every lint finding not waived (waiver
    /// faults are never baselined: they must be fixed).
    pub fn of(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .filter(|f| f.policy.is_some() && !matches!(f.status, Status::Waived { .. }))
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.clone(),
                policy: f.policy.clone(),
                message: f.message.clone(),
            })
            .collect();
        entries.sort();
        entries.dedup();
        Baseline {
            version: 1,
            findings: entries,
        }
    }

    /// Marks the active findings the baseline holds as baselined; returns
    /// how many.
    pub fn apply(&self, findings: &mut [Finding]) -> usize {
        let known: BTreeSet<&str> = self
            .findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let mut n = 0;
        for f in findings
            .iter_mut()
            .filter(|f| f.is_active() && f.policy.is_some())
        {
            if known.contains(f.fingerprint.as_str()) {
                f.status = Status::Baselined;
                n += 1;
            }
        }
        n
    }
}
