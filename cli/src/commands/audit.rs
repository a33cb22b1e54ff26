//! `goodwill audit`: the loyalty ledger, verdicts, pyramid and moments of
//! truth of a pack over recorded interactions, or over the built-in demo.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{ArgGroup, Args, ValueEnum};
use goodwill_core::audit::partial::Partial;
use goodwill_core::audit::{AuditBuilder, DEFAULT_MOMENTS};
use goodwill_core::demo;
use goodwill_core::engine::Engine;
use goodwill_core::input::Output;

use super::inputs::InputArgs;
use crate::audit_report as report;
use crate::exit;
use crate::output::{write_atomically, write_to};
use crate::render::{self, ErrorFormat};

/// Audit a pack's policies against the interactions they governed: what
/// each policy keeps for the company, what it costs in customer loyalty,
/// a verdict that claims no more than the data supports, the expectation
/// pyramid and the moments of truth.
///
/// The interactions come from files (`--interactions`, read like `goodwill
/// eval` reads them, with the pack's `[mapping]`), from the built-in demo
/// (`--demo`), or from partial audits made elsewhere (`--from-partials`,
/// see `goodwill eval --partial` and `goodwill merge`).
///
/// Exit codes: 0 the report was written; 2 the pack could not be loaded, an
/// input or partial could not be read, or the command was misused. Records
/// that cannot be audited are counted and listed in the report.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).args(["interactions", "demo", "from_partials"])))]
pub struct AuditArgs {
    /// The pack folder (holding `goodwill.toml`).
    #[arg(default_value = ".", conflicts_with = "demo")]
    pub pack: PathBuf,

    /// Interaction files, globs or `-` (stdin): JSON Lines (default), a
    /// JSON array (`.json`) or CSV (`.csv`), gzip or zstd compressed or not.
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub interactions: Vec<String>,

    /// Audit the built-in demo: a bank's pack and 20,000 generated
    /// interactions with known effects.
    #[arg(long)]
    pub demo: bool,

    /// Render the audit from partial audits (`goodwill eval --partial`,
    /// `goodwill merge`) made with this same pack.
    #[arg(long, num_args = 1.., value_name = "PARTIAL")]
    pub from_partials: Vec<PathBuf>,

    /// With `--demo`: write the demo's interactions to this file as JSON
    /// Lines, to see what the input looks like or to audit them with
    /// `--interactions`, and stop.
    #[arg(long, value_name = "FILE", requires = "demo")]
    pub export_interactions: Option<PathBuf>,

    /// How to print the report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,

    /// Write the report to this file (atomically) instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,

    /// How many moments of truth to show [default: 10; with
    /// `--from-partials`, what the partials keep].
    #[arg(long, value_name = "N")]
    pub moments: Option<usize>,

    #[command(flatten)]
    pub inputs: InputArgs,

    /// How to print pack load errors.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Tables for a terminal, 100 columns wide.
    Table,
    /// GitHub-flavoured Markdown.
    Markdown,
    /// One self-contained HTML page with SVG charts.
    Html,
    /// One JSON document (schema in docs/audit-json.md).
    Json,
}

pub fn run(args: AuditArgs) -> anyhow::Result<u8> {
    if let Some(path) = &args.export_interactions {
        let mut text = String::new();
        for record in demo::interactions(demo::DEMO_SEED, demo::DEMO_INTERACTIONS) {
            text.push_str(&serde_json::to_string(&record)?);
            text.push('\n');
        }
        write_atomically(path, text.as_bytes())?;
        return Ok(exit::OK);
    }
    // The demo pack is written to a temporary folder so that it loads
    // exactly like a pack on disk.
    let demo_dir = if args.demo {
        let dir = tempfile::tempdir().context("cannot create a folder for the demo pack")?;
        demo::write_pack(dir.path()).context("cannot write the demo pack")?;
        Some(dir)
    } else {
        None
    };
    let root = demo_dir.as_ref().map_or(args.pack.as_path(), |d| d.path());
    let pack = match goodwill_core::load(root) {
        Ok(pack) => pack,
        Err(err) => {
            render::pack_error(&err, args.error_format)?;
            return Ok(exit::ERROR);
        }
    };
    let builder = if args.from_partials.is_empty() {
        match evaluate(&args, &pack)? {
            Ok(b) => b,
            Err(code) => return Ok(code),
        }
    } else {
        match from_partials(&args, &pack)? {
            Ok(b) => b,
            Err(code) => return Ok(code),
        }
    };
    let audit = builder.finish();
    let text = match args.format {
        ReportFormat::Table => report::table::render(&audit),
        ReportFormat::Markdown => report::markdown::render(&audit),
        ReportFormat::Html => report::html::render(&audit),
        ReportFormat::Json => serde_json::to_string_pretty(&audit)? + "\n",
    };
    write_to(args.output.as_deref(), text.as_bytes())?;
    if audit.input.rejected > 0 {
        eprintln!(
            "warning: {} of {} records were rejected; the report lists why",
            audit.input.rejected, audit.input.records
        );
    }
    Ok(exit::OK)
}

/// Evaluates the demo's or the named files' interactions. `Err` is an exit
/// code after the fault was printed.
fn evaluate<'p>(
    args: &AuditArgs,
    pack: &'p goodwill_core::Pack,
) -> anyhow::Result<Result<AuditBuilder<'p>, u8>> {
    let engine = match engine(args, pack)? {
        Ok(e) => e,
        Err(code) => return Ok(Err(code)),
    };
    let mut builder = AuditBuilder::new(pack, args.moments.unwrap_or(DEFAULT_MOMENTS))
        .with_plugins(engine.plugins());
    let jobs = args.inputs.jobs();
    let ran = if args.demo {
        builder.run(
            demo::interaction_records(demo::DEMO_SEED, demo::DEMO_INTERACTIONS, &pack.catalog),
            jobs,
            |d| engine.evaluate_decoded(d),
        )
    } else {
        let output = match &args.output {
            Some(path) => Output::File {
                flag: "--output",
                path,
            },
            None => Output::Stdout,
        };
        match args.inputs.records(&args.interactions, &[output]) {
            Ok(records) => builder.run(records, jobs, |r| engine.evaluate(r)),
            Err(e) => Err(e),
        }
    };
    if let Err(e) = ran {
        super::inputs::print_error(&e);
        return Ok(Err(exit::ERROR));
    }
    Ok(Ok(builder))
}

/// The engine of the pack, with its `[mapping]` and plugins. `Err` is an
/// exit code after the fault was printed.
fn engine<'p>(
    args: &AuditArgs,
    pack: &'p goodwill_core::Pack,
) -> anyhow::Result<Result<Engine<'p>, u8>> {
    match Engine::new(pack) {
        Ok(e) => super::eval::load_plugins(e, args.error_format),
        Err(errors) => {
            render::mapping_errors(&errors);
            Ok(Err(exit::ERROR))
        }
    }
}

/// Reads, checks and merges the partials. `Err` is an exit code after the
/// fault was printed.
fn from_partials<'p>(
    args: &AuditArgs,
    pack: &'p goodwill_core::Pack,
) -> anyhow::Result<Result<AuditBuilder<'p>, u8>> {
    let pack_name = args.pack.display().to_string();
    // The plugins describe their policies for the report.
    let engine = match engine(args, pack)? {
        Ok(e) => e,
        Err(code) => return Ok(Err(code)),
    };
    let policies = AuditBuilder::new(pack, 0).with_plugins(engine.plugins());
    let mut parts = Vec::with_capacity(args.from_partials.len());
    for path in &args.from_partials {
        let (name, partial) = match read_partial(path) {
            Ok(p) => p,
            Err(code) => return Ok(Err(code)),
        };
        if let Err(e) = partial.check_pack(&name, pack, policies.policies(), &pack_name) {
            render::partial_error(&e);
            return Ok(Err(exit::ERROR));
        }
        parts.push((name, partial));
    }
    let merged = match Partial::merge_all(parts) {
        Ok(m) => m,
        Err(e) => {
            render::partial_error(&e);
            return Ok(Err(exit::ERROR));
        }
    };
    let mut stats = merged.into_stats();
    if let Some(m) = args.moments {
        let kept = stats.moments_limit();
        if m > kept {
            eprintln!(
                "error: the partials keep {kept} moments of truth, fewer than the {m} asked for\n  = help: ask for at most {kept}, or make the partials with `goodwill eval --partial OUT --moments {m}`"
            );
            return Ok(Err(exit::ERROR));
        }
        stats.limit_moments(m);
    }
    Ok(Ok(AuditBuilder::from_stats(pack, engine.plugins(), stats)))
}

/// Reads one partial file; prints why it cannot be used.
pub fn read_partial(path: &Path) -> Result<(String, Partial), u8> {
    let name = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read the partial audit `{name}`: {e}");
            return Err(exit::ERROR);
        }
    };
    match Partial::parse(&name, &text) {
        Ok(p) => Ok((name, p)),
        Err(e) => {
            render::partial_error(&e);
            Err(exit::ERROR)
        }
    }
}
