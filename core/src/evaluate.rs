//! Evaluating one policy over one interaction: `applies`, `enforced`,
//! `benefit`, then each check. The engine of pack tests now, and of `eval`
//! and the audit later.

use serde_json::Value as Json;

use crate::cel::{Activation, Bound, EvalError, Expression};
use crate::pack::Policy;
use crate::record::Fields;

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
    evaluate_with(
        policy,
        record,
        |e| e.eval_bool_in(activation, record),
        |e| e.eval_number_in(activation, record),
    )
}

/// Evaluates `policy` over a checked record: each expression on the fast
/// path when it can, on the interpreter otherwise. Same outcome as
/// [`evaluate_policy`].
pub fn evaluate_policy_bound(policy: &Policy, bound: &Bound<'_>) -> PolicyOutcome {
    evaluate_with(
        policy,
        bound.record(),
        |e| e.eval_bool_bound(bound),
        |e| e.eval_number_bound(bound),
    )
}

fn evaluate_with<F: Fields + ?Sized>(
    policy: &Policy,
    record: &F,
    eval_bool: impl Fn(&Expression) -> Result<bool, EvalError>,
    eval_number: impl Fn(&Expression) -> Result<f64, EvalError>,
) -> PolicyOutcome {
    let mut out = PolicyOutcome {
        applies: false,
        enforced: false,
        benefit: None,
        fired: Vec::new(),
        errors: Vec::new(),
    };
    match eval_bool(&policy.applies) {
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
        Some(expr) => match eval_bool(expr) {
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
        match eval_number(expr) {
            Ok(v) => out.benefit = Some(v),
            Err(e) => out.errors.push(EvalFailure {
                expression: "benefit".to_string(),
                message: e.message,
            }),
        }
    }
    for check in &policy.checks {
        match eval_bool(&check.when).map_err(|e| e.message) {
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
