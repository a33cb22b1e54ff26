//! `[lint]` of `goodwill.toml`, resolved: which rules run, at what severity,
//! and the thresholds rules read. A selector that names no rule is an error
//! with its position, never silently ignored.

use std::collections::BTreeMap;

use super::{RULES, Rule};
use crate::diagnostic::{Diagnostic, DiagnosticCode};
use crate::pack::model::LintConfig;
use crate::pack::{Pack, Severity};
use crate::suggest;

/// Built-in minimum refund windows, in days, by jurisdiction: the EU's
/// 14-day right of withdrawal (Directive 2011/83/EU, art. 9) and the UK's
/// 30-day short-term right to reject (Consumer Rights Act 2015, s. 22).
pub const DEFAULT_MIN_REFUND_DAYS: [(&str, f64); 2] = [("eu", 14.0), ("uk", 30.0)];

/// The longest complaint response time, in days, unless `[lint]` sets one.
pub const DEFAULT_MAX_RESPONSE_DAYS: f64 = 14.0;

/// Roles that face the customer, unless `[lint] frontline_roles` says.
pub const DEFAULT_FRONTLINE_ROLES: [&str; 12] = [
    "agent",
    "advisor",
    "associate",
    "cashier",
    "clerk",
    "counter",
    "desk",
    "frontline",
    "representative",
    "sales",
    "staff",
    "teller",
];

/// The resolved `[lint]` table.
#[derive(Debug, Clone)]
pub struct Settings {
    enabled: Vec<(&'static Rule, Severity)>,
    /// Minimum refund window by lowercase jurisdiction.
    pub min_refund_days: BTreeMap<String, f64>,
    /// The jurisdiction of policies that do not name one.
    pub jurisdiction: Option<String>,
    pub max_response_days: f64,
    /// Lowercase role names, matched as words of a role.
    pub frontline_roles: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: RULES.iter().map(|r| (*r, r.severity)).collect(),
            min_refund_days: DEFAULT_MIN_REFUND_DAYS
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            jurisdiction: None,
            max_response_days: DEFAULT_MAX_RESPONSE_DAYS,
            frontline_roles: DEFAULT_FRONTLINE_ROLES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

impl Settings {
    /// The rules to run, each with its severity, in id order.
    pub fn enabled(&self) -> &[(&'static Rule, Severity)] {
        &self.enabled
    }

    /// Resolves the pack's `[lint]` table; every fault is a diagnostic
    /// pointing at the key in `goodwill.toml`.
    pub fn from_pack(pack: &Pack) -> Result<Settings, Vec<Diagnostic>> {
        Settings::from_config(&pack.manifest.lint).map_err(|faults| {
            faults
                .into_iter()
                .map(|f| {
                    let spans = &pack.manifest_spans;
                    let span = spans
                        .value_span(&f.path)
                        .or_else(|| spans.key_span(&f.path))
                        .unwrap_or_else(|| spans.nearest(&f.path));
                    Diagnostic::new(DiagnosticCode::BadLintConfig, f.message)
                        .at(&pack.manifest_file, span)
                        .label(f.label)
                        .help(f.help)
                })
                .collect()
        })
    }

    /// Resolves a `[lint]` table: a selector that names no rule, or a
    /// threshold that is negative or not a number, is a fault.
    pub fn from_config(cfg: &LintConfig) -> Result<Settings, Vec<ConfigFault>> {
        let mut faults = Vec::new();
        let selectors = cfg
            .select
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("lint.select.{i}"), s))
            .chain(
                cfg.ignore
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (format!("lint.ignore.{i}"), s)),
            )
            .chain(
                cfg.severity
                    .keys()
                    .map(|k| (format!("lint.severity.{k}"), k)),
            );
        for (path, selector) in selectors {
            if !RULES.iter().any(|r| specificity(r, selector) > 0) {
                let help =
                    match suggest::closest(selector, RULES.iter().flat_map(|r| [r.id, r.name])) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "`goodwill rules` lists the rule ids and names".to_string(),
                    };
                faults.push(ConfigFault {
                    path,
                    message: format!("`{selector}` names no lint rule"),
                    label: "no such rule",
                    help,
                });
            }
        }
        let days = cfg
            .min_refund_days
            .iter()
            .map(|(k, v)| (format!("lint.min_refund_days.{k}"), *v))
            .chain(
                cfg.max_response_days
                    .map(|v| ("lint.max_response_days".to_string(), v)),
            );
        for (path, value) in days {
            if !(value.is_finite() && value >= 0.0) {
                faults.push(ConfigFault {
                    message: format!("`{path}` is {value}, not a number of days"),
                    path,
                    label: "not a number of days",
                    help: "give a number of days, zero or more".to_string(),
                });
            }
        }
        if !faults.is_empty() {
            return Err(faults);
        }
        let enabled = RULES
            .iter()
            .copied()
            .filter(|r| cfg.select.is_empty() || cfg.select.iter().any(|s| specificity(r, s) > 0))
            .filter(|r| !cfg.ignore.iter().any(|s| specificity(r, s) > 0))
            .map(|r| {
                // The most specific selector wins: an id or name over a
                // prefix, a longer prefix over a shorter one.
                let severity = cfg
                    .severity
                    .iter()
                    .map(|(k, sev)| (specificity(r, k), sev))
                    .filter(|(spec, _)| *spec > 0)
                    .max_by_key(|(spec, _)| *spec)
                    .map_or(r.severity, |(_, s)| *s);
                (r, severity)
            })
            .collect();
        let mut settings = Settings {
            enabled,
            ..Settings::default()
        };
        for (k, v) in &cfg.min_refund_days {
            settings.min_refund_days.insert(k.to_lowercase(), *v);
        }
        settings.jurisdiction = cfg.jurisdiction.as_ref().map(|j| j.to_lowercase());
        if let Some(days) = cfg.max_response_days {
            settings.max_response_days = days;
        }
        if let Some(roles) = &cfg.frontline_roles {
            settings.frontline_roles = roles.iter().map(|r| r.to_lowercase()).collect();
        }
        Ok(settings)
    }

    /// Whether `role` (`branch-manager`, `Front desk`) is a frontline role:
    /// one of its words is in the list.
    pub fn is_frontline(&self, role: &str) -> bool {
        let role = role.to_lowercase();
        role.split(|c: char| !c.is_alphanumeric())
            .any(|w| self.frontline_roles.iter().any(|f| f == w))
            || self.frontline_roles.contains(&role)
    }
}

/// A fault in `[lint]`, at a dotted path of `goodwill.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFault {
    pub path: String,
    pub message: String,
    pub label: &'static str,
    pub help: String,
}

/// How well `selector` names `rule`: 0 not at all, 1 + the prefix length
/// for an id prefix (`GW0`), 100 for the name, 101 for the whole id.
fn specificity(rule: &Rule, selector: &str) -> usize {
    let s = selector.to_ascii_uppercase();
    if rule.id == s {
        101
    } else if rule.name.eq_ignore_ascii_case(selector) {
        100
    } else if !s.is_empty() && rule.id.starts_with(&s) {
        1 + s.len()
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frontline_roles_match_by_word() {
        let s = Settings::default();
        assert!(s.is_frontline("Front desk"));
        assert!(s.is_frontline("senior-teller"));
        assert!(!s.is_frontline("branch-manager"));
    }

    fn config(toml_text: &str) -> LintConfig {
        toml::from_str(toml_text).unwrap()
    }

    fn severity_of(s: &Settings, id: &str) -> Option<Severity> {
        s.enabled()
            .iter()
            .find(|(r, _)| r.id == id)
            .map(|(_, sev)| *sev)
    }

    #[test]
    fn selectors_match_id_prefixes_and_names() {
        let r = super::super::rule("GW004").unwrap();
        assert!(specificity(r, "gw0") > 0);
        assert!(specificity(r, r.name) > specificity(r, "GW00"));
        assert_eq!(specificity(r, "GW005"), 0);
        assert_eq!(specificity(r, ""), 0);
    }

    #[test]
    fn ignore_wins_over_select() {
        let s =
            Settings::from_config(&config("select = [\"GW00\"]\nignore = [\"GW004\"]")).unwrap();
        let ids: Vec<&str> = s.enabled().iter().map(|(r, _)| r.id).collect();
        assert_eq!(ids.len(), 8, "{ids:?}");
        assert!(!ids.contains(&"GW004"));
    }

    #[test]
    fn the_most_specific_severity_wins() {
        let s = Settings::from_config(&config(
            "severity = { GW0 = \"info\", GW00 = \"warning\", GW004 = \"error\", partner-blamed = \"info\" }",
        ))
        .unwrap();
        assert_eq!(severity_of(&s, "GW015"), Some(Severity::Info));
        assert_eq!(severity_of(&s, "GW002"), Some(Severity::Warning));
        // The whole id beats the name, which beats any prefix.
        assert_eq!(severity_of(&s, "GW004"), Some(Severity::Error));
    }

    #[test]
    fn unknown_selectors_and_bad_days_are_faults_with_paths() {
        let faults = Settings::from_config(&config(
            "select = [\"GW016\"]\nmax_response_days = -1.0\nmin_refund_days = { eu = nan }",
        ))
        .unwrap_err();
        let paths: Vec<&str> = faults.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "lint.select.0",
                "lint.min_refund_days.eu",
                "lint.max_response_days"
            ]
        );
    }
}
