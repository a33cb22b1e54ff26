//! # GW012 tier-gated-remedy
//!
//! ## What it flags
//! Remedies for the company's own failure only for some tiers.
//!
//! A remedy for the company's own failure (`company_fault = true`) given
//! only to some customer tiers: `remedies[].tiers` is not empty.
//!
//! ## Why it costs loyalty
//! The company's mistake cost every customer it touched the same; putting
//! it right only for gold members tells everyone else what they are worth.
//! Today's ordinary customer may be the two-million-dollar depositor (seed
//! 004), and tiers rarely know who is who.
//!
//! ## Example
//! ```toml
//! company_fault = true
//!
//! [[remedies]]
//! kind = "reimbursement"
//! tiers = ["gold"]
//! ```
//!
//! ## Fix
//! Give remedies for the company's own failures to every customer affected; keep tiers for extras, not for putting things right.
//!
//! ## References
//! - Seed essay 004: the bank that did not know who its customer was.
//! - Seed essay 000: Gallup's partnership level, being on the customer's
//!   side.

use crate::lint::rules::ticked;
use crate::lint::{Hit, Rule, RuleContext};
use crate::pack::{Level, Severity};

pub(super) const RULE: Rule = Rule {
    id: "GW012",
    name: "tier-gated-remedy",
    level: Level::Partnership,
    severity: Severity::Warning,
    source: include_str!("gw012_tier_gated_remedy.rs"),
    check,
};

fn check(cx: &RuleContext<'_>) -> Vec<Hit> {
    cx.own_fault_remedies()
        .filter(|(_, r)| !r.tiers.is_empty())
        .map(|(i, r)| {
            Hit::new(
                format!("remedies.{i}.tiers"),
                format!(
                    "the `{}` for the company's own failure goes only to {} customers",
                    r.kind.name(),
                    ticked(&r.tiers)
                ),
            )
            .reads([format!("remedies.{i}.kind"), "company_fault".to_string()])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::fixture;

    #[test]
    fn fixture_triggers_and_passes() {
        fixture::assert_fixture(&RULE);
    }
}
