//! Unary calls: one request, one response.

// ANCHOR: call
use std::time::Duration;

use weftbuf_rpc::{Channel, Context, Message, Status};
use weftbuf_rt::Builder;

use crate::generated::storefront::{GetQuoteBuilder, PricingClient, QuoteT};

/// The quote of product `sku` for `customer`, within 250 ms.
pub async fn quote<C: Channel>(
    pricing: &PricingClient<C>,
    sku: u64,
    customer: &str,
) -> Result<Message<QuoteT>, Status> {
    let mut b = Builder::new();
    let mut request = GetQuoteBuilder::new(&mut b)?;
    request.sku(sku);
    request.customer(customer)?;
    request.finish()?;
    let ctx = Context::new().with_timeout(Duration::from_millis(250));
    pricing.quote(ctx, b.as_bytes()).await
}
// ANCHOR_END: call

// ANCHOR: in_place
/// The quote of `sku`, its request written where the channel sends it from: in a shared-memory
/// slot, or in a buffer the gRPC channel keeps; no copy of it is made.
pub async fn quote_in_place<C: Channel>(
    pricing: &PricingClient<C>,
    sku: u64,
) -> Result<Message<QuoteT>, Status> {
    pricing
        .quote_with(Context::new(), |b| {
            let mut request = GetQuoteBuilder::new(b)?;
            request.sku(sku);
            request.finish()?;
            Ok(())
        })
        .await
}
// ANCHOR_END: in_place
