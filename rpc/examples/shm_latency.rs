//! Round trips over shared memory between two processes, timed: this program serves the
//! storefront's pricing in a child process of its own, calls it N times, and prints the
//! latency percentiles.
//!
//! ```sh
//! cargo run --release -p weftbuf-rpc --features shm --example shm_latency -- 20000
//! ```

#[allow(unused_imports, dead_code, unreachable_pub, missing_docs)]
mod generated {
    include!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../goldens/rust/rpc/storefront.rs"
    ));
}

use std::time::{Duration, Instant};

use generated::storefront::{
    GetQuote, GetQuoteBuilder, GetQuoteT, Money, PricingClient, PricingServer, PricingService,
    QuoteBuilder,
};
use weftbuf_rpc::shm::{Address, Listener, Server, ShmChannel};
use weftbuf_rpc::{Context, Requests, Sink, Status};
use weftbuf_rt::Builder;

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
        _ctx: &Context,
        _requests: &mut Requests<'_, GetQuoteT>,
        _responses: &mut dyn Sink,
    ) -> Result<(), Status> {
        Err(Status::unimplemented("not here"))
    }

    async fn basket(
        &self,
        _ctx: &Context,
        _requests: &mut Requests<'_, GetQuoteT>,
        _response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        Err(Status::unimplemented("not here"))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    if let Ok(at) = std::env::var("SHM_LATENCY_SERVE") {
        return runtime.block_on(async {
            let listener = Listener::bind(&Address::new(at.as_ref()))?;
            println!("listening");
            Server::new()
                .serve(PricingServer(Prices))
                .run_on(listener, std::future::pending())
                .await?;
            Ok(())
        });
    }
    let calls: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let at = format!("@weftbuf-shm-latency-{}", std::process::id());
    let mut server = std::process::Command::new(std::env::current_exe()?)
        .env("SHM_LATENCY_SERVE", &at)
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stdout.take().ok_or("no output")?),
        &mut line,
    )?;
    let timings = runtime.block_on(async {
        let pricing = PricingClient::new(ShmChannel::new(Address::new(at.as_ref())));
        let mut timings = Vec::with_capacity(calls);
        for i in 0..calls + 1000 {
            let started = Instant::now();
            let quote = pricing
                .quote_with(Context::new(), |b| {
                    let mut q = GetQuoteBuilder::new(b)?;
                    q.sku(i as u64);
                    q.finish()?;
                    Ok(())
                })
                .await?;
            let elapsed = started.elapsed();
            if quote.get().sku() != i as u64 {
                return Err("a wrong answer".into());
            }
            // The first thousand warm up.
            if i >= 1000 {
                timings.push(elapsed);
            }
        }
        Ok::<_, Box<dyn std::error::Error>>(timings)
    });
    let _ = server.kill();
    let _ = server.wait();
    let mut timings = timings?;
    timings.sort();
    let at = |p: f64| timings[((timings.len() - 1) as f64 * p) as usize];
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{calls} round trips: p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs",
        us(at(0.5)),
        us(at(0.9)),
        us(at(0.99))
    );
    Ok(())
}
