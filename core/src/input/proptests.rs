//! Arbitrary bytes and arbitrary JSON through every reader and the engine:
//! no panic, and every record read is either evaluated or rejected.

use std::io::Cursor;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use serde_json::Value as Json;

use super::{InputError, InputFormat, open_reader};
use crate::engine::{Engine, Summary, Tally, run_ordered};
use crate::pack::Pack;

fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| {
        crate::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies/example"))
            .expect("the example pack loads")
    })
}

/// Runs the engine over `bytes` read as `format`; returns the summary and
/// the number of records the reader produced.
fn run(bytes: Vec<u8>, format: InputFormat, max: usize, jobs: usize) -> (Summary, u64) {
    let (s, produced, fault) = run_fallible(bytes, format, max, jobs);
    assert!(
        fault.is_none(),
        "in-memory input never fails to read: {fault:?}"
    );
    (s, produced)
}

/// Like [`run`], but a fault that ends the input is returned.
fn run_fallible(
    bytes: Vec<u8>,
    format: InputFormat,
    max: usize,
    jobs: usize,
) -> (Summary, u64, Option<InputError>) {
    let engine = Engine::new(pack()).unwrap();
    let reader = open_reader(Box::new(Cursor::new(bytes)), format, Arc::from("p"), max);
    let mut produced = 0u64;
    let records = reader.inspect(|r| {
        if r.is_ok() {
            produced += 1;
        }
    });
    let mut summary = Summary::default();
    let result = run_ordered(
        records,
        jobs,
        |raw| engine.evaluate(raw).into_tally(),
        |t: Tally| {
            summary.add(&engine, &t);
            std::ops::ControlFlow::Continue(())
        },
    );
    (summary, produced, result.err())
}

fn json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Json::from),
        "[a-z0-9 .:-]{0,12}".prop_map(Json::String),
        prop_oneof![
            Just("id"),
            Just("csat"),
            Just("channel"),
            Just("store"),
            Just("at")
        ]
        .prop_map(|s| Json::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("customer".to_string()),
                    Just("request".to_string()),
                    Just("amount".to_string()),
                    Just("csat".to_string()),
                    Just("channel".to_string()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

fn non_blank_lines(bytes: &[u8]) -> u64 {
    let mut n = 0;
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = if i == 0 {
            line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
        } else {
            line
        };
        if !line.iter().all(u8::is_ascii_whitespace) {
            n += 1;
        }
    }
    n
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_as_json_lines_are_each_evaluated_or_rejected(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        max in 1usize..200,
    ) {
        let (s, produced) = run(bytes.clone(), InputFormat::JsonLines, max, 2);
        prop_assert_eq!(s.read, produced);
        prop_assert_eq!(s.read, s.evaluated + s.rejected);
        prop_assert_eq!(s.read, non_blank_lines(&bytes));
    }

    #[test]
    fn arbitrary_bytes_as_a_json_array_do_not_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let (s, produced) = run(bytes, InputFormat::JsonArray, 1 << 20, 1);
        prop_assert_eq!(s.read, produced);
        prop_assert_eq!(s.read, s.evaluated + s.rejected);
    }

    #[test]
    fn arbitrary_bytes_as_csv_do_not_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let (s, produced, fault) = run_fallible(bytes, InputFormat::Csv, 1 << 20, 1);
        // A header that is not UTF-8 makes the file unreadable: no record
        // is read from it, and the run says so.
        if let Some(e) = fault {
            prop_assert!(e.to_string().contains("of the header is not UTF-8"), "{}", e);
            prop_assert_eq!(s.read, 0);
        }
        prop_assert_eq!(s.read, produced);
        prop_assert_eq!(s.read, s.evaluated + s.rejected);
    }

    #[test]
    fn arbitrary_json_values_one_per_line_are_each_accounted_for(
        values in prop::collection::vec(json_value(), 0..20),
    ) {
        let mut bytes = Vec::new();
        for v in &values {
            bytes.extend_from_slice(v.to_string().as_bytes());
            bytes.push(b'\n');
        }
        let (s, _) = run(bytes, InputFormat::JsonLines, 1 << 20, 2);
        prop_assert_eq!(s.read, values.len() as u64);
        prop_assert_eq!(s.read, s.evaluated + s.rejected);
        let not_objects = values.iter().filter(|v| !v.is_object()).count() as u64;
        prop_assert!(s.rejected >= not_objects);
    }

    #[test]
    fn arbitrary_json_array_has_one_record_per_element(
        values in prop::collection::vec(json_value(), 0..20),
        pretty in any::<bool>(),
    ) {
        let array = Json::Array(values.clone());
        let text = if pretty {
            serde_json::to_string_pretty(&array).unwrap()
        } else {
            array.to_string()
        };
        let (s, _) = run(text.into_bytes(), InputFormat::JsonArray, 1 << 20, 2);
        prop_assert_eq!(s.read, values.len() as u64);
        prop_assert_eq!(s.read, s.evaluated + s.rejected);
    }

    #[test]
    fn arbitrary_csv_cells_give_one_record_per_row(
        rows in prop::collection::vec(prop::collection::vec(".{0,8}", 3), 0..10),
    ) {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["id", "csat", "note"]).unwrap();
        for r in &rows {
            w.write_record(r).unwrap();
        }
        let bytes = w.into_inner().unwrap();
        let (s, _) = run(bytes, InputFormat::Csv, 1 << 20, 2);
        prop_assert_eq!(s.read, s.evaluated + s.rejected);
        // A row whose cells are all blank is a blank line, not a record.
        let blank = rows.iter().filter(|r| r.iter().all(|c| c.trim().is_empty())).count();
        prop_assert!(s.read <= rows.len() as u64);
        prop_assert!(s.read + blank as u64 >= rows.len() as u64);
    }
}
