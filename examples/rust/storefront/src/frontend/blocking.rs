//! Calls from code that does not run async.

use weftbuf_rpc::blocking::Runtime;
use weftbuf_rpc::{Channel, Context, Status};
use weftbuf_rt::Builder;

use crate::generated::storefront::{GetQuoteBuilder, PricingBlockingClient};

/// The quote of `sku` from code that does not run async: the call blocks this thread, on the
/// client's own runtime.
pub fn quote_blocking<C: Channel>(
    pricing: &PricingBlockingClient<C>,
    sku: u64,
) -> Result<i64, Status> {
    let mut b = Builder::new();
    let mut request = GetQuoteBuilder::new(&mut b)?;
    request.sku(sku);
    request.finish()?;
    let quote = pricing.quote(Context::new(), b.as_bytes())?;
    Ok(quote.get().price().map_or(0, |p| p.units()))
}

/// A blocking client of pricing through `channel`, made on a runtime of its own.
pub fn blocking_client<C: Channel>(channel: C) -> std::io::Result<PricingBlockingClient<C>> {
    Ok(PricingBlockingClient::new(channel, Runtime::new()?))
}
