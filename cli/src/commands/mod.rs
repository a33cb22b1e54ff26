//! One file per subcommand.

mod check;
mod init;
mod plugin;
mod schema;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(check::CheckArgs),
    Init(init::InitArgs),
    Plugin(plugin::PluginArgs),
    Schema(schema::SchemaArgs),
}

/// Runs a subcommand; the `u8` is the process exit code.
pub fn run(command: Command) -> anyhow::Result<u8> {
    match command {
        Command::Check(args) => check::run(args),
        Command::Init(args) => init::run(args),
        Command::Plugin(args) => plugin::run(args),
        Command::Schema(args) => schema::run(args),
    }
}
