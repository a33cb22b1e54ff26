//! goodwill's library: the interaction model, policy packs (TOML + CEL),
//! evaluation and pack tests. It never prints; the `goodwill` binary does.

pub mod audit;
pub mod cel;
pub mod demo;
pub mod diagnostic;
pub mod engine;
pub mod evaluate;
pub mod fields;
pub mod input;
pub mod json_text;
pub mod lint;
pub mod pack;
pub mod plugin;
pub mod record;
pub mod scaffold;
pub mod source;
pub mod suggest;
pub mod template;
pub mod testing;

pub use diagnostic::{Diagnostic, DiagnosticCode};
pub use pack::{Pack, PackError, load};
