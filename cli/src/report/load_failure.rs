//! When the pack (or its `[lint]`, waivers or baseline) cannot be read, CI
//! still gets a report in the format it asked for: GitHub annotations on
//! the faulty lines, a SARIF run that says it failed with a notification
//! per fault, a JUnit error per fault. Humans and JSON get the diagnostics
//! on stderr as before.

use goodwill_core::{Diagnostic, PackError};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde_json::json;

use super::{Format, github, sarif};

/// The report of a run that could not load its inputs, or `None` for the
/// formats that leave it to stderr.
pub fn render(err: &PackError, format: Format) -> anyhow::Result<Option<String>> {
    Ok(match format {
        Format::Human | Format::Json => None,
        Format::Github => Some(github_text(err)),
        Format::Sarif => Some(sarif_text(err)?),
        Format::Junit => Some(junit_text(err)?),
    })
}

fn github_text(err: &PackError) -> String {
    let mut out = String::new();
    for d in &err.diagnostics {
        let message = match &d.help {
            Some(help) => format!("{}\nhelp: {help}", d.message),
            None => d.message.clone(),
        };
        match &d.location {
            Some(loc) => github::annotate(&mut out, "error", loc, d.code.as_str(), &message),
            None => out.push_str(&format!(
                "::error title={}::{}\n",
                github::property(d.code.as_str()),
                github::data(&message)
            )),
        }
    }
    out.push_str(&format!("goodwill check: {err}\n"));
    out
}

fn sarif_text(err: &PackError) -> anyhow::Result<String> {
    let notifications: Vec<_> = err.diagnostics.iter().map(notification).collect();
    let doc = json!({
        "$schema": sarif::SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "goodwill",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": sarif::INFORMATION_URI,
            }},
            "results": [],
            "invocations": [{
                "executionSuccessful": false,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
        }],
    });
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
}

fn notification(d: &Diagnostic) -> serde_json::Value {
    let mut n = json!({
        "level": "error",
        "descriptor": {"id": d.code.as_str()},
        "message": {"text": match &d.help {
            Some(help) => format!("{} (help: {help})", d.message),
            None => d.message.clone(),
        }},
    });
    if let Some(loc) = &d.location {
        n["locations"] = json!([sarif::location(loc)]);
    }
    n
}

fn junit_text(err: &PackError) -> anyhow::Result<String> {
    let mut report = Report::new("goodwill check");
    let mut suite = TestSuite::new("load");
    for d in &err.diagnostics {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status
            .set_message(d.message.clone())
            .set_type(d.code.as_str());
        if let Some(loc) = &d.location {
            let lc = loc.start();
            status.set_description(format!(
                "{}:{}:{}\n{}",
                loc.file.display_path(),
                lc.line,
                lc.column,
                d.help.as_deref().unwrap_or_default()
            ));
        }
        let name = match &d.location {
            Some(loc) => loc.file.display_path(),
            None => err.root.display().to_string(),
        };
        let mut case = TestCase::new(name, status);
        case.set_classname("load");
        suite.add_test_case(case);
    }
    report.add_test_suite(suite);
    Ok(report.to_string()? + "\n")
}
