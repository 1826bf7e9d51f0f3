//! The storefront example does what its documentation says, wherever its services run: all
//! in process, pricing behind a gRPC server or a shared-memory server, or as processes of
//! their own started from the same binary.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use std::sync::Arc;
use std::time::Duration;

use storefront::generated::storefront::{CatalogClient, Category, PricingClient};
use storefront::{deploy, frontend};
use weftbuf_rpc::{Channel, Code};

/// The frontend's calls, and what each must answer.
async fn shop<C: Channel, P: Channel>(catalog: &CatalogClient<C>, pricing: &PricingClient<P>) {
    let shelf = frontend::shelf(catalog, Category::MUSIC).await.unwrap();
    assert_eq!(shelf, [1, 5, 9, 13, 17, 21, 25, 29]);
    let quote = frontend::quote(pricing, 20, "grace").await.unwrap();
    assert_eq!(quote.get().price().unwrap().units(), 2000);
    let vip = frontend::quote(pricing, 20, "vip-ada").await.unwrap();
    assert_eq!(vip.get().price().unwrap().units(), 1800);
    let missing = frontend::quote(pricing, 1000, "grace").await.unwrap_err();
    assert_eq!(missing.code, Code::NotFound, "{missing}");
    let in_place = frontend::quote_in_place(pricing, 3).await.unwrap();
    assert_eq!(in_place.get().sku(), 3);
    let prices = frontend::quote_each(pricing, &[1, 2, 3]).await.unwrap();
    assert_eq!(prices, [100, 200, 300]);
    let total = frontend::basket(pricing, &shelf).await.unwrap();
    assert_eq!(
        (total.get().lines(), total.get().price().unwrap().units()),
        (8, 12000)
    );
}

fn deployment(text: &str) -> weftbuf_rpc::config::Deployment {
    deploy::deployment(text, "weftbuf.toml").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_process() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/weftbuf.toml")).unwrap();
    let local = deploy::in_process();
    let deploy::Clients { catalog, pricing } = deploy::clients(&deployment(&text), &local).unwrap();
    shop(&catalog, &pricing).await;
}

#[test]
fn blocking() {
    let local: Arc<dyn Channel> = Arc::new(deploy::in_process());
    let pricing = frontend::blocking_client(local).unwrap();
    assert_eq!(frontend::quote_blocking(&pricing, 7).unwrap(), 700);
    let err = frontend::quote_blocking(&pricing, 0).unwrap_err();
    assert_eq!(err.code, Code::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pricing_over_grpc_and_over_shared_memory() {
    let local = deploy::in_process();
    // gRPC: a server on a loopback port, found through the deployment, and directly.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(
        deploy::serve_pricing_over_grpc(addr, async {
            let _ = stopped.await;
        })
        .unwrap(),
    );
    let over_grpc = deployment(&format!(
        "[services.\"storefront.Pricing\"]\nat = \"grpc://{addr}\"\n"
    ));
    let deploy::Clients { catalog, pricing } = deploy::clients(&over_grpc, &local).unwrap();
    shop(&catalog, &pricing).await;
    let direct = deploy::pricing_over_grpc(&format!("http://{addr}")).unwrap();
    assert_eq!(
        frontend::quote(&direct, 2, "x").await.unwrap().get().sku(),
        2
    );
    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();

    // Shared memory: a server at a socket file, which is gone when it stops.
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("pricing.sock");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(
        deploy::serve_pricing_over_shm(&socket, async {
            let _ = stopped.await;
        })
        .unwrap(),
    );
    let over_shm = deployment(&format!(
        "[services.\"storefront.Pricing\"]\nat = \"shm://{}\"\n",
        socket.display()
    ));
    let deploy::Clients { catalog, pricing } = deploy::clients(&over_shm, &local).unwrap();
    shop(&catalog, &pricing).await;
    let direct = deploy::pricing_over_shm(&socket);
    let quote = frontend::quote_in_place(&direct, 4).await.unwrap();
    assert!(quote.is_lent(), "read where the server wrote it");
    drop(quote);
    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
    assert!(!socket.exists());
}

/// Kills the child processes of a test when it ends, however it ends.
struct Children(Vec<std::process::Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn three_processes_from_one_binary() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("topology.toml");
    std::fs::write(
        &config,
        format!(
            "[defaults]\ndeadline = \"5s\"\n\
             [services.\"storefront.Catalog\"]\nat = \"shm://{0}/catalog.sock\"\n\
             [services.\"storefront.Pricing\"]\nat = \"shm://{0}/pricing.sock\"\n",
            dir.path().display()
        ),
    )
    .unwrap();
    let binary = env!("CARGO_BIN_EXE_storefront");
    let config = config.to_str().unwrap();
    let mut children = Children(Vec::new());
    for service in ["storefront.Catalog", "storefront.Pricing"] {
        children.0.push(
            std::process::Command::new(binary)
                .args(["--config", config, "serve", service])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap(),
        );
    }
    // Started together: the frontend's calls wait for the servers within their deadline.
    let out = std::process::Command::new(binary)
        .args(["--config", config])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("a basket of the shelf: 8 lines, 12000 cents"),
        "{stdout}"
    );
    // Told to stop, each server exits cleanly and removes its socket file.
    for child in &mut children.0 {
        std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "{status}");
    }
    std::thread::sleep(Duration::from_millis(10));
    assert!(!dir.path().join("pricing.sock").exists());
}
