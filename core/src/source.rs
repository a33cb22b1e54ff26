//! Source files and positions: byte spans to 1-based line and column, and
//! the map from a position inside a TOML string's *value* back to the file,
//! so that an error inside a CEL expression points at the right column even
//! when the string has escapes or spans several lines.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file of a pack, kept whole so diagnostics can show its lines.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user should read it (relative to where they ran us
    /// when possible).
    pub path: PathBuf,
    pub text: Arc<String>,
    line_starts: Vec<usize>,
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: String) -> Arc<Self> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Arc::new(SourceFile {
            path: path.into(),
            text: Arc::new(text),
            line_starts,
        })
    }

    pub fn display_path(&self) -> String {
        display_path(&self.path)
    }

    /// The line and column of byte `offset` (clamped into the file).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.floor_char_boundary(offset.min(self.text.len()));
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_idx];
        LineCol {
            line: line_idx + 1,
            column: self.text[start..offset].chars().count() + 1,
        }
    }

    /// The text of 1-based `line`, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self
            .line_starts
            .get(line - 1)
            .copied()
            .unwrap_or(self.text.len());
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    fn floor_char_boundary(&self, mut offset: usize) -> usize {
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// `path` relative to the current directory when it lies below it.
/// `./` components are dropped: `./policies/a.toml` reads `policies/a.toml`.
pub fn display_path(path: &Path) -> String {
    let rel = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let clean: PathBuf = rel
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    if clean.as_os_str().is_empty() {
        ".".to_string()
    } else {
        clean.display().to_string()
    }
}

/// Maps byte offsets in a TOML string's decoded value to byte offsets in the
/// file, given the span of the raw literal (quotes included).
#[derive(Debug, Clone)]
pub struct StringLiteralMap {
    /// (decoded offset, raw file offset) at the start of each decoded char.
    points: Vec<(usize, usize)>,
    /// Where the literal ends in the file (after the closing quote).
    end: usize,
}

impl StringLiteralMap {
    /// Builds the map for the literal at `span` of `text`. Falls back to a
    /// straight offset when the span does not hold a string literal.
    pub fn new(text: &str, span: Range<usize>) -> Self {
        let raw = text.get(span.clone()).unwrap_or("");
        let (delim, basic) = if raw.starts_with("\"\"\"") {
            (3, true)
        } else if raw.starts_with("'''") {
            (3, false)
        } else if raw.starts_with('"') {
            (1, true)
        } else if raw.starts_with('\'') {
            (1, false)
        } else {
            return StringLiteralMap {
                points: vec![(0, span.start)],
                end: span.end,
            };
        };
        let body_end = raw.len().saturating_sub(delim).max(delim);
        let body = &raw[delim..body_end];
        let base = span.start + delim;
        let mut points = Vec::with_capacity(body.len() + 1);
        let mut decoded = 0usize;
        let mut chars = body.char_indices().peekable();
        // A newline right after a multi-line opening delimiter is trimmed.
        if delim == 3 {
            if body.starts_with("\r\n") {
                chars.next();
                chars.next();
            } else if body.starts_with('\n') {
                chars.next();
            }
        }
        while let Some((i, c)) = chars.next() {
            if basic && c == '\\' {
                match chars.peek().map(|&(_, c)| c) {
                    Some(e @ ('u' | 'U' | 'x')) => {
                        points.push((decoded, base + i));
                        chars.next();
                        let digits = match e {
                            'u' => 4,
                            'U' => 8,
                            _ => 2,
                        };
                        let hex: String = (0..digits)
                            .filter_map(|_| chars.next().map(|(_, c)| c))
                            .collect();
                        decoded += decoded_len(&hex);
                    }
                    Some(c2) if c2 == ' ' || c2 == '\t' || c2 == '\n' || c2 == '\r' => {
                        // Line-ending backslash: skip all whitespace after it.
                        while chars.peek().is_some_and(|&(_, c)| c.is_whitespace()) {
                            chars.next();
                        }
                    }
                    Some(_) => {
                        points.push((decoded, base + i));
                        chars.next();
                        decoded += 1;
                    }
                    None => {}
                }
            } else {
                points.push((decoded, base + i));
                decoded += c.len_utf8();
            }
        }
        points.push((decoded, base + body.len()));
        StringLiteralMap {
            points,
            end: span.end,
        }
    }

    /// The file offset of decoded byte `offset`.
    pub fn to_file(&self, offset: usize) -> usize {
        match self.points.binary_search_by_key(&offset, |&(d, _)| d) {
            Ok(i) => self.points[i].1,
            Err(0) => self.points.first().map_or(self.end, |p| p.1),
            Err(i) => {
                let (d, r) = self.points[i - 1];
                (r + (offset - d)).min(self.end)
            }
        }
    }

    /// The file span of decoded span `range`.
    pub fn span_to_file(&self, range: Range<usize>) -> Range<usize> {
        let start = self.to_file(range.start);
        let end = self.to_file(range.end).max(start);
        start..end
    }
}

fn decoded_len(hex: &str) -> usize {
    u32::from_str_radix(hex, 16)
        .ok()
        .and_then(char::from_u32)
        .map_or(1, char::len_utf8)
}

/// The byte offset of the 1-based (line, char column) position in `text`.
pub fn offset_of_line_col(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(column.saturating_sub(1))
                    .map_or(l.trim_end_matches('\n').len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let f = SourceFile::new("a.toml", "ab\nçd = 1\n".to_string());
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(5), LineCol { line: 2, column: 2 });
        assert_eq!(f.line_text(2), "çd = 1");
    }

    #[test]
    fn basic_string_maps_past_its_quote() {
        let text = r#"when = "a &&& b""#;
        let start = text.find('"').unwrap();
        let map = StringLiteralMap::new(text, start..text.len());
        assert_eq!(&text[map.to_file(2)..map.to_file(2) + 3], "&&&");
    }

    #[test]
    fn escapes_shift_later_positions() {
        let text = r#"when = "\"x\" == y""#;
        let start = text.find('"').unwrap();
        let map = StringLiteralMap::new(text, start..text.len());
        // decoded: "x" == y ; `y` is decoded offset 7
        assert_eq!(&text[map.to_file(7)..map.to_file(7) + 1], "y");
    }

    #[test]
    fn multiline_string_skips_the_first_newline() {
        let text = "when = \"\"\"\na &&\n  zz\"\"\"";
        let start = text.find('"').unwrap();
        let map = StringLiteralMap::new(text, start..text.len());
        // decoded: "a &&\n  zz" ; `zz` at decoded 7
        assert_eq!(&text[map.to_file(7)..map.to_file(7) + 2], "zz");
    }

    #[test]
    fn offset_of_line_col_inverts_char_columns() {
        assert_eq!(offset_of_line_col("éa\nxy", 1, 2), 2);
        assert_eq!(offset_of_line_col("éa\nxy", 2, 2), 5);
    }
}
