//! The shared-memory boundary: calls between a client and a server over a real memfd segment
//! and a Unix socket, the response read in place, and each fault with its status.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::generated::storefront::{
    CatalogClient, CatalogServer, CatalogService, Category, GetQuote, GetQuoteBuilder, GetQuoteT,
    ListProducts, ListProductsBuilder, PricingClient, PricingServer, PricingService,
    ProductBuilder,
};
use tokio::sync::{Notify, oneshot};
use weftbuf_rpc::shm::{Address, Geometry, Server, ShmChannel};
use weftbuf_rpc::{CancelToken, Code, Context, Metadata, Requests, Sink, Status};
use weftbuf_rt::Builder;

/// Quotes 100 units per SKU in the `currency` of the metadata; customer `slow` takes 10 s
/// (signalling its cancellation), `panic` panics, `none` answers nothing, `huge` answers more than
/// a slot holds.
struct Pricing(Arc<Notify>);

impl PricingService for Pricing {
    async fn quote(
        &self,
        ctx: &Context,
        request: GetQuote<'_>,
        response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        match request.customer() {
            Some("slow") => {
                // Watched from a task of its own: the call's future is dropped once cancelled.
                let (token, cancelled) = (ctx.cancel_token().clone(), self.0.clone());
                tokio::spawn(async move {
                    token.cancelled().await;
                    cancelled.notify_one();
                });
                tokio::time::sleep(Duration::from_secs(10)).await;
            }
            Some("panic") => panic!("pricing broke"),
            Some("none") => return Ok(()),
            _ => {}
        }
        if request.customer() == Some("huge") {
            // A quote holds no bulk; a product's name can.
            let mut product = ProductBuilder::new(response)?;
            product.name(&"x".repeat(10_000))?;
            product.finish()?;
            return Ok(());
        }
        common::quote(ctx, request, response).await
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

/// Lists `limit` products; a limit of 13 fails after the twelfth.
struct Products;

impl CatalogService for Products {
    async fn list(
        &self,
        ctx: &Context,
        request: ListProducts<'_>,
        responses: &mut dyn Sink,
    ) -> Result<(), Status> {
        for i in 0..request.limit() {
            ctx.check()?;
            if request.limit() == 13 && i == 12 {
                return Err(Status::not_found("the thirteenth product is missing"));
            }
            let mut product = ProductBuilder::new(responses.builder())?;
            product.sku(u64::from(i)).category(Category::MUSIC);
            product.name(&format!("product {i}"))?;
            product.finish()?;
            responses.send().await?;
        }
        Ok(())
    }
}

fn request(sku: u64, customer: &str) -> Vec<u8> {
    let mut b = Builder::new();
    let mut q = GetQuoteBuilder::new(&mut b).unwrap();
    q.sku(sku);
    q.customer(customer).unwrap();
    q.finish().unwrap();
    b.into_vec()
}

fn list(limit: u32) -> Vec<u8> {
    let mut b = Builder::new();
    let mut l = ListProductsBuilder::new(&mut b).unwrap();
    l.limit(limit);
    l.finish().unwrap();
    b.into_vec()
}

/// A server on a socket of its own, in a temporary folder.
struct Running {
    address: Address,
    cancelled: Arc<Notify>,
    stop: oneshot::Sender<()>,
    done: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Running {
    async fn start(geometry: Geometry) -> Running {
        let dir = tempfile::tempdir().unwrap();
        let address = Address::Path(dir.path().join("storefront.sock"));
        Running::start_at(address, geometry, dir).await
    }

    async fn start_at(address: Address, geometry: Geometry, dir: tempfile::TempDir) -> Running {
        let cancelled = Arc::new(Notify::new());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = Server::new()
            .geometry(geometry)
            .serve(PricingServer(Pricing(cancelled.clone())))
            .serve(CatalogServer(Products));
        let at = address.clone();
        let done = tokio::spawn(async move {
            server
                .run(&at, async {
                    let _ = stopped.await;
                })
                .unwrap()
                .await
                .unwrap();
        });
        // Listening starts at once; wait until the socket is there.
        if let Address::Path(path) = &address {
            while !path.exists() {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        Running {
            address,
            cancelled,
            stop,
            done,
            _dir: dir,
        }
    }

    fn channel(&self) -> ShmChannel {
        ShmChannel::new(self.address.clone())
    }

    async fn shut_down(self) -> tempfile::TempDir {
        self.stop.send(()).unwrap();
        bounded(self.done).await.unwrap();
        self._dir
    }
}

fn small() -> Geometry {
    Geometry {
        slot_size: 4096,
        slots: 8,
    }
}

/// `work`, failing the test instead of hanging it.
async fn bounded<T>(work: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), work)
        .await
        .expect("the test hung")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unary_call_is_read_in_place_with_its_metadata() {
    let server = Running::start(Geometry::default()).await;
    let pricing = PricingClient::new(server.channel());
    let mut metadata = Metadata::new();
    metadata.insert("currency", "USD").unwrap();
    let quote = bounded(
        pricing.quote(
            Context::new()
                .with_metadata(metadata)
                .with_timeout(Duration::from_secs(5)),
            &request(7, "ada"),
        ),
    )
    .await
    .unwrap();
    assert!(
        quote.is_lent(),
        "the response is read where the server wrote it"
    );
    let price = quote.get().price().unwrap();
    assert_eq!(
        (quote.get().sku(), price.units(), &price.currency()),
        (7, 700, b"USD")
    );
    drop(quote);
    // Many calls, one after another: slots come back and are used again.
    for sku in 0..200 {
        let quote = pricing
            .quote(Context::new(), &request(sku, "ada"))
            .await
            .unwrap();
        assert_eq!(quote.get().sku(), sku);
    }
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_stream_delivers_every_response_in_order_then_its_status() {
    let server = Running::start(small()).await;
    let catalog = CatalogClient::new(server.channel());
    // More responses than slots: each comes back as the caller drops the one before.
    let request = list(100);
    let mut products = catalog.list(Context::new(), &request).await.unwrap();
    let mut seen = Vec::new();
    while let Some(product) = bounded(products.next()).await {
        let product = product.unwrap();
        assert!(product.is_lent());
        assert_eq!(
            product.get().name(),
            format!("product {}", product.get().sku())
        );
        seen.push(product.get().sku());
    }
    assert_eq!(seen, (0..100).collect::<Vec<u64>>());

    let request = list(13);
    let mut products = catalog.list(Context::new(), &request).await.unwrap();
    let mut count = 0;
    let status = loop {
        match bounded(products.next()).await.unwrap() {
            Ok(_) => count += 1,
            Err(status) => break status,
        }
    };
    assert_eq!((count, status.code), (12, Code::NotFound));
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_end_with_their_status_codes_and_the_server_keeps_serving() {
    let server = Running::start(small()).await;
    let pricing = PricingClient::new(server.channel());
    let call = |sku, customer: &'static str| {
        let pricing = &pricing;
        async move { bounded(pricing.quote(Context::new(), &request(sku, customer))).await }
    };
    let err = bounded(pricing.quote(Context::new(), b"not a message"))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument, "{err}");
    assert!(err.message.contains("too short"), "{err}");

    let err = call(1, "panic").await.unwrap_err();
    assert_eq!(err.code, Code::Internal);
    assert!(err.message.contains("pricing broke"), "{err}");

    let err = call(1, "none").await.unwrap_err();
    assert_eq!(err.code, Code::Internal, "{err}");

    // A response larger than a slot: RESOURCE_EXHAUSTED, said by the builder.
    let err = call(1, "huge").await.unwrap_err();
    assert_eq!(err.code, Code::ResourceExhausted, "{err}");

    // A request larger than a slot: RESOURCE_EXHAUSTED before it is sent.
    let err = call(1, &*"y".repeat(5000).leak()).await.unwrap_err();
    assert_eq!(err.code, Code::ResourceExhausted, "{err}");

    let started = Instant::now();
    let err = bounded(pricing.quote(
        Context::new().with_timeout(Duration::from_millis(50)),
        &request(1, "slow"),
    ))
    .await
    .unwrap_err();
    assert_eq!(err.code, Code::DeadlineExceeded);
    assert!(started.elapsed() < Duration::from_millis(500));

    assert_eq!(call(3, "ada").await.unwrap().get().sku(), 3);
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callers_cancellation_reaches_the_handler() {
    let server = Running::start(small()).await;
    let pricing = PricingClient::new(server.channel());
    let token = CancelToken::new();
    let canceller = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        canceller.cancel();
    });
    let err = bounded(pricing.quote(Context::new().with_cancel(token), &request(1, "slow")))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Cancelled);
    bounded(server.cancelled.notified()).await;
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_callers_get_every_answer_once() {
    let server = Running::start(small()).await;
    let pricing = Arc::new(PricingClient::new(server.channel()));
    let mut calls = tokio::task::JoinSet::new();
    // Far more calls in flight than the segment has slots.
    for caller in 0..32u64 {
        let pricing = pricing.clone();
        calls.spawn(async move {
            let mut got = Vec::new();
            for i in 0..25u64 {
                let sku = caller * 1000 + i;
                let quote = pricing
                    .quote(Context::new(), &request(sku, "ada"))
                    .await
                    .unwrap();
                got.push(quote.get().sku());
            }
            got
        });
    }
    let mut all = Vec::new();
    while let Some(got) = bounded(calls.join_next()).await {
        all.extend(got.unwrap());
    }
    all.sort_unstable();
    let want: Vec<u64> = (0..32u64)
        .flat_map(|c| (0..25).map(move |i| c * 1000 + i))
        .collect();
    assert_eq!(all, want);
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_holding_every_response_slot_is_told_not_left_hanging() {
    let server = Running::start(small()).await;
    let pricing = PricingClient::new(server.channel());
    let mut held = Vec::new();
    for sku in 0..8 {
        held.push(
            pricing
                .quote(Context::new(), &request(sku, "ada"))
                .await
                .unwrap(),
        );
    }
    let err = bounded(pricing.quote(Context::new(), &request(9, "ada")))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::ResourceExhausted, "{err}");
    // One given back: calls go through again.
    held.pop();
    assert!(
        pricing
            .quote(Context::new(), &request(9, "ada"))
            .await
            .is_ok()
    );
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_gone_is_unavailable_and_a_new_one_is_reached_again() {
    let server = Running::start(small()).await;
    let address = server.address.clone();
    let channel = Arc::new(server.channel());
    let pricing = PricingClient::new(channel.clone());
    assert!(
        pricing
            .quote(Context::new(), &request(1, "ada"))
            .await
            .is_ok()
    );

    // Gone mid-call: UNAVAILABLE, at once.
    let slow = {
        let channel = channel.clone();
        tokio::spawn(async move {
            PricingClient::new(channel)
                .quote(Context::new(), &request(1, "slow"))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let dir = server.shut_down().await;
    let err = bounded(slow).await.unwrap().unwrap_err();
    assert_eq!(err.code, Code::Unavailable, "{err}");
    let err = bounded(pricing.quote(Context::new(), &request(1, "ada")))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Unavailable, "{err}");

    // A new server at the same place: the same channel reaches it.
    let server = Running::start_at(address, small(), dir).await;
    assert!(
        pricing
            .quote(Context::new(), &request(2, "ada"))
            .await
            .is_ok()
    );
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_that_says_shm_reaches_the_server() {
    let server = Running::start(small()).await;
    let Address::Path(path) = &server.address else {
        panic!("a path address");
    };
    let text = format!(
        "[services.\"storefront.Pricing\"]\nat = \"shm://{}\"\n",
        path.display()
    );
    let deployment = weftbuf_rpc::config::Deployment::new(&[common::PRICING])
        .with_config(&text, "weftbuf.toml")
        .unwrap();
    let channel = deployment
        .channel("storefront.Pricing", &weftbuf_rpc::InProc::new())
        .unwrap();
    let quote = PricingClient::new(channel)
        .quote(Context::new(), &request(5, "ada"))
        .await
        .unwrap();
    assert!(quote.is_lent());
    assert_eq!(quote.get().sku(), 5);
    drop(quote);
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_and_bidi_streams_carry_every_message_in_order() {
    let server = Running::start(small()).await;
    bounded(common::check_duplex_calls(&PricingClient::new(
        server.channel(),
    )))
    .await;
    server.shut_down().await;
}
