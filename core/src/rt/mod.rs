//! Runtime support for generated code (`weftbuf gen --lang rust`).
//!
//! Generated readers, verifiers and builders are thin: every offset, tag and default is a
//! constant the generator took from the [`crate::layout::Layout`], and the work is done by the
//! small, bounds-checked pieces here. The schema-driven verifier is made of the same checks
//! ([`Checker`]), so generated code accepts exactly the messages it accepts.
//!
//! This module is the generated code's API: it changes only together with the generator.

pub mod build;
mod check;
mod mutate;
mod read;
mod root;
mod scalar;
mod service;

pub use bytemuck;
pub use check::{Checker, SHORT_STRING, UnionTypes};
pub use mutate::{TableMut, TablesMut, VectorMut};
pub use read::{
    Bytes, Element, Table, TableElement, UnionRead, UnionVector, Vector, VectorIter,
    boxed_struct_at, string_at, struct_element, table_at, table_element,
};
pub use root::{
    Check, Family, Root, check_root, file_identifier, root, root_in, root_mut, root_with_limits,
    size_prefixed,
};
pub use scalar::{Scalar, read_or, unsigned_at};
pub use service::{Method, MethodDescriptor, Service, Streaming};

pub use crate::message::{BuildError, Builder, Limits, ObjectRef, Region, VerifyError};

#[cfg(not(target_endian = "little"))]
compile_error!("generated weftbuf structs and slices are little-endian in memory");
