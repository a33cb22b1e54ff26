//! The built-in lint rules: checks over what a policy *says* (its descriptive
//! fields), needing no interaction data. One rule per file under `rules/`,
//! in the manner of ruff: each file holds the rule's id, name, Gallup level,
//! default severity, its documentation (the file's `//!` comment, which
//! `goodwill rules ID` prints), the check and its tests.
//!
//! [`lint_pack`] runs the rules the pack's `[lint]` table selects, at the
//! severities it sets, and returns [`Finding`]s with file, line and column.
//! Waivers ([`waivers`]) and baselines ([`baseline`]) then mark findings that
//! must not fail a build.

pub mod baseline;
mod doc;
mod fingerprint;
pub mod rules;
mod settings;
pub mod waivers;

use std::sync::Arc;

use serde_json::Value as Json;

use crate::diagnostic::Location;
use crate::pack::{Level, Pack, PolicyFile, Severity};
use crate::source::SourceFile;

pub use doc::{RuleDoc, SECTIONS};
pub use rules::RULES;
pub use settings::Settings;

/// One built-in lint rule.
#[derive(Debug)]
pub struct Rule {
    /// `GW001`…; stable, never reused.
    pub id: &'static str,
    /// Kebab-case name, what the rule flags: `partner-blamed`.
    pub name: &'static str,
    /// The Gallup expectation level a policy it flags breaks.
    pub level: Level,
    /// The severity of its findings unless `[lint] severity` re-grades it.
    pub severity: Severity,
    /// The rule's source file, whose `//!` comment is its documentation.
    pub(crate) source: &'static str,
    pub(crate) check: fn(&RuleContext<'_>) -> Vec<Hit>,
}

impl Rule {
    /// The rule's documentation, parsed from its doc comment.
    pub fn doc(&self) -> RuleDoc {
        RuleDoc::parse(self.source)
    }

    /// Runs the rule on one policy.
    pub fn check(&self, def: &PolicyFile, settings: &Settings) -> Vec<Hit> {
        (self.check)(&RuleContext { def, settings })
    }
}

/// What a rule sees: one policy as written and the lint settings.
#[derive(Debug)]
pub struct RuleContext<'a> {
    pub def: &'a PolicyFile,
    pub settings: &'a Settings,
}

impl<'a> RuleContext<'a> {
    /// The remedies, with their index, of a policy about the company's own
    /// failure (`company_fault = true`); none otherwise.
    pub fn own_fault_remedies(
        &self,
    ) -> impl Iterator<Item = (usize, &'a crate::pack::model::Remedy)> + 'a {
        let own_fault = self.def.company_fault == Some(true);
        self.def
            .remedies
            .iter()
            .enumerate()
            .filter(move |_| own_fault)
    }
}

/// What a rule reports: a message, the key it points at, and the fields it
/// read to decide (their values make the finding's fingerprint).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Dotted path of the key to point at (`third_parties.0.accountable`);
    /// a missing key points at its nearest present ancestor.
    pub at: String,
    pub message: String,
    /// Dotted paths of the fields read.
    pub reads: Vec<String>,
}

impl Hit {
    pub fn new(at: impl Into<String>, message: impl Into<String>) -> Self {
        let at = at.into();
        Hit {
            reads: vec![at.clone()],
            at,
            message: message.into(),
        }
    }

    /// Adds fields the decision read beyond the one pointed at.
    pub fn reads<I, S>(mut self, paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for p in paths {
            let p = p.into();
            if !self.reads.contains(&p) {
                self.reads.push(p);
            }
        }
        self
    }
}

/// Whether a finding counts against the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// It counts.
    Active,
    /// A waiver in `waivers.toml` covers it.
    Waived { reason: String, owner: String },
    /// The baseline holds it: it was there before.
    Baselined,
}

impl Status {
    /// `active`, `waived` or `baselined`.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Waived { .. } => "waived",
            Status::Baselined => "baselined",
        }
    }
}

/// One lint finding: a rule that fired on a policy (or a fault in the
/// waivers), with where and why.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule id (`GW004`), or `waiver-expired` / `waiver-unused`.
    pub rule: String,
    /// The rule's name (`partner-blamed`).
    pub name: String,
    /// The policy the finding is about; `None` for waiver faults.
    pub policy: Option<String>,
    pub severity: Severity,
    pub level: Option<Level>,
    pub message: String,
    /// One line on how to fix it.
    pub help: Option<String>,
    pub location: Location,
    /// Rule, policy and a hash of the values read: stable across edits that
    /// only move lines.
    pub fingerprint: String,
    /// The fields read and their values.
    pub evidence: Vec<(String, Json)>,
    pub status: Status,
}

impl Finding {
    pub fn is_active(&self) -> bool {
        self.status == Status::Active
    }
}

/// Looks a rule up by id (case-insensitive).
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(id))
}

/// Runs the selected rules over every policy of `pack`, in policy then rule
/// order.
pub fn lint_pack(pack: &Pack, settings: &Settings) -> Vec<Finding> {
    let rules = enabled_rules(settings);
    let mut out = Vec::new();
    for policy in &pack.policies {
        let locate = |at: &str| locate(&policy.file, &policy.spans, at);
        lint_policy(&policy.def, &locate, settings, &rules, &mut out);
    }
    out
}

/// Runs the selected rules over a plugin policy, from what its `describe`
/// returned (the descriptive fields of a TOML policy). A plugin has no
/// policy file: every finding is located at `entry`, its `[[plugins]]`
/// entry in `goodwill.toml`.
pub fn lint_plugin(
    description: &crate::plugin::PluginDescription,
    entry: &Location,
    settings: &Settings,
) -> Vec<Finding> {
    let rules = enabled_rules(settings);
    let def = description.to_policy_file();
    let mut out = Vec::new();
    lint_policy(&def, &|_| entry.clone(), settings, &rules, &mut out);
    out
}

/// The rules `settings` enables, at their severity, with their help line
/// parsed from their doc comment once per run.
fn enabled_rules(settings: &Settings) -> Vec<(&'static Rule, Severity, Option<String>)> {
    settings
        .enabled()
        .iter()
        .map(|(rule, severity)| {
            let help = rule.doc().help_line().map(|h| message_style(&h));
            (*rule, *severity, help)
        })
        .collect()
}

fn lint_policy(
    def: &PolicyFile,
    locate: &dyn Fn(&str) -> Location,
    settings: &Settings,
    rules: &[(&Rule, Severity, Option<String>)],
    out: &mut Vec<Finding>,
) {
    // The policy as JSON, for the values a finding read; built only when a
    // rule fires.
    let mut json: Option<Json> = None;
    for (rule, severity, help) in rules {
        for hit in rule.check(def, settings) {
            let json = json.get_or_insert_with(|| serde_json::to_value(def).unwrap_or(Json::Null));
            let evidence: Vec<(String, Json)> = hit
                .reads
                .iter()
                .map(|p| (p.clone(), lookup(json, p).cloned().unwrap_or(Json::Null)))
                .collect();
            let fingerprint = fingerprint::of(rule.id, &def.id, &evidence);
            out.push(Finding {
                rule: rule.id.to_string(),
                name: rule.name.to_string(),
                policy: Some(def.id.clone()),
                severity: *severity,
                level: Some(rule.level),
                message: hit.message,
                help: help.clone(),
                location: locate(&hit.at),
                fingerprint,
                evidence,
                status: Status::Active,
            });
        }
    }
}

/// A sentence in the diagnostic style: lowercase start, no final period.
fn message_style(s: &str) -> String {
    let s = s.trim().trim_end_matches('.');
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The location of the key at `path`, or of its nearest present ancestor,
/// or of the policy's id.
fn locate(file: &Arc<SourceFile>, spans: &crate::pack::SpanIndex, path: &str) -> Location {
    let span = spans
        .value_span(path)
        .or_else(|| {
            // Missing key: point at the table that should hold it, or at the id.
            let mut p = path;
            while let Some(i) = p.rfind('.') {
                p = &p[..i];
                if let Some(s) = spans.key_span(p) {
                    return Some(s);
                }
            }
            spans.value_span("id")
        })
        .unwrap_or(0..0);
    Location {
        file: Arc::clone(file),
        span,
    }
}

/// The value at a dotted path with array indices.
fn lookup<'a>(json: &'a Json, path: &str) -> Option<&'a Json> {
    let mut node = json;
    for seg in path.split('.') {
        node = match node {
            Json::Object(m) => m.get(seg)?,
            Json::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_sequential_and_unique() {
        for (i, rule) in RULES.iter().enumerate() {
            assert_eq!(rule.id, format!("GW{:03}", i + 1), "rule {}", rule.name);
        }
        let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len(), "two rules share a name");
    }

    #[test]
    fn every_rule_documents_every_section() {
        for rule in RULES {
            let doc = rule.doc();
            let missing = doc.missing_sections();
            assert!(
                missing.is_empty(),
                "{} lacks the section(s) {missing:?}",
                rule.id
            );
            assert!(
                doc.title.contains(rule.id) && doc.title.contains(rule.name),
                "{}: the doc title `{}` must name the id and the name",
                rule.id,
                doc.title
            );
            assert!(doc.help_line().is_some(), "{} has an empty Fix", rule.id);
        }
    }

    #[test]
    fn rule_lookup_ignores_case() {
        assert_eq!(rule("gw004").map(|r| r.id), Some("GW004"));
        assert!(rule("GW999").is_none());
    }

    #[test]
    fn lookup_follows_array_indices() {
        let v = serde_json::json!({"a": [{"b": 1}]});
        assert_eq!(lookup(&v, "a.0.b"), Some(&Json::from(1)));
        assert_eq!(lookup(&v, "a.1.b"), None);
    }
}
