//! The audit: the loyalty ledger per policy, verdicts, moments of truth and
//! the expectation pyramid.
//!
//! An [`AuditBuilder`] takes interactions one at a time, evaluates every
//! policy on each and keeps only sufficient statistics ([`tally`]); two
//! builders over parts of the input [`merge`](AuditBuilder::merge) into the
//! builder of the whole, in any order. [`AuditBuilder::finish`] turns the
//! statistics into an [`Audit`], which the report printers render. The
//! formulas are in `docs/ledger.md`.

pub mod ledger;
pub mod stats;
pub mod tally;

use std::cmp::Reverse;

use serde_json::{Map, Value as Json};

pub use ledger::{
    Assumptions, Audit, CheckFindings, InputSummary, LevelFindings, Moment, PolicyLedger, Pyramid,
    Rejection, SCHEMA_VERSION, Verdict, amount, money,
};
pub use stats::Estimate;

use crate::cel::Activation;
use crate::evaluate::evaluate_policy;
use crate::pack::{Level, Pack, Severity};
use crate::template::lookup;
use tally::{ArmTally, ErrorTally, Micros, PolicyTally, Smallest};

/// How many moments of truth a report shows unless told otherwise.
pub const DEFAULT_MOMENTS: usize = 10;
/// How many rejected records a report lists (all are counted).
pub const REJECTIONS_SHOWN: usize = 20;

/// Where a record came from, for rejection messages and a stable order.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// The input's name (a path, or `-`).
    pub source: &'a str,
    /// The input's position among all inputs.
    pub source_index: usize,
    /// 1-based line (or record number) inside the input.
    pub line: u64,
}

/// Accumulates an audit over interactions.
#[derive(Debug, Clone)]
pub struct AuditBuilder<'p> {
    pack: &'p Pack,
    records: u64,
    rejected: u64,
    rejections: Smallest<Rejection>,
    policies: Vec<PolicyTally>,
    moments: Smallest<MomentEntry>,
    moments_limit: usize,
}

/// A moment with its ranking key: largest net loss first, then by
/// interaction and policy id, so ties break the same way every run.
#[derive(Debug, Clone)]
struct MomentEntry {
    key: (Reverse<Micros>, String, String),
    moment: Moment,
}

impl PartialEq for MomentEntry {
    fn eq(&self, o: &Self) -> bool {
        self.key == o.key
    }
}
impl Eq for MomentEntry {}
impl PartialOrd for MomentEntry {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for MomentEntry {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.key.cmp(&o.key)
    }
}

/// The loyalty facts of one interaction, read once for all policies.
struct Facts {
    customer_value: f64,
    value_micros: Micros,
    churned: Option<bool>,
    complaint: Option<bool>,
    csat: Option<u64>,
    nps: Option<i64>,
    customer: Option<String>,
    channel: Option<String>,
}

impl Facts {
    fn read(record: &Map<String, Json>, default_value: f64) -> Facts {
        let customer_value = lookup(record, "customer.lifetime_value")
            .and_then(Json::as_f64)
            .filter(|v| v.is_finite() && *v >= 0.0)
            .unwrap_or(default_value);
        let text = |path| {
            lookup(record, path)
                .and_then(Json::as_str)
                .map(str::to_string)
        };
        Facts {
            customer_value,
            value_micros: Micros::from_f64(customer_value).unwrap_or_default(),
            churned: lookup(record, "churned").and_then(Json::as_bool),
            complaint: lookup(record, "complaint").and_then(Json::as_bool),
            csat: lookup(record, "csat")
                .and_then(Json::as_u64)
                .filter(|v| (1..=5).contains(v)),
            nps: lookup(record, "nps")
                .and_then(Json::as_i64)
                .filter(|v| (0..=10).contains(v)),
            customer: text("customer.id"),
            channel: text("channel"),
        }
    }

    fn count_into(&self, arm: &mut ArmTally) {
        arm.interactions += 1;
        arm.customer_value += self.value_micros;
        if let Some(c) = self.churned {
            arm.churn_known += 1;
            arm.churned += u64::from(c);
        }
        if let Some(c) = self.complaint {
            arm.complaint_known += 1;
            arm.complaints += u64::from(c);
        }
        if let Some(s) = self.csat {
            arm.csat_responses += 1;
            arm.csat_sum += s;
        }
        if let Some(n) = self.nps {
            arm.nps_responses += 1;
            arm.detractors += u64::from(n <= 6);
            arm.promoters += u64::from(n >= 9);
        }
    }
}

impl<'p> AuditBuilder<'p> {
    /// An empty audit of `pack`, keeping the `moments` costliest
    /// interactions.
    pub fn new(pack: &'p Pack, moments: usize) -> Self {
        AuditBuilder {
            pack,
            records: 0,
            rejected: 0,
            rejections: Smallest::new(REJECTIONS_SHOWN),
            policies: vec![PolicyTally::default(); pack.policies.len()],
            moments: Smallest::new(moments),
            moments_limit: moments,
        }
    }

    /// Counts a record that could not be read at all (bad JSON, not an
    /// object): it is reported, never dropped silently.
    pub fn reject(&mut self, origin: Origin<'_>, reason: impl Into<String>) {
        self.records += 1;
        self.rejected += 1;
        self.rejections.push(Rejection {
            order: (origin.source_index, origin.line),
            source: origin.source.to_string(),
            line: origin.line,
            reason: reason.into(),
        });
    }

    /// Evaluates every policy on one interaction. A record without a string
    /// `id`, or whose fields do not fit their types, is rejected; returns
    /// whether it was audited.
    pub fn add(&mut self, origin: Origin<'_>, record: &Map<String, Json>) -> bool {
        let Some(id) = record.get("id").and_then(Json::as_str) else {
            self.reject(origin, "the record has no string `id`");
            return false;
        };
        let activation = match Activation::new(record, &self.pack.catalog) {
            Ok(a) => a,
            Err(e) => {
                self.reject(origin, format!("record `{id}`: {e}"));
                return false;
            }
        };
        self.records += 1;
        let facts = Facts::read(record, self.pack.manifest.economics.default_customer_value);
        let order = (origin.source_index, origin.line);
        for (policy, tally) in self.pack.policies.iter().zip(self.policies.iter_mut()) {
            let out = evaluate_policy(policy, &activation, record);
            for err in out.errors {
                let example = (order, id.to_string(), err.message);
                match tally.errors.get_mut(&err.expression) {
                    Some(e) => {
                        e.count += 1;
                        if example < e.example {
                            e.example = example;
                        }
                    }
                    None => {
                        tally
                            .errors
                            .insert(err.expression, ErrorTally { count: 1, example });
                    }
                }
            }
            if !out.applies {
                continue;
            }
            tally.applied += 1;
            for fired in &out.fired {
                *tally.findings.entry(fired.check_id.clone()).or_default() += 1;
            }
            if !out.enforced {
                facts.count_into(&mut tally.waived);
                continue;
            }
            facts.count_into(&mut tally.enforced);
            let stake = out
                .benefit
                .and_then(|b| Micros::from_f64(b).map(|m| (b, m)));
            if let Some((_, m)) = stake {
                tally.benefit_evaluated += 1;
                tally.benefit += m;
            }
            if facts.churned == Some(true) && self.moments_limit > 0 {
                let stake = stake.map_or(0.0, |(b, _)| b);
                let net_loss = facts.customer_value - stake;
                self.moments.push(MomentEntry {
                    key: (
                        Reverse(Micros::from_f64(net_loss).unwrap_or_default()),
                        id.to_string(),
                        policy.id().to_string(),
                    ),
                    moment: Moment {
                        policy: policy.id().to_string(),
                        interaction: id.to_string(),
                        customer: facts.customer.clone(),
                        channel: facts.channel.clone(),
                        stake,
                        customer_value: facts.customer_value,
                        net_loss,
                        complaint: facts.complaint,
                        nps: facts.nps,
                        evidence: out.fired.iter().map(|f| f.message.clone()).collect(),
                    },
                });
            }
        }
        true
    }

    /// Adds another builder's statistics (over other records of the same
    /// pack). Commutative and associative: the finished audit does not
    /// depend on how the input was split or in which order parts merge.
    pub fn merge(&mut self, other: AuditBuilder<'p>) {
        self.records += other.records;
        self.rejected += other.rejected;
        self.rejections.merge(other.rejections);
        for (mine, theirs) in self.policies.iter_mut().zip(&other.policies) {
            mine.merge(theirs);
        }
        self.moments.merge(other.moments);
    }

    /// The finished audit.
    pub fn finish(self) -> Audit {
        let pack = self.pack;
        let assumptions = Assumptions::new(&pack.manifest.economics, self.moments_limit);
        let currency = pack.manifest.pack.currency.as_str();
        let policies = pack
            .policies
            .iter()
            .zip(&self.policies)
            .map(|(p, t)| ledger::policy_ledger(p, t, &assumptions, currency))
            .collect();
        Audit {
            schema_version: SCHEMA_VERSION,
            pack: pack.manifest.pack.name.clone(),
            currency: currency.to_string(),
            input: InputSummary {
                records: self.records,
                evaluated: self.records - self.rejected,
                rejected: self.rejected,
                rejections: self.rejections.into_sorted(),
            },
            pyramid: pyramid(pack, &self.policies),
            moments_of_truth: self
                .moments
                .into_sorted()
                .into_iter()
                .map(|e| e.moment)
                .collect(),
            assumptions,
            policies,
        }
    }
}

fn pyramid(pack: &Pack, tallies: &[PolicyTally]) -> Pyramid {
    let mut levels: Vec<LevelFindings> = Level::ALL
        .iter()
        .map(|&level| LevelFindings {
            level,
            rank: level.rank(),
            findings: 0,
            errors: 0,
            warnings: 0,
            infos: 0,
            checks: Vec::new(),
        })
        .collect();
    for (policy, tally) in pack.policies.iter().zip(tallies) {
        for check in &policy.checks {
            let n = tally.findings.get(&check.id).copied().unwrap_or(0);
            let l = &mut levels[usize::from(check.level.rank() - 1)];
            l.findings += n;
            match check.severity {
                Severity::Error => l.errors += n,
                Severity::Warning => l.warnings += n,
                Severity::Info => l.infos += n,
            }
            if n > 0 {
                l.checks.push(CheckFindings {
                    policy: policy.id().to_string(),
                    check: check.id.clone(),
                    severity: check.severity,
                    findings: n,
                });
            }
        }
    }
    for l in &mut levels {
        l.checks.sort_by(|a, b| {
            b.findings
                .cmp(&a.findings)
                .then_with(|| a.policy.cmp(&b.policy))
                .then_with(|| a.check.cmp(&b.check))
        });
    }
    let breaks_first = levels.iter().find(|l| l.findings > 0).map(|l| l.level);
    Pyramid {
        levels,
        breaks_first,
    }
}

#[cfg(test)]
mod tests;
