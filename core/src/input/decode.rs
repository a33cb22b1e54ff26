//! A raw record to an interaction: parse, map, check its `id`, then the
//! types of its fields, into a [`Record`]. A plain JSON line takes the fast
//! path ([`Record::parse`]); anything else, or anything it gives up on,
//! the general one, whose messages are the rejects'.

use serde_json::{Map, Value as Json};

use super::mapping::Mapping;
use super::reject::{Reject, RejectKind};
use super::{Origin, Payload, RawRecord};
use crate::fields::{FieldCatalog, PathKind};
use crate::record::Record;

/// One interaction, ready to evaluate: its fields, typed (canonical
/// paths), and where it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction {
    pub origin: Origin,
    pub id: String,
    pub record: Record,
    /// The record as read, kept for the rejects file.
    pub payload: Payload,
}

impl Interaction {
    /// An interaction from a record already in memory (the demo's): its
    /// `id` and types are checked against `catalog` as a read record's
    /// are, and its JSON text kept for the rejects file.
    pub fn from_record(
        origin: Origin,
        record: Map<String, Json>,
        catalog: &FieldCatalog,
    ) -> Result<Interaction, Reject> {
        // A map of JSON values always serializes.
        let payload = Payload::Json(serde_json::to_vec(&record).unwrap_or_default());
        with_id(origin, record, payload, catalog)
    }

    /// The record as it was read.
    pub fn text(&self) -> String {
        self.payload.text()
    }
}

/// Parses, maps and type-checks one record, or says why it cannot be used.
pub fn decode(raw: RawRecord, mapping: &Mapping) -> Result<Interaction, Reject> {
    let fast = match &raw.payload {
        Payload::Json(bytes) if mapping.fields.is_empty() => plain_json(bytes, mapping),
        Payload::Csv { header, fields } => super::csv_plan::plain_csv(header, fields, mapping),
        _ => None,
    };
    match fast {
        Some((id, record)) => Ok(Interaction {
            origin: raw.origin,
            id,
            record,
            payload: raw.payload,
        }),
        None => decode_general(raw, mapping),
    }
}

/// The general path, which every record can take: a JSON map, the
/// `[mapping]`, then the checks, whose faults are the rejects' messages.
/// The fast paths give the same interaction or leave the record to it.
pub(super) fn decode_general(raw: RawRecord, mapping: &Mapping) -> Result<Interaction, Reject> {
    let RawRecord { origin, payload } = raw;
    let fail = |origin: Origin, kind: RejectKind, reason: String, text: String| Reject {
        origin,
        kind,
        reason,
        text,
    };
    let record = match payload {
        Payload::Rejected { kind, reason, text } => return Err(fail(origin, kind, reason, text)),
        Payload::Json(ref bytes) => match json_record(bytes, mapping) {
            Ok(r) => (r, payload),
            Err((kind, reason)) => return Err(fail(origin, kind, reason, payload.text())),
        },
        Payload::Csv {
            ref header,
            ref fields,
        } => match csv_record(header, fields, mapping) {
            Ok(r) => (r, payload),
            Err((kind, reason)) => return Err(fail(origin, kind, reason, payload.text())),
        },
    };
    let (record, payload) = record;
    with_id(origin, record, payload, &mapping.catalog)
}

/// The fast path for a JSON record that needs no mapping: parsed straight
/// into a [`Record`] when it is plain, with a usable `id`. `None` hands it
/// to the general path, which has the messages for everything else.
fn plain_json(bytes: &[u8], mapping: &Mapping) -> Option<(String, Record)> {
    let record = Record::parse(bytes, &mapping.layout)?;
    let id = match record.id() {
        Some(s) if !s.trim().is_empty() => s.to_string(),
        _ => return None,
    };
    Some((id, record))
}

/// The interaction, once its `id` and then its types are checked.
fn with_id(
    origin: Origin,
    record: Map<String, Json>,
    payload: Payload,
    catalog: &FieldCatalog,
) -> Result<Interaction, Reject> {
    let checked = check_id(&record).and_then(|id| match Record::from_map(record, catalog) {
        Ok(record) => Ok((id, record)),
        Err(e) => Err((RejectKind::WrongType, e.to_string())),
    });
    match checked {
        Ok((id, record)) => Ok(Interaction {
            origin,
            id,
            record,
            payload,
        }),
        Err((kind, reason)) => Err(Reject {
            origin,
            kind,
            reason,
            text: payload.text(),
        }),
    }
}

type Fault = (RejectKind, String);

fn json_record(bytes: &[u8], mapping: &Mapping) -> Result<Map<String, Json>, Fault> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        (
            RejectKind::InvalidUtf8,
            format!(
                "the record is not UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })?;
    let value = super::strict_json::parse(text).map_err(|e| match e {
        Ok(twice) => (
            RejectKind::DuplicateField,
            format!("{} (column {})", twice.reason, twice.column),
        ),
        Err(e) => json_fault(e),
    })?;
    let Json::Object(mut map) = value else {
        return Err((
            RejectKind::NotAnObject,
            format!(
                "a record must be a JSON object, found {}",
                crate::cel::describe_json(&value)
            ),
        ));
    };
    for field in &mapping.fields {
        let Some(value) = take_path(&mut map, &field.source_path) else {
            continue;
        };
        if value.is_null() {
            continue;
        }
        let converted = field
            .convert_json(value, mapping.zone)
            .map_err(|r| (RejectKind::WrongType, r))?;
        let source = || format!("from `{}` by `[mapping]`", field.source_path.join("."));
        insert_path(&mut map, &field.target, converted, source)?;
    }
    Ok(map)
}

fn json_fault(e: serde_json::Error) -> Fault {
    let msg = e.to_string();
    if msg.starts_with("recursion limit exceeded") {
        return (
            RejectKind::TooDeep,
            format!(
                "the record nests deeper than {} levels",
                super::readers::MAX_DEPTH
            ),
        );
    }
    // serde's position is within the record; the line is ours.
    let reason = msg.split(" at line ").next().unwrap_or(&msg).to_string();
    (
        RejectKind::Malformed,
        format!("malformed JSON: {} (column {})", reason, e.column()),
    )
}

fn csv_record(
    header: &[String],
    fields: &csv::ByteRecord,
    mapping: &Mapping,
) -> Result<Map<String, Json>, Fault> {
    let mut map = Map::new();
    for (column, (name, bytes)) in header.iter().zip(fields).enumerate() {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            (
                RejectKind::InvalidUtf8,
                format!("column `{name}` is not UTF-8"),
            )
        })?;
        if text.trim().is_empty() {
            continue;
        }
        if let Some(&i) = mapping.by_source.get(name.as_str()) {
            let field = &mapping.fields[i];
            let value = field
                .convert_text(text, mapping.zone)
                .map_err(|r| (RejectKind::WrongType, format!("{r} (column `{name}`)")))?;
            insert_path(&mut map, &field.target, value, || {
                format!("from column {} `{name}` by `[mapping]`", column + 1)
            })?;
            continue;
        }
        let value = match mapping.catalog.kind(name) {
            PathKind::Field(def) => super::convert::Conversion {
                def,
                format: None,
                zone: mapping.zone,
            }
            .text(text)
            .map_err(|r| (RejectKind::WrongType, r))?,
            _ => Json::String(text.to_string()),
        };
        let source = || format!("in column {} `{name}`", column + 1);
        if is_path(name) {
            let segs: Vec<String> = name.split('.').map(str::to_string).collect();
            insert_path(&mut map, &segs, value, source)?;
        } else {
            insert_path(&mut map, std::slice::from_ref(name), value, source)?;
        }
    }
    Ok(map)
}

fn is_path(name: &str) -> bool {
    name.split('.').all(|seg| {
        let mut chars = seg.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

fn take_path(map: &mut Map<String, Json>, path: &[String]) -> Option<Json> {
    match path {
        [] => None,
        [leaf] => map.remove(leaf),
        [head, rest @ ..] => match map.get_mut(head) {
            Some(Json::Object(inner)) => take_path(inner, rest),
            _ => None,
        },
    }
}

/// Puts `value` at `path`, making the objects on the way, unless the
/// record already has a different value there: then the record is
/// rejected, naming both values and where the second came from (`source`),
/// rather than losing the first. The same value again is one field.
fn insert_path(
    map: &mut Map<String, Json>,
    path: &[String],
    value: Json,
    source: impl FnOnce() -> String,
) -> Result<(), Fault> {
    let mut cur = map;
    for (i, seg) in path.iter().enumerate() {
        if i + 1 == path.len() {
            match cur.entry(seg.clone()) {
                serde_json::map::Entry::Vacant(v) => {
                    v.insert(value);
                }
                serde_json::map::Entry::Occupied(o) if *o.get() != value => {
                    return Err((
                        RejectKind::DuplicateField,
                        format!(
                            "`{}` is given twice, as {} and as {} ({})",
                            path.join("."),
                            crate::cel::describe_json(o.get()),
                            crate::cel::describe_json(&value),
                            source()
                        ),
                    ));
                }
                serde_json::map::Entry::Occupied(_) => {}
            }
            return Ok(());
        }
        let slot = cur
            .entry(seg.clone())
            .or_insert_with(|| Json::Object(Map::new()));
        cur = match slot {
            Json::Object(inner) => inner,
            other => {
                return Err((
                    RejectKind::WrongType,
                    format!(
                        "`{}` must be an object, found {}",
                        path[..=i].join("."),
                        crate::cel::describe_json(other)
                    ),
                ));
            }
        };
    }
    Ok(())
}

fn check_id(record: &Map<String, Json>) -> Result<String, Fault> {
    match record.get("id") {
        None | Some(Json::Null) => {
            Err((RejectKind::MissingId, "the record has no `id`".to_string()))
        }
        Some(Json::String(s)) if s.trim().is_empty() => Err((
            RejectKind::MissingId,
            "the record's `id` is empty".to_string(),
        )),
        Some(Json::String(s)) => Ok(s.clone()),
        Some(other) => Err((
            RejectKind::WrongType,
            format!(
                "`id` must be a string, found {}: map it in `[mapping]` to convert it",
                crate::cel::describe_json(other)
            ),
        )),
    }
}
