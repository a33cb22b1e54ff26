//! End-to-end tests: the real `goodwill` binary on real files.

mod audit;
mod check;
