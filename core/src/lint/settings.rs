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

    /// Only `rule`, at its default severity (for a rule's own tests).
    pub fn only(rule: &'static Rule) -> Self {
        Settings {
            enabled: vec![(rule, rule.severity)],
            ..Settings::default()
        }
    }

    /// Resolves the pack's `[lint]` table; every selector that matches no
    /// rule is a diagnostic pointing at it.
    pub fn from_pack(pack: &Pack) -> Result<Settings, Vec<Diagnostic>> {
        let cfg: &LintConfig = &pack.manifest.lint;
        let mut diags = Vec::new();
        let mut bad = |path: String, selector: &str| {
            let span = pack
                .manifest_spans
                .value_span(&path)
                .or_else(|| pack.manifest_spans.key_span(&path))
                .unwrap_or_else(|| pack.manifest_spans.nearest(&path));
            let help = match suggest::closest(selector, RULES.iter().flat_map(|r| [r.id, r.name])) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "`goodwill rules` lists the rule ids and names".to_string(),
            };
            diags.push(
                Diagnostic::new(
                    DiagnosticCode::BadLintConfig,
                    format!("`{selector}` names no lint rule"),
                )
                .at(&pack.manifest_file, span)
                .label("no such rule")
                .help(help),
            );
        };
        for (i, s) in cfg.select.iter().enumerate() {
            if !RULES.iter().any(|r| matches(r, s)) {
                bad(format!("lint.select.{i}"), s);
            }
        }
        for (i, s) in cfg.ignore.iter().enumerate() {
            if !RULES.iter().any(|r| matches(r, s)) {
                bad(format!("lint.ignore.{i}"), s);
            }
        }
        for key in cfg.severity.keys() {
            if !RULES.iter().any(|r| matches(r, key)) {
                bad(format!("lint.severity.{key}"), key);
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let enabled = RULES
            .iter()
            .copied()
            .filter(|r| cfg.select.is_empty() || cfg.select.iter().any(|s| matches(r, s)))
            .filter(|r| !cfg.ignore.iter().any(|s| matches(r, s)))
            .map(|r| {
                // The most specific selector wins: an exact id over a prefix.
                let severity = cfg
                    .severity
                    .iter()
                    .filter(|(k, _)| matches(r, k))
                    .max_by_key(|(k, _)| k.len())
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

/// A selector matches a rule by its name, or by a prefix of its id
/// (`GW0`, `gw004`).
fn matches(rule: &Rule, selector: &str) -> bool {
    let s = selector.to_ascii_uppercase();
    (!s.is_empty() && rule.id.starts_with(&s)) || rule.name.eq_ignore_ascii_case(selector)
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

    #[test]
    fn selectors_match_id_prefixes_and_names() {
        let r = super::super::rule("GW004").unwrap();
        assert!(matches(r, "gw0"));
        assert!(matches(r, r.name));
        assert!(!matches(r, "GW005"));
        assert!(!matches(r, ""));
    }
}
