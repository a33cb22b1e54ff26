//! The finding lines of `goodwill eval` (schema: `docs/eval-output.md`),
//! written with the parts that only depend on the check (policy, check,
//! severity, level, and the keys around them) escaped once per run instead
//! of once per finding. The bytes are those of serializing
//! [`super::eval::FindingLine`] with serde: `tests` checks it.

use std::io::Write;

use goodwill_core::engine::{Engine, Evaluated};
use serde_json::Value as Json;

/// Writes the finding lines of a pack's TOML policies.
pub(super) struct FindingLines {
    /// By policy, then check: `,"policy":…,"message":`.
    middles: Vec<Vec<Vec<u8>>>,
}

impl FindingLines {
    pub(super) fn new(engine: &Engine<'_>) -> FindingLines {
        let middles = engine
            .pack()
            .policies
            .iter()
            .map(|policy| {
                policy
                    .checks
                    .iter()
                    .map(|check| {
                        let mut m = b",\"policy\":".to_vec();
                        json(&mut m, policy.id());
                        m.extend_from_slice(b",\"check\":");
                        json(&mut m, &check.id);
                        m.extend_from_slice(b",\"severity\":");
                        json(&mut m, &check.severity);
                        m.extend_from_slice(b",\"level\":");
                        json(&mut m, &check.level);
                        m.extend_from_slice(b",\"message\":");
                        m
                    })
                    .collect()
            })
            .collect();
        FindingLines { middles }
    }

    /// One line per finding of `e`, in order.
    pub(super) fn write(&self, out: &mut Vec<u8>, engine: &Engine<'_>, e: &Evaluated) {
        if e.findings.is_empty() {
            return;
        }
        let origin = &e.interaction.origin;
        let mut source = b"},\"source\":{\"file\":".to_vec();
        json(&mut source, &*origin.file);
        // Writing into a Vec cannot fail.
        let _ = writeln!(
            source,
            ",\"line\":{},\"record\":{}}}}}",
            origin.line, origin.record
        );
        let mut id = Vec::with_capacity(e.interaction.id.len() + 2);
        json(&mut id, &e.interaction.id);
        for f in &e.findings {
            out.extend_from_slice(b"{\"interaction\":");
            out.extend_from_slice(&id);
            out.extend_from_slice(&self.middles[f.policy][f.check]);
            json(out, &f.message);
            out.extend_from_slice(b",\"evidence\":{");
            for (i, (path, value)) in engine.evidence(f, &e.interaction.record).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json(out, path);
                out.push(b':');
                json::<Json>(out, &value);
            }
            out.extend_from_slice(&source);
        }
    }
}

/// `value` as compact JSON, as serde_json writes it.
fn json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Plain data into a Vec: serializing cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use goodwill_core::engine::{Engine, Outcome};
    use goodwill_core::input::{Origin, Payload, RawRecord};

    use super::FindingLines;
    use crate::commands::eval::serde_finding_lines;

    #[test]
    fn lines_are_the_bytes_serde_writes() {
        let pack = goodwill_core::load(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/benches/pack"),
        )
        .unwrap();
        let engine = Engine::new(&pack).unwrap();
        let writer = FindingLines::new(&engine);
        let records = [
            r#"{"id":"a\"b\u00e9\n","request":{"kind":"refund","amount":3.5},"customer":{"tenure_months":40,"lifetime_value":9000},"outcome":{"resolution":"denied","exception_requested":true,"exception_granted":false},"complaint":true}"#,
            r#"{"id":"x","channel":"chat","response_minutes":1e3,"transfers":4,"contacts":3,"csat":1,"transcript":"per \"our policy\" \\ \t","outcome":{"resolution":"unresolved","fee_charged":30},"nps":2,"churned":true,"policies_invoked":["fees"],"customer":{"lifetime_value":-0.0}}"#,
            r#"{"id":"none"}"#,
        ];
        let mut findings = 0;
        for (i, text) in records.iter().enumerate() {
            let raw = RawRecord {
                origin: Origin {
                    file: "dir/\"odd\" name\u{7f}.jsonl".into(),
                    line: 10 + i as u64,
                    record: 1 + i as u64,
                },
                payload: Payload::Json(text.as_bytes().to_vec()),
            };
            let Outcome::Evaluated(e) = engine.evaluate(raw) else {
                panic!("record {i} evaluates");
            };
            findings += e.findings.len();
            let mut fast = Vec::new();
            writer.write(&mut fast, &engine, &e);
            let mut reference = Vec::new();
            serde_finding_lines(&mut reference, &engine, &e);
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                String::from_utf8(reference).unwrap()
            );
        }
        assert!(findings >= 10, "only {findings} findings compared");
    }
}
