//! What a call costs per boundary, with 64-byte and 64-KiB requests (the storefront's
//! `Pricing.Quote`, its `customer` string making up the size):
//!
//! - `call/<size>/direct` against `call/<size>/inproc`: the same work as a direct call of the
//!   implementation (build the request, verify it, run the handler, verify the response)
//!   against the call through the in-process channel;
//! - `grpc/<size>/tonic-prost` against `grpc/<size>/weftbuf`: one call at a time over
//!   loopback TCP, tonic 0.14's server and client with an equivalent protobuf message
//!   (prost) against weftbuf's gRPC transport, both building the request and reading the
//!   response per call;
//! - `grpc-64-in-flight/<size>/…`: the same with 64 calls in flight (throughput).
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    missing_docs,
    reason = "benchmark setup fails loudly"
)]

use std::hint::black_box;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use weftbuf::rt::{self, Builder};
use weftbuf_rpc::{Context, InProc, Message, Requests, Sink, Status};

#[allow(unused_imports, dead_code, unreachable_pub, missing_docs)]
mod generated {
    include!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../goldens/rust/rpc/storefront.rs"
    ));
}

use generated::storefront::{
    GetQuote, GetQuoteBuilder, GetQuoteT, Money, PricingClient, PricingServer, PricingService,
    QuoteBuilder, QuoteT,
};

/// Prices a quote at the length of the customer's name: the handler reads the whole request.
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

    async fn quote_each(
        &self,
        _ctx: &Context,
        _requests: &mut Requests<'_, GetQuoteT>,
        _responses: &mut dyn Sink,
    ) -> Result<(), Status> {
        Err(Status::unimplemented("not measured"))
    }

    async fn basket(
        &self,
        _ctx: &Context,
        _requests: &mut Requests<'_, GetQuoteT>,
        _response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        Err(Status::unimplemented("not measured"))
    }
}

/// The customer name that makes a `GetQuote` about `size` bytes.
fn customer(size: usize) -> String {
    "x".repeat(size.saturating_sub(56))
}

/// A `GetQuote` of about `size` bytes.
fn request(size: usize) -> Vec<u8> {
    let mut b = Builder::new();
    let mut q = GetQuoteBuilder::new(&mut b).unwrap();
    q.sku(7);
    q.customer(&customer(size)).unwrap();
    q.finish().unwrap();
    b.into_vec()
}

const SIZES: [(&str, usize); 2] = [("64B", 64), ("64KiB", 64 * 1024)];

fn in_process(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = PricingClient::new(InProc::new().serve(PricingServer(Prices)));
    for (label, size) in SIZES {
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

/// The same messages in protobuf, for tonic.
mod proto {
    /// `GetQuote`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct GetQuote {
        #[prost(uint64, tag = "1")]
        pub sku: u64,
        #[prost(string, tag = "2")]
        pub customer: String,
    }

    /// `Money`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Money {
        #[prost(int64, tag = "1")]
        pub units: i64,
        #[prost(string, tag = "2")]
        pub currency: String,
    }

    /// `Quote`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Quote {
        #[prost(uint64, tag = "1")]
        pub sku: u64,
        #[prost(message, optional, tag = "2")]
        pub price: Option<Money>,
    }
}

const PATH: &str = "/storefront.Pricing/Quote";

/// The handler, as tonic serves it.
#[derive(Clone)]
struct TonicPrices;

impl tonic::server::UnaryService<proto::GetQuote> for TonicPrices {
    type Response = proto::Quote;
    type Future = std::future::Ready<Result<tonic::Response<proto::Quote>, tonic::Status>>;

    fn call(&mut self, request: tonic::Request<proto::GetQuote>) -> Self::Future {
        let request = request.into_inner();
        std::future::ready(Ok(tonic::Response::new(proto::Quote {
            sku: request.sku,
            price: Some(proto::Money {
                units: request.customer.len() as i64,
                currency: "EUR".into(),
            }),
        })))
    }
}

/// What tonic-build would generate for the service: one route.
#[derive(Clone)]
struct TonicPricing;

impl tonic::server::NamedService for TonicPricing {
    const NAME: &'static str = "storefront.Pricing";
}

impl tower_service::Service<http::Request<tonic::body::Body>> for TonicPricing {
    type Response = http::Response<tonic::body::Body>;
    type Error = std::convert::Infallible;
    type Future = std::pin::Pin<
        Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send + 'static>,
    >;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        Box::pin(async move {
            let mut grpc = tonic::server::Grpc::new(tonic_prost::ProstCodec::default());
            Ok(grpc.unary(TonicPrices, request).await)
        })
    }
}

/// A call through tonic: build, send, read.
async fn tonic_quote(
    client: &tonic::client::Grpc<tonic::transport::Channel>,
    customer: &str,
) -> u64 {
    let mut client = client.clone();
    client.ready().await.unwrap();
    let request = tonic::Request::new(proto::GetQuote {
        sku: 7,
        customer: customer.to_string(),
    });
    let quote: proto::Quote = client
        .unary(
            request,
            http::uri::PathAndQuery::from_static(PATH),
            tonic_prost::ProstCodec::default(),
        )
        .await
        .unwrap()
        .into_inner();
    quote.sku + quote.price.map_or(0, |p| p.units as u64)
}

/// A call through weftbuf's gRPC transport: build, send, read.
async fn weftbuf_quote(
    client: &PricingClient<weftbuf_rpc::grpc::GrpcChannel>,
    customer: &str,
) -> u64 {
    let quote = client
        .quote_with(Context::new(), |b| {
            let mut q = GetQuoteBuilder::new(b)?;
            q.sku(7);
            q.customer(customer)?;
            q.finish()?;
            Ok(())
        })
        .await
        .unwrap();
    let quote = quote.get();
    quote.sku() + quote.price().map_or(0, |p| p.units() as u64)
}

fn over_grpc(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (tonic_client, weftbuf_client) = runtime.block_on(async {
        let tonic_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let tonic_addr = tonic_listener.local_addr().unwrap();
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(TonicPricing)
                // Small responses go out at once, as weftbuf's server sends them.
                .serve_with_incoming(
                    tonic::transport::server::TcpIncoming::from(tonic_listener)
                        .with_nodelay(Some(true)),
                ),
        );
        let weftbuf_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let weftbuf_addr = weftbuf_listener.local_addr().unwrap();
        tokio::spawn(
            weftbuf_rpc::grpc::Server::new()
                .serve(PricingServer(Prices))
                .run_on(weftbuf_listener, std::future::pending()),
        );
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{tonic_addr}"))
            .unwrap()
            .tcp_nodelay(true)
            .connect()
            .await
            .unwrap();
        let tonic_client = tonic::client::Grpc::new(channel);
        let weftbuf_client = PricingClient::new(
            weftbuf_rpc::grpc::GrpcChannel::builder(&format!("http://{weftbuf_addr}"))
                .unwrap()
                .connect()
                .await
                .unwrap(),
        );
        (tonic_client, Arc::new(weftbuf_client))
    });
    for (label, size) in SIZES {
        let name = customer(size);
        let mut group = c.benchmark_group(format!("grpc/{label}"));
        group.bench_function("tonic-prost", |b| {
            b.iter(|| runtime.block_on(tonic_quote(&tonic_client, black_box(&name))))
        });
        group.bench_function("weftbuf", |b| {
            b.iter(|| runtime.block_on(weftbuf_quote(&weftbuf_client, black_box(&name))))
        });
        group.finish();

        const IN_FLIGHT: usize = 64;
        let mut group = c.benchmark_group(format!("grpc-64-in-flight/{label}"));
        group.throughput(Throughput::Elements(IN_FLIGHT as u64));
        group.bench_function("tonic-prost", |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let mut calls = tokio::task::JoinSet::new();
                    for _ in 0..IN_FLIGHT {
                        let (client, name) = (tonic_client.clone(), name.clone());
                        calls.spawn(async move { tonic_quote(&client, &name).await });
                    }
                    calls.join_all().await
                })
            })
        });
        group.bench_function("weftbuf", |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let mut calls = tokio::task::JoinSet::new();
                    for _ in 0..IN_FLIGHT {
                        let (client, name) = (weftbuf_client.clone(), name.clone());
                        calls.spawn(async move { weftbuf_quote(&client, &name).await });
                    }
                    calls.join_all().await
                })
            })
        });
        group.finish();
    }
}

criterion_group!(benches, in_process, over_grpc);
criterion_main!(benches);
