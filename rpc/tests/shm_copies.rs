//! Zero copy over shared memory, counted: a request built in its slot and a response read in
//! its slot cost no payload copy. (A test binary of its own: the count is the process's.)
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use common::generated::storefront::{
    GetQuote, GetQuoteBuilder, GetQuoteT, Money, PricingClient, PricingServer, PricingService,
    QuoteBuilder,
};
use weftbuf::rt::Builder;
use weftbuf_rpc::shm::{Address, Server, ShmChannel, payload_bytes_copied};
use weftbuf_rpc::{Context, Requests, Sink, Status};

/// Quotes 100 units per SKU.
struct Prices;

impl PricingService for Prices {
    async fn quote(
        &self,
        _ctx: &Context,
        request: GetQuote<'_>,
        response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        let mut quote = QuoteBuilder::new(response)?;
        quote
            .sku(request.sku())
            .price(&Money::new(100 * request.sku() as i64, *b"EUR"));
        quote.finish()?;
        Ok(())
    }

    async fn quote_each(
        &self,
        ctx: &Context,
        requests: &mut Requests<'_, GetQuoteT>,
        responses: &mut dyn Sink,
    ) -> Result<(), Status> {
        common::quote_each(ctx, requests, responses).await
    }

    async fn basket(
        &self,
        ctx: &Context,
        requests: &mut Requests<'_, GetQuoteT>,
        response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        common::basket(ctx, requests, response).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_built_in_its_slot_copies_no_payload_byte() {
    let dir = tempfile::tempdir().unwrap();
    let address = Address::Path(dir.path().join("pricing.sock"));
    let listener = weftbuf_rpc::shm::Listener::bind(&address).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(Server::new().serve(PricingServer(Prices)).run_on(
        listener,
        async {
            let _ = stopped.await;
        },
    ));
    let pricing = PricingClient::new(ShmChannel::new(address));

    let before = payload_bytes_copied();
    for sku in 0..500u64 {
        let quote = pricing
            .quote_with(Context::new(), |b| {
                let mut q = GetQuoteBuilder::new(b)?;
                q.sku(sku);
                q.customer("ada")?;
                q.finish()?;
                Ok(())
            })
            .await
            .unwrap();
        assert!(quote.is_lent());
        assert_eq!(quote.get().price().unwrap().units(), 100 * sku as i64);
    }
    assert_eq!(payload_bytes_copied(), before, "no payload byte copied");

    // A request given as bytes is copied into its slot, once.
    let mut b = Builder::new();
    let mut q = GetQuoteBuilder::new(&mut b).unwrap();
    q.sku(1);
    q.finish().unwrap();
    pricing.quote(Context::new(), b.as_bytes()).await.unwrap();
    assert_eq!(payload_bytes_copied(), before + b.as_bytes().len() as u64);

    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
}
