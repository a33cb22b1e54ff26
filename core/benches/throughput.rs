//! Throughput of the eval pipeline: records/s for (a) parse only and
//! (b) parse + evaluation of a 20-check pack, on one thread and two, over
//! generated interactions with every canonical field and transcripts of a
//! few hundred bytes. A reference row, (r), runs the same pipeline with
//! serde_json only validating each line and throwing it away (no record
//! built, no type checked): the floor under any parse that checks the JSON,
//! against which (a) can be judged.
//!
//! ```text
//! cargo bench -p goodwill-core --bench throughput
//! GOODWILL_BENCH_RECORDS=200000 GOODWILL_BENCH_RUNS=5 cargo bench -p goodwill-core --bench throughput
//! ```
//!
//! The input is written to a temporary JSON Lines file and read through
//! the same readers `goodwill eval` uses. Each figure is the median of
//! `GOODWILL_BENCH_RUNS` runs. `GOODWILL_BENCH_OUT=FILE` keeps the
//! generated input there, to time the `goodwill` binary on it
//! (`scripts/bench-eval.sh`).

use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;

/// The allocator the `goodwill` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use goodwill_core::engine::{Engine, Summary, run_ordered};
use goodwill_core::input::{InputFormat, InputSpec, Payload, Records, decode};

/// A small deterministic generator (xorshift), so every run sees the same
/// records.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const SENTENCES: &[&str] = &[
    "Customer asked why the charge appeared twice on the statement.",
    "Agent explained that our policy does not allow refunds after thirty days.",
    "The courier lost the parcel, it is not our fault, please contact them.",
    "Customer said they have been with us for years and expected better.",
    "Agent offered to escalate to a supervisor within one business day.",
    "Customer requested an exception to the fee given the circumstances.",
    "The order was confirmed and a new delivery date was promised.",
    "Customer thanked the agent and said the issue was resolved.",
];

fn record(rng: &mut Rng, i: u64) -> String {
    let kind = rng.pick(&["refund", "delivery", "fee_dispute", "question", "complaint"]);
    let channel = rng.pick(&["store", "phone", "chat", "email", "web", "social"]);
    let resolution = rng.pick(&["granted", "partial", "denied", "escalated", "unresolved"]);
    let mut transcript = String::new();
    while transcript.len() < 250 + rng.below(400) as usize {
        transcript.push_str(rng.pick(SENTENCES));
        transcript.push(' ');
    }
    let fee = if rng.chance(30) {
        (rng.below(6000) as f64) / 100.0
    } else {
        0.0
    };
    let quoted = 20.0 + rng.below(50_000) as f64 / 100.0;
    let charged = if rng.chance(10) { quoted + 5.0 } else { quoted };
    let day = 1 + rng.below(27);
    let late = rng.below(5);
    let policies = if rng.chance(20) {
        r#"["fees"]"#
    } else {
        r#"["refunds","response"]"#
    };
    serde_json::json!({
        "id": format!("int-{i:08}"),
        "at": format!("2024-03-{day:02}T{:02}:{:02}:00Z", rng.below(24), rng.below(60)),
        "channel": channel,
        "agent": format!("{}-{}", rng.pick(&["staff", "temp"]), rng.below(200)),
        "customer": {
            "id": format!("cust-{}", rng.below(100_000)),
            "tenure_months": rng.below(240),
            "lifetime_value": rng.below(2_000_000) as f64 / 100.0,
            "segment": rng.pick(&["retail", "premium", "business"]),
        },
        "request": { "kind": kind, "amount": rng.below(100_000) as f64 / 100.0 },
        "outcome": {
            "resolution": resolution,
            "exception_requested": rng.chance(30),
            "exception_granted": rng.chance(10),
            "fee_charged": fee,
            "refund": 0.0,
            "credit": if rng.chance(20) { 10.0 } else { 0.0 },
        },
        "promise": {
            "made_at": format!("2024-03-{day:02}T09:00:00Z"),
            "due": format!("2024-04-{day:02}T17:00:00Z"),
            "delivered_at": format!("2024-04-{:02}T12:00:00Z", (day + late).min(28)),
            "quoted_price": quoted,
            "charged_price": charged,
        },
        "response_minutes": rng.below(1800) as f64 / 10.0,
        "contacts": 1 + rng.below(5),
        "transfers": rng.below(5),
        "blamed_third_party": rng.chance(15),
        "complaint": rng.chance(20),
        "csat": 1 + rng.below(5),
        "nps": rng.below(11),
        "churned": rng.chance(8),
        "policies_invoked": serde_json::from_str::<serde_json::Value>(policies).unwrap(),
        "transcript": transcript.trim_end(),
        "language": "en",
    })
    .to_string()
}

/// CPU seconds this process has used (user + system), from
/// `/proc/self/stat`: on a shared machine, records per CPU-second is the
/// figure the load of other processes does not distort. `None` off Linux.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 here.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // The kernel's USER_HZ is 100 on every Linux target goodwill supports.
    Some(ticks / 100.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let n = env_usize("GOODWILL_BENCH_RECORDS", 200_000);
    let runs = env_usize("GOODWILL_BENCH_RUNS", 3).max(1);
    let pack = goodwill_core::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/pack"))
        .expect("the bench pack loads");
    let checks: usize = pack.policies.iter().map(|p| p.checks.len()).sum();
    let engine = Engine::new(&pack).expect("the bench pack maps");

    let dir = tempfile::tempdir().expect("a temp folder");
    let path = match std::env::var_os("GOODWILL_BENCH_OUT") {
        Some(p) => std::path::PathBuf::from(p),
        None => dir.path().join("interactions.jsonl"),
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut bytes = 0usize;
    for i in 0..n as u64 {
        let line = record(&mut rng, i);
        bytes += line.len() + 1;
        file.write_all(line.as_bytes()).unwrap();
        file.write_all(b"\n").unwrap();
    }
    file.flush().unwrap();
    drop(file);
    println!(
        "{n} records, {:.0} bytes on average, {} policies with {checks} checks, median of {runs} runs",
        bytes as f64 / n as f64,
        pack.policies.len()
    );

    let spec = InputSpec {
        path: Some(path.clone()),
        format: InputFormat::JsonLines,
    };
    #[derive(Clone, Copy, PartialEq)]
    enum Work {
        /// serde_json validates the line and keeps nothing.
        Validate,
        /// `decode`: the typed record, as `goodwill eval` builds it.
        Parse,
        /// `decode` and the pack's policies, reduced to a tally.
        Evaluate,
    }
    let measure = |jobs: usize, work: Work| -> (f64, f64, u64) {
        let mut rates = Vec::new();
        let mut cpu_rates = Vec::new();
        let mut findings = 0u64;
        for _ in 0..runs {
            let records = Records::new(vec![spec.clone()], 16 << 20);
            let start = Instant::now();
            let cpu_start = cpu_seconds();
            let mut count = 0u64;
            let mut found = 0u64;
            let mut rejected = 0u64;
            let mut summary = Summary::default();
            let result = if work == Work::Evaluate {
                run_ordered(
                    records,
                    jobs,
                    // As `goodwill eval` does: the outcome is consumed on the
                    // worker, only its tally crosses threads.
                    |raw| engine.evaluate(raw).into_tally(),
                    |t| {
                        count += 1;
                        summary.add(&engine, &t);
                        found += t.findings.len() as u64;
                        if t.rejected.is_some() {
                            rejected += 1;
                        }
                        ControlFlow::Continue(())
                    },
                )
            } else {
                run_ordered(
                    records,
                    jobs,
                    |raw| match work {
                        Work::Validate => match &raw.payload {
                            Payload::Json(bytes) => {
                                serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
                            }
                            _ => false,
                        },
                        _ => decode(raw, engine.mapping()).is_ok(),
                    },
                    |ok| {
                        count += 1;
                        if !ok {
                            rejected += 1;
                        }
                        ControlFlow::Continue(())
                    },
                )
            };
            result.expect("the bench input reads");
            let secs = start.elapsed().as_secs_f64();
            if let (Some(a), Some(b)) = (cpu_start, cpu_seconds()) {
                cpu_rates.push(count as f64 / (b - a).max(0.01));
            }
            assert_eq!(count, n as u64);
            assert_eq!(rejected, 0, "generated records are all valid");
            rates.push(count as f64 / secs);
            findings = found;
        }
        let cpu = if cpu_rates.is_empty() {
            f64::NAN
        } else {
            median(cpu_rates)
        };
        (median(rates), cpu, findings)
    };

    let (r1, r1c, _) = measure(1, Work::Validate);
    let (a1, a1c, _) = measure(1, Work::Parse);
    let (a2, a2c, _) = measure(2, Work::Parse);
    let (b1, b1c, findings) = measure(1, Work::Evaluate);
    let (b2, b2c, _) = measure(2, Work::Evaluate);
    println!("                               wall records/s   records/CPU-s");
    println!("(r) serde_json validates, 1 job: {r1:>10.0}   {r1c:>12.0}");
    println!("(a) parse only,        1 job : {a1:>12.0}   {a1c:>12.0}");
    println!("(a) parse only,        2 jobs: {a2:>12.0}   {a2c:>12.0}");
    println!(
        "(b) parse + {checks} checks, 1 job : {b1:>12.0}   {b1c:>12.0}   ({findings} findings)"
    );
    println!("(b) parse + {checks} checks, 2 jobs: {b2:>12.0}   {b2c:>12.0}");
    println!("b/a, 1 job : {:.2} (wall)  {:.2} (CPU)", b1 / a1, b1c / a1c);
    println!("b/a, 2 jobs: {:.2} (wall)", b2 / a2);
    println!("a/r, 1 job : {:.2} (wall)  {:.2} (CPU)", a1 / r1, a1c / r1c);
    println!("2 jobs / 1 job, parse + eval: {:.2}x (wall)", b2 / b1);
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!(
            "load average (1/5/15 min): {}",
            load.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
}
