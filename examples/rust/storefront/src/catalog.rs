//! The catalog service: one server-streaming method.

// ANCHOR: implement
use weftbuf_rpc::{Context, Sink, Status};

use crate::generated::storefront::{CatalogService, Category, ListProducts, ProductBuilder};
use crate::pricing::{euros, list_price};

/// The products of [`crate::PRODUCTS`], each on the shelf of its SKU number modulo 4.
pub struct Catalog;

impl CatalogService for Catalog {
    /// The products of one category (or all), one response each, up to the limit asked.
    async fn list(
        &self,
        ctx: &Context,
        request: ListProducts<'_>,
        responses: &mut dyn Sink,
    ) -> Result<(), Status> {
        let shelf = crate::PRODUCTS
            .map(|sku| (sku, Category((sku % 4) as u8)))
            .filter(|(_, category)| request.category().is_none_or(|c| c == *category))
            .take(request.limit() as usize);
        for (sku, category) in shelf {
            ctx.check()?;
            let mut product = ProductBuilder::new(responses.builder())?;
            product
                .sku(sku)
                .category(category)
                .list_price(&euros(list_price(sku)?));
            product.name(&format!("product {sku}"))?;
            product.finish()?;
            responses.send().await?;
        }
        Ok(())
    }
}
// ANCHOR_END: implement
