//! One service served where the deployment says, as `storefront serve <service>` does.

use std::sync::Arc;

use weftbuf_rpc::config::Deployment;
use weftbuf_rpc::grpc::Server as GrpcServer;
use weftbuf_rpc::shm::{Address, Server as ShmServer};
use weftbuf_rt::Service as _;

use crate::catalog::Catalog;
use crate::generated::storefront::{
    CatalogDescriptor, CatalogServer, PricingDescriptor, PricingServer,
};
use crate::pricing::Pricing;

use weftbuf_rpc::Handler;
use weftbuf_rpc::config::Location;

/// Why a component cannot be served.
pub type ServeError = Box<dyn std::error::Error + Send + Sync>;

/// Serves `service` where `deployment` places it (a gRPC or shared-memory server of this
/// process) until `shutdown` completes; `started` is told where, once it listens.
pub async fn serve(
    service: &str,
    deployment: &Deployment,
    shutdown: impl Future<Output = ()>,
    started: impl FnOnce(&str),
) -> Result<(), ServeError> {
    // An unknown name is the deployment's error, with the nearest known one.
    let settings = deployment.service(service)?;
    let handler: Arc<dyn Handler> = match service {
        CatalogDescriptor::NAME => Arc::new(CatalogServer(Catalog)),
        PricingDescriptor::NAME => Arc::new(PricingServer(Pricing)),
        other => return Err(format!("no service `{other}` here").into()),
    };
    match &settings.at {
        Location::Grpc { host, port } => {
            let addr = tokio::net::lookup_host((host.as_str(), *port))
                .await?
                .next()
                .ok_or_else(|| format!("{host} has no address"))?;
            let serving = GrpcServer::new()
                .serve_shared(handler)
                .run(addr, shutdown)?;
            started(&settings.at.to_string());
            serving.await?;
        }
        Location::Shm { path } => {
            let mut server = ShmServer::new().serve_shared(handler);
            if let Some(uids) = &settings.allow_uids {
                server = server.allow(weftbuf_rpc::shm::Allow(uids.clone()));
            }
            let serving = server.run(&Address::new(path), shutdown)?;
            started(&settings.at.to_string());
            serving.await?;
        }
        Location::InProc => {
            return Err(format!(
                "{service} runs in process (at = \"inproc\"): the frontend's process hosts it"
            )
            .into());
        }
    }
    Ok(())
}
