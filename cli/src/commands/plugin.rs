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
    /// Run a plugin over interactions (JSON Lines) and print one JSON line
    /// per interaction: its evaluation, or the plugin error it got.
    ///
    /// For plugin authors: try a plugin without a pack. Exit codes: 0 done;
    /// 1 `--strict` and some interaction got a plugin error; 2 the plugin
    /// or the input could not be read.
    Run(RunArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The `.wasm` component.
    pub plugin: PathBuf,

    /// Interactions, one JSON object per line; `-` for stdin.
    pub interactions: PathBuf,

    /// The plugin's configuration, as a JSON object.
    #[arg(long, default_value = "{}")]
    pub config: String,

    /// Fuel per call.
    #[arg(long)]
    pub fuel: Option<u64>,

    /// Wall-clock deadline per call, in milliseconds.
    #[arg(long)]
    pub deadline_ms: Option<u64>,

    /// Memory cap per instance, in MiB.
    #[arg(long)]
    pub memory_mib: Option<u64>,

    /// Exit with 1 when any interaction got a plugin error.
    #[arg(long)]
    pub strict: bool,

    /// Compile without the on-disk cache.
    #[arg(long)]
    pub no_cache: bool,
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
        PluginCommand::Run(args) => run_plugin(args),
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

fn run_plugin(args: RunArgs) -> anyhow::Result<u8> {
    use std::io::BufRead;

    let config: serde_json::Value = match serde_json::from_str(&args.config) {
        Ok(v @ serde_json::Value::Object(_)) => v,
        _ => {
            eprintln!("error: `--config` must be a JSON object");
            return Ok(exit::ERROR);
        }
    };
    let defaults = PluginLimits::default();
    let limits = PluginLimits {
        fuel: args.fuel.unwrap_or(defaults.fuel),
        deadline_ms: args.deadline_ms.unwrap_or(defaults.deadline_ms),
        memory_mib: args.memory_mib.unwrap_or(defaults.memory_mib),
        ..defaults
    };
    let settings = HostSettings {
        cache_dir: if args.no_cache { None } else { cache_dir() },
        ..HostSettings::default()
    };
    let host = PluginHost::new(settings)?;
    let plugin = match host.load(&args.plugin, limits, &config) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::ERROR);
        }
    };
    let input: Box<dyn BufRead> = if args.interactions.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(&args.interactions) {
            Ok(f) => Box::new(std::io::BufReader::new(f)),
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", args.interactions.display());
                return Ok(exit::ERROR);
            }
        }
    };
    let mut runner = plugin.runner();
    let mut out = std::io::stdout().lock();
    let (mut evaluated, mut failed, mut rejected) = (0u64, 0u64, 0u64);
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let id = match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(serde_json::Value::Object(record)) => match record.get("id") {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => format!("line {}", n + 1),
            },
            _ => {
                rejected += 1;
                eprintln!(
                    "{}:{}: not a JSON object, skipped",
                    args.interactions.display(),
                    n + 1
                );
                continue;
            }
        };
        let doc = match runner.evaluate(&id, &line) {
            Ok(evaluation) => {
                evaluated += 1;
                serde_json::json!({ "interaction": id, "evaluation": evaluation })
            }
            Err(error) => {
                failed += 1;
                serde_json::json!({ "interaction": id, "plugin_error": error })
            }
        };
        writeln!(out, "{doc}")?;
    }
    let (log, dropped) = runner.log();
    if !log.is_empty() {
        eprintln!(
            "plugin log ({} bytes, {dropped} dropped):\n{log}",
            log.len()
        );
    }
    eprintln!(
        "{}: {evaluated} evaluated, {failed} plugin {}, {rejected} rejected",
        plugin.id(),
        if failed == 1 { "error" } else { "errors" }
    );
    Ok(if args.strict && failed > 0 {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

/// Loads the pack's `[[plugins]]` (through the on-disk cache), for `eval`
/// and `check`: the plugins that loaded, and a diagnostic at the entry of
/// each that did not. A pack without plugins starts no plugin host.
pub fn load_pack(
    pack: &goodwill_core::Pack,
) -> anyhow::Result<(
    Vec<goodwill_core::plugin::LoadedPlugin>,
    Vec<goodwill_core::Diagnostic>,
)> {
    if pack.manifest.plugins.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let host = PluginHost::new(HostSettings {
        cache_dir: cache_dir(),
        ..HostSettings::default()
    })?;
    Ok(goodwill_core::plugin::load_pack_plugins(pack, &host))
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
