//! The gRPC boundary (feature `grpc`): [`Server`] hosts handlers behind an HTTP/2 port,
//! [`GrpcChannel`] calls them from another process.
//!
//! A weftbuf message travels as the bytes of a gRPC frame, as it is (no protobuf); the
//! content type is `application/grpc+weftbuf` (a server also takes plain `application/grpc`).
//! A call's deadline travels as `grpc-timeout`, its metadata as headers, its cancellation as
//! the stream's reset, and its status as `grpc-status`, `grpc-message` and
//! `grpc-status-details-bin`. Servers also serve the standard health service
//! (`grpc.health.v1.Health`).

mod client;
mod codec;
mod pool;
mod server;
#[cfg(feature = "grpc-tls")]
mod tls;

pub use client::{GrpcChannel, GrpcChannelBuilder};
pub use codec::RawCodec;
pub use server::Server;
#[cfg(feature = "grpc-tls")]
pub use tls::{ClientTls, ServerTls};

/// The content type of weftbuf messages on gRPC.
pub const CONTENT_TYPE_WEFTBUF: &str = "application/grpc+weftbuf";

/// The default limit of a message's size either way, in bytes (gRPC's usual 4 MiB).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 4 * 1024 * 1024;

/// A gRPC server or channel that cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum GrpcError {
    /// The address cannot be listened on.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The channel's target is not a URI.
    #[error("`{target}` is not a gRPC target (http://host:port): {reason}")]
    Target {
        /// The target given.
        target: String,
        /// Why.
        reason: String,
    },
    /// A channel was made for a location that is not a gRPC server.
    #[error("{0} is not a gRPC location (grpc://host:port)")]
    NotGrpc(String),
    /// A lazy channel was made outside a tokio runtime, which it needs to run its connection.
    #[error("a gRPC channel is made within a tokio runtime, which runs its connection")]
    NoRuntime,
    /// A TLS certificate or key cannot be used.
    #[error("TLS: {0}")]
    Tls(String),
}
