//! The runtime of weftbuf's generated code (`weftbuf gen --lang rust`): the byte format's
//! constants, views over verified bytes, the checks a verifier is made of, and the pieces of
//! builders.
//!
//! Generated readers, verifiers and builders are thin: every offset, tag and default is a
//! constant the generator took from the schema's layout, and the work is done by the small,
//! bounds-checked pieces here. The schema-driven verifier of the `weftbuf` crate is made of
//! the same checks ([`Checker`]), so generated code accepts exactly the messages it accepts.
//!
//! `no_std`. With the `alloc` feature (on by default): verification (its errors carry paths),
//! builders and everything that owns its data. Without it: the format's constants, views,
//! in-place changes and service descriptors, for a guest that reads messages a host checked.
//! Generated code verifies, builds and owns, so it needs `alloc`.
//!
//! This crate is the generated code's API: it changes only together with the generator.

#![no_std]

#[cfg(feature = "alloc")]
extern crate alloc;
// Tests allocate whatever the features.
#[cfg(test)]
extern crate std;

#[cfg(feature = "alloc")]
pub mod build;
#[cfg(feature = "alloc")]
mod builder;
#[cfg(feature = "alloc")]
mod check;
pub mod format;
mod mutate;
mod read;
#[cfg(feature = "alloc")]
mod root;
mod scalar;
mod service;
#[cfg(feature = "alloc")]
mod spare;
mod structs;
#[cfg(feature = "alloc")]
mod verify_error;

#[cfg(feature = "alloc")]
pub use builder::{BuildError, Builder, Header, ObjectRef, Region};
pub use bytemuck;
#[cfg(feature = "alloc")]
pub use check::{Checker, Limits, SHORT_STRING, UnionTypes};
pub use mutate::{TableMut, TablesMut, VectorMut};
pub use read::{
    Bytes, Element, Table, TableElement, UnionRead, UnionVector, Vector, VectorIter,
    boxed_struct_at, string_at, struct_element, table_at, table_element,
};
#[cfg(feature = "alloc")]
pub use root::{
    Check, Family, Root, check_root, file_identifier, root, root_in, root_mut, root_with_limits,
    size_prefixed,
};
pub use scalar::{Scalar, bytes_at, read_or, unsigned_at};
#[cfg(feature = "alloc")]
pub use service::Method;
pub use service::{MethodDescriptor, Service, Streaming};
pub use structs::Struct;
#[cfg(feature = "alloc")]
pub use verify_error::VerifyError;

#[cfg(not(target_endian = "little"))]
compile_error!("generated weftbuf structs and slices are little-endian in memory");
