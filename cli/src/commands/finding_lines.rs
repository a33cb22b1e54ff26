//! The finding lines of `goodwill eval` (schema: `docs/eval-output.md`),
//! written with the parts that only depend on the check (policy, check,
//! severity, level, and the keys around them) escaped once per run instead
//! of once per finding. The bytes are those of serializing
//! [`super::eval::FindingLine`] with serde: `tests` checks it.

use goodwill_core::engine::{Engine, Evaluated};
use goodwill_core::json_text::write_str;
use goodwill_core::record::{FieldPath, FieldValue};
use serde_json::Value as Json;

/// Writes the finding lines of a pack's TOML policies.
pub(super) struct FindingLines {
    /// By policy, then check.
    checks: Vec<Vec<CheckLine>>,
}

/// What a finding line of one check is made of, beyond the record.
struct CheckLine {
    /// `,"policy":…,"message":`.
    middle: Vec<u8>,
    /// The evidence: each field the condition reads, once, first read
    /// first ([`Engine::evidence`]), as its JSON key with the separators
    /// before and after it, and the field.
    evidence: Vec<(Vec<u8>, FieldPath)>,
}

impl FindingLines {
    pub(super) fn new(engine: &Engine<'_>) -> FindingLines {
        let checks = engine
            .pack()
            .policies
            .iter()
            .map(|policy| {
                policy
                    .checks
                    .iter()
                    .map(|check| {
                        let mut middle = b",\"policy\":".to_vec();
                        json(&mut middle, policy.id());
                        middle.extend_from_slice(b",\"check\":");
                        json(&mut middle, &check.id);
                        middle.extend_from_slice(b",\"severity\":");
                        json(&mut middle, &check.severity);
                        middle.extend_from_slice(b",\"level\":");
                        json(&mut middle, &check.level);
                        middle.extend_from_slice(b",\"message\":");
                        let evidence = check
                            .when
                            .read_paths()
                            .enumerate()
                            .map(|(i, path)| {
                                let mut key = if i == 0 { Vec::new() } else { vec![b','] };
                                json(&mut key, path);
                                key.push(b':');
                                (key, FieldPath::new(path))
                            })
                            .collect();
                        CheckLine { middle, evidence }
                    })
                    .collect()
            })
            .collect();
        FindingLines { checks }
    }

    /// One line per finding of `e`, in order.
    pub(super) fn write(&self, out: &mut Vec<u8>, e: &Evaluated) {
        if e.findings.is_empty() {
            return;
        }
        // A finding line is a few hundred bytes: room for them at once,
        // rather than growing the buffer a few bytes at a time.
        out.reserve(e.findings.len() * 512);
        let origin = &e.interaction.origin;
        let record = &e.interaction.record;
        let mut source = b"},\"source\":{\"file\":".to_vec();
        write_str(&mut source, &origin.file);
        source.extend_from_slice(b",\"line\":");
        json(&mut source, &origin.line);
        source.extend_from_slice(b",\"record\":");
        json(&mut source, &origin.record);
        source.extend_from_slice(b"}}\n");
        for f in &e.findings {
            let check = &self.checks[f.policy][f.check];
            out.extend_from_slice(b"{\"interaction\":");
            write_str(out, &e.interaction.id);
            out.extend_from_slice(&check.middle);
            write_str(out, &f.message);
            out.extend_from_slice(b",\"evidence\":{");
            for (key, field) in &check.evidence {
                out.extend_from_slice(key);
                match field.read(record) {
                    Some(FieldValue::Str(s)) => write_str(out, s),
                    Some(FieldValue::Json(v)) => match &*v {
                        Json::String(s) => write_str(out, s),
                        other => json(out, other),
                    },
                    None => out.extend_from_slice(b"null"),
                }
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
            writer.write(&mut fast, &e);
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
