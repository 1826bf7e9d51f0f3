//! Processes that die: a client or a server killed with SIGKILL mid-call is noticed through
//! its socket, the calls it leaves fail or are cancelled in bounded time, the survivors go on,
//! and a restarted peer connects again. Sessions leave no descriptor or mapping behind.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::generated::storefront::{
    GetQuote, GetQuoteBuilder, GetQuoteT, Money, PricingClient, PricingServer, PricingService,
    QuoteBuilder,
};
use tokio::sync::Notify;
use weftbuf_rpc::shm::{Address, Geometry, Listener, Server, ShmChannel};
use weftbuf_rpc::{Code, Context, Requests, Sink, Status};
use weftbuf_rt::Builder;

/// What a child process is asked to be: `server:PATH`, `slow-client:PATH`, `client:PATH`.
const ROLE: &str = "WEFTBUF_SHM_LIFECYCLE_ROLE";

/// Quotes 100 units per SKU; customer `slow` takes 30 s, signalling when it starts and when
/// its call is cancelled.
#[derive(Clone, Default)]
struct Prices {
    started: Arc<Notify>,
    cancelled: Arc<Notify>,
}

impl PricingService for Prices {
    async fn quote(
        &self,
        ctx: &Context,
        request: GetQuote<'_>,
        response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        if request.customer() == Some("slow") {
            let (token, cancelled) = (ctx.cancel_token().clone(), self.cancelled.clone());
            tokio::spawn(async move {
                token.cancelled().await;
                cancelled.notify_one();
            });
            self.started.notify_one();
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        let mut quote = QuoteBuilder::new(response)?;
        quote
            .sku(request.sku())
            .price(&Money::new(100 * request.sku() as i64, *b"EUR"));
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

fn request(sku: u64, customer: &str) -> Vec<u8> {
    let mut b = Builder::new();
    let mut q = GetQuoteBuilder::new(&mut b).unwrap();
    q.sku(sku);
    q.customer(customer).unwrap();
    q.finish().unwrap();
    b.into_vec()
}

fn geometry() -> Geometry {
    Geometry {
        slot_size: 4096,
        slots: 8,
    }
}

/// This test binary again, as a process playing `role` at `path`.
fn spawn(role: &str, path: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_process", "--nocapture"])
        .env(ROLE, format!("{role}:{}", path.display()))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Kills a child when dropped, however the test ends.
struct Reaped(Option<Child>);

impl Reaped {
    fn kill(&mut self) {
        if let Some(mut child) = self.0.take() {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
        }
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Run by the tests as processes of their own.
#[test]
fn child_process() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let (role, path) = role.split_once(':').unwrap();
    let address = Address::Path(PathBuf::from(path));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        match role {
            "server" => {
                let server = Server::new()
                    .geometry(geometry())
                    .serve(PricingServer(Prices::default()));
                let listener = Listener::bind(&address).unwrap();
                println!("listening");
                server
                    .run_on(listener, std::future::pending())
                    .await
                    .unwrap();
            }
            "slow-client" => {
                let pricing = PricingClient::new(ShmChannel::new(address));
                // Never answered: this process is killed first.
                let _ = pricing.quote(Context::new(), &request(1, "slow")).await;
            }
            _ => {
                let pricing = PricingClient::new(ShmChannel::new(address));
                let quote = pricing
                    .quote(Context::new(), &request(5, "ada"))
                    .await
                    .unwrap();
                assert_eq!(quote.get().sku(), 5);
                println!("answered");
            }
        }
    });
}

/// A server in this process: its address and the handler's signals.
async fn serve_here(dir: &Path) -> (Address, Prices, tokio::sync::oneshot::Sender<()>) {
    let address = Address::Path(dir.join("pricing.sock"));
    let prices = Prices::default();
    let listener = Listener::bind(&address).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(
        Server::new()
            .geometry(geometry())
            .serve(PricingServer(prices.clone()))
            .run_on(listener, async {
                let _ = stopped.await;
            }),
    );
    (address, prices, stop)
}

async fn bounded<T>(what: &str, work: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), work)
        .await
        .unwrap_or_else(|_| panic!("{what} took over 10 s"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_killed_mid_call_is_noticed_and_a_restarted_one_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let (address, prices, stop) = serve_here(dir.path()).await;
    let path = dir.path().join("pricing.sock");

    let mut slow = Reaped(Some(spawn("slow-client", &path)));
    bounded("the slow call's start", prices.started.notified()).await;
    slow.kill();
    // The server saw the socket close and cancelled the dead client's call.
    bounded(
        "cancelling the dead client's call",
        prices.cancelled.notified(),
    )
    .await;

    // Others are served meanwhile and after; a restarted client connects and is answered.
    let pricing = PricingClient::new(ShmChannel::new(address));
    assert!(
        pricing
            .quote(Context::new(), &request(2, "ada"))
            .await
            .is_ok()
    );
    let restarted = spawn("client", &path).wait_with_output().unwrap();
    assert!(restarted.status.success());
    assert!(String::from_utf8_lossy(&restarted.stdout).contains("answered"));
    stop.send(()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_call_is_unavailable_at_once_and_a_restarted_one_is_reached() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pricing.sock");
    let address = Address::Path(path.clone());
    // The server's output is kept open (and read up to "listening") for as long as it runs.
    let start_server = || {
        let mut child = spawn("server", &path);
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while !line.contains("listening") {
            line.clear();
            assert_ne!(std::io::BufRead::read_line(&mut out, &mut line).unwrap(), 0);
        }
        (Reaped(Some(child)), out)
    };
    let (mut server, _out) = start_server();
    let channel = Arc::new(ShmChannel::new(address));
    let pricing = PricingClient::new(channel.clone());
    assert!(
        pricing
            .quote(Context::new(), &request(1, "ada"))
            .await
            .is_ok()
    );

    let slow = tokio::spawn(async move {
        let started = Instant::now();
        let answer = PricingClient::new(channel)
            .quote(
                Context::new().with_timeout(Duration::from_secs(20)),
                &request(1, "slow"),
            )
            .await;
        (answer, started.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.kill();
    let (answer, took) = bounded("the call to a killed server", slow).await.unwrap();
    assert_eq!(answer.unwrap_err().code, Code::Unavailable);
    assert!(took < Duration::from_secs(5), "{took:?}");

    // The killed server left its socket file; a new one replaces it, and the same channel
    // reaches it.
    let _server = start_server();
    assert!(
        pricing
            .quote(Context::new(), &request(3, "ada"))
            .await
            .is_ok()
    );
}

/// The entries of `/proc/self/fd` and `/proc/self/maps`.
fn resources() -> (usize, usize) {
    let fds = std::fs::read_dir("/proc/self/fd").unwrap().count();
    let maps = std::fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .count();
    (fds, maps)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_leave_no_descriptor_or_mapping_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (address, _, stop) = serve_here(dir.path()).await;
    let session = || async {
        let pricing = PricingClient::new(ShmChannel::new(address.clone()));
        let quote = pricing
            .quote(Context::new(), &request(1, "ada"))
            .await
            .unwrap();
        assert_eq!(quote.get().sku(), 1);
    };
    // One first, so what the runtime sets up once is there before counting.
    session().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before = resources();
    for _ in 0..25 {
        session().await;
    }
    // The server's side of each session ends as it sees the client's socket close.
    let started = Instant::now();
    while resources() != before && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        resources(),
        before,
        "descriptors and mappings, before and after"
    );
    stop.send(()).unwrap();
}
