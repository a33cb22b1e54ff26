//! The policies an audit covers — the pack's TOML policies, then its plugin
//! policies — reduced to what the ledger and the pyramid need of them.

use crate::pack::{Level, Policy, Severity};
use crate::plugin::PluginDescription;

/// One audited policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditedPolicy {
    pub id: String,
    pub title: String,
    pub levels: Vec<Level>,
    pub benefit: BenefitSource,
    pub checks: Vec<AuditedCheck>,
}

/// Where a policy's benefit comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenefitSource {
    /// A TOML policy with a `benefit` expression (`true`) or without one.
    Declared(bool),
    /// A plugin, which reports a benefit with each evaluation or not: the
    /// policy has one if any enforcement reported it.
    Reported,
}

/// A check of an audited policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditedCheck {
    pub id: String,
    pub severity: Severity,
    pub level: Level,
}

impl AuditedCheck {
    fn new(id: &str, severity: Severity, level: Level) -> Self {
        AuditedCheck {
            id: id.to_string(),
            severity,
            level,
        }
    }
}

impl AuditedPolicy {
    pub fn from_policy(p: &Policy) -> AuditedPolicy {
        AuditedPolicy {
            id: p.id().to_string(),
            title: p.def.title.clone(),
            levels: p.def.levels.clone(),
            benefit: BenefitSource::Declared(p.benefit.is_some()),
            checks: p
                .checks
                .iter()
                .map(|c| AuditedCheck::new(&c.id, c.severity, c.level))
                .collect(),
        }
    }

    /// A plugin policy, as its `describe` says.
    pub fn from_plugin(d: &PluginDescription) -> AuditedPolicy {
        AuditedPolicy {
            id: d.id.clone(),
            title: d.title.clone(),
            levels: d.levels.clone(),
            benefit: BenefitSource::Reported,
            checks: d
                .checks
                .iter()
                .map(|c| AuditedCheck::new(&c.id, c.severity, c.level))
                .collect(),
        }
    }

    /// Whether the ledger counts a benefit for this policy, given how many
    /// enforcements reported one.
    pub fn has_benefit(&self, benefit_evaluated: u64) -> bool {
        match self.benefit {
            BenefitSource::Declared(b) => b,
            BenefitSource::Reported => benefit_evaluated > 0,
        }
    }
}
