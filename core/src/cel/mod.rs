//! The project's own interface to CEL. Nothing outside this module names the
//! `cel` crate: its API changes with most minor versions, so it is pinned
//! and wrapped here. An [`Expression`] is compiled once, when a pack loads,
//! and knows which field paths it reads.

mod bound;
#[cfg(test)]
mod differential;
mod native;
mod reads;
mod regex_cache;
mod rfc3339;
mod types;
mod value;

use std::ops::Range;
use std::sync::{Arc, OnceLock};

pub use bound::Bound;
pub use reads::FieldRead;
pub use types::{Expected, Type, TypeError};
pub use value::{Activation, ActivationError, Value, describe_json};
pub(crate) use value::{check_typed, check_typed_str};

use crate::record::Fields;
use crate::source::offset_of_line_col;

/// The name bound to the whole interaction. CEL's `has()` tests a field
/// of something (`has(customer.segment)`), never a name alone, so an
/// optional top-level field is tested as `has(interaction.csat)`; and
/// `interaction.csat` reads what `csat` reads.
pub const ROOT: &str = "interaction";

/// A field path's segments without a leading [`ROOT`]: `interaction.csat`
/// is the field `csat`. [`ROOT`] alone (the whole interaction) is no field:
/// empty.
fn field_segments<S: AsRef<str>>(segments: &[S]) -> &[S] {
    match segments.first() {
        Some(first) if first.as_ref() == ROOT => &segments[1..],
        _ => segments,
    }
}

/// A compiled CEL expression.
#[derive(Debug)]
pub struct Expression {
    source: String,
    program: cel::Program,
    reads: Vec<FieldRead>,
    /// Whether it names [`ROOT`]: the interpreter then binds it.
    uses_root: bool,
    /// The fast path, when the expression is in its subset.
    native: Option<native::Native>,
}

/// A CEL syntax error, with its byte span inside the expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Range<usize>,
}

/// A CEL expression failed on one interaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EvalError {
    pub message: String,
}

pub(crate) fn env() -> Arc<cel::Env> {
    static ENV: OnceLock<Arc<cel::Env>> = OnceLock::new();
    Arc::clone(ENV.get_or_init(|| {
        let mut env = cel::Env::stdlib();
        regex_cache::register(&mut env);
        Arc::new(env)
    }))
}

/// Compiles `source`, or says every syntax error in it.
pub fn compile(source: &str) -> Result<Expression, Vec<SyntaxError>> {
    if source.trim().is_empty() {
        return Err(vec![SyntaxError {
            message: "the expression is empty".to_string(),
            span: 0..source.len(),
        }]);
    }
    // The parser and the interpreter recurse once per operator of the
    // deepest chain: refuse pathological expressions before they can
    // exhaust a stack, and parse big ones on a thread with a stack of its own.
    if let Some(at) = too_deep(source, MAX_NESTING) {
        return Err(vec![SyntaxError {
            message: format!("the expression nests deeper than {MAX_NESTING} levels"),
            span: at..at + 1,
        }]);
    }
    let operators = count_operators(source);
    if operators > MAX_OPERATORS {
        return Err(vec![SyntaxError {
            message: format!(
                "the expression has {operators} operators, more than the {MAX_OPERATORS} one expression may have: split it into several checks"
            ),
            span: 0..source.len(),
        }]);
    }
    let parsed = if operators > 32 {
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(BIG_STACK)
                .spawn_scoped(scope, || env().compile(source))
                .map(|h| h.join())
        })
    } else {
        Ok(Ok(env().compile(source)))
    };
    let Ok(Ok(parsed)) = parsed else {
        return Err(vec![SyntaxError {
            message: "the expression could not be parsed".to_string(),
            span: 0..source.len(),
        }]);
    };
    match parsed {
        Ok(program) => {
            let (reads, uses_root) = reads::collect(&program, source);
            let native = native::Native::compile(program.expression());
            Ok(Expression {
                source: source.to_string(),
                program,
                reads,
                uses_root,
                native,
            })
        }
        Err(errors) => Err(errors
            .errors
            .iter()
            .map(|e| {
                let line = usize::try_from(e.pos.0).unwrap_or(1).max(1);
                let col = usize::try_from(e.pos.1).unwrap_or(1).max(1);
                let start = offset_of_line_col(source, line, col);
                let end = source[start..]
                    .chars()
                    .next()
                    .map_or(start, |c| start + c.len_utf8());
                SyntaxError {
                    message: tidy_parse_message(&e.msg),
                    span: start..end,
                }
            })
            .collect()),
    }
}

/// Deepest bracket nesting an expression may have.
const MAX_NESTING: usize = 64;
/// Most operators one expression may have (real conditions have tens).
const MAX_OPERATORS: usize = 500;
/// Stack for parsing big expressions.
const BIG_STACK: usize = 256 << 20;

/// Operators outside string literals: an upper bound on the depth of the
/// syntax tree.
fn count_operators(source: &str) -> usize {
    let bytes = source.as_bytes();
    let mut count = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'"' | b'\'') => {
                let triple = bytes.get(i..i + 3) == Some(&[q, q, q][..]);
                i += if triple { 3 } else { 1 };
                while i < bytes.len() {
                    if bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if bytes[i] == q && (!triple || bytes.get(i..i + 3) == Some(&[q, q, q][..])) {
                        i += if triple { 3 } else { 1 };
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'.' if i > 0 && bytes[i - 1].is_ascii_digit() => {}
            b'.' | b'!' | b'-' | b'+' | b'*' | b'/' | b'%' | b'<' | b'>' | b'?' | b'(' | b'['
            | b'{' => count += 1,
            b'&' | b'|' | b'=' if bytes.get(i + 1) == Some(&bytes[i]) => {
                count += 1;
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    count
}

fn too_deep(source: &str, limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in source.char_indices() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn tidy_parse_message(msg: &str) -> String {
    let msg = msg.strip_prefix("Syntax error: ").unwrap_or(msg);
    let mut out = String::with_capacity(msg.len());
    let mut chars = msg.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_lowercase());
    }
    out.push_str(chars.as_str());
    backtick_quoted(&out.replace("<EOF>", "end of expression"))
}

/// `at: '& '` becomes ``at: `&` ``: user input in backticks, trimmed.
fn backtick_quoted(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(open) = rest.find('\'') {
        let Some(close) = rest[open + 1..].find('\'').map(|j| open + 1 + j) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push('`');
        out.push_str(rest[open + 1..close].trim());
        out.push('`');
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

impl Expression {
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The field paths this expression reads, in source order.
    pub fn reads(&self) -> &[FieldRead] {
        &self.reads
    }

    /// Each field path this expression reads, once, first read first: what
    /// a finding's evidence is made of.
    pub fn read_paths(&self) -> impl Iterator<Item = &str> {
        let reads = &self.reads;
        reads
            .iter()
            .enumerate()
            .filter(|(i, read)| !reads[..*i].iter().any(|r| r.path == read.path))
            .map(|(_, read)| read.path.as_str())
    }

    /// The type mistakes in the expression, given the fields' types and what
    /// the expression must give.
    pub fn type_errors(
        &self,
        catalog: &crate::fields::FieldCatalog,
        expected: Expected,
    ) -> Vec<TypeError> {
        types::check(&self.program, &self.source, catalog, expected)
    }

    /// Evaluates the expression over one interaction.
    pub fn eval(&self, activation: &Activation) -> Result<Value, EvalError> {
        self.run(activation, None)
    }

    /// Evaluates over `activation`, the binding of `record`, which names
    /// the field an error is about.
    fn run(
        &self,
        activation: &Activation,
        record: Option<&dyn Fields>,
    ) -> Result<Value, EvalError> {
        let rooted;
        let activation = if self.uses_root && !activation.is_rooted() {
            rooted = activation.with_root();
            &rooted
        } else {
            activation
        };
        match self.program.execute(activation.context()) {
            Ok(v) => Ok(Value::from_cel(&v)),
            Err(e) => Err(EvalError {
                message: self.describe(&e, record),
            }),
        }
    }

    /// What went wrong, naming an absent field by its whole path: the
    /// interpreter only knows its last segment (`fee_charged`).
    fn describe(&self, e: &cel::ExecutionError, record: Option<&dyn Fields>) -> String {
        if let cel::ExecutionError::NoSuchKey(key) = e
            && let Some(path) = self.absent_path(key, record)
        {
            // `has()` needs a field of something: `has(interaction.csat)`.
            let guard = if path.contains('.') {
                path.to_string()
            } else {
                format!("{ROOT}.{path}")
            };
            return format!("the interaction has no `{path}`: guard the read with `has({guard})`");
        }
        value::describe_exec_error(e)
    }

    /// The path this expression reads that ends in `key`: the first one
    /// `record` lacks, or the only one when the record is not known.
    fn absent_path(&self, key: &str, record: Option<&dyn Fields>) -> Option<&str> {
        let mut candidates = self
            .read_paths()
            .filter(|p| p.rsplit('.').next() == Some(key));
        match record {
            Some(r) => candidates.find(|p| r.get(p).is_none_or(|v| v.is_null())),
            None => {
                let first = candidates.next()?;
                candidates.next().is_none().then_some(first)
            }
        }
    }

    /// Evaluates to a bool, or says what it evaluated to instead.
    pub fn eval_bool(&self, activation: &Activation) -> Result<bool, EvalError> {
        as_bool(self.run(activation, None)?)
    }

    /// [`Expression::eval_bool`] over `activation`, the binding of
    /// `record`.
    pub fn eval_bool_in(
        &self,
        activation: &Activation,
        record: &dyn Fields,
    ) -> Result<bool, EvalError> {
        as_bool(self.run(activation, Some(record))?)
    }

    /// Whether the fast path compiles this expression.
    pub fn is_native(&self) -> bool {
        self.native.is_some()
    }

    /// Like [`Expression::eval_bool`] over a [`Bound`] record: the fast path
    /// when it is sure of the answer, the interpreter otherwise.
    pub fn eval_bool_bound(&self, bound: &Bound<'_>) -> Result<bool, EvalError> {
        if let Some(n) = &self.native
            && let Ok(native::Out::Bool(b)) = n.eval(bound.record(), bound.catalog())
        {
            return Ok(b);
        }
        as_bool(self.run(bound.activation_for(self.uses_root)?, Some(bound.record()))?)
    }

    /// Like [`Expression::eval_number`] over a [`Bound`] record.
    pub fn eval_number_bound(&self, bound: &Bound<'_>) -> Result<f64, EvalError> {
        if let Some(n) = &self.native
            && let Ok(native::Out::Number(x)) = n.eval(bound.record(), bound.catalog())
        {
            return Ok(x);
        }
        as_number(self.run(bound.activation_for(self.uses_root)?, Some(bound.record()))?)
    }

    /// Evaluates to a number, or says what it evaluated to instead.
    pub fn eval_number(&self, activation: &Activation) -> Result<f64, EvalError> {
        as_number(self.run(activation, None)?)
    }

    /// [`Expression::eval_number`] over `activation`, the binding of
    /// `record`.
    pub fn eval_number_in(
        &self,
        activation: &Activation,
        record: &dyn Fields,
    ) -> Result<f64, EvalError> {
        as_number(self.run(activation, Some(record))?)
    }
}

fn as_bool(v: Value) -> Result<bool, EvalError> {
    match v {
        Value::Bool(b) => Ok(b),
        other => Err(EvalError {
            message: format!("expected a bool, got {} `{}`", other.type_name(), other),
        }),
    }
}

fn as_number(v: Value) -> Result<f64, EvalError> {
    match v {
        Value::Int(i) => Ok(i as f64),
        Value::UInt(u) => Ok(u as f64),
        Value::Double(d) => Ok(d),
        other => Err(EvalError {
            message: format!("expected a number, got {} `{}`", other.type_name(), other),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interaction_names_the_whole_record_for_has_and_reads() {
        let catalog = crate::fields::FieldCatalog::canonical();
        let record: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(r#"{"id":"a","nps":10,"customer":{"id":"c"},"interaction":5}"#)
                .unwrap();
        for (src, want) in [
            ("interaction.interaction == 5", true),
            ("interaction.nps >= 9", true),
            ("has(interaction.nps)", true),
            ("has(interaction.csat)", false),
            ("has(interaction.customer)", true),
            ("has(interaction.outcome)", false),
        ] {
            let e = compile(src).unwrap();
            assert_eq!(
                e.reads()[0].path,
                src.split(['.', ')', ' ']).nth(1).unwrap(),
                "{src}"
            );
            // The fast path answers, and the interpreter agrees.
            let native = e.native.as_ref().expect(src).eval(&record, &catalog);
            assert_eq!(native, Ok(native::Out::Bool(want)), "{src}");
            let act = Activation::new(&record, &catalog).unwrap();
            assert_eq!(e.eval_bool(&act), Ok(want), "{src}");
        }
    }

    #[test]
    fn of_two_paths_ending_alike_the_one_the_record_lacks_is_named() {
        let e = compile("survey.id == 'x' || customer.id == 'y'").unwrap();
        let record: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(r#"{"survey":{"id":"s"},"customer":{}}"#).unwrap();
        assert_eq!(e.absent_path("id", Some(&record)), Some("customer.id"));
        // Without the record, only a path that is the only candidate.
        assert_eq!(e.absent_path("id", None), None);
        let one = compile("customer.id == 'y'").unwrap();
        assert_eq!(one.absent_path("id", None), Some("customer.id"));
    }

    #[test]
    fn an_absent_top_level_field_read_under_interaction_is_guarded_under_it() {
        let e = compile("interaction.csat <= 2").unwrap();
        let catalog = crate::fields::FieldCatalog::canonical();
        let record = serde_json::from_str(r#"{"id":"a"}"#).unwrap();
        let act = Activation::new(&record, &catalog).unwrap();
        assert_eq!(
            e.eval_bool_in(&act, &record).unwrap_err().message,
            "the interaction has no `csat`: guard the read with `has(interaction.csat)`"
        );
    }

    #[test]
    fn syntax_error_points_at_the_offending_character() {
        let errs = compile("a &&& b").unwrap_err();
        assert_eq!(errs[0].span, 4..5);
    }

    #[test]
    fn syntax_error_after_multibyte_text_uses_byte_offsets() {
        let src = "'éé' &&& b";
        let errs = compile(src).unwrap_err();
        assert_eq!(&src[errs[0].span.clone()], "&");
    }

    #[test]
    fn parser_messages_put_user_input_in_backticks() {
        let errs = compile("a &&& b").unwrap_err();
        assert_eq!(errs[0].message, "token recognition error at: `&`");
    }

    #[test]
    fn empty_expression_is_an_error() {
        assert!(compile("  ").is_err());
    }

    #[test]
    fn long_operator_chains_are_refused_not_overflowed() {
        let src = format!("1{}", " + 1".repeat(5000));
        let errs = compile(&src).unwrap_err();
        assert!(
            errs[0].message.contains("5000 operators"),
            "{}",
            errs[0].message
        );
        let dots = format!("{}b", "a.".repeat(50000));
        assert!(compile(&dots).is_err());
    }

    #[test]
    fn operators_inside_strings_do_not_count() {
        assert_eq!(count_operators(r#"'a+b.c' + "x(" + '''!!'''"#), 2);
        assert_eq!(count_operators("1.5 < x.y"), 2);
    }

    #[test]
    fn a_few_hundred_operators_still_compile() {
        let src = format!("1{}", " + 1".repeat(400));
        assert!(compile(&src).is_ok());
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let src = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
        assert!(compile(&src).is_err());
    }
}
