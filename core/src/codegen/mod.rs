//! Code generators: thin printers over the [`model::Model`] of a schema and its
//! [`crate::layout::Layout`].

pub mod model;
pub mod rust;
pub mod wat;
mod writer;
