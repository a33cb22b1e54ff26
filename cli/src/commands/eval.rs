//! `goodwill eval`: streaming bulk evaluation. One JSON line per finding on
//! stdout (schema: `docs/eval-output.md`), the summary and rejects on
//! stderr, all cores, output identical for any `--jobs`.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};
use goodwill_core::audit::{AuditBuilder, DEFAULT_MOMENTS};
use goodwill_core::engine::{
    Engine, Evaluated, Finding, Finish, Outcome, PluginFailure, Summary, run_ordered,
};
use goodwill_core::input::{InputFormat, Origin, Output, Reject};
use goodwill_core::pack::{Level, Severity};
use goodwill_core::plugin::PluginErrorCause;
use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::Value as Json;

use super::finding_lines::FindingLines;
use super::inputs::InputArgs;
use crate::exit;
use crate::output::write_to;
use crate::render::{self, ErrorFormat};

/// Evaluate a pack over interactions: one JSON line per finding.
///
/// Inputs are files, globs or `-` (stdin): JSON Lines (default), a JSON
/// array (`.json`) or CSV with a header (`.csv`), gzip or zstd compressed
/// or not. The first argument is the pack when it is a folder; otherwise
/// the pack is the current folder.
///
/// Exit codes: 0 success; 1 a finding at or above `--fail-on`; 2 rejected
/// records or evaluation errors (unless `--allow-rejects`), plugin errors
/// with `--strict`, or the pack, one of its plugins or an input could not
/// be read.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// `[PACK] FILE...`: the pack folder (optional), then the inputs.
    #[arg(required = true, num_args = 1.., value_name = "PACK|FILE")]
    pub args: Vec<String>,

    /// One line per interaction, with every policy that applied and its
    /// findings, instead of one line per finding.
    #[arg(long)]
    pub per_interaction: bool,

    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Write every rejected record, verbatim, with its reason, to FILE
    /// (JSON Lines). Never one of the inputs, nor `-`.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    /// Exit 0 even when records were rejected or expressions failed.
    #[arg(long)]
    pub allow_rejects: bool,

    /// Exit 2 when a plugin failed on any interaction (by default a plugin
    /// error is reported and counted, and the exit code ignores it).
    #[arg(long)]
    pub strict: bool,

    /// Write a partial audit to OUT (`-`: stdout) instead of finding lines:
    /// the audit's statistics over these records, to combine with other
    /// partials (`goodwill merge`) and render (`goodwill audit
    /// --from-partials`). Format: docs/partial-format.md.
    #[arg(long, value_name = "OUT", conflicts_with = "per_interaction")]
    pub partial: Option<PathBuf>,

    /// With `--partial`: how many moments of truth the partial keeps.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MOMENTS, requires = "partial")]
    pub moments: usize,

    #[command(flatten)]
    pub inputs: InputArgs,

    /// How to print pack load errors.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Info,
    Warning,
    Error,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Info => Severity::Info,
            FailOn::Warning => Severity::Warning,
            FailOn::Error => Severity::Error,
        }
    }
}

/// Reject messages printed to stderr before the rest are only counted.
const MAX_PRINTED_REJECTS: u64 = 20;

pub fn run(args: EvalArgs) -> anyhow::Result<u8> {
    let (pack_dir, inputs) = split_pack(&args.args);
    if inputs.is_empty() {
        eprintln!("error: no interactions to read: name files, globs or `-` after the pack");
        return Ok(exit::ERROR);
    }
    if args.rejects.as_deref() == Some(Path::new("-")) {
        eprintln!(
            "error: `--rejects -` would mix the rejected records into the findings on standard output\n  = help: name a file; `--rejects /dev/stderr` prints them with the summary"
        );
        return Ok(exit::ERROR);
    }
    if let Some((error, help)) = mistyped_pack(&args.args) {
        eprintln!("error: {error}\n  = help: {help}");
        return Ok(exit::ERROR);
    }
    let pack = match goodwill_core::load(&pack_dir) {
        Ok(p) => p,
        Err(err) => {
            render::pack_error(&err, args.error_format)?;
            return Ok(exit::ERROR);
        }
    };
    let engine = match Engine::new(&pack) {
        Ok(e) => e,
        Err(errors) => {
            render::mapping_errors(&errors);
            return Ok(exit::ERROR);
        }
    };
    let engine = match load_plugins(engine, args.error_format)? {
        Ok(e) => e,
        Err(code) => return Ok(code),
    };
    let mut outputs = Vec::new();
    if let Some(path) = &args.rejects {
        outputs.push(Output::File {
            flag: "--rejects",
            path,
        });
    }
    match &args.partial {
        Some(path) if path != Path::new("-") => outputs.push(Output::File {
            flag: "--partial",
            path,
        }),
        _ => outputs.push(Output::Stdout),
    }
    let records = match args.inputs.records(&inputs, &outputs) {
        Ok(r) => r,
        Err(e) => {
            super::inputs::print_error(&e);
            return Ok(exit::ERROR);
        }
    };
    let mut rejects_out = match &args.rejects {
        Some(path) => Some(BufWriter::new(File::create(path).with_context(|| {
            format!("cannot create the rejects file `{}`", path.display())
        })?)),
        None => None,
    };
    let jobs = args.inputs.jobs();
    // With `--partial`, each record is reduced to what the audit keeps on
    // the worker that evaluated it, and folded in input order here.
    let mut audit = args
        .partial
        .as_ref()
        .map(|_| AuditBuilder::new(&pack, args.moments).with_plugins(engine.plugins()));
    let partial = audit.is_some();
    let observer = audit.as_ref().map(AuditBuilder::observer);

    let finding_lines = FindingLines::new(&engine);
    let progress = progress_bar();
    let started = Instant::now();
    let mut summary = Summary::default();
    crate::output::widen_stdout_pipe();
    let mut stdout = BufWriter::with_capacity(256 * 1024, io::stdout().lock());
    let mut printed = 0u64;
    let mut rejects_fault: Option<io::Error> = None;
    let mut stdout_fault: Option<io::Error> = None;
    let per_interaction = args.per_interaction;

    let finish = run_ordered(
        records,
        jobs,
        |raw| {
            let outcome = engine.evaluate(raw);
            let mut bytes = Vec::new();
            if let Outcome::Evaluated(e) = &outcome
                && !partial
            {
                if per_interaction {
                    write_interaction(&mut bytes, &engine, e);
                } else {
                    finding_lines.write(&mut bytes, e);
                    write_plugin_findings(&mut bytes, &engine, e);
                }
            }
            // The record is dropped here, on the worker; only its tally,
            // its observation and rendered lines cross to the writing
            // thread.
            let (tally, observation) = match &observer {
                Some(o) => (outcome.tally(), Some(o.observe(outcome))),
                None => (outcome.into_tally(), None),
            };
            (tally, observation, bytes)
        },
        |(tally, observation, bytes)| {
            summary.add(&engine, &tally);
            if let (Some(a), Some(o)) = (&mut audit, observation) {
                a.observe(o);
            }
            if let Some(p) = &progress {
                p.inc(1);
            }
            for r in tally.rejected.iter().chain(&tally.errors) {
                if printed < MAX_PRINTED_REJECTS {
                    printed += 1;
                    let line = format!("error: {r}");
                    match &progress {
                        Some(p) => p.println(line),
                        None => eprintln!("{line}"),
                    }
                }
                if let Some(out) = &mut rejects_out
                    && let Err(e) = write_reject(out, r)
                {
                    rejects_fault = Some(e);
                    return ControlFlow::Break(());
                }
            }
            for f in &tally.plugin_errors {
                if printed < MAX_PRINTED_REJECTS {
                    printed += 1;
                    let line = format!("error: {f}");
                    match &progress {
                        Some(p) => p.println(line),
                        None => eprintln!("{line}"),
                    }
                }
                if let Some(out) = &mut rejects_out
                    && let Err(e) = write_plugin_failure(out, f)
                {
                    rejects_fault = Some(e);
                    return ControlFlow::Break(());
                }
            }
            if let Err(e) = stdout.write_all(&bytes) {
                stdout_fault = Some(e);
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        },
    );
    if let Some(p) = &progress {
        p.finish_and_clear();
    }
    if stdout_fault.is_none()
        && let Err(e) = stdout.flush()
    {
        stdout_fault = Some(e);
    }
    if let Some(e) = stdout_fault {
        if e.kind() == io::ErrorKind::BrokenPipe {
            // `| head` has what it wanted: end quietly.
            return Ok(exit::OK);
        }
        return Err(e).context("cannot write the findings");
    }
    if let Some(e) = rejects_fault {
        return Err(e).context("cannot write the rejects file");
    }
    if let Some(out) = &mut rejects_out {
        out.flush().context("cannot write the rejects file")?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut err = io::stderr().lock();
    let problems = summary.rejected + summary.evaluation_errors;
    if problems + summary.plugin_errors > printed {
        let hint = if args.rejects.is_some() {
            "all are in the rejects file"
        } else {
            "write them all with `--rejects FILE`"
        };
        let _ = writeln!(
            err,
            "error: ... and {} more ({hint})",
            problems + summary.plugin_errors - printed
        );
    }
    print_summary(&mut err, &summary, elapsed);
    match finish {
        Ok(Finish::Complete | Finish::Stopped) => {}
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return Ok(exit::ERROR);
        }
    }
    // Only a complete run makes a partial: one cut short by an unreadable
    // input would under-count without saying so.
    if let (Some(path), Some(a)) = (&args.partial, audit) {
        write_to(Some(path), a.to_partial().to_json().as_bytes())?;
    }
    if problems > 0 && !args.allow_rejects {
        return Ok(exit::ERROR);
    }
    if args.strict && summary.plugin_errors > 0 {
        return Ok(exit::ERROR);
    }
    if let Some(fail_on) = args.fail_on {
        let threshold = fail_on.severity();
        if summary
            .findings_by_severity
            .iter()
            .any(|(s, n)| *s >= threshold && *n > 0)
        {
            return Ok(exit::FINDINGS);
        }
    }
    Ok(exit::OK)
}

/// `[PACK] FILE...`: the first argument is the pack when it is a folder.
fn split_pack(args: &[String]) -> (PathBuf, Vec<String>) {
    match args.split_first() {
        Some((first, rest)) if first != "-" && Path::new(first).is_dir() => {
            (PathBuf::from(first), rest.to_vec())
        }
        _ => (PathBuf::from("."), args.to_vec()),
    }
}

/// A first argument is the pack only when it is a folder; anything else
/// is read as an input. When it names nothing and does not look like an
/// input (`.jsonl`, `.csv`...), or names a TOML file, it
/// was most likely meant as the pack: says so (the error, then its help),
/// before anything is read, instead of reporting a missing input after the
/// others were evaluated, rejecting every line of a TOML file, or a pack
/// missing from the current folder.
fn mistyped_pack(args: &[String]) -> Option<(String, String)> {
    let first = args.first()?;
    let path = Path::new(first);
    if first == "-" || first.contains(['*', '?', '[']) || path.is_dir() {
        return None;
    }
    if path.exists() {
        return toml_file_as_pack(first, path);
    }
    let missing = format!("cannot read `{first}`: no such file or folder");
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    let name = path.file_name()?.to_str()?;
    // The packs beside it: folders with a `goodwill.toml`.
    let packs: Vec<String> = std::fs::read_dir(parent.unwrap_or(Path::new(".")))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("goodwill.toml").is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    // A name that looks like an input is one: no pack is suggested for it.
    let looks_like_input = InputFormat::from_name(first).is_some();
    let close = goodwill_core::suggest::closest(name, packs.iter().map(String::as_str))
        .filter(|_| !looks_like_input);
    match close {
        Some(pack) => Some((
            missing,
            format!(
                "did you mean the pack `{}`? The pack comes first, and must be a folder",
                parent
                    .map_or(PathBuf::from(&pack), |p| p.join(&pack))
                    .display()
            ),
        )),
        None if !looks_like_input => Some((
            missing,
            format!(
                "`{first}` is not a folder, so it was taken as an input, with the current \
                 folder as the pack; if it is the pack, check its name"
            ),
        )),
        None => None,
    }
}

/// A TOML file first (`goodwill.toml`, a policy file) is a pack's file,
/// never interactions: names the pack folder that holds it, if any.
fn toml_file_as_pack(first: &str, path: &Path) -> Option<(String, String)> {
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if !is_toml {
        return None;
    }
    let error = format!("`{first}` is a TOML file, not interactions");
    let pack = path
        .ancestors()
        .skip(1)
        .map(|dir| {
            if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            }
        })
        .find(|dir| dir.join("goodwill.toml").is_file());
    let help = match pack {
        Some(dir) => format!(
            "the pack is the folder that holds `goodwill.toml`: `goodwill eval {} FILE...`",
            dir.display()
        ),
        None => "the pack is a folder that holds `goodwill.toml`, given first".to_string(),
    };
    Some((error, help))
}

fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {human_pos} records ({per_sec}) {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}

fn print_summary(err: &mut impl Write, s: &Summary, elapsed: f64) {
    let _ = writeln!(
        err,
        "read {} record{}: {} evaluated, {} rejected",
        s.read,
        plural(s.read),
        s.evaluated,
        s.rejected
    );
    if s.rejected > 0 {
        let kinds: Vec<String> = s
            .rejected_by_kind
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        let _ = writeln!(err, "  rejected: {}", kinds.join(", "));
        for (reason, n) in Summary::top_reasons(&s.reasons, 5) {
            let _ = writeln!(err, "    {n:>8}  {reason}");
        }
    }
    if s.evaluation_errors > 0 {
        let _ = writeln!(
            err,
            "evaluation errors: {} (the records were evaluated by the other expressions)",
            s.evaluation_errors
        );
        for (reason, n) in Summary::top_reasons(&s.evaluation_reasons, 5) {
            let _ = writeln!(err, "    {n:>8}  {reason}");
        }
    }
    print_plugin_errors(err, s);
    let by_sev: Vec<String> = s
        .findings_by_severity
        .iter()
        .rev()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    let total = s.findings();
    if total == 0 {
        let _ = writeln!(err, "findings: 0");
    } else {
        let _ = writeln!(err, "findings: {total} ({})", by_sev.join(", "));
        for (policy, n) in &s.findings_by_policy {
            let _ = writeln!(err, "    {n:>8}  {policy}");
        }
    }
    let rate = if elapsed > 0.0 {
        s.read as f64 / elapsed
    } else {
        0.0
    };
    let _ = writeln!(err, "{:.2} s, {:.0} records/s", elapsed, rate);
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[derive(Serialize)]
struct Source<'a> {
    file: &'a str,
    line: u64,
    record: u64,
}

impl<'a> From<&'a Origin> for Source<'a> {
    fn from(o: &'a Origin) -> Self {
        Source {
            file: &o.file,
            line: o.line,
            record: o.record,
        }
    }
}

/// Evidence as a JSON object in the order the condition reads it.
struct Evidence<'a>(Vec<(&'a str, Cow<'a, Json>)>);

impl<'a> Evidence<'a> {
    /// A TOML check's evidence, read from the interaction.
    fn of(engine: &Engine<'a>, f: &Finding, e: &'a Evaluated) -> Evidence<'a> {
        Evidence(engine.evidence(f, &e.interaction.record).collect())
    }

    /// A plugin's evidence, as it reported it.
    fn reported(evidence: &'a [(String, Json)]) -> Evidence<'a> {
        Evidence(
            evidence
                .iter()
                .map(|(k, v)| (k.as_str(), Cow::Borrowed(v)))
                .collect(),
        )
    }
}

impl Serialize for Evidence<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct FindingLine<'a> {
    interaction: &'a str,
    policy: &'a str,
    check: &'a str,
    severity: Severity,
    level: Level,
    message: &'a str,
    evidence: Evidence<'a>,
    source: Source<'a>,
}

/// The finding lines of `e` through serde: what [`FindingLines`] must write.
#[cfg(test)]
pub(super) fn serde_finding_lines(out: &mut Vec<u8>, engine: &Engine<'_>, e: &Evaluated) {
    for f in &e.findings {
        let (policy, check) = engine.check_of(f);
        let line = FindingLine {
            interaction: &e.interaction.id,
            policy: policy.id(),
            check: &check.id,
            severity: check.severity,
            level: check.level,
            message: &f.message,
            evidence: Evidence::of(engine, f, e),
            source: Source::from(&e.interaction.origin),
        };
        // Serializing plain data into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, &line);
        out.push(b'\n');
    }
}

#[derive(Serialize)]
struct InteractionLine<'a> {
    interaction: &'a str,
    source: Source<'a>,
    policies: Vec<PolicyLine<'a>>,
    errors: Vec<Cow<'a, str>>,
}

#[derive(Serialize)]
struct PolicyLine<'a> {
    policy: &'a str,
    enforced: bool,
    benefit: Option<f64>,
    findings: Vec<CheckLine<'a>>,
}

#[derive(Serialize)]
struct CheckLine<'a> {
    check: &'a str,
    severity: Severity,
    level: Level,
    message: &'a str,
    evidence: Evidence<'a>,
}

fn write_interaction(out: &mut Vec<u8>, engine: &Engine<'_>, e: &Evaluated) {
    let pack = engine.pack();
    let mut policies = Vec::new();
    for (i, (policy, outcome)) in pack.policies.iter().zip(&e.policies).enumerate() {
        if !outcome.applies {
            continue;
        }
        let findings = e
            .findings
            .iter()
            .filter(|f| f.policy == i)
            .map(|f: &Finding| {
                let check = &policy.checks[f.check];
                CheckLine {
                    check: &check.id,
                    severity: check.severity,
                    level: check.level,
                    message: &f.message,
                    evidence: Evidence::of(engine, f, e),
                }
            })
            .collect();
        policies.push(PolicyLine {
            policy: policy.id(),
            enforced: outcome.enforced,
            benefit: outcome.benefit,
            findings,
        });
    }
    let (plugin_policies, plugin_errors) = plugin_lines(engine, e);
    policies.extend(plugin_policies);
    let line = InteractionLine {
        interaction: &e.interaction.id,
        source: Source::from(&e.interaction.origin),
        policies,
        errors: e
            .errors
            .iter()
            .map(|r| Cow::Borrowed(r.reason.as_str()))
            .chain(plugin_errors)
            .collect(),
    };
    let _ = serde_json::to_writer(&mut *out, &line);
    out.push(b'\n');
}

#[derive(Serialize)]
struct RejectLine<'a> {
    file: &'a str,
    line: u64,
    record: u64,
    kind: &'a str,
    reason: &'a str,
    text: &'a str,
}

fn write_reject(out: &mut impl Write, r: &Reject) -> io::Result<()> {
    let line = RejectLine {
        file: &r.origin.file,
        line: r.origin.line,
        record: r.origin.record,
        kind: r.kind.name(),
        reason: &r.reason,
        text: &r.text,
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

// --- plugin policies -------------------------------------------------------

/// Loads the pack's `[[plugins]]` into the engine; a plugin that cannot be
/// loaded is a pack diagnostic at its entry, and the run stops with exit 2.
pub(super) fn load_plugins<'p>(
    engine: Engine<'p>,
    format: ErrorFormat,
) -> anyhow::Result<Result<Engine<'p>, u8>> {
    let pack = engine.pack();
    let (plugins, diagnostics) = super::plugin::load_pack(pack)?;
    if !diagnostics.is_empty() {
        let err = goodwill_core::PackError {
            root: pack.root.clone(),
            diagnostics,
        };
        render::pack_error(&err, format)?;
        return Ok(Err(exit::ERROR));
    }
    Ok(Ok(engine.with_plugins(plugins)))
}

/// One finding line per plugin finding, after the TOML policies' findings,
/// in the pack's plugin order: the same schema, with the plugin's id as the
/// policy.
fn write_plugin_findings(out: &mut Vec<u8>, engine: &Engine<'_>, e: &Evaluated) {
    for (plugin, outcome) in engine.plugins().iter().zip(&e.plugins) {
        let Ok(evaluation) = outcome else { continue };
        for f in &evaluation.findings {
            let line = FindingLine {
                interaction: &e.interaction.id,
                policy: plugin.id(),
                check: &f.check_id,
                severity: f.severity,
                level: f.level,
                message: &f.message,
                evidence: Evidence::reported(&f.evidence),
                source: Source::from(&e.interaction.origin),
            };
            let _ = serde_json::to_writer(&mut *out, &line);
            out.push(b'\n');
        }
    }
}

/// The `--per-interaction` entries of the plugin policies that applied,
/// and the plugin errors of the interaction.
fn plugin_lines<'a>(
    engine: &'a Engine<'_>,
    e: &'a Evaluated,
) -> (Vec<PolicyLine<'a>>, Vec<Cow<'a, str>>) {
    let mut policies = Vec::new();
    let mut errors = Vec::new();
    for (plugin, outcome) in engine.plugins().iter().zip(&e.plugins) {
        match outcome {
            Ok(evaluation) if evaluation.applies => policies.push(PolicyLine {
                policy: plugin.id(),
                enforced: evaluation.enforced,
                benefit: evaluation.benefit,
                findings: evaluation
                    .findings
                    .iter()
                    .map(|f| CheckLine {
                        check: &f.check_id,
                        severity: f.severity,
                        level: f.level,
                        message: &f.message,
                        evidence: Evidence::reported(&f.evidence),
                    })
                    .collect(),
            }),
            Ok(_) => {}
            Err(error) => errors.push(Cow::Owned(error.to_string())),
        }
    }
    (policies, errors)
}

/// A plugin-error record in the rejects file: the fields of a reject (kind
/// `plugin`), plus the plugin, the interaction and the cause.
#[derive(Serialize)]
struct PluginFailureLine<'a> {
    file: &'a str,
    line: u64,
    record: u64,
    kind: &'a str,
    reason: String,
    text: &'a str,
    plugin: &'a str,
    interaction: &'a str,
    cause: &'a PluginErrorCause,
}

fn write_plugin_failure(out: &mut impl Write, f: &PluginFailure) -> io::Result<()> {
    let line = PluginFailureLine {
        file: &f.origin.file,
        line: f.origin.line,
        record: f.origin.record,
        kind: "plugin",
        reason: f.error.to_string(),
        text: &f.text,
        plugin: &f.error.plugin,
        interaction: &f.error.interaction,
        cause: &f.error.cause,
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

fn print_plugin_errors(err: &mut impl Write, s: &Summary) {
    if s.plugin_errors == 0 {
        return;
    }
    let _ = writeln!(
        err,
        "plugin errors: {} (the interactions were evaluated by the other policies)",
        s.plugin_errors
    );
    for (cause, n) in Summary::top_reasons(&s.plugin_error_causes, 5) {
        let _ = writeln!(err, "    {n:>8}  {cause}");
    }
}
