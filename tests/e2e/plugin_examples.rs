//! The example plugins of `plugins/examples/`, built from source by
//! `plugins/examples/build.sh`, run by the real binary on their sample
//! interactions. Ignored unless built: run `plugins/examples/build.sh`, then
//! `cargo test -p goodwill-cli --test e2e -- --ignored`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/examples")
}

fn built(name: &str) -> PathBuf {
    let path = examples().join("dist").join(format!("{name}.wasm"));
    assert!(
        path.is_file(),
        "`{}` is missing: run plugins/examples/build.sh first",
        path.display()
    );
    path
}

/// Runs `goodwill plugin run` and returns the exit code, the JSON lines by
/// interaction id, and stderr.
fn run(plugin: &str, args: &[&str]) -> (i32, Vec<(String, Value)>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_goodwill"))
        // One cache for every test run: the Python example compiles once.
        .env(
            "GOODWILL_CACHE_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugin-cache"),
        )
        .args(["plugin", "run"])
        .arg(built(plugin))
        .arg(examples().join(plugin).join("interactions.jsonl"))
        .args(args)
        .output()
        .unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["interaction"].as_str().unwrap().to_string(), v)
        })
        .collect();
    (
        out.status.code().unwrap(),
        lines,
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The check ids each interaction raised, or `error:<kind>`.
fn raised(lines: &[(String, Value)]) -> Vec<(String, Vec<String>)> {
    lines
        .iter()
        .map(|(id, v)| {
            let ids = match v["evaluation"]["findings"].as_array() {
                Some(findings) => findings
                    .iter()
                    .map(|f| f["check_id"].as_str().unwrap().to_string())
                    .collect(),
                None => vec![format!(
                    "error:{}",
                    v["plugin_error"]["cause"]["kind"].as_str().unwrap()
                )],
            };
            (id.clone(), ids)
        })
        .collect()
}

fn expect(pairs: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    pairs
        .iter()
        .map(|(id, ids)| (id.to_string(), ids.iter().map(|s| s.to_string()).collect()))
        .collect()
}

#[test]
#[ignore = "needs plugins/examples/build.sh"]
fn transcript_checker_flags_blame_and_policy_answers_in_four_languages() {
    let (code, lines, stderr) = run("transcript-checker", &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        raised(&lines),
        expect(&[
            ("en-1", &["blame-shifting", "policy-as-answer"]),
            ("et-1", &["policy-as-answer", "no-one-can-decide"]),
            ("ru-1", &["blame-shifting", "policy-as-answer"]),
            (
                "hr-1",
                &["blame-shifting", "policy-as-answer", "no-one-can-decide"]
            ),
            ("ok-1", &[]),
            ("none", &[]),
        ])
    );
    let none = &lines[5].1["evaluation"];
    assert_eq!(none["applies"], false);
    assert!(stderr.contains("6 evaluated, 0 plugin errors"), "{stderr}");
}

#[test]
#[ignore = "needs plugins/examples/build.sh"]
fn transcript_checker_refuses_an_unknown_language_in_its_config() {
    let (code, _, stderr) = run(
        "transcript-checker",
        &["--config", r#"{"languages":["de"]}"#],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("refused its configuration: language `de` is not one of en, et, ru, hr"),
        "{stderr}"
    );
}

#[test]
#[ignore = "needs plugins/examples/build.sh"]
fn promise_keeping_checks_date_price_and_manner() {
    let (code, lines, stderr) = run("promise-keeping", &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        raised(&lines),
        expect(&[
            ("kept", &[]),
            ("late", &["promise-late"]),
            ("never", &["promise-late"]),
            ("overcharged", &["price-above-quote"]),
            ("pickup", &["manner-changed"]),
            ("no-promise", &[]),
            ("bad-date", &["error:guest"]),
        ])
    );
    let by_id = |id: &str| &lines.iter().find(|(i, _)| i == id).unwrap().1;
    assert_eq!(
        by_id("late")["evaluation"]["findings"][0]["message"],
        "promised by 2024-03-04, delivered 2024-03-08T12:00:00+02:00: 3 days late"
    );
    assert_eq!(by_id("overcharged")["evaluation"]["benefit"], 15.0);
    assert_eq!(by_id("no-promise")["evaluation"]["applies"], false);
    assert_eq!(
        by_id("bad-date")["plugin_error"]["cause"]["message"],
        "`due` is not an RFC 3339 date or date-time: `next tuesday`"
    );
}

#[test]
#[ignore = "needs plugins/examples/build.sh"]
fn strict_run_fails_on_a_plugin_error() {
    let (code, lines, _) = run("promise-keeping", &["--strict"]);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 7, "every interaction still gets its line");
}

#[test]
#[ignore = "needs plugins/examples/build.sh"]
fn a_plugin_that_cannot_describe_itself_within_its_fuel_is_refused() {
    let (code, lines, stderr) = run("promise-keeping", &["--fuel", "100"]);
    assert_eq!(code, 2);
    assert!(lines.is_empty());
    assert!(
        stderr.contains("failed in `describe`: out of fuel (100 units)"),
        "{stderr}"
    );
}

/// The policy id the transcript checker describes.
const TRANSCRIPT: &str = "transcript-blame-and-policy-answers";

/// A pack listing both example plugins (copied in), no TOML policy.
fn examples_pack() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["transcript-checker", "promise-keeping"] {
        std::fs::copy(built(name), dir.path().join(format!("{name}.wasm"))).unwrap();
    }
    std::fs::write(
        dir.path().join("goodwill.toml"),
        "[pack]\nname = \"examples\"\n\n[[plugins]]\npath = \"transcript-checker.wasm\"\n\n[[plugins]]\npath = \"promise-keeping.wasm\"\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    let mut input = String::new();
    for name in ["transcript-checker", "promise-keeping"] {
        input.push_str(
            &std::fs::read_to_string(examples().join(name).join("interactions.jsonl")).unwrap(),
        );
    }
    // `promise.due` is a canonical timestamp: eval rejects the samples'
    // date-only dues (the plugin alone, in `plugin run`, accepts them).
    let input = input.replace(r#""due":"2024-03-04""#, r#""due":"2024-03-04T23:59:59Z""#);
    std::fs::write(dir.path().join("in.jsonl"), input).unwrap();
    dir
}

fn goodwill_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_goodwill"))
        .current_dir(dir)
        .env(
            "GOODWILL_CACHE_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugin-cache"),
        )
        .args(args)
        .output()
        .unwrap()
}

#[test]
#[ignore = "needs plugins/examples/build.sh"]
fn eval_runs_both_example_plugins_as_policies_of_a_pack() {
    let dir = examples_pack();
    let out = goodwill_in(
        dir.path(),
        &["eval", ".", "in.jsonl", "--allow-rejects", "--jobs", "2"],
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let found: Vec<(String, String, String)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let s = |k: &str| v[k].as_str().unwrap().to_string();
            (s("interaction"), s("policy"), s("check"))
        })
        .collect();
    let t = |i: &str, p: &str, c: &str| (i.to_string(), p.to_string(), c.to_string());
    assert_eq!(
        found,
        [
            t("en-1", TRANSCRIPT, "blame-shifting"),
            t("en-1", TRANSCRIPT, "policy-as-answer"),
            t("et-1", TRANSCRIPT, "policy-as-answer"),
            t("et-1", TRANSCRIPT, "no-one-can-decide"),
            t("ru-1", TRANSCRIPT, "blame-shifting"),
            t("ru-1", TRANSCRIPT, "policy-as-answer"),
            t("hr-1", TRANSCRIPT, "blame-shifting"),
            t("hr-1", TRANSCRIPT, "policy-as-answer"),
            t("hr-1", TRANSCRIPT, "no-one-can-decide"),
            t("late", "promise-keeping", "promise-late"),
            t("never", "promise-keeping", "promise-late"),
            t("overcharged", "promise-keeping", "price-above-quote"),
            t("pickup", "promise-keeping", "manner-changed"),
        ]
    );
    // `next tuesday` is not a timestamp: the record is rejected before any
    // policy, plugin or not, sees it; `kept` raises nothing.
    assert!(stderr.contains("1 rejected"), "{stderr}");
    assert!(!stderr.contains("plugin errors"), "{stderr}");
}

#[test]
#[ignore = "needs plugins/examples/build.sh"]
fn check_lints_the_example_plugins_descriptions() {
    let dir = examples_pack();
    let out = goodwill_in(dir.path(), &["check", ".", "--format", "json"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let mut by_policy: Vec<(String, String, u64)> = doc["lint"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["policy"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    by_policy.dedup();
    // Each finding points at its plugin's `path` line in goodwill.toml.
    assert!(
        by_policy
            .iter()
            .all(|(p, _, line)| (p == TRANSCRIPT && *line == 5)
                || (p == "promise-keeping" && *line == 8)),
        "{by_policy:?}"
    );
    assert!(
        by_policy
            .iter()
            .any(|(p, r, _)| p == "promise-keeping" && r == "GW009"),
        "{by_policy:?}"
    );
}
