//! # GW014 loyalty-penalty
//!
//! ## What it flags
//! Renewing costs more than joining (a loyalty penalty).
//!
//! A renewal price above the new-customer price: `pricing.renewal` greater
//! than `pricing.new_customer`.
//!
//! ## Why it costs loyalty
//! Charging existing customers more than new ones taxes loyalty itself. It
//! works only while customers do not compare, and when they do they leave
//! for the same deal elsewhere; winning them back costs about seven times
//! what keeping them would have (seed 004).
//!
//! ## Example
//! ```toml
//! [pricing]
//! new_customer = 300.0
//! renewal = 480.0
//! ```
//!
//! ## Fix
//! Renew at no more than the new-customer price for the same product, or show the renewing customer the new-customer price.
//!
//! ## References
//! - UK FCA PS21/5, general insurance pricing practices: renewal price no
//!   higher than the equivalent new business price.
//! - UK Competition and Markets Authority, "loyalty penalty" super-complaint
//!   response (2018).
//! - Seed essay 004: it costs $7 to win a customer and $1 to keep one.

use crate::lint::rules::amount;
use crate::lint::{Hit, Rule, RuleContext};
use crate::pack::{Level, Severity};

pub(super) const RULE: Rule = Rule {
    id: "GW014",
    name: "loyalty-penalty",
    level: Level::Partnership,
    severity: Severity::Warning,
    source: include_str!("gw014_loyalty_penalty.rs"),
    check,
};

fn check(cx: &RuleContext<'_>) -> Vec<Hit> {
    let Some(pricing) = &cx.def.pricing else {
        return Vec::new();
    };
    let (Some(new), Some(renewal)) = (pricing.new_customer, pricing.renewal) else {
        return Vec::new();
    };
    if renewal <= new {
        return Vec::new();
    }
    let more = if new > 0.0 {
        format!(" ({:.0}% more)", (renewal / new - 1.0) * 100.0)
    } else {
        String::new()
    };
    vec![
        Hit::new(
            "pricing.renewal",
            format!(
                "renewing costs {}, a new customer pays {}{more}",
                amount(renewal),
                amount(new)
            ),
        )
        .reads(["pricing.new_customer"]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::fixture;

    #[test]
    fn fixture_triggers_and_passes() {
        let findings = fixture::assert_fixture(&RULE);
        assert!(findings[0].message.contains("60% more"), "{}", findings[0].message);
    }
}
