//! A service behind a shared-memory server, and a client of it.

use std::path::Path;

use weftbuf_rpc::shm::{Address, Server, ShmChannel, ShmError};

use crate::generated::storefront::{PricingClient, PricingServer};
use crate::pricing::Pricing;

/// Pricing behind a shared-memory server at the Unix socket `path` until `shutdown`
/// completes; the socket file is gone when it stops. It listens once this returns (or says
/// why it cannot).
pub fn serve_pricing_over_shm<S: Future<Output = ()>>(
    path: &Path,
    shutdown: S,
) -> Result<impl Future<Output = Result<(), ShmError>> + use<S>, ShmError> {
    Server::new()
        .serve(PricingServer(Pricing))
        .run(&Address::new(path), shutdown)
}

/// A client of the pricing service behind the shared-memory server at `path`: requests
/// built in slots of memory both processes map, responses read where the server wrote them.
pub fn pricing_over_shm(path: &Path) -> PricingClient<ShmChannel> {
    PricingClient::new(ShmChannel::new(Address::new(path)))
}
