//! Message templates: text with `{field.path}` placeholders, filled from the
//! interaction a finding is about. `{{` and `}}` stand for literal braces.

use std::ops::Range;

use serde_json::Value as Json;

use std::fmt::Write;

use crate::record::{FieldPath, FieldValue, Fields};

/// A parsed message template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    Field {
        field: FieldPath,
        span: Range<usize>,
    },
}

/// A template that does not parse, with the byte span of the fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
    pub span: Range<usize>,
}

impl Template {
    pub fn parse(src: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut chars = src.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().is_some_and(|&(_, c)| c == '{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek().is_some_and(|&(_, c)| c == '}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let Some(close) = src[i + 1..].find('}').map(|j| i + 1 + j) else {
                        return Err(TemplateError {
                            message: "placeholder is not closed".to_string(),
                            span: i..src.len(),
                        });
                    };
                    let raw = &src[i + 1..close];
                    let path = raw.trim();
                    let lead = raw.len() - raw.trim_start().len();
                    let span = i + 1 + lead..i + 1 + lead + path.len();
                    if path.is_empty() || !path.split('.').all(is_ident) {
                        return Err(TemplateError {
                            message: format!(
                                "`{{{raw}}}` is not a placeholder: write a field path like `{{customer.id}}`"
                            ),
                            span: i..close + 1,
                        });
                    }
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(Part::Field {
                        field: FieldPath::new(path),
                        span,
                    });
                    while chars.peek().is_some_and(|&(j, _)| j <= close) {
                        chars.next();
                    }
                }
                '}' => {
                    return Err(TemplateError {
                        message: "`}` without a `{`: write `}}` for a literal brace".to_string(),
                        span: i..i + 1,
                    });
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Template { parts })
    }

    /// The placeholders' paths with their spans in the template.
    pub fn fields(&self) -> impl Iterator<Item = (&str, Range<usize>)> {
        self.parts.iter().filter_map(|p| match p {
            Part::Field { field, span } => Some((field.as_str(), span.clone())),
            Part::Text(_) => None,
        })
    }

    /// Fills the placeholders from `record`; a missing value prints as
    /// `<missing>`.
    pub fn render<F: Fields + ?Sized>(&self, record: &F) -> String {
        let mut out = String::with_capacity(self.parts.len() * 16);
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Field { field, .. } => match field.read(record) {
                    Some(FieldValue::Str(s)) => out.push_str(s),
                    Some(FieldValue::Json(v)) => push_value(&mut out, Some(&v)),
                    None => push_value(&mut out, None),
                },
            }
        }
        out
    }
}

/// A placeholder's value as a person reads it.
fn push_value(out: &mut String, value: Option<&Json>) {
    // Writing into a String cannot fail.
    let _ = match value {
        Some(Json::String(s)) => {
            out.push_str(s);
            Ok(())
        }
        Some(Json::Null) | None => {
            out.push_str("<missing>");
            Ok(())
        }
        Some(Json::Number(n)) => write_number(out, n),
        Some(v) => write!(out, "{v}"),
    };
}

/// A number as a person writes it: `2000000.0` reads `2000000`, `0.6`
/// stays `0.6`.
fn write_number(out: &mut String, n: &serde_json::Number) -> std::fmt::Result {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => write!(out, "{}", f as i64),
        _ => write!(out, "{n}"),
    }
}

fn is_ident(seg: &str) -> bool {
    let mut chars = seg.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(json: &str) -> serde_json::Map<String, Json> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn placeholders_are_filled_from_the_record() {
        let t = Template::parse("refused {request.amount} to {customer.id}").unwrap();
        let r = rec(r#"{"request":{"amount":0.6},"customer":{"id":"barrier"}}"#);
        assert_eq!(t.render(&r), "refused 0.6 to barrier");
    }

    #[test]
    fn whole_doubles_print_without_a_fraction() {
        let t = Template::parse("{a} {b} {c}").unwrap();
        assert_eq!(
            t.render(&rec(r#"{"a": 2000000.0, "b": 0.6, "c": 7}"#)),
            "2000000 0.6 7"
        );
    }

    #[test]
    fn missing_values_print_as_missing() {
        let t = Template::parse("value {customer.lifetime_value}").unwrap();
        assert_eq!(t.render(&rec("{}")), "value <missing>");
    }

    #[test]
    fn doubled_braces_are_literal() {
        let t = Template::parse("{{not}} a field").unwrap();
        assert_eq!(t.fields().count(), 0);
        assert_eq!(t.render(&rec("{}")), "{not} a field");
    }

    #[test]
    fn placeholder_spans_point_at_the_path() {
        let src = "x { customer.id } y";
        let t = Template::parse(src).unwrap();
        let (path, span) = t.fields().next().unwrap();
        assert_eq!(path, "customer.id");
        assert_eq!(&src[span], "customer.id");
    }

    #[test]
    fn unclosed_placeholder_is_an_error() {
        assert!(Template::parse("oops {customer.id").is_err());
        assert!(Template::parse("oops }").is_err());
        assert!(Template::parse("bad {customer id}").is_err());
    }
}
