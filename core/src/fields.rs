//! The interaction model's field catalogue: every canonical field of an
//! interaction (DESIGN.md) with its type, plus the fields a pack declares in
//! `[fields]`. CEL expressions and message placeholders may read only fields
//! that are in the catalogue; that is what turns a misspelt field from a rule
//! that silently never fires into a load error.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The type a field has when CEL reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// UTF-8 text.
    String,
    /// A signed whole number (CEL `int`).
    Int,
    /// A number with a fraction, money among them (CEL `double`).
    Double,
    /// `true` or `false`.
    Bool,
    /// An RFC 3339 date-time (CEL `google.protobuf.Timestamp`).
    Timestamp,
    /// A list of strings.
    #[serde(rename = "list<string>")]
    #[schemars(rename = "list<string>")]
    StringList,
}

impl FieldType {
    /// The name a pack author writes and reads in messages.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Int => "int",
            FieldType::Double => "double",
            FieldType::Bool => "bool",
            FieldType::Timestamp => "timestamp",
            FieldType::StringList => "list<string>",
        }
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One canonical field of an interaction.
#[derive(Debug, Clone, Copy)]
pub struct CanonicalField {
    /// Dotted path, as CEL reads it: `customer.lifetime_value`.
    pub path: &'static str,
    pub ty: FieldType,
    /// For string fields with a closed set of values.
    pub allowed: &'static [&'static str],
    pub doc: &'static str,
}

const fn field(path: &'static str, ty: FieldType, doc: &'static str) -> CanonicalField {
    CanonicalField {
        path,
        ty,
        allowed: &[],
        doc,
    }
}

/// Channels an interaction can come through.
pub const CHANNELS: &[&str] = &["store", "phone", "chat", "email", "web", "social"];
/// How an interaction ended.
pub const RESOLUTIONS: &[&str] = &["granted", "partial", "denied", "escalated", "unresolved"];

/// The canonical interaction fields of DESIGN.md, in the order documented there.
pub const CANONICAL_FIELDS: &[CanonicalField] = &[
    field(
        "id",
        FieldType::String,
        "unique id of the interaction (required)",
    ),
    field(
        "at",
        FieldType::Timestamp,
        "when the interaction took place",
    ),
    CanonicalField {
        path: "channel",
        ty: FieldType::String,
        allowed: CHANNELS,
        doc: "store, phone, chat, email, web or social",
    },
    field("agent", FieldType::String, "who served the customer"),
    field("customer.id", FieldType::String, "the customer's id"),
    field(
        "customer.tenure_months",
        FieldType::Int,
        "months the customer has been a customer",
    ),
    field(
        "customer.lifetime_value",
        FieldType::Double,
        "the customer's value to the company, in the pack's currency",
    ),
    field(
        "customer.segment",
        FieldType::String,
        "the company's segment for the customer",
    ),
    field(
        "request.kind",
        FieldType::String,
        "what the customer asked for",
    ),
    field(
        "request.amount",
        FieldType::Double,
        "the money at stake in the request",
    ),
    CanonicalField {
        path: "outcome.resolution",
        ty: FieldType::String,
        allowed: RESOLUTIONS,
        doc: "granted, partial, denied, escalated or unresolved",
    },
    field(
        "outcome.exception_requested",
        FieldType::Bool,
        "the customer asked for an exception to policy",
    ),
    field(
        "outcome.exception_granted",
        FieldType::Bool,
        "an exception to policy was granted",
    ),
    field(
        "outcome.fee_charged",
        FieldType::Double,
        "fee charged to the customer",
    ),
    field("outcome.refund", FieldType::Double, "money refunded"),
    field(
        "outcome.credit",
        FieldType::Double,
        "credit or voucher given",
    ),
    field(
        "promise.made_at",
        FieldType::Timestamp,
        "when a promise was made",
    ),
    field(
        "promise.due",
        FieldType::Timestamp,
        "when the promise was due",
    ),
    field(
        "promise.delivered_at",
        FieldType::Timestamp,
        "when the promise was delivered",
    ),
    field(
        "promise.quoted_price",
        FieldType::Double,
        "the price promised",
    ),
    field(
        "promise.charged_price",
        FieldType::Double,
        "the price charged",
    ),
    field(
        "response_minutes",
        FieldType::Double,
        "minutes until the first response",
    ),
    field("contacts", FieldType::Int, "contacts the customer needed"),
    field(
        "transfers",
        FieldType::Int,
        "times the customer was transferred",
    ),
    field(
        "blamed_third_party",
        FieldType::Bool,
        "the company blamed a partner for the problem",
    ),
    field("complaint", FieldType::Bool, "the customer complained"),
    field("csat", FieldType::Int, "satisfaction score, 1 to 5"),
    field("nps", FieldType::Int, "net promoter score answer, 0 to 10"),
    field("churned", FieldType::Bool, "the customer left afterwards"),
    field(
        "policies_invoked",
        FieldType::StringList,
        "ids of the policies the agent cited",
    ),
    field("transcript", FieldType::String, "the conversation's text"),
    field(
        "language",
        FieldType::String,
        "the conversation's language (BCP 47 tag)",
    ),
];

/// The slot of the canonical field at dotted `path` in a
/// [`crate::record::Record`]: its index in [`CANONICAL_FIELDS`].
pub fn canonical_slot(path: &str) -> Option<usize> {
    // By length first: most lengths have one or two fields, so a lookup is
    // one or two short compares (it runs for every evidence value and
    // message placeholder written).
    static BY_LEN: OnceLock<Vec<Vec<(&'static str, usize)>>> = OnceLock::new();
    let by_len = BY_LEN.get_or_init(|| {
        let mut v: Vec<Vec<(&'static str, usize)>> = Vec::new();
        for (i, f) in CANONICAL_FIELDS.iter().enumerate() {
            if v.len() <= f.path.len() {
                v.resize_with(f.path.len() + 1, Vec::new);
            }
            v[f.path.len()].push((f.path, i));
        }
        v
    });
    by_len
        .get(path.len())?
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, i)| *i)
}

/// Where a field's definition comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldOrigin {
    Canonical,
    /// Declared in the pack's `goodwill.toml` `[fields]`.
    Declared,
}

/// A field that CEL may read, with its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDef {
    pub path: String,
    pub ty: FieldType,
    pub allowed: Vec<String>,
    pub origin: FieldOrigin,
}

/// What a dotted path names in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind<'a> {
    /// A leaf field with a type.
    Field(&'a FieldDef),
    /// An object whose children are fields (`customer`, `outcome`).
    Object,
    /// Nothing: a misspelling or an undeclared field.
    Unknown,
}

/// The fields a pack's expressions may read: the canonical ones and the
/// pack's declared ones.
#[derive(Debug, Clone, Default)]
pub struct FieldCatalog {
    fields: BTreeMap<String, FieldDef>,
}

impl FieldCatalog {
    /// The canonical fields only.
    pub fn canonical() -> Self {
        let mut fields = BTreeMap::new();
        for f in CANONICAL_FIELDS {
            fields.insert(
                f.path.to_string(),
                FieldDef {
                    path: f.path.to_string(),
                    ty: f.ty,
                    allowed: f.allowed.iter().map(|s| s.to_string()).collect(),
                    origin: FieldOrigin::Canonical,
                },
            );
        }
        FieldCatalog { fields }
    }

    /// Adds a pack-declared field. Returns an error message when the path is
    /// not usable (it collides with a canonical field or object).
    pub fn declare(&mut self, path: &str, ty: FieldType) -> Result<(), String> {
        if !is_valid_path(path) {
            return Err(format!(
                "`{path}` is not a field path: use identifiers joined by dots, like `survey.score`"
            ));
        }
        if path.split('.').next() == Some(crate::cel::ROOT) {
            return Err(format!(
                "`{}` names the whole interaction in conditions (`has(interaction.csat)`), \
                 so no field can be declared under it",
                crate::cel::ROOT
            ));
        }
        match self.kind(path) {
            PathKind::Field(existing) if existing.origin == FieldOrigin::Canonical => {
                return Err(format!(
                    "`{path}` is a canonical field already, of type `{}`",
                    existing.ty
                ));
            }
            PathKind::Field(_) => return Err(format!("`{path}` is declared twice")),
            PathKind::Object => {
                return Err(format!(
                    "`{path}` is an object of canonical fields, not a field"
                ));
            }
            PathKind::Unknown => {}
        }
        // A prefix of the new path must not be a leaf field.
        let mut prefix = String::new();
        for seg in path.split('.') {
            if !prefix.is_empty() {
                if let Some(def) = self.fields.get(&prefix) {
                    return Err(format!(
                        "`{prefix}` is a field of type `{}`, so it cannot have children",
                        def.ty
                    ));
                }
                prefix.push('.');
            }
            prefix.push_str(seg);
        }
        self.fields.insert(
            path.to_string(),
            FieldDef {
                path: path.to_string(),
                ty,
                allowed: Vec::new(),
                origin: FieldOrigin::Declared,
            },
        );
        Ok(())
    }

    /// What `path` names.
    pub fn kind(&self, path: &str) -> PathKind<'_> {
        if let Some(def) = self.fields.get(path) {
            return PathKind::Field(def);
        }
        let prefix = format!("{path}.");
        if self
            .fields
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&prefix))
        {
            return PathKind::Object;
        }
        PathKind::Unknown
    }

    pub fn get(&self, path: &str) -> Option<&FieldDef> {
        self.fields.get(path)
    }

    /// All fields, sorted by path.
    pub fn iter(&self) -> impl Iterator<Item = &FieldDef> {
        self.fields.values()
    }

    /// Every path that may be read: fields and the objects above them.
    pub fn readable_paths(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for path in self.fields.keys() {
            let mut prefix = String::new();
            for seg in path.split('.') {
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(seg);
                out.push(prefix.clone());
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The readable path closest to `path`, if one is close enough to be a
    /// likely misspelling.
    pub fn suggest(&self, path: &str) -> Option<String> {
        crate::suggest::closest(path, self.readable_paths().iter().map(String::as_str))
    }
}

fn is_valid_path(path: &str) -> bool {
    !path.is_empty()
        && path.split('.').all(|seg| {
            let mut chars = seg.chars();
            matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_leaf_is_a_field_with_its_type() {
        let cat = FieldCatalog::canonical();
        match cat.kind("customer.tenure_months") {
            PathKind::Field(def) => assert_eq!(def.ty, FieldType::Int),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn parent_of_canonical_fields_is_an_object() {
        assert_eq!(FieldCatalog::canonical().kind("customer"), PathKind::Object);
    }

    #[test]
    fn misspelt_path_is_unknown_and_suggests_the_field() {
        let cat = FieldCatalog::canonical();
        assert_eq!(cat.kind("customer.lifetime_valeu"), PathKind::Unknown);
        assert_eq!(
            cat.suggest("customer.lifetime_valeu").as_deref(),
            Some("customer.lifetime_value")
        );
    }

    #[test]
    fn declared_field_becomes_readable_with_its_object() {
        let mut cat = FieldCatalog::canonical();
        cat.declare("survey.comment", FieldType::String).unwrap();
        assert!(matches!(cat.kind("survey.comment"), PathKind::Field(_)));
        assert_eq!(cat.kind("survey"), PathKind::Object);
    }

    #[test]
    fn declaring_a_canonical_field_is_refused() {
        let mut cat = FieldCatalog::canonical();
        assert!(cat.declare("customer.segment", FieldType::Int).is_err());
        assert!(cat.declare("customer", FieldType::Int).is_err());
        assert!(cat.declare("csat.detail", FieldType::Int).is_err());
        assert!(cat.declare("interaction", FieldType::Int).is_err());
        assert!(cat.declare("interaction.note", FieldType::String).is_err());
        assert!(cat.declare("bad path", FieldType::Int).is_err());
    }
}
