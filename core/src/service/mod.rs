//! The service model every boundary shares: what a call carries ([`Context`]), how it ends
//! ([`Status`]), and the methods of a schema's `rpc_service`s ([`ServiceDescriptor`]).
//! Transports (in process, gRPC, shared memory) carry these; generated code names them.

mod context;
mod descriptor;
mod status;

pub use context::{CancelToken, Cancelled, Context, Metadata, encode_timeout, parse_timeout};
pub use descriptor::{MethodInfo, ServiceDescriptor, services};
pub use status::{Code, Status};
