//! The audit: the loyalty ledger per policy, verdicts, moments of truth and
//! the expectation pyramid.
//!
//! An [`AuditBuilder`] folds the engine's outcome for each record
//! ([`crate::engine`]) into sufficient statistics ([`AuditStats`], built of
//! [`tally`]); statistics over parts of the input
//! [`merge`](AuditStats::merge) into those of the whole, in any order, and
//! travel between machines as [`partial`] audits. [`AuditBuilder::finish`] turns the
//! statistics into an [`Audit`], which the report printers render. The
//! formulas are in `docs/ledger.md`.

pub mod ledger;
pub mod partial;
pub mod policies;
pub mod stats;
pub mod tally;

use std::cmp::Reverse;

pub use ledger::{
    Assumptions, Audit, CheckFindings, InputSummary, LevelFindings, Moment, PolicyLedger, Pyramid,
    Rejection, SCHEMA_VERSION, Verdict, amount, money,
};
pub use policies::{AuditedCheck, AuditedPolicy, BenefitSource};
pub use stats::Estimate;

use std::ops::ControlFlow;
use std::sync::Arc;

use crate::engine::{Outcome, Weigh, run_ordered};
use crate::evaluate::{EvalFailure, PolicyOutcome};
use crate::input::{InputError, Reject};
use crate::pack::{Level, Pack, Severity};
use crate::plugin::LoadedPlugin;
use crate::record::{Fields, Record};
pub use tally::{ArmTally, ErrorExample, ErrorTally, Micros, PolicyTally, Smallest};

/// How many moments of truth a report shows unless told otherwise.
pub const DEFAULT_MOMENTS: usize = 10;
/// How many rejected records a report lists (all are counted).
pub const REJECTIONS_SHOWN: usize = 20;

/// Accumulates an audit over interactions.
#[derive(Debug, Clone)]
pub struct AuditBuilder<'p> {
    pack: &'p Pack,
    /// The pack's policies, then its plugins', in the order of
    /// [`AuditStats::policies`].
    policies: Vec<AuditedPolicy>,
    stats: AuditStats,
}

/// The audit's sufficient statistics, without the pack: what a partial
/// audit carries between machines. Two over disjoint records merge into the
/// statistics of their union, in any order.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditStats {
    pub records: u64,
    pub rejected: u64,
    /// The first [`REJECTIONS_SHOWN`] rejections in record order.
    pub rejections: Smallest<Rejection>,
    /// One per policy, in the pack's order.
    pub policies: Vec<PolicyTally>,
    /// The costliest moments of truth.
    pub moments: Smallest<MomentEntry>,
}

impl AuditStats {
    /// Empty statistics for `policies` policies, keeping `moments` moments.
    pub fn new(policies: usize, moments: usize) -> Self {
        AuditStats {
            records: 0,
            rejected: 0,
            rejections: Smallest::new(REJECTIONS_SHOWN),
            policies: vec![PolicyTally::default(); policies],
            moments: Smallest::new(moments),
        }
    }

    /// How many moments of truth these statistics keep.
    pub fn moments_limit(&self) -> usize {
        self.moments.limit()
    }

    /// Adds the statistics of other records of the same pack. Commutative
    /// and associative: the finished audit does not depend on how the input
    /// was split or in which order parts merge. Both must keep the same
    /// number of moments, or the result keeps the smaller number.
    pub fn merge(&mut self, other: AuditStats) {
        self.records += other.records;
        self.rejected += other.rejected;
        self.rejections.merge(other.rejections);
        for (mine, theirs) in self.policies.iter_mut().zip(&other.policies) {
            mine.merge(theirs);
        }
        let limit = self.moments.limit().min(other.moments.limit());
        let mine = std::mem::replace(&mut self.moments, Smallest::new(0));
        self.moments = Smallest::from_items(
            limit,
            mine.into_sorted()
                .into_iter()
                .chain(other.moments.into_sorted()),
        );
    }

    /// Keeps only the `n` costliest moments of truth (no more than it
    /// keeps already).
    pub fn limit_moments(&mut self, n: usize) {
        let n = n.min(self.moments.limit());
        let kept = std::mem::replace(&mut self.moments, Smallest::new(0));
        self.moments = Smallest::from_items(n, kept.into_sorted());
    }

    /// Folds in one record's observation.
    pub fn add(&mut self, observation: Observation) {
        match observation {
            Observation::Rejected(r) => {
                self.records += 1;
                self.rejected += 1;
                self.rejections.push(r);
            }
            Observation::Audited(a) => self.add_audited(*a),
        }
    }

    fn add_audited(&mut self, a: Audited) {
        self.records += 1;
        let Audited {
            source,
            line,
            id,
            facts,
            policies,
        } = a;
        for (index, out) in policies {
            let Some(tally) = self.policies.get_mut(index) else {
                continue;
            };
            for err in out.errors {
                let first = ErrorExample {
                    source: source.to_string(),
                    line,
                    interaction: id.clone(),
                    message: err.message,
                };
                match tally.errors.get_mut(&err.expression) {
                    Some(e) => {
                        e.count += 1;
                        if first < e.first {
                            e.first = first;
                        }
                    }
                    None => {
                        tally
                            .errors
                            .insert(err.expression, ErrorTally { count: 1, first });
                    }
                }
            }
            if !out.applies {
                continue;
            }
            tally.applied += 1;
            for fired in &out.fired {
                match tally.findings.get_mut(&fired.check_id) {
                    Some(n) => *n += 1,
                    None => {
                        tally.findings.insert(fired.check_id.clone(), 1);
                    }
                }
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
            if facts.churned == Some(true) && self.moments.limit() > 0 {
                let stake = stake.map_or(0.0, |(b, _)| b);
                self.moments.push(MomentEntry::new(Moment {
                    policy: out.policy,
                    interaction: id.clone(),
                    customer: facts.customer.clone(),
                    channel: facts.channel.clone(),
                    stake,
                    customer_value: facts.customer_value,
                    net_loss: facts.customer_value - stake,
                    complaint: facts.complaint,
                    nps: facts.nps,
                    evidence: out.fired.into_iter().map(|f| f.message).collect(),
                }));
            }
        }
    }
}

/// A moment with its ranking key: largest net loss first, then by
/// interaction and policy id, so ties break the same way every run.
#[derive(Debug, Clone)]
pub struct MomentEntry {
    key: (Reverse<Micros>, String, String),
    moment: Moment,
}

impl MomentEntry {
    pub fn new(moment: Moment) -> Self {
        MomentEntry {
            key: (
                Reverse(Micros::from_f64(moment.net_loss).unwrap_or_default()),
                moment.interaction.clone(),
                moment.policy.clone(),
            ),
            moment,
        }
    }

    pub fn moment(&self) -> &Moment {
        &self.moment
    }
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

/// What the audit keeps of one record, computed where the record was
/// evaluated (on a worker thread) so the record itself need not travel.
#[derive(Debug, Clone)]
pub enum Observation {
    Audited(Box<Audited>),
    Rejected(Rejection),
}

/// An evaluated interaction, reduced to what the ledger needs.
#[derive(Debug, Clone)]
pub struct Audited {
    source: Arc<str>,
    line: u64,
    id: String,
    facts: Facts,
    /// The outcomes of the policies that applied or failed, with the
    /// policy's index in the pack.
    policies: Vec<(usize, PolicyObservation)>,
}

#[derive(Debug, Clone)]
struct PolicyObservation {
    policy: String,
    applies: bool,
    enforced: bool,
    benefit: Option<f64>,
    fired: Vec<crate::evaluate::FiredCheck>,
    errors: Vec<crate::evaluate::EvalFailure>,
}

/// Reduces the engine's outcomes to [`Observation`]s; cheap to share
/// between worker threads.
#[derive(Debug, Clone)]
pub struct Observer {
    /// Policy ids in the order of the engine's outcomes: the pack's
    /// policies, then its plugins.
    ids: Arc<[String]>,
    default_value: f64,
}

impl Observer {
    /// What the audit keeps of the engine's outcome for one record. A
    /// record the engine rejected is a rejection; one it evaluated keeps its
    /// loyalty facts and the outcomes of the policies that applied or
    /// failed.
    pub fn observe(&self, outcome: Outcome) -> Observation {
        match outcome {
            Outcome::Rejected(r) => Observation::Rejected(rejection(&r)),
            Outcome::Evaluated(e) => {
                let facts = Facts::read(&e.interaction.record, self.default_value);
                // A plugin's evaluation counts like a TOML policy's outcome;
                // its failure is an error of that policy, which then
                // neither applied nor was enforced.
                let plugins = e.plugins.into_iter().map(|p| match p {
                    Ok(evaluation) => evaluation.to_outcome(),
                    Err(error) => PolicyOutcome {
                        applies: false,
                        enforced: false,
                        benefit: None,
                        fired: Vec::new(),
                        errors: vec![EvalFailure {
                            expression: format!("plugin ({})", error.cause.kind()),
                            message: error.cause.to_string(),
                        }],
                    },
                });
                let policies = self
                    .ids
                    .iter()
                    .zip(e.policies.into_iter().chain(plugins))
                    .enumerate()
                    .filter(|(_, (_, out))| out.applies || !out.errors.is_empty())
                    .map(|(i, (id, out))| {
                        (
                            i,
                            PolicyObservation {
                                policy: id.clone(),
                                applies: out.applies,
                                enforced: out.enforced,
                                benefit: out.benefit,
                                fired: out.fired,
                                errors: out.errors,
                            },
                        )
                    })
                    .collect();
                Observation::Audited(Box::new(Audited {
                    source: e.interaction.origin.file.clone(),
                    line: e.interaction.origin.line,
                    id: e.interaction.id,
                    facts,
                    policies,
                }))
            }
        }
    }
}

/// A rejected record as the report lists it.
pub fn rejection(r: &Reject) -> Rejection {
    Rejection {
        source: r.origin.file.to_string(),
        line: r.origin.line,
        kind: r.kind.name().to_string(),
        reason: r.reason.clone(),
    }
}

/// The loyalty facts of one interaction, read once for all policies.
#[derive(Debug, Clone)]
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
    fn read(record: &Record, default_value: f64) -> Facts {
        let lookup = |path: &str| record.get(path);
        let customer_value = lookup("customer.lifetime_value")
            .and_then(|v| v.as_f64())
            .filter(|v| v.is_finite() && *v >= 0.0)
            .unwrap_or(default_value);
        let text = |path| lookup(path).and_then(|v| v.as_str().map(str::to_string));
        Facts {
            customer_value,
            value_micros: Micros::from_f64(customer_value).unwrap_or_default(),
            churned: lookup("churned").and_then(|v| v.as_bool()),
            complaint: lookup("complaint").and_then(|v| v.as_bool()),
            csat: lookup("csat")
                .and_then(|v| v.as_u64())
                .filter(|v| (1..=5).contains(v)),
            nps: lookup("nps")
                .and_then(|v| v.as_i64())
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
            policies: pack
                .policies
                .iter()
                .map(AuditedPolicy::from_policy)
                .collect(),
            stats: AuditStats::new(pack.policies.len(), moments),
        }
    }

    /// Also audits the pack's plugin policies, after its TOML policies, in
    /// the order of the engine's plugin outcomes.
    pub fn with_plugins(mut self, plugins: &[LoadedPlugin]) -> Self {
        for p in plugins {
            self.policies.push(AuditedPolicy::from_plugin(p.describe()));
            self.stats.policies.push(PolicyTally::default());
        }
        self
    }

    /// An audit of `pack` from statistics gathered elsewhere (a merged
    /// partial). The caller has checked they come from this pack
    /// ([`partial::Partial::check_pack`]).
    /// `plugins` are the pack's loaded plugins (none for a pack without).
    pub fn from_stats(pack: &'p Pack, plugins: &[LoadedPlugin], stats: AuditStats) -> Self {
        let mut b = AuditBuilder::new(pack, 0).with_plugins(plugins);
        b.stats = stats;
        b
    }

    pub fn pack(&self) -> &'p Pack {
        self.pack
    }

    /// The audited policies, in the order of the statistics.
    pub fn policies(&self) -> &[AuditedPolicy] {
        &self.policies
    }

    /// What reduces the engine's outcomes for this audit, on any thread.
    pub fn observer(&self) -> Observer {
        Observer {
            ids: self.policies.iter().map(|p| p.id.clone()).collect(),
            default_value: self.pack.manifest.economics.default_customer_value,
        }
    }

    pub fn stats(&self) -> &AuditStats {
        &self.stats
    }

    pub fn into_stats(self) -> AuditStats {
        self.stats
    }

    /// Folds in the engine's outcome for one record.
    pub fn add(&mut self, outcome: Outcome) {
        let observation = self.observer().observe(outcome);
        self.stats.add(observation);
    }

    /// Folds in an observation made on another thread.
    pub fn observe(&mut self, observation: Observation) {
        self.stats.add(observation);
    }

    /// Evaluates `records` on `jobs` threads with `evaluate` (one of the
    /// engine's entry points) and folds every outcome in. Each record is
    /// reduced to its [`Observation`] on the worker that evaluated it; the
    /// statistics do not depend on `jobs`. A fault reading an input ends
    /// the run after the records before it were folded in.
    pub fn run<I, R, E>(&mut self, records: I, jobs: usize, evaluate: E) -> Result<(), InputError>
    where
        I: Iterator<Item = Result<R, InputError>> + Send,
        R: Weigh + Send,
        E: Fn(R) -> Outcome + Sync + Send,
    {
        let observer = self.observer();
        let stats = &mut self.stats;
        run_ordered(
            records,
            jobs,
            |r| observer.observe(evaluate(r)),
            |o| {
                stats.add(o);
                ControlFlow::Continue(())
            },
        )
        .map(|_| ())
    }

    /// Adds another builder's statistics (over other records of the same
    /// pack). See [`AuditStats::merge`].
    pub fn merge(&mut self, other: AuditBuilder<'p>) {
        self.stats.merge(other.stats);
    }

    /// The finished audit.
    pub fn finish(self) -> Audit {
        let pack = self.pack;
        let stats = self.stats;
        let assumptions = Assumptions::new(&pack.manifest.economics, stats.moments_limit());
        let currency = pack.manifest.pack.currency.as_str();
        let policies = self
            .policies
            .iter()
            .zip(&stats.policies)
            .map(|(p, t)| ledger::policy_ledger(p, t, &assumptions, currency))
            .collect();
        Audit {
            schema_version: SCHEMA_VERSION,
            pack: pack.manifest.pack.name.clone(),
            currency: currency.to_string(),
            input: InputSummary {
                records: stats.records,
                evaluated: stats.records - stats.rejected,
                rejected: stats.rejected,
                rejections: stats.rejections.into_sorted(),
            },
            pyramid: pyramid(&self.policies, &stats.policies),
            moments_of_truth: stats
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

fn pyramid(policies: &[AuditedPolicy], tallies: &[PolicyTally]) -> Pyramid {
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
    for (policy, tally) in policies.iter().zip(tallies) {
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
                    policy: policy.id.clone(),
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
mod partial_tests;
#[cfg(test)]
mod tests;
