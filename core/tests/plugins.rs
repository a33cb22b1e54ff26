//! The plugin host contains whatever a plugin does: each hostile fixture
//! fails with the cause reported for the interaction it failed on, while
//! the other interactions, and the other plugins, get the results they get
//! without it.

mod fixtures;

use goodwill_core::plugin::{
    HostSettings, LoadedPlugin, PluginError, PluginErrorCause, PluginEvaluation, PluginHost,
    PluginLimits, PluginLoadError,
};
use serde_json::json;

const RECORDS: [(&str, &str); 3] = [
    ("r1", r#"{"id":"r1"}"#),
    ("boom", r#"{"id":"boom","x":1}"#),
    ("r2", r#"{"id":"r2","channel":"chat"}"#),
];

fn host() -> PluginHost {
    PluginHost::new(HostSettings::default()).expect("host starts")
}

fn load(host: &PluginHost, bytes: &[u8], limits: PluginLimits) -> LoadedPlugin {
    host.load_bytes("fixture.wasm", bytes, limits, &json!({}))
        .expect("fixture loads")
}

fn run(plugin: &LoadedPlugin) -> Vec<Result<PluginEvaluation, PluginError>> {
    let mut runner = plugin.runner();
    RECORDS
        .iter()
        .map(|(id, json)| runner.evaluate(id, json))
        .collect()
}

/// Runs the hostile plugin interleaved with a well-behaved one on the same
/// host and threads, and checks the well-behaved one's results are those it
/// gets alone.
fn run_beside_well_behaved(
    hostile: &[u8],
    limits: PluginLimits,
) -> Vec<Result<PluginEvaluation, PluginError>> {
    let alone = run(&load(
        &host(),
        &fixtures::well_behaved(),
        PluginLimits::default(),
    ));
    let host = host();
    let good = load(&host, &fixtures::well_behaved(), PluginLimits::default());
    let bad = load(&host, hostile, limits);
    let (mut good_runner, mut bad_runner) = (good.runner(), bad.runner());
    let mut beside = Vec::new();
    let mut hostile_results = Vec::new();
    for (id, json) in RECORDS {
        hostile_results.push(bad_runner.evaluate(id, json));
        beside.push(good_runner.evaluate(id, json));
    }
    assert_eq!(beside, alone, "the well-behaved plugin's results changed");
    assert!(alone.iter().all(Result::is_ok));
    hostile_results
}

fn cause(result: &Result<PluginEvaluation, PluginError>) -> &PluginErrorCause {
    &result.as_ref().expect_err("the call fails").cause
}

#[test]
fn well_behaved_fixture_evaluates_every_record() {
    let results = run(&load(
        &host(),
        &fixtures::well_behaved(),
        PluginLimits::default(),
    ));
    let benefits: Vec<_> = results
        .iter()
        .map(|r| r.as_ref().unwrap().benefit)
        .collect();
    assert_eq!(benefits, [Some(11.0), Some(19.0), Some(28.0)]);
}

#[test]
fn infinite_loop_runs_out_of_fuel_on_every_record() {
    let limits = PluginLimits {
        fuel: 1_000_000,
        deadline_ms: 60_000,
        ..PluginLimits::default()
    };
    let results = run_beside_well_behaved(&fixtures::infinite_loop(), limits);
    for (r, (id, _)) in results.iter().zip(RECORDS) {
        let e = r.as_ref().unwrap_err();
        assert_eq!(e.cause, PluginErrorCause::OutOfFuel { fuel: 1_000_000 });
        assert_eq!(
            (e.plugin.as_str(), e.interaction.as_str()),
            ("infinite-loop", id)
        );
    }
}

#[test]
fn infinite_loop_hits_the_deadline_when_fuel_is_plenty() {
    let limits = PluginLimits {
        fuel: u64::MAX / 2,
        deadline_ms: 50,
        ..PluginLimits::default()
    };
    let results = run_beside_well_behaved(&fixtures::infinite_loop(), limits);
    for r in &results {
        assert_eq!(cause(r), &PluginErrorCause::Deadline { deadline_ms: 50 });
    }
}

#[test]
fn memory_bomb_is_stopped_at_the_memory_cap() {
    let limits = PluginLimits {
        memory_mib: 16,
        ..PluginLimits::default()
    };
    let results = run_beside_well_behaved(&fixtures::memory_bomb(), limits);
    for r in &results {
        assert_eq!(cause(r), &PluginErrorCause::Memory { limit_mib: 16 });
    }
}

#[test]
fn deep_recursion_is_a_stack_overflow() {
    let results = run_beside_well_behaved(&fixtures::deep_recursion(), PluginLimits::default());
    for r in &results {
        assert_eq!(cause(r), &PluginErrorCause::StackOverflow);
    }
}

#[test]
fn garbage_return_is_reported_as_malformed() {
    let results = run_beside_well_behaved(&fixtures::garbage_return(), PluginLimits::default());
    for r in &results {
        assert!(
            matches!(cause(r), PluginErrorCause::Malformed { .. }),
            "{:?}",
            cause(r)
        );
    }
}

#[test]
fn trap_on_one_record_leaves_the_other_records_of_the_same_plugin_intact() {
    let host = host();
    let plugin = load(&host, &fixtures::trap_on_one(), PluginLimits::default());
    let mut runner = plugin.runner();
    let results: Vec<_> = RECORDS
        .iter()
        .map(|(id, j)| runner.evaluate(id, j))
        .collect();
    assert_eq!(results[0].as_ref().unwrap().benefit, Some(11.0));
    let e = results[1].as_ref().unwrap_err();
    assert_eq!(e.interaction, "boom");
    assert_eq!(
        e.cause,
        PluginErrorCause::Trap {
            message: "wasm `unreachable` instruction executed".to_string()
        }
    );
    assert_eq!(results[2].as_ref().unwrap().benefit, Some(28.0));
    assert_eq!(
        runner.instantiations(),
        2,
        "the trapped instance was replaced"
    );
}

#[test]
fn trap_on_one_record_leaves_other_plugins_unaffected() {
    let results = run_beside_well_behaved(&fixtures::trap_on_one(), PluginLimits::default());
    assert!(results[0].is_ok() && results[2].is_ok());
    assert!(matches!(cause(&results[1]), PluginErrorCause::Trap { .. }));
}

#[test]
fn an_error_returned_by_the_plugin_is_its_cause_and_keeps_the_instance() {
    let plugin = load(&host(), &fixtures::trap_on_one(), PluginLimits::default());
    let mut runner = plugin.runner();
    let e = runner.evaluate("e1", r#"{"id":"e1"}"#).unwrap_err();
    assert_eq!(
        e.cause,
        PluginErrorCause::Guest {
            message: "cannot read record".to_string()
        }
    );
    assert!(runner.evaluate("r1", r#"{"id":"r1"}"#).is_ok());
    assert_eq!(runner.instantiations(), 1);
}

#[test]
fn forbidden_import_is_refused_at_load_naming_the_import() {
    let err = host()
        .load_bytes(
            "evil.wasm",
            &fixtures::forbidden_import(),
            PluginLimits::default(),
            &json!({}),
        )
        .unwrap_err();
    assert!(
        matches!(&err, PluginLoadError::ForbiddenImport { import, .. } if import == "evil:net/socket"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "`evil.wasm` imports `evil:net/socket`, which goodwill does not grant to plugins"
    );
}

#[test]
fn a_core_module_is_refused_as_not_a_component() {
    let err = host()
        .load_bytes(
            "core.wasm",
            &fixtures::core_module(),
            PluginLimits::default(),
            &json!({}),
        )
        .unwrap_err();
    assert!(
        matches!(err, PluginLoadError::NotAComponent { .. }),
        "{err:?}"
    );
}

#[test]
fn the_error_record_names_plugin_interaction_and_cause() {
    let plugin = load(&host(), &fixtures::trap_on_one(), PluginLimits::default());
    let e = plugin
        .runner()
        .evaluate("boom", r#"{"id":"boom"}"#)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "plugin `trap-on-one` failed on interaction `boom`: trap: wasm `unreachable` instruction executed"
    );
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({
            "plugin": "trap-on-one",
            "interaction": "boom",
            "cause": {"kind": "trap", "message": "wasm `unreachable` instruction executed"}
        })
    );
}

#[test]
fn runners_on_two_threads_get_the_same_results() {
    let plugin = load(&host(), &fixtures::trap_on_one(), PluginLimits::default());
    let expected = run(&plugin);
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let plugin = plugin.clone();
            std::thread::spawn(move || run(&plugin))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), expected);
    }
}

#[test]
fn a_second_host_takes_the_compiled_plugin_from_the_disk_cache() {
    let dir = tempfile::tempdir().unwrap();
    let settings = HostSettings {
        cache_dir: Some(dir.path().to_path_buf()),
        ..HostSettings::default()
    };
    let bytes = fixtures::well_behaved();
    let first = PluginHost::new(settings.clone()).unwrap();
    load(&first, &bytes, PluginLimits::default());
    let stats = first.cache_stats().unwrap();
    assert_eq!((stats.hits, stats.misses), (0, 1));
    let second = PluginHost::new(settings).unwrap();
    let plugin = load(&second, &bytes, PluginLimits::default());
    let stats = second.cache_stats().unwrap();
    assert_eq!((stats.hits, stats.misses), (1, 0));
    assert!(plugin.runner().evaluate("r1", r#"{"id":"r1"}"#).is_ok());
}

#[test]
fn a_changed_plugin_is_compiled_again_and_the_stack_size_does_not_matter() {
    let dir = tempfile::tempdir().unwrap();
    let settings = |stack| HostSettings {
        cache_dir: Some(dir.path().to_path_buf()),
        max_wasm_stack: stack,
    };
    let first = PluginHost::new(settings(512 * 1024)).unwrap();
    load(&first, &fixtures::well_behaved(), PluginLimits::default());
    // The stack limit is a runtime setting: the compiled code is the same.
    let other = PluginHost::new(settings(256 * 1024)).unwrap();
    load(&other, &fixtures::well_behaved(), PluginLimits::default());
    load(&other, &fixtures::trap_on_one(), PluginLimits::default());
    let stats = other.cache_stats().unwrap();
    assert_eq!((stats.hits, stats.misses), (1, 1));
}

#[test]
fn a_finding_for_a_check_the_plugin_did_not_describe_is_malformed() {
    let results = run_beside_well_behaved(&fixtures::undeclared_finding(), PluginLimits::default());
    for r in &results {
        assert_eq!(
            cause(r),
            &PluginErrorCause::Malformed {
                message: "finding for check `ghost`, which `describe` did not list".to_string()
            }
        );
    }
}

#[test]
fn a_plugin_describing_itself_with_an_invalid_id_is_refused() {
    let err = host()
        .load_bytes(
            "bad.wasm",
            &fixtures::bad_description(),
            PluginLimits::default(),
            &json!({}),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`bad.wasm` describes itself wrongly: policy id `Not An Id` is not lowercase letters, digits and dashes"
    );
}

#[test]
fn a_plugin_built_against_contract_0_1_0_is_refused_naming_both_versions() {
    let err = host()
        .load_bytes(
            "old.wasm",
            &fixtures::old_contract(),
            PluginLimits::default(),
            &json!({}),
        )
        .unwrap_err();
    assert!(
        matches!(&err, PluginLoadError::ContractVersion { found, .. } if found == "0.1.0"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "`old.wasm` is built against `goodwill:policy@0.1.0`, but this goodwill implements `goodwill:policy@0.2.0`"
    );
}

#[test]
fn fields_new_in_contract_0_2_0_reach_the_policy_file_the_lint_reads() {
    let plugin = load(&host(), &fixtures::refuser(), PluginLimits::default());
    let def = plugin.describe().to_policy_file();
    assert_eq!(def.id, "refuser");
    assert_eq!(def.refusals.len(), 1);
    assert_eq!(def.refusals[0].what, "a refund");
    assert!(def.refusals[0].alternatives.is_empty());
    assert!(def.remedies.is_empty() && def.signup.is_none() && def.pricing.is_none());
}
