//! What generated code says about an `rpc_service`: a table of typed methods.

pub use crate::schema::Streaming;

/// One method of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodDescriptor {
    /// Its name as declared.
    pub name: &'static str,
    /// Its gRPC path: `/namespace.Service/Method`.
    pub path: &'static str,
    /// The request table's qualified name.
    pub request: &'static str,
    /// The request table's type tag.
    pub request_tag: u32,
    /// The response table's qualified name.
    pub response: &'static str,
    /// The response table's type tag.
    pub response_tag: u32,
    /// How it streams.
    pub streaming: Streaming,
    /// Safe to retry (`idempotent`).
    pub idempotent: bool,
}

/// A method with its request and response types, as generated (one type per method).
pub trait Method {
    /// The request view.
    type Request<'a>: super::Root<'a>;
    /// The response view.
    type Response<'a>: super::Root<'a>;
    /// Its descriptor.
    const DESCRIPTOR: MethodDescriptor;
}

/// A service: its name and methods, as generated.
pub trait Service {
    /// Its qualified name.
    const NAME: &'static str;
    /// Its methods in declared order.
    const METHODS: &'static [MethodDescriptor];
}
