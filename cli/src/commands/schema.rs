//! `goodwill schema`: the JSON Schema of the pack format, for editors.

use clap::{Args, ValueEnum};
use goodwill_core::pack::schema;

use crate::exit;

/// Print the JSON Schema of `goodwill.toml` or of a policy file, so editors
/// (Taplo, Even Better TOML) can validate packs as they are written.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which file's schema.
    #[arg(value_enum, default_value_t = Which::Policy)]
    pub which: Which,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Which {
    /// A policy file.
    Policy,
    /// `goodwill.toml`.
    Manifest,
}

pub fn run(args: SchemaArgs) -> anyhow::Result<u8> {
    let doc = match args.which {
        Which::Policy => schema::policy_schema(),
        Which::Manifest => schema::manifest_schema(),
    };
    println!("{}", serde_json::to_string_pretty(&doc)?);
    Ok(exit::OK)
}
