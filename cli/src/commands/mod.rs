//! One file per subcommand.

mod check;
mod eval;
mod init;
mod schema;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(check::CheckArgs),
    Eval(eval::EvalArgs),
    Init(init::InitArgs),
    Schema(schema::SchemaArgs),
}

/// Runs a subcommand; the `u8` is the process exit code.
pub fn run(command: Command) -> anyhow::Result<u8> {
    match command {
        Command::Check(args) => check::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Init(args) => init::run(args),
        Command::Schema(args) => schema::run(args),
    }
}
