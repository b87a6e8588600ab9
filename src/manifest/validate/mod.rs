//! Validation: the rules of design §2 that serde cannot express, and the conversion of checked
//! manifest types into [`crate::model`] types.
//!
//! Everything here is pure. Each check returns every problem it finds (never only the first),
//! as [`FieldError`](crate::manifest::diagnostic::FieldError)s with the path of the offending field and a hint for the fix.

pub mod bucket;
pub mod text;

pub(crate) use crate::provider::kit::checks::*;
