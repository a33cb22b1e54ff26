//! `[[plugins]]` in `goodwill.toml`: plugins that load are returned, the
//! others are diagnostics pointing at their entry.

mod fixtures;

use goodwill_core::DiagnosticCode;
use goodwill_core::plugin::{HostSettings, PluginHost, load_pack_plugins};

const MANIFEST: &str = r#"[pack]
name = "plugins"

[[plugins]]
path = "good.wasm"
config = { language = "et" }
limits = { fuel = 5000000, deadline_ms = 500 }

[[plugins]]
path = "evil.wasm"

[[plugins]]
path = "missing.wasm"
"#;

fn pack_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("goodwill.toml"), MANIFEST).unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("good.wasm"), fixtures::well_behaved()).unwrap();
    std::fs::write(dir.path().join("evil.wasm"), fixtures::forbidden_import()).unwrap();
    dir
}

#[test]
fn plugins_entries_are_read_with_their_config_and_limits() {
    let dir = pack_dir();
    let pack = goodwill_core::load(dir.path()).expect("pack loads");
    let entries = &pack.manifest.plugins;
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0].limits.fuel, 5_000_000);
    assert_eq!(entries[0].limits.deadline_ms, 500);
    assert_eq!(entries[1].limits, Default::default());
    assert_eq!(
        entries[0].config.as_ref().unwrap()["language"].as_str(),
        Some("et")
    );
}

#[test]
fn refused_plugins_are_diagnostics_at_their_entry_and_the_others_load() {
    let dir = pack_dir();
    let pack = goodwill_core::load(dir.path()).expect("pack loads");
    let host = PluginHost::new(HostSettings::default()).unwrap();
    let (plugins, diagnostics) = load_pack_plugins(&pack, &host);
    assert_eq!(plugins.len(), 1);
    assert_eq!(plugins[0].id(), "well-behaved");
    assert_eq!(plugins[0].limits().fuel, 5_000_000);
    let found: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            (
                d.code,
                d.position()
                    .unwrap()
                    .rsplit_once("goodwill.toml:")
                    .unwrap()
                    .1
                    .to_string(),
                d.message.clone(),
            )
        })
        .collect();
    assert_eq!(found[0].0, DiagnosticCode::PluginLoad);
    assert_eq!(found[0].1, "10:8");
    assert!(
        found[0]
            .2
            .ends_with("imports `evil:net/socket`, which goodwill does not grant to plugins"),
        "{}",
        found[0].2
    );
    assert_eq!(found[1].1, "13:8");
    assert!(
        found[1].2.starts_with("cannot read plugin"),
        "{}",
        found[1].2
    );
}

#[test]
fn an_unknown_key_in_limits_is_a_load_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("goodwill.toml"),
        "[pack]\nname = \"x\"\n\n[[plugins]]\npath = \"a.wasm\"\nlimits = { fuell = 1 }\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    let err = goodwill_core::load(dir.path()).unwrap_err();
    assert!(
        err.diagnostics.iter().any(|d| d.message.contains("fuell")),
        "{:?}",
        err.diagnostics
    );
}
