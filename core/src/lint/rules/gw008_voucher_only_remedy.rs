//! # GW008 voucher-only-remedy
//!
//! ## What it flags
//! Money owed is repaid only in vouchers or credit.
//!
//! A policy under which the customer can be owed money (`money_owed =
//! true`) whose every remedy is a `voucher` or `credit`.
//!
//! ## Why it costs loyalty
//! Money owed paid back in the company's own currency forces the customer
//! to come back to the company that failed them, on its terms. It keeps the
//! cash and loses the customer: the voucher is spent once, resentfully, and
//! never again. Partnership means settling a debt the way it was incurred.
//!
//! ## Example
//! ```toml
//! money_owed = true
//!
//! [[remedies]]
//! kind = "voucher"
//! description = "store voucher for the price paid"
//! ```
//!
//! ## Fix
//! Offer a refund to the original means of payment; a voucher may be an option the customer chooses, never the only one.
//!
//! ## References
//! - EU Regulation 261/2004, art. 7(3): compensation in cash, by bank
//!   transfer or cheque; vouchers only with the passenger's signed agreement.
//! - UK Consumer Rights Act 2015, s. 20(15)-(18): refunds by the same means
//!   of payment.
//! - Seed essay 000: policies designed for the company's benefit.

use crate::lint::{Hit, Rule, RuleContext};
use crate::pack::model::RemedyKind;
use crate::pack::{Level, Severity};

pub(super) const RULE: Rule = Rule {
    id: "GW008",
    name: "voucher-only-remedy",
    level: Level::Partnership,
    severity: Severity::Error,
    source: include_str!("gw008_voucher_only_remedy.rs"),
    check,
};

fn check(cx: &RuleContext<'_>) -> Vec<Hit> {
    let def = cx.def;
    if def.money_owed != Some(true) || def.remedies.is_empty() {
        return Vec::new();
    }
    let store_money = |k: RemedyKind| matches!(k, RemedyKind::Voucher | RemedyKind::Credit);
    if !def.remedies.iter().all(|r| store_money(r.kind)) {
        return Vec::new();
    }
    let kinds: Vec<&str> = def.remedies.iter().map(|r| r.kind.name()).collect();
    vec![
        Hit::new(
            "remedies",
            format!(
                "`{}` can owe customers money but pays only in {}",
                def.id,
                kinds.join(" or ")
            ),
        )
        .reads(
            std::iter::once("money_owed".to_string())
                .chain((0..def.remedies.len()).map(|i| format!("remedies.{i}.kind"))),
        ),
    ]
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
