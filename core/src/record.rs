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

mod scan;

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use serde_json::{Map, Value as Json};

use crate::cel::{Activation, ActivationError};
use crate::fields::{CANONICAL_FIELDS, FieldCatalog, FieldDef, PathKind, canonical_slot};

/// Read access to an interaction's fields by dotted path, over a
/// [`Record`] or over a plain JSON object (pack tests, the demo).
pub trait Fields {
    /// The value at dotted `path`; an object path gives the whole object.
    fn get(&self, path: &str) -> Option<Cow<'_, Json>>;

    /// The value of a leaf at `path` (split in segments), whose canonical
    /// slot, if it has one, is `slot`. Objects are not merged: a caller
    /// that reads an object leaf gets what is stored under the path.
    fn leaf(&self, slot: Option<usize>, path: &[String]) -> Option<Leaf<'_>>;
}

/// A leaf's value as stored: JSON, or a string read straight from the
/// line (one without escapes), not copied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Leaf<'a> {
    Json(&'a Json),
    Str(&'a str),
}

impl Fields for Map<String, Json> {
    fn get(&self, path: &str) -> Option<Cow<'_, Json>> {
        walk(self, path.split('.')).map(Cow::Borrowed)
    }

    fn leaf(&self, _slot: Option<usize>, path: &[String]) -> Option<Leaf<'_>> {
        walk(self, path.iter().map(String::as_str)).map(Leaf::Json)
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

/// A field's dotted path, resolved once: its canonical slot, if it has
/// one, and its segments, so that reading a canonical field is an index.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldPath {
    path: String,
    segs: Vec<String>,
    slot: Option<usize>,
}

/// A value read through a [`FieldPath`]: a string straight from the
/// record, not copied, or JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'r> {
    Str(&'r str),
    Json(Cow<'r, Json>),
}

impl FieldPath {
    pub fn new(path: &str) -> FieldPath {
        FieldPath {
            path: path.to_string(),
            segs: path.split('.').map(str::to_string).collect(),
            slot: canonical_slot(path),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.path
    }

    /// The value at this path in `record`: a canonical field from its
    /// slot; any other path as [`Fields::get`] reads it (an object whole).
    pub fn read<'r, F: Fields + ?Sized>(&self, record: &'r F) -> Option<FieldValue<'r>> {
        match self.slot {
            Some(slot) => record.leaf(Some(slot), &self.segs).map(|leaf| match leaf {
                Leaf::Str(s) => FieldValue::Str(s),
                Leaf::Json(v) => FieldValue::Json(Cow::Borrowed(v)),
            }),
            None => record.get(&self.path).map(FieldValue::Json),
        }
    }
}

/// One interaction's fields, type-checked against a pack's catalogue.
#[derive(Clone)]
pub struct Record {
    /// The line the record was parsed from ([`Record::parse`]), which
    /// [`Slot::Text`] values are ranges of; empty for a record made from a
    /// map.
    line: Box<str>,
    /// By [`canonical_slot`].
    slots: Box<[Slot]>,
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

/// A top-level value of a record ([`Record::roots`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Root<'a> {
    Leaf(Leaf<'a>),
    /// An object of canonical fields: its children, each once.
    Object(Vec<(&'a str, Leaf<'a>)>),
}

/// A canonical field's value as held.
#[derive(Debug, Clone)]
enum Slot {
    Absent,
    /// A value as read (`null` is absent too, for evaluation).
    Json(Json),
    /// A string without escapes: the bytes `start..end` of the line,
    /// between its quotes.
    Text {
        start: u32,
        end: u32,
    },
}

impl PartialEq for Record {
    /// Equal values, wherever they are held.
    fn eq(&self, other: &Record) -> bool {
        self.objects == other.objects
            && self.rest == other.rest
            && (0..self.slots.len()).all(|i| self.slot_json(i) == other.slot_json(i))
    }
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
            return self.slot_json(slot);
        }
        if let Some(index) = object_index(path) {
            let inner = match self.rest.get(path) {
                Some(Json::Object(m)) => Some(m),
                Some(other) => return Some(Cow::Borrowed(other)),
                None if self.objects & (1 << index) != 0 => None,
                None => return None,
            };
            return Some(Cow::Owned(object_json(self.children(index, inner))));
        }
        walk(&self.rest, path.split('.')).map(Cow::Borrowed)
    }

    fn leaf(&self, slot: Option<usize>, path: &[String]) -> Option<Leaf<'_>> {
        match slot {
            Some(slot) => self.slot(slot),
            None => walk(&self.rest, path.iter().map(String::as_str)).map(Leaf::Json),
        }
    }
}

/// An object of canonical fields as JSON, from its children.
fn object_json(children: Vec<(&str, Leaf<'_>)>) -> Json {
    Json::Object(
        children
            .into_iter()
            .map(|(k, leaf)| (k.to_string(), leaf.to_json()))
            .collect(),
    )
}

impl Leaf<'_> {
    /// The value as JSON, copied.
    pub fn to_json(self) -> Json {
        match self {
            Leaf::Json(v) => v.clone(),
            Leaf::Str(s) => Json::String(s.to_string()),
        }
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
        let mut slots = vec![Slot::Absent; CANONICAL_FIELDS.len()].into_boxed_slice();
        let mut objects_present = 0;
        let mut rest = Map::new();
        for (key, value) in map {
            if let Some(slot) = canonical_slot(&key) {
                slots[slot] = Slot::Json(value);
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
                    Some((_, slot)) => slots[*slot] = Slot::Json(v),
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
            line: Box::default(),
            slots,
            objects: objects_present,
            rest,
        })
    }

    /// A record with no fields, to fill with [`Record::set_canonical`] and
    /// [`Record::set_other`].
    pub(crate) fn empty() -> Record {
        Record {
            line: Box::default(),
            slots: vec![Slot::Absent; CANONICAL_FIELDS.len()].into_boxed_slice(),
            objects: 0,
            rest: Map::new(),
        }
    }

    /// Sets canonical field `slot` to `value` (already checked against its
    /// type), and marks its object present, as a map with it would.
    pub(crate) fn set_canonical(&mut self, slot: usize, value: Json) {
        if let Some((head, _)) = CANONICAL_FIELDS[slot].path.split_once('.')
            && let Some(index) = object_index(head)
        {
            self.objects |= 1 << index;
        }
        self.slots[slot] = Slot::Json(value);
    }

    /// Sets a top-level field nobody catalogues.
    pub(crate) fn set_other(&mut self, key: String, value: Json) {
        self.rest.insert(key, value);
    }

    /// The record as a JSON object, as it was read.
    pub fn to_map(&self) -> Map<String, Json> {
        self.roots()
            .into_iter()
            .map(|(key, root)| {
                let value = match root {
                    Root::Leaf(leaf) => leaf.to_json(),
                    Root::Object(children) => object_json(children),
                };
                (key.to_string(), value)
            })
            .collect()
    }

    /// The record's `id` as read, if it is a string.
    pub fn id(&self) -> Option<&str> {
        match self.slot(ID_SLOT)? {
            Leaf::Str(s) => Some(s),
            Leaf::Json(Json::String(s)) => Some(s),
            Leaf::Json(_) => None,
        }
    }

    /// The record's top-level keys with their values, as
    /// [`Record::to_map`] would give them but without copying anything: an
    /// object of canonical fields with its children from the slots and
    /// from the rest together.
    pub(crate) fn roots<'r>(&'r self) -> Vec<(&'r str, Root<'r>)> {
        let mut roots = Vec::with_capacity(self.rest.len() + 8);
        for (key, value) in &self.rest {
            let root = match (object_index(key), value) {
                (Some(index), Json::Object(inner)) => {
                    Root::Object(self.children(index, Some(inner)))
                }
                _ => Root::Leaf(Leaf::Json(value)),
            };
            roots.push((key.as_str(), root));
        }
        for (index, name) in canonical_objects().iter().enumerate() {
            if self.objects & (1 << index) != 0 && !self.rest.contains_key(*name) {
                roots.push((name, Root::Object(self.children(index, None))));
            }
        }
        for (slot, def) in CANONICAL_FIELDS.iter().enumerate() {
            if !def.path.contains('.')
                && let Some(leaf) = self.slot(slot)
            {
                roots.push((def.path, Root::Leaf(leaf)));
            }
        }
        roots
    }

    /// The children of canonical object `index`: those kept in the rest
    /// (`inner`), then those in slots.
    fn children<'r>(
        &'r self,
        index: usize,
        inner: Option<&'r Map<String, Json>>,
    ) -> Vec<(&'r str, Leaf<'r>)> {
        let mut all: Vec<(&'r str, Leaf<'r>)> = inner
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), Leaf::Json(v)))
            .collect();
        for (child, slot) in &objects().children[index] {
            if let Some(leaf) = self.slot(*slot) {
                all.push((child, leaf));
            }
        }
        all
    }

    /// The value in canonical slot `slot` ([`canonical_slot`]), without a
    /// copy.
    fn slot(&self, slot: usize) -> Option<Leaf<'_>> {
        match &self.slots[slot] {
            Slot::Absent => None,
            Slot::Json(v) => Some(Leaf::Json(v)),
            Slot::Text { start, end } => {
                // Only the scanner makes a `Text`, from the record's line.
                let text = self
                    .line
                    .get(*start as usize..*end as usize)
                    .unwrap_or_default();
                Some(Leaf::Str(text))
            }
        }
    }

    /// The value in a canonical slot, as JSON.
    fn slot_json(&self, slot: usize) -> Option<Cow<'_, Json>> {
        Some(match self.slot(slot)? {
            Leaf::Json(v) => Cow::Borrowed(v),
            leaf => Cow::Owned(leaf.to_json()),
        })
    }

    /// Parses a JSON object straight into a record, or `None` when the
    /// line needs the general path: malformed JSON, not an object, a value
    /// that does not fit its type, a duplicate key among the catalogued
    /// ones. `None` says nothing about the record; the general path
    /// decides.
    pub fn parse(text: &[u8], layout: &Layout) -> Option<Record> {
        // Invalid UTF-8 gives up like any other fault. Checking the line
        // once is faster than checking each string.
        scan::record(std::str::from_utf8(text).ok()?, layout)
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
    /// An open-addressing hash table of `entries` by [`Key`]: indexes,
    /// [`NO_ENTRY`] for a free place; a power of two long, at least twice
    /// the entries.
    table: Box<[u16]>,
}

const NO_ENTRY: u16 = u16::MAX;

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

/// A key's length and first 24 bytes: keys that long or shorter compare
/// as four integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key(usize, [u64; 3]);

impl Key {
    fn of(key: &str) -> Key {
        let bytes = key.as_bytes();
        let mut head = [0u8; 24];
        let n = bytes.len().min(24);
        head[..n].copy_from_slice(&bytes[..n]);
        Key::from_head(&head, bytes.len())
    }

    /// The key of `len` bytes at the start of `head` (24 bytes or more):
    /// straight from the line, without a copy.
    #[inline]
    fn from_head(head: &[u8], len: usize) -> Key {
        let word = |i: usize| {
            let w = u64::from_le_bytes(head[i * 8..i * 8 + 8].try_into().unwrap_or_default());
            match len.saturating_sub(i * 8) {
                0 => 0,
                n @ 1..8 => w & ((1u64 << (n * 8)) - 1),
                _ => w,
            }
        };
        Key(len, [word(0), word(1), word(2)])
    }

    /// `==`, word by word: a key just made from the line is still in
    /// registers, and a vector compare would read it back from memory
    /// (a store-forwarding stall).
    #[inline]
    fn same(self, other: Key) -> bool {
        ((self.0 ^ other.0) as u64
            | (self.1[0] ^ other.1[0])
            | (self.1[1] ^ other.1[1])
            | (self.1[2] ^ other.1[2]))
            == 0
    }

    #[inline]
    fn hash(self) -> usize {
        let mixed =
            (self.1[0] ^ self.1[1].rotate_left(29) ^ self.1[2].rotate_left(43) ^ self.0 as u64)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> 40) as usize
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
        root.index();
        Layout { root }
    }
}

impl Node {
    /// Builds the hash tables of this node and the nodes below it.
    fn index(&mut self) {
        let size = (self.entries.len() * 2).next_power_of_two().max(4);
        let mut table = vec![NO_ENTRY; size].into_boxed_slice();
        for (i, (_, key, entry)) in self.entries.iter_mut().enumerate() {
            let mut at = key.hash() & (size - 1);
            while table[at] != NO_ENTRY {
                at = (at + 1) & (size - 1);
            }
            // A catalogue has far fewer than 65,535 fields.
            table[at] = u16::try_from(i).expect("fewer fields than u16::MAX");
            if let Entry::Object { node, .. } = entry {
                node.index();
            }
        }
        self.table = table;
    }

    fn find(&self, key: &str) -> Option<&Entry> {
        self.find_key(Key::of(key), key)
    }

    /// [`Node::find`] for a key at `start..end` of `line`, read from the
    /// line in place when 24 bytes follow its start.
    #[inline]
    fn find_in(&self, line: &str, start: usize, end: usize) -> Option<&Entry> {
        let key = line.get(start..end)?;
        match line.as_bytes().get(start..start + 24) {
            Some(head) => self.find_key(Key::from_head(head, end - start), key),
            None => self.find(key),
        }
    }

    #[inline]
    fn find_key(&self, wanted: Key, key: &str) -> Option<&Entry> {
        let mask = self.table.len() - 1;
        let mut at = wanted.hash() & mask;
        loop {
            // `NO_ENTRY` is past the end of `entries`: not found.
            let (k, h, entry) = self.entries.get(usize::from(self.table[at]))?;
            if h.same(wanted) && (k.len() <= 24 || k.as_ref() == key) {
                return Some(entry);
            }
            at = (at + 1) & mask;
        }
    }
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
