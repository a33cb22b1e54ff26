//! CEL's `matches`, with each pattern compiled once per thread rather than
//! on every call (compiling was a quarter of an evaluation's time).

use std::cell::RefCell;
use std::collections::HashMap;

use cel::ExecutionError;
use cel::common::types::{CelBool, CelString};

/// Patterns kept per thread; past it the cache starts over.
const MAX_PATTERNS: usize = 256;

thread_local! {
    static COMPILED: RefCell<HashMap<String, regex::Regex>> = RefCell::new(HashMap::new());
}

fn matches(this: &CelString<'_>, re: &CelString<'_>) -> Result<CelBool, ExecutionError> {
    COMPILED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(compiled) = cache.get(re.inner()) {
            return Ok(CelBool::from(compiled.is_match(this.inner())));
        }
        match regex::Regex::new(re.inner()) {
            Ok(compiled) => {
                let found = compiled.is_match(this.inner());
                if cache.len() >= MAX_PATTERNS {
                    cache.clear();
                }
                cache.insert(re.inner().to_string(), compiled);
                Ok(CelBool::from(found))
            }
            Err(err) => Err(ExecutionError::FunctionError {
                function: "matches".to_string(),
                message: format!("`{}` is not a valid regular expression: {err}", re.inner()),
            }),
        }
    })
}

/// Declares `matches(s, re)` and `s.matches(re)` on `env`.
pub(super) fn register(env: &mut cel::Env) {
    cel::add_overload!(env, fn matches: (CelString, CelString) -> Result<CelBool>, id = "matches")
        .expect("`matches` is not declared without the regex feature");
    cel::add_member_overload!(env, fn matches: (CelString, CelString) -> Result<CelBool>)
        .expect("`matches` is not declared without the regex feature");
}

#[cfg(test)]
mod tests {
    use crate::cel::{Activation, compile};
    use crate::fields::FieldCatalog;

    fn eval(src: &str) -> Result<bool, String> {
        let v: serde_json::Value =
            serde_json::from_str(r#"{"id":"a","transcript":"It is NOT our fault"}"#).unwrap();
        let act = Activation::new(v.as_object().unwrap(), &FieldCatalog::canonical()).unwrap();
        compile(src).unwrap().eval_bool(&act).map_err(|e| e.message)
    }

    #[test]
    fn matches_works_as_a_method_and_a_function() {
        assert_eq!(eval("transcript.matches('(?i)not our fault')"), Ok(true));
        assert_eq!(eval("matches(transcript, '^It')"), Ok(true));
        assert_eq!(eval("transcript.matches('^fault')"), Ok(false));
    }

    #[test]
    fn invalid_pattern_is_an_evaluation_error() {
        let err = eval("transcript.matches('(')").unwrap_err();
        assert!(err.contains("not a valid regular expression"), "{err}");
    }
}
