//! End-to-end tests: the real `goodwill` binary on real files.

mod audit;
mod check;
mod ci_formats;
mod eval;
mod eval_plugins;
mod examples;
mod lint;
mod partials;
mod plugin;
mod plugin_examples;
mod rules;
mod same_file;
mod spark;
mod support;
mod waivers_baseline;
