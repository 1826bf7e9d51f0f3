//! A service behind a gRPC server, and a client of it.

use std::net::SocketAddr;

use weftbuf_rpc::grpc::{GrpcChannel, GrpcError, Server};

use crate::generated::storefront::{PricingClient, PricingServer};
use crate::pricing::Pricing;

/// Pricing behind a gRPC server on `addr` until `shutdown` completes. It listens once this
/// returns (or says why it cannot); awaiting (or spawning) the future serves.
pub fn serve_pricing_over_grpc<S: Future<Output = ()>>(
    addr: SocketAddr,
    shutdown: S,
) -> Result<impl Future<Output = Result<(), GrpcError>> + use<S>, GrpcError> {
    Server::new()
        .serve(PricingServer(Pricing))
        .run(addr, shutdown)
}

/// A client of the pricing service behind the gRPC server at `target` (`http://host:port`),
/// connecting on its first call. Within a tokio runtime.
pub fn pricing_over_grpc(target: &str) -> Result<PricingClient<GrpcChannel>, GrpcError> {
    Ok(PricingClient::new(GrpcChannel::lazy(target)?))
}
