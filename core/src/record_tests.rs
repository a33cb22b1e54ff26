//! [`Record::parse`] (the fast path) against [`Record::from_map`] over a
//! `serde_json` map (the general path): whenever the fast path gives a
//! record it is the general path's, and on plain records it does give one.

use std::borrow::Cow;

use proptest::prelude::*;
use serde_json::{Map, Value as Json, json};

use super::{Fields, Layout, Record};
use crate::fields::{CANONICAL_FIELDS, FieldCatalog, FieldType};

fn catalog() -> FieldCatalog {
    let mut c = FieldCatalog::canonical();
    c.declare("branch", FieldType::String).unwrap();
    c.declare("survey.score", FieldType::Int).unwrap();
    c.declare("customer.region", FieldType::String).unwrap();
    c
}

fn general(text: &str, catalog: &FieldCatalog) -> Option<Result<Record, String>> {
    match serde_json::from_str::<Json>(text) {
        Ok(Json::Object(map)) => Some(Record::from_map(map, catalog).map_err(|e| e.to_string())),
        _ => None,
    }
}

fn fast(text: &str, catalog: &FieldCatalog) -> Option<Record> {
    Record::parse(text.as_bytes(), &Layout::new(catalog))
}

const PLAIN: &str = r#"{"id":"c-1","at":"2024-03-01T09:30:00Z","channel":"phone","customer":{"id":"k","tenure_months":30,"lifetime_value":5200.5,"region":"north","vip":true},"outcome":{"resolution":"denied","fee_charged":null},"policies_invoked":["fees"],"branch":"b7","survey":{"score":4},"extra":{"deep":[1,{"x":null}]},"transcript":"we \"can't\" \u00e9"}"#;

#[test]
fn a_plain_line_parses_to_the_record_the_general_path_gives() {
    let c = catalog();
    let fast = fast(PLAIN, &c).expect("a plain line takes the fast path");
    assert_eq!(Some(Ok(fast.clone())), general(PLAIN, &c));
    assert_eq!(
        Json::Object(fast.to_map()),
        serde_json::from_str::<Json>(PLAIN).unwrap()
    );
}

#[test]
fn canonical_fields_are_read_from_their_slots_and_the_rest_by_path() {
    let r = fast(PLAIN, &catalog()).unwrap();
    assert_eq!(r.get("customer.tenure_months").as_deref(), Some(&json!(30)));
    assert_eq!(r.get("outcome.fee_charged").as_deref(), Some(&Json::Null));
    assert_eq!(r.get("outcome.refund"), None);
    assert_eq!(r.get("customer.region").as_deref(), Some(&json!("north")));
    assert_eq!(r.get("survey.score").as_deref(), Some(&json!(4)));
    assert_eq!(
        r.get("extra.deep").as_deref(),
        Some(&json!([1, {"x": null}]))
    );
    assert_eq!(r.get("nope"), None);
}

#[test]
fn an_object_of_canonical_fields_reads_whole() {
    let r = fast(PLAIN, &catalog()).unwrap();
    let customer = r.get("customer").unwrap();
    assert!(matches!(customer, Cow::Owned(_)));
    assert_eq!(
        customer.into_owned(),
        json!({"id": "k", "tenure_months": 30, "lifetime_value": 5200.5, "region": "north", "vip": true})
    );
    assert_eq!(
        r.get("outcome").unwrap().into_owned(),
        json!({"resolution": "denied", "fee_charged": null})
    );
}

#[test]
fn a_value_of_the_wrong_type_is_left_to_the_general_path() {
    let c = catalog();
    for text in [
        r#"{"id":"a","customer":{"tenure_months":"ten"}}"#,
        r#"{"id":"a","channel":"fax"}"#,
        r#"{"id":"a","customer":5}"#,
        r#"{"id":"a","survey":{"score":1.5}}"#,
        r#"{"id":"a","policies_invoked":["x",1]}"#,
        r#"{"id":"a","at":"yesterday"}"#,
    ] {
        assert_eq!(fast(text, &c), None, "{text}");
        assert!(matches!(general(text, &c), Some(Err(_))), "{text}");
    }
}

#[test]
fn a_repeated_key_is_left_to_the_general_path() {
    let c = catalog();
    for text in [
        r#"{"id":"a","csat":1,"csat":2}"#,
        r#"{"id":"a","customer":{"id":"k"},"customer":null}"#,
        r#"{"id":"a","branch":"x","branch":"y"}"#,
        // Uncatalogued, at the top and inside a value nobody catalogues.
        r#"{"id":"a","note":1,"note":2}"#,
        r#"{"id":"a","extra":{"k":1,"k":1}}"#,
    ] {
        assert_eq!(fast(text, &c), None, "{text}");
    }
}

#[test]
fn malformed_or_non_object_lines_are_left_to_the_general_path() {
    let c = catalog();
    for text in [
        "",
        "null",
        "[1]",
        r#"{"id":"a""#,
        r#"{"id":"a"} x"#,
        "{\"id\":\"a\",}",
    ] {
        assert_eq!(fast(text, &c), None, "{text:?}");
    }
}

#[test]
fn invalid_utf8_is_left_to_the_general_path() {
    let layout = Layout::new(&catalog());
    for bytes in [
        &b"{\"id\":\"a\xff\"}"[..],
        &b"{\"id\":\"a\",\"note\":\"\xc3\"}"[..],
        &b"{\"id\":\"a\",\"k\xe9y\":1}"[..],
    ] {
        assert_eq!(Record::parse(bytes, &layout), None, "{bytes:?}");
    }
    assert!(Record::parse("{\"id\":\"é\"}".as_bytes(), &layout).is_some());
}

#[test]
fn a_record_from_a_map_gives_the_map_back() {
    let c = catalog();
    let map: Map<String, Json> = serde_json::from_str(PLAIN).unwrap();
    assert_eq!(Record::from_map(map.clone(), &c).unwrap().to_map(), map);
}

#[test]
fn a_slot_exists_for_every_canonical_field_in_order() {
    for (i, f) in CANONICAL_FIELDS.iter().enumerate() {
        assert_eq!(crate::fields::canonical_slot(f.path), Some(i));
    }
    assert_eq!(crate::fields::canonical_slot("customer"), None);
}

/// A JSON value for a key, as text: usually of the right type, sometimes
/// null, of another type, an object or nested.
fn value_text(ty: Option<FieldType>) -> BoxedStrategy<String> {
    let good: BoxedStrategy<String> = match ty {
        Some(FieldType::String) => prop_oneof![
            Just("\"phone\"".to_string()),
            Just("\"denied\"".to_string()),
            "[a-z\\\\\"é ]{0,8}".prop_map(|s| serde_json::to_string(&s).unwrap()),
            Just("\"\\u0041b\\n\"".to_string()),
        ]
        .boxed(),
        Some(FieldType::Int) => prop_oneof![
            (-50i64..50).prop_map(|i| i.to_string()),
            Just("3.0".to_string()),
            Just("1e2".to_string()),
            Just("18446744073709551615".to_string()),
        ]
        .boxed(),
        Some(FieldType::Double) => (-1e6f64..1e6).prop_map(|d| format!("{d}")).boxed(),
        Some(FieldType::Bool) => any::<bool>().prop_map(|b| b.to_string()).boxed(),
        Some(FieldType::Timestamp) => prop_oneof![
            Just("\"2024-03-01T09:30:00Z\"".to_string()),
            Just("\"2024-03-01T09:30:00+02:00\"".to_string()),
            Just("\"2024-03-01\"".to_string()),
        ]
        .boxed(),
        Some(FieldType::StringList) => prop_oneof![
            Just("[]".to_string()),
            Just("[\"fees\",\"refunds\"]".to_string()),
            Just("[\"fees\",null]".to_string()),
        ]
        .boxed(),
        None => prop_oneof![
            Just("1".to_string()),
            Just("\"x\"".to_string()),
            Just("{\"a\":[true,null]}".to_string()),
        ]
        .boxed(),
    };
    prop_oneof![
        40 => good,
        1 => Just("null".to_string()),
        1 => prop_oneof![
            Just("true".to_string()),
            Just("7".to_string()),
            Just("\"x\"".to_string()),
            Just("{}".to_string()),
            Just("[1]".to_string()),
        ],
    ]
    .boxed()
}

/// A catalogued (or not) path with a value as JSON text.
fn member() -> BoxedStrategy<(String, String)> {
    let mut leaves: Vec<(String, Option<FieldType>)> = catalog()
        .iter()
        .map(|d| (d.path.clone(), Some(d.ty)))
        .collect();
    leaves.push(("note".into(), None));
    leaves.push(("customer.vip".into(), None));
    leaves.push(("customer".into(), None));
    prop::sample::select(leaves)
        .prop_flat_map(|(path, ty)| value_text(ty).prop_map(move |v| (path.clone(), v)))
        .boxed()
}

/// Members as one JSON object, paths sharing a first segment nested in
/// one object (a path drawn twice is a repeated key).
fn render(members: &[(Vec<&str>, &str)]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut done: Vec<&str> = Vec::new();
    for (segs, value) in members {
        let head = segs[0];
        if segs.len() == 1 {
            parts.push(format!("\"{head}\":{value}"));
            continue;
        }
        if done.contains(&head) {
            continue;
        }
        done.push(head);
        let inner: Vec<(Vec<&str>, &str)> = members
            .iter()
            .filter(|(s, _)| s.len() > 1 && s[0] == head)
            .map(|(s, v)| (s[1..].to_vec(), *v))
            .collect();
        parts.push(format!("\"{head}\":{}", render(&inner)));
    }
    format!("{{{}}}", parts.join(","))
}

fn record_text() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            4 => Just("\"r-1\"".to_string()),
            1 => Just("\"  \"".to_string()),
            1 => Just("3".to_string()),
            1 => Just(String::new()),
        ],
        prop::collection::vec(member(), 0..24),
    )
        .prop_map(|(id, members)| {
            let mut all: Vec<(Vec<&str>, &str)> = Vec::new();
            if !id.is_empty() {
                all.push((vec!["id"], id.as_str()));
            }
            all.extend(
                members
                    .iter()
                    .map(|(p, v)| (p.split('.').collect(), v.as_str())),
            );
            render(&all)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_fast_path_gives_the_general_paths_record_or_gives_up(text in record_text()) {
        let c = catalog();
        let general = general(&text, &c).expect("generated text is a JSON object");
        match fast(&text, &c) {
            Some(record) => {
                prop_assert_eq!(Ok(record.clone()), general);
                let map: Map<String, Json> = serde_json::from_str(&text).unwrap();
                prop_assert_eq!(&record.to_map(), &map);
                // The interpreter binds the record as it binds the map.
                let bound = crate::cel::Activation::of_record(&record, &c).unwrap();
                let expected = crate::cel::Activation::new(&map, &c).unwrap();
                prop_assert_eq!(bound.sorted_roots(), expected.sorted_roots());
            }
            None => {
                // Giving up is for a type error or a repeated catalogued
                // key only, never for a plain record.
                let repeated = has_repeated_object_keys(&text);
                prop_assert!(general.is_err() || repeated, "gave up on a plain record: {}", text);
            }
        }
    }
}

/// Whether some object of `text` has a key twice.
fn has_repeated_object_keys(text: &str) -> bool {
    // serde_json keeps the last of repeated keys: count keys as read.
    let mut de = serde_json::Deserializer::from_str(text);
    let counted: Result<bool, _> = serde::Deserializer::deserialize_any(&mut de, RepeatFinder);
    counted.unwrap_or(false)
}

struct RepeatFinder;

impl<'de> serde::de::Visitor<'de> for RepeatFinder {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("json")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<bool, A::Error> {
        let mut seen = std::collections::BTreeSet::new();
        let mut repeated = false;
        while let Some(k) = a.next_key::<String>()? {
            repeated |= !seen.insert(k);
            repeated |= a.next_value_seed(RepeatSeed)?;
        }
        Ok(repeated)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<bool, A::Error> {
        let mut repeated = false;
        while let Some(r) = a.next_element_seed(RepeatSeed)? {
            repeated |= r;
        }
        Ok(repeated)
    }

    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }
}

struct RepeatSeed;

impl<'de> serde::de::DeserializeSeed<'de> for RepeatSeed {
    type Value = bool;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(RepeatFinder)
    }
}

/// Bytes that matter to JSON's grammar, and a few that break it.
const EDIT_BYTES: &[u8] = b"\"\\,:{}[]0123456789-+.eE \n\ttrufalsn\x01\x7f\xc3\xa9";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// The scanner validates JSON itself: whatever it accepts, serde_json
    /// accepts too and reads as the same record.
    #[test]
    fn the_fast_path_accepts_only_what_serde_json_accepts(
        text in record_text(),
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), prop::sample::select(EDIT_BYTES), 0..3u8),
            1..4,
        ),
    ) {
        let mut bytes = text.into_bytes();
        for (at, byte, how) in edits {
            let at = at.index(bytes.len() + 1);
            match how {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => bytes.push(byte),
            }
        }
        let c = catalog();
        if let Some(record) = Record::parse(&bytes, &Layout::new(&c)) {
            let parsed = serde_json::from_slice::<Json>(&bytes);
            prop_assert!(parsed.is_ok(), "accepted what serde_json rejects: {:?}", String::from_utf8_lossy(&bytes));
            let Ok(Json::Object(map)) = parsed else {
                return Err(TestCaseError::fail("accepted a value that is not an object"));
            };
            prop_assert_eq!(Ok(record), Record::from_map(map, &c).map_err(|e| e.to_string()));
        }
    }

    /// Numbers of every shape read as serde_json reads them, to the bit.
    #[test]
    fn numbers_read_as_serde_json_reads_them(
        sign in prop::sample::select(&["", "-"][..]),
        int in "(0|[1-9][0-9]{0,21})",
        frac in prop::option::of("[0-9]{1,20}"),
        exp in prop::option::of(("[eE]", prop::sample::select(&["", "+", "-"][..]), "[0-9]{1,4}")),
    ) {
        let mut number = format!("{sign}{int}");
        if let Some(f) = frac {
            number.push('.');
            number.push_str(&f);
        }
        if let Some((e, s, d)) = exp {
            number.push_str(&format!("{e}{s}{d}"));
        }
        let text = format!(r#"{{"id":"r-1","nps":{number},"extra":{number}}}"#);
        let c = catalog();
        let serde = serde_json::from_str::<Json>(&text);
        match Record::parse(text.as_bytes(), &Layout::new(&c)) {
            Some(record) => {
                let Ok(Json::Object(map)) = serde else {
                    return Err(TestCaseError::fail(format!("accepted {text}")));
                };
                let bits = |v: Option<Cow<'_, Json>>| v.and_then(|v| v.as_f64()).map(f64::to_bits);
                prop_assert_eq!(bits(record.get("extra")), bits(map.get("extra").map(Cow::Borrowed)));
                prop_assert_eq!(Ok(record), Record::from_map(map, &c).map_err(|e| e.to_string()));
            }
            None => {
                // `nps` is a whole number: a fraction there is a type error.
                let general = match serde {
                    Ok(Json::Object(map)) => Record::from_map(map, &c).is_ok(),
                    _ => false,
                };
                prop_assert!(!general, "gave up on a plain record: {}", text);
            }
        }
    }
}
