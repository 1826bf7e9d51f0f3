//! Channels made from `weftbuf.toml`: each service where the file says, calls with the
//! service's deadline when they set none, idempotent methods retried after `UNAVAILABLE`.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use common::generated::storefront::{
    GetQuote, GetQuoteBuilder, GetQuoteT, Money, PricingClient, PricingQuote, PricingServer,
    PricingService, QuoteBuilder,
};
use weftbuf_rpc::config::Deployment;
use weftbuf_rpc::{Channel, Code, Context, InProc, Requests, Sink, Status};
use weftbuf_rt::{Builder, Method, MethodDescriptor};

/// Answers `UNAVAILABLE` to the first `failures` calls, then quotes; customer `slow` takes
/// 10 s and records whether its call had a deadline.
struct Flaky {
    failures: u32,
    calls: Arc<AtomicU32>,
    had_deadline: Arc<AtomicU32>,
}

impl PricingService for Flaky {
    async fn quote(
        &self,
        ctx: &Context,
        request: GetQuote<'_>,
        response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        if request.customer() == Some("slow") {
            self.had_deadline
                .store(u32::from(ctx.deadline().is_some()), Ordering::SeqCst);
            tokio::time::sleep(Duration::from_secs(10)).await;
        }
        if call < self.failures {
            return Err(Status::unavailable("pricing is restarting"));
        }
        let mut quote = QuoteBuilder::new(response)?;
        quote.sku(request.sku()).price(&Money::new(1, *b"EUR"));
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

fn request(customer: &str) -> Vec<u8> {
    let mut b = Builder::new();
    let mut q = GetQuoteBuilder::new(&mut b).unwrap();
    q.sku(7);
    q.customer(customer).unwrap();
    q.finish().unwrap();
    b.into_vec()
}

/// A deployment of `storefront.Pricing` in this process with `settings`, and a flaky
/// implementation failing `failures` times: the channel and the count of calls.
fn pricing(settings: &str, failures: u32) -> (Arc<dyn Channel>, Arc<AtomicU32>, Arc<AtomicU32>) {
    let text = format!("[services.\"storefront.Pricing\"]\nat = \"inproc\"\n{settings}\n");
    let deployment = Deployment::new(&[common::PRICING])
        .with_config(&text, "weftbuf.toml")
        .unwrap();
    let calls = Arc::new(AtomicU32::new(0));
    let had_deadline = Arc::new(AtomicU32::new(0));
    let local = InProc::new().serve(PricingServer(Flaky {
        failures,
        calls: calls.clone(),
        had_deadline: had_deadline.clone(),
    }));
    let channel = deployment.channel(common::PRICING, &local).unwrap();
    (channel, calls, had_deadline)
}

#[tokio::test]
async fn an_idempotent_method_is_retried_after_unavailable_as_configured() {
    let (channel, calls, _) = pricing("retry = { attempts = 3, backoff = \"1ms\" }", 2);
    let quote = PricingClient::new(channel)
        .quote(Context::new(), &request("ada"))
        .await
        .unwrap();
    assert_eq!(quote.get().sku(), 7);
    assert_eq!(calls.load(Ordering::SeqCst), 3);

    // Out of attempts: the last status.
    let (channel, calls, _) = pricing("retry = { attempts = 2, backoff = \"1ms\" }", 5);
    let err = PricingClient::new(channel)
        .quote(Context::new(), &request("ada"))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Unavailable);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_method_not_marked_idempotent_is_called_once() {
    static NOT_IDEMPOTENT: MethodDescriptor = MethodDescriptor {
        idempotent: false,
        ..<PricingQuote as Method>::DESCRIPTOR
    };
    let (channel, calls, _) = pricing("retry = { attempts = 3, backoff = \"1ms\" }", 2);
    let err = channel
        .unary(&NOT_IDEMPOTENT, Context::new(), &request("ada"))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Unavailable);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_retry_that_would_outlast_the_deadline_is_not_made() {
    let (channel, calls, _) = pricing("retry = { attempts = 5, backoff = \"1s\" }", 2);
    let started = Instant::now();
    let err = PricingClient::new(channel)
        .quote(
            Context::new().with_timeout(Duration::from_millis(200)),
            &request("ada"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Unavailable);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(started.elapsed() < Duration::from_millis(200));
}

#[tokio::test]
async fn calls_without_a_deadline_get_the_services() {
    let (channel, _, had_deadline) = pricing("deadline = \"50ms\"", 0);
    let started = Instant::now();
    let err = PricingClient::new(channel)
        .quote(Context::new(), &request("slow"))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::DeadlineExceeded);
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(had_deadline.load(Ordering::SeqCst), 1);
}

#[cfg(not(feature = "shm"))]
#[tokio::test]
async fn a_place_this_build_cannot_reach_is_a_clear_error() {
    let deployment = Deployment::new(&[common::PRICING])
        .with_config(
            "[services.\"storefront.Pricing\"]\nat = \"shm:///run/pricing.sock\"\n",
            "weftbuf.toml",
        )
        .unwrap();
    let Err(err) = deployment.channel("storefront.Pricing", &InProc::new()) else {
        panic!("a channel to shared memory");
    };
    assert!(matches!(err, weftbuf_rpc::ConnectError::Unsupported { .. }));
    assert!(
        err.to_string()
            .starts_with("storefront.Pricing runs at shm:///run/pricing.sock"),
        "{err}"
    );
}

/// A server that starts listening a moment after the first call: the call waits for it
/// within its deadline (the channel's wait-for-ready, before any retry is needed).
#[cfg(feature = "grpc")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_comes_up_late_is_reached_by_retries() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let text = format!(
        "[services.\"storefront.Pricing\"]\nat = \"grpc://127.0.0.1:{port}\"\n\
         deadline = \"5s\"\nretry = {{ attempts = 8, backoff = \"20ms\" }}\n"
    );
    let deployment = Deployment::new(&[common::PRICING])
        .with_config(&text, "weftbuf.toml")
        .unwrap();
    let channel = deployment
        .channel("storefront.Pricing", &InProc::new())
        .unwrap();
    let calls = Arc::new(AtomicU32::new(0));
    let server = weftbuf_rpc::grpc::Server::new().serve(PricingServer(Flaky {
        failures: 0,
        calls: calls.clone(),
        had_deadline: Arc::new(AtomicU32::new(0)),
    }));
    let serving = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        server.run(addr, std::future::pending())?.await
    });
    let quote = PricingClient::new(channel)
        .quote(Context::new(), &request("ada"))
        .await
        .unwrap();
    assert_eq!(quote.get().sku(), 7);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    serving.abort();
}

/// Names the application does not know are errors, not services left in process; a service
/// that runs in process must be hosted there; the environment places a service the file does
/// not list.
#[tokio::test]
async fn misconfigured_services_are_errors_that_say_what_to_fix() {
    let local = InProc::new().serve(PricingServer(common::Pricing));
    let deployment = Deployment::new(&[common::PRICING, "storefront.Catalog"]);
    let Err(err) = deployment.channel("storefront.Pricng", &local) else {
        panic!("a channel to a misspelt service");
    };
    assert!(
        err.to_string()
            .contains("no service `storefront.Pricng` in this application (did you mean `storefront.Pricing`?)"),
        "{err}"
    );
    // Catalog is known, in process by default, and this process does not host it.
    let Err(err) = deployment.channel("storefront.Catalog", &local) else {
        panic!("a channel to a service nobody hosts");
    };
    assert!(
        matches!(err, weftbuf_rpc::ConnectError::NotHosted { .. }),
        "{err}"
    );
    // The file does not name Pricing; a variable moves it to a server that is not there.
    let deployment = deployment
        .with_config("[defaults]\ndeadline = \"300ms\"\n", "weftbuf.toml")
        .unwrap()
        .with_env([(
            "WEFTBUF_AT_STOREFRONT_PRICING".to_string(),
            "shm://@weftbuf-nobody-listens".to_string(),
        )])
        .unwrap();
    let at = &deployment.service(common::PRICING).unwrap().at;
    assert_eq!(at.to_string(), "shm://@weftbuf-nobody-listens");
    #[cfg(feature = "shm")]
    {
        let channel = deployment.channel(common::PRICING, &local).unwrap();
        let err = PricingClient::new(channel)
            .quote(Context::new(), &request("ada"))
            .await
            .unwrap_err();
        assert_eq!(err.code, Code::Unavailable, "{err}");
    }
}
