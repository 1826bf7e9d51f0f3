//! weftbuf: one schema, one zero-copy memory layout, every boundary.
//!
//! The pipeline starts here: [`schema`] turns `.fbs` text into a resolved [`schema::Schema`],
//! and [`layout`] computes from it the one [`layout::Layout`] that every reader, writer and
//! code generator takes its offsets, sizes and type tags from.

pub mod annotate;
pub mod codegen;
pub mod compat;
pub mod flatbuffers;
pub mod hash;
pub mod json;
pub mod layout;
pub mod message;
pub mod schema;
pub mod service;
pub mod suggest;

/// The runtime generated code is built on (the `weftbuf-rt` crate): views, verification and
/// builders over the byte format. The schema-driven verifier here is made of its checks.
pub use weftbuf_rt as rt;

/// The README's Rust examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
