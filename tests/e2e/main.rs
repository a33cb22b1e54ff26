//! End-to-end tests: the real `goodwill` binary on real files.

mod check;
mod lint;
mod rules;
mod support;
