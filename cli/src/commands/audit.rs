//! `goodwill audit`: the loyalty ledger, verdicts, pyramid and moments of
//! truth of a pack over recorded interactions, or over the built-in demo.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use goodwill_core::audit::{AuditBuilder, DEFAULT_MOMENTS, Origin};
use goodwill_core::demo;

use crate::audit_report as report;
use crate::exit;
use crate::render::{self, ErrorFormat};

/// Audit a pack's policies against the interactions they governed: what
/// each policy keeps for the company, what it costs in customer loyalty,
/// a verdict that claims no more than the data supports, the expectation
/// pyramid and the moments of truth.
///
/// Exit codes: 0 the report was written; 2 the pack could not be loaded, an
/// input could not be read, or the command was misused. Records that cannot
/// be audited are counted and listed in the report.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The pack folder (holding `goodwill.toml`).
    #[arg(default_value = ".", conflicts_with = "demo")]
    pub pack: PathBuf,

    /// Interaction files, JSON Lines (one JSON object per line); `-` reads
    /// standard input.
    #[arg(long, num_args = 1.., required_unless_present = "demo", conflicts_with = "demo")]
    pub interactions: Vec<PathBuf>,

    /// Audit the built-in demo: a bank's pack and 20,000 generated
    /// interactions with known effects.
    #[arg(long)]
    pub demo: bool,

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

    /// How many moments of truth to show.
    #[arg(long, default_value_t = DEFAULT_MOMENTS)]
    pub moments: usize,

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
    let mut builder = AuditBuilder::new(&pack, args.moments);
    if args.demo {
        for (i, record) in demo::interactions(demo::DEMO_SEED, demo::DEMO_INTERACTIONS)
            .iter()
            .enumerate()
        {
            let origin = Origin {
                source: "demo",
                source_index: 0,
                line: i as u64 + 1,
            };
            builder.add(origin, record);
        }
    } else {
        for (index, path) in args.interactions.iter().enumerate() {
            read_jsonl_records(path, index, &mut builder)?;
        }
    }
    let audit = builder.finish();
    let text = match args.format {
        ReportFormat::Table => report::table::render(&audit),
        ReportFormat::Markdown => report::markdown::render(&audit),
        ReportFormat::Html => report::html::render(&audit),
        ReportFormat::Json => serde_json::to_string_pretty(&audit)? + "\n",
    };
    match &args.output {
        Some(path) => write_atomically(path, text.as_bytes())?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    if audit.input.rejected > 0 {
        eprintln!(
            "warning: {} of {} records were rejected; the report lists why",
            audit.input.rejected, audit.input.records
        );
    }
    Ok(exit::OK)
}

/// Reads one JSON Lines file into the audit: every non-blank line must be a
/// JSON object; one that is not is counted as rejected with its line number,
/// never dropped silently.
///
/// TEMPORARY: this stands in until the eval engine's readers (issue 3: JSON
/// Lines, JSON arrays, CSV, gzip, `[mapping]`) land; the audit should then
/// take its records from them.
fn read_jsonl_records(
    path: &Path,
    index: usize,
    builder: &mut AuditBuilder<'_>,
) -> anyhow::Result<()> {
    let name = path.display().to_string();
    let mut reader: Box<dyn BufRead> = if name == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = File::open(path).with_context(|| format!("cannot read `{name}`"))?;
        Box::new(BufReader::new(file))
    };
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .with_context(|| format!("cannot read `{name}` after line {number}"))?;
        if read == 0 {
            break;
        }
        number += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let origin = Origin {
            source: &name,
            source_index: index,
            line: number,
        };
        // Bytes, not a String: a line that is not UTF-8 is one bad record,
        // not a failed run.
        match serde_json::from_slice::<serde_json::Value>(&line) {
            Ok(serde_json::Value::Object(record)) => {
                builder.add(origin, &record);
            }
            Ok(other) => builder.reject(
                origin,
                format!(
                    "a record must be a JSON object, found {}",
                    goodwill_core::cel::describe_json(&other)
                ),
            ),
            Err(e) => builder.reject(origin, format!("invalid JSON: {e}")),
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same folder and
/// a rename, so a crash never leaves half a report.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in `{}`", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(())
}
