//! `goodwill init` and `goodwill check`: the example pack passes, and every
//! kind of fault in a pack exits 2 with file:line:column, the source line, a
//! caret and a help line.

use crate::support::{POLICY, PackDir, goodwill};

#[test]
fn init_then_check_passes_and_shows_the_test_table() {
    let pack = PackDir::example();
    let run = pack.check(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn init_refuses_to_overwrite_an_existing_pack() {
    let pack = PackDir::example();
    let run = goodwill(pack.path(), &["init", "."]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("exists already"), "{}", run.stderr);
}

#[test]
fn toml_syntax_error_exits_2_with_its_position() {
    let pack = PackDir::example();
    pack.replace(POLICY, "title = \"Parking", "title = Parking");
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn unknown_key_suggests_the_known_one() {
    let pack = PackDir::example();
    pack.replace(POLICY, "owner = ", "ownr = ");
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn key_after_a_table_header_is_explained() {
    let pack = PackDir::example();
    pack.replace(
        POLICY,
        "free = true",
        "free = true\nbenefit = \"request.amount\"",
    );
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`benefit` belongs at the top level"),
        "{}",
        run.stderr
    );
}

#[test]
fn misspelt_field_in_cel_points_inside_the_expression() {
    let pack = PackDir::example();
    pack.replace(
        POLICY,
        "customer.lifetime_value >= 100000.0",
        "customer.lifetime_valeu >= 100000.0",
    );
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn undeclared_field_in_a_message_placeholder_is_an_error() {
    let pack = PackDir::example();
    pack.replace(POLICY, "{customer.id}, worth", "{customer.tier}, worth");
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn cel_syntax_error_points_at_the_bad_token() {
    let pack = PackDir::example();
    pack.replace(
        POLICY,
        "request.amount < 1.0 &&",
        "request.amount < 1.0 &&&",
    );
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn test_naming_a_missing_check_suggests_the_real_one() {
    let pack = PackDir::example();
    pack.replace(
        POLICY,
        "raises = [\"tiny-stake-valuable-customer\", \"no-exception-offered\"]",
        "raises = [\"tiny-stake\", \"no-exception-offered\"]",
    );
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn wrong_type_names_the_value_and_the_type() {
    let pack = PackDir::example();
    pack.replace(POLICY, "amount = 0.60\n", "amount = \"sixty cents\"\n");
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn unknown_severity_lists_the_allowed_values() {
    let pack = PackDir::example();
    pack.replace(POLICY, "severity = \"warning\"", "severity = \"critical\"");
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown value `critical`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("--> {POLICY}:")),
        "{}",
        run.stderr
    );
}

#[test]
fn duplicate_policy_ids_across_files_point_at_both() {
    let pack = PackDir::example();
    let text = std::fs::read_to_string(pack.policy_path()).unwrap();
    pack.write("policies/zz-copy.toml", &text);
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("policy id `parking-validation` is used twice"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--> policies/zz-copy.toml:2:6"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("first used at policies/parking-validation.toml:2:6"),
        "{}",
        run.stderr
    );
}

#[test]
fn duplicate_check_ids_are_an_error() {
    let pack = PackDir::example();
    pack.replace(
        POLICY,
        "id = \"no-exception-offered\"",
        "id = \"tiny-stake-valuable-customer\"",
    );
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("error[duplicate-id]: check id `tiny-stake-valuable-customer` is used twice"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_error_of_the_pack_is_reported_in_one_run() {
    let pack = PackDir::example();
    pack.replace(POLICY, "owner = ", "ownr = ")
        .replace(POLICY, "summary = ", "sumary = ")
        .write(
            "policies/second.toml",
            "id = \"second\"\ntitle = \"x\"\napplies = \"channel == 'store' &&\"\n",
        );
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.matches("error[").count(), 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("could not be loaded: 3 errors"),
        "{}",
        run.stderr
    );
}

#[test]
fn json_error_format_carries_positions_and_help() {
    let pack = PackDir::example();
    pack.replace(
        POLICY,
        "customer.lifetime_value >= 100000.0",
        "customer.lifetime_valeu >= 100000.0",
    );
    let run = pack.check(&["--error-format", "json"]);
    assert_eq!(run.code, 2);
    let doc: serde_json::Value =
        serde_json::from_str(&run.stderr).expect("stderr is one JSON document");
    let d = &doc["diagnostics"][0];
    assert_eq!(d["code"], "unknown-field");
    assert_eq!(d["file"], POLICY);
    assert_eq!(d["line"], 34);
    assert_eq!(d["column"], 33);
    assert_eq!(d["help"], "did you mean `customer.lifetime_value`?");
}

#[test]
fn failing_pack_test_exits_1_and_says_why() {
    let pack = PackDir::example();
    pack.replace(POLICY, "request.amount < 1.0 &&", "request.amount < 0.5 &&");
    let run = pack.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("expected check `tiny-stake-valuable-customer` to fire, it did not"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("3 passed, 1 failed"), "{}", run.stdout);
}

#[test]
fn runtime_error_in_a_test_is_a_failure_not_a_crash() {
    let pack = PackDir::example();
    pack.replace(
        POLICY,
        "benefit = \"request.amount\"",
        "benefit = \"request.amount + double(customer.tenure_months)\"",
    );
    let run = pack.check(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "`benefit` failed: the interaction has no `customer.tenure_months`: guard the read \
             with `has(customer.tenure_months)`"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn type_mistake_in_cel_is_a_load_error_at_the_operator() {
    let pack = PackDir::example();
    pack.replace(
        POLICY,
        "benefit = \"request.amount\"",
        "benefit = \"request.amount + channel\"",
    );
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn condition_that_is_not_a_bool_is_a_load_error() {
    let pack = PackDir::example();
    pack.replace(
        POLICY,
        "enforced = \"outcome.resolution == 'denied'\"",
        "enforced = \"outcome.resolution\"",
    );
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("type mistake in `enforced`: the expression gives a string, not a bool"),
        "{}",
        run.stderr
    );
}

#[test]
fn test_interaction_of_the_wrong_type_is_a_load_error() {
    let pack = PackDir::example();
    pack.replace(
        POLICY,
        "tenure_months = 360",
        "tenure_months = \"thirty years\"",
    );
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("`customer.tenure_months` must be a whole number"),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_pack_exits_2_with_help() {
    let dir = tempfile::tempdir().unwrap();
    let run = goodwill(dir.path(), &["check", "nowhere"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`nowhere` is not a folder"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("goodwill init"), "{}", run.stderr);
}

#[test]
fn usage_error_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let run = goodwill(dir.path(), &["check", "--no-such-flag"]);
    assert_eq!(run.code, 2);
}

#[test]
fn help_documents_the_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let run = goodwill(dir.path(), &["--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("Exit codes:"), "{}", run.stdout);
    assert!(
        run.stdout.contains("2  the pack could not be loaded"),
        "{}",
        run.stdout
    );
}

#[test]
fn json_check_output_lists_every_test() {
    let pack = PackDir::example();
    let run = pack.check(&["--format", "json"]);
    assert_eq!(run.code, 0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["passed"], 4);
    assert_eq!(doc["tests"].as_array().unwrap().len(), 4);
}

#[test]
fn pathological_expression_is_an_error_not_a_crash() {
    let pack = PackDir::example();
    let huge = format!("applies = \"{}b\"", "a.".repeat(50_000));
    pack.replace(
        POLICY,
        "applies = \"request.kind == 'parking_validation'\"",
        &huge,
    );
    let run = pack.check(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("50000 operators"), "{}", run.stderr);
    // the excerpt of the 100 KB line is cut, not printed whole
    assert!(
        run.stderr.len() < 2_000,
        "{} bytes of stderr",
        run.stderr.len()
    );
}

#[test]
fn published_json_schemas_match_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/schema");
    for which in ["policy", "manifest"] {
        let run = goodwill(dir.path(), &["schema", which]);
        assert_eq!(run.code, 0);
        let published = std::fs::read_to_string(root.join(format!("{which}.schema.json"))).unwrap();
        assert_eq!(
            run.stdout, published,
            "docs/schema/{which}.schema.json is stale: regenerate it with `goodwill schema {which}`"
        );
    }
}

#[test]
fn the_documented_example_policy_loads_and_its_tests_pass() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/policy-format.md"),
    )
    .unwrap();
    let start = doc
        .find("```toml\n# policies/parking-validation.toml")
        .expect("the example is in the doc")
        + "```toml\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let pack = PackDir::example();
    pack.write(POLICY, &doc[start..end]);
    let run = pack.check(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("2 passed, 0 failed"), "{}", run.stdout);
}

#[test]
fn test_interaction_can_come_from_a_json_file_beside_the_policy() {
    let pack = PackDir::example();
    pack.write(
        "policies/cases/barrier.json",
        r#"{"id": "b", "customer": {"id": "john-barrier", "lifetime_value": 2000000}, "request": {"kind": "parking_validation", "amount": 0.6}, "outcome": {"resolution": "denied", "exception_requested": false}}"#,
    );
    let text = std::fs::read_to_string(pack.policy_path()).unwrap()
        + "\n[[tests]]\nname = \"from a file\"\ninteraction_file = \"cases/barrier.json\"\nraises = [\"tiny-stake-valuable-customer\"]\n";
    pack.write(POLICY, &text);
    let run = pack.check(&[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("5 passed, 0 failed"), "{}", run.stdout);
}

#[test]
fn broken_json_test_file_is_a_load_error_naming_both_files() {
    let pack = PackDir::example();
    pack.write(
        "policies/cases/broken.json",
        "{\"id\": \"b\",\n  \"customer\": }",
    );
    let text = std::fs::read_to_string(pack.policy_path()).unwrap()
        + "\n[[tests]]\nname = \"from a file\"\ninteraction_file = \"cases/broken.json\"\n";
    pack.write(POLICY, &text);
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("broken.json` is not valid JSON"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("at line 2 column"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("--> {POLICY}:")),
        "{}",
        run.stderr
    );
}

#[test]
fn a_quantity_that_is_not_finite_or_is_negative_is_an_error_at_its_value() {
    let pack = PackDir::example();
    pack.replace(POLICY, "up_to = 5.0", "up_to = nan").replace(
        POLICY,
        "escalation_deadline_hours = 24",
        "escalation_deadline_hours = inf",
    );
    let run = pack.check(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`exception.up_to` is NaN, not an amount"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("`exception.escalation_deadline_hours` is inf, not a number of hours"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("parking-validation.toml:22:9"),
        "{}",
        run.stderr
    );

    pack.replace(POLICY, "up_to = nan", "up_to = -5.0").replace(
        POLICY,
        "escalation_deadline_hours = inf",
        "escalation_deadline_hours = 24",
    );
    let run = pack.check(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`exception.up_to` is -5, not an amount"),
        "{}",
        run.stderr
    );
}
