//! Streaming calls: many responses, many requests, or both.

use weftbuf_rpc::{Channel, Context, Message, Status};
use weftbuf_rt::Builder;

use crate::generated::storefront::{
    CatalogClient, Category, GetQuoteBuilder, ListProductsBuilder, PricingClient, TotalT,
};

/// The SKUs on the shelf of `category`: a server stream, one product per response.
pub async fn shelf<C: Channel>(
    catalog: &CatalogClient<C>,
    category: Category,
) -> Result<Vec<u64>, Status> {
    let mut b = Builder::new();
    let mut request = ListProductsBuilder::new(&mut b)?;
    request.category(category).limit(8);
    request.finish()?;
    let mut products = catalog.list(Context::new(), b.as_bytes()).await?;
    let mut skus = Vec::new();
    while let Some(product) = products.next().await {
        skus.push(product?.get().sku());
    }
    Ok(skus)
}

/// A quote for each of `skus` over one bidi stream: every request sent, then every quote read
/// (each side may run a few messages ahead of the other).
pub async fn quote_each<C: Channel>(
    pricing: &PricingClient<C>,
    skus: &[u64],
) -> Result<Vec<i64>, Status> {
    let (mut sender, mut quotes) = pricing.quote_each(Context::new()).await?;
    for &sku in skus {
        let mut request = GetQuoteBuilder::new(sender.builder())?;
        request.sku(sku);
        request.finish()?;
        sender.send().await?;
    }
    sender.close(); // no more requests: dropping the sender says the same
    let mut prices = Vec::new();
    while let Some(quote) = quotes.next().await {
        prices.push(quote?.get().price().map_or(0, |p| p.units()));
    }
    Ok(prices)
}

/// The total of a basket of `skus`: a client stream, the lines sent one at a time, then one
/// response.
pub async fn basket<C: Channel>(
    pricing: &PricingClient<C>,
    skus: &[u64],
) -> Result<Message<TotalT>, Status> {
    let mut basket = pricing.basket(Context::new()).await?;
    for &sku in skus {
        let mut line = GetQuoteBuilder::new(basket.builder())?;
        line.sku(sku);
        line.finish()?;
        basket.send().await?;
    }
    basket.finish().await
}
