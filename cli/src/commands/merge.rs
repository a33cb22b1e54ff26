//! `goodwill merge`: combines partial audits into one.

use std::path::PathBuf;

use clap::Args;
use goodwill_core::audit::partial::Partial;

use super::audit::read_partial;
use crate::exit;
use crate::output::write_to;
use crate::render;

/// Merge partial audits (from `goodwill eval --partial` or an earlier
/// merge) into one partial: in any order and any grouping, the result is
/// the same, byte for byte. Render it with `goodwill audit PACK
/// --from-partials`.
///
/// Exit codes: 0 merged; 2 a partial could not be read, is damaged, comes
/// from another pack or another format version.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partials to merge.
    #[arg(required = true, num_args = 1.., value_name = "PARTIAL")]
    pub partials: Vec<PathBuf>,

    /// Write the merged partial to this file (atomically) instead of
    /// stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: MergeArgs) -> anyhow::Result<u8> {
    let mut parts = Vec::with_capacity(args.partials.len());
    for path in &args.partials {
        match read_partial(path) {
            Ok(p) => parts.push(p),
            Err(code) => return Ok(code),
        }
    }
    let merged = match Partial::merge_all(parts) {
        Ok(m) => m,
        Err(e) => {
            render::partial_error(&e);
            return Ok(exit::ERROR);
        }
    };
    write_to(args.output.as_deref(), merged.to_json().as_bytes())?;
    Ok(exit::OK)
}
