//! A record checked against the catalogue, bound for the interpreter only
//! when an expression needs it: the fast path reads the JSON directly.

use std::cell::OnceCell;

use serde_json::{Map, Value as Json};

use super::{Activation, ActivationError, EvalError};
use crate::fields::FieldCatalog;

/// One interaction, type-checked, with its interpreter binding made on
/// first use.
pub struct Bound<'r> {
    record: &'r Map<String, Json>,
    catalog: &'r FieldCatalog,
    activation: OnceCell<Result<Activation, ActivationError>>,
}

impl<'r> Bound<'r> {
    /// Checks `record` as [`Activation::new`] would, without binding it.
    pub fn new(
        record: &'r Map<String, Json>,
        catalog: &'r FieldCatalog,
    ) -> Result<Bound<'r>, ActivationError> {
        Activation::check(record, catalog)?;
        Ok(Bound {
            record,
            catalog,
            activation: OnceCell::new(),
        })
    }

    pub fn record(&self) -> &'r Map<String, Json> {
        self.record
    }

    pub fn catalog(&self) -> &'r FieldCatalog {
        self.catalog
    }

    /// The interpreter's binding, made once.
    pub fn activation(&self) -> Result<&Activation, EvalError> {
        self.activation
            .get_or_init(|| Activation::new(self.record, self.catalog))
            .as_ref()
            .map_err(|e| EvalError {
                message: e.to_string(),
            })
    }
}
