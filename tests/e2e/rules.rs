//! `goodwill rules`.

use crate::support::{goodwill, repo};

#[test]
fn rules_lists_every_rule_in_a_table() {
    let out = goodwill(&repo(), &["rules"]);
    assert_eq!(out.code, 0);
    insta::assert_snapshot!(out.stdout.clone());
}

#[test]
fn rules_id_prints_the_rules_doc_comment() {
    let out = goodwill(&repo(), &["rules", "gw004"]);
    assert_eq!(out.code, 0);
    let text = out.stdout.clone();
    for section in goodwill_core::lint::SECTIONS {
        assert!(
            text.contains(&format!("## {section}")),
            "no {section}:\n{text}"
        );
    }
    insta::assert_snapshot!(text);
}

#[test]
fn rules_json_lists_id_name_level_and_severity() {
    let out = goodwill(&repo(), &["rules", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout.clone()).unwrap();
    let rules = doc.as_array().unwrap();
    assert_eq!(rules.len(), goodwill_core::lint::RULES.len());
    assert_eq!(rules[3]["id"], "GW004");
    assert_eq!(rules[3]["name"], "partner-blamed");
    assert_eq!(rules[3]["level"], "partnership");
    assert_eq!(rules[3]["severity"], "error");
}

#[test]
fn rules_json_for_one_rule_has_its_sections() {
    let out = goodwill(&repo(), &["rules", "GW013", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout.clone()).unwrap();
    assert!(
        doc["sections"]["Why it costs loyalty"]
            .as_str()
            .unwrap()
            .contains("Here is our policy")
    );
}

#[test]
fn rules_unknown_id_exits_2_with_a_suggestion() {
    let out = goodwill(&repo(), &["rules", "GW04"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.clone().contains("did you mean `GW004`?"),
        "{}",
        out.stderr.clone()
    );
}

#[test]
fn docs_rules_md_is_the_generated_rule_reference() {
    let out = goodwill(&repo(), &["rules", "--format", "markdown"]);
    let published = std::fs::read_to_string(repo().join("docs/rules.md")).unwrap();
    assert!(
        published == out.stdout,
        "docs/rules.md is stale: regenerate it with `goodwill rules --format markdown > docs/rules.md`"
    );
}
