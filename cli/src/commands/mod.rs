//! One file per subcommand.

mod check;
mod init;
mod rules;
mod schema;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(check::CheckArgs),
    Init(init::InitArgs),
    Rules(rules::RulesArgs),
    Schema(schema::SchemaArgs),
}

/// Runs a subcommand; the `u8` is the process exit code.
pub fn run(command: Command) -> anyhow::Result<u8> {
    match command {
        Command::Check(args) => check::run(args),
        Command::Init(args) => init::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Schema(args) => schema::run(args),
    }
}
