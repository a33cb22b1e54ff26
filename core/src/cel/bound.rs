//! A record bound for the interpreter only when an expression needs it: the
//! fast path reads the [`Record`] directly.

use std::cell::OnceCell;

use super::{Activation, ActivationError, EvalError};
use crate::fields::FieldCatalog;
use crate::record::Record;

/// One interaction, type-checked (a [`Record`] always is), with its
/// interpreter binding made on first use.
pub struct Bound<'r> {
    record: &'r Record,
    catalog: &'r FieldCatalog,
    activation: OnceCell<Result<Activation, ActivationError>>,
    /// The binding with [`super::ROOT`], for the expressions that use it.
    rooted: OnceCell<Activation>,
}

impl<'r> Bound<'r> {
    pub fn new(record: &'r Record, catalog: &'r FieldCatalog) -> Bound<'r> {
        Bound {
            record,
            catalog,
            activation: OnceCell::new(),
            rooted: OnceCell::new(),
        }
    }

    pub fn record(&self) -> &'r Record {
        self.record
    }

    pub fn catalog(&self) -> &'r FieldCatalog {
        self.catalog
    }

    /// The interpreter's binding, made once.
    pub fn activation(&self) -> Result<&Activation, EvalError> {
        self.activation
            .get_or_init(|| Activation::of_record(self.record, self.catalog))
            .as_ref()
            .map_err(|e| EvalError {
                message: e.to_string(),
            })
    }

    /// The binding for an expression, with [`super::ROOT`] when it uses
    /// it; each made once.
    pub(super) fn activation_for(&self, uses_root: bool) -> Result<&Activation, EvalError> {
        if !uses_root {
            return self.activation();
        }
        let plain = self.activation()?;
        Ok(self.rooted.get_or_init(|| plain.with_root()))
    }
}
