//! `goodwill check`: load and validate a pack, run the lint rules and the
//! pack's own tests; the CI command.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Args;
use goodwill_core::lint::baseline::Baseline;
use goodwill_core::lint::{self, Settings, waivers};
use goodwill_core::pack::Severity;
use goodwill_core::testing::run_pack_tests;
use goodwill_core::{Diagnostic, PackError};

use crate::exit;
use crate::output::write_atomically;
use crate::render::{self, ErrorFormat};
use crate::report::{CheckReport, Format, load_failure};

/// Load and validate a policy pack, run the built-in lint rules and the
/// pack's own tests: the CI command.
///
/// Exit codes: 0 every test passed and no active finding is at or above
/// `--fail-on`; 1 a pack test failed or a finding is at or above
/// `--fail-on`; 2 the pack, its `[lint]` table, the waivers or the baseline
/// could not be read, a report could not be written, or the command was
/// misused.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The pack folder (holding `goodwill.toml`).
    #[arg(default_value = ".")]
    pub pack: PathBuf,

    /// How to print load errors.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,

    /// How to print the results on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Also write the results in another format to a file: `sarif=out.sarif`.
    /// Repeat for several.
    #[arg(long = "output-format", value_name = "FORMAT=FILE", value_parser = parse_output)]
    pub outputs: Vec<(Format, PathBuf)>,

    /// The least severity of an active lint finding that fails the run.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// The waivers file [default: `waivers.toml` in the pack, if present].
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,

    /// Findings in this baseline (written by `--write-baseline`) do not fail
    /// the run; only new ones do.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write the current findings as a baseline to FILE; they then no
    /// longer fail the run.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,

    /// The date waivers expire against (tests and reproducible runs).
    #[arg(long, value_name = "YYYY-MM-DD", hide = true)]
    pub today: Option<NaiveDate>,
}

/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

fn parse_output(s: &str) -> Result<(Format, PathBuf), String> {
    use clap::ValueEnum;
    let (fmt, file) = s
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=FILE, like `sarif=goodwill.sarif`, not `{s}`"))?;
    let format = Format::from_str(fmt, true).map_err(|_| {
        format!("unknown format `{fmt}`: use one of human, json, sarif, junit, github")
    })?;
    if file.is_empty() {
        return Err(format!("no file after `{fmt}=`"));
    }
    Ok((format, PathBuf::from(file)))
}

pub fn run(args: CheckArgs) -> anyhow::Result<u8> {
    let pack = match goodwill_core::load(&args.pack) {
        Ok(pack) => pack,
        Err(err) => return load_failed(&args, &err),
    };
    let fail = |diagnostics: Vec<Diagnostic>| -> anyhow::Result<u8> {
        let err = PackError {
            root: pack.root.clone(),
            diagnostics,
        };
        load_failed(&args, &err)
    };
    let settings = match Settings::from_pack(&pack) {
        Ok(s) => s,
        Err(d) => return fail(d),
    };
    let mut findings = lint::lint_pack(&pack, &settings);
    let plugin_checks = match lint_plugins(&pack, &settings)? {
        Ok((plugin_findings, checks)) => {
            findings.extend(plugin_findings);
            checks
        }
        Err(d) => return fail(d),
    };

    let waivers_path = args.waivers.clone().or_else(|| {
        let p = pack.root.join("waivers.toml");
        p.is_file().then_some(p)
    });
    if let Some(path) = &waivers_path {
        let waivers = match waivers::load(path) {
            Ok(w) => w,
            Err(d) => return fail(d),
        };
        let today = args
            .today
            .unwrap_or_else(|| chrono::Utc::now().date_naive());
        let faults = waivers.apply(&mut findings, today);
        findings.extend(faults);
    }

    if let Some(path) = &args.baseline {
        let baseline = match read_baseline(path) {
            Ok(b) => b,
            Err(msg) => {
                return fail(vec![
                    Diagnostic::new(goodwill_core::DiagnosticCode::Io, msg)
                        .help("write one with `goodwill check --write-baseline FILE`"),
                ]);
            }
        };
        baseline.apply(&mut findings);
    }
    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::of(&findings);
        let text = serde_json::to_string_pretty(&baseline)? + "\n";
        write_atomically(path, text.as_bytes())?;
        baseline.apply(&mut findings);
        eprintln!(
            "wrote {} finding(s) to the baseline {}",
            baseline.findings.len(),
            path.display()
        );
    }

    let report = CheckReport {
        pack: &pack,
        rules: settings.enabled().iter().map(|(r, _)| *r).collect(),
        findings,
        tests: run_pack_tests(&pack),
        fail_on: args.fail_on.into(),
        plugin_checks,
    };
    let mut seen = BTreeSet::new();
    for (format, path) in &args.outputs {
        if !seen.insert(path.clone()) {
            anyhow::bail!(
                "`{}` is named by two --output-format options",
                path.display()
            );
        }
        write_atomically(path, report.render(*format)?.as_bytes())?;
    }
    let mut out = std::io::stdout().lock();
    out.write_all(report.render(args.format)?.as_bytes())?;
    Ok(if report.failed() {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

/// What linting the plugins gives: the findings, and how many checks each
/// plugin describes (for the summary); or why they did not load.
type PluginLint = Result<(Vec<lint::Finding>, Vec<usize>), Vec<Diagnostic>>;

/// Loads the pack's plugins (a plugin that cannot be loaded fails the
/// pack, like a policy file that does not parse) and lints what each
/// describes, its findings located at its `[[plugins]]` entry.
fn lint_plugins(pack: &goodwill_core::Pack, settings: &Settings) -> anyhow::Result<PluginLint> {
    let (plugins, diagnostics) = super::plugin::load_pack(pack)?;
    if !diagnostics.is_empty() {
        return Ok(Err(diagnostics));
    }
    let entries = goodwill_core::plugin::plugin_entries(pack);
    let findings = plugins
        .iter()
        .zip(&entries)
        .flat_map(|(plugin, entry)| lint::lint_plugin(plugin.describe(), entry, settings))
        .collect();
    let checks = plugins.iter().map(|p| p.describe().checks.len()).collect();
    Ok(Ok((findings, checks)))
}

/// Reports a pack that could not be read: diagnostics on stderr, and for
/// the CI formats (stdout and `--output-format` files) a report that says
/// so, so a workflow's upload step still finds its file. Exit 2.
fn load_failed(args: &CheckArgs, err: &PackError) -> anyhow::Result<u8> {
    render::pack_error(err, args.error_format)?;
    for (format, path) in &args.outputs {
        if let Some(text) = load_failure::render(err, *format)? {
            write_atomically(path, text.as_bytes())?;
        }
    }
    if let Some(text) = load_failure::render(err, args.format)? {
        std::io::stdout().lock().write_all(text.as_bytes())?;
    }
    Ok(exit::ERROR)
}

fn read_baseline(path: &Path) -> Result<Baseline, String> {
    let text = fs::read_to_string(path)
        .map_err(|e| format!("cannot read the baseline `{}`: {e}", path.display()))?;
    let baseline: Baseline = serde_json::from_str(&text).map_err(|e| {
        format!(
            "the baseline `{}` is not a goodwill baseline: {e}",
            path.display()
        )
    })?;
    if baseline.version != 1 {
        return Err(format!(
            "the baseline `{}` has version {}; this goodwill reads version 1",
            path.display(),
            baseline.version
        ));
    }
    Ok(baseline)
}
