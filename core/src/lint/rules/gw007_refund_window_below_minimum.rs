//! # GW007 refund-window-below-minimum
//!
//! ## What it flags
//! A refund or return window under the legal minimum.
//!
//! A `refund`, `return` or `cooling-off` window (`windows[].kind`) shorter
//! than the minimum of the policy's jurisdiction. The jurisdiction is the
//! policy's `jurisdiction`, else `[lint] jurisdiction`; the minimums are 14
//! days for `eu` and 30 for `uk` unless `[lint.min_refund_days]` overrides
//! or adds them. A policy with no known jurisdiction is not judged.
//!
//! ## Why it costs loyalty
//! A window shorter than the law allows is wrong as well as mean: the
//! customer who is refused, and later learns the rights they had, stops
//! believing anything the company says. That is a failure of accuracy,
//! Gallup's first level, and often a regulator's finding.
//!
//! ## Example
//! ```toml
//! jurisdiction = "uk"
//!
//! [[windows]]
//! name = "returns"
//! days = 14
//! kind = "return"
//! ```
//!
//! ## Fix
//! Lengthen the window to at least the jurisdiction's minimum, counted from the later of purchase and delivery.
//!
//! ## References
//! - EU Consumer Rights Directive 2011/83/EU, art. 9: 14-day right of
//!   withdrawal for distance and off-premises contracts.
//! - UK Consumer Rights Act 2015, s. 22: 30-day short-term right to reject.
//! - Seed essay 000: policies designed for the company's benefit.

use crate::lint::rules::amount;
use crate::lint::{Hit, Rule, RuleContext};
use crate::pack::model::WindowKind;
use crate::pack::{Level, Severity};

pub(super) const RULE: Rule = Rule {
    id: "GW007",
    name: "refund-window-below-minimum",
    level: Level::Accuracy,
    severity: Severity::Error,
    source: include_str!("gw007_refund_window_below_minimum.rs"),
    check,
};

fn check(cx: &RuleContext<'_>) -> Vec<Hit> {
    let Some(jurisdiction) = cx
        .def
        .jurisdiction
        .as_ref()
        .map(|j| j.to_lowercase())
        .or_else(|| cx.settings.jurisdiction.clone())
    else {
        return Vec::new();
    };
    let Some(&min) = cx.settings.min_refund_days.get(&jurisdiction) else {
        return Vec::new();
    };
    cx.def
        .windows
        .iter()
        .enumerate()
        .filter(|(_, w)| {
            matches!(
                w.kind,
                Some(WindowKind::Refund | WindowKind::Return | WindowKind::CoolingOff)
            ) && w.days < min
        })
        .map(|(i, w)| {
            Hit::new(
                format!("windows.{i}.days"),
                format!(
                    "the `{}` window is {} days; `{jurisdiction}` customers are owed at least {}",
                    w.name,
                    amount(w.days),
                    amount(min)
                ),
            )
            .reads([
                format!("windows.{i}.name"),
                format!("windows.{i}.kind"),
                "jurisdiction".to_string(),
            ])
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
        assert!(findings.iter().any(|f| f.message.contains("at least 30")));
    }
}
