//! What generated code says about an `rpc_service`: a table of typed methods.

/// How an RPC method streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Streaming {
    /// One request, one response.
    None,
    /// Many requests, one response.
    Client,
    /// One request, many responses.
    Server,
    /// Many each way.
    Bidi,
}

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

/// A method with its request and response types, as generated (one type per method). Its
/// types are verifiable roots, so it needs the `alloc` feature.
#[cfg(feature = "alloc")]
pub trait Method {
    /// The request view.
    type Request<'a>: crate::Root<'a>;
    /// The response view.
    type Response<'a>: crate::Root<'a>;
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
