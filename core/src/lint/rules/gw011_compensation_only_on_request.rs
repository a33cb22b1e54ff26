//! # GW011 compensation-only-on-request
//!
//! ## What it flags
//! Compensation for the company's failure only if the customer asks.
//!
//! A remedy for the company's own failure (`company_fault = true`) that is
//! given only to customers who ask: `remedies[].on_request_only = true`.
//!
//! ## Why it costs loyalty
//! Making customers ask for what they are owed rewards the pushy and
//! punishes the polite, who simply leave. When the company broke the
//! promise, putting it right is its move, not the customer's; a remedy that
//! waits for a complaint tells the customer the company hoped they would
//! not notice.
//!
//! ## Example
//! ```toml
//! company_fault = true
//!
//! [[remedies]]
//! kind = "compensation"
//! on_request_only = true
//! ```
//!
//! ## Fix
//! Give the remedy proactively to every customer the failure touched, and say so: `on_request_only = false`.
//!
//! ## References
//! - Seed essay 003: "do what you say, when you say", and a little extra to
//!   say "I appreciate your business".
//! - Seed essay 002: the broken promise and the customer left unprotected.
//! - UK FCA Consumer Duty (PS22/9), PRIN 2A.4: firms act to put right harm
//!   they cause.

use crate::lint::{Hit, Rule, RuleContext};
use crate::pack::{Level, Severity};

pub(super) const RULE: Rule = Rule {
    id: "GW011",
    name: "compensation-only-on-request",
    level: Level::Partnership,
    severity: Severity::Warning,
    source: include_str!("gw011_compensation_only_on_request.rs"),
    check,
};

fn check(cx: &RuleContext<'_>) -> Vec<Hit> {
    cx.own_fault_remedies()
        .filter(|(_, r)| r.on_request_only == Some(true))
        .map(|(i, r)| {
            Hit::new(
                format!("remedies.{i}.on_request_only"),
                format!(
                    "the `{}` for the company's own failure goes only to customers who ask",
                    r.kind.name()
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
