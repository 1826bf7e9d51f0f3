//! What the transports' tests share: the storefront's generated code, and the client- and
//! bidi-streaming methods of `Pricing` with the checks every transport must pass.
#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test file uses part of it, through `mod common`"
)]

/// The storefront schema's generated code, with its service code.
#[allow(unused_imports, dead_code)]
pub mod generated {
    include!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../goldens/rust/rpc/storefront.rs"
    ));
}

use std::time::{Duration, Instant};

// The service's own name is free for its implementation: the generated method table is
// `PricingDescriptor`, imported here beside `Pricing` to keep it so.
use generated::storefront::{
    GetQuote, GetQuoteBuilder, GetQuoteT, Money, PricingClient, PricingDescriptor, PricingService,
    QuoteBuilder, TotalBuilder,
};
use weftbuf_rpc::{Channel, Code, Context, Requests, Sink, Status};
use weftbuf_rt::Builder;
use weftbuf_rt::Service as _;

/// The pricing service's qualified name, as deployments name it.
pub const PRICING: &str = PricingDescriptor::NAME;

/// The SKU no product has: a quote of it is `NOT_FOUND`.
pub const MISSING: u64 = 999;

/// The pricing service most tests serve: `Quote` as [`quote`], and the streaming methods as
/// [`quote_each`] and [`basket`].
pub struct Pricing;

impl PricingService for Pricing {
    async fn quote(
        &self,
        ctx: &Context,
        request: GetQuote<'_>,
        response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        quote(ctx, request, response).await
    }

    async fn quote_each(
        &self,
        ctx: &Context,
        requests: &mut Requests<'_, GetQuoteT>,
        responses: &mut dyn Sink,
    ) -> Result<(), Status> {
        quote_each(ctx, requests, responses).await
    }

    async fn basket(
        &self,
        ctx: &Context,
        requests: &mut Requests<'_, GetQuoteT>,
        response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        basket(ctx, requests, response).await
    }
}

/// `Quote`'s answer: 100 units per SKU, in the currency the `currency` metadata names (EUR
/// without it).
pub async fn quote(
    ctx: &Context,
    request: GetQuote<'_>,
    response: &mut Builder<'static>,
) -> Result<(), Status> {
    let currency = ctx.metadata().get_str("currency").unwrap_or("EUR");
    let mut code = [0u8; 3];
    code.copy_from_slice(&currency.as_bytes()[..3]);
    let mut quote = QuoteBuilder::new(response)?;
    quote
        .sku(request.sku())
        .price(&Money::new(100 * request.sku() as i64, code));
    quote.finish()?;
    Ok(())
}

/// `QuoteEach`: a quote of 100 units per SKU for each request, in order.
pub async fn quote_each(
    ctx: &Context,
    requests: &mut Requests<'_, GetQuoteT>,
    responses: &mut dyn Sink,
) -> Result<(), Status> {
    while let Some(request) = requests.next().await {
        ctx.check()?;
        let sku = request?.get().sku();
        if sku == MISSING {
            return Err(Status::not_found(format!("no product {sku}")));
        }
        let mut quote = QuoteBuilder::new(responses.builder())?;
        quote.sku(sku).price(&Money::new(100 * sku as i64, *b"EUR"));
        quote.finish()?;
        responses.send().await?;
    }
    Ok(())
}

/// `Basket`: how many lines came, and what they cost together at 100 units per SKU.
pub async fn basket(
    ctx: &Context,
    requests: &mut Requests<'_, GetQuoteT>,
    response: &mut Builder<'static>,
) -> Result<(), Status> {
    let (mut lines, mut total) = (0u32, 0i64);
    while let Some(request) = requests.next().await {
        ctx.check()?;
        let sku = request?.get().sku();
        if sku == MISSING {
            return Err(Status::not_found(format!("no product {sku}")));
        }
        lines += 1;
        total += 100 * sku as i64;
    }
    let mut basket = TotalBuilder::new(response)?;
    basket.lines(lines).price(&Money::new(total, *b"EUR"));
    basket.finish()?;
    Ok(())
}

fn line(sku: u64) -> Vec<u8> {
    let mut b = Builder::new();
    let mut q = GetQuoteBuilder::new(&mut b).unwrap();
    q.sku(sku);
    q.finish().unwrap();
    b.into_vec()
}

/// Client and bidi streaming through `client`: requests and responses in order, a caller that
/// sends several before reading, statuses mid-stream, malformed requests, deadlines.
pub async fn check_duplex_calls<C: Channel>(client: &PricingClient<C>) {
    // Bidi, in lockstep: one request, one quote.
    let (mut sender, mut quotes) = client.quote_each(Context::new()).await.unwrap();
    for sku in 1..=5 {
        let mut q = GetQuoteBuilder::new(sender.builder()).unwrap();
        q.sku(sku);
        q.finish().unwrap();
        sender.send().await.unwrap();
        let quote = quotes.next().await.unwrap().unwrap();
        assert_eq!(quote.get().sku(), sku);
        assert_eq!(quote.get().price().unwrap().units(), 100 * sku as i64);
    }
    sender.close();
    assert!(quotes.next().await.is_none());

    // Bidi, every request before any response is read.
    let (mut sender, mut quotes) = client.quote_each(Context::new()).await.unwrap();
    for sku in 10..16 {
        sender.send_bytes(line(sku)).await.unwrap();
    }
    drop(sender);
    let mut seen = Vec::new();
    while let Some(quote) = quotes.next().await {
        seen.push(quote.unwrap().get().sku());
    }
    assert_eq!(seen, (10..16).collect::<Vec<_>>());

    // Bidi, a status mid-stream: the quotes before it, then the status.
    let (mut sender, mut quotes) = client.quote_each(Context::new()).await.unwrap();
    sender.send_bytes(line(3)).await.unwrap();
    sender.send_bytes(line(MISSING)).await.unwrap();
    assert_eq!(quotes.next().await.unwrap().unwrap().get().sku(), 3);
    let err = quotes.next().await.unwrap().unwrap_err();
    assert_eq!(err.code, Code::NotFound, "{err}");
    assert!(quotes.next().await.is_none());

    // Bidi, requests sent after the call ended: the call's own status, not another.
    let (mut sender, mut quotes) = client.quote_each(Context::new()).await.unwrap();
    sender.send_bytes(line(MISSING)).await.unwrap();
    let err = quotes.next().await.unwrap().unwrap_err();
    assert_eq!(err.code, Code::NotFound, "{err}");
    let late = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Err(status) = sender.send_bytes(line(1)).await {
                return status;
            }
        }
    })
    .await
    .expect("a request sent after the call ended fails");
    assert_eq!(late, err);

    // Bidi, malformed request bytes: the verifier's error as INVALID_ARGUMENT.
    let (mut sender, mut quotes) = client.quote_each(Context::new()).await.unwrap();
    sender.send_bytes(b"not a message".to_vec()).await.unwrap();
    let err = quotes.next().await.unwrap().unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument, "{err}");
    assert!(err.message.contains("too short"), "{err}");

    // Bidi, a deadline while the handler waits for requests.
    let started = Instant::now();
    let ctx = Context::new().with_timeout(Duration::from_millis(100));
    let (_sender, mut quotes) = client.quote_each(ctx).await.unwrap();
    let err = quotes.next().await.unwrap().unwrap_err();
    assert_eq!(err.code, Code::DeadlineExceeded, "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));

    // Client streaming: lines one at a time, then the one response.
    let mut basket = client.basket(Context::new()).await.unwrap();
    for sku in 1..=4 {
        let mut q = GetQuoteBuilder::new(basket.builder()).unwrap();
        q.sku(sku);
        q.finish().unwrap();
        basket.send().await.unwrap();
    }
    let total = basket.finish().await.unwrap();
    assert_eq!(total.get().lines(), 4);
    assert_eq!(total.get().price().unwrap().units(), 1000);

    // Client streaming, no lines at all.
    let basket = client.basket(Context::new()).await.unwrap();
    let total = basket.finish().await.unwrap();
    assert_eq!(total.get().lines(), 0);

    // Client streaming, a status before the end: `finish` (or a later `send`) reports it.
    let mut basket = client.basket(Context::new()).await.unwrap();
    let mut q = GetQuoteBuilder::new(basket.builder()).unwrap();
    q.sku(MISSING);
    q.finish().unwrap();
    basket.send().await.unwrap();
    let err = basket.finish().await.unwrap_err();
    assert_eq!(err.code, Code::NotFound, "{err}");
}
