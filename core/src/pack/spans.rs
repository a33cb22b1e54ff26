//! Where every key and value of a TOML file is, by path (`checks.0.when`),
//! so that a fault found after deserialization still points at its line.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Spans of a parsed TOML document, by dotted path with array indices.
#[derive(Debug, Default, Clone)]
pub struct SpanIndex {
    entries: HashMap<String, Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    key: Option<Range<usize>>,
    value: Range<usize>,
}

impl SpanIndex {
    pub fn build(doc: &Spanned<DeTable<'_>>) -> Self {
        let mut index = SpanIndex::default();
        index.entries.insert(
            String::new(),
            Entry {
                key: None,
                value: doc.span(),
            },
        );
        index.table("", doc.get_ref());
        index
    }

    fn table(&mut self, prefix: &str, table: &DeTable<'_>) {
        for (key, value) in table {
            let path = join(prefix, key.get_ref());
            self.value(&path, Some(key.span()), value);
        }
    }

    fn value(&mut self, path: &str, key: Option<Range<usize>>, value: &Spanned<DeValue<'_>>) {
        self.entries.insert(
            path.to_string(),
            Entry {
                key,
                value: value.span(),
            },
        );
        match value.get_ref() {
            DeValue::Table(t) => self.table(path, t),
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.value(&join(path, &i.to_string()), None, item);
                }
            }
            _ => {}
        }
    }

    /// The span of the value at `path`.
    pub fn value_span(&self, path: &str) -> Option<Range<usize>> {
        self.entries.get(path).map(|e| e.value.clone())
    }

    /// The span of the key at `path`, or of its value when it has no key
    /// of its own (array elements).
    pub fn key_span(&self, path: &str) -> Option<Range<usize>> {
        self.entries
            .get(path)
            .map(|e| e.key.clone().unwrap_or_else(|| e.value.clone()))
    }

    /// The path of the value whose span is exactly `span`, preferring the
    /// deepest one.
    pub fn path_at(&self, span: &Range<usize>) -> Option<String> {
        self.entries
            .iter()
            .filter(|(_, e)| e.value == *span)
            .map(|(p, _)| p)
            .max_by_key(|p| (p.matches('.').count(), p.len()))
            .cloned()
    }

    /// The span of the nearest ancestor of `path` that has one.
    pub fn nearest(&self, path: &str) -> Range<usize> {
        let mut p = path;
        loop {
            if let Some(span) = self.key_span(p) {
                return span;
            }
            match p.rfind('.') {
                Some(i) => p = &p[..i],
                None => return self.key_span("").unwrap_or(0..0),
            }
        }
    }
}

pub fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_array_of_tables_values_are_indexed() {
        let text = "id = \"x\"\n[[checks]]\nid = \"a\"\nwhen = \"true\"\n";
        let doc = DeTable::parse(text).unwrap();
        let index = SpanIndex::build(&doc);
        let span = index.value_span("checks.0.when").unwrap();
        assert_eq!(&text[span], "\"true\"");
        let key = index.key_span("checks.0.id").unwrap();
        assert_eq!(&text[key], "id");
    }
}
