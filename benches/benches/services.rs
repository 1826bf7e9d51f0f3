//! What a call costs per boundary: the storefront's `Pricing.Quote` called in process through
//! the channel (`inproc`), against the same work as a direct call of the implementation
//! (`direct`: build the request, verify it, run the handler, verify the response), with
//! 64-byte and 64-KiB requests.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    missing_docs,
    reason = "benchmark setup fails loudly"
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use weftbuf::rt::{self, Builder};
use weftbuf_rpc::{Context, InProc, Message, Status};

#[allow(unused_imports, dead_code, unreachable_pub, missing_docs)]
mod generated {
    include!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../goldens/rust/rpc/storefront.rs"
    ));
}

use generated::storefront::{
    GetQuote, GetQuoteBuilder, Money, PricingClient, PricingServer, PricingService, QuoteBuilder,
    QuoteT,
};

struct Prices;

impl PricingService for Prices {
    async fn quote(
        &self,
        _ctx: &Context,
        request: GetQuote<'_>,
        response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        let mut quote = QuoteBuilder::new(response)?;
        let units = request.customer().map_or(0, str::len) as i64;
        quote.sku(request.sku()).price(&Money::new(units, *b"EUR"));
        quote.finish()?;
        Ok(())
    }
}

/// A `GetQuote` of about `size` bytes (its customer string makes up the rest).
fn request(size: usize) -> Vec<u8> {
    let mut b = Builder::new();
    let mut q = GetQuoteBuilder::new(&mut b).unwrap();
    q.sku(7);
    q.customer(&"x".repeat(size.saturating_sub(56))).unwrap();
    q.finish().unwrap();
    b.into_vec()
}

fn calls(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = PricingClient::new(InProc::new().serve(PricingServer(Prices)));
    for (label, size) in [("64B", 64), ("64KiB", 64 * 1024)] {
        let bytes = request(size);
        let mut group = c.benchmark_group(format!("call/{label}"));
        group.bench_function("direct", |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let request = rt::root::<GetQuote<'_>>(black_box(&bytes)).unwrap();
                    let mut response = Builder::new();
                    Prices
                        .quote(&Context::new(), request, &mut response)
                        .await
                        .unwrap();
                    let quote = Message::<QuoteT>::from_bytes(response.into_vec()).unwrap();
                    black_box(quote.get().sku())
                })
            })
        });
        group.bench_function("inproc", |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let quote = client
                        .quote(Context::new(), black_box(&bytes))
                        .await
                        .unwrap();
                    black_box(quote.get().sku())
                })
            })
        });
        group.finish();
    }
}

criterion_group!(benches, calls);
criterion_main!(benches);
