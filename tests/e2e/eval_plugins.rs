//! Plugins as first-class policies: `goodwill eval` and `goodwill check`
//! on packs whose `goodwill.toml` lists `[[plugins]]` (the WAT fixtures of
//! `core/tests/fixtures`, turned into components).

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value as Json, json};

// The WAT fixtures, compiled once for the whole e2e binary.
use super::plugin::fixtures;

/// A TOML policy that applies to every record and raises `counted` on it.
const EVERY_RECORD: &str = r#"id = "every-record"
title = "Every record"
applies = "true"

[[checks]]
id = "counted"
severity = "info"
level = "accuracy"
when = "true"
message = "counted {id}"
"#;

/// A pack with the TOML policy `every-record` and `plugins`: (file name,
/// component, extra keys of its `[[plugins]]` entry).
fn pack(plugins: &[(&str, Vec<u8>, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut manifest = String::from("[pack]\nname = \"plugins\"\n");
    for (file, bytes, extra) in plugins {
        std::fs::write(dir.path().join(file), bytes).unwrap();
        manifest.push_str(&format!("\n[[plugins]]\npath = \"{file}\"\n{extra}"));
    }
    std::fs::write(dir.path().join("goodwill.toml"), manifest).unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("policies/every-record.toml"), EVERY_RECORD).unwrap();
    dir
}

/// Writes `ids` as records `{"id": ...}` to `in.jsonl` in the pack.
fn records(dir: &Path, ids: &[&str]) {
    let text: String = ids
        .iter()
        .map(|id| format!("{{\"id\":\"{id}\"}}\n"))
        .collect();
    std::fs::write(dir.join("in.jsonl"), text).unwrap();
}

fn goodwill(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_goodwill"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env(
            "GOODWILL_CACHE_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugin-cache"),
        )
        .output()
        .unwrap()
}

fn eval(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["eval", ".", "in.jsonl"];
    args.extend_from_slice(extra);
    goodwill(dir, &args)
}

fn out(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn json_lines(text: &str) -> Vec<Json> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// (interaction, policy, check) of every finding line.
fn found(o: &Output) -> Vec<(String, String, String)> {
    json_lines(&out(o))
        .iter()
        .map(|l| {
            let s = |k: &str| l[k].as_str().unwrap().to_string();
            (s("interaction"), s("policy"), s("check"))
        })
        .collect()
}

fn triple(i: &str, p: &str, c: &str) -> (String, String, String) {
    (i.to_string(), p.to_string(), c.to_string())
}

#[test]
fn plugin_findings_are_finding_lines_with_the_same_schema_as_toml_findings() {
    let dir = pack(&[("finder.wasm", fixtures::finder(), "")]);
    records(dir.path(), &["a1"]);
    let o = eval(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        out(&o),
        concat!(
            r#"{"interaction":"a1","policy":"every-record","check":"counted","severity":"info","level":"accuracy","message":"counted a1","evidence":{},"source":{"file":"in.jsonl","line":1,"record":1}}"#,
            "\n",
            r#"{"interaction":"a1","policy":"finder","check":"saw-it","severity":"warning","level":"accuracy","message":"seen","evidence":{"fixture":true},"source":{"file":"in.jsonl","line":1,"record":1}}"#,
            "\n",
        )
    );
    let stderr = err(&o);
    assert!(
        stderr.contains("findings: 2 (1 warning, 1 info)"),
        "{stderr}"
    );
    assert!(stderr.contains("       1  finder\n"), "{stderr}");
}

#[test]
fn plugin_findings_fail_the_run_at_fail_on_like_toml_findings() {
    let dir = pack(&[("finder.wasm", fixtures::finder(), "")]);
    records(dir.path(), &["a1"]);
    let o = eval(dir.path(), &["--fail-on", "warning"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
}

#[test]
fn per_interaction_lines_carry_the_plugin_policies_and_their_errors() {
    let dir = pack(&[
        ("finder.wasm", fixtures::finder(), ""),
        ("trap.wasm", fixtures::trap_on_one(), ""),
    ]);
    records(dir.path(), &["a1", "boom"]);
    let o = eval(dir.path(), &["--per-interaction"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let lines = json_lines(&out(&o));
    assert_eq!(lines.len(), 2);
    let policies = |l: &Json| -> Vec<String> {
        l["policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["policy"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        policies(&lines[0]),
        ["every-record", "finder", "trap-on-one"]
    );
    assert_eq!(
        lines[0]["policies"][1],
        json!({"policy": "finder", "enforced": true, "benefit": 11.0, "findings": [
            {"check": "saw-it", "severity": "warning", "level": "accuracy", "message": "seen",
             "evidence": {"fixture": true}}
        ]})
    );
    assert_eq!(lines[0]["errors"], json!([]));
    assert_eq!(policies(&lines[1]), ["every-record", "finder"]);
    let errors = lines[1]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]
            .as_str()
            .unwrap()
            .starts_with("plugin `trap-on-one` failed on interaction `boom`: trap: "),
        "{errors:?}"
    );
}

#[test]
fn a_plugin_that_traps_on_one_interaction_is_a_plugin_error_and_nothing_else_changes() {
    let dir = pack(&[
        ("finder.wasm", fixtures::finder(), ""),
        ("trap.wasm", fixtures::trap_on_one(), ""),
    ]);
    records(dir.path(), &["a1", "boom", "c1"]);
    let o = eval(dir.path(), &["--rejects", "rejects.jsonl"]);
    let stderr = err(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "plugin errors do not fail by default: {stderr}"
    );
    // The TOML policy and the other plugin raise on every record, the
    // failing one included.
    let expected: Vec<_> = ["a1", "boom", "c1"]
        .iter()
        .flat_map(|i| {
            [
                triple(i, "every-record", "counted"),
                triple(i, "finder", "saw-it"),
            ]
        })
        .collect();
    assert_eq!(found(&o), expected);
    assert!(
        stderr.contains(
            "error: in.jsonl:2: plugin `trap-on-one` failed on interaction `boom`: trap: "
        ),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("plugin errors: 1 (the interactions were evaluated by the other policies)\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("       1  plugin `trap-on-one`: trap: "),
        "{stderr}"
    );
    assert!(stderr.contains("3 evaluated, 0 rejected"), "{stderr}");

    let rejects = json_lines(&std::fs::read_to_string(dir.path().join("rejects.jsonl")).unwrap());
    assert_eq!(rejects.len(), 1);
    let r = &rejects[0];
    assert_eq!(r["kind"], "plugin");
    assert_eq!(r["file"], "in.jsonl");
    assert_eq!(r["line"], 2);
    assert_eq!(r["plugin"], "trap-on-one");
    assert_eq!(r["interaction"], "boom");
    assert_eq!(r["cause"]["kind"], "trap");
    assert_eq!(r["text"], r#"{"id":"boom"}"#);
}

#[test]
fn strict_turns_plugin_errors_into_a_failed_run() {
    let dir = pack(&[("trap.wasm", fixtures::trap_on_one(), "")]);
    records(dir.path(), &["a1", "boom"]);
    let o = eval(dir.path(), &["--strict"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    // Every record still got its findings.
    assert_eq!(found(&o).len(), 2);
}

#[test]
fn every_failure_cause_is_reported_per_plugin_and_no_other_result_changes() {
    let dir = pack(&[
        (
            "loop.wasm",
            fixtures::infinite_loop(),
            "limits = { fuel = 1000000 }\n",
        ),
        (
            "bomb.wasm",
            fixtures::memory_bomb(),
            "limits = { memory_mib = 4 }\n",
        ),
        ("deep.wasm", fixtures::deep_recursion(), ""),
        ("garbage.wasm", fixtures::garbage_return(), ""),
        ("finder.wasm", fixtures::finder(), ""),
    ]);
    records(dir.path(), &["a1", "a2"]);
    let o = eval(dir.path(), &["--rejects", "rejects.jsonl"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let expected: Vec<_> = ["a1", "a2"]
        .iter()
        .flat_map(|i| {
            [
                triple(i, "every-record", "counted"),
                triple(i, "finder", "saw-it"),
            ]
        })
        .collect();
    assert_eq!(found(&o), expected);
    let rejects = json_lines(&std::fs::read_to_string(dir.path().join("rejects.jsonl")).unwrap());
    let causes: Vec<(String, String, String)> = rejects
        .iter()
        .map(|r| {
            (
                r["interaction"].as_str().unwrap().to_string(),
                r["plugin"].as_str().unwrap().to_string(),
                r["cause"]["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<_> = ["a1", "a2"]
        .iter()
        .flat_map(|i| {
            [
                triple(i, "infinite-loop", "out-of-fuel"),
                triple(i, "memory-bomb", "memory"),
                triple(i, "deep-recursion", "stack-overflow"),
                triple(i, "garbage-return", "malformed"),
            ]
        })
        .collect();
    assert_eq!(causes, expected);
    assert!(err(&o).contains("plugin errors: 8 "), "{}", err(&o));

    // The deadline, on its own: the same fixture, fuel without end.
    let dir = pack(&[(
        "slow.wasm",
        fixtures::infinite_loop(),
        "limits = { fuel = 9000000000000000000, deadline_ms = 20 }\n",
    )]);
    records(dir.path(), &["a1", "a2"]);
    let o = eval(dir.path(), &["--rejects", "rejects.jsonl"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let rejects = json_lines(&std::fs::read_to_string(dir.path().join("rejects.jsonl")).unwrap());
    assert_eq!(rejects.len(), 2);
    assert_eq!(
        rejects[0]["cause"],
        json!({"kind": "deadline", "deadline_ms": 20})
    );
    assert_eq!(found(&o).len(), 2);
}

#[test]
fn a_plugin_that_cannot_load_is_a_pack_diagnostic_at_its_entry_and_exit_2() {
    let dir = pack(&[
        ("finder.wasm", fixtures::finder(), ""),
        ("evil.wasm", fixtures::forbidden_import(), ""),
    ]);
    records(dir.path(), &["a1"]);
    let o = eval(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = err(&o);
    assert!(
        stderr.contains("imports `evil:net/socket`, which goodwill does not grant to plugins"),
        "{stderr}"
    );
    assert!(stderr.contains("goodwill.toml:8:8"), "{stderr}");
    assert_eq!(out(&o), "", "nothing is evaluated");
}

#[test]
fn output_with_plugins_is_identical_for_one_and_two_jobs() {
    let dir = pack(&[
        ("finder.wasm", fixtures::finder(), ""),
        ("trap.wasm", fixtures::trap_on_one(), ""),
        ("probe.wasm", fixtures::sandbox_probe(), ""),
    ]);
    // Over two chunks of records, failures and random draws spread out.
    let ids: Vec<String> = (0..5000)
        .map(|i| match i % 7 {
            0 => format!("boom{i}"),
            1 | 2 => format!("r{i}"),
            _ => format!("a{i}"),
        })
        .collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    records(dir.path(), &ids);
    let run = |jobs: &str, mode: &str| {
        let rejects = format!("rejects-{jobs}{mode}.jsonl");
        let mut args = vec!["--jobs", jobs, "--rejects", &rejects];
        if !mode.is_empty() {
            args.push(mode);
        }
        let o = eval(dir.path(), &args);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        (o.stdout, std::fs::read(dir.path().join(&rejects)).unwrap())
    };
    for mode in ["", "--per-interaction"] {
        let one = run("1", mode);
        let two = run("2", mode);
        assert!(!one.0.is_empty() && !one.1.is_empty());
        assert!(one == two, "output differs between --jobs 1 and 2 ({mode})");
    }
}

/// The benefit the sandbox probe reported for each interaction.
fn probe_benefits(o: &Output) -> Vec<(String, f64)> {
    json_lines(&out(o))
        .iter()
        .map(|l| {
            let benefit = l["policies"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["policy"] == "sandbox-probe")
                .expect("the probe applies")["benefit"]
                .as_f64()
                .unwrap();
            (l["interaction"].as_str().unwrap().to_string(), benefit)
        })
        .collect()
}

#[test]
fn a_plugin_sees_a_fixed_clock_and_the_same_seeded_randomness_every_run() {
    let dir = pack(&[("probe.wasm", fixtures::sandbox_probe(), "")]);
    records(dir.path(), &["t1", "r1", "r2", "t2"]);
    let first = probe_benefits(&eval(dir.path(), &["--per-interaction", "--jobs", "1"]));
    let second = probe_benefits(&eval(dir.path(), &["--per-interaction", "--jobs", "2"]));
    assert_eq!(first, second, "two runs see the same clock and randomness");
    // The wall clock is stopped at 2024-01-01T00:00:00Z (docs/plugins.md).
    assert_eq!(first[0], ("t1".to_string(), 1_704_067_200.0));
    assert_eq!(first[3], ("t2".to_string(), 1_704_067_200.0));
    // Every call starts the seeded stream over: the same first draw
    // whatever the instance evaluated before, and not a constant zero.
    let (r1, r2) = (first[1].1, first[2].1);
    assert_eq!(r1, r2);
    assert_ne!(r1, 0.0);
    // The first 8 bytes of the documented seed's stream (splitmix64 of
    // "goodwill"), read as wasmtime's deterministic generator reads them.
    assert_eq!(r1, (first_random_u64() >> 11) as f64);
}

/// `get-random-u64` of a fresh context: wasmtime's `Deterministic` reads
/// two big-endian u32 from the byte stream, whose first 8 bytes are the
/// first splitmix64 output of the seed, little-endian.
fn first_random_u64() -> u64 {
    let seed: u64 = 0x676f_6f64_7769_6c6c;
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    let b = z.to_le_bytes();
    let w0 = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let w1 = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
    (u64::from(w0) << 32) | u64::from(w1)
}

#[test]
fn check_lints_what_a_plugin_describes_at_its_plugins_entry() {
    let dir = pack(&[("good.wasm", fixtures::well_behaved(), "")]);
    let o = goodwill(dir.path(), &["check", ".", "--format", "json"]);
    let stdout = out(&o);
    let doc: Json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let findings = doc["lint"]["findings"].as_array().expect("findings");
    let plugin: Vec<&Json> = findings
        .iter()
        .filter(|f| f["policy"] == "well-behaved")
        .collect();
    assert!(!plugin.is_empty(), "{stdout}");
    let gw009 = plugin
        .iter()
        .find(|f| f["rule"] == "GW009")
        .unwrap_or_else(|| panic!("GW009 on the plugin: {stdout}"));
    assert_eq!(
        gw009["message"],
        "policy `well-behaved` names no complaint channel"
    );
    assert_at_plugin_entry(gw009);
}

/// A lint finding on a plugin points at the `path` of its `[[plugins]]`
/// entry: line 5, column 8 of the packs `pack` writes.
fn assert_at_plugin_entry(finding: &Json) {
    assert!(
        finding["file"].as_str().unwrap().ends_with("goodwill.toml"),
        "{finding}"
    );
    assert_eq!(
        (&finding["line"], &finding["column"]),
        (&json!(5), &json!(8)),
        "{finding}"
    );
}

#[test]
fn check_fires_a_rule_over_refusals_a_field_new_in_contract_0_2_0_at_the_plugins_entry() {
    let dir = pack(&[("refuser.wasm", fixtures::refuser(), "")]);
    let o = goodwill(dir.path(), &["check", ".", "--format", "json"]);
    let stdout = out(&o);
    let doc: Json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let findings = doc["lint"]["findings"].as_array().expect("findings");
    let gw013 = findings
        .iter()
        .find(|f| f["policy"] == "refuser" && f["rule"] == "GW013")
        .unwrap_or_else(|| panic!("GW013 on the plugin: {stdout}"));
    assert_eq!(
        gw013["message"],
        "`refuser` refuses `a refund` and offers nothing instead"
    );
    assert_at_plugin_entry(gw013);
}

#[test]
fn check_refuses_a_plugin_built_against_contract_0_1_0_naming_both_versions() {
    let dir = pack(&[("old.wasm", fixtures::old_contract(), "")]);
    let o = goodwill(dir.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = err(&o);
    assert!(stderr.contains("goodwill.toml:5:8"), "{stderr}");
    assert!(
        stderr.contains(
            "is built against `goodwill:policy@0.1.0`, but this goodwill implements `goodwill:policy@0.2.0`"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("rebuild the plugin against"), "{stderr}");
}

#[test]
fn check_fails_with_exit_2_on_a_plugin_that_cannot_load() {
    let dir = pack(&[("evil.wasm", fixtures::forbidden_import(), "")]);
    let o = goodwill(dir.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = err(&o);
    assert!(stderr.contains("goodwill.toml:5:8"), "{stderr}");
    assert!(stderr.contains("evil:net/socket"), "{stderr}");
}

/// The audit's JSON report of the pack in `dir` over `in.jsonl`.
fn audit_json(dir: &Path, extra: &[&str]) -> Json {
    let mut args = vec!["audit", ".", "--format", "json"];
    args.extend_from_slice(extra);
    let o = goodwill(dir, &args);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    serde_json::from_str(&out(&o)).unwrap()
}

#[test]
fn the_audit_has_a_ledger_row_per_plugin_and_counts_plugin_failures_as_its_errors() {
    let dir = pack(&[
        ("finder.wasm", fixtures::finder(), ""),
        ("trap.wasm", fixtures::trap_on_one(), ""),
    ]);
    records(dir.path(), &["a1", "boom", "c1"]);
    let doc = audit_json(dir.path(), &["--interactions", "in.jsonl"]);
    let ids: Vec<&str> = doc["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["every-record", "finder", "trap-on-one"]);
    let finder = &doc["policies"][1];
    assert_eq!(finder["findings"], 3, "{finder}");
    // The trap on `boom` is an error of that plugin, and of nothing else.
    let trap = &doc["policies"][2];
    let errors = trap["evaluation_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{trap}");
    assert_eq!(errors[0]["expression"], "plugin (trap)");
    assert_eq!(errors[0]["count"], 1);
    assert_eq!(errors[0]["first_interaction"], "boom");
    assert_eq!(doc["policies"][0]["findings"], 3);
    assert_eq!(doc["policies"][0]["evaluation_errors"], json!([]));
    assert_eq!(finder["evaluation_errors"], json!([]));
    // The pyramid counts the plugin's findings at their level.
    let accuracy = &doc["pyramid"]["levels"][0];
    assert_eq!(accuracy["warnings"], 3, "{accuracy}");
}

#[test]
fn partial_audits_of_a_pack_with_plugins_merge_into_the_single_audit() {
    let dir = pack(&[
        ("finder.wasm", fixtures::finder(), ""),
        ("trap.wasm", fixtures::trap_on_one(), ""),
    ]);
    records(dir.path(), &["a1", "boom", "c1", "e1", "a2"]);
    let text = std::fs::read_to_string(dir.path().join("in.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(dir.path().join("one.jsonl"), lines[..2].join("\n") + "\n").unwrap();
    std::fs::write(dir.path().join("two.jsonl"), lines[2..].join("\n") + "\n").unwrap();
    for (input, part) in [("one.jsonl", "p1.json"), ("two.jsonl", "p2.json")] {
        let o = goodwill(dir.path(), &["eval", ".", input, "--partial", part]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    }
    let merged = audit_json(dir.path(), &["--from-partials", "p2.json", "p1.json"]);
    let mut single = audit_json(dir.path(), &["--interactions", "one.jsonl", "two.jsonl"]);
    assert_eq!(merged, single);
    // Not vacuous: the plugin rows are there, with their failures.
    single["policies"][2]["evaluation_errors"][0]["count"] = json!(0);
    assert_ne!(merged, single);
    assert_eq!(
        merged["policies"][2]["evaluation_errors"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn check_counts_the_plugins_and_their_checks_in_its_summary() {
    let dir = pack(&[("good.wasm", fixtures::well_behaved(), "")]);
    let described = goodwill(
        dir.path(),
        &["plugin", "inspect", "good.wasm", "--format", "json"],
    );
    let doc: Json = serde_json::from_str(&out(&described))
        .unwrap_or_else(|e| panic!("{e}: {}", out(&described)));
    let checks = doc["description"]["checks"]
        .as_array()
        .expect("checks")
        .len();

    let o = goodwill(dir.path(), &["check", "."]);
    let stdout = out(&o);
    let noun = if checks == 1 { "check" } else { "checks" };
    // The TOML policy of the pack, then the plugin.
    assert!(stdout.contains(": 1 policy, "), "{stdout}");
    assert!(
        stdout.contains(&format!(", 1 plugin ({checks} {noun}); ")),
        "{stdout}"
    );

    let o = goodwill(dir.path(), &["check", ".", "--format", "json"]);
    let doc: Json = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(doc["plugins"], json!(1), "{doc}");
}
