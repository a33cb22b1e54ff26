//! # GW010 no-human-route
//!
//! ## What it flags
//! An automated flow with no way to reach a person.
//!
//! An automated flow (`[automation]`: a chatbot, a phone menu, a web form)
//! with no stated way to reach a person: `automation.human_route` missing
//! or empty.
//!
//! ## Why it costs loyalty
//! Automation answers the questions it was built for; the customer with any
//! other problem loops until they give up. A flow with no exit to a human
//! fails availability, Gallup's second level, exactly when the customer
//! needs it most, and every loop is a moment of truth lost (seed 004).
//!
//! ## Example
//! ```toml
//! [automation]
//! flow = "support chatbot"
//! ```
//!
//! ## Fix
//! State how a customer reaches a person from the flow, at any point: `human_route = "type 'agent' or press 0"`.
//!
//! ## References
//! - Seed essay 004: moments of truth (Jan Carlzon, SAS).
//! - Seed essay 001: attention to the customer's needs.
//! - EU AI Act (Regulation 2024/1689), art. 50: people must be told they are
//!   dealing with an AI system.

use crate::lint::{Hit, Rule, RuleContext};
use crate::pack::{Level, Severity};

pub(super) const RULE: Rule = Rule {
    id: "GW010",
    name: "no-human-route",
    level: Level::Availability,
    severity: Severity::Warning,
    source: include_str!("gw010_no_human_route.rs"),
    check,
};

fn check(cx: &RuleContext<'_>) -> Vec<Hit> {
    let Some(auto) = &cx.def.automation else {
        return Vec::new();
    };
    if auto
        .human_route
        .as_deref()
        .is_some_and(|r| !r.trim().is_empty())
    {
        return Vec::new();
    }
    vec![
        Hit::new(
            "automation.human_route",
            format!("the `{}` of `{}` has no route to a person", auto.flow, cx.def.id),
        )
        .reads(["automation.flow"]),
    ]
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
