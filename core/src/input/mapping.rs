//! `[mapping]` of `goodwill.toml`, checked against the field catalogue and
//! ready to apply to records.

use std::collections::HashMap;

use chrono_tz::Tz;
use serde_json::Value as Json;

use super::convert::Conversion;
use crate::fields::{FieldCatalog, FieldDef, PathKind};
use crate::pack::{FieldSource, MappingDef};
use crate::record::Layout;

/// A mapping fault, with the key of `goodwill.toml` it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct MappingError {
    /// Dotted key in `goodwill.toml`: `mapping.fields.customer.id`.
    pub key: String,
    pub message: String,
    pub help: String,
}

/// One mapped field.
#[derive(Debug, Clone)]
pub(super) struct MappedField {
    pub target: Vec<String>,
    pub def: FieldDef,
    /// The source column's dotted path in a JSON record.
    pub source_path: Vec<String>,
    pub values: HashMap<String, String>,
    pub format: Option<String>,
}

impl MappedField {
    pub fn convert_text(&self, text: &str, zone: Option<Tz>) -> Result<Json, String> {
        let text = self.values.get(text.trim()).map_or(text, String::as_str);
        self.conversion(zone).text(text)
    }

    pub fn convert_json(&self, value: Json, zone: Option<Tz>) -> Result<Json, String> {
        let value = match value {
            Json::String(s) => match self.values.get(s.trim()) {
                Some(renamed) => Json::String(renamed.clone()),
                None => Json::String(s),
            },
            other => other,
        };
        self.conversion(zone).json(value)
    }

    fn conversion(&self, zone: Option<Tz>) -> Conversion<'_> {
        Conversion {
            def: &self.def,
            format: self.format.as_deref(),
            zone,
        }
    }
}

/// The compiled `[mapping]` plus the catalogue CSV columns are typed by.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub(super) zone: Option<Tz>,
    pub(super) fields: Vec<MappedField>,
    /// Source column name to index in `fields`.
    pub(super) by_source: HashMap<String, usize>,
    pub(super) catalog: FieldCatalog,
    /// The catalogue's shape, for parsing plain JSON records.
    pub(super) layout: Layout,
    /// What the columns of each CSV header seen are, for plain rows.
    pub(super) csv_plans: super::csv_plan::CsvPlans,
}

impl Mapping {
    /// Checks `def` against `catalog`: every target is a known field, every
    /// source is mapped once, the zone exists.
    pub fn new(def: &MappingDef, catalog: &FieldCatalog) -> Result<Mapping, Vec<MappingError>> {
        let mut errors = Vec::new();
        let zone = match &def.timezone {
            None => None,
            Some(name) => match name.parse::<Tz>() {
                Ok(tz) => Some(tz),
                Err(_) => {
                    errors.push(MappingError {
                        key: "mapping.timezone".to_string(),
                        message: format!("`{name}` is not a time zone"),
                        help: "use an IANA zone name like `Europe/Tallinn` or `America/New_York`, or `UTC`".to_string(),
                    });
                    None
                }
            },
        };
        let mut fields = Vec::new();
        let mut by_source = HashMap::new();
        for (target, source) in &def.fields {
            let key = format!("mapping.fields.{target}");
            let field_def = match catalog.kind(target) {
                PathKind::Field(d) => d.clone(),
                _ => {
                    let help = match catalog.suggest(target) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "map onto a canonical field, or declare the field in `[fields]`"
                            .to_string(),
                    };
                    errors.push(MappingError {
                        key,
                        message: format!("`{target}` is not a field"),
                        help,
                    });
                    continue;
                }
            };
            let from = source.from().trim().to_string();
            if from.is_empty() {
                errors.push(MappingError {
                    key,
                    message: format!("the source of `{target}` is empty"),
                    help: "name the export's column, like `\"Customer ID\"`".to_string(),
                });
                continue;
            }
            if by_source.contains_key(&from) {
                errors.push(MappingError {
                    key,
                    message: format!("the column `{from}` is mapped twice"),
                    help: "map each source column onto one field".to_string(),
                });
                continue;
            }
            let (values, format) = match source {
                FieldSource::Column(_) => (HashMap::new(), None),
                FieldSource::Converted(c) => (
                    c.values
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                    c.format.clone(),
                ),
            };
            by_source.insert(from.clone(), fields.len());
            fields.push(MappedField {
                target: target.split('.').map(str::to_string).collect(),
                def: field_def,
                source_path: from.split('.').map(str::to_string).collect(),
                values,
                format,
            });
        }
        if errors.is_empty() {
            Ok(Mapping {
                zone,
                fields,
                by_source,
                catalog: catalog.clone(),
                layout: Layout::new(catalog),
                csv_plans: Default::default(),
            })
        } else {
            Err(errors)
        }
    }

    /// No mapping: records are read as they are, CSV columns typed by the
    /// catalogue.
    pub fn identity(catalog: &FieldCatalog) -> Mapping {
        Mapping {
            zone: None,
            fields: Vec::new(),
            by_source: HashMap::new(),
            catalog: catalog.clone(),
            layout: Layout::new(catalog),
            csv_plans: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::model::ConvertedSource;

    fn def(fields: &[(&str, &str)], tz: Option<&str>) -> MappingDef {
        MappingDef {
            timezone: tz.map(str::to_string),
            fields: fields
                .iter()
                .map(|(t, s)| (t.to_string(), FieldSource::Column(s.to_string())))
                .collect(),
        }
    }

    #[test]
    fn unknown_target_field_is_refused_with_a_suggestion() {
        let errs = Mapping::new(
            &def(&[("customer.lifetime_valeu", "LTV")], None),
            &FieldCatalog::canonical(),
        )
        .unwrap_err();
        assert_eq!(errs[0].message, "`customer.lifetime_valeu` is not a field");
        assert_eq!(errs[0].help, "did you mean `customer.lifetime_value`?");
    }

    #[test]
    fn unknown_time_zone_is_refused() {
        let errs =
            Mapping::new(&def(&[], Some("Mars/Base")), &FieldCatalog::canonical()).unwrap_err();
        assert_eq!(errs[0].key, "mapping.timezone");
    }

    #[test]
    fn value_renames_apply_before_conversion() {
        let mut d = def(&[], None);
        d.fields.insert(
            "outcome.resolution".to_string(),
            FieldSource::Converted(ConvertedSource {
                from: "Company response".to_string(),
                values: [(
                    "Closed with monetary relief".to_string(),
                    "granted".to_string(),
                )]
                .into_iter()
                .collect(),
                format: None,
            }),
        );
        let m = Mapping::new(&d, &FieldCatalog::canonical()).unwrap();
        assert_eq!(
            m.fields[0].convert_text("Closed with monetary relief", None),
            Ok(Json::String("granted".to_string()))
        );
    }
}
