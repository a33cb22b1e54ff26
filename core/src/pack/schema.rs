//! The JSON Schema of the pack format, generated from the types serde reads,
//! and the key lookups the loader's "did you mean" uses.

use schemars::schema_for;
use serde_json::Value as Json;

use super::model::{Manifest, PolicyFile};

/// The JSON Schema of `goodwill.toml`.
pub fn manifest_schema() -> Json {
    serde_json::to_value(schema_for!(Manifest)).unwrap_or(Json::Null)
}

/// The JSON Schema of a policy file.
pub fn policy_schema() -> Json {
    serde_json::to_value(schema_for!(PolicyFile)).unwrap_or(Json::Null)
}

/// The keys the schema allows in the table at `path` (dotted, with array
/// indices), sorted.
pub fn keys_at(schema: &Json, path: &[&str]) -> Vec<String> {
    let mut node = resolve(schema, schema);
    for seg in path {
        let next = node
            .get("properties")
            .and_then(|p| p.get(*seg))
            .or_else(|| {
                if seg.parse::<usize>().is_ok() {
                    node.get("items")
                } else {
                    None
                }
            });
        match next {
            Some(n) => node = resolve(schema, n),
            None => return Vec::new(),
        }
    }
    let mut keys: Vec<String> = node
        .get("properties")
        .and_then(Json::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

/// Follows `$ref`s and picks the non-null branch of `anyOf`/`oneOf`.
fn resolve<'a>(root: &'a Json, mut node: &'a Json) -> &'a Json {
    for _ in 0..16 {
        if let Some(r) = node.get("$ref").and_then(Json::as_str) {
            let name = r.rsplit('/').next().unwrap_or("");
            match root.get("$defs").and_then(|d| d.get(name)) {
                Some(n) => {
                    node = n;
                    continue;
                }
                None => return node,
            }
        }
        if let Some(variants) = node
            .get("anyOf")
            .or_else(|| node.get("oneOf"))
            .and_then(Json::as_array)
            && let Some(v) = variants
                .iter()
                .find(|v| v.get("type").and_then(Json::as_str) != Some("null"))
        {
            node = v;
            continue;
        }
        return node;
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_root_keys_come_from_the_schema() {
        let keys = keys_at(&policy_schema(), &[]);
        assert!(keys.contains(&"applies".to_string()));
        assert!(keys.contains(&"checks".to_string()));
    }

    #[test]
    fn keys_of_an_array_of_tables_element_resolve_through_refs() {
        let keys = keys_at(&policy_schema(), &["checks", "0"]);
        assert_eq!(
            keys,
            vec!["description", "id", "level", "message", "severity", "when"]
        );
    }

    #[test]
    fn keys_of_an_optional_table_resolve_through_any_of() {
        let keys = keys_at(&policy_schema(), &["exception"]);
        assert!(keys.contains(&"granted_by".to_string()), "{keys:?}");
    }

    #[test]
    fn manifest_schema_forbids_unknown_keys() {
        let s = manifest_schema();
        assert_eq!(s["additionalProperties"], Json::Bool(false));
    }
}
