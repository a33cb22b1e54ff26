//! The finished audit: what the report printers render and what
//! `--format json` serialises (the schema is documented in
//! `docs/audit-json.md`; change it only with `schema_version`).

use serde::{Deserialize, Serialize};

use super::policies::AuditedPolicy;
use super::stats::{Estimate, newcombe_difference, wilson};
use super::tally::{ArmTally, PolicyTally};
use crate::pack::model::Economics;
use crate::pack::{Level, Severity};

/// The version of the JSON document; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// A stake is tiny when losing one customer in this many enforcements
/// would wipe out what the policy keeps: the 60-cent ticket and the $2M
/// depositor. In churn terms, the break-even churn difference
/// `benefit / (customer value + replacement cost)` is under 1/10,000.
pub const TINY_STAKE_BREAK_EVEN: f64 = 1e-4;

/// A whole audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    pub schema_version: u32,
    pub pack: String,
    pub currency: String,
    pub assumptions: Assumptions,
    pub input: InputSummary,
    /// In the pack's policy order.
    pub policies: Vec<PolicyLedger>,
    pub pyramid: Pyramid,
    /// The costliest interactions, costliest first.
    pub moments_of_truth: Vec<Moment>,
}

/// Every parameter a figure of the report rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assumptions {
    /// A customer's value when the record has no `customer.lifetime_value`.
    pub default_customer_value: f64,
    pub retention_cost: f64,
    pub acquisition_to_retention: f64,
    /// `retention_cost * acquisition_to_retention`: what replacing a lost
    /// customer costs.
    pub replacement_cost: f64,
    /// Fewest enforced and fewest waived interactions with churn recorded
    /// that a verdict needs.
    pub min_sample: u32,
    pub confidence_level: f64,
    pub interval_method: &'static str,
    /// A stake is tiny when its break-even churn difference is under this.
    pub tiny_stake_break_even: f64,
    pub moments_of_truth_limit: usize,
}

impl Assumptions {
    pub fn new(e: &Economics, moments: usize) -> Self {
        Assumptions {
            default_customer_value: e.default_customer_value,
            retention_cost: e.retention_cost,
            acquisition_to_retention: e.acquisition_to_retention,
            replacement_cost: e.retention_cost * e.acquisition_to_retention,
            min_sample: e.min_sample,
            confidence_level: 0.95,
            interval_method: "newcombe-wilson",
            tiny_stake_break_even: TINY_STAKE_BREAK_EVEN,
            moments_of_truth_limit: moments,
        }
    }
}

/// How many records were read, and why any were rejected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputSummary {
    pub records: u64,
    pub evaluated: u64,
    pub rejected: u64,
    /// The first rejections in input order (at most 20).
    pub rejections: Vec<Rejection>,
}

/// A record that could not be audited.
/// Ordered by source name, then line: the order does not depend on how the
/// input was split or in which order its files were named.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    pub source: String,
    pub line: u64,
    /// `malformed`, `not-an-object`, `missing-id`, `wrong-type`, ...
    pub kind: String,
    pub reason: String,
}

/// The four verdicts; none claims more than its sample supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The loyalty cost's whole interval lies above the benefit.
    FavorsCompany,
    /// Its whole interval lies below the benefit.
    Justified,
    /// The interval contains the benefit, with enough data.
    Balanced,
    /// Too few enforced or waived interactions, or no control group.
    NotEnoughEvidence,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::FavorsCompany => "favors-company",
            Verdict::Justified => "justified",
            Verdict::Balanced => "balanced",
            Verdict::NotEnoughEvidence => "not-enough-evidence",
        }
    }
}

/// One policy's loyalty ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyLedger {
    pub id: String,
    pub title: String,
    pub levels: Vec<Level>,
    pub verdict: Verdict,
    /// Why, in one sentence with the figures.
    pub reason: String,
    pub applied: u64,
    pub enforced: u64,
    pub waived: u64,
    /// What enforcing kept, summed over enforcements.
    pub benefit_total: f64,
    /// `benefit_total / enforced`; 0 when the policy has no `benefit`.
    pub benefit_per_enforcement: f64,
    pub has_benefit: bool,
    /// Mean value of the customers it was enforced on.
    pub customer_value_per_enforcement: Option<f64>,
    /// Churn after enforcement minus churn after waiver.
    pub churn_difference: Option<Estimate>,
    /// `churn_difference * (customer_value_per_enforcement + replacement_cost)`.
    pub loyalty_cost_per_enforcement: Option<Estimate>,
    /// Set when the stake is tiny against the customers' value.
    pub tiny_stake: Option<TinyStake>,
    pub enforced_outcomes: ArmOutcomes,
    pub waived_outcomes: ArmOutcomes,
    pub findings: u64,
    pub evaluation_errors: Vec<EvalErrorSummary>,
}

/// The stake-vs-customer-value flag.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TinyStake {
    pub stake_per_enforcement: f64,
    pub customer_value_per_enforcement: f64,
    /// `stake / (customer value + replacement cost)`: the churn difference
    /// at which the policy stops paying for itself.
    pub break_even_churn: f64,
}

/// Loyalty signals of one arm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmOutcomes {
    pub interactions: u64,
    pub churn: Option<Rate>,
    pub complaints: Option<Rate>,
    pub csat_mean: Option<f64>,
    pub csat_responses: u64,
    /// Net promoter score: % promoters (9-10) minus % detractors (0-6).
    pub nps: Option<f64>,
    pub nps_responses: u64,
    pub detractor_share: Option<f64>,
}

/// `count` of `of`, with its Wilson interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    pub count: u64,
    pub of: u64,
    pub rate: Estimate,
}

/// An expression of the policy failed on some interactions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalErrorSummary {
    pub expression: String,
    pub count: u64,
    pub first_interaction: String,
    pub message: String,
}

/// Findings per Gallup level, from level 1 up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pyramid {
    pub levels: Vec<LevelFindings>,
    /// The lowest level with findings: where the service breaks first.
    pub breaks_first: Option<Level>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelFindings {
    pub level: Level,
    pub rank: u8,
    pub findings: u64,
    pub errors: u64,
    pub warnings: u64,
    pub infos: u64,
    /// The checks at this level, most findings first.
    pub checks: Vec<CheckFindings>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckFindings {
    pub policy: String,
    pub check: String,
    pub severity: Severity,
    pub findings: u64,
}

/// One interaction where enforcing a policy cost a customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moment {
    pub policy: String,
    pub interaction: String,
    pub customer: Option<String>,
    pub channel: Option<String>,
    /// What the company kept by enforcing.
    pub stake: f64,
    /// The value of the customer who left.
    pub customer_value: f64,
    /// `customer_value - stake`.
    pub net_loss: f64,
    pub complaint: Option<bool>,
    pub nps: Option<i64>,
    /// The messages of the checks that fired on it.
    pub evidence: Vec<String>,
}

fn arm_outcomes(a: &ArmTally) -> ArmOutcomes {
    let rate = |count, of| wilson(count, of).map(|rate| Rate { count, of, rate });
    ArmOutcomes {
        interactions: a.interactions,
        churn: rate(a.churned, a.churn_known),
        complaints: rate(a.complaints, a.complaint_known),
        csat_mean: (a.csat_responses > 0).then(|| a.csat_sum as f64 / a.csat_responses as f64),
        csat_responses: a.csat_responses,
        nps: (a.nps_responses > 0)
            .then(|| 100.0 * (a.promoters as f64 - a.detractors as f64) / a.nps_responses as f64),
        nps_responses: a.nps_responses,
        detractor_share: (a.nps_responses > 0)
            .then(|| a.detractors as f64 / a.nps_responses as f64),
    }
}

/// Turns one policy's tally into its ledger and verdict.
pub fn policy_ledger(
    policy: &AuditedPolicy,
    t: &PolicyTally,
    a: &Assumptions,
    currency: &str,
) -> PolicyLedger {
    let has_benefit = policy.has_benefit(t.benefit_evaluated);
    let enforced = t.enforced.interactions;
    let benefit_total = t.benefit.to_f64();
    let benefit_per = if enforced > 0 && has_benefit {
        benefit_total / enforced as f64
    } else {
        0.0
    };
    let value_per = (enforced > 0).then(|| t.enforced.customer_value.to_f64() / enforced as f64);
    let diff = newcombe_difference(
        t.enforced.churned,
        t.enforced.churn_known,
        t.waived.churned,
        t.waived.churn_known,
    );
    let cost = match (diff, value_per) {
        (Some(d), Some(v)) => Some(d.scale(v + a.replacement_cost)),
        _ => None,
    };
    let tiny_stake = match value_per {
        Some(v) if has_benefit && v + a.replacement_cost > 0.0 => {
            let break_even = benefit_per / (v + a.replacement_cost);
            (break_even < TINY_STAKE_BREAK_EVEN).then_some(TinyStake {
                stake_per_enforcement: benefit_per,
                customer_value_per_enforcement: v,
                break_even_churn: break_even,
            })
        }
        _ => None,
    };
    let (verdict, reason) = verdict(t, a, benefit_per, has_benefit, cost, currency);
    PolicyLedger {
        id: policy.id.clone(),
        title: policy.title.clone(),
        levels: policy.levels.clone(),
        verdict,
        reason,
        applied: t.applied,
        enforced,
        waived: t.waived.interactions,
        benefit_total,
        benefit_per_enforcement: benefit_per,
        has_benefit,
        customer_value_per_enforcement: value_per,
        churn_difference: diff,
        loyalty_cost_per_enforcement: cost,
        tiny_stake,
        enforced_outcomes: arm_outcomes(&t.enforced),
        waived_outcomes: arm_outcomes(&t.waived),
        findings: t.findings.values().sum(),
        evaluation_errors: t
            .errors
            .iter()
            .map(|(expr, e)| EvalErrorSummary {
                expression: expr.clone(),
                count: e.count,
                first_interaction: e.first.interaction.clone(),
                message: e.first.message.clone(),
            })
            .collect(),
    }
}

fn verdict(
    t: &PolicyTally,
    a: &Assumptions,
    benefit: f64,
    has_benefit: bool,
    cost: Option<super::stats::Estimate>,
    cur: &str,
) -> (Verdict, String) {
    let min = u64::from(a.min_sample);
    let nee = |why: String| (Verdict::NotEnoughEvidence, why);
    if t.applied == 0 {
        return nee("the policy applied to no interaction".to_string());
    }
    if t.enforced.interactions == 0 {
        return nee("the policy was never enforced".to_string());
    }
    if t.waived.interactions == 0 {
        return nee(format!(
            "no control group: enforced all {} times, never waived",
            t.enforced.interactions
        ));
    }
    if t.enforced.churn_known < min {
        return nee(format!(
            "only {} enforced interactions record churn; a verdict needs {min}",
            t.enforced.churn_known
        ));
    }
    if t.waived.churn_known < min {
        return nee(format!(
            "only {} waived interactions record churn; a verdict needs {min}",
            t.waived.churn_known
        ));
    }
    let Some(c) = cost else {
        return nee("churn could not be compared".to_string());
    };
    let kept = if has_benefit {
        format!("the {} kept", money(benefit, cur))
    } else {
        "the benefit (none declared, so 0)".to_string()
    };
    let ci = format!(
        "{} (95% CI {} to {})",
        money(c.point, cur),
        money(c.low, cur),
        money(c.high, cur)
    );
    if c.low > benefit {
        (
            Verdict::FavorsCompany,
            format!("lost loyalty costs {ci} per enforcement, more than {kept}"),
        )
    } else if c.high < benefit {
        (
            Verdict::Justified,
            format!("lost loyalty costs {ci} per enforcement, less than {kept}"),
        )
    } else {
        (
            Verdict::Balanced,
            format!("lost loyalty costs {ci} per enforcement; the interval contains {kept}"),
        )
    }
}

/// An amount for prose: two decimals under 100, whole units with
/// thousands separators above, then the currency code.
pub fn money(v: f64, currency: &str) -> String {
    format!("{} {currency}", amount(v))
}

/// An amount without its currency (see [`money`]).
pub fn amount(v: f64) -> String {
    if v.abs() < 100.0 {
        let s = format!("{v:.2}");
        if s == "-0.00" { "0.00".to_string() } else { s }
    } else {
        let whole = v.round();
        let digits = format!("{}", whole.abs() as u128);
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        if whole < 0.0 { format!("-{out}") } else { out }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_like_money() {
        assert_eq!(amount(0.6), "0.60");
        assert_eq!(amount(-0.001), "0.00");
        assert_eq!(amount(1234567.4), "1,234,567");
        assert_eq!(amount(-2500.0), "-2,500");
        assert_eq!(amount(100.0), "100");
    }
}
