//! `goodwill check`: load and validate a pack, and run its tests.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use goodwill_core::testing::run_pack_tests;

use crate::exit;
use crate::render::{self, ErrorFormat};

/// Load and validate a policy pack and run its own tests: the CI command.
///
/// Exit codes: 0 every test passed; 1 a pack test failed; 2 the pack could
/// not be loaded or the command was misused.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The pack folder (holding `goodwill.toml`).
    #[arg(default_value = ".")]
    pub pack: PathBuf,

    /// How to print load errors.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,

    /// How to print the test results.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// A table and a summary line.
    Human,
    /// One JSON document.
    Json,
}

pub fn run(args: CheckArgs) -> anyhow::Result<u8> {
    let pack = match goodwill_core::load(&args.pack) {
        Ok(pack) => pack,
        Err(err) => {
            render::pack_error(&err, args.error_format)?;
            return Ok(exit::ERROR);
        }
    };
    let results = run_pack_tests(&pack);
    let failed = results.iter().filter(|r| !r.passed()).count();
    let mut out = std::io::stdout().lock();
    match args.format {
        CheckFormat::Human => {
            if !results.is_empty() {
                writeln!(out, "{}", render::test_table(&results))?;
            }
            write!(out, "{}", render::test_failures(&results))?;
            let checks: usize = pack.policies.iter().map(|p| p.checks.len()).sum();
            writeln!(
                out,
                "{}: {} {}, {} {}; {} passed, {} failed",
                pack.manifest.pack.name,
                pack.policies.len(),
                plural(pack.policies.len(), "policy", "policies"),
                checks,
                plural(checks, "check", "checks"),
                results.len() - failed,
                failed
            )?;
        }
        CheckFormat::Json => {
            let doc = serde_json::json!({
                "pack": pack.manifest.pack.name,
                "policies": pack.policies.len(),
                "tests": results.iter().map(|r| {
                    let lc = r.location.start();
                    serde_json::json!({
                        "policy": r.policy_id,
                        "test": r.test_name,
                        "passed": r.passed(),
                        "failures": r.failures,
                        "file": r.location.file.display_path(),
                        "line": lc.line,
                        "column": lc.column,
                    })
                }).collect::<Vec<_>>(),
                "passed": results.len() - failed,
                "failed": failed,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
    }
    Ok(if failed > 0 { exit::FINDINGS } else { exit::OK })
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
