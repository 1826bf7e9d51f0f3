//! The blocking clients: the same calls from code that does not run async, in process and over
//! gRPC.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use common::generated::storefront::{GetQuoteBuilder, PricingBlockingClient, PricingServer};
use weftbuf_rpc::blocking::Runtime;
use weftbuf_rpc::{Channel, Code, Context, InProc};
use weftbuf_rt::Builder;

use common::Pricing;

fn request(sku: u64) -> Vec<u8> {
    let mut b = Builder::new();
    let mut q = GetQuoteBuilder::new(&mut b).unwrap();
    q.sku(sku);
    q.finish().unwrap();
    b.into_vec()
}

/// Every kind of call through `pricing`.
fn check<C: Channel>(pricing: &PricingBlockingClient<C>) {
    let quote = pricing.quote(Context::new(), &request(3)).unwrap();
    assert_eq!(quote.get().price().unwrap().units(), 300);

    let (mut sender, quotes) = pricing.quote_each(Context::new()).unwrap();
    for sku in 1..=3 {
        sender.send_bytes(request(sku)).unwrap();
    }
    sender.close();
    let skus: Vec<u64> = quotes.map(|q| q.unwrap().get().sku()).collect();
    assert_eq!(skus, [1, 2, 3]);

    let mut basket = pricing.basket(Context::new()).unwrap();
    for sku in [1, 2] {
        let mut q = GetQuoteBuilder::new(basket.builder()).unwrap();
        q.sku(sku);
        q.finish().unwrap();
        basket.send().unwrap();
    }
    let total = basket.finish().unwrap();
    assert_eq!(total.get().lines(), 2);
    assert_eq!(total.get().price().unwrap().units(), 300);

    let err = pricing.quote(Context::new(), b"junk").unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument);
}

#[test]
fn blocking_calls_in_process() {
    let runtime = Runtime::new().unwrap();
    check(&PricingBlockingClient::new(
        InProc::new().serve(PricingServer(Pricing)),
        runtime,
    ));
}

#[cfg(feature = "grpc")]
#[test]
fn blocking_calls_over_grpc() {
    let server = tokio::runtime::Runtime::new().unwrap();
    let listener = server
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = server.spawn(
        weftbuf_rpc::grpc::Server::new()
            .serve(PricingServer(Pricing))
            .run_on(listener, async {
                let _ = stopped.await;
            }),
    );

    let runtime = Runtime::new().unwrap();
    let channel = {
        let _inside = runtime.enter();
        weftbuf_rpc::grpc::GrpcChannel::lazy(&format!("http://{addr}")).unwrap()
    };
    check(&PricingBlockingClient::new(channel, runtime));

    stop.send(()).unwrap();
    server.block_on(serving).unwrap().unwrap();
}

#[test]
fn a_blocking_call_from_async_code_is_refused_not_a_deadlock() {
    let pricing = PricingBlockingClient::new(
        InProc::new().serve(PricingServer(Pricing)),
        Runtime::new().unwrap(),
    );
    let outer = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let err = outer.block_on(async { pricing.quote(Context::new(), &request(1)).unwrap_err() });
    assert_eq!(err.code, Code::FailedPrecondition);
}
