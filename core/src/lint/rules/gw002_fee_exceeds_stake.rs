//! # GW002 fee-exceeds-stake
//!
//! ## What it flags
//! A fee larger than what is at stake.
//!
//! A fee larger than the value the customer is asking about when it is
//! charged: `fees[].amount` above `fees[].at_stake`. Fees without
//! `at_stake` are not judged.
//!
//! ## Why it costs loyalty
//! A fee bigger than the thing at stake is not cost recovery, it is a
//! penalty; customers feel it as punishment and remember it long after the
//! amount is gone. It breaks partnership (Gallup level 3): the company is
//! seen to profit from the customer's small mistake, and the customer's
//! value to the company (seed 004: a $2M depositor) dwarfs what the fee
//! brings in.
//!
//! ## Example
//! ```toml
//! [[fees]]
//! name = "late return"
//! amount = 35.0
//! at_stake = 4.0   # a rental an hour late
//! ```
//!
//! ## Fix
//! Cap the fee at the value at stake (or the real cost it recovers), or drop it for small stakes.
//!
//! ## References
//! - Seed essay 004: the 60-cent parking ticket against a $2M relationship.
//! - UK Consumer Rights Act 2015, Schedule 2 para. 6: a term requiring a
//!   disproportionately high sum in compensation may be unfair.
//! - EU Directive 93/13/EEC on unfair terms, Annex 1(e).

use crate::lint::rules::amount;
use crate::lint::{Hit, Rule, RuleContext};
use crate::pack::{Level, Severity};

pub(super) const RULE: Rule = Rule {
    id: "GW002",
    name: "fee-exceeds-stake",
    level: Level::Partnership,
    severity: Severity::Error,
    source: include_str!("gw002_fee_exceeds_stake.rs"),
    check,
};

fn check(cx: &RuleContext<'_>) -> Vec<Hit> {
    cx.def
        .fees
        .iter()
        .enumerate()
        .filter_map(|(i, fee)| {
            let stake = fee.at_stake?;
            (fee.amount > stake).then(|| {
                Hit::new(
                    format!("fees.{i}.amount"),
                    format!(
                        "fee `{}` of {} is more than the {} at stake",
                        fee.name,
                        amount(fee.amount),
                        amount(stake)
                    ),
                )
                .reads([format!("fees.{i}.name"), format!("fees.{i}.at_stake")])
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::fixture;

    #[test]
    fn fixture_triggers_and_passes() {
        let findings = fixture::assert_fixture(&RULE);
        assert_eq!(findings.len(), 1, "only the fee above its stake: {findings:?}");
    }
}
