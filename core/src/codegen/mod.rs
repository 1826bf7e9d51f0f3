//! Code generators: thin printers over a schema and its [`crate::layout::Layout`].

mod names;
pub mod rust;
