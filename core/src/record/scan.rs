//! The scanner behind [`Record::parse`]: one pass over a JSON line that
//! validates it as JSON and fills a record's slots as it goes, driven by the
//! pack's [`Layout`]. It builds values itself (no `serde_json::Value` tree
//! for the line, no visitor calls) and borrows keys from the line.
//!
//! It only ever gives up (`None`): on malformed JSON, on a value that does
//! not fit its type, on a repeated catalogued key, on anything unusual
//! (deep nesting, a number it cannot convert exactly as `serde_json` does).
//! The general path then decides, with its messages. Whatever it accepts,
//! `serde_json` accepts too and reads as the same record: see
//! `record_tests.rs`.

use serde_json::{Map, Number, Value as Json};

use super::{Entry, Layout, Node, Record, Slot};
use crate::cel::{check_typed, check_typed_str};
use crate::fields::CANONICAL_FIELDS;
use crate::json_text::special_bytes;

/// Nesting this deep is left to the general path (`serde_json` stops at
/// 128, the readers at [`crate::input::MAX_DEPTH`]).
const DEPTH: usize = 100;

/// Parses `text`, a whole JSON object, into a record; `None` when the line
/// needs the general path.
pub(super) fn record(text: &str, layout: &Layout) -> Option<Record> {
    // Strings are kept as `u32` ranges of the line.
    u32::try_from(text.len()).ok()?;
    let mut slots = vec![Slot::Absent; CANONICAL_FIELDS.len()].into_boxed_slice();
    let mut objects = 0;
    let mut scan = Scan {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let rest = scan.object(&layout.root, &mut slots, &mut objects, 0)?;
    scan.ws();
    if scan.at != scan.bytes.len() {
        return None;
    }
    match rest {
        Parsed::Object(rest) => Some(Record {
            line: text.into(),
            slots,
            objects,
            rest,
        }),
        Parsed::Null => None,
    }
}

/// A string as read.
enum Text<'a> {
    /// Without escapes: the text between the quotes, at `start` in the line.
    Plain { text: &'a str, start: usize },
    /// With escapes, decoded.
    Decoded(String),
}

impl Text<'_> {
    fn as_str(&self) -> &str {
        match self {
            Text::Plain { text, .. } => text,
            Text::Decoded(s) => s,
        }
    }

    fn into_owned(self) -> String {
        match self {
            Text::Plain { text, .. } => text.to_string(),
            Text::Decoded(s) => s,
        }
    }
}

enum Parsed {
    Object(Map<String, Json>),
    Null,
}

struct Scan<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte that is not whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        if self.peek()? == byte {
            self.at += 1;
            Some(())
        } else {
            None
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at.checked_add(word.len())?;
        if self.bytes.get(self.at..end)? == word {
            self.at = end;
            Some(())
        } else {
            None
        }
    }

    /// An object of the layout at `node`: canonical leaves go to `slots`,
    /// the rest is returned; `null` where an object may be.
    fn object(
        &mut self,
        node: &Node,
        slots: &mut [Slot],
        objects: &mut u32,
        depth: usize,
    ) -> Option<Parsed> {
        if depth > DEPTH {
            return None;
        }
        match self.peek()? {
            b'n' => {
                self.literal(b"null")?;
                return Some(Parsed::Null);
            }
            b'{' => self.at += 1,
            _ => return None,
        }
        let mut rest = Map::new();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(Parsed::Object(rest));
        }
        loop {
            self.eat(b'"')?;
            let key = self.string()?;
            let entry = match &key {
                Text::Plain { text, start } => node.find_in(self.text, *start, start + text.len()),
                Text::Decoded(key) => node.find(key),
            };
            self.eat(b':')?;
            match entry {
                Some(Entry::Leaf {
                    slot: Some(slot),
                    def,
                }) => {
                    // The value is built in its slot, not moved there: a
                    // value just written and then moved is read back with
                    // wide loads, which stall on the narrow stores that
                    // wrote it.
                    let place = &mut slots[*slot];
                    if !matches!(place, Slot::Absent) {
                        return None;
                    }
                    match self.peek()? {
                        b'"' => {
                            self.at += 1;
                            match self.string()? {
                                Text::Plain { text, start } => {
                                    check_typed_str(def, text).ok()?;
                                    // The line is shorter than `u32::MAX`.
                                    *place = Slot::Text {
                                        start: start as u32,
                                        end: (start + text.len()) as u32,
                                    };
                                }
                                Text::Decoded(s) => *place = Slot::Json(Json::String(s)),
                            }
                        }
                        b'-' | b'0'..=b'9' => *place = Slot::Json(Json::Number(self.number()?)),
                        b't' => {
                            self.literal(b"true")?;
                            *place = Slot::Json(Json::Bool(true));
                        }
                        b'f' => {
                            self.literal(b"false")?;
                            *place = Slot::Json(Json::Bool(false));
                        }
                        _ => *place = Slot::Json(self.value(depth + 1)?),
                    }
                    if let Slot::Json(v) = place
                        && !v.is_null()
                        && check_typed(def, v).is_err()
                    {
                        return None;
                    }
                }
                Some(Entry::Leaf { slot: None, def }) => {
                    let value = self.value(depth + 1)?;
                    if !value.is_null() && check_typed(def, &value).is_err() {
                        return None;
                    }
                    if rest.insert(key.into_owned(), value).is_some() {
                        return None;
                    }
                }
                Some(Entry::Object { node, canonical }) => {
                    let seen = canonical.is_some_and(|index| *objects & (1 << index) != 0);
                    if seen || rest.contains_key(key.as_str()) {
                        return None;
                    }
                    let inner = match (self.object(node, slots, objects, depth + 1)?, canonical) {
                        (Parsed::Object(m), Some(index)) => {
                            *objects |= 1 << index;
                            (!m.is_empty()).then_some(Json::Object(m))
                        }
                        (Parsed::Object(m), None) => Some(Json::Object(m)),
                        (Parsed::Null, _) => Some(Json::Null),
                    };
                    if let Some(inner) = inner {
                        rest.insert(key.into_owned(), inner);
                    }
                }
                None => {
                    let value = self.value(depth + 1)?;
                    // A repeated key is the general path's to judge.
                    if rest.insert(key.into_owned(), value).is_some() {
                        return None;
                    }
                }
            }
            if !self.more(b'}')? {
                return Some(Parsed::Object(rest));
            }
        }
    }

    /// After a member of an object or an element of an array: `true`
    /// past a `,`, `false` past the `close` that ends it.
    fn more(&mut self, close: u8) -> Option<bool> {
        match self.peek()? {
            b',' => {
                self.at += 1;
                Some(true)
            }
            b if b == close => {
                self.at += 1;
                Some(false)
            }
            _ => None,
        }
    }

    /// Any JSON value, as `serde_json` would make it.
    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > DEPTH {
            return None;
        }
        Some(match self.peek()? {
            b'"' => {
                self.at += 1;
                Json::String(self.string()?.into_owned())
            }
            b'{' => {
                self.at += 1;
                let mut map = Map::new();
                if self.peek()? == b'}' {
                    self.at += 1;
                    return Some(Json::Object(map));
                }
                loop {
                    self.eat(b'"')?;
                    let key = self.string()?;
                    self.eat(b':')?;
                    // A repeated key is the general path's to judge.
                    if map
                        .insert(key.into_owned(), self.value(depth + 1)?)
                        .is_some()
                    {
                        return None;
                    }
                    if !self.more(b'}')? {
                        break Json::Object(map);
                    }
                }
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if self.peek()? == b']' {
                    self.at += 1;
                    return Some(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if !self.more(b']')? {
                        break Json::Array(items);
                    }
                }
            }
            b't' => {
                self.literal(b"true")?;
                Json::Bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                Json::Bool(false)
            }
            b'n' => {
                self.literal(b"null")?;
                Json::Null
            }
            b'-' | b'0'..=b'9' => Json::Number(self.number()?),
            _ => return None,
        })
    }

    /// A string, from just after its opening quote: borrowed from the line
    /// unless it has escapes.
    fn string(&mut self) -> Option<Text<'a>> {
        let start = self.at;
        if self.skip_string()? {
            // `serde_json` checks and decodes the escapes (a lone
            // surrogate is an error there too).
            let quoted = self.text.get(start - 1..self.at)?;
            serde_json::from_str(quoted).ok().map(Text::Decoded)
        } else {
            // Quotes are ASCII: both ends are character boundaries.
            let text = self.text.get(start..self.at - 1)?;
            Some(Text::Plain { text, start })
        }
    }

    /// Moves past a string's closing quote; whether the string had
    /// escapes. A control character or an unknown escape gives up.
    fn skip_string(&mut self) -> Option<bool> {
        let bytes = self.bytes;
        let mut at = self.at;
        let mut escaped = false;
        loop {
            // Eight bytes at a time to the next byte that may be special.
            while let Some(chunk) = bytes.get(at..at + 8) {
                let word = u64::from_le_bytes(chunk.try_into().ok()?);
                let flags = special_bytes(word);
                if flags != 0 {
                    at += (flags.trailing_zeros() / 8) as usize;
                    break;
                }
                at += 8;
            }
            match *bytes.get(at)? {
                b'"' => {
                    self.at = at + 1;
                    return Some(escaped);
                }
                b'\\' => {
                    escaped = true;
                    match bytes.get(at + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' | b'u' => at += 2,
                        _ => return None,
                    }
                }
                0..=0x1f => return None,
                _ => at += 1,
            }
        }
    }

    /// A number as `serde_json` makes it: `u64` or `i64` for an integer
    /// that fits, otherwise `f64`. Inlined, so that the number is built
    /// where it is stored rather than returned through memory.
    #[inline(always)]
    fn number(&mut self) -> Option<Number> {
        let bytes = self.bytes;
        let start = self.at;
        let mut at = start;
        let negative = bytes.get(at) == Some(&b'-');
        if negative {
            at += 1;
        }
        let digits = |at: &mut usize| {
            let from = *at;
            while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
            *at - from
        };
        let int_start = at;
        match bytes.get(at)? {
            b'0' => at += 1,
            b'1'..=b'9' => {
                digits(&mut at);
            }
            _ => return None,
        }
        let int_end = at;
        let mut frac = at..at;
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            let from = at;
            if digits(&mut at) == 0 {
                return None;
            }
            frac = from..at;
        }
        let mut exponent: Option<(bool, std::ops::Range<usize>)> = None;
        if let Some(b'e' | b'E') = bytes.get(at) {
            at += 1;
            let minus = match bytes.get(at) {
                Some(b'-') => {
                    at += 1;
                    true
                }
                Some(b'+') => {
                    at += 1;
                    false
                }
                _ => false,
            };
            let from = at;
            if digits(&mut at) == 0 {
                return None;
            }
            exponent = Some((minus, from..at));
        }
        self.at = at;
        let int = &bytes[int_start..int_end];
        let quick = if frac.is_empty() && exponent.is_none() {
            integer(int, negative)
        } else {
            float(
                int,
                &bytes[frac],
                exponent.map(|(m, r)| (m, &bytes[r])),
                negative,
            )
        };
        match quick {
            Some(n) => Some(n),
            // Whatever is not quick is `serde_json`'s own conversion.
            None => match serde_json::from_str::<Json>(self.text.get(start..at)?).ok()? {
                Json::Number(n) => Some(n),
                _ => None,
            },
        }
    }
}

fn decimal(digits: &[u8]) -> u64 {
    digits
        .iter()
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))
}

/// An integer literal, when it fits: `serde_json` gives `u64` for one
/// without a sign, `i64` for a negative one (and a float for `-0`).
fn integer(int: &[u8], negative: bool) -> Option<Number> {
    if !negative {
        return (int.len() <= 19).then(|| Number::from(decimal(int)));
    }
    if int.len() > 18 {
        return None;
    }
    match decimal(int) {
        0 => None,
        n => Some(Number::from(-(n as i64))),
    }
}

/// Exact powers of ten as `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A number with a fraction or an exponent, when a single exact operation
/// gives it: a significand below 2^53 (exact as `f64`) times or divided by
/// an exact power of ten is correctly rounded, as `serde_json`'s result is.
fn float(
    int: &[u8],
    frac: &[u8],
    exponent: Option<(bool, &[u8])>,
    negative: bool,
) -> Option<Number> {
    if int.len() + frac.len() > 17 {
        return None;
    }
    let significand = decimal(int) * 10u64.pow(frac.len() as u32) + decimal(frac);
    if significand >= 1 << 53 {
        return None;
    }
    let mut power = -(frac.len() as i64);
    if let Some((minus, digits)) = exponent {
        if digits.len() > 4 {
            return None;
        }
        let e = decimal(digits) as i64;
        power += if minus { -e } else { e };
    }
    let scale = *POW10.get(power.unsigned_abs() as usize)?;
    let magnitude = significand as f64;
    let value = if power >= 0 {
        magnitude * scale
    } else {
        magnitude / scale
    };
    Number::from_f64(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_numbers_are_the_numbers_serde_json_makes() {
        for text in [
            "0",
            "7",
            "-7",
            "18446744073709551615",
            "-9223372036854775808",
            "-0",
            "0.5",
            "-0.0",
            "5200.50",
            "998.95",
            "1e2",
            "1E+2",
            "2.5e-3",
            "0.1e1",
            "123456789012345.6",
            "9007199254740993.0",
            "1e22",
            "1e23",
            "4.9e-324",
            "1.7976931348623157e308",
        ] {
            let mut scan = Scan {
                text,
                bytes: text.as_bytes(),
                at: 0,
            };
            let ours = scan.number().expect(text);
            let theirs: Number = serde_json::from_str(text).unwrap();
            assert_eq!(ours, theirs, "{text}");
            assert_eq!(
                ours.as_f64().map(f64::to_bits),
                theirs.as_f64().map(f64::to_bits),
                "{text}"
            );
        }
    }
}
