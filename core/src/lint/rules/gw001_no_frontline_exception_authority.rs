//! # GW001 no-frontline-exception-authority
//!
//! ## What it flags
//! Nobody who faces the customer may grant an exception.
//!
//! A policy that restricts the customer (a fee, a time window, a refusal, a
//! purchase condition) where nobody who faces the customer may grant an
//! exception: there is no `[exception]` table, only back-office roles are in
//! `exception.granted_by`, or the frontline may waive nothing (`up_to = 0`).
//!
//! ## Why it costs loyalty
//! "Nobody could make a decision when I asked for an exception to policy."
//! When the person in front of the customer can only repeat the rule, a
//! sixty-cent question becomes a lost relationship: the Spokane teller could
//! not stamp the parking ticket, the manager would not, and a depositor
//! worth two million dollars moved his money. Customers judge partnership
//! (Gallup's third level) by whether the company will bend for them.
//!
//! ## Example
//! ```toml
//! [[fees]]
//! name = "unvalidated parking"
//! amount = 0.60
//!
//! [exception]
//! granted_by = ["branch-manager"]
//! ```
//!
//! ## Fix
//! Let a frontline role (teller, agent, clerk) grant an exception up to a stated value, and name where larger requests escalate.
//!
//! ```toml
//! [exception]
//! granted_by = ["teller", "branch-manager"]
//! up_to = 25.0
//! ```
//!
//! Roles count as frontline when one of their words is in
//! `[lint] frontline_roles` (by default agent, advisor, associate, cashier,
//! clerk, counter, desk, frontline, representative, sales, staff, teller).
//!
//! ## References
//! - Seed essay 003 (Dianna Booher): "Nobody could make a decision when I
//!   asked for an exception to policy."
//! - Seed essay 004: the bank and the 60-cent parking stamp.
//! - Gallup's customer-expectation hierarchy, level 3 (partnership), seed 000.

use crate::lint::rules::ticked;
use crate::lint::{Hit, Rule, RuleContext};
use crate::pack::{Level, Severity};

pub(super) const RULE: Rule = Rule {
    id: "GW001",
    name: "no-frontline-exception-authority",
    level: Level::Partnership,
    severity: Severity::Warning,
    source: include_str!("gw001_no_frontline_exception_authority.rs"),
    check,
};

fn check(cx: &RuleContext<'_>) -> Vec<Hit> {
    let def = cx.def;
    let restricts = !def.fees.is_empty()
        || !def.windows.is_empty()
        || !def.refusals.is_empty()
        || def.requires_purchase == Some(true)
        || def.exception.is_some();
    if !restricts {
        return Vec::new();
    }
    let Some(exc) = &def.exception else {
        return vec![
            Hit::new(
                "exception",
                format!(
                    "policy `{}` lets no one grant an exception: the frontline can only say no",
                    def.id
                ),
            )
            .reads(["fees", "windows", "refusals", "requires_purchase"]),
        ];
    };
    if !exc.granted_by.iter().any(|r| cx.settings.is_frontline(r)) {
        let who = if exc.granted_by.is_empty() {
            "no role".to_string()
        } else {
            format!("only {}", ticked(&exc.granted_by))
        };
        return vec![Hit::new(
            "exception.granted_by",
            format!(
                "{who} may grant an exception to `{}`; nobody the customer talks to can",
                def.id
            ),
        )];
    }
    if exc.up_to == Some(0.0) {
        return vec![
            Hit::new(
                "exception.up_to",
                format!(
                    "the frontline may grant exceptions to `{}` worth nothing (`up_to = 0`)",
                    def.id
                ),
            )
            .reads(["exception.granted_by"]),
        ];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::fixture;

    #[test]
    fn fixture_triggers_and_passes() {
        let findings = fixture::assert_fixture(&RULE);
        assert!(findings.iter().any(|f| f.message.contains("`branch-manager`")));
        assert!(findings.iter().any(|f| f.message.contains("worth nothing")));
        assert!(findings.iter().any(|f| f.message.contains("lets no one")));
    }
}
