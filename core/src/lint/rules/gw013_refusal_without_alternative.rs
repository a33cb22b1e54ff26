//! # GW013 refusal-without-alternative
//!
//! ## What it flags
//! A refusal with nothing offered instead.
//!
//! Something the policy refuses with nothing offered instead: a
//! `[[refusals]]` entry with no `alternatives`.
//!
//! ## Why it costs loyalty
//! "You have a problem. Here is our policy." The car-rental agency told a
//! stranded customer the replacement car would take two hours and offered
//! nothing else; a hotel clerk lent her own car. A refusal that ends the
//! conversation leaves the customer with the problem; one that offers a
//! taxi, reimbursed, keeps them. Advice, Gallup's fourth level, is helping
//! the customer find another way.
//!
//! ## Example
//! ```toml
//! [[refusals]]
//! what = "a replacement car within the hour"
//! ```
//!
//! ## Fix
//! List what staff may offer instead (`alternatives = ["a taxi, reimbursed", "a car from a partner desk"]`) and give them the authority to offer it.
//!
//! ## References
//! - Seed essay 003 (Dianna Booher): the car-rental agency, "Here is our
//!   policy".
//! - Seed essay 000: Gallup's customer-expectation hierarchy, level 4.

use crate::lint::{Hit, Rule, RuleContext};
use crate::pack::{Level, Severity};

pub(super) const RULE: Rule = Rule {
    id: "GW013",
    name: "refusal-without-alternative",
    level: Level::Advice,
    severity: Severity::Warning,
    source: include_str!("gw013_refusal_without_alternative.rs"),
    check,
};

fn check(cx: &RuleContext<'_>) -> Vec<Hit> {
    cx.def
        .refusals
        .iter()
        .enumerate()
        .filter(|(_, r)| r.alternatives.iter().all(|a| a.trim().is_empty()))
        .map(|(i, r)| {
            Hit::new(
                format!("refusals.{i}.what"),
                format!(
                    "`{}` refuses `{}` and offers nothing instead",
                    cx.def.id, r.what
                ),
            )
            .reads([format!("refusals.{i}.alternatives")])
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
