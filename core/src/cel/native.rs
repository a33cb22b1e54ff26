//! The fast path: the common subset of CEL (field reads, literals,
//! comparisons, arithmetic, `&&`, `||`, `!`, `?:`, `in`, `size`, `matches`,
//! `startsWith`, `endsWith`, `contains`, `double`, `timestamp('...')`)
//! compiled once into a tree evaluated directly over the JSON record, typed
//! by the field catalogue. Whatever it is not sure of — an absent field, a
//! type mix, an overflow, an unsupported construct — it hands back to the
//! interpreter ([`Fallback`]), so errors and edge cases keep the
//! interpreter's exact semantics and messages. `tests` checks that both
//! agree on every expression of the packs in the repo.

use std::borrow::Cow;

use cel::IdedExpr;
use cel::common::ast::{Expr, LiteralValue, operators as op};
use chrono::{DateTime, FixedOffset};
use serde_json::Value as Json;

use crate::fields::{CANONICAL_FIELDS, FieldCatalog, FieldType, canonical_slot};
use crate::record::{Fields, Leaf};

/// The interpreter must decide this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fallback;

type R<T> = Result<T, Fallback>;

/// A compiled expression of the subset.
#[derive(Debug)]
pub(super) struct Native(Node);

#[derive(Debug)]
enum Node {
    Bool(bool),
    Int(i64),
    Double(f64),
    Str(String),
    Ts(DateTime<FixedOffset>),
    /// `slot`: the canonical field's slot, whose type is known now.
    Field {
        path: Vec<String>,
        dotted: String,
        slot: Option<usize>,
    },
    Has {
        operand: String,
        field: String,
    },
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Cond(Box<Node>, Box<Node>, Box<Node>),
    Cmp(Cmp, Box<Node>, Box<Node>),
    Arith(Arith, Box<Node>, Box<Node>),
    Neg(Box<Node>),
    In(Box<Node>, Box<Node>),
    List(Vec<Node>),
    Size(Box<Node>),
    Str2(StrOp, Box<Node>, Box<Node>),
    Matches(Box<Node>, Box<regex::Regex>),
    ToDouble(Box<Node>),
}

#[derive(Debug, Clone, Copy)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy)]
enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Debug, Clone, Copy)]
enum StrOp {
    Contains,
    StartsWith,
    EndsWith,
}

/// A value during fast evaluation: borrowed from the record where it can be.
#[derive(Debug, Clone)]
enum V<'a> {
    Bool(bool),
    Int(i64),
    Double(f64),
    Str(Cow<'a, str>),
    Ts(DateTime<FixedOffset>),
    JsonList(&'a [Json]),
    List(Vec<V<'a>>),
}

/// The value of a fast evaluation.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Out {
    Bool(bool),
    Number(f64),
    Other,
}

impl Native {
    /// Compiles `e`, or `None` when it is outside the subset.
    pub(super) fn compile(e: &IdedExpr) -> Option<Native> {
        node(e).map(Native)
    }

    pub(super) fn eval<F: Fields + ?Sized>(&self, record: &F, catalog: &FieldCatalog) -> R<Out> {
        Ok(match eval(&self.0, record, catalog)? {
            V::Bool(b) => Out::Bool(b),
            V::Int(i) => Out::Number(i as f64),
            V::Double(d) => Out::Number(d),
            _ => Out::Other,
        })
    }
}

/// The field path `e` reads, without a leading [`super::ROOT`].
fn path_of(e: &IdedExpr) -> Option<Vec<String>> {
    let mut path = dotted(e)?;
    if path.first().is_some_and(|s| s == super::ROOT) {
        path.remove(0);
    }
    Some(path)
}

fn dotted(e: &IdedExpr) -> Option<Vec<String>> {
    match &e.expr {
        Expr::Ident(name) if !name.starts_with('@') => Some(vec![name.clone()]),
        Expr::Select(sel) if !sel.test => {
            let mut p = dotted(&sel.operand)?;
            p.push(sel.field.clone());
            Some(p)
        }
        _ => None,
    }
}

fn bx(e: &IdedExpr) -> Option<Box<Node>> {
    node(e).map(Box::new)
}

fn string_literal(e: &IdedExpr) -> Option<&str> {
    match &e.expr {
        Expr::Literal(LiteralValue::String(s)) => Some(s.inner()),
        _ => None,
    }
}

fn node(e: &IdedExpr) -> Option<Node> {
    match &e.expr {
        Expr::Literal(lit) => match lit {
            LiteralValue::Boolean(b) => Some(Node::Bool(*b.inner())),
            LiteralValue::Int(i) => Some(Node::Int(*i.inner())),
            LiteralValue::Double(d) => Some(Node::Double(*d.inner())),
            LiteralValue::String(s) => Some(Node::Str(s.inner().to_string())),
            _ => None,
        },
        Expr::Select(sel) if sel.test => Some(Node::Has {
            operand: path_of(&sel.operand)?.join("."),
            field: sel.field.clone(),
        }),
        // The whole interaction is no field: the interpreter's.
        Expr::Ident(_) | Expr::Select(_) => path_of(e).filter(|p| !p.is_empty()).map(field_node),
        Expr::List(list) if list.optional_indices.is_empty() => Some(Node::List(
            list.elements.iter().map(node).collect::<Option<Vec<_>>>()?,
        )),
        Expr::Call(call) => {
            let args = &call.args;
            let name = call.func_name.as_str();
            match (&call.target, name, args.len()) {
                (None, op::LOGICAL_AND, 2) => Some(Node::And(bx(&args[0])?, bx(&args[1])?)),
                (None, op::LOGICAL_OR, 2) => Some(Node::Or(bx(&args[0])?, bx(&args[1])?)),
                (None, op::LOGICAL_NOT, 1) => Some(Node::Not(bx(&args[0])?)),
                (None, op::NEGATE, 1) => Some(Node::Neg(bx(&args[0])?)),
                (None, op::CONDITIONAL, 3) => {
                    Some(Node::Cond(bx(&args[0])?, bx(&args[1])?, bx(&args[2])?))
                }
                (None, op::IN, 2) => Some(Node::In(bx(&args[0])?, bx(&args[1])?)),
                (None, n, 2) => {
                    let cmp = match n {
                        op::EQUALS => Some(Cmp::Eq),
                        op::NOT_EQUALS => Some(Cmp::Ne),
                        op::LESS => Some(Cmp::Lt),
                        op::LESS_EQUALS => Some(Cmp::Le),
                        op::GREATER => Some(Cmp::Gt),
                        op::GREATER_EQUALS => Some(Cmp::Ge),
                        _ => None,
                    };
                    if let Some(c) = cmp {
                        return Some(Node::Cmp(c, bx(&args[0])?, bx(&args[1])?));
                    }
                    let ar = match n {
                        op::ADD => Arith::Add,
                        op::SUBSTRACT => Arith::Sub,
                        op::MULTIPLY => Arith::Mul,
                        op::DIVIDE => Arith::Div,
                        op::MODULO => Arith::Rem,
                        "matches" => {
                            let re = regex::Regex::new(string_literal(&args[1])?).ok()?;
                            return Some(Node::Matches(bx(&args[0])?, Box::new(re)));
                        }
                        _ => return None,
                    };
                    Some(Node::Arith(ar, bx(&args[0])?, bx(&args[1])?))
                }
                (None, "size", 1) => Some(Node::Size(bx(&args[0])?)),
                (None, "double", 1) => Some(Node::ToDouble(bx(&args[0])?)),
                (None, "timestamp", 1) => DateTime::parse_from_rfc3339(string_literal(&args[0])?)
                    .ok()
                    .map(Node::Ts),
                (Some(t), "size", 0) => Some(Node::Size(bx(t)?)),
                (Some(t), "matches", 1) => {
                    let re = regex::Regex::new(string_literal(&args[0])?).ok()?;
                    Some(Node::Matches(bx(t)?, Box::new(re)))
                }
                (Some(t), "contains", 1) => {
                    Some(Node::Str2(StrOp::Contains, bx(t)?, bx(&args[0])?))
                }
                (Some(t), "startsWith", 1) => {
                    Some(Node::Str2(StrOp::StartsWith, bx(t)?, bx(&args[0])?))
                }
                (Some(t), "endsWith", 1) => {
                    Some(Node::Str2(StrOp::EndsWith, bx(t)?, bx(&args[0])?))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn field_node(path: Vec<String>) -> Node {
    let dotted = path.join(".");
    Node::Field {
        slot: canonical_slot(&dotted),
        path,
        dotted,
    }
}

/// The value at a field, present and not `null`.
fn lookup<'a, F: Fields + ?Sized>(
    record: &'a F,
    slot: Option<usize>,
    path: &[String],
) -> R<Leaf<'a>> {
    match record.leaf(slot, path) {
        None | Some(Leaf::Json(Json::Null)) => Err(Fallback),
        Some(v) => Ok(v),
    }
}

/// The type of the field read: known at compile time for a canonical one.
fn type_of(slot: Option<usize>, dotted: &str, catalog: &FieldCatalog) -> Option<FieldType> {
    match slot {
        Some(slot) => Some(CANONICAL_FIELDS[slot].ty),
        None => catalog.get(dotted).map(|def| def.ty),
    }
}

fn field(leaf: Leaf<'_>, ty: Option<FieldType>) -> R<V<'_>> {
    let json = match leaf {
        Leaf::Json(json) => json,
        Leaf::Str(s) => {
            return match ty {
                None | Some(FieldType::String) => Ok(V::Str(Cow::Borrowed(s))),
                Some(FieldType::Timestamp) => DateTime::parse_from_rfc3339(s)
                    .map(V::Ts)
                    .map_err(|_| Fallback),
                Some(_) => Err(Fallback),
            };
        }
    };
    match ty {
        Some(ty) => match (ty, json) {
            (FieldType::String, Json::String(s)) => Ok(V::Str(Cow::Borrowed(s))),
            (FieldType::Int, Json::Number(n)) => match n.as_i64() {
                Some(i) => Ok(V::Int(i)),
                None => Err(Fallback),
            },
            (FieldType::Double, Json::Number(n)) => n.as_f64().map(V::Double).ok_or(Fallback),
            (FieldType::Bool, Json::Bool(b)) => Ok(V::Bool(*b)),
            (FieldType::Timestamp, Json::String(s)) => DateTime::parse_from_rfc3339(s)
                .map(V::Ts)
                .map_err(|_| Fallback),
            (FieldType::StringList, Json::Array(a)) => Ok(V::JsonList(a)),
            _ => Err(Fallback),
        },
        None => match json {
            Json::Bool(b) => Ok(V::Bool(*b)),
            Json::Number(n) => match n.as_i64() {
                Some(i) => Ok(V::Int(i)),
                None => n.as_f64().map(V::Double).ok_or(Fallback),
            },
            Json::String(s) => Ok(V::Str(Cow::Borrowed(s))),
            Json::Array(a) => Ok(V::JsonList(a)),
            _ => Err(Fallback),
        },
    }
}

fn boolean(v: V<'_>) -> R<bool> {
    match v {
        V::Bool(b) => Ok(b),
        _ => Err(Fallback),
    }
}

fn string(v: V<'_>) -> R<Cow<'_, str>> {
    match v {
        V::Str(s) => Ok(s),
        _ => Err(Fallback),
    }
}

fn eval<'a, F: Fields + ?Sized>(n: &'a Node, record: &'a F, catalog: &FieldCatalog) -> R<V<'a>> {
    let ev = |n: &'a Node| eval(n, record, catalog);
    Ok(match n {
        Node::Bool(b) => V::Bool(*b),
        Node::Int(i) => V::Int(*i),
        Node::Double(d) => V::Double(*d),
        Node::Str(s) => V::Str(Cow::Borrowed(s)),
        Node::Ts(t) => V::Ts(*t),
        Node::Field { path, dotted, slot } => field(
            lookup(record, *slot, path)?,
            type_of(*slot, dotted, catalog),
        )?,
        // `has(interaction.csat)`: a top-level field.
        Node::Has { operand, field } if operand.is_empty() => match record.get(field).as_deref() {
            None => V::Bool(false),
            Some(Json::Null) => return Err(Fallback),
            Some(_) => V::Bool(true),
        },
        Node::Has { operand, field } => match record.get(operand).as_deref() {
            Some(Json::Object(m)) => match m.get(field) {
                None => V::Bool(false),
                Some(Json::Null) => return Err(Fallback),
                Some(_) => V::Bool(true),
            },
            _ => return Err(Fallback),
        },
        Node::And(a, b) => {
            if boolean(ev(a)?)? {
                V::Bool(boolean(ev(b)?)?)
            } else {
                V::Bool(false)
            }
        }
        Node::Or(a, b) => {
            if boolean(ev(a)?)? {
                V::Bool(true)
            } else {
                V::Bool(boolean(ev(b)?)?)
            }
        }
        Node::Not(a) => V::Bool(!boolean(ev(a)?)?),
        Node::Cond(c, a, b) => {
            if boolean(ev(c)?)? {
                ev(a)?
            } else {
                ev(b)?
            }
        }
        Node::Cmp(c, a, b) => V::Bool(compare(*c, &ev(a)?, &ev(b)?)?),
        Node::Arith(op, a, b) => arith(*op, ev(a)?, ev(b)?)?,
        Node::Neg(a) => match ev(a)? {
            V::Int(i) => V::Int(i.checked_neg().ok_or(Fallback)?),
            V::Double(d) => V::Double(-d),
            _ => return Err(Fallback),
        },
        Node::In(x, list) => {
            let x = ev(x)?;
            let found = match ev(list)? {
                V::List(items) => {
                    let mut found = false;
                    for item in &items {
                        found |= compare(Cmp::Eq, &x, item)?;
                    }
                    found
                }
                V::JsonList(items) => {
                    let mut found = false;
                    for item in items {
                        let item = field(Leaf::Json(item), None)?;
                        found |= compare(Cmp::Eq, &x, &item)?;
                    }
                    found
                }
                _ => return Err(Fallback),
            };
            V::Bool(found)
        }
        Node::List(items) => V::List(items.iter().map(ev).collect::<R<Vec<_>>>()?),
        Node::Size(a) => match ev(a)? {
            V::Str(s) => V::Int(s.chars().count() as i64),
            V::JsonList(l) => V::Int(l.len() as i64),
            V::List(l) => V::Int(l.len() as i64),
            _ => return Err(Fallback),
        },
        Node::Str2(op, a, b) => {
            let a = string(ev(a)?)?;
            let b = string(ev(b)?)?;
            V::Bool(match op {
                StrOp::Contains => a.contains(b.as_ref()),
                StrOp::StartsWith => a.starts_with(b.as_ref()),
                StrOp::EndsWith => a.ends_with(b.as_ref()),
            })
        }
        Node::Matches(a, re) => V::Bool(re.is_match(&string(ev(a)?)?)),
        Node::ToDouble(a) => match ev(a)? {
            V::Int(i) => V::Double(i as f64),
            V::Double(d) => V::Double(d),
            _ => return Err(Fallback),
        },
    })
}

/// Same-type comparisons only; a type mix is the interpreter's to judge.
fn compare(c: Cmp, a: &V<'_>, b: &V<'_>) -> R<bool> {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (a, b) {
        (V::Int(x), V::Int(y)) => Some(x.cmp(y)),
        (V::Double(x), V::Double(y)) => x.partial_cmp(y),
        (V::Str(x), V::Str(y)) => Some(x.cmp(y)),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(y)),
        (V::Ts(x), V::Ts(y)) => Some(x.cmp(y)),
        _ => return Err(Fallback),
    };
    let Some(ord) = ord else {
        // NaN: only `!=` is true.
        return Ok(matches!(c, Cmp::Ne));
    };
    Ok(match c {
        Cmp::Eq => ord == Ordering::Equal,
        Cmp::Ne => ord != Ordering::Equal,
        Cmp::Lt => ord == Ordering::Less,
        Cmp::Le => ord != Ordering::Greater,
        Cmp::Gt => ord == Ordering::Greater,
        Cmp::Ge => ord != Ordering::Less,
    })
}

fn arith<'a>(op: Arith, a: V<'a>, b: V<'a>) -> R<V<'a>> {
    Ok(match (a, b) {
        (V::Int(x), V::Int(y)) => V::Int(
            match op {
                Arith::Add => x.checked_add(y),
                Arith::Sub => x.checked_sub(y),
                Arith::Mul => x.checked_mul(y),
                Arith::Div => x.checked_div(y),
                Arith::Rem => x.checked_rem(y),
            }
            .ok_or(Fallback)?,
        ),
        (V::Double(x), V::Double(y)) => V::Double(match op {
            Arith::Add => x + y,
            Arith::Sub => x - y,
            Arith::Mul => x * y,
            Arith::Div if y != 0.0 => x / y,
            _ => return Err(Fallback),
        }),
        (V::Str(x), V::Str(y)) if matches!(op, Arith::Add) => V::Str(Cow::Owned(format!("{x}{y}"))),
        _ => return Err(Fallback),
    })
}
