//! Waivers (`waivers.toml`) and baselines (`--write-baseline`,
//! `--baseline`) on the example pack, whose parking policy earns GW001 and
//! GW015 warnings.

use crate::support::{POLICY, PackDir};

fn waiver(rule: &str, expires: &str) -> String {
    format!(
        "[[waivers]]\nrule = \"{rule}\"\npolicy = \"parking-validation\"\nreason = \"managers answer in person the same day\"\nowner = \"branch-operations\"\nexpires = {expires}\n"
    )
}

#[test]
fn a_waived_finding_is_counted_apart_and_does_not_fail() {
    let pack = PackDir::example();
    pack.write("waivers.toml", &waiver("GW015", "2027-06-30"));
    let run = pack.check(&["--fail-on", "warning", "--today", "2027-06-30"]);
    assert!(!run.stdout.contains("GW015"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("1 finding (0 error, 1 warning, 0 info); 1 waived"),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 1, "GW001 is still a warning");
}

#[test]
fn an_expired_waiver_is_an_error_and_waives_nothing() {
    let pack = PackDir::example();
    pack.write("waivers.toml", &waiver("GW015", "2026-01-31"));
    let run = pack.check(&["--today", "2026-02-01"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn a_waiver_matching_nothing_is_a_warning() {
    let pack = PackDir::example();
    pack.write("waivers.toml", &waiver("GW004", "2030-01-01"));
    let run = pack.check(&["--today", "2026-02-01"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("warning[waiver-unused]: the waiver of `GW004` on `parking-validation` matches no finding"), "{}", run.stdout);
    assert!(
        run.stdout.contains("--> waivers.toml:2:8"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_waivers_file_with_an_unknown_key_is_a_load_error() {
    let pack = PackDir::example();
    pack.write(
        "waivers.toml",
        &waiver("GW015", "2030-01-01").replace("owner", "ownr"),
    );
    let run = pack.check(&[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `owner`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_baseline_lets_old_findings_pass_and_fails_on_new_ones() {
    let pack = PackDir::example();
    let written = pack.check(&["--fail-on", "warning", "--write-baseline", "baseline.json"]);
    assert_eq!(
        written.code, 0,
        "the findings written are baselined: {}",
        written.stdout
    );
    let text = std::fs::read_to_string(pack.path().join("baseline.json")).unwrap();
    assert_eq!(text.matches("\"fingerprint\"").count(), 2, "{text}");

    let again = pack.check(&["--fail-on", "warning", "--baseline", "baseline.json"]);
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert!(
        again.stdout.contains("; 2 in the baseline"),
        "{}",
        again.stdout
    );

    // Moving lines keeps the fingerprints; a new hostile clause is new.
    pack.replace(
        POLICY,
        "[complaints]",
        "# moved down a line\n\n[complaints]",
    );
    pack.replace(
        POLICY,
        "levels = [\"partnership\"]",
        "levels = [\"partnership\"]\nrequires_purchase = true",
    );
    let after = pack.check(&["--fail-on", "warning", "--baseline", "baseline.json"]);
    assert_eq!(after.code, 1);
    assert!(after.stdout.contains("warning[GW003]"), "{}", after.stdout);
    assert!(!after.stdout.contains("warning[GW015]"), "{}", after.stdout);
    assert!(
        after
            .stdout
            .contains("1 finding (0 error, 1 warning, 0 info); 2 in the baseline"),
        "{}",
        after.stdout
    );
}

#[test]
fn changing_what_a_finding_read_makes_it_new() {
    let pack = PackDir::example();
    pack.check(&["--write-baseline", "baseline.json"]);
    pack.replace(
        POLICY,
        "granted_by = [\"branch-manager\"]",
        "granted_by = [\"regional-manager\"]",
    );
    let run = pack.check(&["--fail-on", "warning", "--baseline", "baseline.json"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("warning[GW001]: only `regional-manager`"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_missing_baseline_is_a_load_error() {
    let pack = PackDir::example();
    let run = pack.check(&["--baseline", "nope.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot read the baseline `nope.json`"),
        "{}",
        run.stderr
    );
}
