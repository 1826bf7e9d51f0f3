//! weftbuf services: a call is the same whatever the boundary.
//!
//! A service implementation is a [`Handler`] (generated code wraps a typed trait into one); a
//! caller talks to a [`Channel`] (generated clients wrap one). Where the call goes is the
//! channel's business: [`InProc`] calls the handler in this process, on the caller's task,
//! reading the request in place where the caller built it. Requests and responses are
//! weftbuf messages: the handler reads its request through a view and writes its response
//! with a builder into memory the transport provides, and the caller gets the response as a
//! verified [`Message`]. With the `grpc` feature, `grpc::Server` serves handlers to other
//! processes and `grpc::GrpcChannel` calls them (`grpc-tls` adds TLS). The model (status
//! codes, context, descriptors) is `weftbuf::service`, shared by every transport.

pub mod blocking;
mod call;
mod channel;
pub mod config;
mod deploy;
mod duplex;
#[cfg(feature = "grpc")]
pub mod grpc;
mod handler;
mod inproc;
mod message;
mod payload;
mod ready;
#[cfg(all(feature = "shm", target_os = "linux"))]
pub mod shm;
mod stream;

pub use channel::{Build, Channel};
pub use deploy::{Configured, ConnectError};
pub use duplex::{ClientStream, Requests, Sender, Source};
pub use handler::{BoxFuture, Handler};
pub use inproc::InProc;
pub use message::Message;
pub use payload::{Lent, Payload};
pub use stream::{RawStream, Responses, Sink};
pub use weftbuf::service::{CancelToken, Code, Context, Metadata, Status};
