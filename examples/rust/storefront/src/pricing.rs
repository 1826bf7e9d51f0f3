//! The pricing service: a unary method, a bidi-streaming one and a client-streaming one.

// ANCHOR: implement
// ANCHOR: readme
use weftbuf_rpc::{Context, Requests, Sink, Status};
use weftbuf_rt::Builder;

use crate::generated::storefront::{
    GetQuote, GetQuoteT, Money, PricingService, QuoteBuilder, TotalBuilder,
};
// ANCHOR_END: readme

// ANCHOR: readme

/// Prices: 1 euro per SKU number, 10% off for customers whose name starts with `vip`.
pub struct Pricing;

impl PricingService for Pricing {
    /// One request, one response: read the request in place, write the quote with a builder
    /// into memory the transport provides.
    async fn quote(
        &self,
        _ctx: &Context,
        request: GetQuote<'_>,
        response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        write_quote(request, response)
    }

    // `quote_each` and `basket`, the streaming methods, follow.
    // ANCHOR_END: readme

    /// A quote for each request, sent as the requests come.
    async fn quote_each(
        &self,
        ctx: &Context,
        requests: &mut Requests<'_, GetQuoteT>,
        responses: &mut dyn Sink,
    ) -> Result<(), Status> {
        while let Some(request) = requests.next().await {
            ctx.check()?; // CANCELLED or DEADLINE_EXCEEDED once the caller gives up
            let request = request?; // a request that fails verification: INVALID_ARGUMENT
            write_quote(request.get(), responses.builder())?;
            responses.send().await?; // waits while the caller has not taken earlier ones
        }
        Ok(())
    }

    /// The total of a basket whose lines come one at a time.
    async fn basket(
        &self,
        _ctx: &Context,
        requests: &mut Requests<'_, GetQuoteT>,
        response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        let (mut lines, mut cents) = (0, 0);
        while let Some(line) = requests.next().await {
            cents += list_price(line?.get().sku())?;
            lines += 1;
        }
        let mut total = TotalBuilder::new(response)?;
        total.lines(lines).price(&euros(cents));
        total.finish()?;
        Ok(())
    }
    // ANCHOR: readme
}
// ANCHOR_END: readme

/// Writes the quote `request` asks for; `NOT_FOUND` for a product not on sale.
fn write_quote(request: GetQuote<'_>, response: &mut Builder<'static>) -> Result<(), Status> {
    let list = list_price(request.sku())?;
    let vip = request.customer().is_some_and(|c| c.starts_with("vip"));
    let mut quote = QuoteBuilder::new(response)?;
    quote.sku(request.sku());
    if vip {
        quote.price(&euros(list - list / 10));
        quote.discount_percent_off()?.percent(10);
    } else {
        quote.price(&euros(list));
    }
    quote.finish()?;
    Ok(())
}
// ANCHOR_END: implement

/// The list price of `sku` in cents: one euro per SKU number.
pub fn list_price(sku: u64) -> Result<i64, Status> {
    if !crate::PRODUCTS.contains(&sku) {
        return Err(Status::not_found(format!("no product {sku}")));
    }
    Ok(100 * sku as i64)
}

/// `cents` in euros.
pub fn euros(cents: i64) -> Money {
    Money::new(cents, *b"EUR")
}
