//! Evaluating one policy over one interaction: `applies`, `enforced`,
//! `benefit`, then each check. The engine of pack tests now, and of `eval`
//! and the audit later.

use serde_json::Value as Json;

use crate::cel::Activation;
use crate::pack::{Check, Policy};

/// What one policy made of one interaction.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyOutcome {
    pub applies: bool,
    /// Meaningful only when `applies`.
    pub enforced: bool,
    /// What enforcing gained the company; `None` when the policy has no
    /// `benefit` or was not enforced.
    pub benefit: Option<f64>,
    /// The checks that fired, in the policy's order.
    pub fired: Vec<FiredCheck>,
    /// Expressions that failed on this interaction.
    pub errors: Vec<EvalFailure>,
}

/// A check that fired, with its rendered message.
#[derive(Debug, Clone, PartialEq)]
pub struct FiredCheck {
    pub check_id: String,
    pub message: String,
}

/// An expression of the policy failed on the interaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalFailure {
    /// `applies`, `enforced`, `benefit` or `checks.<id>.when`.
    pub expression: String,
    pub message: String,
}

/// Evaluates `policy` over the bound interaction `record`.
pub fn evaluate_policy(
    policy: &Policy,
    activation: &Activation,
    record: &serde_json::Map<String, Json>,
) -> PolicyOutcome {
    let mut out = PolicyOutcome {
        applies: false,
        enforced: false,
        benefit: None,
        fired: Vec::new(),
        errors: Vec::new(),
    };
    match policy.applies.eval_bool(activation) {
        Ok(true) => out.applies = true,
        Ok(false) => return out,
        Err(e) => {
            out.errors.push(EvalFailure {
                expression: "applies".to_string(),
                message: e.message,
            });
            return out;
        }
    }
    out.enforced = match &policy.enforced {
        None => true,
        Some(expr) => match expr.eval_bool(activation) {
            Ok(b) => b,
            Err(e) => {
                out.errors.push(EvalFailure {
                    expression: "enforced".to_string(),
                    message: e.message,
                });
                false
            }
        },
    };
    if out.enforced
        && let Some(expr) = &policy.benefit
    {
        match expr.eval_number(activation) {
            Ok(v) => out.benefit = Some(v),
            Err(e) => out.errors.push(EvalFailure {
                expression: "benefit".to_string(),
                message: e.message,
            }),
        }
    }
    for check in &policy.checks {
        match fires(check, activation) {
            Ok(true) => out.fired.push(FiredCheck {
                check_id: check.id.clone(),
                message: check.message.render(record),
            }),
            Ok(false) => {}
            Err(message) => out.errors.push(EvalFailure {
                expression: format!("checks.{}.when", check.id),
                message,
            }),
        }
    }
    out
}

fn fires(check: &Check, activation: &Activation) -> Result<bool, String> {
    check.when.eval_bool(activation).map_err(|e| e.message)
}
