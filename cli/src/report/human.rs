//! `--format human`: each active finding as a source snippet (rustc style),
//! the pack-test table, the pack summary line and the lint summary line.

use std::fmt::Write;

use goodwill_core::lint::Status;
use goodwill_core::pack::Severity;

use super::{CheckReport, counted};
use crate::render;

pub fn render(r: &CheckReport<'_>) -> String {
    let mut out = String::new();
    for f in r.active() {
        let label = match f.level {
            Some(level) => format!("{} ({level})", f.name),
            None => f.name.clone(),
        };
        out.push_str(&render::snippet(
            format!("{}[{}]: {}", f.severity, f.rule, f.message),
            Some(&f.location),
            Some(&label),
            f.help.as_deref(),
        ));
        out.push('\n');
    }
    if !r.tests.is_empty() {
        let _ = writeln!(out, "{}", render::test_table(&r.tests));
    }
    out.push_str(&render::test_failures(&r.tests));
    let checks: usize = r.pack.policies.iter().map(|p| p.checks.len()).sum();
    let failed = r.failed_tests();
    let plugins = if r.plugin_checks.is_empty() {
        String::new()
    } else {
        format!(
            ", {} ({})",
            counted(r.plugin_checks.len(), "plugin", "plugins"),
            counted(r.plugin_checks.iter().sum(), "check", "checks")
        )
    };
    let _ = writeln!(
        out,
        "{}: {}, {}{plugins}; {} passed, {} failed",
        r.pack.manifest.pack.name,
        counted(r.pack.policies.len(), "policy", "policies"),
        counted(checks, "check", "checks"),
        r.tests.len() - failed,
        failed
    );
    let active: Vec<_> = r.active().collect();
    let by = |s: Severity| active.iter().filter(|f| f.severity == s).count();
    let mut line = format!(
        "lint: {}, {}",
        counted(r.rules.len(), "rule", "rules"),
        counted(active.len(), "finding", "findings")
    );
    if !active.is_empty() {
        let _ = write!(
            line,
            " ({} error, {} warning, {} info)",
            by(Severity::Error),
            by(Severity::Warning),
            by(Severity::Info)
        );
    }
    let waived = r.count(|s| matches!(s, Status::Waived { .. }));
    let baselined = r.count(|s| *s == Status::Baselined);
    if waived > 0 {
        let _ = write!(line, "; {waived} waived");
    }
    if baselined > 0 {
        let _ = write!(line, "; {baselined} in the baseline");
    }
    let failing = active.iter().filter(|f| r.fails(f)).count();
    let _ = write!(line, "; fail on {}: {failing} failing", r.fail_on);
    let _ = writeln!(out, "{line}");
    out
}
