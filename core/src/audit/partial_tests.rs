//! Partial audits: the merged audit of any split equals the single audit of
//! the whole, byte for byte, and partials that do not belong together are
//! refused.

use std::sync::OnceLock;

use proptest::prelude::*;

use super::partial::{FORMAT, Partial, PartialError, VERSION, fingerprint};
use super::{AuditBuilder, AuditStats, Observation};
use crate::demo;
use crate::engine::Engine;
use crate::input::{Origin, Payload, RawRecord};
use crate::pack::Pack;

/// The demo pack, loaded once for all cases.
fn demo_pack() -> &'static Pack {
    static PACK: OnceLock<(tempfile::TempDir, Pack)> = OnceLock::new();
    &PACK
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            demo::write_pack(dir.path()).unwrap();
            let pack = crate::pack::load(dir.path()).unwrap();
            (dir, pack)
        })
        .1
}

/// A log of `n` demo interactions from `seed` as lines of `log.jsonl`, one
/// in every 16 broken in a different way, so rejections outnumber what a
/// report lists.
fn log(seed: u64, n: usize) -> Vec<RawRecord> {
    demo::interactions(seed, n)
        .into_iter()
        .enumerate()
        .map(|(i, record)| {
            let bytes = match i % 16 {
                3 => b"{broken".to_vec(),
                11 => br#"{"channel": "phone"}"#.to_vec(),
                13 => format!(r#"{{"id": "bad-{i}", "csat": "great"}}"#).into_bytes(),
                _ => serde_json::to_vec(&record).unwrap(),
            };
            RawRecord {
                origin: Origin {
                    file: "log.jsonl".into(),
                    line: i as u64 + 1,
                    record: i as u64 + 1,
                },
                payload: Payload::Json(bytes),
            }
        })
        .collect()
}

fn observations(pack: &Pack, records: &[RawRecord]) -> Vec<Observation> {
    let engine = Engine::new(pack).unwrap();
    let observer = AuditBuilder::new(pack, 0).observer();
    records
        .iter()
        .map(|r| observer.observe(engine.evaluate(r.clone())))
        .collect()
}

/// The partial of `stats`, gathered with `pack`.
fn partial(pack: &Pack, stats: AuditStats) -> Partial {
    AuditBuilder::from_stats(pack, &[], stats).to_partial()
}

fn report(pack: &Pack, stats: AuditStats) -> String {
    serde_json::to_string_pretty(&AuditBuilder::from_stats(pack, &[], stats).finish()).unwrap()
}

/// A partial written to text and read back, as between machines.
fn through_text(pack: &Pack, stats: AuditStats) -> Partial {
    let text = partial(pack, stats).to_json();
    Partial::parse("part.json", &text).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn merged_partials_of_any_split_render_the_single_audit_byte_for_byte(
        seed in 0u64..1_000,
        parts in 1usize..7,
        assignment in prop::collection::vec(0usize..7, 300),
        order in Just(()).prop_perturb(|_, mut rng| rng.random::<u64>()),
        moments in 0usize..8,
    ) {
        let pack = demo_pack();
        let records = log(seed, 300);
        let seen = observations(pack, &records);
        let mut whole = AuditStats::new(pack.policies.len(), moments);
        for o in seen.iter().cloned() {
            whole.add(o);
        }
        let single = report(pack, whole);

        // Records go to parts at random (not only in contiguous runs): each
        // carries its own source and line.
        let mut stats: Vec<AuditStats> =
            (0..parts).map(|_| AuditStats::new(pack.policies.len(), moments)).collect();
        for (o, part) in seen.into_iter().zip(&assignment) {
            stats[part % parts].add(o);
        }
        let mut named: Vec<(String, Partial)> = stats
            .into_iter()
            .enumerate()
            .map(|(i, s)| (format!("part-{i}.json"), through_text(pack, s)))
            .collect();
        // Merge in a shuffled order, in two groups merged separately and
        // then together (associativity), through text again.
        let mut key = order;
        for i in (1..named.len()).rev() {
            key = key.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            named.swap(i, (key >> 33) as usize % (i + 1));
        }
        let cut = named.len() / 2;
        let right = named.split_off(cut);
        let mut groups = Vec::new();
        for group in [named, right] {
            if !group.is_empty() {
                let merged = Partial::merge_all(group).unwrap();
                groups.push(("group.json".to_string(), Partial::parse("group.json", &merged.to_json()).unwrap()));
            }
        }
        let merged = Partial::merge_all(groups).unwrap();
        prop_assert_eq!(merged.records, 300);
        prop_assert_eq!(report(pack, merged.into_stats()), single);
    }
}

#[test]
fn merge_order_does_not_change_the_merged_partial() {
    let pack = demo_pack();
    let seen = observations(pack, &log(7, 200));
    let mut a = AuditStats::new(pack.policies.len(), 5);
    let mut b = AuditStats::new(pack.policies.len(), 5);
    for (i, o) in seen.into_iter().enumerate() {
        if i % 3 == 0 { a.add(o) } else { b.add(o) }
    }
    let (pa, pb) = (partial(pack, a), partial(pack, b));
    let ab = Partial::merge_all(vec![("a".into(), pa.clone()), ("b".into(), pb.clone())]).unwrap();
    let ba = Partial::merge_all(vec![("b".into(), pb), ("a".into(), pa)]).unwrap();
    assert_eq!(ab.to_json(), ba.to_json());
}

#[test]
fn moments_amounts_survive_the_trip_through_text_exactly() {
    let pack = demo_pack();
    let mut stats = AuditStats::new(pack.policies.len(), 50);
    for o in observations(pack, &log(3, 2000)) {
        stats.add(o);
    }
    let before: Vec<_> = stats
        .moments
        .items()
        .iter()
        .map(|m| m.moment().clone())
        .collect();
    assert!(before.len() > 10, "the log has churned customers");
    let after = through_text(pack, stats).into_stats();
    let after: Vec<_> = after
        .moments
        .items()
        .iter()
        .map(|m| m.moment().clone())
        .collect();
    assert_eq!(before, after);
}

#[test]
fn the_fingerprint_does_not_depend_on_where_the_pack_sits() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    demo::write_pack(a.path()).unwrap();
    demo::write_pack(&b.path().join("nested")).unwrap();
    let pa = crate::pack::load(a.path()).unwrap();
    let pb = crate::pack::load(&b.path().join("nested")).unwrap();
    assert_eq!(fingerprint(&pa), fingerprint(&pb));
    assert!(fingerprint(&pa).starts_with("sha256:"));
}

#[test]
fn a_partial_of_another_pack_is_refused_naming_both() {
    let pack = demo_pack();
    let mine = partial(pack, AuditStats::new(pack.policies.len(), 5));
    let mut theirs = mine.clone();
    theirs.pack.fingerprint = "sha256:0000".to_string();
    let err =
        Partial::merge_all(vec![("a.json".into(), mine), ("b.json".into(), theirs)]).unwrap_err();
    assert!(matches!(err, PartialError::DifferentPack(_)));
    let text = err.to_string();
    assert!(
        text.contains("`b.json`") && text.contains("`a.json`"),
        "{text}"
    );
    assert!(text.contains("sha256:0000"), "{text}");
}

#[test]
fn a_partial_of_another_format_version_is_refused_before_its_keys_are_read() {
    let text = format!(
        r#"{{"format": "{FORMAT}", "version": {}, "new_key": 1}}"#,
        VERSION + 1
    );
    let err = Partial::parse("p.json", &text).unwrap_err();
    assert!(
        matches!(err, PartialError::Version { found, .. } if found == u64::from(VERSION) + 1),
        "{err}"
    );
}

#[test]
fn a_file_that_is_not_a_partial_says_so() {
    for text in ["", "[1]", r#"{"format": "something-else", "version": 1}"#] {
        let err = Partial::parse("x.json", text).unwrap_err();
        assert!(
            matches!(err, PartialError::NotAPartial { .. }),
            "{text}: {err}"
        );
    }
}

#[test]
fn a_damaged_partial_is_refused_with_what_is_wrong() {
    let pack = demo_pack();
    let mut stats = AuditStats::new(pack.policies.len(), 5);
    for o in observations(pack, &log(1, 40)) {
        stats.add(o);
    }
    let good: serde_json::Value = serde_json::from_str(&partial(pack, stats).to_json()).unwrap();
    type Damage = fn(&mut serde_json::Value);
    let cases: [(&str, Damage); 4] = [
        ("rejected", |d| d["rejected"] = 1000.into()),
        ("appears twice", |d| {
            let first = d["policies"][0].clone();
            d["policies"][1] = first;
        }),
        ("not a number", |d| {
            d["moments_limit"] = 50.into();
            d["moments_of_truth"] = serde_json::json!([{
                "policy": "p", "interaction": "i", "customer": null, "channel": null,
                "stake": "NaN", "customer_value": "1", "net_loss": "1",
                "complaint": null, "nps": null, "evidence": []
            }]);
        }),
        ("six decimals", |d| {
            d["policies"][0]["tally"]["benefit"] = "1.5e3".into()
        }),
    ];
    for (expect, damage) in cases {
        let mut doc = good.clone();
        damage(&mut doc);
        let err = Partial::parse("p.json", &doc.to_string()).unwrap_err();
        assert!(
            matches!(err, PartialError::Damaged { .. }),
            "{expect}: {err}"
        );
        assert!(err.to_string().contains(expect), "{expect}: {err}");
    }
}
