//! A record's JSON text to a JSON value, as `serde_json` makes it, except
//! that an object may not give the same key twice with different values.
//!
//! `serde_json` (like jq) keeps the last of repeated keys, so in
//! `{"csat": 1, "csat": 5}` the `1` would be lost without a word. An audit
//! cannot tell which of the two the export meant, so such a record is
//! rejected, naming the field by its path. A key repeated with the same
//! value loses nothing and is one field.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value as Json};

/// Where a value is in the record: the keys (and list positions) above it.
#[derive(Clone, Copy)]
enum At<'p> {
    Top,
    Key(&'p At<'p>, &'p str),
    Index(&'p At<'p>, usize),
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Top => Ok(()),
            At::Key(At::Top, key) => f.write_str(key),
            At::Key(parent, key) => write!(f, "{parent}.{key}"),
            At::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// Parses `text` into a JSON value. `Err(Ok(reason))` is a key given twice
/// with different values (`reason` names it); `Err(Err(e))` is anything
/// `serde_json` itself refuses, with its error.
pub(super) fn parse(text: &str) -> Result<Json, Result<Duplicate, serde_json::Error>> {
    let found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Seed {
        at: At::Top,
        found: &found,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    match (value, found.into_inner()) {
        (Ok(v), _) => Ok(v),
        (Err(e), Some(reason)) => Err(Ok(Duplicate {
            reason,
            column: e.column(),
        })),
        (Err(e), None) => Err(Err(e)),
    }
}

/// A key given twice with different values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Duplicate {
    /// Names the field and both values.
    pub reason: String,
    /// Where in the record the second value ended.
    pub column: usize,
}

/// One value at `at`; a repeated key is told through `found`.
#[derive(Clone, Copy)]
struct Seed<'p, 'f> {
    at: At<'p>,
    found: &'f RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_, '_> {
    type Value = Json;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_, '_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        // As serde_json's own `Value`: a number it cannot hold is null
        // (its parser never makes one).
        Ok(Number::from_f64(v).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        loop {
            let at = At::Index(&self.at, items.len());
            let seed = Seed {
                at,
                found: self.found,
            };
            match seq.next_element_seed(seed)? {
                Some(v) => items.push(v),
                None => return Ok(Json::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Seed {
                at: At::Key(&self.at, &key),
                found: self.found,
            })?;
            match object.get(&key) {
                Some(first) if *first != value => {
                    let reason = format!(
                        "`{}` is given twice, as {} and as {}",
                        At::Key(&self.at, &key),
                        crate::cel::describe_json(first),
                        crate::cel::describe_json(&value)
                    );
                    self.found.replace(Some(reason));
                    return Err(de::Error::custom("a key is given twice"));
                }
                Some(_) => {}
                None => {
                    object.insert(key, value);
                }
            }
        }
        Ok(Json::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn duplicate(text: &str) -> Duplicate {
        match parse(text) {
            Err(Ok(d)) => d,
            other => panic!("{text}: expected a duplicate, got {other:?}"),
        }
    }

    #[test]
    fn a_key_given_twice_with_different_values_is_named_with_both() {
        let d = duplicate(r#"{"id": "a", "csat": 1, "csat": 5}"#);
        assert_eq!(
            d.reason,
            "`csat` is given twice, as a number `1` and as a number `5`"
        );
        assert_eq!(d.column, 33);
    }

    #[test]
    fn a_nested_key_is_named_by_its_path() {
        let d = duplicate(r#"{"customer": {"tags": [{"k": 1, "k": "x"}]}}"#);
        assert!(
            d.reason.starts_with("`customer.tags[0].k` is given twice"),
            "{}",
            d.reason
        );
    }

    #[test]
    fn a_key_repeated_with_the_same_value_is_one_field() {
        let v = parse(r#"{"id": "a", "c": {"x": [1]}, "c": {"x": [1]}}"#).unwrap();
        assert_eq!(v, serde_json::json!({"id": "a", "c": {"x": [1]}}));
    }

    #[test]
    fn without_repeated_keys_the_value_is_serde_jsons() {
        let texts = [
            r#"{"a": [1, -2, 3.5, 1e300, 18446744073709551615, -9223372036854775808]}"#,
            r#"{"s": "\u00e9\n\ud83d\ude00", "n": null, "t": true, "f": false, "e": {}, "l": []}"#,
            r#"[{"a": 1}, {"a": 1}]"#,
            r#""text""#,
        ];
        for text in texts {
            let ours = parse(text).unwrap();
            let theirs: Json = serde_json::from_str(text).unwrap();
            assert_eq!(ours, theirs, "{text}");
        }
    }

    #[test]
    fn malformed_json_is_serde_jsons_error() {
        for text in [r#"{"id": "#, r#"{"id": 1} x"#, "[1,]", r#"{"a": 1e400}"#] {
            let ours = match parse(text) {
                Err(Err(e)) => e.to_string(),
                other => panic!("{text}: {other:?}"),
            };
            let theirs = serde_json::from_str::<Json>(text).unwrap_err().to_string();
            assert_eq!(ours, theirs, "{text}");
        }
    }

    #[test]
    fn nesting_past_serde_jsons_limit_is_its_recursion_error() {
        let text = "[".repeat(200) + &"]".repeat(200);
        match parse(&text) {
            Err(Err(e)) => assert!(e.to_string().starts_with("recursion limit exceeded")),
            other => panic!("{other:?}"),
        }
    }
}
