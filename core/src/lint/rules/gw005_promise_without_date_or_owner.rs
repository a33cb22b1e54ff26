//! # GW005 promise-without-date-or-owner
//!
//! ## What it flags
//! A promise with no date or no owner.
//!
//! A promise the policy makes with no date (`promises[].by`) or no owner
//! (`promises[].owner`).
//!
//! ## Why it costs loyalty
//! "Do what you say, when you say, how you say, at the price you promised."
//! A promise without a date cannot be kept on time, and one without an
//! owner is nobody's job: the optician's "ready in a week" became another
//! week, then another. Accuracy, Gallup's first level, is doing what was
//! promised.
//!
//! ## Example
//! ```toml
//! [[promises]]
//! what = "glasses ready for collection"
//! # no `by`, no `owner`
//! ```
//!
//! ## Fix
//! Give every promise a date in words (`by = "within 7 days"`) and an owner who answers for it (`owner = "store manager"`).
//!
//! ## References
//! - Seed essay 003 (Dianna Booher): do what you say, when you say.
//! - Seed essay 002: the glasses promised in a week.

use crate::lint::{Hit, Rule, RuleContext};
use crate::pack::{Level, Severity};

pub(super) const RULE: Rule = Rule {
    id: "GW005",
    name: "promise-without-date-or-owner",
    level: Level::Accuracy,
    severity: Severity::Warning,
    source: include_str!("gw005_promise_without_date_or_owner.rs"),
    check,
};

fn check(cx: &RuleContext<'_>) -> Vec<Hit> {
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
    cx.def
        .promises
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let lacks = match (blank(&p.by), blank(&p.owner)) {
                (true, true) => "neither a date nor an owner",
                (true, false) => "no date",
                (false, true) => "no owner",
                (false, false) => return None,
            };
            let at = if blank(&p.by) { "by" } else { "owner" };
            Some(
                Hit::new(
                    format!("promises.{i}.{at}"),
                    format!("promise `{}` has {lacks}", p.what),
                )
                .reads([
                    format!("promises.{i}.what"),
                    format!("promises.{i}.by"),
                    format!("promises.{i}.owner"),
                ]),
            )
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
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.ends_with("no date")), "{messages:?}");
        assert!(messages.iter().any(|m| m.ends_with("no owner")), "{messages:?}");
        assert!(
            messages.iter().any(|m| m.ends_with("neither a date nor an owner")),
            "a blank `by` counts as none: {messages:?}"
        );
    }
}
