//! A peer that goes silent without closing its connection (its machine lost power, a network
//! between dropped everything): HTTP/2 pings find out, on both sides, and nothing hangs.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::generated::storefront::{
    GetQuote, GetQuoteBuilder, GetQuoteT, PricingClient, PricingServer, PricingService,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use weftbuf_rpc::grpc::{GrpcChannel, Server};
use weftbuf_rpc::{Code, Context, Requests, Sink, Status};
use weftbuf_rt::Builder;

/// Never answers; tells the test when its call's context was cancelled.
struct Stuck(Arc<Notify>);

impl PricingService for Stuck {
    async fn quote(
        &self,
        ctx: &Context,
        _request: GetQuote<'_>,
        _response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        let token = ctx.cancel_token().clone();
        let cancelled = self.0.clone();
        tokio::spawn(async move {
            token.cancelled().await;
            cancelled.notify_one();
        });
        std::future::pending().await
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

/// Copies one direction of a connection until `silent` is set, then stops reading or
/// writing, keeping the socket open.
async fn pass(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    silent: Arc<AtomicBool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let Ok(n) = from.read(&mut buf).await else {
            return;
        };
        if n == 0 || silent.load(Ordering::SeqCst) {
            break;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
    // Silent: hold both halves open, saying nothing.
    std::future::pending::<()>().await;
    drop((from, to));
}

/// A proxy to `upstream` that goes silent once `silent` is set: its address.
async fn proxy(upstream: std::net::SocketAddr, silent: Arc<AtomicBool>) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(upstream).await else {
                return;
            };
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            tokio::spawn(pass(client_read, server_write, silent.clone()));
            tokio::spawn(pass(server_read, client_write, silent.clone()));
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_peer_is_found_out_by_pings_on_both_sides() {
    let cancelled = Arc::new(Notify::new());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = listener.local_addr().unwrap();
    let ping = Duration::from_millis(200);
    tokio::spawn(
        Server::new()
            .serve(PricingServer(Stuck(cancelled.clone())))
            .keepalive(ping, ping)
            .run_on(listener, std::future::pending()),
    );
    let silent = Arc::new(AtomicBool::new(false));
    let addr = proxy(upstream, silent.clone()).await;
    let channel = GrpcChannel::builder(&format!("http://{addr}"))
        .unwrap()
        .keepalive(ping, ping)
        .connect()
        .await
        .unwrap();
    let pricing = PricingClient::new(channel);

    let mut b = Builder::new();
    let mut q = GetQuoteBuilder::new(&mut b).unwrap();
    q.sku(1);
    q.finish().unwrap();
    let started = Instant::now();
    let call = tokio::spawn(async move {
        // No deadline: only the pings can end this call.
        pricing.quote(Context::new(), b.as_bytes()).await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    silent.store(true, Ordering::SeqCst);

    let err = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("the call hung on a silent server")
        .unwrap()
        .unwrap_err();
    assert_eq!(err.code, Code::Unavailable, "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The server gave the silent caller up too: its handler's context was cancelled.
    tokio::time::timeout(Duration::from_secs(10), cancelled.notified())
        .await
        .expect("the server kept a silent caller's call");
}
