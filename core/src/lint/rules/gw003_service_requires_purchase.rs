//! # GW003 service-requires-purchase
//!
//! ## What it flags
//! A service given only with a purchase.
//!
//! A service given only to customers who buy or transact during the visit:
//! `requires_purchase = true`.
//!
//! ## Why it costs loyalty
//! It treats an existing customer as a stranger who has to pay for the
//! visit. The Spokane bank validated parking only for a deposit or a
//! withdrawal; cashing a cheque did not count, and the customer who was
//! refused the stamp closed accounts worth two million dollars. The rule
//! counts the transaction, not the relationship, and customers notice.
//!
//! ## Example
//! ```toml
//! id = "parking-validation"
//! title = "Parking is validated only for customers who make a transaction"
//! requires_purchase = true
//! ```
//!
//! ## Fix
//! Give the service to every customer (or every customer with an account), and let staff waive the condition on the spot.
//!
//! ## References
//! - Seed essay 004: the bank that would not stamp a 60-cent parking ticket.
//! - Theodore Levitt, "After the sale is over", Harvard Business Review
//!   (1983): the relationship, not the sale, is the asset.

use crate::lint::{Hit, Rule, RuleContext};
use crate::pack::{Level, Severity};

pub(super) const RULE: Rule = Rule {
    id: "GW003",
    name: "service-requires-purchase",
    level: Level::Partnership,
    severity: Severity::Warning,
    source: include_str!("gw003_service_requires_purchase.rs"),
    check,
};

fn check(cx: &RuleContext<'_>) -> Vec<Hit> {
    if cx.def.requires_purchase != Some(true) {
        return Vec::new();
    }
    vec![Hit::new(
        "requires_purchase",
        format!(
            "policy `{}` serves only customers who buy during the visit",
            cx.def.id
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::fixture;

    #[test]
    fn fixture_triggers_and_passes() {
        fixture::assert_fixture(&RULE);
    }
}
