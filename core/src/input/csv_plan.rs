//! The fast path for CSV rows, as [`crate::record::Record::parse`] is for
//! JSON lines: a row whose columns are all canonical fields or plain names
//! nobody catalogues, with values that convert and fit their types, goes
//! straight into a [`Record`], without a JSON map, nested objects and a
//! second type check. Anything else (a `[mapping]`, a declared field, a
//! dotted name that is not canonical, a value that does not convert or
//! fit, an `id` that will not do) gives up, and the general path decides,
//! with its messages. `tests` checks that both give the same record.
//!
//! What each column is, is worked out once per header
//! ([`CsvPlans::plan`]) and kept with the [`Mapping`].

use std::sync::{Arc, RwLock};

use serde_json::Value as Json;

use super::convert::Conversion;
use super::mapping::Mapping;
use crate::cel::check_typed;
use crate::fields::{FieldDef, PathKind, canonical_slot};
use crate::record::Record;

/// What one column of a plain header holds.
#[derive(Debug)]
enum Column {
    /// A canonical field, by slot, with its definition.
    Canonical(usize, FieldDef),
    /// A top-level name nobody catalogues: kept as a string.
    Other(String),
}

/// The columns of one header, or `None` when some column needs the
/// general path.
type Plan = Option<Arc<[Column]>>;

/// The plans of the headers seen, by header (the same `Arc` for every row
/// of a file). A run reads a handful of files: a short list.
#[derive(Debug, Default)]
pub(crate) struct CsvPlans(RwLock<Vec<(Arc<[String]>, Plan)>>);

impl Clone for CsvPlans {
    /// A clone starts empty: plans are only a cache.
    fn clone(&self) -> CsvPlans {
        CsvPlans::default()
    }
}

impl CsvPlans {
    fn plan(&self, header: &Arc<[String]>, mapping: &Mapping) -> Plan {
        let known = |plans: &[(Arc<[String]>, Plan)]| {
            plans
                .iter()
                .find(|(h, _)| Arc::ptr_eq(h, header))
                .map(|(_, p)| p.clone())
        };
        // A poisoned lock only means another thread panicked: plans are
        // still plans.
        if let Some(plan) = known(&self.0.read().unwrap_or_else(|e| e.into_inner())) {
            return plan;
        }
        let plan = plan_of(header, mapping);
        let mut plans = self.0.write().unwrap_or_else(|e| e.into_inner());
        if known(&plans).is_none() {
            plans.push((Arc::clone(header), plan.clone()));
        }
        plan
    }
}

fn plan_of(header: &[String], mapping: &Mapping) -> Plan {
    if !mapping.fields.is_empty() {
        return None;
    }
    let mut columns = Vec::with_capacity(header.len());
    for (i, name) in header.iter().enumerate() {
        // Two columns of one name may disagree: the general path says so.
        if header[..i].contains(name) {
            return None;
        }
        let column = match (canonical_slot(name), mapping.catalog.kind(name)) {
            (Some(slot), PathKind::Field(def)) => Column::Canonical(slot, def.clone()),
            (None, PathKind::Unknown) if !name.contains('.') => Column::Other(name.clone()),
            _ => return None,
        };
        columns.push(column);
    }
    Some(columns.into())
}

/// The row as a record with its `id`, or `None` for the general path.
pub(super) fn plain_csv(
    header: &Arc<[String]>,
    fields: &csv::ByteRecord,
    mapping: &Mapping,
) -> Option<(String, Record)> {
    let plan = mapping.csv_plans.plan(header, mapping)?;
    let mut record = Record::empty();
    for (column, bytes) in plan.iter().zip(fields) {
        let text = std::str::from_utf8(bytes).ok()?;
        if text.trim().is_empty() {
            continue;
        }
        match column {
            Column::Canonical(slot, def) => {
                let value = Conversion {
                    def,
                    format: None,
                    zone: mapping.zone,
                }
                .text(text)
                .ok()?;
                if !value.is_null() && check_typed(def, &value).is_err() {
                    return None;
                }
                record.set_canonical(*slot, value);
            }
            Column::Other(name) => record.set_other(name.clone(), Json::String(text.to_string())),
        }
    }
    let id = match record.id() {
        Some(id) if !id.trim().is_empty() => id.to_string(),
        _ => return None,
    };
    Some((id, record))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::plain_csv;
    use crate::fields::{FieldCatalog, FieldType};
    use crate::input::decode::decode_general;
    use crate::input::{Mapping, Origin, Payload, RawRecord};

    fn mapping() -> Mapping {
        let mut c = FieldCatalog::canonical();
        c.declare("survey.score", FieldType::Int).unwrap();
        Mapping::identity(&c)
    }

    fn row(header: &Arc<[String]>, cells: &[&str]) -> csv::ByteRecord {
        assert_eq!(header.len(), cells.len());
        csv::ByteRecord::from(cells.to_vec())
    }

    fn general(
        header: &Arc<[String]>,
        fields: csv::ByteRecord,
        m: &Mapping,
    ) -> Option<(String, crate::record::Record)> {
        let raw = RawRecord {
            origin: Origin {
                file: "t.csv".into(),
                line: 2,
                record: 1,
            },
            payload: Payload::Csv {
                header: Arc::clone(header),
                fields,
            },
        };
        decode_general(raw, m).ok().map(|i| (i.id, i.record))
    }

    #[test]
    fn a_plain_row_takes_the_fast_path_and_gives_the_general_paths_record() {
        let m = mapping();
        let header: Arc<[String]> = [
            "id",
            "channel",
            "customer.tenure_months",
            "outcome.exception_granted",
            "at",
            "Region Name",
        ]
        .map(String::from)
        .into();
        let fields = row(
            &header,
            &[
                "c-1",
                "phone",
                " 30 ",
                "yes",
                "2024-03-01T09:30:00Z",
                "north",
            ],
        );
        let fast = plain_csv(&header, &fields, &m).expect("a plain row takes the fast path");
        assert_eq!(Some(fast), general(&header, fields, &m));
    }

    #[test]
    fn columns_the_fast_path_does_not_know_are_left_to_the_general_path() {
        let m = mapping();
        for name in ["survey.score", "customer.vip", "customer"] {
            let header: Arc<[String]> = ["id".to_string(), name.to_string()].into();
            let fields = row(&header, &["c-1", "4"]);
            assert_eq!(plain_csv(&header, &fields, &m), None, "{name}");
        }
    }

    const NAMES: &[&str] = &[
        "id",
        "channel",
        "customer.id",
        "customer.tenure_months",
        "customer.lifetime_value",
        "outcome.resolution",
        "outcome.exception_granted",
        "at",
        "transfers",
        "note",
        "Region Name",
        "survey.score",
        "customer.vip",
    ];
    const CELLS: &[&str] = &[
        "",
        "  ",
        "r-1",
        " r-2 ",
        "phone",
        "chat",
        "12",
        "-3",
        "3.5",
        "1,200.50",
        "$20",
        "yes",
        "No",
        "TRUE",
        "0",
        "2024-03-01T09:30:00Z",
        "2024-03-01 09:30",
        "2024-03-01",
        "abc",
        "denied",
        "granted",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn the_fast_path_gives_the_general_paths_interaction_or_gives_up(
            columns in prop::collection::vec(
                (prop::sample::select(NAMES), prop::sample::select(CELLS)),
                1..10,
            ),
        ) {
            let m = mapping();
            let header: Arc<[String]> = columns.iter().map(|(n, _)| n.to_string()).collect();
            let fields = csv::ByteRecord::from(columns.iter().map(|(_, c)| *c).collect::<Vec<_>>());
            if let Some(fast) = plain_csv(&header, &fields, &m) {
                prop_assert_eq!(Some(fast), general(&header, fields, &m));
            }
        }
    }
}
