//! Where the services run: `weftbuf.toml` and the environment decide; the code that
//! implements and calls them is the same wherever that is.

mod grpc;
mod serve;
mod shm;

pub use grpc::{pricing_over_grpc, serve_pricing_over_grpc};
pub use serve::{ServeError, serve};
pub use shm::{pricing_over_shm, serve_pricing_over_shm};

// ANCHOR: deploy
use std::sync::Arc;

use weftbuf_rpc::config::{ConfigError, Deployment};
use weftbuf_rpc::{Channel, ConnectError, InProc};
use weftbuf_rt::Service as _;

use crate::catalog::Catalog;
use crate::generated::storefront::{
    CatalogClient, CatalogDescriptor, CatalogServer, PricingClient, PricingDescriptor,
    PricingServer,
};
use crate::pricing::Pricing;

/// The services this application hosts or calls: a `weftbuf.toml` that names another is
/// an error, with the nearest of these.
pub const SERVICES: [&str; 2] = [CatalogDescriptor::NAME, PricingDescriptor::NAME];

/// The deployment that `config` (a `weftbuf.toml`'s text, `source` in errors) describes,
/// with the process's `WEFTBUF_AT_<SERVICE>` variables applied.
pub fn deployment(config: &str, source: &str) -> Result<Deployment, ConfigError> {
    Deployment::new(&SERVICES)
        .with_config(config, source)?
        .with_env(std::env::vars())
}

/// Both services, for those the deployment places in this process.
pub fn in_process() -> InProc {
    InProc::new()
        .serve(CatalogServer(Catalog))
        .serve(PricingServer(Pricing))
}

/// The frontend's clients of the two services.
pub struct Clients {
    /// The catalog's.
    pub catalog: CatalogClient<Arc<dyn Channel>>,
    /// Pricing's.
    pub pricing: PricingClient<Arc<dyn Channel>>,
}

/// The clients: each service reached where `deployment` says (through `local` when in
/// process), with its deadline for calls that set none and its retries.
pub fn clients(deployment: &Deployment, local: &InProc) -> Result<Clients, ConnectError> {
    Ok(Clients {
        catalog: CatalogClient::new(deployment.channel(CatalogDescriptor::NAME, local)?),
        pricing: PricingClient::new(deployment.channel(PricingDescriptor::NAME, local)?),
    })
}
// ANCHOR_END: deploy
