//! The audit on interactions with planted effects: the verdicts must find
//! what was planted, and nothing that was not.

use std::fs;

use serde_json::{Map, Value as Json, json};

use super::*;
use crate::demo::rng::Pcg32;
use crate::engine::Engine;
use crate::input::{Interaction, Origin, Payload, RawRecord};

/// A policy of the planted pack: its request kind, the benefit it keeps per
/// enforcement, and how much (basis points) enforcing it adds to churn.
struct Plant {
    id: &'static str,
    benefit: u32,
    churn_effect: u32,
    interactions: u32,
}

/// Customer value 1,000 (the default), replacement 50 x 7 = 350: one
/// percentage point of extra churn costs 13.50 per enforcement.
const PLANTS: &[Plant] = &[
    // +10 points: 135 per enforcement against 5 kept.
    plant("hostile-parking", 5, 1000, 3000),
    // +6 points: 81 against 20.
    plant("hostile-fee", 20, 600, 3000),
    // +4 points: 54 against 3, on fewer interactions.
    plant("hostile-courier", 3, 400, 2400),
    // No effect, a large benefit: the loyalty cost stays far below it.
    plant("fair-fraud-hold", 300, 0, 3000),
    // No effect, a small benefit.
    plant("fair-statement", 2, 0, 3000),
    // No effect and almost no benefit.
    plant("fair-greeting", 0, 0, 3000),
    // +3 points: 40.50 against 40 kept: the point estimate sits on the
    // benefit.
    plant("borderline-hold", 40, 300, 3000),
];

const fn plant(id: &'static str, benefit: u32, churn_effect: u32, interactions: u32) -> Plant {
    Plant {
        id,
        benefit,
        churn_effect,
        interactions,
    }
}

fn planted_pack() -> (tempfile::TempDir, Pack) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("goodwill.toml"),
        "[pack]\nname = \"planted\"\n[economics]\ndefault_customer_value = 1000.0\nretention_cost = 50.0\nacquisition_to_retention = 7.0\nmin_sample = 30\n",
    )
    .unwrap();
    fs::create_dir(dir.path().join("policies")).unwrap();
    for p in PLANTS {
        fs::write(
            dir.path().join(format!("policies/{}.toml", p.id)),
            format!(
                "id = \"{id}\"\ntitle = \"{id}\"\nlevels = [\"partnership\"]\napplies = \"request.kind == '{id}'\"\nenforced = \"outcome.resolution == 'denied'\"\nbenefit = \"request.amount\"\n\n[[checks]]\nid = \"denied\"\nseverity = \"warning\"\nlevel = \"partnership\"\nwhen = \"outcome.resolution == 'denied'\"\nmessage = \"denied {{customer.id}}\"\n",
                id = p.id
            ),
        )
        .unwrap();
    }
    let pack = crate::pack::load(dir.path()).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
    (dir, pack)
}

fn planted_records(seed: u64) -> Vec<Map<String, Json>> {
    let mut rng = Pcg32::new(seed, 7);
    let mut out = Vec::new();
    for p in PLANTS {
        for i in 0..p.interactions {
            let enforced = rng.chance(5000);
            let churn = 500 + if enforced { p.churn_effect } else { 0 };
            let rec = json!({
                "id": format!("{}-{i:05}", p.id),
                "customer": { "id": format!("c-{}", rng.below(5000)) },
                "request": { "kind": p.id, "amount": f64::from(p.benefit) },
                "outcome": { "resolution": if enforced { "denied" } else { "granted" } },
                "churned": rng.chance(churn),
            });
            if let Json::Object(m) = rec {
                out.push(m);
            }
        }
    }
    out
}

fn origin(line: usize) -> Origin {
    Origin {
        file: "planted".into(),
        line: line as u64 + 1,
        record: line as u64 + 1,
    }
}

/// The engine's outcome for `record`, read at 0-based line `line`.
fn outcome(pack: &Pack, line: usize, record: &Map<String, Json>) -> Outcome {
    let engine = Engine::new(pack).unwrap();
    engine.evaluate_decoded(Interaction::from_record(
        origin(line),
        record.clone(),
        &pack.catalog,
    ))
}

fn audit_of(pack: &Pack, records: &[Map<String, Json>]) -> Audit {
    let engine = Engine::new(pack).unwrap();
    let mut b = AuditBuilder::new(pack, 5);
    let decoded = records.iter().enumerate().map(|(i, r)| {
        Ok(Interaction::from_record(
            origin(i),
            r.clone(),
            &pack.catalog,
        ))
    });
    b.run(decoded, 2, |d| engine.evaluate_decoded(d)).unwrap();
    assert_eq!(b.stats().rejected, 0);
    b.finish()
}

fn verdict_of<'a>(audit: &'a Audit, id: &str) -> &'a PolicyLedger {
    audit.policies.iter().find(|p| p.id == id).unwrap()
}

#[test]
fn planted_effects_get_the_verdicts_they_deserve() {
    let (_dir, pack) = planted_pack();
    for seed in [1, 2, 3] {
        let audit = audit_of(&pack, &planted_records(seed));
        for p in PLANTS {
            let l = verdict_of(&audit, p.id);
            let v = l.verdict;
            let ctx = format!("seed {seed}, {}: {:?} ({})", p.id, v, l.reason);
            if p.id.starts_with("hostile") {
                assert_eq!(v, Verdict::FavorsCompany, "{ctx}");
            } else if p.id.starts_with("fair") {
                assert_ne!(v, Verdict::FavorsCompany, "{ctx}");
            } else {
                assert!(
                    matches!(v, Verdict::Balanced | Verdict::NotEnoughEvidence),
                    "{ctx}"
                );
            }
        }
        assert_eq!(
            verdict_of(&audit, "fair-fraud-hold").verdict,
            Verdict::Justified,
            "seed {seed}"
        );
    }
}

#[test]
fn the_loyalty_cost_is_the_churn_difference_times_value_and_replacement() {
    let (_dir, pack) = planted_pack();
    let audit = audit_of(&pack, &planted_records(1));
    let l = verdict_of(&audit, "hostile-parking");
    let d = l.churn_difference.unwrap();
    let c = l.loyalty_cost_per_enforcement.unwrap();
    assert_eq!(c.point, d.point * 1350.0);
    assert_eq!(c.low, d.low * 1350.0);
    let e = l.enforced_outcomes.churn.unwrap();
    let w = l.waived_outcomes.churn.unwrap();
    assert_eq!(d.point, e.rate.point - w.rate.point);
    assert_eq!(l.benefit_per_enforcement, 5.0);
    assert_eq!(l.enforced + l.waived, l.applied);
}

#[test]
fn too_few_waivers_is_not_enough_evidence_with_the_reason() {
    let (_dir, pack) = planted_pack();
    let records: Vec<_> = planted_records(1)
        .into_iter()
        .filter(|r| {
            r["request"]["kind"] != "hostile-fee"
                || r["outcome"]["resolution"] == "denied"
                || r["id"].as_str().unwrap() < "hostile-fee-00040"
        })
        .collect();
    let audit = audit_of(&pack, &records);
    let l = verdict_of(&audit, "hostile-fee");
    assert_eq!(l.verdict, Verdict::NotEnoughEvidence);
    assert!(
        l.reason.contains("waived interactions record churn"),
        "{}",
        l.reason
    );
}

#[test]
fn a_policy_never_waived_has_no_control_group() {
    let (_dir, pack) = planted_pack();
    let records: Vec<_> = planted_records(1)
        .into_iter()
        .filter(|r| r["request"]["kind"] != "hostile-fee" || r["outcome"]["resolution"] == "denied")
        .collect();
    let l = verdict_of(&audit_of(&pack, &records), "hostile-fee").clone();
    assert_eq!(l.verdict, Verdict::NotEnoughEvidence);
    assert!(l.reason.starts_with("no control group"), "{}", l.reason);
}

#[test]
fn a_tiny_stake_is_flagged_without_any_churn_data() {
    let (_dir, pack) = planted_pack();
    let records: Vec<_> = planted_records(1)
        .into_iter()
        .filter(|r| r["request"]["kind"] == "hostile-parking")
        .map(|mut r| {
            r.remove("churned");
            r["customer"]["lifetime_value"] = json!(2_000_000.0);
            r
        })
        .collect();
    let l = verdict_of(&audit_of(&pack, &records), "hostile-parking").clone();
    assert_eq!(l.verdict, Verdict::NotEnoughEvidence);
    let t = l.tiny_stake.expect("flagged");
    assert_eq!(t.customer_value_per_enforcement, 2_000_000.0);
    assert_eq!(t.break_even_churn, 5.0 / 2_000_350.0);
    // A stake of 300 against 1,000 is not tiny.
    let audit = audit_of(&pack, &planted_records(1));
    assert!(verdict_of(&audit, "fair-fraud-hold").tiny_stake.is_none());
}

#[test]
fn merging_partial_audits_in_any_order_gives_the_whole_audit() {
    let (_dir, pack) = planted_pack();
    let records = planted_records(4);
    let whole = audit_of(&pack, &records);
    let parts: Vec<AuditBuilder<'_>> = records
        .chunks(4000)
        .enumerate()
        .map(|(k, chunk)| {
            let mut b = AuditBuilder::new(&pack, 5);
            for (i, r) in chunk.iter().enumerate() {
                b.add(outcome(&pack, k * 4000 + i, r));
            }
            b
        })
        .collect();
    let mut forward = AuditBuilder::new(&pack, 5);
    for p in parts.iter().cloned() {
        forward.merge(p);
    }
    let mut backward = AuditBuilder::new(&pack, 5);
    for p in parts.into_iter().rev() {
        backward.merge(p);
    }
    assert_eq!(forward.finish(), whole);
    assert_eq!(backward.finish(), whole);
}

#[test]
fn rejected_records_are_counted_and_reported_in_input_order() {
    let (_dir, pack) = planted_pack();
    let mut b = AuditBuilder::new(&pack, 5);
    let bad = json!({ "id": "x", "churned": "yes" });
    b.add(outcome(&pack, 9, bad.as_object().unwrap()));
    b.add(outcome(
        &pack,
        2,
        json!({ "no": "id" }).as_object().unwrap(),
    ));
    let engine = Engine::new(&pack).unwrap();
    b.add(engine.evaluate(RawRecord {
        origin: origin(0),
        payload: Payload::Json(b"{not json".to_vec()),
    }));
    b.add(outcome(&pack, 3, planted_records(1)[0].as_object_ref()));
    let audit = b.finish();
    assert_eq!(audit.input.records, 4);
    assert_eq!(audit.input.rejected, 3);
    assert_eq!(audit.input.evaluated, 1);
    let lines: Vec<u64> = audit.input.rejections.iter().map(|r| r.line).collect();
    assert_eq!(lines, [1, 3, 10]);
    assert!(
        audit.input.rejections[2]
            .reason
            .contains("`churned` must be true or false")
    );
}

#[test]
fn moments_of_truth_rank_the_costliest_churn_after_enforcement_first() {
    let (_dir, pack) = planted_pack();
    let mut records = planted_records(1);
    records[0]["customer"]["lifetime_value"] = json!(2_000_000.0);
    records[0]["outcome"]["resolution"] = json!("denied");
    records[0]["churned"] = json!(true);
    let audit = audit_of(&pack, &records);
    let m = &audit.moments_of_truth[0];
    assert_eq!(m.interaction, "hostile-parking-00000");
    assert_eq!(m.net_loss, 2_000_000.0 - 5.0);
    assert_eq!(
        m.evidence,
        ["denied c-".to_string() + &records[0]["customer"]["id"].as_str().unwrap()[2..]]
    );
    assert_eq!(audit.moments_of_truth.len(), 5);
    assert!(
        audit
            .moments_of_truth
            .windows(2)
            .all(|w| w[0].net_loss >= w[1].net_loss)
    );
}

trait AsObjectRef {
    fn as_object_ref(&self) -> &Map<String, Json>;
}
impl AsObjectRef for Map<String, Json> {
    fn as_object_ref(&self) -> &Map<String, Json> {
        self
    }
}
