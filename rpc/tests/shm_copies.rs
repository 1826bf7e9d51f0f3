//! Zero copy over shared memory, counted: a request built in its slot and a response read in
//! its slot cost no payload copy. (A test binary of its own: the count is the process's.)
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use common::generated::storefront::{GetQuoteBuilder, PricingClient, PricingServer};
use weftbuf_rpc::Context;
use weftbuf_rpc::shm::{Address, Server, ShmChannel, payload_bytes_copied};
use weftbuf_rt::Builder;

use common::Pricing;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_built_in_its_slot_copies_no_payload_byte() {
    let dir = tempfile::tempdir().unwrap();
    let address = Address::Path(dir.path().join("pricing.sock"));
    let listener = weftbuf_rpc::shm::Listener::bind(&address).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(Server::new().serve(PricingServer(Pricing)).run_on(
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
