//! Runtime support for generated code (`weftbuf gen --lang rust`).
//!
//! Generated readers, verifiers and builders are thin: every offset, tag and default is a
//! constant the generator took from the [`crate::layout::Layout`], and the work is done by the
//! small, bounds-checked pieces here. The schema-driven verifier is made of the same checks
//! ([`Checker`]), so generated code accepts exactly the messages it accepts.

mod check;

pub use check::Checker;
