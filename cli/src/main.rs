//! The `goodwill` binary: argument handling and output. The work is done by
//! `goodwill-core`.

mod commands;
mod render;
mod report;

use std::process::ExitCode;

use clap::Parser;

/// Exit codes, documented in `--help` and the README.
pub mod exit {
    /// Success: the pack loaded and every test passed.
    pub const OK: u8 = 0;
    /// A pack test failed (or, later, findings at or above `--fail-on`).
    pub const FINDINGS: u8 = 1;
    /// The pack could not be loaded, or the command was misused.
    pub const ERROR: u8 = 2;
}

#[derive(Debug, Parser)]
#[command(
    name = "goodwill",
    version,
    about = "Audits customer-service policies: which ones protect the company at the expense of customer loyalty",
    after_help = "Exit codes:\n  0  success\n  1  a pack test failed\n  2  the pack could not be loaded, or the command was misused"
)]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}
