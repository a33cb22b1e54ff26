//! JSON text written by hand where it is hot: strings, escaped exactly as
//! `serde_json` escapes them (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`,
//! `\u00xx` for the other control characters; everything else as is), but
//! eight bytes at a time between escapes.

/// Writes `s` as a JSON string, quotes included.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut from = 0;
    let mut at = 0;
    while at < bytes.len() {
        while let Some(chunk) = bytes.get(at..at + 8) {
            let flags = special_bytes(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
            if flags != 0 {
                at += (flags.trailing_zeros() / 8) as usize;
                break;
            }
            at += 8;
        }
        let Some(&byte) = bytes.get(at) else { break };
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&bytes[from..at]);
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0xf)]);
                at += 1;
                from = at;
                continue;
            }
            _ => {
                at += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[from..at]);
        out.extend_from_slice(escape);
        at += 1;
        from = at;
    }
    out.extend_from_slice(&bytes[from..]);
    out.push(b'"');
}

/// A flag (high bit) on each byte of `word` (little-endian) that is `"`,
/// `\` or a control character. The lowest flag is always right; higher
/// ones may be false (borrows), so a caller looks at the byte itself.
pub(crate) fn special_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let control = word.wrapping_sub(ONES * 0x20) & !word;
    (zero(quote) | zero(backslash) | control) & HIGH
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn special_bytes_finds_the_first_quote_backslash_or_control_byte() {
        let at = |s: &[u8; 8]| special_bytes(u64::from_le_bytes(*s)).trailing_zeros() / 8;
        assert_eq!(at(b"abcdefgh"), 8);
        assert_eq!(at(b"abc\"efgh"), 3);
        assert_eq!(at(b"a\\cdefgh"), 1);
        assert_eq!(at(b"abcdef\ng"), 6);
        assert_eq!(at(b"\x1f\"\"\"\"\"\"\""), 0);
        assert_eq!(at(b" !#[]~\x7f "), 8);
        assert_eq!(at("é €ab".as_bytes().try_into().unwrap()), 8);
    }

    fn ours(s: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_escape_is_serde_jsons() {
        let all: String = (0u8..0x80).map(char::from).collect();
        assert_eq!(ours(&all), serde_json::to_string(&all).unwrap());
        assert_eq!(ours(""), "\"\"");
    }

    proptest! {
        #[test]
        fn strings_are_written_as_serde_json_writes_them(
            s in "(\\PC|[\"\\\\\\x00-\\x1f\\x7f]){0,80}"
        ) {
            prop_assert_eq!(ours(&s), serde_json::to_string(&s).unwrap());
        }
    }
}
