//! # GW004 partner-blamed
//!
//! ## What it flags
//! The customer is sent to a partner when the partner fails.
//!
//! A partner that delivers part of the service for which the customer is
//! sent to the partner when it fails: `third_parties[].accountable =
//! "partner"`.
//!
//! ## Why it costs loyalty
//! The customer chose the company, not its supplier. "We'll do anything to
//! earn your business" turned into "it's not our fault, the lab is
//! outsourced" when the optician's glasses were two weeks late: the
//! customer was given a new target for the frustration and left unprotected.
//! Outsourcing moves the work, never the responsibility; blaming a partner
//! breaks accuracy and partnership at once.
//!
//! ## Example
//! ```toml
//! [[third_parties]]
//! name = "ClearSight Lab"
//! role = "lens lab"
//! accountable = "partner"
//! ```
//!
//! ## Fix
//! Make the company answer to the customer for its partners (`accountable = "company"`) and settle with the partner afterwards.
//!
//! ## References
//! - Seed essay 002: the optician who blamed its outsourced lab.
//! - EU Directive 2019/771, art. 10, and UK Consumer Rights Act 2015, s. 19:
//!   the seller is liable to the consumer for goods not in conformity.

use crate::lint::{Hit, Rule, RuleContext};
use crate::pack::model::Accountable;
use crate::pack::{Level, Severity};

pub(super) const RULE: Rule = Rule {
    id: "GW004",
    name: "partner-blamed",
    level: Level::Partnership,
    severity: Severity::Error,
    source: include_str!("gw004_partner_blamed.rs"),
    check,
};

fn check(cx: &RuleContext<'_>) -> Vec<Hit> {
    cx.def
        .third_parties
        .iter()
        .enumerate()
        .filter(|(_, tp)| tp.accountable == Some(Accountable::Partner))
        .map(|(i, tp)| {
            let role = tp
                .role
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            Hit::new(
                format!("third_parties.{i}.accountable"),
                format!(
                    "customers of `{}` are sent to `{}`{role} when it fails",
                    cx.def.id, tp.name
                ),
            )
            .reads([format!("third_parties.{i}.name")])
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
        assert!(findings[0].location.file.text[findings[0].location.span.clone()].contains("partner"));
    }
}
