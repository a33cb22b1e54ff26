//! End-to-end tests: the real `goodwill` binary on real files.

mod check;
mod plugin;
mod plugin_examples;
mod support;
