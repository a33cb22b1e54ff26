//! Waivers: `waivers.toml` at the pack root lists findings a team accepts
//! for now, each with a reason, an owner and an expiry date. A waived
//! finding is counted apart and does not fail the build; an expired waiver
//! is itself an error (`waiver-expired`) and waives nothing; a waiver that
//! matches no finding is a warning (`waiver-unused`), so stale waivers do
//! not pile up.

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::{Finding, Status, fingerprint};
use crate::diagnostic::{Diagnostic, DiagnosticCode, Location};
use crate::pack::load::{parse_toml, read_source};
use crate::pack::{Severity, SpanIndex};
use crate::source::SourceFile;

/// `waivers.toml`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct WaiverFile {
    /// One entry per waived finding.
    #[serde(default)]
    pub waivers: Vec<WaiverDef>,
}

/// `[[waivers]]`
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct WaiverDef {
    /// The rule id (`GW003`).
    pub rule: String,
    /// The policy id the finding is about.
    pub policy: String,
    /// Why the finding is accepted for now.
    pub reason: String,
    /// Who answers for the waiver.
    pub owner: String,
    /// The last day the waiver holds (a TOML date: `2027-03-31`).
    #[schemars(with = "String")]
    pub expires: toml::value::Datetime,
}

/// A loaded `waivers.toml`.
#[derive(Debug)]
pub struct Waivers {
    pub file: Arc<SourceFile>,
    spans: SpanIndex,
    entries: Vec<(WaiverDef, NaiveDate)>,
}

/// Reads `path`; every fault (syntax, unknown key, unknown rule, a date
/// with a time) is a diagnostic with its position.
pub fn load(path: &Path) -> Result<Waivers, Vec<Diagnostic>> {
    let file = read_source(path).map_err(|d| vec![d])?;
    let schema = serde_json::to_value(schemars::schema_for!(WaiverFile)).unwrap_or(Json::Null);
    let mut diags = Vec::new();
    let Some((parsed, spans)) = parse_toml::<WaiverFile>(&file, &schema, &mut diags) else {
        return Err(diags);
    };
    let mut entries = Vec::new();
    for (i, w) in parsed.waivers.into_iter().enumerate() {
        if super::rule(&w.rule).is_none() {
            let span = spans.nearest(&format!("waivers.{i}.rule"));
            let span = spans
                .value_span(&format!("waivers.{i}.rule"))
                .unwrap_or(span);
            diags.push(
                Diagnostic::new(
                    DiagnosticCode::BadLintConfig,
                    format!("the waiver names `{}`, which is no lint rule", w.rule),
                )
                .at(&file, span)
                .label("no such rule")
                .help("`goodwill rules` lists the rule ids"),
            );
            continue;
        }
        let date = match (w.expires.date, w.expires.time) {
            (Some(d), None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), d.month.into(), d.day.into())
            }
            _ => None,
        };
        let Some(date) = date else {
            let span = spans.nearest(&format!("waivers.{i}.expires"));
            let span = spans
                .value_span(&format!("waivers.{i}.expires"))
                .unwrap_or(span);
            diags.push(
                Diagnostic::new(
                    DiagnosticCode::InvalidValue,
                    format!("`expires` must be a date, not `{}`", w.expires),
                )
                .at(&file, span)
                .help("write a bare TOML date: `expires = 2027-03-31`"),
            );
            continue;
        };
        entries.push((w, date));
    }
    if diags.is_empty() {
        Ok(Waivers {
            file,
            spans,
            entries,
        })
    } else {
        Err(diags)
    }
}

impl Waivers {
    /// The number of waivers in the file.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Marks the findings each live waiver covers as waived, and returns
    /// the waivers' own findings: expired (error) and unused (warning).
    pub fn apply(&self, findings: &mut [Finding], today: NaiveDate) -> Vec<Finding> {
        let mut faults = Vec::new();
        for (i, (w, expires)) in self.entries.iter().enumerate() {
            let covers = |f: &Finding| {
                f.rule.eq_ignore_ascii_case(&w.rule) && f.policy.as_deref() == Some(&w.policy)
            };
            let evidence = vec![
                ("rule".to_string(), Json::from(w.rule.to_uppercase())),
                ("policy".to_string(), Json::from(w.policy.clone())),
                ("expires".to_string(), Json::from(expires.to_string())),
            ];
            if *expires < today {
                faults.push(self.fault(
                    i,
                    "expires",
                    "waiver-expired",
                    Severity::Error,
                    format!(
                        "the waiver of `{}` on `{}` expired on {expires}",
                        w.rule, w.policy
                    ),
                    "fix the policy, or renew the waiver with a new date and a reason that still holds",
                    evidence,
                ));
                continue;
            }
            let mut matched = false;
            for f in findings.iter_mut().filter(|f| covers(f)) {
                matched = true;
                f.status = Status::Waived {
                    reason: w.reason.clone(),
                    owner: w.owner.clone(),
                };
            }
            if !matched {
                faults.push(self.fault(
                    i,
                    "rule",
                    "waiver-unused",
                    Severity::Warning,
                    format!(
                        "the waiver of `{}` on `{}` matches no finding",
                        w.rule, w.policy
                    ),
                    "remove it: the finding it waived is gone (or the rule is not selected)",
                    evidence,
                ));
            }
        }
        faults
    }

    #[allow(clippy::too_many_arguments)]
    fn fault(
        &self,
        i: usize,
        key: &str,
        rule: &str,
        severity: Severity,
        message: String,
        help: &str,
        evidence: Vec<(String, Json)>,
    ) -> Finding {
        let path = format!("waivers.{i}.{key}");
        let span = self
            .spans
            .value_span(&path)
            .unwrap_or_else(|| self.spans.nearest(&path));
        let policy = evidence
            .get(1)
            .and_then(|(_, v)| v.as_str())
            .unwrap_or_default()
            .to_string();
        Finding {
            rule: rule.to_string(),
            name: rule.to_string(),
            policy: None,
            severity,
            level: None,
            message,
            help: Some(help.to_string()),
            location: Location {
                file: Arc::clone(&self.file),
                span,
            },
            fingerprint: fingerprint::of(rule, &policy, &evidence),
            evidence,
            status: Status::Active,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waivers(text: &str) -> Result<Waivers, Vec<Diagnostic>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("waivers.toml");
        std::fs::write(&path, text).unwrap();
        load(&path)
    }

    fn finding(rule: &str, policy: &str) -> Finding {
        Finding {
            rule: rule.into(),
            name: String::new(),
            policy: Some(policy.into()),
            severity: Severity::Warning,
            level: None,
            message: String::new(),
            help: None,
            location: Location {
                file: SourceFile::new("p.toml", String::new()),
                span: 0..0,
            },
            fingerprint: String::new(),
            evidence: Vec::new(),
            status: Status::Active,
        }
    }

    const ONE: &str = "[[waivers]]\nrule = \"GW003\"\npolicy = \"parking\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2027-01-31\n";

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_live_waiver_marks_its_finding_waived() {
        let w = waivers(ONE).unwrap();
        let mut f = vec![finding("GW003", "parking"), finding("GW003", "other")];
        let faults = w.apply(&mut f, day("2027-01-31"));
        assert!(faults.is_empty());
        assert!(matches!(f[0].status, Status::Waived { .. }));
        assert_eq!(f[1].status, Status::Active);
    }

    #[test]
    fn an_expired_waiver_is_an_error_and_waives_nothing() {
        let w = waivers(ONE).unwrap();
        let mut f = vec![finding("GW003", "parking")];
        let faults = w.apply(&mut f, day("2027-02-01"));
        assert_eq!(faults.len(), 1);
        assert_eq!(faults[0].rule, "waiver-expired");
        assert_eq!(faults[0].severity, Severity::Error);
        assert_eq!(faults[0].location.start().line, 6);
        assert_eq!(f[0].status, Status::Active);
    }

    #[test]
    fn a_waiver_matching_nothing_is_a_warning() {
        let w = waivers(ONE).unwrap();
        let faults = w.apply(&mut [finding("GW004", "parking")], day("2026-01-01"));
        assert_eq!(faults.len(), 1);
        assert_eq!(faults[0].rule, "waiver-unused");
        assert_eq!(faults[0].severity, Severity::Warning);
    }

    #[test]
    fn a_waiver_of_an_unknown_rule_is_a_load_error() {
        let err = waivers(&ONE.replace("GW003", "GW999")).unwrap_err();
        assert!(err[0].message.contains("`GW999`"), "{err:?}");
    }

    #[test]
    fn an_expiry_with_a_time_is_a_load_error() {
        let err = waivers(&ONE.replace("2027-01-31", "2027-01-31T10:00:00Z")).unwrap_err();
        assert!(err[0].message.contains("must be a date"), "{err:?}");
    }
}
