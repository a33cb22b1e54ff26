//! One file per subcommand.

mod audit;
mod check;
mod eval;
mod finding_lines;
mod init;
mod inputs;
mod merge;
mod plugin;
mod rules;
mod schema;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Command {
    Audit(audit::AuditArgs),
    Check(check::CheckArgs),
    Eval(eval::EvalArgs),
    Init(init::InitArgs),
    Merge(merge::MergeArgs),
    Plugin(plugin::PluginArgs),
    Rules(rules::RulesArgs),
    Schema(schema::SchemaArgs),
}

/// Runs a subcommand; the `u8` is the process exit code.
pub fn run(command: Command) -> anyhow::Result<u8> {
    match command {
        Command::Audit(args) => audit::run(args),
        Command::Check(args) => check::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Init(args) => init::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Plugin(args) => plugin::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Schema(args) => schema::run(args),
    }
}
