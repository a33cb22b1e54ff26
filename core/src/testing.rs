//! Running a pack's own `[[tests]]`.

use crate::cel::Activation;
use crate::diagnostic::Location;
use crate::evaluate::evaluate_policy;
use crate::pack::Pack;

/// The result of one pack test.
#[derive(Debug, Clone)]
pub struct TestResult {
    pub policy_id: String,
    pub test_name: String,
    pub location: Location,
    /// Empty when the test passed; otherwise one line per failed
    /// expectation.
    pub failures: Vec<String>,
}

impl TestResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs every test of every policy, in pack order.
pub fn run_pack_tests(pack: &Pack) -> Vec<TestResult> {
    let mut results = Vec::new();
    for policy in &pack.policies {
        for test in &policy.tests {
            let mut failures = Vec::new();
            match Activation::new(&test.interaction, &pack.catalog) {
                Err(e) => {
                    failures.push(format!("the interaction does not fit the field types: {e}"))
                }
                Ok(act) => {
                    let out = evaluate_policy(policy, &act, &test.interaction);
                    for err in &out.errors {
                        failures.push(format!("`{}` failed: {}", err.expression, err.message));
                    }
                    if let Some(want) = test.applies
                        && want != out.applies
                    {
                        failures.push(format!(
                            "expected `applies` to be {want}, it was {}",
                            out.applies
                        ));
                    }
                    if let Some(want) = test.enforced {
                        let got = out.applies && out.enforced;
                        if want != got {
                            failures
                                .push(format!("expected `enforced` to be {want}, it was {got}"));
                        }
                    }
                    let fired: Vec<&str> = out.fired.iter().map(|f| f.check_id.as_str()).collect();
                    for id in &test.raises {
                        if !fired.contains(&id.as_str()) {
                            let why = if out.applies {
                                ""
                            } else {
                                " (the policy did not apply)"
                            };
                            failures
                                .push(format!("expected check `{id}` to fire, it did not{why}"));
                        }
                    }
                    for id in &test.not_raises {
                        if fired.contains(&id.as_str()) {
                            failures.push(format!("expected check `{id}` not to fire, it fired"));
                        }
                    }
                }
            }
            results.push(TestResult {
                policy_id: policy.id().to_string(),
                test_name: test.name.clone(),
                location: test.location.clone(),
                failures,
            });
        }
    }
    results
}
