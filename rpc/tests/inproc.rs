//! The storefront's `Pricing` service, generated with its service code, served in process:
//! calls succeed through the typed client, and each fault ends with its status code.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use common::generated;

use std::time::{Duration, Instant};

use generated::storefront::{
    CatalogClient, CatalogServer, CatalogService, Category, GetQuote, GetQuoteBuilder, GetQuoteT,
    ListProducts, ListProductsBuilder, PricingClient, PricingServer, PricingService,
    ProductBuilder,
};
use weftbuf_rpc::{CancelToken, Code, Context, InProc, Requests, Sink, Status};
use weftbuf_rt::Builder;

/// Quotes 100 units per SKU; customer `slow` takes 10 s, `panic` panics, `none` answers
/// nothing.
struct Pricing;

impl PricingService for Pricing {
    async fn quote(
        &self,
        ctx: &Context,
        request: GetQuote<'_>,
        response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        match request.customer() {
            Some("slow") => tokio::time::sleep(Duration::from_secs(10)).await,
            Some("panic") => panic!("pricing broke"),
            Some("none") => return Ok(()),
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

fn request(sku: u64, customer: &str) -> Vec<u8> {
    let mut b = Builder::new();
    let mut q = GetQuoteBuilder::new(&mut b).unwrap();
    q.sku(sku);
    q.customer(customer).unwrap();
    q.finish().unwrap();
    b.into_vec()
}

fn client() -> PricingClient<InProc> {
    PricingClient::new(InProc::new().serve(PricingServer(Pricing)))
}

#[tokio::test]
async fn a_call_reads_the_request_in_place_and_returns_a_verified_response() {
    let mut metadata = weftbuf_rpc::Metadata::new();
    metadata.insert("currency", "USD").unwrap();
    let quote = client()
        .quote(Context::new().with_metadata(metadata), &request(7, "ada"))
        .await
        .unwrap();
    let view = quote.get();
    assert_eq!(view.sku(), 7);
    let price = view.price().unwrap();
    assert_eq!((price.units(), &price.currency()), (700, b"USD"));
}

#[tokio::test]
async fn faults_end_with_their_status_codes() {
    let client = client();
    // Malformed request bytes: the verifier's error, as INVALID_ARGUMENT.
    let err = client
        .quote(Context::new(), b"not a message")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument);
    assert!(err.message.contains("too short"), "{err}");
    // A deadline: DEADLINE_EXCEEDED within the deadline and a small margin.
    let started = Instant::now();
    let err = client
        .quote(
            Context::new().with_timeout(Duration::from_millis(50)),
            &request(1, "slow"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::DeadlineExceeded);
    assert!(started.elapsed() < Duration::from_millis(500));
    // A panicking handler: INTERNAL, and the next call is served.
    let err = client
        .quote(Context::new(), &request(1, "panic"))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Internal);
    assert!(err.message.contains("pricing broke"), "{err}");
    assert!(
        client
            .quote(Context::new(), &request(2, "ada"))
            .await
            .is_ok()
    );
    // A handler that writes no response: INTERNAL.
    let err = client
        .quote(Context::new(), &request(1, "none"))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Internal);
}

#[tokio::test]
async fn cancellation_reaches_the_call() {
    let client = client();
    let token = CancelToken::new();
    let canceller = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        canceller.cancel();
    });
    let err = client
        .quote(Context::new().with_cancel(token), &request(1, "slow"))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Cancelled);
}

/// Lists `limit` products of the category asked for, one response each; a limit of 13 fails
/// after the twelfth.
struct Products;

impl CatalogService for Products {
    async fn list(
        &self,
        ctx: &Context,
        request: ListProducts<'_>,
        responses: &mut dyn Sink,
    ) -> Result<(), Status> {
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

fn list(category: Category, limit: u32) -> Vec<u8> {
    let mut b = Builder::new();
    let mut l = ListProductsBuilder::new(&mut b).unwrap();
    l.category(category).limit(limit);
    l.finish().unwrap();
    b.into_vec()
}

#[tokio::test]
async fn a_server_stream_delivers_every_response_in_order_then_ends() {
    let client = CatalogClient::new(InProc::new().serve(CatalogServer(Products)));
    let request = list(Category::MUSIC, 100);
    let mut stream = client.list(Context::new(), &request).await.unwrap();
    let mut seen = Vec::new();
    while let Some(product) = stream.next().await {
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
    let mut stream = client.list(Context::new(), &request).await.unwrap();
    let mut count = 0;
    let status = loop {
        match stream.next().await {
            Some(Ok(_)) => count += 1,
            Some(Err(status)) => break status,
            None => panic!("the stream ended without its error"),
        }
    };
    assert_eq!((count, status.code), (12, Code::NotFound));
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn a_service_not_served_here_is_unimplemented() {
    let channel = InProc::new().serve(CatalogServer(Products));
    let err = PricingClient::new(channel)
        .quote(Context::new(), &request(1, "ada"))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Unimplemented);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_and_bidi_streams_carry_every_message_in_order() {
    common::check_duplex_calls(&client()).await;
}
