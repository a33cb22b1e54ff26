//! The fast path against the interpreter: on generated records, every
//! expression of the packs in the repo (and one per construct of the
//! subset) gives the same result, or the same error, both ways.

use std::path::Path;

use serde_json::{Map, Value as Json, json};

use super::{Activation, Bound, Expression, compile};
use crate::fields::FieldCatalog;
use crate::record::{Layout, Record};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize].clone()
    }
}

/// A value for a field: usually of its type, sometimes absent, null or of
/// another type.
fn value(rng: &mut Rng, good: Json) -> Option<Json> {
    match rng.below(40) {
        0..=5 => None,
        6 => Some(Json::Null),
        7 => Some(rng.pick(&[json!("x"), json!(3), json!(2.5), json!(true), json!([1])])),
        _ => Some(good),
    }
}

fn record(rng: &mut Rng, i: u64) -> Map<String, Json> {
    let mut r = Map::new();
    let put = |r: &mut Map<String, Json>, rng: &mut Rng, path: &str, good: Json| {
        if let Some(v) = value(rng, good) {
            let mut segs: Vec<&str> = path.split('.').collect();
            let leaf = segs.pop().unwrap_or_default();
            let mut cur = r;
            for s in segs {
                let slot = cur
                    .entry(s.to_string())
                    .or_insert_with(|| Json::Object(Map::new()));
                let Json::Object(m) = slot else { return };
                cur = m;
            }
            cur.insert(leaf.to_string(), v);
        }
    };
    r.insert("id".into(), json!(format!("r{i}")));
    let day = 1 + rng.below(27);
    let amount = rng.pick(&[0.6, 1.0, 5.0, 20.0, 99.5, 0.0, -3.0, 1e300]);
    let tenure = rng.pick(&[0i64, 1, 12, 25, 240, i64::MAX, i64::MIN, -1]);
    let ltv = rng.pick(&[0.0, 50.0, 5000.0, 100000.0, 2e6]);
    let fee = rng.pick(&[0.0, 0.5, 30.0, 60.0]);
    let transcript = rng.pick(&[
        "",
        "our policy says no",
        "It is NOT our fault, blame the courier",
        "ünïcödé text with our policy inside",
        "short",
    ]);
    let v = json!(format!("2024-03-{day:02}T10:00:00Z"));
    put(&mut r, rng, "at", v);
    let channel = rng.pick(&["store", "phone", "chat", "email", "web", "social", "pigeon"]);
    let v = json!(channel);
    put(&mut r, rng, "channel", v);
    let agent = rng.pick(&["temp-7", "staff-1", "temp-22"]);
    let v = json!(agent);
    put(&mut r, rng, "agent", v);
    let v = json!(rng.pick(&["c1", "c2"]));
    put(&mut r, rng, "customer.id", v);
    let v = json!(tenure);
    put(&mut r, rng, "customer.tenure_months", v);
    let v = json!(ltv);
    put(&mut r, rng, "customer.lifetime_value", v);
    let segment = rng.pick(&["retail", "premium"]);
    let v = json!(segment);
    put(&mut r, rng, "customer.segment", v);
    let kind = rng.pick(&["refund", "delivery", "parking_validation"]);
    let v = json!(kind);
    put(&mut r, rng, "request.kind", v);
    let v = json!(amount);
    put(&mut r, rng, "request.amount", v);
    let resolution = rng.pick(&["granted", "denied", "unresolved", "escalated"]);
    let v = json!(resolution);
    put(&mut r, rng, "outcome.resolution", v);
    let b = rng.below(2) == 0;
    let v = json!(b);
    put(&mut r, rng, "outcome.exception_requested", v);
    let b = rng.below(3) == 0;
    let v = json!(b);
    put(&mut r, rng, "outcome.exception_granted", v);
    let v = json!(fee);
    put(&mut r, rng, "outcome.fee_charged", v);
    let v = json!(rng.pick(&[0.0, 10.0]));
    put(&mut r, rng, "outcome.credit", v);
    let v = json!("2024-04-10T17:00:00Z");
    put(&mut r, rng, "promise.due", v);
    let delivered = format!("2024-04-{day:02}T12:00:00+02:00");
    let v = json!(delivered);
    put(&mut r, rng, "promise.delivered_at", v);
    let v = json!(rng.pick(&[10.0, 20.0]));
    put(&mut r, rng, "promise.quoted_price", v);
    let v = json!(rng.pick(&[10.0, 25.0]));
    put(&mut r, rng, "promise.charged_price", v);
    let v = json!(rng.pick(&[5.0, 61.0, 240.0]));
    put(&mut r, rng, "response_minutes", v);
    let v = json!(rng.pick(&[1, 3, 5]));
    put(&mut r, rng, "contacts", v);
    let v = json!(rng.pick(&[0, 3]));
    put(&mut r, rng, "transfers", v);
    let b = rng.below(4) == 0;
    let v = json!(b);
    put(&mut r, rng, "blamed_third_party", v);
    let b = rng.below(4) == 0;
    let v = json!(b);
    put(&mut r, rng, "complaint", v);
    let v = json!(rng.pick(&[1, 3, 5]));
    put(&mut r, rng, "csat", v);
    let v = json!(rng.pick(&[0, 6, 9, 10]));
    put(&mut r, rng, "nps", v);
    let b = rng.below(8) == 0;
    let v = json!(b);
    put(&mut r, rng, "churned", v);
    let invoked = rng.pick(&[json!(["fees"]), json!([]), json!(["refunds", "fees"])]);
    let v = invoked;
    put(&mut r, rng, "policies_invoked", v);
    let v = json!(transcript);
    put(&mut r, rng, "transcript", v);
    let v = json!(rng.pick(&[json!("spokane-main"), json!(7)]));
    put(&mut r, rng, "branch", v);
    let v = json!(rng.pick(&[json!(1), json!(2.5), json!("s")]));
    put(&mut r, rng, "extra.score", v);
    r
}

/// One expression per construct of the subset, and some just outside it.
const CONSTRUCTS: &[&str] = &[
    "customer.tenure_months + 1 > 12",
    "customer.tenure_months * 2 - 3 == 21",
    "customer.tenure_months / 0 == 1",
    "customer.tenure_months % 5 == 1",
    "-customer.tenure_months < 0",
    "double(customer.tenure_months + 1) * 10.0 > request.amount",
    "-request.amount < 0.0",
    "request.amount / 0.0 > 1.0",
    "request.amount == 0.6 || request.amount != 5.0",
    "customer.tenure_months == 1.0",
    "customer.tenure_months < request.amount",
    "channel in ['store', 'phone']",
    "'fees' in policies_invoked",
    "1 in policies_invoked",
    "size(transcript) > 10",
    "transcript.size() >= 5 && size(policies_invoked) == 1",
    "agent.startsWith('temp') && agent.endsWith('7')",
    "transcript.contains('policy')",
    "transcript.matches('(?i)not our fault')",
    "matches(agent, '^temp')",
    "has(customer.segment) && customer.segment == 'premium'",
    "has(extra.score) ? extra.score == 1 : true",
    "has(promise.due) ? promise.delivered_at > promise.due : false",
    "at > timestamp('2024-03-10T00:00:00Z')",
    "!complaint || churned",
    "csat <= 2 || nps >= 9",
    "customer.id + '-x' == 'c1-x'",
    "branch == 'spokane-main'",
    "extra.score > 1",
    "contacts > 2 && outcome.resolution == 'unresolved'",
    "true && false || !true",
    "request.amount",
    "customer.tenure_months",
    "outcome.fee_charged > customer.lifetime_value * 0.01",
    "policies_invoked.exists(p, p == 'fees')",
    "has(interaction.csat) && csat <= 2",
    "!has(interaction.transcript) || interaction.transcript.contains('policy')",
    "has(interaction.customer) ? interaction.customer.tenure_months > 12 : false",
    "has(interaction.branch) && branch == 'spokane-main'",
    "interaction.nps >= 9",
    "has(interaction.csat)",
    "has(interaction.complaint) || churned",
    "size(interaction) > 3",
];

fn pack_expressions() -> Vec<Expression> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [root.join("../policies/example"), root.join("benches/pack")] {
        let pack = crate::load(&dir).expect("the pack loads");
        for p in &pack.policies {
            let mut sources = vec![p.applies.source().to_string()];
            sources.extend(p.enforced.as_ref().map(|e| e.source().to_string()));
            sources.extend(p.benefit.as_ref().map(|e| e.source().to_string()));
            sources.extend(p.checks.iter().map(|c| c.when.source().to_string()));
            for s in sources {
                let e = compile(&s).expect("pack expressions compile");
                assert!(e.is_native(), "`{s}` is in the fast path's subset");
                out.push(e);
            }
        }
    }
    out
}

fn catalog() -> FieldCatalog {
    let mut c = FieldCatalog::canonical();
    c.declare("branch", crate::fields::FieldType::String)
        .unwrap();
    c
}

#[test]
fn check_without_binding_agrees_with_binding() {
    let catalog = catalog();
    let mut rng = Rng(7);
    for i in 0..3000 {
        let r = record(&mut rng, i);
        let checked = Activation::check(&r, &catalog);
        let bound = Activation::new(&r, &catalog).map(|_| ());
        assert_eq!(checked, bound, "{}", Json::Object(r.clone()));
    }
}

#[test]
fn fast_path_and_interpreter_agree_on_generated_records() {
    let catalog = catalog();
    let mut exprs = pack_expressions();
    exprs.extend(CONSTRUCTS.iter().map(|s| compile(s).unwrap()));
    let mut rng = Rng(0x5eed);
    let mut compared = 0usize;
    let mut fast = 0usize;
    let layout = Layout::new(&catalog);
    for i in 0..3000 {
        let r = record(&mut rng, i);
        let Ok(act) = Activation::new(&r, &catalog) else {
            continue;
        };
        // The record as the engine makes it from a JSON line.
        let text = Json::Object(r.clone()).to_string();
        let record =
            Record::parse(text.as_bytes(), &layout).expect("a checked record parses plainly");
        assert_eq!(Ok(&record), Record::from_map(r.clone(), &catalog).as_ref());
        let bound = Bound::new(&record, &catalog);
        for e in &exprs {
            let slow = e.eval_bool(&act);
            let quick = e.eval_bool_bound(&bound);
            assert_eq!(
                quick,
                slow,
                "`{}` on {}",
                e.source(),
                Json::Object(r.clone())
            );
            let slow = e.eval_number(&act);
            let quick = e.eval_number_bound(&bound);
            assert_eq!(
                quick,
                slow,
                "`{}` on {}",
                e.source(),
                Json::Object(r.clone())
            );
            compared += 1;
            if let Some(n) = &e.native
                && n.eval(&record, &catalog).is_ok()
            {
                fast += 1;
            }
        }
    }
    assert!(compared > 20_000, "{compared} comparisons");
    // The generated records are mostly well formed: most answers must come
    // from the fast path, or the test would not be testing it.
    assert!(fast * 2 > compared, "{fast} of {compared} on the fast path");
}
