//! The built-in rules, one per file. A rule's file holds its metadata, its
//! documentation (the file's `//!` comment), its check and its tests; its
//! fixtures (a policy that triggers it, one that does not) live in
//! `tests/fixtures/lint/gwNNN/`.

use super::Rule;

macro_rules! registry {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*
        /// Every built-in rule, in id order.
        pub static RULES: &[&Rule] = &[$(&$module::RULE),*];
    };
}

registry!(
    gw001_no_frontline_exception_authority,
    gw002_fee_exceeds_stake,
    gw003_service_requires_purchase,
    gw004_partner_blamed,
    gw005_promise_without_date_or_owner,
    gw006_cancellation_harder_than_signup,
    gw007_refund_window_below_minimum,
    gw008_voucher_only_remedy,
    gw009_no_free_complaint_channel,
    gw010_no_human_route,
    gw011_compensation_only_on_request,
    gw012_tier_gated_remedy,
    gw013_refusal_without_alternative,
    gw014_loyalty_penalty,
    gw015_slow_or_no_response_commitment,
);

/// An amount as people write it: `0.60`, `35`, `12.50`.
pub(crate) fn amount(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

/// A list of names in backticks: `` `a`, `b` ``.
pub(crate) fn ticked(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
pub(crate) mod fixture {
    //! Runs a rule on its fixture pack, `tests/fixtures/lint/gwNNN/`, whose
    //! policies are named `triggers-…` (each must raise the rule) and
    //! `passes-…` (none may).

    use std::path::PathBuf;

    use crate::lint::{Finding, Rule, Settings, lint_pack};

    pub fn dir(rule: &Rule) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/lint")
            .join(rule.id.to_lowercase())
    }

    /// Asserts every `triggers-` policy raises `rule` and no `passes-`
    /// policy does; returns the findings.
    pub fn assert_fixture(rule: &'static Rule) -> Vec<Finding> {
        let pack = crate::load(&dir(rule)).unwrap_or_else(|e| panic!("{e}: {:?}", e.diagnostics));
        let settings = Settings::from_pack(&pack).expect("fixture [lint] is valid");
        assert_eq!(
            settings.enabled().len(),
            1,
            "a fixture pack selects its rule only"
        );
        let findings = lint_pack(&pack, &settings);
        let mut triggers = 0;
        for p in &pack.policies {
            let hits = findings
                .iter()
                .filter(|f| f.policy.as_deref() == Some(p.id()))
                .count();
            if p.id().starts_with("triggers") {
                triggers += 1;
                assert!(hits > 0, "{}: `{}` should trigger it", rule.id, p.id());
            } else {
                assert_eq!(hits, 0, "{}: `{}` should not trigger it", rule.id, p.id());
            }
        }
        assert!(
            triggers > 0,
            "{}: the fixture has no triggering policy",
            rule.id
        );
        assert!(findings.iter().all(|f| f.rule == rule.id));
        findings
    }
}
