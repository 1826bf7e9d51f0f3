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
//! - `grpc-64-in-flight/<size>/…`: the same with 64 calls in flight (throughput);
//! - paired rounds of the gRPC cases (run unless a filter other than `paired` is given):
//!   tonic + prost, weftbuf, and tonic's client calling weftbuf's server take turns within
//!   each of 21 rounds, so drift moves them alike; the per-round ratios' median and quartiles
//!   go to `$CARGO_TARGET_DIR/criterion/weftbuf-grpc-paired.json` for the report.
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
use weftbuf_rt::{self as rt, Builder};
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

/// tonic's client to `addr`, with the settings weftbuf's client has (`TCP_NODELAY`, a
/// keepalive ping every 30 s).
async fn connect_tonic(
    addr: std::net::SocketAddr,
) -> tonic::client::Grpc<tonic::transport::Channel> {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .tcp_nodelay(true)
        .http2_keep_alive_interval(std::time::Duration::from_secs(30))
        .keep_alive_timeout(std::time::Duration::from_secs(10))
        .connect()
        .await
        .unwrap();
    tonic::client::Grpc::new(channel)
}

/// A call through tonic's client to weftbuf's server.
async fn split_quote(
    client: &tonic::client::Grpc<tonic::transport::Channel>,
    customer: &str,
) -> u64 {
    let mut client = client.clone();
    client.ready().await.unwrap();
    let mut b = Builder::new();
    let mut q = GetQuoteBuilder::new(&mut b).unwrap();
    q.sku(7);
    q.customer(customer).unwrap();
    q.finish().unwrap();
    let bytes: Vec<u8> = client
        .unary(
            tonic::Request::new(b.into_vec()),
            http::uri::PathAndQuery::from_static(PATH),
            weftbuf_rpc::grpc::RawCodec,
        )
        .await
        .unwrap()
        .into_inner();
    let quote = Message::<QuoteT>::from_bytes(bytes).unwrap();
    let quote = quote.get();
    quote.sku() + quote.price().map_or(0, |p| p.units() as u64)
}

/// The gRPC groups: their name, and how many calls are in flight at once.
const GRPC_CASES: [(&str, usize); 2] = [("grpc", 1), ("grpc-64-in-flight", 64)];

fn over_grpc(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let clients = runtime.block_on(async {
        let tonic_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let tonic_addr = tonic_listener.local_addr().unwrap();
        tokio::spawn(
            tonic::transport::Server::builder()
                .http2_keepalive_interval(Some(std::time::Duration::from_secs(30)))
                .http2_keepalive_timeout(Some(std::time::Duration::from_secs(10)))
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
        let tonic_client = connect_tonic(tonic_addr).await;
        let split_client = connect_tonic(weftbuf_addr).await;
        let weftbuf_client = PricingClient::new(
            weftbuf_rpc::grpc::GrpcChannel::builder(&format!("http://{weftbuf_addr}"))
                .unwrap()
                .connect()
                .await
                .unwrap(),
        );
        Arc::new(Clients {
            tonic: tonic_client,
            weftbuf: weftbuf_client,
            split: split_client,
        })
    });
    for (label, size) in SIZES {
        let customer: Arc<str> = customer(size).into();
        for (group, in_flight) in GRPC_CASES {
            let mut group = c.benchmark_group(format!("{group}/{label}"));
            if in_flight > 1 {
                group.throughput(Throughput::Elements(in_flight as u64));
            }
            for (name, arm) in [("tonic-prost", Arm::Tonic), ("weftbuf", Arm::Weftbuf)] {
                group.bench_function(name, |b| {
                    b.iter(|| runtime.block_on(arm.batch(&clients, &customer, in_flight)))
                });
            }
            group.finish();
        }
    }
    // Criterion's filter does not reach this: the rounds run with every gRPC case, or when
    // asked for by name.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if filter.is_none_or(|f| "paired".contains(&f) || f.contains("paired")) {
        write_paired(&paired(&runtime, &clients));
    }
}

/// The three clients: tonic's, weftbuf's, and tonic's to weftbuf's server.
struct Clients {
    tonic: tonic::client::Grpc<tonic::transport::Channel>,
    weftbuf: PricingClient<weftbuf_rpc::grpc::GrpcChannel>,
    split: tonic::client::Grpc<tonic::transport::Channel>,
}

/// Who calls whom in a paired round.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Arm {
    /// tonic's client and server, prost's messages.
    Tonic,
    /// weftbuf's client and server.
    Weftbuf,
    /// tonic's client, weftbuf's server and messages: where a difference comes from.
    Split,
}

const ARMS: [Arm; 3] = [Arm::Tonic, Arm::Weftbuf, Arm::Split];

impl Arm {
    async fn call(self, clients: &Clients, customer: &str) -> u64 {
        match self {
            Arm::Tonic => tonic_quote(&clients.tonic, customer).await,
            Arm::Weftbuf => weftbuf_quote(&clients.weftbuf, customer).await,
            Arm::Split => split_quote(&clients.split, customer).await,
        }
    }

    /// One call, or `in_flight` calls at once.
    async fn batch(self, clients: &Arc<Clients>, customer: &Arc<str>, in_flight: usize) {
        if in_flight == 1 {
            black_box(self.call(clients, customer).await);
            return;
        }
        let mut calls = tokio::task::JoinSet::new();
        for _ in 0..in_flight {
            let (clients, customer) = (clients.clone(), customer.clone());
            calls.spawn(async move { self.call(&clients, &customer).await });
        }
        black_box(calls.join_all().await);
    }
}

/// One case of the paired rounds: the median time per batch of each arm, and the
/// round-by-round ratios to tonic's.
struct Paired {
    case: String,
    rounds: usize,
    median_ns: [f64; 3],
    weftbuf_ratios: Vec<f64>,
    split_ratios: Vec<f64>,
}

const ROUNDS: usize = 21;

/// The gRPC cases again, the three arms taking turns within each round (in a rotating
/// order), so that the machine's drift over seconds, which moves two criterion
/// measurements made one after the other, moves all arms of a round alike.
fn paired(runtime: &tokio::runtime::Runtime, clients: &Arc<Clients>) -> Vec<Paired> {
    let mut out = Vec::new();
    for (label, size) in SIZES {
        let customer: Arc<str> = customer(size).into();
        for (group, in_flight) in GRPC_CASES {
            let time = |arm: Arm, batches: usize| {
                let started = std::time::Instant::now();
                for _ in 0..batches {
                    runtime.block_on(arm.batch(clients, &customer, in_flight));
                }
                started.elapsed().as_nanos() as f64 / batches as f64
            };
            // Warm up, and batches enough for about 100 ms per arm and round.
            let per_batch = ARMS
                .map(|arm| time(arm, 20))
                .into_iter()
                .fold(0.0, f64::max);
            let batches = ((1e8 / per_batch) as usize).clamp(5, 5000);
            let mut times: [Vec<f64>; 3] = Default::default();
            for round in 0..ROUNDS {
                for turn in 0..ARMS.len() {
                    let arm = (round + turn) % ARMS.len();
                    times[arm].push(time(ARMS[arm], batches));
                }
            }
            let ratios = |arm: usize| -> Vec<f64> {
                times[arm]
                    .iter()
                    .zip(&times[0])
                    .map(|(a, t)| a / t)
                    .collect()
            };
            let paired = Paired {
                case: format!("{group}/{label}"),
                rounds: ROUNDS,
                median_ns: [0, 1, 2].map(|arm| median(&times[arm])),
                weftbuf_ratios: ratios(1),
                split_ratios: ratios(2),
            };
            eprintln!(
                "paired {}: weftbuf / tonic-prost {:.3} (quartiles {:.3}..{:.3}), tonic client -> weftbuf server / tonic-prost {:.3}",
                paired.case,
                median(&paired.weftbuf_ratios),
                quantile(&paired.weftbuf_ratios, 0.25),
                quantile(&paired.weftbuf_ratios, 0.75),
                median(&paired.split_ratios),
            );
            out.push(paired);
        }
    }
    out
}

fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn median(values: &[f64]) -> f64 {
    quantile(values, 0.5)
}

/// The paired rounds as JSON beside criterion's estimates, for the report.
fn write_paired(cases: &[Paired]) {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let dir = std::path::Path::new(&target).join("criterion");
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let rows: Vec<String> = cases
        .iter()
        .map(|p| {
            format!(
                "{{\"case\": \"{}\", \"rounds\": {}, \"tonic_prost_ns\": {:.0}, \"weftbuf_ns\": {:.0}, \"split_ns\": {:.0}, \"ratio_median\": {:.4}, \"ratio_q1\": {:.4}, \"ratio_q3\": {:.4}, \"split_ratio_median\": {:.4}}}",
                p.case,
                p.rounds,
                p.median_ns[0],
                p.median_ns[1],
                p.median_ns[2],
                median(&p.weftbuf_ratios),
                quantile(&p.weftbuf_ratios, 0.25),
                quantile(&p.weftbuf_ratios, 0.75),
                median(&p.split_ratios),
            )
        })
        .collect();
    let _ = std::fs::write(
        dir.join("weftbuf-grpc-paired.json"),
        format!("[\n{}\n]\n", rows.join(",\n")),
    );
}

criterion_group!(benches, in_process, over_grpc);
criterion_main!(benches);
