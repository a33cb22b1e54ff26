//! `goodwill audit --demo`: an embedded pack (the same files as
//! `policies/demo/`) and a deterministic generator of a year of its bank's
//! interactions, with known effects: the parking, overdraft, courier and
//! late-fee policies drive customers away; the fraud hold and the statement
//! fee do not; the cheque hold is never waived. Same seed, same records,
//! byte for byte, on every platform (integer arithmetic only).

pub mod rng;

use crate::fields::FieldCatalog;
use crate::input::{InputError, Interaction, Origin, Reject};
use std::fs;
use std::io;
use std::path::Path;

use serde_json::{Map, Value as Json, json};

use rng::Pcg32;

/// The files of the demo pack, relative to its root.
pub const DEMO_FILES: &[(&str, &str)] = &[
    (
        "goodwill.toml",
        include_str!("../../../policies/demo/goodwill.toml"),
    ),
    (
        "policies/card-courier.toml",
        include_str!("../../../policies/demo/policies/card-courier.toml"),
    ),
    (
        "policies/cheque-hold.toml",
        include_str!("../../../policies/demo/policies/cheque-hold.toml"),
    ),
    (
        "policies/late-fee-no-exceptions.toml",
        include_str!("../../../policies/demo/policies/late-fee-no-exceptions.toml"),
    ),
    (
        "policies/overdraft-fee.toml",
        include_str!("../../../policies/demo/policies/overdraft-fee.toml"),
    ),
    (
        "policies/parking-validation.toml",
        include_str!("../../../policies/demo/policies/parking-validation.toml"),
    ),
    (
        "policies/statement-fee.toml",
        include_str!("../../../policies/demo/policies/statement-fee.toml"),
    ),
    (
        "policies/wire-fraud-hold.toml",
        include_str!("../../../policies/demo/policies/wire-fraud-hold.toml"),
    ),
];

/// How many interactions the demo audits.
pub const DEMO_INTERACTIONS: usize = 20_000;
/// The demo's seed.
pub const DEMO_SEED: u64 = 1989;

/// Writes the demo pack into `dir`, which must exist.
pub fn write_pack(dir: &Path) -> io::Result<()> {
    for (rel, text) in DEMO_FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, text)?;
    }
    Ok(())
}

/// How one kind of request goes, and what enforcing its policy does to the
/// customer. Probabilities in basis points.
struct Kind {
    name: &'static str,
    /// Relative frequency, per 10,000 interactions.
    weight: u32,
    /// Chance the policy is enforced (not waived).
    enforce: u32,
    /// Extra churn after enforcement (the planted effect).
    churn_effect: u32,
    /// Extra complaint chance after enforcement.
    complaint_effect: u32,
    /// How many points enforcement may take off CSAT (NPS: twice that).
    mood: u32,
}

const KINDS: &[Kind] = &[
    kind("parking_validation", 1700, 5500, 500, 1200, 2),
    kind("overdraft_fee_refund", 1300, 7000, 600, 1000, 2),
    kind("card_delivery_late", 1000, 6000, 800, 1500, 3),
    kind("wire_transfer", 1200, 5000, 50, 200, 1),
    kind("statement_copy", 1500, 6500, 0, 0, 0),
    kind("cheque_deposit", 750, 10_000, 100, 300, 1),
    kind("late_fee_refund", 32, 7500, 1000, 2000, 2),
    kind("balance_inquiry", 1318, 0, 0, 0, 0),
    kind("address_change", 1200, 0, 0, 0, 0),
];

const fn kind(
    name: &'static str,
    weight: u32,
    enforce: u32,
    churn_effect: u32,
    complaint_effect: u32,
    mood: u32,
) -> Kind {
    Kind {
        name,
        weight,
        enforce,
        churn_effect,
        complaint_effect,
        mood,
    }
}

/// Base rates, in basis points.
const BASE_CHURN: u32 = 400;
const BASE_COMPLAINT: u32 = 300;
const CHURN_RECORDED: u32 = 9200;
const CSAT_ANSWERED: u32 = 4500;
const NPS_ANSWERED: u32 = 3000;

#[derive(Debug, Clone)]
struct Customer {
    id: String,
    tenure: u32,
    value: u32,
    segment: &'static str,
}

fn customer(rng: &mut Pcg32, id: String, new: bool) -> Customer {
    let tenure = if new {
        rng.range(0, 11)
    } else {
        rng.range(1, 300)
    };
    let draw = rng.below(10_000);
    let (segment, value) = if new || draw < 7800 {
        ("everyday", rng.range(500, 8000))
    } else if draw < 9700 {
        ("premier", rng.range(20_000, 150_000))
    } else {
        ("private", rng.range(250_000, 2_500_000))
    };
    Customer {
        id,
        tenure,
        value,
        segment,
    }
}

fn cents(c: u32) -> f64 {
    f64::from(c) / 100.0
}

/// The demo's interactions as the engine takes them: source `demo`, line
/// numbers from 1. Every demo record has an id; were one rejected, it would
/// be counted like any other rejection.
pub fn interaction_records(
    seed: u64,
    count: usize,
    catalog: &FieldCatalog,
) -> impl Iterator<Item = Result<Result<Interaction, Reject>, InputError>> + Send + use<> {
    let demo: std::sync::Arc<str> = std::sync::Arc::from("demo");
    let catalog = catalog.clone();
    interactions(seed, count)
        .into_iter()
        .zip(1u64..)
        .map(move |(record, n)| {
            let origin = Origin {
                file: demo.clone(),
                line: n,
                record: n,
            };
            Ok(Interaction::from_record(origin, record, &catalog))
        })
}

/// The demo's interactions: `count` records from `seed`, in time order.
pub fn interactions(seed: u64, count: usize) -> Vec<Map<String, Json>> {
    let mut rng = Pcg32::new(seed, 0x600d_3111);
    let pool: Vec<Customer> = (0..8000)
        .map(|i| customer(&mut rng, format!("c-{i:05}"), false))
        .collect();
    let total: u32 = KINDS.iter().map(|k| k.weight).sum();
    let start = 1_736_150_400i64; // 2025-01-06T08:00:00Z
    let step = 365 * 24 * 3600 / count.max(1) as i64;
    (0..count)
        .map(|i| {
            if i == 1989 {
                return barrier(start + step * i as i64);
            }
            let mut pick = rng.below(total);
            let k = KINDS
                .iter()
                .find(|k| {
                    if pick < k.weight {
                        true
                    } else {
                        pick -= k.weight;
                        false
                    }
                })
                .unwrap_or(&KINDS[KINDS.len() - 1]);
            let c = if k.name == "wire_transfer" {
                customer(&mut rng, format!("c-n{i:05}"), true)
            } else if k.name == "overdraft_fee_refund" || k.name == "statement_copy" {
                // Overdrafts and paper copies are everyday accounts' business.
                let mut c = pool[rng.below(pool.len() as u32) as usize].clone();
                while c.segment != "everyday" {
                    c = pool[rng.below(pool.len() as u32) as usize].clone();
                }
                c
            } else {
                pool[rng.below(pool.len() as u32) as usize].clone()
            };
            record(&mut rng, i, start + step * i as i64, k, &c)
        })
        .collect()
}

fn timestamp(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn record(rng: &mut Pcg32, i: usize, at: i64, k: &Kind, c: &Customer) -> Map<String, Json> {
    let enforced = rng.chance(k.enforce);
    let channel = match k.name {
        "parking_validation" | "statement_copy" | "late_fee_refund" => "store",
        "wire_transfer" => ["web", "store"][rng.below(2) as usize],
        "balance_inquiry" | "address_change" => {
            ["store", "phone", "web", "chat"][rng.below(4) as usize]
        }
        _ => ["phone", "chat"][rng.below(2) as usize],
    };
    let mut amount = 0.0;
    let mut resolution = "granted";
    let mut exception_requested = false;
    let mut fee = 0.0;
    let mut credit = 0.0;
    let mut blamed = false;
    let mut invoked: Vec<&str> = Vec::new();
    let mut extra = Map::new();
    let mut response = match channel {
        "store" => rng.range(0, 15),
        "web" | "email" => rng.range(5, 120),
        _ if rng.chance(1000) => rng.range(31, 95),
        _ => rng.range(1, 25),
    };
    match k.name {
        "parking_validation" => {
            amount = cents(60 * rng.range(1, 4));
            exception_requested = rng.chance(7000);
            if enforced {
                resolution = "denied";
            }
        }
        "overdraft_fee_refund" => {
            amount = 35.0;
            exception_requested = true;
            if enforced {
                resolution = "denied";
                fee = 35.0;
            }
            extra.insert("alerts_offered".into(), json!(rng.chance(3000)));
        }
        "card_delivery_late" => {
            amount = 25.0;
            let due = at - i64::from(rng.range(1, 10)) * 86_400;
            let delivered = due + i64::from(rng.range(1, 10)) * 86_400;
            extra.insert(
                "promise".into(),
                json!({ "made_at": timestamp(due - 5 * 86_400), "due": timestamp(due), "delivered_at": timestamp(delivered) }),
            );
            if enforced {
                resolution = "denied";
                blamed = true;
            } else {
                blamed = rng.chance(2000);
                credit = 25.0;
            }
        }
        "wire_transfer" => {
            amount = f64::from(rng.range(2600, 15_000));
            if enforced {
                resolution = "escalated";
                response = rng.range(20, 480);
            }
        }
        "statement_copy" => {
            amount = 3.0;
            if enforced {
                fee = if rng.chance(800) { 5.0 } else { 3.0 };
            }
            extra.insert(
                "promise".into(),
                json!({ "quoted_price": 3.0, "charged_price": fee }),
            );
        }
        "cheque_deposit" => {
            amount = f64::from(rng.range(5001, 40_000));
        }
        "late_fee_refund" => {
            amount = 25.0;
            exception_requested = true;
            if enforced {
                resolution = "denied";
                if rng.chance(8000) {
                    invoked.push("late-fee-no-exceptions");
                }
            }
        }
        _ => {}
    }
    let hit = enforced && k.enforce > 0;
    let churned = rng.chance(BASE_CHURN + if hit { k.churn_effect } else { 0 });
    let complaint = rng.chance(BASE_COMPLAINT + if hit { k.complaint_effect } else { 0 });
    let penalty = if hit { k.mood } else { 0 };
    let csat = rng
        .range(3, 5)
        .saturating_sub(rng.below(penalty + 1))
        .max(1);
    let nps = rng.range(5, 10).saturating_sub(rng.below(2 * penalty + 1));
    let mut r = Map::new();
    r.insert("id".into(), json!(format!("hnb-{:06}", i + 1)));
    r.insert("at".into(), json!(timestamp(at)));
    r.insert("channel".into(), json!(channel));
    r.insert(
        "agent".into(),
        json!(format!("agent-{:02}", rng.range(1, 40))),
    );
    if channel == "store" {
        r.insert(
            "branch".into(),
            json!(["harbor-main", "eastside", "airport"][rng.below(3) as usize]),
        );
    }
    r.insert(
        "customer".into(),
        json!({ "id": c.id, "tenure_months": c.tenure, "lifetime_value": f64::from(c.value), "segment": c.segment }),
    );
    r.insert(
        "request".into(),
        json!({ "kind": k.name, "amount": amount }),
    );
    r.insert(
        "outcome".into(),
        json!({
            "resolution": resolution,
            "exception_requested": exception_requested,
            "exception_granted": exception_requested && !enforced,
            "fee_charged": fee,
            "refund": 0.0,
            "credit": credit,
        }),
    );
    r.insert("response_minutes".into(), json!(f64::from(response)));
    r.insert("blamed_third_party".into(), json!(blamed));
    r.insert("complaint".into(), json!(complaint));
    if rng.chance(CSAT_ANSWERED) {
        r.insert("csat".into(), json!(csat));
    }
    if rng.chance(NPS_ANSWERED) {
        r.insert("nps".into(), json!(nps));
    }
    if rng.chance(CHURN_RECORDED) {
        r.insert("churned".into(), json!(churned));
    }
    r.insert("policies_invoked".into(), json!(invoked));
    r.insert("language".into(), json!("en"));
    r.extend(extra);
    r
}

/// John Barrier at the Spokane branch, 1989: refused a 60-cent stamp, he
/// moved his two million dollars the next day.
fn barrier(at: i64) -> Map<String, Json> {
    let v = json!({
        "id": "hnb-spokane-1989",
        "at": timestamp(at),
        "channel": "store",
        "agent": "agent-07",
        "branch": "harbor-main",
        "customer": { "id": "john-barrier", "tenure_months": 360, "lifetime_value": 2_000_000.0, "segment": "private" },
        "request": { "kind": "parking_validation", "amount": 0.6 },
        "outcome": { "resolution": "denied", "exception_requested": true, "exception_granted": false, "fee_charged": 0.0, "refund": 0.0, "credit": 0.0 },
        "response_minutes": 4.0,
        "blamed_third_party": false,
        "complaint": true,
        "nps": 0,
        "churned": true,
        "policies_invoked": ["parking-validation"],
        "language": "en",
        "transcript": "Teller: you have to make a deposit. Customer: I'm a substantial depositor. Manager: the policy is the policy."
    });
    match v {
        Json::Object(m) => m,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_interactions_are_the_same_every_run() {
        let a = interactions(DEMO_SEED, 500);
        let b = interactions(DEMO_SEED, 500);
        assert_eq!(a, b);
        assert_ne!(a, interactions(DEMO_SEED + 1, 500));
    }

    #[test]
    fn the_embedded_demo_pack_loads_and_its_tests_pass() {
        let dir = tempfile::tempdir().unwrap();
        write_pack(dir.path()).unwrap();
        let pack = crate::pack::load(dir.path()).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        assert_eq!(pack.policies.len(), DEMO_FILES.len() - 1);
        for r in crate::testing::run_pack_tests(&pack) {
            assert!(r.passed(), "{}: {:?}", r.test_name, r.failures);
        }
    }

    #[test]
    fn every_demo_interaction_binds_and_evaluates_without_errors() {
        let dir = tempfile::tempdir().unwrap();
        write_pack(dir.path()).unwrap();
        let pack = crate::pack::load(dir.path()).unwrap();
        let engine = crate::engine::Engine::new(&pack).unwrap();
        let mut b = crate::audit::AuditBuilder::new(&pack, 5);
        b.run(
            interaction_records(DEMO_SEED, 3000, &pack.catalog),
            2,
            |d| engine.evaluate_decoded(d),
        )
        .unwrap();
        let audit = b.finish();
        assert_eq!(audit.input.rejected, 0, "{:?}", audit.input.rejections);
        for p in &audit.policies {
            assert!(
                p.evaluation_errors.is_empty(),
                "{}: {:?}",
                p.id,
                p.evaluation_errors
            );
        }
    }
}
