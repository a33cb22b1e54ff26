//! An interaction's fields, typed and laid out for evaluation: every
//! canonical field in a fixed slot ([`crate::fields::canonical_slot`]), the
//! rest (fields a pack declares, fields nobody catalogues) as JSON under
//! their paths. A [`Record`] is only made from values that fit their types,
//! so evaluation never checks them again, and reading a canonical field is
//! an index, not a walk through nested maps.
//!
//! [`Record::parse`] builds one straight from a JSON line, without a
//! `serde_json::Value` tree for the canonical part; whenever the line is
//! anything but plain (a type error, a duplicate key, malformed JSON) it
//! gives up and the caller takes the general path ([`Record::from_map`]),
//! which has the exact messages. Both give the same record: see
//! `record_tests.rs`.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value as Json};

use crate::cel::{Activation, ActivationError, check_typed};
use crate::fields::{CANONICAL_FIELDS, FieldCatalog, FieldDef, PathKind, canonical_slot};

/// Read access to an interaction's fields by dotted path, over a
/// [`Record`] or over a plain JSON object (pack tests, the demo).
pub trait Fields {
    /// The value at dotted `path`; an object path gives the whole object.
    fn get(&self, path: &str) -> Option<Cow<'_, Json>>;

    /// The value of a leaf at `path` (split in segments), whose canonical
    /// slot, if it has one, is `slot`. Objects are not merged: a caller
    /// that reads an object leaf gets what is stored under the path.
    fn leaf(&self, slot: Option<usize>, path: &[String]) -> Option<&Json>;
}

impl Fields for Map<String, Json> {
    fn get(&self, path: &str) -> Option<Cow<'_, Json>> {
        walk(self, path.split('.')).map(Cow::Borrowed)
    }

    fn leaf(&self, _slot: Option<usize>, path: &[String]) -> Option<&Json> {
        walk(self, path.iter().map(String::as_str))
    }
}

fn walk<'a, 's>(
    map: &'a Map<String, Json>,
    mut segs: impl Iterator<Item = &'s str>,
) -> Option<&'a Json> {
    let mut cur = map.get(segs.next()?)?;
    for seg in segs {
        cur = cur.as_object()?.get(seg)?;
    }
    Some(cur)
}

/// One interaction's fields, type-checked against a pack's catalogue.
#[derive(Clone, PartialEq)]
pub struct Record {
    /// By [`canonical_slot`]: `None` absent, `Some(Json::Null)` a `null`
    /// as read (absent too, for evaluation).
    slots: Box<[Option<Json>]>,
    /// The objects of canonical fields the record has (`customer`), by
    /// their index in [`canonical_objects`], even when all their children
    /// are in slots, so that [`Record::to_map`] gives back the record as
    /// read.
    objects: u32,
    /// Everything else, nested as read: an object of canonical fields
    /// appears here only with children that are not canonical, or as
    /// `null`.
    rest: Map<String, Json>,
}

/// The top-level objects of canonical fields, in first-seen order:
/// `customer`, `request`, `outcome`, `promise`; each with its canonical
/// children and their slots.
struct Objects {
    names: Vec<&'static str>,
    children: Vec<Vec<(&'static str, usize)>>,
}

fn objects() -> &'static Objects {
    static OBJECTS: OnceLock<Objects> = OnceLock::new();
    OBJECTS.get_or_init(|| {
        let mut names: Vec<&'static str> = Vec::new();
        let mut children: Vec<Vec<(&'static str, usize)>> = Vec::new();
        for (slot, f) in CANONICAL_FIELDS.iter().enumerate() {
            let Some((head, child)) = f.path.split_once('.') else {
                continue;
            };
            assert!(!child.contains('.'), "objects at the top level only");
            let index = match names.iter().position(|n| *n == head) {
                Some(i) => i,
                None => {
                    names.push(head);
                    children.push(Vec::new());
                    names.len() - 1
                }
            };
            children[index].push((child, slot));
        }
        assert!(names.len() <= 32, "one bit per canonical object");
        Objects { names, children }
    })
}

fn canonical_objects() -> &'static [&'static str] {
    &objects().names
}

fn object_index(key: &str) -> Option<usize> {
    canonical_objects().iter().position(|o| *o == key)
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_map(), f)
    }
}

impl Fields for Record {
    fn get(&self, path: &str) -> Option<Cow<'_, Json>> {
        if let Some(slot) = canonical_slot(path) {
            return self.slots[slot].as_ref().map(Cow::Borrowed);
        }
        if let Some(index) = object_index(path) {
            let mut whole = match self.rest.get(path) {
                Some(Json::Object(m)) => m.clone(),
                Some(other) => return Some(Cow::Borrowed(other)),
                None if self.objects & (1 << index) != 0 => Map::new(),
                None => return None,
            };
            // Its canonical children live in slots: put them back.
            for (child, slot) in &objects().children[index] {
                if let Some(v) = &self.slots[*slot] {
                    whole.insert(child.to_string(), v.clone());
                }
            }
            return Some(Cow::Owned(Json::Object(whole)));
        }
        walk(&self.rest, path.split('.')).map(Cow::Borrowed)
    }

    fn leaf(&self, slot: Option<usize>, path: &[String]) -> Option<&Json> {
        match slot {
            Some(slot) => self.slots[slot].as_ref(),
            None => walk(&self.rest, path.iter().map(String::as_str)),
        }
    }
}

/// Inserts `value` at dotted `path`, making the objects above it.
fn insert_at(map: &mut Map<String, Json>, path: &str, value: Json) {
    let mut cur = map;
    let mut segs = path.split('.').peekable();
    while let Some(seg) = segs.next() {
        if segs.peek().is_none() {
            cur.insert(seg.to_string(), value);
            return;
        }
        let slot = cur
            .entry(seg.to_string())
            .or_insert_with(|| Json::Object(Map::new()));
        if !slot.is_object() {
            *slot = Json::Object(Map::new());
        }
        let Json::Object(inner) = slot else { return };
        cur = inner;
    }
}

impl Record {
    /// A record from a JSON object: its fields are checked against
    /// `catalog` (the first misfit, in path order, is the error) and the
    /// canonical ones moved to their slots.
    pub fn from_map(
        map: Map<String, Json>,
        catalog: &FieldCatalog,
    ) -> Result<Record, ActivationError> {
        Activation::check(&map, catalog)?;
        let mut slots = vec![None; CANONICAL_FIELDS.len()].into_boxed_slice();
        let mut objects_present = 0;
        let mut rest = Map::new();
        for (key, value) in map {
            if let Some(slot) = canonical_slot(&key) {
                slots[slot] = Some(value);
                continue;
            }
            let (index, inner) = match (object_index(&key), value) {
                (Some(index), Json::Object(inner)) => (index, inner),
                (_, value) => {
                    rest.insert(key, value);
                    continue;
                }
            };
            objects_present |= 1 << index;
            let children = &objects().children[index];
            let mut left = Map::new();
            for (child, v) in inner {
                match children.iter().find(|(name, _)| *name == child) {
                    Some((_, slot)) => slots[*slot] = Some(v),
                    None => {
                        left.insert(child, v);
                    }
                }
            }
            if !left.is_empty() {
                rest.insert(key, Json::Object(left));
            }
        }
        Ok(Record {
            slots,
            objects: objects_present,
            rest,
        })
    }

    /// The record as a JSON object, as it was read.
    pub fn to_map(&self) -> Map<String, Json> {
        let mut map = self.rest.clone();
        for (index, name) in canonical_objects().iter().enumerate() {
            if self.objects & (1 << index) != 0 && !map.contains_key(*name) {
                map.insert(name.to_string(), Json::Object(Map::new()));
            }
        }
        for (slot, def) in CANONICAL_FIELDS.iter().enumerate() {
            if let Some(v) = &self.slots[slot] {
                insert_at(&mut map, def.path, v.clone());
            }
        }
        map
    }

    /// The record's `id` as read, if it is a string.
    pub fn id(&self) -> Option<&Json> {
        self.slots[ID_SLOT].as_ref()
    }

    /// Parses a JSON object straight into a record, or `None` when the
    /// line needs the general path: malformed JSON, not an object, a value
    /// that does not fit its type, a duplicate key among the catalogued
    /// ones. `None` says nothing about the record; the general path
    /// decides.
    pub fn parse(text: &[u8], layout: &Layout) -> Option<Record> {
        let mut slots = vec![None; CANONICAL_FIELDS.len()].into_boxed_slice();
        let mut objects = 0;
        // Invalid UTF-8 gives up like any other fault. Checking the line
        // once is faster than serde_json's check of each string.
        let text = std::str::from_utf8(text).ok()?;
        let mut de = serde_json::Deserializer::from_str(text);
        let rest = ObjectSeed {
            node: &layout.root,
            slots: &mut slots,
            objects: &mut objects,
        }
        .deserialize(&mut de)
        .ok()?;
        de.end().ok()?;
        match rest {
            Parsed::Object(rest) => Some(Record {
                slots,
                objects,
                rest,
            }),
            Parsed::Null => None,
        }
    }
}

const ID_SLOT: usize = 0;

/// The shape [`Record::parse`] expects, from a pack's catalogue: which keys
/// are canonical fields (and their slots), declared fields, objects.
#[derive(Debug, Clone)]
pub struct Layout {
    root: Node,
}

#[derive(Debug, Clone, Default)]
struct Node {
    /// Sorted by key, each with its [`Key`].
    entries: Vec<(Box<str>, Key, Entry)>,
}

#[derive(Debug, Clone)]
enum Entry {
    Leaf {
        slot: Option<usize>,
        def: FieldDef,
    },
    /// `canonical`: its index in [`canonical_objects`], if it is one.
    Object {
        node: Node,
        canonical: Option<usize>,
    },
}

/// A key's length and first eight bytes: most keys differ there, so most
/// comparisons are one integer compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key(usize, u64);

impl Key {
    fn of(key: &str) -> Key {
        let bytes = key.as_bytes();
        let mut head = [0u8; 8];
        let n = bytes.len().min(8);
        head[..n].copy_from_slice(&bytes[..n]);
        Key(bytes.len(), u64::from_le_bytes(head))
    }
}

impl Layout {
    pub fn new(catalog: &FieldCatalog) -> Layout {
        debug_assert_eq!(CANONICAL_FIELDS[ID_SLOT].path, "id");
        let mut root = Node::default();
        for def in catalog.iter() {
            let mut node = &mut root;
            let segs: Vec<&str> = def.path.split('.').collect();
            for (i, seg) in segs.iter().enumerate() {
                let last = i + 1 == segs.len();
                let at = match node
                    .entries
                    .binary_search_by(|(k, _, _)| k.as_ref().cmp(seg))
                {
                    Ok(at) => at,
                    Err(at) => {
                        let entry = if last {
                            Entry::Leaf {
                                slot: canonical_slot(&def.path),
                                def: def.clone(),
                            }
                        } else {
                            Entry::Object {
                                node: Node::default(),
                                canonical: if i == 0 { object_index(seg) } else { None },
                            }
                        };
                        node.entries
                            .insert(at, ((*seg).into(), Key::of(seg), entry));
                        at
                    }
                };
                match &mut node.entries[at].2 {
                    Entry::Object { node: inner, .. } if !last => node = inner,
                    // The catalogue never has a leaf above another field.
                    _ => break,
                }
            }
        }
        debug_assert!(
            catalog
                .iter()
                .all(|d| matches!(catalog.kind(&d.path), PathKind::Field(_)))
        );
        Layout { root }
    }
}

impl Node {
    fn find(&self, key: &str) -> Option<&Entry> {
        // A handful of keys per level: a linear scan on [`Key`]s.
        let wanted = Key::of(key);
        self.entries
            .iter()
            .find(|(k, h, _)| *h == wanted && (k.len() <= 8 || k.as_ref() == key))
            .map(|(_, _, e)| e)
    }
}

/// Why [`Record::parse`] handed a line to the general path.
#[derive(Debug)]
struct GiveUp;

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not plain")
    }
}

enum Parsed {
    Object(Map<String, Json>),
    Null,
}

/// An object of the layout: canonical leaves go to `slots`, the rest is
/// returned.
struct ObjectSeed<'a> {
    node: &'a Node,
    slots: &'a mut [Option<Json>],
    objects: &'a mut u32,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_> {
    type Value = Parsed;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Parsed, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_> {
    type Value = Parsed;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Parsed, E> {
        Ok(Parsed::Null)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Parsed, A::Error> {
        let mut rest = Map::new();
        while let Some(key) = access.next_key_seed(KeySeed)? {
            match self.node.find(&key) {
                Some(Entry::Leaf { slot, def }) => {
                    let value: Json = access.next_value()?;
                    if !value.is_null() && check_typed(def, &value).is_err() {
                        return Err(de::Error::custom(GiveUp));
                    }
                    match slot {
                        Some(slot) => {
                            if self.slots[*slot].replace(value).is_some() {
                                return Err(de::Error::custom(GiveUp));
                            }
                        }
                        None => {
                            if rest.insert(key.into_owned(), value).is_some() {
                                return Err(de::Error::custom(GiveUp));
                            }
                        }
                    }
                }
                Some(Entry::Object { node, canonical }) => {
                    let seen = match canonical {
                        Some(index) => *self.objects & (1 << index) != 0,
                        None => false,
                    };
                    if seen || rest.contains_key(key.as_ref()) {
                        return Err(de::Error::custom(GiveUp));
                    }
                    let inner = access.next_value_seed(ObjectSeed {
                        node,
                        slots: &mut *self.slots,
                        objects: &mut *self.objects,
                    })?;
                    let inner = match (inner, canonical) {
                        (Parsed::Object(m), Some(index)) => {
                            *self.objects |= 1 << index;
                            if m.is_empty() {
                                continue;
                            }
                            Json::Object(m)
                        }
                        (Parsed::Object(m), None) => Json::Object(m),
                        (Parsed::Null, _) => Json::Null,
                    };
                    rest.insert(key.into_owned(), inner);
                }
                None => {
                    let value: Json = access.next_value()?;
                    rest.insert(key.into_owned(), value);
                }
            }
        }
        Ok(Parsed::Object(rest))
    }
}

/// A key, borrowed from the line when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
