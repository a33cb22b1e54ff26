//! `goodwill plugin`: work with WebAssembly policy plugins.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use goodwill_core::plugin::{HostSettings, Inspection, PluginHost, PluginLimits};

use crate::exit;

/// Work with WebAssembly policy plugins (components implementing
/// `goodwill:policy`, see `plugins/wit/`).
#[derive(Debug, Args)]
pub struct PluginArgs {
    #[command(subcommand)]
    pub command: PluginCommand,
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Show a plugin's description, its checks, its imports and the limits it
    /// runs under.
    ///
    /// Exit codes: 0 the plugin loads; 2 it is refused (a forbidden import,
    /// not a component, a failed `describe`) or cannot be read.
    Inspect(InspectArgs),
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The `.wasm` component.
    pub file: PathBuf,

    #[arg(long, value_enum, default_value_t = InspectFormat::Human)]
    pub format: InspectFormat,

    /// Compile the plugin without reading or writing the on-disk cache
    /// (`$GOODWILL_CACHE_DIR`, else `$XDG_CACHE_HOME/goodwill`, else
    /// `~/.cache/goodwill`).
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    /// Text for people.
    Human,
    /// One JSON document.
    Json,
}

pub fn run(args: PluginArgs) -> anyhow::Result<u8> {
    match args.command {
        PluginCommand::Inspect(args) => inspect(args),
    }
}

fn inspect(args: InspectArgs) -> anyhow::Result<u8> {
    let settings = HostSettings {
        cache_dir: if args.no_cache { None } else { cache_dir() },
        ..HostSettings::default()
    };
    let host = PluginHost::new(settings)?;
    let inspection = match host.inspect(&args.file, PluginLimits::default()) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::ERROR);
        }
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        InspectFormat::Human => write!(out, "{}", human(&inspection))?,
        InspectFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&inspection)?)?,
    }
    Ok(if inspection.refused.is_some() {
        exit::ERROR
    } else {
        exit::OK
    })
}

/// Where compiled plugins are cached.
pub fn cache_dir() -> Option<PathBuf> {
    let var = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("GOODWILL_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("goodwill")))
        .or_else(|| var("HOME").map(|d| d.join(".cache").join("goodwill")))
}

fn human(i: &Inspection) -> String {
    let mut s = String::new();
    s.push_str(&format!("plugin    {} ({} bytes)\n", i.file, i.size_bytes));
    s.push_str(&format!("contract  {}\n", i.contract));
    if let Some(d) = &i.description {
        s.push_str(&format!("policy    {}: {}\n", d.id, d.title));
        if let Some(owner) = &d.owner {
            s.push_str(&format!("owner     {owner}\n"));
        }
        if !d.levels.is_empty() {
            let levels: Vec<_> = d.levels.iter().map(|l| l.name()).collect();
            s.push_str(&format!("levels    {}\n", levels.join(", ")));
        }
        if let Some(summary) = &d.summary {
            s.push_str(&format!(
                "summary   {}\n",
                summary.split_whitespace().collect::<Vec<_>>().join(" ")
            ));
        }
        s.push_str(&format!("checks    {}\n", d.checks.len()));
        for c in &d.checks {
            s.push_str(&format!(
                "  {:<24} {:<8} {:<13} {}\n",
                c.id,
                c.severity.name(),
                c.level.name(),
                c.description
            ));
        }
    }
    s.push_str(&format!("imports   {}\n", i.imports.len()));
    for import in &i.imports {
        let verdict = if import.granted { "granted" } else { "REFUSED" };
        s.push_str(&format!("  {verdict:<8} {}\n", import.name));
    }
    let l = &i.limits;
    s.push_str(&format!(
        "limits    fuel {} per call, deadline {} ms, memory {} MiB, log {} bytes, stack {} KiB\n",
        l.fuel,
        l.deadline_ms,
        l.memory_mib,
        l.log_bytes,
        i.max_wasm_stack / 1024
    ));
    if let Some(reason) = &i.refused {
        s.push_str(&format!("refused   {reason}\n"));
    }
    s
}
