//! `--format github`: GitHub Actions workflow commands, one annotation per
//! active finding and per failed pack test, then the summary as plain text.

use std::fmt::Write;

use goodwill_core::diagnostic::Location;
use goodwill_core::pack::Severity;

use super::CheckReport;

pub fn render(r: &CheckReport<'_>) -> String {
    let mut out = String::new();
    for f in r.active() {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = f.message.clone();
        if let Some(help) = &f.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        annotate(
            &mut out,
            command,
            &f.location,
            &if f.name == f.rule {
                f.rule.clone()
            } else {
                format!("{} {}", f.rule, f.name)
            },
            &message,
        );
    }
    for t in r.tests.iter().filter(|t| !t.passed()) {
        annotate(
            &mut out,
            "error",
            &t.location,
            &format!("pack test failed: {}", t.policy_id),
            &format!("{}\n{}", t.test_name, t.failures.join("\n")),
        );
    }
    let failing = r.findings.iter().filter(|f| r.fails(f)).count();
    let _ = writeln!(
        out,
        "goodwill check: {} active finding(s), {failing} at or above {}; {} of {} pack test(s) failed",
        r.active().count(),
        r.fail_on,
        r.failed_tests(),
        r.tests.len()
    );
    out
}

pub(super) fn annotate(
    out: &mut String,
    command: &str,
    loc: &Location,
    title: &str,
    message: &str,
) {
    let start = loc.start();
    let end = loc.end();
    let _ = writeln!(
        out,
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        property(&loc.file.display_path()),
        start.line,
        start.column,
        end.line,
        end.column,
        property(title),
        data(message)
    );
}

/// Escapes a workflow-command message.
pub(super) fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value.
pub(super) fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_escape_colons_commas_and_newlines() {
        assert_eq!(property("a:b,c\nd%"), "a%3Ab%2Cc%0Ad%25");
        assert_eq!(data("a:b,c\nd"), "a:b,c%0Ad");
    }
}
