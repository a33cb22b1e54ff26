//! The result of `goodwill check` (lint findings and pack tests) and its
//! printers, one file per output format. Every printer returns the whole
//! text, so a file is written in one go and stdout and files agree.

mod github;
mod human;
mod json;
mod junit;
pub mod load_failure;
mod sarif;

use clap::ValueEnum;
use goodwill_core::Pack;
use goodwill_core::lint::{Finding, Rule, Status};
use goodwill_core::pack::Severity;
use goodwill_core::testing::TestResult;

/// An output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Findings with their source lines, the test table and a summary.
    Human,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// JUnit XML, for CI test reports.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// Everything `check` found.
pub struct CheckReport<'a> {
    pub pack: &'a Pack,
    /// The lint rules that ran.
    pub rules: Vec<&'static Rule>,
    /// Lint findings and waiver faults, in pack order.
    pub findings: Vec<Finding>,
    pub tests: Vec<TestResult>,
    /// The severity at and above which an active finding fails the run.
    pub fail_on: Severity,
    /// The pack's plugins, in `[[plugins]]` order: how many checks each
    /// describes.
    pub plugin_checks: Vec<usize>,
}

impl CheckReport<'_> {
    /// An active finding at or above `--fail-on`.
    pub fn fails(&self, f: &Finding) -> bool {
        f.is_active() && f.severity >= self.fail_on
    }

    pub fn failed_tests(&self) -> usize {
        self.tests.iter().filter(|t| !t.passed()).count()
    }

    /// Whether the run fails: a failing finding or a failed pack test.
    pub fn failed(&self) -> bool {
        self.failed_tests() > 0 || self.findings.iter().any(|f| self.fails(f))
    }

    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_active())
    }

    pub fn count(&self, status: fn(&Status) -> bool) -> usize {
        self.findings.iter().filter(|f| status(&f.status)).count()
    }

    /// The text of the report in `format`.
    pub fn render(&self, format: Format) -> anyhow::Result<String> {
        match format {
            Format::Human => Ok(human::render(self)),
            Format::Json => json::render(self),
            Format::Sarif => sarif::render(self),
            Format::Junit => junit::render(self),
            Format::Github => Ok(github::render(self)),
        }
    }
}

/// `n thing` or `n things`.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
