//! # GW015 slow-or-no-response-commitment
//!
//! ## What it flags
//! No complaint response time, or a slow one.
//!
//! A complaint channel with no response time (`complaints.response_days`
//! missing), or one longer than `[lint] max_response_days` (14 unless set).
//! A policy with no `[complaints]` at all is left to GW009.
//!
//! ## Why it costs loyalty
//! Fast resolution is what customers remember (seed 001), and response time
//! is one of the measures Booher names (seed 003). A complaint with no
//! deadline waits behind everything else; a long one tells the customer
//! that their problem is not urgent to anyone but them.
//!
//! ## Example
//! ```toml
//! [complaints]
//! channel = "complaints@shop.example"
//! free = true
//! # no response_days
//! ```
//!
//! ## Fix
//! Commit to answering complaints within a stated number of days, no more than the configured maximum: `response_days = 5`.
//!
//! ## References
//! - Seed essay 001: fast resolution of problems.
//! - Seed essay 003: measure faster response time.
//! - UK FCA DISP 1.6: a final response to a complaint within eight weeks.

use crate::lint::rules::amount;
use crate::lint::{Hit, Rule, RuleContext};
use crate::pack::{Level, Severity};

pub(super) const RULE: Rule = Rule {
    id: "GW015",
    name: "slow-or-no-response-commitment",
    level: Level::Availability,
    severity: Severity::Warning,
    source: include_str!("gw015_slow_or_no_response_commitment.rs"),
    check,
};

fn check(cx: &RuleContext<'_>) -> Vec<Hit> {
    let Some(c) = &cx.def.complaints else {
        return Vec::new();
    };
    let max = cx.settings.max_response_days;
    match c.response_days {
        None => vec![
            Hit::new(
                "complaints.response_days",
                format!("complaints through `{}` have no response time", c.channel),
            )
            .reads(["complaints.channel"]),
        ],
        Some(days) if days > max => vec![
            Hit::new(
                "complaints.response_days",
                format!(
                    "complaints are answered within {} days, more than the {} allowed",
                    amount(days),
                    amount(max)
                ),
            )
            .reads(["complaints.channel"]),
        ],
        Some(_) => Vec::new(),
    }
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
