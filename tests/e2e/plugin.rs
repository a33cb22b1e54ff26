//! `goodwill plugin inspect` on real component files.

use std::process::Command;

#[path = "../../core/tests/fixtures/mod.rs"]
pub(super) mod fixtures;

fn goodwill() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_goodwill"));
    cmd.env(
        "GOODWILL_CACHE_DIR",
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugin-cache"),
    );
    cmd
}

#[test]
fn inspect_shows_the_description_imports_and_limits_of_a_plugin() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("good.wasm");
    std::fs::write(&file, fixtures::well_behaved()).unwrap();
    let out = goodwill()
        .args(["plugin", "inspect"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("contract  goodwill:policy/policy@0.2.0\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("policy    well-behaved: Fixture well-behaved\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  granted  goodwill:policy/types@0.2.0\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("limits    fuel 2000000000 per call, deadline 2000 ms, memory 256 MiB"),
        "{stdout}"
    );
}

#[test]
fn inspect_of_a_plugin_with_a_forbidden_import_names_it_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("evil.wasm");
    std::fs::write(&file, fixtures::forbidden_import()).unwrap();
    let out = goodwill()
        .args(["plugin", "inspect", "--no-cache", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let refused: Vec<_> = doc["imports"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["granted"] == false)
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(refused, ["evil:net/socket"]);
    assert!(
        doc["refused"]
            .as_str()
            .unwrap()
            .contains("imports `evil:net/socket`")
    );
    assert!(doc["description"].is_null());
}

#[test]
fn inspect_of_a_core_module_says_it_is_not_a_component() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("core.wasm");
    std::fs::write(&file, fixtures::core_module()).unwrap();
    let out = goodwill()
        .args(["plugin", "inspect"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("is not a WebAssembly component"),
        "{stderr}"
    );
}
