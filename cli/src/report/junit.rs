//! `--format junit`: JUnit XML. One suite holds every pack test, passing
//! ones too; another holds one case per policy for the lint, failing when
//! the policy has a finding at or above `--fail-on`; waiver faults are cases
//! of their own.

use goodwill_core::lint::Finding;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::CheckReport;

pub fn render(r: &CheckReport<'_>) -> anyhow::Result<String> {
    let mut report = Report::new("goodwill check");

    let mut tests = TestSuite::new("pack tests");
    for t in &r.tests {
        let status = if t.passed() {
            TestCaseStatus::success()
        } else {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let lc = t.location.start();
            s.set_message(t.failures.join("; "))
                .set_description(format!(
                    "{}:{}:{}\n{}",
                    t.location.file.display_path(),
                    lc.line,
                    lc.column,
                    t.failures.join("\n")
                ));
            s
        };
        let mut case = TestCase::new(t.test_name.clone(), status);
        case.set_classname(format!("{}.tests", t.policy_id));
        tests.add_test_case(case);
    }
    report.add_test_suite(tests);

    let mut lint = TestSuite::new("lint");
    for p in &r.pack.policies {
        let own: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| f.policy.as_deref() == Some(p.id()))
            .collect();
        lint.add_test_case(case(r, p.id(), &own));
    }
    for f in r.findings.iter().filter(|f| f.policy.is_none()) {
        lint.add_test_case(case(r, &f.location.file.display_path(), &[f]));
    }
    report.add_test_suite(lint);
    Ok(report.to_string()? + "\n")
}

fn case(r: &CheckReport<'_>, name: &str, findings: &[&Finding]) -> TestCase {
    let failing: Vec<&&Finding> = findings.iter().filter(|f| r.fails(f)).collect();
    let listing = findings
        .iter()
        .map(|f| {
            let lc = f.location.start();
            format!(
                "{}[{}] {}:{}:{}: {} ({})",
                f.severity,
                f.rule,
                f.location.file.display_path(),
                lc.line,
                lc.column,
                f.message,
                f.status.name()
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let status = if failing.is_empty() {
        TestCaseStatus::success()
    } else {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(
            failing
                .iter()
                .map(|f| format!("{}: {}", f.rule, f.message))
                .collect::<Vec<_>>()
                .join("; "),
        )
        .set_type(format!("fail-on {}", r.fail_on))
        .set_description(listing.clone());
        s
    };
    let mut case = TestCase::new(name.to_string(), status);
    case.set_classname("lint");
    if failing.is_empty() && !listing.is_empty() {
        case.set_system_out(listing);
    }
    case
}
