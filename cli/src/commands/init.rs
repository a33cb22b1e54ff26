//! `goodwill init`: scaffold a pack with a worked example.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::exit;

/// Create a policy pack with a worked example that passes `goodwill check`:
/// the bank that would not validate a 60-cent parking ticket for a
/// depositor worth two million dollars.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to create the pack (created if missing; existing files are
    /// never overwritten).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

pub fn run(args: InitArgs) -> anyhow::Result<u8> {
    let written =
        goodwill_core::scaffold::init_pack(&args.dir).context("cannot create the pack")?;
    for path in &written {
        println!("created {}", path.display());
    }
    println!("next: goodwill check {}", args.dir.display());
    Ok(exit::OK)
}
