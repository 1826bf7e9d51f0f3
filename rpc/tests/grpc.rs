//! The storefront's services behind a real gRPC server on a loopback port, called through the
//! generated clients over `GrpcChannel`: calls succeed, each fault ends with its status code,
//! deadlines and cancellation cross the wire, and the server keeps serving.
#![cfg(feature = "grpc")]
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use common::generated;

use std::collections::HashSet;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use generated::storefront::{
    CatalogClient, CatalogServer, CatalogService, Category, GetQuote, GetQuoteBuilder, GetQuoteT,
    ListProducts, ListProductsBuilder, PricingClient, PricingServer, PricingService,
    ProductBuilder, Quote,
};
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use weftbuf_rpc::config::Location;
use weftbuf_rpc::grpc::{GrpcChannel, GrpcError, RawCodec, Server};
use weftbuf_rpc::{CancelToken, Channel, Code, Context, Metadata, Requests, Sink, Status};
use weftbuf_rt::{Builder, MethodDescriptor, Streaming};

/// What the handlers saw: every call's context, and signals from calls that watch their
/// cancellation.
#[derive(Clone, Default)]
struct Seen {
    contexts: Arc<Mutex<Vec<Context>>>,
    started: Arc<Notify>,
    cancelled: Arc<Notify>,
}

impl Seen {
    /// Signals `cancelled` once `ctx`'s token is cancelled, as a handler that cleans up
    /// after an abandoned call would notice; then signals `started`.
    fn watch(&self, ctx: &Context) {
        let token = ctx.cancel_token().clone();
        let cancelled = self.cancelled.clone();
        tokio::spawn(async move {
            token.cancelled().await;
            cancelled.notify_one();
        });
        self.started.notify_one();
    }

    fn last(&self) -> Context {
        self.contexts.lock().unwrap().last().cloned().unwrap()
    }
}

/// Quotes 100 units per SKU in the currency of the `currency` metadata; customer `slow`
/// takes 10 s, `watch` too (watching its cancellation), `brief` 200 ms, `panic` panics,
/// `none` answers nothing, `fail` fails with details.
struct Pricing(Seen);

impl PricingService for Pricing {
    async fn quote(
        &self,
        ctx: &Context,
        request: GetQuote<'_>,
        response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        self.0.contexts.lock().unwrap().push(ctx.clone());
        match request.customer() {
            Some("slow") => tokio::time::sleep(Duration::from_secs(10)).await,
            Some("watch") => {
                self.0.watch(ctx);
                tokio::time::sleep(Duration::from_secs(10)).await;
            }
            Some("brief") => {
                self.0.started.notify_one();
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Some("panic") => panic!("pricing broke"),
            Some("none") => return Ok(()),
            Some("fail") => {
                return Err(Status::not_found("no price for you").with_details(vec![0, 159, 1]));
            }
            _ => {}
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

/// Lists `limit` products of the category asked for, one response each; a limit of 13 fails
/// after the twelfth; a limit over 1000 watches its cancellation.
struct Products(Seen);

impl CatalogService for Products {
    async fn list(
        &self,
        ctx: &Context,
        request: ListProducts<'_>,
        responses: &mut dyn Sink,
    ) -> Result<(), Status> {
        if request.limit() > 1000 {
            self.0.watch(ctx);
        }
        let category = request.category().unwrap_or(Category::BOOKS);
        for i in 0..request.limit() {
            ctx.check()?;
            if request.limit() == 13 && i == 12 {
                return Err(Status::not_found("the thirteenth product is missing"));
            }
            let mut product = ProductBuilder::new(responses.builder())?;
            product.sku(u64::from(i)).category(category);
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

fn list(category: Category, limit: u32) -> Vec<u8> {
    let mut b = Builder::new();
    let mut l = ListProductsBuilder::new(&mut b).unwrap();
    l.category(category).limit(limit);
    l.finish().unwrap();
    b.into_vec()
}

/// A server running on a loopback port of its own.
struct Running {
    addr: SocketAddr,
    seen: Seen,
    stop: oneshot::Sender<()>,
    done: JoinHandle<Result<(), GrpcError>>,
}

impl Running {
    /// Serves `Pricing` and `Products` with the settings `configure` adds.
    async fn start(configure: impl FnOnce(Server) -> Server) -> Running {
        let seen = Seen::default();
        let server = Server::new()
            .serve(PricingServer(Pricing(seen.clone())))
            .serve(CatalogServer(Products(seen.clone())));
        Running::start_server(configure(server), seen).await
    }

    async fn start_server(server: Server, seen: Seen) -> Running {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let done = tokio::spawn(server.run_on(listener, async {
            let _ = stopped.await;
        }));
        Running {
            addr,
            seen,
            stop,
            done,
        }
    }

    /// A channel to the server, found as `weftbuf.toml` would name it.
    fn channel(&self) -> GrpcChannel {
        let location = Location::parse(&format!("grpc://{}", self.addr)).unwrap();
        GrpcChannel::for_location(&location)
            .unwrap()
            .lazy()
            .unwrap()
    }

    /// Stops the server; how long it took to return.
    async fn shut_down(self) -> Duration {
        let started = Instant::now();
        self.stop.send(()).unwrap();
        bounded(self.done).await.unwrap().unwrap();
        started.elapsed()
    }
}

/// `work`, failing the test instead of hanging it.
async fn bounded<T>(work: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), work)
        .await
        .expect("the test hung")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unary_call_carries_metadata_and_its_deadline() {
    let server = Running::start(|s| s).await;
    let client = PricingClient::new(server.channel());
    let mut metadata = Metadata::new();
    metadata.insert("currency", "USD").unwrap();
    metadata.insert("trace-bin", vec![0, 255, 1]).unwrap();
    metadata.insert("x-user", "ada").unwrap();
    metadata.insert("x-user", "grace").unwrap();
    let ctx = Context::new()
        .with_metadata(metadata.clone())
        .with_timeout(Duration::from_secs(5));
    let quote = bounded(client.quote(ctx, &request(7, "ada")))
        .await
        .unwrap();
    let view = quote.get();
    assert_eq!(view.sku(), 7);
    let price = view.price().unwrap();
    assert_eq!((price.units(), &price.currency()), (700, b"USD"));
    // The handler got exactly the caller's metadata (no transport headers), and a deadline
    // no later than the caller's.
    let seen = server.seen.last();
    assert_eq!(seen.metadata(), &metadata);
    let remaining = seen.remaining().unwrap();
    assert!(
        remaining <= Duration::from_secs(5) && remaining > Duration::from_secs(4),
        "{remaining:?}"
    );
    // No deadline: none on the other side either.
    bounded(client.quote(Context::new(), &request(8, "ada")))
        .await
        .unwrap();
    assert_eq!(server.seen.last().deadline(), None);
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_stream_delivers_every_response_in_order_then_ends() {
    let server = Running::start(|s| s).await;
    let client = CatalogClient::new(server.channel());
    let request = list(Category::MUSIC, 100);
    let mut stream = bounded(client.list(Context::new(), &request))
        .await
        .unwrap();
    let mut seen = Vec::new();
    while let Some(product) = bounded(stream.next()).await {
        let product = product.unwrap();
        let view = product.get();
        assert_eq!(view.category(), Category::MUSIC);
        assert_eq!(view.name(), format!("product {}", view.sku()));
        seen.push(view.sku());
    }
    assert_eq!(seen, (0..100).collect::<Vec<u64>>());
    assert!(stream.next().await.is_none());

    // An error mid-stream: every response sent before it, then the status, then the end.
    let request = list(Category::MUSIC, 13);
    let mut stream = bounded(client.list(Context::new(), &request))
        .await
        .unwrap();
    let mut count = 0;
    let status = loop {
        match bounded(stream.next()).await {
            Some(Ok(_)) => count += 1,
            Some(Err(status)) => break status,
            None => panic!("the stream ended without its error"),
        }
    };
    assert_eq!((count, status.code), (12, Code::NotFound));
    assert!(stream.next().await.is_none());
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_end_with_their_status_codes_and_the_server_keeps_serving() {
    let server = Running::start(|s| s).await;
    let client = PricingClient::new(server.channel());
    // Malformed request bytes: the verifier's error, as INVALID_ARGUMENT.
    let err = bounded(client.quote(Context::new(), b"not a message"))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument, "{err}");
    assert!(err.message.contains("too short"), "{err}");
    // A deadline: DEADLINE_EXCEEDED within the deadline and a small margin.
    let started = Instant::now();
    let err = bounded(client.quote(
        Context::new().with_timeout(Duration::from_millis(100)),
        &request(1, "slow"),
    ))
    .await
    .unwrap_err();
    assert_eq!(err.code, Code::DeadlineExceeded, "{err}");
    let took = started.elapsed();
    assert!(took < Duration::from_millis(600), "{took:?}");
    // A panicking handler: INTERNAL, and the next call is served.
    let err = bounded(client.quote(Context::new(), &request(1, "panic")))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Internal, "{err}");
    assert!(err.message.contains("pricing broke"), "{err}");
    // A handler that writes no response: INTERNAL.
    let err = bounded(client.quote(Context::new(), &request(1, "none")))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Internal, "{err}");
    // A handler's status arrives with its message and details.
    let err = bounded(client.quote(Context::new(), &request(1, "fail")))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Status::not_found("no price for you").with_details(vec![0, 159, 1])
    );
    // An expired context is not even sent.
    let err = bounded(client.quote(
        Context::new().with_timeout(Duration::ZERO),
        &request(1, "ada"),
    ))
    .await
    .unwrap_err();
    assert_eq!(err.code, Code::DeadlineExceeded, "{err}");
    let quote = bounded(client.quote(Context::new(), &request(2, "ada")))
        .await
        .unwrap();
    assert_eq!(quote.get().sku(), 2);
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_method_is_unimplemented() {
    let seen = Seen::default();
    let server = Running::start_server(
        Server::new().serve(CatalogServer(Products(seen.clone()))),
        seen,
    )
    .await;
    let err =
        bounded(PricingClient::new(server.channel()).quote(Context::new(), &request(1, "ada")))
            .await
            .unwrap_err();
    assert_eq!(err.code, Code::Unimplemented, "{err}");
    // A method the hosted service does not have.
    static NOPE: MethodDescriptor = MethodDescriptor {
        name: "Nope",
        path: "/storefront.Catalog/Nope",
        request: "storefront.ListProducts",
        request_tag: 0,
        response: "storefront.Product",
        response_tag: 0,
        streaming: Streaming::None,
        idempotent: false,
    };
    let err = bounded(
        server
            .channel()
            .unary(&NOPE, Context::new(), &list(Category::BOOKS, 1)),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, Code::Unimplemented, "{err}");
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_over_the_limits_are_resource_exhausted() {
    // The server's limits: a request over 200 bytes, a response over 48 bytes.
    let server = Running::start(|s| {
        s.max_decoding_message_size(200)
            .max_encoding_message_size(48)
    })
    .await;
    let client = PricingClient::new(server.channel());
    let err = bounded(client.quote(Context::new(), &request(1, &"x".repeat(300))))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::ResourceExhausted, "{err}");
    let err = bounded(client.quote(Context::new(), &request(1, "ada")))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::ResourceExhausted, "{err}");
    // A stream whose responses are over the limit ends with the status.
    let catalog = CatalogClient::new(server.channel());
    let request_bytes = list(Category::BOOKS, 5);
    let mut stream = bounded(catalog.list(Context::new(), &request_bytes))
        .await
        .unwrap();
    let err = bounded(stream.next()).await.unwrap().unwrap_err();
    assert_eq!(err.code, Code::ResourceExhausted, "{err}");
    server.shut_down().await;

    // The client's limits: a request over 64 bytes is not sent, a response over 16 bytes
    // not read.
    let server = Running::start(|s| s).await;
    let target = format!("http://{}", server.addr);
    let small = GrpcChannel::builder(&target)
        .unwrap()
        .max_encoding_message_size(64)
        .max_decoding_message_size(16)
        .lazy()
        .unwrap();
    let client = PricingClient::new(small);
    let err = bounded(client.quote(Context::new(), &request(1, &"x".repeat(100))))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::ResourceExhausted, "{err}");
    assert!(err.message.contains("request"), "{err}");
    let err = bounded(client.quote(Context::new(), &request(1, "ada")))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::ResourceExhausted, "{err}");
    assert_eq!(server.seen.contexts.lock().unwrap().len(), 1);
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_is_not_there_is_unavailable_at_once() {
    // A port that was free a moment ago.
    let addr = TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let client = PricingClient::new(GrpcChannel::lazy(&format!("http://{addr}")).unwrap());
    for _ in 0..2 {
        let started = Instant::now();
        let err = bounded(client.quote(Context::new(), &request(1, "ada")))
            .await
            .unwrap_err();
        assert_eq!(err.code, Code::Unavailable, "{err}");
        assert!(started.elapsed() < Duration::from_secs(1));
    }
    let err = GrpcChannel::builder(&format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .err()
        .unwrap();
    assert_eq!(err.code, Code::Unavailable, "{err}");
    assert!(GrpcChannel::lazy("not a uri").is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_lets_calls_in_flight_finish_within_the_grace() {
    let server = Running::start(|s| s).await;
    let addr = server.addr;
    let seen = server.seen.clone();
    let client = PricingClient::new(server.channel());
    let call =
        tokio::spawn(async move { client.quote(Context::new(), &request(6, "brief")).await });
    bounded(seen.started.notified()).await;
    let took = server.shut_down().await;
    assert!(took >= Duration::from_millis(100), "{took:?}");
    assert_eq!(bounded(call).await.unwrap().unwrap().get().sku(), 6);
    // Nothing listens any more.
    let late = PricingClient::new(GrpcChannel::lazy(&format!("http://{addr}")).unwrap());
    let err = bounded(late.quote(Context::new(), &request(1, "ada")))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Unavailable, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_shut_down_mid_call_is_unavailable() {
    let server = Running::start(|s| s.shutdown_grace(Duration::from_millis(100))).await;
    let seen = server.seen.clone();
    let client = PricingClient::new(server.channel());
    let call =
        tokio::spawn(async move { client.quote(Context::new(), &request(1, "watch")).await });
    bounded(seen.started.notified()).await;
    let took = server.shut_down().await;
    assert!(took < Duration::from_secs(2), "{took:?}");
    let err = bounded(call).await.unwrap().unwrap_err();
    assert_eq!(err.code, Code::Unavailable, "{err}");
    // The abandoned handler's context was cancelled.
    bounded(seen.cancelled.notified()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callers_cancellation_reaches_the_handler() {
    let server = Running::start(|s| s).await;
    let client = PricingClient::new(server.channel());
    let token = CancelToken::new();
    let canceller = token.clone();
    let seen = server.seen.clone();
    tokio::spawn(async move {
        seen.started.notified().await;
        canceller.cancel();
    });
    let started = Instant::now();
    let err = bounded(client.quote(Context::new().with_cancel(token), &request(1, "watch")))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Cancelled, "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
    bounded(server.seen.cancelled.notified()).await;
    // The connection is still good.
    bounded(client.quote(Context::new(), &request(3, "ada")))
        .await
        .unwrap();
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_stream_cancels_its_handler() {
    let server = Running::start(|s| s).await;
    let client = CatalogClient::new(server.channel());
    let request = list(Category::TOOLS, 1_000_000);
    let mut stream = bounded(client.list(Context::new(), &request))
        .await
        .unwrap();
    for i in 0..5 {
        let product = bounded(stream.next()).await.unwrap().unwrap();
        assert_eq!(product.get().sku(), i);
    }
    drop(stream);
    bounded(server.seen.cancelled.notified()).await;
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_service_reports_every_service_serving() {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

    let server = Running::start(|s| s).await;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = HealthClient::new(channel);
    for service in ["", "storefront.Pricing", "storefront.Catalog"] {
        let response = bounded(health.check(HealthCheckRequest {
            service: service.into(),
        }))
        .await
        .unwrap();
        assert_eq!(
            response.into_inner().status(),
            ServingStatus::Serving,
            "{service:?}"
        );
    }
    let err = bounded(health.check(HealthCheckRequest {
        service: "storefront.Nothing".into(),
    }))
    .await
    .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
    server.shut_down().await;
}

/// tonic's channel sending content type `.1`.
#[derive(Clone)]
struct Typed(tonic::transport::Channel, &'static str);

impl tower_service::Service<http::Request<tonic::body::Body>> for Typed {
    type Response = http::Response<tonic::body::Body>;
    type Error = tonic::transport::Error;
    type Future = weftbuf_rpc::BoxFuture<'static, Result<Self::Response, Self::Error>>;
    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        tower_service::Service::poll_ready(&mut self.0, cx)
    }
    fn call(&mut self, mut request: http::Request<tonic::body::Body>) -> Self::Future {
        request.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(self.1),
        );
        Box::pin(tower_service::Service::call(&mut self.0, request))
    }
}

/// `Pricing.Quote` called by tonic's client over `channel`, its requests typed `content_type`.
async fn quote_as(
    channel: &tonic::transport::Channel,
    content_type: &'static str,
) -> Result<tonic::Response<Vec<u8>>, tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(Typed(channel.clone(), content_type));
    grpc.ready().await.unwrap();
    let path = http::uri::PathAndQuery::from_static("/storefront.Pricing/Quote");
    bounded(grpc.unary(tonic::Request::new(request(4, "ada")), path, RawCodec)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_grpc_callers_are_served_and_other_content_types_refused() {
    let server = Running::start(|s| s).await;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    for (sent, answered) in [
        ("application/grpc", "application/grpc"),
        ("application/grpc+weftbuf", "application/grpc+weftbuf"),
    ] {
        let response = quote_as(&channel, sent).await.unwrap();
        let content_type = response.metadata().get("content-type").unwrap();
        assert_eq!(content_type.to_str().unwrap(), answered);
        let quote = weftbuf_rt::root::<Quote<'_>>(response.get_ref()).unwrap();
        assert_eq!(quote.sku(), 4);
    }
    for refused in ["application/json", "application/grpc+proto"] {
        let err = quote_as(&channel, refused).await.unwrap_err();
        assert_ne!(err.code(), tonic::Code::Ok, "{refused}");
    }
    assert_eq!(server.seen.contexts.lock().unwrap().len(), 2);
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_get_every_answer_once() {
    const CLIENTS: u64 = 32;
    const CALLS: u64 = 50;
    let server = Running::start(|s| s).await;
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let client = PricingClient::new(server.channel());
        tasks.push(tokio::spawn(async move {
            let mut skus = Vec::new();
            for i in 0..CALLS {
                let sku = c * 1000 + i;
                let ctx = Context::new().with_timeout(Duration::from_secs(5));
                let quote = client.quote(ctx, &request(sku, "ada")).await.unwrap();
                let view = quote.get();
                assert_eq!(view.sku(), sku);
                assert_eq!(view.price().unwrap().units(), 100 * sku as i64);
                skus.push(view.sku());
            }
            skus
        }));
    }
    let mut all = HashSet::new();
    for task in tasks {
        for sku in bounded(task).await.unwrap() {
            assert!(all.insert(sku), "{sku} answered twice");
        }
    }
    assert_eq!(all.len() as u64, CLIENTS * CALLS);
    assert_eq!(
        server.seen.contexts.lock().unwrap().len() as u64,
        CLIENTS * CALLS
    );
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_in_use_is_an_error() {
    let taken = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = taken.local_addr().unwrap();
    // Refused when started: nothing to await.
    let Err(err) = Server::new().run(addr, std::future::pending()) else {
        panic!("two servers listen on {addr}");
    };
    assert!(matches!(err, GrpcError::Bind { .. }), "{err}");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
}

/// A test certificate authority (its key discarded) and the identity it signed for
/// `localhost` and 127.0.0.1, valid until 2126.
#[cfg(feature = "grpc-tls")]
mod tls_files {
    pub(crate) const CA: &str = include_str!("tls/ca.pem");
    pub(crate) const CERT: &str = include_str!("tls/server.pem");
    pub(crate) const KEY: &str = include_str!("tls/server.key");
}

#[cfg(feature = "grpc-tls")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_go_over_tls() {
    use weftbuf_rpc::grpc::{ClientTls, ServerTls};

    let server = Running::start(|s| {
        s.tls(&ServerTls::new(tls_files::CERT, tls_files::KEY))
            .unwrap()
    })
    .await;
    let target = format!("https://127.0.0.1:{}", server.addr.port());
    let channel = GrpcChannel::builder(&target)
        .unwrap()
        .tls(&ClientTls::new(tls_files::CA))
        .unwrap()
        .lazy()
        .unwrap();
    let client = PricingClient::new(channel);
    let quote = bounded(client.quote(Context::new(), &request(5, "ada")))
        .await
        .unwrap();
    assert_eq!(quote.get().sku(), 5);
    let catalog = CatalogClient::new(
        GrpcChannel::builder(&target)
            .unwrap()
            .tls(&ClientTls::new(tls_files::CA))
            .unwrap()
            .lazy()
            .unwrap(),
    );
    let request_bytes = list(Category::GARDEN, 10);
    let mut stream = bounded(catalog.list(Context::new(), &request_bytes))
        .await
        .unwrap();
    let mut count = 0;
    while let Some(product) = bounded(stream.next()).await {
        product.unwrap();
        count += 1;
    }
    assert_eq!(count, 10);
    // A caller speaking plain HTTP/2 to the TLS port, and one that trusts another authority
    // (the server's own certificate is no authority), do not get through.
    let plain = PricingClient::new(server.channel());
    let err = bounded(plain.quote(Context::new(), &request(5, "ada")))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Unavailable, "{err}");
    let untrusting = PricingClient::new(
        GrpcChannel::builder(&target)
            .unwrap()
            .tls(&ClientTls::new(tls_files::CERT))
            .unwrap()
            .lazy()
            .unwrap(),
    );
    let err = bounded(untrusting.quote(Context::new(), &request(5, "ada")))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Unavailable, "{err}");
    // A key that is not PEM is refused up front.
    assert!(
        Server::new()
            .tls(&ServerTls::new(tls_files::CERT, "no key"))
            .is_err()
    );
    server.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_and_bidi_streams_carry_every_message_in_order() {
    let server = Running::start(|s| s).await;
    bounded(common::check_duplex_calls(&PricingClient::new(
        server.channel(),
    )))
    .await;
    server.shut_down().await;
}
