//! The example pack `examples/seed-businesses`: the seeds' bank, car-rental
//! desk, optician and department store, linted.

use std::collections::BTreeSet;

use crate::support::{goodwill, repo};

const TODAY: &str = "2026-11-23";

#[test]
fn the_seed_businesses_pack_is_linted() {
    let run = goodwill(
        &repo(),
        &["check", "examples/seed-businesses", "--today", TODAY],
    );
    assert_eq!(run.code, 1, "it has error findings:\n{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn every_rule_fires_in_the_examples_and_fair_policies_stay_clean() {
    let run = goodwill(
        &repo(),
        &[
            "check",
            "examples/seed-businesses",
            "--format",
            "json",
            "--today",
            TODAY,
        ],
    );
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = doc["lint"]["findings"].as_array().unwrap();
    let rules: BTreeSet<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for rule in goodwill_core::lint::RULES {
        assert!(
            rules.contains(rule.id),
            "{} never fires in the examples",
            rule.id
        );
    }
    let fair = [
        "account-closure",
        "late-return-fee",
        "frame-returns",
        "catalogue-orders",
    ];
    for f in findings {
        let policy = f["policy"].as_str().unwrap_or_default();
        assert!(
            !fair.contains(&policy),
            "fair policy `{policy}` has a finding: {f}"
        );
    }
    assert_eq!(doc["lint"]["waived"], 1);
}
