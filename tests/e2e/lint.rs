//! Every rule on its fixture pack (`tests/fixtures/lint/gwNNN/`): the
//! human output of `goodwill check`, snapshotted, and the exit code its
//! default severity gives under the default `--fail-on error`.

use crate::support::{fixture, goodwill};

fn fixture_run(id: &str, severity_fails: bool) {
    let out = goodwill(&fixture(id), &["check", "."]);
    let text = out.stdout.clone();
    assert!(
        text.contains(&format!("[{}]", id.to_uppercase())),
        "{id} raised nothing:\n{text}"
    );
    assert!(
        !text.contains("passes-"),
        "{id} fired on a passing policy:\n{text}"
    );
    assert_eq!(out.code, if severity_fails { 1 } else { 0 }, "{text}");
    insta::assert_snapshot!(format!("lint_{id}"), text);
}

macro_rules! fixture_tests {
    ($($name:ident: $id:literal fails $fails:literal;)*) => {
        $(
            #[test]
            fn $name() {
                fixture_run($id, $fails);
            }
        )*
    };
}

fixture_tests! {
    gw001_no_frontline_exception_authority: "gw001" fails false;
    gw002_fee_exceeds_stake: "gw002" fails true;
    gw003_service_requires_purchase: "gw003" fails false;
    gw004_partner_blamed: "gw004" fails true;
    gw005_promise_without_date_or_owner: "gw005" fails false;
    gw006_cancellation_harder_than_signup: "gw006" fails false;
    gw007_refund_window_below_minimum: "gw007" fails true;
    gw008_voucher_only_remedy: "gw008" fails true;
    gw009_no_free_complaint_channel: "gw009" fails false;
    gw010_no_human_route: "gw010" fails false;
    gw011_compensation_only_on_request: "gw011" fails false;
    gw012_tier_gated_remedy: "gw012" fails false;
    gw013_refusal_without_alternative: "gw013" fails false;
    gw014_loyalty_penalty: "gw014" fails false;
    gw015_slow_or_no_response_commitment: "gw015" fails false;
}

#[test]
fn every_rule_has_a_fixture_test() {
    let ids: Vec<String> = (1..=15).map(|i| format!("gw{i:03}")).collect();
    for id in &ids {
        assert!(
            fixture(id).join("goodwill.toml").is_file(),
            "{id} has no fixture"
        );
    }
    let count = goodwill_core::lint::RULES.len();
    assert_eq!(
        count,
        ids.len(),
        "a new rule needs a fixture and a test here"
    );
}
