//! `--format sarif`: SARIF 2.1.0. The driver carries a descriptor for every
//! rule that ran (with its documentation as help), results carry file, line
//! and column regions and the finding's fingerprint; waived and baselined
//! findings are results with a suppression, so code-scanning tools show
//! them as dismissed rather than forget them.

use goodwill_core::lint::{Finding, Rule, Status};
use goodwill_core::pack::Severity;
use serde_json::{Value, json};

use super::CheckReport;

pub(super) const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub(super) const INFORMATION_URI: &str = "https://example.invalid/goodwill";

/// Descriptors of results that are not lint rules.
const PSEUDO_RULES: [(&str, &str, &str); 3] = [
    (
        "waiver-expired",
        "A waiver in waivers.toml is past its expiry date.",
        "Fix the policy, or renew the waiver with a new date and a reason that still holds.",
    ),
    (
        "waiver-unused",
        "A waiver in waivers.toml matches no finding.",
        "Remove it: the finding it waived is gone.",
    ),
    (
        "pack-test-failed",
        "One of the pack's own [[tests]] failed.",
        "Fix the policy's checks or the test's expectations.",
    ),
];

pub fn render(r: &CheckReport<'_>) -> anyhow::Result<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut rules: Vec<Value> = Vec::new();
    // The rules that ran, in id order, then the pseudo-rules.
    for rule in &r.rules {
        ids.push(rule.id.to_string());
        rules.push(descriptor(rule));
    }
    for (id, short, help) in PSEUDO_RULES {
        ids.push(id.to_string());
        rules.push(json!({
            "id": id,
            "name": id,
            "shortDescription": {"text": short},
            "help": {"text": help},
            "defaultConfiguration": {"level": if id == "waiver-unused" { "warning" } else { "error" }},
        }));
    }
    let index = |id: &str| ids.iter().position(|i| i == id);

    let mut results: Vec<Value> = r
        .findings
        .iter()
        .map(|f| result(f, index(&f.rule)))
        .collect();
    for t in r.tests.iter().filter(|t| !t.passed()) {
        results.push(json!({
            "ruleId": "pack-test-failed",
            "ruleIndex": index("pack-test-failed"),
            "level": "error",
            "message": {"text": format!("test `{}` of `{}` failed: {}", t.test_name, t.policy_id, t.failures.join("; "))},
            "locations": [location(&t.location)],
        }));
    }

    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "goodwill",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "results": results,
            "invocations": [{"executionSuccessful": true}],
            "columnKind": "unicodeCodePoints",
        }],
    });
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn descriptor(rule: &Rule) -> Value {
    let doc = rule.doc();
    json!({
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": doc.summary()},
        "fullDescription": {"text": doc.section("What it flags").unwrap_or_default()},
        "help": {"text": doc.help_line().unwrap_or_default(), "markdown": doc.markdown},
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {
            "gallupLevel": rule.level,
            "tags": ["customer-loyalty", rule.level.name()],
        },
    })
}

pub(super) fn location(loc: &goodwill_core::diagnostic::Location) -> Value {
    let start = loc.start();
    let end = loc.end();
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": loc.file.display_path().replace('\\', "/")},
            "region": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
            },
        },
    })
}

fn result(f: &Finding, rule_index: Option<usize>) -> Value {
    let mut v = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": {"text": match &f.policy {
            Some(p) => format!("{} [{p}]", f.message),
            None => f.message.clone(),
        }},
        "locations": [location(&f.location)],
        "partialFingerprints": {"goodwill/v1": f.fingerprint},
    });
    if let Some(i) = rule_index {
        v["ruleIndex"] = json!(i);
    }
    match &f.status {
        Status::Active => {}
        Status::Waived { reason, owner } => {
            v["suppressions"] = json!([{
                "kind": "external",
                "status": "accepted",
                "justification": format!("{reason} (owner: {owner})"),
            }]);
        }
        Status::Baselined => {
            v["baselineState"] = json!("unchanged");
            v["suppressions"] = json!([{
                "kind": "external",
                "status": "accepted",
                "justification": "in the baseline",
            }]);
        }
    }
    v
}
