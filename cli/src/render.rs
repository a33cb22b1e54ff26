//! Printers: diagnostics and result tables. Evaluation never prints; these do.

use std::io::Write;

use clap::ValueEnum;
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use goodwill_core::diagnostic::Location;
use goodwill_core::testing::TestResult;
use goodwill_core::{Diagnostic, PackError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ErrorFormat {
    /// The source line with a caret, and a help line.
    Human,
    /// One JSON document with an array of diagnostics.
    Json,
}

/// Prints every diagnostic of a pack that failed to load, to stderr.
pub fn pack_error(err: &PackError, format: ErrorFormat) -> anyhow::Result<()> {
    let mut stderr = std::io::stderr().lock();
    match format {
        ErrorFormat::Human => {
            for d in &err.diagnostics {
                writeln!(stderr, "{}", diagnostic(d))?;
            }
            writeln!(stderr, "error: {err}")?;
        }
        ErrorFormat::Json => {
            let doc = serde_json::json!({
                "pack": err.root.display().to_string(),
                "diagnostics": err.diagnostics.iter().map(Diagnostic::to_json).collect::<Vec<_>>(),
            });
            writeln!(stderr, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
    }
    Ok(())
}

/// Prints the faults of a pack's `[mapping]`, to stderr.
pub fn mapping_errors(errors: &[goodwill_core::input::MappingError]) {
    for e in errors {
        eprintln!("error: {}\n  = help: {}", e.message, e.help);
    }
}

/// Prints why a partial audit cannot be used, to stderr.
pub fn partial_error(e: &goodwill_core::audit::partial::PartialError) {
    eprintln!("error: {e}\n  = help: {}", e.help());
}

/// One diagnostic in the style of rustc: the message, `--> file:line:col`,
/// the source line with carets under the fault, and the help line.
pub fn diagnostic(d: &Diagnostic) -> String {
    snippet(
        format!("error[{}]: {}", d.code, d.message),
        d.location.as_ref(),
        d.label.as_deref(),
        d.help.as_deref(),
    )
}

/// A headline, then the source line at `location` with carets and `label`
/// under it, then the help line.
pub fn snippet(
    headline: String,
    location: Option<&Location>,
    label: Option<&str>,
    help: Option<&str>,
) -> String {
    let mut out = headline;
    out.push('\n');
    if let Some(loc) = location {
        let start = loc.start();
        let end = loc.end();
        let gutter = start.line.to_string().len();
        let pad = " ".repeat(gutter);
        let (line, start_col) = excerpt(loc.file.line_text(start.line), start.column);
        out.push_str(&format!(
            "{pad}--> {}:{}:{}\n",
            loc.file.display_path(),
            start.line,
            start.column
        ));
        out.push_str(&format!("{pad} |\n"));
        out.push_str(&format!("{} | {line}\n", start.line));
        let line_chars = line.chars().count();
        let width = if end.line == start.line {
            end.column.saturating_sub(start.column)
        } else {
            line_chars + 1
        }
        .min((line_chars + 1).saturating_sub(start_col))
        .max(1);
        let label = label.map(|l| format!(" {l}")).unwrap_or_default();
        out.push_str(&format!(
            "{pad} | {}{}{label}\n",
            " ".repeat(start_col - 1),
            "^".repeat(width)
        ));
        if let Some(help) = help {
            out.push_str(&format!("{pad} = help: {help}\n"));
        }
    } else if let Some(help) = help {
        out.push_str(&format!("  = help: {help}\n"));
    }
    out
}

/// Longest source excerpt shown under a diagnostic, in characters.
const MAX_EXCERPT: usize = 120;

/// The part of `line` to show around 1-based char `column`, and the column
/// of that char inside the excerpt. Long lines are cut with `...`.
fn excerpt(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    if chars.len() <= MAX_EXCERPT {
        return (chars.into_iter().collect(), column);
    }
    let from = column
        .saturating_sub(MAX_EXCERPT / 2)
        .min(chars.len().saturating_sub(MAX_EXCERPT - 3));
    let to = (from + MAX_EXCERPT - 6).min(chars.len());
    let mut text = String::new();
    let mut col = column - from;
    if from > 0 {
        text.push_str("...");
        col += 3;
    }
    text.extend(&chars[from..to]);
    if to < chars.len() {
        text.push_str("...");
    }
    (text, col)
}

/// The result table of `check`: one row per pack test.
pub fn test_table(results: &[TestResult]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(100)
        .set_header(vec!["policy", "test", "result"]);
    for r in results {
        let result = if r.passed() { "pass" } else { "FAIL" };
        table.add_row(vec![r.policy_id.as_str(), r.test_name.as_str(), result]);
    }
    table
}

/// Why each failed test failed, with the test's position.
pub fn test_failures(results: &[TestResult]) -> String {
    let mut out = String::new();
    for r in results.iter().filter(|r| !r.passed()) {
        let lc = r.location.start();
        out.push_str(&format!(
            "FAIL {} / {}\n  --> {}:{}:{}\n",
            r.policy_id,
            r.test_name,
            r.location.file.display_path(),
            lc.line,
            lc.column
        ));
        for f in &r.failures {
            out.push_str(&format!("  - {f}\n"));
        }
    }
    out
}
