//! Servers that are ready when started, and callers that wait for a server that is starting:
//! over gRPC and over shared memory alike, a server listens as soon as the call that starts
//! it returns; a call with a deadline made before any server listens waits for one within
//! its deadline (gRPC's wait-for-ready); without a deadline, or past it, the call is
//! `UNAVAILABLE` with the cause.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::Pricing;
use common::generated::storefront::{GetQuoteBuilder, PricingClient, PricingServer};
use weftbuf_rpc::{Channel, Code, Context};
use weftbuf_rt::Builder;

fn request(sku: u64) -> Vec<u8> {
    let mut b = Builder::new();
    let mut q = GetQuoteBuilder::new(&mut b).unwrap();
    q.sku(sku);
    q.finish().unwrap();
    b.into_vec()
}

/// `work`, failing the test instead of hanging it.
async fn bounded<T>(work: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), work)
        .await
        .expect("the test hung")
}

/// A loopback address nothing listens on (a port that was free a moment ago).
fn free_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// A unary, a bidi and a client-streaming call through `client`, each with a deadline of
/// `deadline`, made while no server listens yet; `start` starts one after `delay`.
async fn calls_wait_for_a_late_server<C: Channel>(
    client: PricingClient<C>,
    start: impl Future<Output = ()> + Send + 'static,
    delay: Duration,
) {
    let starting = tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        start.await;
    });
    let started = Instant::now();
    let ctx = || Context::new().with_timeout(Duration::from_secs(10));
    // A unary call and a bidi call, both made before the server listens.
    let unary = async {
        let quote = client.quote(ctx(), &request(7)).await.unwrap();
        assert_eq!(quote.get().sku(), 7);
    };
    let bidi = async {
        let (mut sender, mut quotes) = client.quote_each(ctx()).await.unwrap();
        sender.send_bytes(request(5)).await.unwrap();
        drop(sender);
        assert_eq!(quotes.next().await.unwrap().unwrap().get().sku(), 5);
        assert!(quotes.next().await.is_none());
    };
    bounded(async { tokio::join!(unary, bidi) }).await;
    assert!(started.elapsed() >= delay, "{:?}", started.elapsed());
    bounded(starting).await.unwrap();
    // Each later call reaches the server at once.
    let (mut sender, mut quotes) = bounded(client.quote_each(ctx())).await.unwrap();
    sender.send_bytes(request(3)).await.unwrap();
    drop(sender);
    assert_eq!(quotes.next().await.unwrap().unwrap().get().sku(), 3);
    let mut basket = bounded(client.basket(ctx())).await.unwrap();
    basket.send_bytes(request(2)).await.unwrap();
    assert_eq!(basket.finish().await.unwrap().get().lines(), 1);
}

/// With nobody listening: `UNAVAILABLE` at once without a deadline, and within the deadline
/// (before it passes, naming the wait) with one; a bidi call's sender gets the same status.
async fn no_server_is_unavailable<C: Channel>(client: PricingClient<C>) {
    let started = Instant::now();
    let err = bounded(client.quote(Context::new(), &request(1)))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Unavailable, "{err}");
    assert!(started.elapsed() < Duration::from_secs(1));

    let deadline = Duration::from_millis(400);
    let started = Instant::now();
    let err = bounded(client.quote(Context::new().with_timeout(deadline), &request(1)))
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.code, Code::Unavailable, "{err}");
    assert!(err.message.contains("waited"), "{err}");
    assert!(
        took >= deadline / 2 && took < deadline,
        "gave up after {took:?}"
    );

    // A bidi call that cannot start says why: when it opens (shared memory connects then),
    // or through its sender, as its responses do (gRPC connects in the call's task).
    let opened = bounded(client.quote_each(Context::new())).await;
    let (mut sender, mut quotes) = match opened {
        Ok(call) => call,
        Err(status) => {
            assert_eq!(status.code, Code::Unavailable, "{status}");
            return;
        }
    };
    let sent = bounded(async {
        loop {
            if let Err(status) = sender.send_bytes(request(1)).await {
                return status;
            }
        }
    })
    .await;
    assert_eq!(sent.code, Code::Unavailable, "{sent}");
    assert_eq!(quotes.next().await.unwrap().unwrap_err(), sent);
}

#[cfg(feature = "grpc")]
mod grpc {
    use weftbuf_rpc::grpc::{GrpcChannel, Server};

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_server_listens_when_run_returns() {
        let addr = free_port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = Server::new()
            .serve(PricingServer(Pricing))
            .run(addr, async {
                let _ = stopped.await;
            })
            .unwrap();
        // Not polled yet, and already listening.
        std::net::TcpStream::connect(addr).unwrap();
        let serving = tokio::spawn(serving);
        let client = PricingClient::new(GrpcChannel::lazy(&format!("http://{addr}")).unwrap());
        let quote = bounded(client.quote(Context::new(), &request(4)))
            .await
            .unwrap();
        assert_eq!(quote.get().sku(), 4);
        stop.send(()).unwrap();
        bounded(serving).await.unwrap().unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_call_with_a_deadline_waits_for_a_server_that_starts_later() {
        let addr = free_port();
        let client = PricingClient::new(GrpcChannel::lazy(&format!("http://{addr}")).unwrap());
        let start = async move {
            let serving = Server::new()
                .serve(PricingServer(Pricing))
                .run(addr, std::future::pending())
                .unwrap();
            tokio::spawn(serving);
        };
        calls_wait_for_a_late_server(client, start, Duration::from_millis(300)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn without_a_server_a_call_is_unavailable_within_its_deadline() {
        let addr = free_port();
        let client = PricingClient::new(GrpcChannel::lazy(&format!("http://{addr}")).unwrap());
        no_server_is_unavailable(client).await;
    }
}

#[cfg(all(feature = "shm", target_os = "linux"))]
mod shm {
    use weftbuf_rpc::shm::{Address, Server, ShmChannel};

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_server_listens_when_run_returns_and_leaves_no_file_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pricing.sock");
        let address = Address::new(&path);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = Server::new()
            .serve(PricingServer(Pricing))
            .run(&address, async {
                let _ = stopped.await;
            })
            .unwrap();
        std::os::unix::net::UnixStream::connect(&path).unwrap();
        let serving = tokio::spawn(serving);
        let client = PricingClient::new(ShmChannel::new(address.clone()));
        let quote = bounded(client.quote(Context::new(), &request(4)))
            .await
            .unwrap();
        assert_eq!(quote.get().sku(), 4);
        stop.send(()).unwrap();
        bounded(serving).await.unwrap().unwrap();
        assert!(!path.exists());

        // A server dropped before it ran leaves no socket file either.
        drop(
            Server::new()
                .serve(PricingServer(Pricing))
                .run(&address, std::future::pending())
                .unwrap(),
        );
        assert!(!path.exists());

        // A second server at the same place says why it cannot listen, when started.
        let _first = Server::new()
            .serve(PricingServer(Pricing))
            .run(&address, std::future::pending())
            .unwrap();
        let Err(err) = Server::new()
            .serve(PricingServer(Pricing))
            .run(&address, std::future::pending())
        else {
            panic!("two servers listen at {}", path.display());
        };
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_call_with_a_deadline_waits_for_a_server_that_starts_later() {
        let dir = tempfile::tempdir().unwrap();
        let address = Address::new(&dir.path().join("pricing.sock"));
        let client = PricingClient::new(ShmChannel::new(address.clone()));
        let start = async move {
            let serving = Server::new()
                .serve(PricingServer(Pricing))
                .run(&address, std::future::pending())
                .unwrap();
            tokio::spawn(serving);
        };
        calls_wait_for_a_late_server(client, start, Duration::from_millis(300)).await;
        drop(dir);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn without_a_server_a_call_is_unavailable_within_its_deadline() {
        let dir = tempfile::tempdir().unwrap();
        let address = Address::new(&dir.path().join("nobody.sock"));
        no_server_is_unavailable(PricingClient::new(ShmChannel::new(address))).await;
    }

    /// A call that waits for a server does not hold up the channel's other calls: one
    /// without a deadline still fails at once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_waiting_call_does_not_hold_up_another() {
        let dir = tempfile::tempdir().unwrap();
        let address = Address::new(&dir.path().join("nobody.sock"));
        let client = std::sync::Arc::new(PricingClient::new(ShmChannel::new(address)));
        let patient = {
            let client = client.clone();
            tokio::spawn(async move {
                let ctx = Context::new().with_timeout(Duration::from_secs(3));
                client.quote(ctx, &request(1)).await.map(|_| ())
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        let err = bounded(client.quote(Context::new(), &request(1)))
            .await
            .unwrap_err();
        assert_eq!(err.code, Code::Unavailable, "{err}");
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(
            bounded(patient).await.unwrap().unwrap_err().code,
            Code::Unavailable
        );
    }
}
