//! # GW009 no-free-complaint-channel
//!
//! ## What it flags
//! No free way to complain.
//!
//! A policy with no `[complaints]` table, or whose complaint channel is not
//! declared free (`complaints.free` is `false` or missing).
//!
//! ## Why it costs loyalty
//! Willingness to hear complaints is part of good service (seed 001): a
//! complaint is the customer's last attempt to stay. A premium-rate line or
//! no channel at all turns it into a public review or a quiet exit, and the
//! company loses the signal along with the customer.
//!
//! ## Example
//! ```toml
//! [complaints]
//! channel = "0906 premium-rate line"
//! free = false
//! ```
//!
//! ## Fix
//! Name a complaint channel that costs the customer nothing and say so: `free = true`.
//!
//! ## References
//! - Seed essay 001: good service is willingness to hear complaints.
//! - EU Consumer Rights Directive 2011/83/EU, art. 21: calls about a
//!   contract at no more than the basic rate.
//! - ISO 10002:2018, 4.4: complaints handling accessible and free of charge.

use crate::lint::{Hit, Rule, RuleContext};
use crate::pack::{Level, Severity};

pub(super) const RULE: Rule = Rule {
    id: "GW009",
    name: "no-free-complaint-channel",
    level: Level::Availability,
    severity: Severity::Warning,
    source: include_str!("gw009_no_free_complaint_channel.rs"),
    check,
};

fn check(cx: &RuleContext<'_>) -> Vec<Hit> {
    let def = cx.def;
    let hit = match &def.complaints {
        None => Hit::new(
            "complaints",
            format!("policy `{}` names no complaint channel", def.id),
        ),
        Some(c) if c.free == Some(false) => Hit::new(
            "complaints.free",
            format!("complaining through `{}` costs the customer money", c.channel),
        )
        .reads(["complaints.channel"]),
        Some(c) if c.free.is_none() => Hit::new(
            "complaints.free",
            format!("`{}` is not declared free to complain through", c.channel),
        )
        .reads(["complaints.channel"]),
        Some(_) => return Vec::new(),
    };
    vec![hit]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::fixture;

    #[test]
    fn fixture_triggers_and_passes() {
        let findings = fixture::assert_fixture(&RULE);
        assert_eq!(findings.len(), 3, "missing, paid and undeclared: {findings:?}");
    }
}
