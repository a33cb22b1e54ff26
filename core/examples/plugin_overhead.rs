//! Benchmark of the plugin host: per-call cost, two-thread throughput and
//! start-up from the on-disk cache.
//!
//! ```text
//! plugins/examples/build.sh          # for the two example plugins
//! cargo run --release -p goodwill-core --example plugin_overhead
//! ```
//!
//! Plugins measured: `noop` (a WAT fixture whose `evaluate` only writes its
//! result: the cost of the host machinery itself, fuel and deadline armed,
//! JSON text in, typed record out), and the examples in
//! `plugins/examples/dist/` when built. Every figure is the median of
//! several rounds.

use std::path::Path;
use std::time::{Duration, Instant};

use goodwill_core::plugin::{HostSettings, LoadedPlugin, PluginHost, PluginLimits};
use serde_json::json;

#[path = "../tests/fixtures/mod.rs"]
mod fixtures;

const ROUNDS: usize = 7;

fn main() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/examples");
    let cache = std::env::temp_dir().join("goodwill-bench-cache");
    let host = PluginHost::new(HostSettings {
        cache_dir: Some(cache.clone()),
        ..HostSettings::default()
    })
    .expect("host");
    let limits = PluginLimits::default();
    machine_scaling();

    let noop = host
        .load_bytes("noop", &fixtures::well_behaved(), limits, &json!({}))
        .expect("noop loads");
    let noop_record = r#"{"id":"t-1","channel":"chat","request":{"kind":"refund","amount":12.5}}"#;
    report("noop (WAT)", &noop, noop_record, 200_000);

    let promise = examples.join("dist/promise-keeping.wasm");
    let promise_record =
        std::fs::read_to_string(examples.join("promise-keeping/interactions.jsonl"))
            .ok()
            .and_then(|t| t.lines().nth(1).map(str::to_string));
    if let (true, Some(record)) = (promise.is_file(), promise_record) {
        let plugin = host
            .load(&promise, limits, &json!({}))
            .expect("promise-keeping loads");
        report("promise-keeping (Rust)", &plugin, &record, 50_000);
    } else {
        println!("promise-keeping: not built (plugins/examples/build.sh)");
    }

    let transcript = examples.join("dist/transcript-checker.wasm");
    let transcript_records =
        std::fs::read_to_string(examples.join("transcript-checker/interactions.jsonl"));
    if let (true, Ok(records)) = (transcript.is_file(), transcript_records) {
        let first = records.lines().next().unwrap_or_default().to_string();
        let plugin = host
            .load(&transcript, limits, &json!({}))
            .expect("transcript-checker loads");
        report("transcript-checker (Python)", &plugin, &first, 2_000);
        let empty = r#"{"id":"t-0"}"#;
        report(
            "transcript-checker (Python), no transcript",
            &plugin,
            empty,
            5_000,
        );
        startup(&cache, &transcript);
    } else {
        println!("transcript-checker: not built (plugins/examples/build.sh)");
    }
}

/// Median time of one call, and 1- vs 2-thread throughput.
fn report(name: &str, plugin: &LoadedPlugin, record: &str, calls: usize) {
    let one = median(|| per_call(plugin, record, calls));
    let single = median(|| threaded(plugin, record, calls, 1));
    let double = median(|| threaded(plugin, record, calls, 2));
    println!(
        "{name}: {:.2} us per call (median of {ROUNDS} x {calls}); throughput 1 thread {:.0}/s, 2 threads {:.0}/s: {:.2}x",
        one.as_secs_f64() * 1e6,
        single,
        double,
        double / single
    );
}

fn per_call(plugin: &LoadedPlugin, record: &str, calls: usize) -> Duration {
    let mut runner = plugin.runner();
    runner.evaluate("warm-up", record).expect("evaluates");
    let start = Instant::now();
    for _ in 0..calls {
        runner.evaluate("t", record).expect("evaluates");
    }
    start.elapsed() / calls as u32
}

/// Interactions per second with `threads` runners sharing `calls` calls.
fn threaded(plugin: &LoadedPlugin, record: &str, calls: usize, threads: usize) -> f64 {
    let mut runners: Vec<_> = (0..threads)
        .map(|_| {
            let mut r = plugin.runner();
            r.evaluate("warm-up", record).expect("evaluates");
            r
        })
        .collect();
    let start = Instant::now();
    std::thread::scope(|s| {
        for runner in &mut runners {
            s.spawn(move || {
                for _ in 0..calls / threads {
                    runner.evaluate("t", record).expect("evaluates");
                }
            });
        }
    });
    calls as f64 / start.elapsed().as_secs_f64()
}

/// The baseline for the thread figures: how much a plain Rust CPU loop
/// gains from a second thread on this machine right now (other processes
/// compete for the cores).
fn machine_scaling() {
    fn spin(n: u64) -> u64 {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for i in 0..n {
            x = (x ^ i).wrapping_mul(0xbf58_476d_1ce4_e5b9).rotate_left(17);
        }
        x
    }
    const WORK: u64 = 200_000_000;
    let rate = |threads: u64| {
        median(|| {
            let start = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..threads {
                    s.spawn(move || std::hint::black_box(spin(WORK / threads)));
                }
            });
            WORK as f64 / start.elapsed().as_secs_f64()
        })
    };
    let (one, two) = (rate(1), rate(2));
    println!(
        "baseline (plain Rust loop, no plugin): 2 threads {:.2}x 1 thread",
        two / one
    );
}

/// A new host loading the Python example from a warm cache: what a run
/// pays before its first interaction.
fn startup(cache: &Path, plugin: &Path) {
    let phases = median(|| {
        let start = Instant::now();
        let host = PluginHost::new(HostSettings {
            cache_dir: Some(cache.to_path_buf()),
            ..HostSettings::default()
        })
        .expect("host");
        let host_ms = start.elapsed().as_secs_f64() * 1e3;
        let plugin = host
            .load(plugin, PluginLimits::default(), &json!({}))
            .expect("loads");
        let load_ms = start.elapsed().as_secs_f64() * 1e3 - host_ms;
        let mut runner = plugin.runner();
        runner.evaluate("t", r#"{"id":"t"}"#).expect("evaluates");
        let total_ms = start.elapsed().as_secs_f64() * 1e3;
        (total_ms, host_ms, load_ms)
    });
    println!(
        "transcript-checker (Python): start-up from the cache: {:.1} ms (median of {ROUNDS}): host {:.1} ms, load (read, cache, instantiate, describe, configure) {:.1} ms, first call (instantiate, configure, evaluate) {:.1} ms",
        phases.0,
        phases.1,
        phases.2,
        phases.0 - phases.1 - phases.2
    );
}

fn median<T: PartialOrd + Copy>(mut f: impl FnMut() -> T) -> T {
    let mut v: Vec<T> = (0..ROUNDS).map(|_| f()).collect();
    v.sort_by(|a, b| a.partial_cmp(b).expect("comparable"));
    v[ROUNDS / 2]
}
