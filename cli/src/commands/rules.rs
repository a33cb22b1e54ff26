//! `goodwill rules`: list the built-in lint rules, or explain one.

use std::io::Write;

use clap::{Args, ValueEnum};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use goodwill_core::lint::{self, RULES, Rule};

use crate::exit;

/// List the built-in lint rules, or print one rule's documentation.
///
/// Exit codes: 0 success; 2 no rule has that id.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// A rule id (`GW004`) to explain; every rule is listed without it.
    pub id: Option<String>,

    /// How to print.
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// A table, or one rule's documentation as Markdown.
    Table,
    /// JSON: an array of rules, or one rule with its documentation.
    Json,
}

pub fn run(args: RulesArgs) -> anyhow::Result<u8> {
    let mut out = std::io::stdout().lock();
    match &args.id {
        None => match args.format {
            RulesFormat::Table => writeln!(out, "{}", table())?,
            RulesFormat::Json => {
                let doc: Vec<_> = RULES.iter().map(|r| rule_json(r, false)).collect();
                writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
            }
        },
        Some(id) => {
            let Some(rule) = lint::rule(id) else {
                let hint = goodwill_core::suggest::closest(
                    &id.to_ascii_uppercase(),
                    RULES.iter().map(|r| r.id),
                )
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
                eprintln!("error: no lint rule has the id `{id}`{hint}");
                eprintln!("  = help: `goodwill rules` lists them all");
                return Ok(exit::ERROR);
            };
            match args.format {
                RulesFormat::Table => {
                    let doc = rule.doc();
                    write!(out, "{}", doc.markdown)?;
                    writeln!(
                        out,
                        "\nlevel: {} ({} of 4) · default severity: {}",
                        rule.level,
                        rule.level.rank(),
                        rule.severity
                    )?;
                }
                RulesFormat::Json => writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&rule_json(rule, true))?
                )?,
            }
        }
    }
    Ok(exit::OK)
}

fn table() -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(120)
        .set_header(vec!["id", "name", "level", "severity", "flags"]);
    for r in RULES {
        table.add_row(vec![
            r.id.to_string(),
            r.name.to_string(),
            r.level.to_string(),
            r.severity.to_string(),
            r.doc().summary(),
        ]);
    }
    table
}

fn rule_json(rule: &Rule, with_doc: bool) -> serde_json::Value {
    let doc = rule.doc();
    let mut v = serde_json::json!({
        "id": rule.id,
        "name": rule.name,
        "level": rule.level,
        "severity": rule.severity,
        "summary": doc.summary(),
        "help": doc.help_line(),
    });
    if with_doc {
        v["sections"] = doc
            .sections
            .iter()
            .map(|(h, b)| (h.clone(), serde_json::Value::String(b.clone())))
            .collect::<serde_json::Map<_, _>>()
            .into();
        v["markdown"] = doc.markdown.into();
    }
    v
}
