//! What a plugin says about itself and what it returns, as goodwill's own
//! types: the descriptive fields are those of a TOML policy (so the lint
//! reads plugins and TOML policies alike), and everything a guest hands
//! back is checked before anyone else sees it.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value as Json;

use super::bindings::goodwill::policy::types as wit;
use crate::evaluate::{FiredCheck, PolicyOutcome};
use crate::pack::model::{
    Accountable, Automation, ComplaintChannel, ExceptionAuthority, Fee, Journey, Pricing, Promise,
    Refusal, Remedy, RemedyKind, ThirdParty, TimeWindow, WindowKind,
};
use crate::pack::{Level, PolicyFile, Severity};

/// The descriptive part of a plugin policy, as `describe` returned it.
#[derive(Debug, Clone, Serialize)]
pub struct PluginDescription {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    pub summary: Option<String>,
    pub levels: Vec<Level>,
    pub fees: Vec<Fee>,
    pub windows: Vec<TimeWindow>,
    pub exception: Option<ExceptionAuthority>,
    pub promises: Vec<Promise>,
    pub third_parties: Vec<ThirdParty>,
    pub complaints: Option<ComplaintChannel>,
    pub jurisdiction: Option<String>,
    pub requires_purchase: Option<bool>,
    pub signup: Option<Journey>,
    pub cancellation: Option<Journey>,
    pub money_owed: Option<bool>,
    pub company_fault: Option<bool>,
    pub remedies: Vec<Remedy>,
    pub refusals: Vec<Refusal>,
    pub automation: Option<Automation>,
    pub pricing: Option<Pricing>,
    pub checks: Vec<CheckDoc>,
}

/// A check a plugin can raise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckDoc {
    pub id: String,
    pub severity: Severity,
    pub level: Level,
    pub description: String,
}

impl PluginDescription {
    pub fn check(&self, id: &str) -> Option<&CheckDoc> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The description as a policy file, for the lint rules: every
    /// descriptive field is copied (the contract carries them all), and the
    /// evidential part is empty (a plugin is recognised by its code, not by
    /// CEL).
    pub fn to_policy_file(&self) -> PolicyFile {
        PolicyFile {
            id: self.id.clone(),
            title: self.title.clone(),
            owner: self.owner.clone(),
            summary: self.summary.clone(),
            levels: self.levels.clone(),
            fees: self.fees.clone(),
            windows: self.windows.clone(),
            exception: self.exception.clone(),
            promises: self.promises.clone(),
            third_parties: self.third_parties.clone(),
            complaints: self.complaints.clone(),
            jurisdiction: self.jurisdiction.clone(),
            requires_purchase: self.requires_purchase,
            signup: self.signup.clone(),
            cancellation: self.cancellation.clone(),
            money_owed: self.money_owed,
            company_fault: self.company_fault,
            remedies: self.remedies.clone(),
            refusals: self.refusals.clone(),
            automation: self.automation.clone(),
            pricing: self.pricing.clone(),
            applies: String::new(),
            enforced: None,
            benefit: None,
            checks: Vec::new(),
            tests: Vec::new(),
        }
    }

    /// Converts and validates what `describe` returned.
    pub(crate) fn from_wit(d: wit::Description) -> Result<Self, String> {
        if !crate::pack::load::is_valid_id(&d.id) {
            return Err(format!(
                "policy id `{}` is not lowercase letters, digits and dashes",
                d.id
            ));
        }
        if d.title.trim().is_empty() {
            return Err("the title is empty".to_string());
        }
        let mut seen = BTreeSet::new();
        for c in &d.checks {
            if !crate::pack::load::is_valid_id(&c.id) {
                return Err(format!(
                    "check id `{}` is not lowercase letters, digits and dashes",
                    c.id
                ));
            }
            if !seen.insert(c.id.as_str()) {
                return Err(format!("check id `{}` is listed twice", c.id));
            }
        }
        let finite = |what: &str, v: f64| {
            if v.is_finite() {
                Ok(v)
            } else {
                Err(format!("{what} is not a finite number"))
            }
        };
        let fees = d
            .fees
            .into_iter()
            .map(|f| {
                let at_stake = f
                    .at_stake
                    .map(|v| finite(&format!("`at-stake` of fee `{}`", f.name), v))
                    .transpose()?;
                Ok(Fee {
                    amount: finite(&format!("fee `{}`", f.name), f.amount)?,
                    name: f.name,
                    description: f.description,
                    at_stake,
                })
            })
            .collect::<Result<_, String>>()?;
        let windows = d
            .windows
            .into_iter()
            .map(|w| {
                Ok(TimeWindow {
                    days: finite(&format!("window `{}`", w.name), w.days)?,
                    name: w.name,
                    starts_at: w.starts_at,
                    kind: w.kind.map(window_kind),
                })
            })
            .collect::<Result<_, String>>()?;
        let pricing = d
            .pricing
            .map(|p| {
                let price = |what: &str, v: Option<f64>| {
                    v.map(|v| finite(&format!("the {what} price"), v))
                        .transpose()
                };
                Ok::<_, String>(Pricing {
                    new_customer: price("new-customer", p.new_customer)?,
                    renewal: price("renewal", p.renewal)?,
                })
            })
            .transpose()?;
        Ok(PluginDescription {
            id: d.id,
            title: d.title,
            owner: d.owner,
            summary: d.summary,
            levels: d.levels.into_iter().map(level).collect(),
            fees,
            windows,
            exception: d.exception.map(|e| ExceptionAuthority {
                granted_by: e.granted_by,
                up_to: e.up_to,
                escalation: e.escalation,
                escalation_deadline_hours: e.escalation_deadline_hours,
            }),
            promises: d
                .promises
                .into_iter()
                .map(|p| Promise {
                    what: p.what,
                    by: p.by,
                    owner: p.owner,
                })
                .collect(),
            third_parties: d
                .third_parties
                .into_iter()
                .map(|t| ThirdParty {
                    name: t.name,
                    role: t.role,
                    accountable: t.accountable.map(|a| match a {
                        wit::Accountable::Company => Accountable::Company,
                        wit::Accountable::Partner => Accountable::Partner,
                    }),
                })
                .collect(),
            complaints: d.complaints.map(|c| ComplaintChannel {
                channel: c.channel,
                free: c.free,
                response_days: c.response_days,
            }),
            jurisdiction: d.jurisdiction,
            requires_purchase: d.requires_purchase,
            signup: d.signup.map(journey),
            cancellation: d.cancellation.map(journey),
            money_owed: d.money_owed,
            company_fault: d.company_fault,
            remedies: d
                .remedies
                .into_iter()
                .map(|r| Remedy {
                    kind: remedy_kind(r.kind),
                    on_request_only: r.on_request_only,
                    tiers: r.tiers,
                    description: r.description,
                })
                .collect(),
            refusals: d
                .refusals
                .into_iter()
                .map(|r| Refusal {
                    what: r.what,
                    alternatives: r.alternatives,
                })
                .collect(),
            automation: d.automation.map(|a| Automation {
                flow: a.flow,
                human_route: a.human_route,
            }),
            pricing,
            checks: d
                .checks
                .into_iter()
                .map(|c| CheckDoc {
                    id: c.id,
                    severity: severity(c.severity),
                    level: level(c.level),
                    description: c.description,
                })
                .collect(),
        })
    }
}

fn level(l: wit::Level) -> Level {
    match l {
        wit::Level::Accuracy => Level::Accuracy,
        wit::Level::Availability => Level::Availability,
        wit::Level::Partnership => Level::Partnership,
        wit::Level::Advice => Level::Advice,
    }
}

fn window_kind(k: wit::WindowKind) -> WindowKind {
    match k {
        wit::WindowKind::Refund => WindowKind::Refund,
        wit::WindowKind::Return => WindowKind::Return,
        wit::WindowKind::CoolingOff => WindowKind::CoolingOff,
        wit::WindowKind::Other => WindowKind::Other,
    }
}

fn remedy_kind(k: wit::RemedyKind) -> RemedyKind {
    match k {
        wit::RemedyKind::Refund => RemedyKind::Refund,
        wit::RemedyKind::Voucher => RemedyKind::Voucher,
        wit::RemedyKind::Credit => RemedyKind::Credit,
        wit::RemedyKind::Compensation => RemedyKind::Compensation,
        wit::RemedyKind::Reimbursement => RemedyKind::Reimbursement,
        wit::RemedyKind::Repair => RemedyKind::Repair,
        wit::RemedyKind::Replacement => RemedyKind::Replacement,
        wit::RemedyKind::Apology => RemedyKind::Apology,
    }
}

fn journey(j: wit::Journey) -> Journey {
    Journey {
        steps: j.steps,
        channels: j.channels,
    }
}

fn severity(s: wit::Severity) -> Severity {
    match s {
        wit::Severity::Info => Severity::Info,
        wit::Severity::Warning => Severity::Warning,
        wit::Severity::Error => Severity::Error,
    }
}

/// What a plugin made of one interaction, checked against its description.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PluginEvaluation {
    pub applies: bool,
    pub enforced: bool,
    pub benefit: Option<f64>,
    pub findings: Vec<PluginFinding>,
}

/// A check of the plugin that fired.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PluginFinding {
    pub check_id: String,
    pub severity: Severity,
    pub level: Level,
    pub message: String,
    /// Field path and the value the finding rests on.
    pub evidence: Vec<(String, Json)>,
}

impl PluginEvaluation {
    /// Converts and validates what `evaluate` returned: every finding names
    /// a check the plugin described, evidence is JSON, the benefit is a
    /// finite number, and a policy that does not apply raises nothing.
    pub(crate) fn from_wit(e: wit::Evaluation, desc: &PluginDescription) -> Result<Self, String> {
        if let Some(b) = e.benefit
            && !b.is_finite()
        {
            return Err(format!("benefit `{b}` is not a finite number"));
        }
        if !e.applies && !e.findings.is_empty() {
            return Err("findings on an interaction the policy does not apply to".to_string());
        }
        let findings = e
            .findings
            .into_iter()
            .map(|f| {
                let Some(doc) = desc.check(&f.check_id) else {
                    return Err(format!(
                        "finding for check `{}`, which `describe` did not list",
                        f.check_id
                    ));
                };
                let evidence = f
                    .evidence
                    .into_iter()
                    .map(|(path, text)| match serde_json::from_str::<Json>(&text) {
                        Ok(v) => Ok((path, v)),
                        Err(e) => Err(format!("evidence for `{path}` is not JSON: {e}")),
                    })
                    .collect::<Result<_, String>>()?;
                Ok(PluginFinding {
                    severity: doc.severity,
                    level: doc.level,
                    check_id: f.check_id,
                    message: f.message,
                    evidence,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(PluginEvaluation {
            applies: e.applies,
            enforced: e.applies && e.enforced,
            benefit: if e.applies && e.enforced {
                e.benefit
            } else {
                None
            },
            findings,
        })
    }

    /// The same shape as a TOML policy's outcome, for the evaluation engine.
    pub fn to_outcome(&self) -> PolicyOutcome {
        PolicyOutcome {
            applies: self.applies,
            enforced: self.enforced,
            benefit: self.benefit,
            fired: self
                .findings
                .iter()
                .map(|f| FiredCheck {
                    check_id: f.check_id.clone(),
                    message: f.message.clone(),
                })
                .collect(),
            errors: Vec::new(),
        }
    }
}
