//! # GW006 cancellation-harder-than-signup
//!
//! ## What it flags
//! Cancelling is harder than signing up.
//!
//! Leaving is harder than joining: `cancellation.steps` is greater than
//! `signup.steps`, or a channel in `signup.channels` is missing from
//! `cancellation.channels`. Policies without both tables are not judged.
//!
//! ## Why it costs loyalty
//! A customer kept by friction is not loyal, only delayed, and tells others.
//! One click to join and a phone call in office hours to leave is the
//! clearest signal that the policy was written for the company's benefit
//! rather than the customer's (seed 000). Availability, Gallup's second
//! level, is being reachable on the way out as on the way in.
//!
//! ## Example
//! ```toml
//! [signup]
//! steps = 1
//! channels = ["web"]
//!
//! [cancellation]
//! steps = 4
//! channels = ["phone"]
//! ```
//!
//! ## Fix
//! Let customers cancel through every channel they can sign up through, in no more steps.
//!
//! ## References
//! - EU Directive 2023/2673, art. 11a: a withdrawal function as easy to use
//!   as the contract was to conclude online.
//! - US FTC Negative Option Rule (2024), "click to cancel".
//! - Seed essay 000: policies designed for the company's benefit.

use crate::lint::rules::ticked;
use crate::lint::{Hit, Rule, RuleContext};
use crate::pack::{Level, Severity};

pub(super) const RULE: Rule = Rule {
    id: "GW006",
    name: "cancellation-harder-than-signup",
    level: Level::Availability,
    severity: Severity::Warning,
    source: include_str!("gw006_cancellation_harder_than_signup.rs"),
    check,
};

fn check(cx: &RuleContext<'_>) -> Vec<Hit> {
    let (Some(signup), Some(cancel)) = (&cx.def.signup, &cx.def.cancellation) else {
        return Vec::new();
    };
    let mut hits = Vec::new();
    if let (Some(s), Some(c)) = (signup.steps, cancel.steps)
        && c > s
    {
        hits.push(
            Hit::new(
                "cancellation.steps",
                format!("cancelling takes {c} steps, signing up {s}"),
            )
            .reads(["signup.steps"]),
        );
    }
    let missing: Vec<String> = signup
        .channels
        .iter()
        .filter(|ch| !cancel.channels.iter().any(|c| c.eq_ignore_ascii_case(ch)))
        .cloned()
        .collect();
    if !missing.is_empty() {
        hits.push(
            Hit::new(
                "cancellation.channels",
                format!(
                    "customers can sign up through {} but cannot cancel there",
                    ticked(&missing)
                ),
            )
            .reads(["signup.channels"]),
        );
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::fixture;

    #[test]
    fn fixture_triggers_and_passes() {
        let findings = fixture::assert_fixture(&RULE);
        assert_eq!(findings.len(), 2, "steps and channels: {findings:?}");
    }
}
