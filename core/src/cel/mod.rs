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
mod value;

use std::ops::Range;
use std::sync::{Arc, OnceLock};

pub use bound::Bound;
pub use reads::FieldRead;
pub use value::{Activation, ActivationError, Value, describe_json};

use crate::source::offset_of_line_col;

/// A compiled CEL expression.
#[derive(Debug)]
pub struct Expression {
    source: String,
    program: cel::Program,
    reads: Vec<FieldRead>,
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
    // The parser's recursion is bounded by the text's nesting; refuse
    // pathological nesting before it can exhaust the stack.
    if let Some(at) = too_deep(source, 200) {
        return Err(vec![SyntaxError {
            message: "the expression nests deeper than 200 levels".to_string(),
            span: at..at + 1,
        }]);
    }
    match env().compile(source) {
        Ok(program) => {
            let reads = reads::collect(&program, source);
            let native = native::Native::compile(program.expression());
            Ok(Expression {
                source: source.to_string(),
                program,
                reads,
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

    /// Evaluates the expression over one interaction.
    pub fn eval(&self, activation: &Activation) -> Result<Value, EvalError> {
        match self.program.execute(activation.context()) {
            Ok(v) => Ok(Value::from_cel(&v)),
            Err(e) => Err(EvalError {
                message: value::describe_exec_error(&e),
            }),
        }
    }

    /// Evaluates to a bool, or says what it evaluated to instead.
    pub fn eval_bool(&self, activation: &Activation) -> Result<bool, EvalError> {
        match self.eval(activation)? {
            Value::Bool(b) => Ok(b),
            other => Err(EvalError {
                message: format!("expected a bool, got {} `{}`", other.type_name(), other),
            }),
        }
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
        self.eval_bool(bound.activation()?)
    }

    /// Like [`Expression::eval_number`] over a [`Bound`] record.
    pub fn eval_number_bound(&self, bound: &Bound<'_>) -> Result<f64, EvalError> {
        if let Some(n) = &self.native
            && let Ok(native::Out::Number(x)) = n.eval(bound.record(), bound.catalog())
        {
            return Ok(x);
        }
        self.eval_number(bound.activation()?)
    }

    /// Evaluates to a number, or says what it evaluated to instead.
    pub fn eval_number(&self, activation: &Activation) -> Result<f64, EvalError> {
        match self.eval(activation)? {
            Value::Int(i) => Ok(i as f64),
            Value::UInt(u) => Ok(u as f64),
            Value::Double(d) => Ok(d),
            other => Err(EvalError {
                message: format!("expected a number, got {} `{}`", other.type_name(), other),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn deep_nesting_is_refused_not_overflowed() {
        let src = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
        assert!(compile(&src).is_err());
    }
}
