//! The `goodwill` binary: argument handling and output. The work is done by
//! `goodwill-core`.

mod audit_report;
mod commands;
mod output;
mod render;
mod report;

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes, documented in `--help` and the README.
pub mod exit {
    /// Success: the pack loaded and every test passed.
    pub const OK: u8 = 0;
    /// A pack test failed, or a lint finding is at or above `--fail-on`.
    pub const FINDINGS: u8 = 1;
    /// The pack could not be loaded, or the command was misused.
    pub const ERROR: u8 = 2;
}

#[derive(Debug, Parser)]
#[command(
    name = "goodwill",
    version,
    about = "Audits customer-service policies: which ones protect the company at the expense of customer loyalty",
    after_help = "Exit codes:\n  0  success\n  1  a pack test failed, or a lint finding is at or above --fail-on\n  2  the pack could not be loaded (nor its [lint], waivers or baseline), or the command was misused"
)]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
}

/// The stack of the thread that runs a command: CEL parsing and evaluation
/// recurse once per operator, so give them room (it is virtual memory; only
/// what is used is committed).
const COMMAND_STACK: usize = 256 << 20;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let worker = std::thread::Builder::new()
        .name("goodwill".to_string())
        .stack_size(COMMAND_STACK)
        .spawn(move || commands::run(cli.command));
    let result = match worker {
        Ok(handle) => handle
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("internal error: the command panicked"))),
        Err(e) => Err(anyhow::anyhow!("cannot start the command thread: {e}")),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}
