//! Interactions as CEL sees them. A JSON record becomes CEL values with the
//! types of the field catalogue: `customer.tenure_months` is an `int` even
//! though serde would hand a JSON integer over as `uint`, money is a
//! `double` even when the export wrote `40`, and `at` is a timestamp.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde_json::Value as Json;

use crate::fields::{FieldCatalog, FieldDef, FieldType, PathKind};

/// The value of an expression, in the project's own terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Double(f64),
    String(String),
    /// RFC 3339.
    Timestamp(String),
    List(Vec<Value>),
    /// Entries sorted by key.
    Map(Vec<(String, Value)>),
    /// Anything else (bytes, durations, types), as CEL prints it.
    Other(String),
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::UInt(_) => "uint",
            Value::Double(_) => "double",
            Value::String(_) => "string",
            Value::Timestamp(_) => "timestamp",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Other(_) => "value",
        }
    }

    pub(crate) fn from_cel(v: &cel::Value) -> Value {
        match v {
            cel::Value::Null => Value::Null,
            cel::Value::Bool(b) => Value::Bool(*b),
            cel::Value::Int(i) => Value::Int(*i),
            cel::Value::UInt(u) => Value::UInt(*u),
            cel::Value::Float(f) => Value::Double(*f),
            cel::Value::String(s) => Value::String(s.to_string()),
            cel::Value::Timestamp(t) => Value::Timestamp(t.to_rfc3339()),
            cel::Value::List(l) => Value::List(l.iter().map(Value::from_cel).collect()),
            cel::Value::Map(m) => {
                let mut entries: Vec<(String, Value)> = m
                    .map
                    .iter()
                    .map(|(k, v)| (key_string(k), Value::from_cel(v)))
                    .collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Value::Map(entries)
            }
            other => Value::Other(format!("{other:?}")),
        }
    }

    /// The value as JSON, for evidence and reports.
    pub fn to_json(&self) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::UInt(u) => Json::from(*u),
            Value::Double(d) => serde_json::Number::from_f64(*d).map_or(Json::Null, Json::Number),
            Value::String(s) | Value::Timestamp(s) | Value::Other(s) => Json::String(s.clone()),
            Value::List(l) => Json::Array(l.iter().map(Value::to_json).collect()),
            Value::Map(m) => {
                Json::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }
}

fn key_string(k: &cel::objects::Key) -> String {
    match k {
        cel::objects::Key::Int(i) => i.to_string(),
        cel::objects::Key::Uint(u) => u.to_string(),
        cel::objects::Key::Bool(b) => b.to_string(),
        cel::objects::Key::String(s) => s.to_string(),
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::UInt(u) => write!(f, "{u}"),
            Value::Double(d) => write!(f, "{d}"),
            Value::String(s) | Value::Timestamp(s) | Value::Other(s) => f.write_str(s),
            Value::List(l) => {
                f.write_str("[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Map(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A field of a record does not fit the type the catalogue gives it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{path}` must be {expected}, found {found}")]
pub struct ActivationError {
    pub path: String,
    pub expected: String,
    pub found: String,
}

/// One interaction, bound for evaluation. The CEL context is built once
/// per interaction, not once per expression: converting the record into the
/// interpreter's values is most of an evaluation's cost.
pub struct Activation {
    roots: Vec<(String, cel::Value)>,
    /// How many of `roots` are the record's own fields (the catalogue's
    /// empty objects follow).
    own: usize,
    /// Whether [`super::ROOT`] is bound: only for expressions that use it
    /// ([`Activation::with_root`]), as it copies every field.
    rooted: bool,
    ctx: cel::Context<'static, 'static>,
}

impl fmt::Debug for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Activation")
            .field("roots", &self.roots)
            .finish_non_exhaustive()
    }
}

impl Clone for Activation {
    fn clone(&self) -> Self {
        Activation::from_roots(self.roots.clone(), self.own, self.rooted)
    }
}

impl Activation {
    /// Binds a JSON object, typing every catalogued field. A `null` counts
    /// as absent. Objects of the catalogue (`customer`, `outcome`) are always
    /// present, so a missing leaf reads as a missing key rather than an
    /// undeclared name.
    pub fn new(
        record: &serde_json::Map<String, Json>,
        catalog: &FieldCatalog,
    ) -> Result<Self, ActivationError> {
        let mut roots = Vec::with_capacity(record.len() + 4);
        for (key, value) in record {
            if value.is_null() {
                continue;
            }
            roots.push((key.clone(), convert(key, value, catalog)?));
        }
        let own = roots.len();
        add_catalog_objects(&mut roots, catalog);
        Ok(Activation::from_roots(roots, own, false))
    }

    /// Checks that `record` would bind, without binding it: the same error
    /// [`Activation::new`] would give, at a fraction of the cost.
    pub fn check(
        record: &serde_json::Map<String, Json>,
        catalog: &FieldCatalog,
    ) -> Result<(), ActivationError> {
        let mut path = String::with_capacity(64);
        for (key, value) in record {
            if value.is_null() {
                continue;
            }
            path.clear();
            path.push_str(key);
            check(&mut path, value, catalog)?;
        }
        Ok(())
    }

    /// Binds a [`Record`](crate::record::Record), which is checked already:
    /// as [`Activation::new`] binds [`Record::to_map`](crate::record::Record::to_map),
    /// without the copy.
    pub fn of_record(
        record: &crate::record::Record,
        catalog: &FieldCatalog,
    ) -> Result<Self, ActivationError> {
        use crate::record::{Leaf, Root};
        let leaf = |path: &str, leaf: Leaf<'_>| match leaf {
            Leaf::Json(Json::Null) => None,
            Leaf::Json(v) => Some(convert(path, v, catalog)),
            Leaf::Str(s) => Some(convert(path, &Json::String(s.to_string()), catalog)),
        };
        let mut roots = Vec::new();
        for (key, root) in record.roots() {
            let value = match root {
                Root::Leaf(l) => match leaf(key, l) {
                    Some(v) => v?,
                    None => continue,
                },
                Root::Object(children) => {
                    let mut out: HashMap<String, cel::Value> =
                        HashMap::with_capacity(children.len());
                    for (child, l) in children {
                        if let Some(v) = leaf(&format!("{key}.{child}"), l) {
                            out.insert(child.to_string(), v?);
                        }
                    }
                    cel::Value::Map(out.into())
                }
            };
            roots.push((key.to_string(), value));
        }
        let own = roots.len();
        add_catalog_objects(&mut roots, catalog);
        Ok(Activation::from_roots(roots, own, false))
    }

    /// The bound names and values, sorted by name: for tests.
    #[cfg(test)]
    pub(crate) fn sorted_roots(&self) -> Vec<(String, cel::Value)> {
        let mut roots = self.roots.clone();
        roots.sort_by(|a, b| a.0.cmp(&b.0));
        roots
    }

    fn from_roots(roots: Vec<(String, cel::Value)>, own: usize, rooted: bool) -> Activation {
        let mut ctx = cel::Context::with_env(super::env());
        for (k, v) in &roots {
            ctx.add_variable_from_value(k.clone(), v.clone());
        }
        Activation {
            roots,
            own,
            rooted,
            ctx,
        }
    }

    /// This binding with [`super::ROOT`] bound to the record's own fields
    /// (not the catalogue's empty objects: `has(interaction.customer)`
    /// says whether the record has a `customer`). It hides a field of
    /// that name, which a pack cannot declare anyway.
    pub(crate) fn with_root(&self) -> Activation {
        let own = &self.roots[..self.own];
        let fields: HashMap<String, cel::Value> = own.iter().cloned().collect();
        let mut roots: Vec<(String, cel::Value)> = own
            .iter()
            .filter(|(k, _)| k != super::ROOT)
            .cloned()
            .collect();
        let own = roots.len();
        roots.push((super::ROOT.to_string(), cel::Value::Map(fields.into())));
        roots.extend(self.roots[self.own..].iter().cloned());
        Activation::from_roots(roots, own, true)
    }

    pub(crate) fn is_rooted(&self) -> bool {
        self.rooted
    }

    pub(crate) fn context(&self) -> &cel::Context<'static, 'static> {
        &self.ctx
    }
}

/// Binds the catalogue's top-level objects (`customer`, `outcome`) the
/// record lacks, empty: a missing leaf then reads as a missing key rather
/// than an undeclared name.
fn add_catalog_objects(roots: &mut Vec<(String, cel::Value)>, catalog: &FieldCatalog) {
    // The catalogue is sorted, so each object appears in one run of keys.
    let mut last_root: Option<&str> = None;
    for def in catalog.iter() {
        let Some((root, _)) = def.path.split_once('.') else {
            continue;
        };
        if last_root == Some(root) {
            continue;
        }
        last_root = Some(root);
        if !roots.iter().any(|(k, _)| k == root) {
            roots.push((
                root.to_string(),
                cel::Value::Map(HashMap::<String, cel::Value>::new().into()),
            ));
        }
    }
}

fn convert(path: &str, json: &Json, catalog: &FieldCatalog) -> Result<cel::Value, ActivationError> {
    match catalog.kind(path) {
        PathKind::Field(def) => typed(def, json),
        PathKind::Object => match json {
            Json::Object(map) => {
                let mut out: HashMap<String, cel::Value> = HashMap::with_capacity(map.len());
                for (k, v) in map {
                    if v.is_null() {
                        continue;
                    }
                    let child = format!("{path}.{k}");
                    out.insert(k.clone(), convert(&child, v, catalog)?);
                }
                Ok(cel::Value::Map(out.into()))
            }
            other => Err(mismatch(path, "an object", other)),
        },
        PathKind::Unknown => Ok(generic(json)),
    }
}

fn typed(def: &FieldDef, json: &Json) -> Result<cel::Value, ActivationError> {
    check_typed(def, json)?;
    Ok(match json {
        Json::String(s) if def.ty == FieldType::Timestamp => {
            chrono::DateTime::parse_from_rfc3339(s).map_or(cel::Value::Null, cel::Value::Timestamp)
        }
        Json::String(s) => cel::Value::String(Arc::new(s.clone())),
        Json::Number(n) if def.ty == FieldType::Int => match n.as_i64() {
            Some(i) => cel::Value::Int(i),
            None => cel::Value::Int(n.as_f64().unwrap_or(0.0) as i64),
        },
        Json::Number(n) => cel::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        Json::Bool(b) => cel::Value::Bool(*b),
        Json::Array(items) => cel::Value::List(Arc::new(
            items
                .iter()
                .map(|i| match i {
                    Json::String(s) => cel::Value::String(Arc::new(s.clone())),
                    other => generic(other),
                })
                .collect(),
        )),
        other => generic(other),
    })
}

/// Whether the string `s` fits the field `def` (of type string or
/// timestamp; any other type takes no string): [`check_typed`] for a
/// `Json::String`, without one.
pub(crate) fn check_typed_str(def: &FieldDef, s: &str) -> Result<(), ActivationError> {
    let path = def.path.as_str();
    match def.ty {
        FieldType::String => {
            if !def.allowed.is_empty() && !def.allowed.iter().any(|a| a == s) {
                return Err(ActivationError {
                    path: path.to_string(),
                    expected: format!("one of {}", backticked(&def.allowed)),
                    found: format!("`{s}`"),
                });
            }
            Ok(())
        }
        FieldType::Timestamp if super::rfc3339::plainly_valid(s) => Ok(()),
        FieldType::Timestamp => chrono::DateTime::parse_from_rfc3339(s)
            .map(|_| ())
            .map_err(|_| ActivationError {
                path: path.to_string(),
                expected: "an RFC 3339 date-time like `2024-03-01T09:30:00Z`".to_string(),
                found: format!("`{s}`"),
            }),
        _ => check_typed(def, &Json::String(s.to_string())),
    }
}

/// Whether `json` fits the field `def`: the one place the binding's type
/// rules are written, used both to bind and to check without binding.
pub(crate) fn check_typed(def: &FieldDef, json: &Json) -> Result<(), ActivationError> {
    let path = def.path.as_str();
    match def.ty {
        FieldType::String => match json {
            Json::String(s) => check_typed_str(def, s),
            other => Err(mismatch(path, "a string", other)),
        },
        FieldType::Int => match json {
            Json::Number(n) => {
                if n.as_i64().is_some()
                    || n.as_f64()
                        .is_some_and(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                {
                    Ok(())
                } else {
                    Err(mismatch(path, "a whole number", json))
                }
            }
            other => Err(mismatch(path, "a whole number", other)),
        },
        FieldType::Double => match json {
            Json::Number(_) => Ok(()),
            other => Err(mismatch(path, "a number", other)),
        },
        FieldType::Bool => match json {
            Json::Bool(_) => Ok(()),
            other => Err(mismatch(path, "true or false", other)),
        },
        FieldType::Timestamp => match json {
            Json::String(s) => check_typed_str(def, s),
            other => Err(mismatch(path, "an RFC 3339 date-time string", other)),
        },
        FieldType::StringList => match json {
            Json::Array(items) => match items.iter().find(|i| !i.is_string()) {
                Some(other) => Err(mismatch(path, "a list of strings", other)),
                None => Ok(()),
            },
            other => Err(mismatch(path, "a list of strings", other)),
        },
    }
}

/// Checks `json` at `path` against the catalogue without binding it: the
/// same rules as [`convert`], which calls [`check_typed`] for every leaf.
/// `path` is a buffer extended and restored for children.
fn check(path: &mut String, json: &Json, catalog: &FieldCatalog) -> Result<(), ActivationError> {
    if let Some(def) = catalog.get(path) {
        return check_typed(def, json);
    }
    match json {
        // An object of the catalogue or an unknown one: either way its
        // children are checked by their own paths (a child that is a field
        // makes this path an object of the catalogue).
        Json::Object(map) => {
            let len = path.len();
            for (k, v) in map {
                if v.is_null() {
                    continue;
                }
                path.push('.');
                path.push_str(k);
                let result = check(path, v, catalog);
                path.truncate(len);
                result?;
            }
            Ok(())
        }
        other => match catalog.kind(path) {
            PathKind::Object => Err(mismatch(path, "an object", other)),
            _ => Ok(()),
        },
    }
}

fn generic(json: &Json) -> cel::Value {
    match json {
        Json::Null => cel::Value::Null,
        Json::Bool(b) => cel::Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => cel::Value::Int(i),
            None => cel::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => cel::Value::String(Arc::new(s.clone())),
        Json::Array(a) => cel::Value::List(Arc::new(a.iter().map(generic).collect())),
        Json::Object(m) => {
            let out: HashMap<String, cel::Value> =
                m.iter().map(|(k, v)| (k.clone(), generic(v))).collect();
            cel::Value::Map(out.into())
        }
    }
}

fn mismatch(path: &str, expected: &str, found: &Json) -> ActivationError {
    ActivationError {
        path: path.to_string(),
        expected: expected.to_string(),
        found: describe_json(found),
    }
}

/// `a string `"x"``, `a number `3``: what a value is, for messages.
pub fn describe_json(v: &Json) -> String {
    let mut text = v.to_string();
    if text.chars().count() > 40 {
        text = text.chars().take(37).collect::<String>() + "...";
    }
    let kind = match v {
        Json::Null => return "null".to_string(),
        Json::Bool(_) => "a bool",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    };
    format!("{kind} `{text}`")
}

fn backticked(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn describe_exec_error(e: &cel::ExecutionError) -> String {
    use cel::ExecutionError as E;
    match e {
        E::NoSuchKey(k) => format!("the interaction has no `{k}`: guard the read with `has()`"),
        E::UndeclaredReference(name) => format!(
            "the interaction has no `{name}`: guard the read with `has({}.{name})`",
            super::ROOT
        ),
        E::UnsupportedBinaryOperator(op, a, b) => format!(
            "cannot apply `{op}` to {} and {}",
            Value::from_cel(a).type_name(),
            Value::from_cel(b).type_name()
        ),
        E::ValuesNotComparable(a, b) => format!(
            "cannot compare {} with {}",
            Value::from_cel(a).type_name(),
            Value::from_cel(b).type_name()
        ),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            match chars.next() {
                Some(c) => c.to_lowercase().chain(chars).collect(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cel::compile;

    fn act(json: &str) -> Activation {
        let v: Json = serde_json::from_str(json).unwrap();
        Activation::new(v.as_object().unwrap(), &FieldCatalog::canonical()).unwrap()
    }

    #[test]
    fn json_integers_bind_as_cel_int_for_int_fields() {
        let e = compile("customer.tenure_months + 1 == 13").unwrap();
        assert!(
            e.eval_bool(&act(r#"{"id":"a","customer":{"tenure_months":12}}"#))
                .unwrap()
        );
    }

    #[test]
    fn money_written_as_an_integer_binds_as_double() {
        let e = compile("request.amount * 2.0").unwrap();
        let v = e
            .eval(&act(r#"{"id":"a","request":{"amount":40}}"#))
            .unwrap();
        assert_eq!(v, Value::Double(80.0));
    }

    #[test]
    fn timestamps_bind_as_cel_timestamps() {
        let e = compile("promise.delivered_at > promise.due").unwrap();
        let a = act(
            r#"{"id":"a","promise":{"due":"2024-01-01T00:00:00Z","delivered_at":"2024-01-03T00:00:00+01:00"}}"#,
        );
        assert!(e.eval_bool(&a).unwrap());
    }

    #[test]
    fn wrong_type_for_a_canonical_field_is_an_error() {
        let v: Json = serde_json::from_str(r#"{"id":"a","csat":"five"}"#).unwrap();
        let err = Activation::new(v.as_object().unwrap(), &FieldCatalog::canonical()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`csat` must be a whole number, found a string `\"five\"`"
        );
    }

    #[test]
    fn value_outside_a_closed_set_is_an_error() {
        let v: Json = serde_json::from_str(r#"{"id":"a","channel":"pigeon"}"#).unwrap();
        assert!(Activation::new(v.as_object().unwrap(), &FieldCatalog::canonical()).is_err());
    }

    #[test]
    fn missing_leaf_is_a_runtime_error_naming_it() {
        let e = compile("customer.lifetime_value > 1.0").unwrap();
        let err = e.eval(&act(r#"{"id":"a"}"#)).unwrap_err();
        assert_eq!(
            err.message,
            "the interaction has no `customer.lifetime_value`: guard the read with \
             `has(customer.lifetime_value)`"
        );
    }

    #[test]
    fn non_bool_condition_is_reported_with_its_value() {
        let e = compile("request.amount").unwrap();
        let err = e
            .eval_bool(&act(r#"{"id":"a","request":{"amount":2.5}}"#))
            .unwrap_err();
        assert_eq!(err.message, "expected a bool, got double `2.5`");
    }
}
