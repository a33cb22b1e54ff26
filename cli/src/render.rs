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
        let line = loc.file.line_text(start.line);
        out.push_str(&format!(
            "{pad}--> {}:{}:{}\n",
            loc.file.display_path(),
            start.line,
            start.column
        ));
        out.push_str(&format!("{pad} |\n"));
        out.push_str(&format!("{} | {}\n", start.line, line.replace('\t', " ")));
        let line_chars = line.chars().count();
        let width = if end.line == start.line {
            end.column.saturating_sub(start.column)
        } else {
            (line_chars + 1).saturating_sub(start.column)
        }
        .max(1);
        let label = label.map(|l| format!(" {l}")).unwrap_or_default();
        out.push_str(&format!(
            "{pad} | {}{}{label}\n",
            " ".repeat(start.column - 1),
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

/// The result table of `check`: one row per pack test.
pub fn test_table(results: &[TestResult]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(100)
        .set_header(vec!["policy", "test", "result"]);
    for r in results {
        let result = if r.passed() {
            "pass".to_string()
        } else {
            let lc = r.location.start();
            format!(
                "FAIL ({}:{})\n{}",
                r.location.file.display_path(),
                lc.line,
                r.failures
                    .iter()
                    .map(|f| format!("- {f}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        };
        table.add_row(vec![r.policy_id.clone(), r.test_name.clone(), result]);
    }
    table
}
