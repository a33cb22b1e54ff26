//! The field paths an expression reads, found by walking its syntax tree:
//! `customer.lifetime_value` in `request.amount < customer.lifetime_value`.
//! Names bound by comprehensions (`x` in `list.exists(x, x > 1)`) are not
//! fields.

use std::ops::Range;

use cel::IdedExpr;
use cel::common::ast::{EntryExpr, Expr};

/// One field path read by an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRead {
    /// Dotted path: `customer.lifetime_value`.
    pub path: String,
    /// Byte span of the path inside the expression.
    pub span: Range<usize>,
}

/// The fields `program` reads, in source order, and whether it names
/// [`super::ROOT`].
pub(super) fn collect(program: &cel::Program, source: &str) -> (Vec<FieldRead>, bool) {
    let mut walker = Walker {
        info: program.source_info(),
        source,
        bound: Vec::new(),
        out: Vec::new(),
        root: false,
    };
    walker.walk(program.expression());
    walker.out.sort_by_key(|r| (r.span.start, r.span.end));
    walker.out.dedup();
    (walker.out, walker.root)
}

struct Walker<'a> {
    info: &'a cel::common::ast::SourceInfo,
    source: &'a str,
    bound: Vec<String>,
    out: Vec<FieldRead>,
    root: bool,
}

impl Walker<'_> {
    fn walk(&mut self, e: &IdedExpr) {
        match &e.expr {
            Expr::Ident(name) => {
                if !name.starts_with('@')
                    && name != super::ROOT
                    && !self.bound.iter().any(|b| b == name)
                {
                    let span = self.span_of(e.id, name.len());
                    self.out.push(FieldRead {
                        path: name.clone(),
                        span,
                    });
                }
            }
            Expr::Select(sel) => {
                if let Some((root_id, segments)) = qualified(e) {
                    if segments[0].starts_with('@') || self.bound.iter().any(|b| b == segments[0]) {
                        return;
                    }
                    self.root |= segments[0] == super::ROOT;
                    let start = self.span_of(root_id, 0).start;
                    let end = self.path_end(start, &segments);
                    // `interaction.csat` reads `csat`.
                    let segments = super::field_segments(&segments);
                    if segments.is_empty() {
                        return;
                    }
                    self.out.push(FieldRead {
                        path: segments.join("."),
                        span: start..end,
                    });
                } else {
                    self.walk(&sel.operand);
                }
            }
            Expr::Call(call) => {
                if let Some(t) = &call.target {
                    self.walk(t);
                }
                for a in &call.args {
                    self.walk(a);
                }
            }
            Expr::Comprehension(c) => {
                self.walk(&c.iter_range);
                let mark = self.bound.len();
                self.bound.push(c.iter_var.clone());
                if let Some(v2) = &c.iter_var2 {
                    self.bound.push(v2.clone());
                }
                self.bound.push(c.accu_var.clone());
                self.walk(&c.accu_init);
                self.walk(&c.loop_cond);
                self.walk(&c.loop_step);
                self.walk(&c.result);
                self.bound.truncate(mark);
            }
            Expr::List(list) => {
                for el in &list.elements {
                    self.walk(el);
                }
            }
            Expr::Map(map) => self.walk_entries(&map.entries),
            Expr::Struct(st) => self.walk_entries(&st.entries),
            Expr::Literal(_) | Expr::Unspecified => {}
        }
    }

    fn walk_entries(&mut self, entries: &[cel::common::ast::IdedEntryExpr]) {
        for entry in entries {
            match &entry.expr {
                EntryExpr::MapEntry(me) => {
                    self.walk(&me.key);
                    self.walk(&me.value);
                }
                EntryExpr::StructField(sf) => self.walk(&sf.value),
            }
        }
    }

    /// Where the path written from `start` ends: past its last segment,
    /// found in the source (the offset of a `has()` macro's selection is
    /// not its own).
    fn path_end(&self, start: usize, segments: &[&str]) -> usize {
        let mut at = start;
        for seg in segments {
            match self.source.get(at..).and_then(|rest| rest.find(seg)) {
                Some(i) => at += i + seg.len(),
                None => return self.source.len(),
            }
        }
        at
    }

    fn span_of(&self, id: u64, len: usize) -> Range<usize> {
        match self.info.offset_for(id) {
            Some((start, _)) => {
                let start = (start as usize).min(self.source.len());
                start..(start + len).min(self.source.len())
            }
            None => 0..self.source.len(),
        }
    }
}

/// `a.b.c` as (id of `a`, ["a", "b", "c"]); presence tests (`has(a.b)`)
/// count, since a misspelt `has()` is as silent as a misspelt read.
fn qualified(e: &IdedExpr) -> Option<(u64, Vec<&str>)> {
    let mut segments = Vec::new();
    let mut cur = e;
    loop {
        match &cur.expr {
            Expr::Ident(name) => {
                segments.push(name.as_str());
                segments.reverse();
                return Some((cur.id, segments));
            }
            Expr::Select(sel) => {
                segments.push(sel.field.as_str());
                cur = &sel.operand;
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::cel::compile;

    fn reads(src: &str) -> Vec<(String, String)> {
        compile(src)
            .unwrap()
            .reads()
            .iter()
            .map(|r| (r.path.clone(), src[r.span.clone()].to_string()))
            .collect()
    }

    #[test]
    fn dotted_paths_are_read_whole_with_their_spans() {
        assert_eq!(
            reads("request.amount < 0.01 * customer.lifetime_value"),
            vec![
                ("request.amount".into(), "request.amount".into()),
                (
                    "customer.lifetime_value".into(),
                    "customer.lifetime_value".into()
                )
            ]
        );
    }

    #[test]
    fn comprehension_variables_are_not_fields() {
        assert_eq!(
            reads("policies_invoked.exists(p, p.startsWith('x'))"),
            vec![("policies_invoked".into(), "policies_invoked".into())]
        );
    }

    #[test]
    fn presence_tests_are_reads() {
        let r = reads("has(customer.segment) && channel == 'store'");
        assert_eq!(r[0], ("customer.segment".into(), "customer.segment".into()));
        assert_eq!(r[1], ("channel".into(), "channel".into()));
    }

    #[test]
    fn a_path_under_interaction_reads_the_field_and_spans_what_was_written() {
        assert_eq!(
            reads("has(interaction.csat) && interaction.csat <= 2 || size(interaction) > 1"),
            vec![
                ("csat".into(), "interaction.csat".into()),
                ("csat".into(), "interaction.csat".into())
            ]
        );
    }

    #[test]
    fn method_targets_and_in_lists_are_read() {
        let r = reads(
            "transcript.contains('policy') && channel in ['store', 'phone'] && size(agent) > 0",
        );
        let paths: Vec<_> = r.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(paths, vec!["transcript", "channel", "agent"]);
    }
}
