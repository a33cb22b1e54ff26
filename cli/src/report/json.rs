//! `--format json`: the pack-test document `check` always printed, with the
//! lint findings added.

use goodwill_core::lint::{Finding, Status};
use serde_json::{Value, json};

use super::CheckReport;

pub fn render(r: &CheckReport<'_>) -> anyhow::Result<String> {
    let failed = r.failed_tests();
    let doc = json!({
        "pack": r.pack.manifest.pack.name,
        "policies": r.pack.policies.len(),
        "plugins": r.plugin_checks.len(),
        "tests": r.tests.iter().map(|t| {
            let lc = t.location.start();
            json!({
                "policy": t.policy_id,
                "test": t.test_name,
                "passed": t.passed(),
                "failures": t.failures,
                "file": t.location.file.display_path(),
                "line": lc.line,
                "column": lc.column,
            })
        }).collect::<Vec<_>>(),
        "passed": r.tests.len() - failed,
        "failed": failed,
        "lint": {
            "rules": r.rules.len(),
            "fail_on": r.fail_on,
            "findings": r.findings.iter().map(|f| finding(r, f)).collect::<Vec<_>>(),
            "active": r.active().count(),
            "failing": r.findings.iter().filter(|f| r.fails(f)).count(),
            "waived": r.count(|s| matches!(s, Status::Waived { .. })),
            "baselined": r.count(|s| *s == Status::Baselined),
        },
    });
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
}

fn finding(r: &CheckReport<'_>, f: &Finding) -> Value {
    let start = f.location.start();
    let end = f.location.end();
    let waiver = match &f.status {
        Status::Waived { reason, owner } => json!({"reason": reason, "owner": owner}),
        _ => Value::Null,
    };
    json!({
        "rule": f.rule,
        "name": f.name,
        "policy": f.policy,
        "severity": f.severity,
        "level": f.level,
        "message": f.message,
        "help": f.help,
        "file": f.location.file.display_path(),
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "fingerprint": f.fingerprint,
        "evidence": f.evidence.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<serde_json::Map<_, _>>(),
        "status": f.status.name(),
        "waiver": waiver,
        "fails": r.fails(f),
    })
}
