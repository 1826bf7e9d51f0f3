//! Interop with a real gRPC implementation: Python's `grpcio` (from PyPI) calls the
//! storefront's Rust servers, and serves the Rust client, with the payloads made and checked by
//! `weftbuf encode` and `weftbuf decode`; its health client checks the standard health service.
//!
//! Python comes from `WEFTBUF_PYTHON` (the test command installs grpcio into `.venv` and sets
//! it).
#![cfg(feature = "grpc")]
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The storefront schema's generated code, with its service code.
#[allow(unused_imports, dead_code, unreachable_pub, missing_docs)]
mod generated {
    include!("../../goldens/rust/rpc/storefront.rs");
}

use generated::storefront::{CatalogClient, GetQuoteBuilder, ListProductsBuilder, PricingClient};
use weftbuf_rpc::grpc::GrpcChannel;
use weftbuf_rpc::{Code, Context, Metadata};
use weftbuf_rt::Builder;

const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/storefront.fbs");

#[path = "../../core/tests/common/outside.rs"]
mod outside;
use outside::python;

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/grpcio")
        .join(name)
}

/// `weftbuf encode` of `json` as a `table` message into `out`.
fn encode(table: &str, json: &str, out: &Path) {
    let input = out.with_extension("json");
    std::fs::write(&input, json).unwrap();
    let done = Command::new(env!("CARGO_BIN_EXE_weftbuf"))
        .args(["encode", "--schema", SCHEMA, "--type", table])
        .arg(&input)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
}

/// `weftbuf decode` of the `table` message in `file`: its JSON (after verification).
fn decode(table: &str, file: &Path) -> String {
    let done = Command::new(env!("CARGO_BIN_EXE_weftbuf"))
        .args(["decode", "--schema", SCHEMA, "--type", table])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "{}: {}",
        file.display(),
        String::from_utf8_lossy(&done.stderr)
    );
    String::from_utf8(done.stdout).unwrap()
}

/// Kills the child processes of a test when it ends, however it ends.
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// JSON without its whitespace, to look for fields in.
fn compact(json: &str) -> String {
    json.split_whitespace().collect()
}

#[test]
fn a_grpcio_client_calls_the_rust_servers_and_checks_their_health() {
    let Some(python) = python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (inputs, out) = (dir.path().join("in"), dir.path().join("out"));
    std::fs::create_dir_all(&inputs).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    // Product 3 is on sale (10% off 499); product 4 is 50 cents off 599 for a vip.
    encode(
        "storefront.GetQuote",
        r#"{sku: 3, customer: "ada"}"#,
        &inputs.join("quote-sale.bin"),
    );
    encode(
        "storefront.GetQuote",
        r#"{sku: 4, customer: "vip-ada"}"#,
        &inputs.join("quote-vip.bin"),
    );
    encode(
        "storefront.GetQuote",
        r#"{sku: 99}"#,
        &inputs.join("quote-missing.bin"),
    );
    encode(
        "storefront.ListProducts",
        r#"{category: Music, limit: 3}"#,
        &inputs.join("list.bin"),
    );

    let (pricing, catalog) = (free_port(), free_port());
    let config = dir.path().join("weftbuf.toml");
    std::fs::write(
        &config,
        format!(
            "[services.\"storefront.Catalog\"]\nat = \"grpc://127.0.0.1:{catalog}\"\n\
             [services.\"storefront.Pricing\"]\nat = \"grpc://127.0.0.1:{pricing}\"\n"
        ),
    )
    .unwrap();
    let mut servers = Children(Vec::new());
    for component in ["catalog", "pricing"] {
        servers.0.push(
            Command::new(env!("CARGO_BIN_EXE_weftbuf"))
                .arg("demo")
                .arg("--config")
                .arg(&config)
                .args(["--component", component])
                .stdout(Stdio::null())
                .spawn()
                .unwrap(),
        );
    }
    let client = Command::new(&python)
        .arg(script("client.py"))
        .arg(format!("127.0.0.1:{pricing}"))
        .arg(format!("127.0.0.1:{catalog}"))
        .arg(&inputs)
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        client.status.success(),
        "the grpcio client failed: {}",
        String::from_utf8_lossy(&client.stderr)
    );

    let health = std::fs::read_to_string(out.join("health.txt")).unwrap();
    assert_eq!(
        health,
        "(server) SERVING\nstorefront.Pricing SERVING\nstorefront.Nothing NOT_FOUND\n"
    );

    let sale = compact(&decode("storefront.Quote", &out.join("quote-sale.bin")));
    assert!(sale.contains(r#""sku":3"#), "{sale}");
    assert!(sale.contains(r#""units":450"#), "{sale}");
    assert!(sale.contains(r#""discount_type":"PercentOff""#), "{sale}");
    assert!(sale.contains(r#""percent":10"#), "{sale}");
    let vip = compact(&decode("storefront.Quote", &out.join("quote-vip.bin")));
    assert!(vip.contains(r#""units":549"#), "{vip}");
    assert!(vip.contains(r#""discount_type":"AmountOff""#), "{vip}");

    let statuses = std::fs::read_to_string(out.join("statuses.txt")).unwrap();
    let mut lines = statuses.lines();
    assert_eq!(lines.next(), Some("missing NOT_FOUND no product 99"));
    let malformed = lines.next().unwrap();
    assert!(
        malformed.starts_with("malformed INVALID_ARGUMENT"),
        "{malformed}"
    );
    assert!(
        malformed.contains("too short"),
        "the verifier's error: {malformed}"
    );

    // Music is every fourth product from 1: the first three, in order.
    for (i, sku) in [1, 5, 9].into_iter().enumerate() {
        let product = compact(&decode(
            "storefront.Product",
            &out.join(format!("product-{i}.bin")),
        ));
        assert!(product.contains(&format!(r#""sku":{sku}"#)), "{product}");
        assert!(product.contains(r#""category":"Music""#), "{product}");
    }
    assert!(!out.join("product-3.bin").exists());

    for (i, units) in [450, 549].into_iter().enumerate() {
        let quote = compact(&decode(
            "storefront.Quote",
            &out.join(format!("streamed-{i}.bin")),
        ));
        assert!(quote.contains(&format!(r#""units":{units}"#)), "{quote}");
    }
}

#[test]
fn the_rust_client_calls_a_grpcio_server() {
    let Some(python) = python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (inputs, out) = (dir.path().join("in"), dir.path().join("out"));
    std::fs::create_dir_all(&inputs).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    encode(
        "storefront.Quote",
        r#"{sku: 7, price: {units: 700, currency: [85, 83, 68]}, discount_type: PercentOff, discount: {percent: 5}}"#,
        &inputs.join("quote.bin"),
    );
    for i in 0..2 {
        encode(
            "storefront.Product",
            &format!(r#"{{sku: {i}, name: "from python {i}", category: Garden}}"#),
            &inputs.join(format!("product-{i}.bin")),
        );
    }
    let mut server = Command::new(&python)
        .arg(script("server.py"))
        .arg(&inputs)
        .arg(&out)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _server = Children(vec![server]);
    let port: u16 = line
        .trim()
        .strip_prefix("port ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("the grpcio server said {line:?}"));

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let channel = GrpcChannel::lazy(&format!("http://127.0.0.1:{port}")).unwrap();
        let pricing = PricingClient::new(channel.clone());
        let catalog = CatalogClient::new(channel);
        let request = |sku: u64| {
            let mut b = Builder::new();
            let mut q = GetQuoteBuilder::new(&mut b).unwrap();
            q.sku(sku);
            q.customer("ada").unwrap();
            q.finish().unwrap();
            b.into_vec()
        };
        let metadata = |key: &str, value: &str| {
            let mut m = Metadata::new();
            m.insert(key, value).unwrap();
            m
        };

        // A unary call with metadata; the answer verified and read in place.
        let quote = pricing
            .quote(
                Context::new()
                    .with_metadata(metadata("currency", "USD"))
                    .with_timeout(Duration::from_secs(10)),
                &request(7),
            )
            .await
            .unwrap();
        let view = quote.get();
        assert_eq!(view.sku(), 7);
        assert_eq!(view.price().unwrap().units(), 700);
        assert_eq!(&view.price().unwrap().currency(), b"USD");
        // What Python received: our metadata, and a request `weftbuf decode` reads back.
        assert_eq!(
            std::fs::read_to_string(out.join("currency.txt")).unwrap(),
            "USD"
        );
        let received = compact(&decode("storefront.GetQuote", &out.join("request-0.bin")));
        assert!(received.contains(r#""sku":7"#) && received.contains(r#""customer":"ada""#));
        // And what we received, as `weftbuf decode` reads it.
        std::fs::write(dir.path().join("got.bin"), quote.bytes()).unwrap();
        let got = compact(&decode("storefront.Quote", &dir.path().join("got.bin")));
        assert!(got.contains(r#""percent":5"#), "{got}");

        // A status from Python: its code and message.
        let err = pricing
            .quote(
                Context::new().with_metadata(metadata("mode", "fail")),
                &request(1),
            )
            .await
            .unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (Code::NotFound, "no price for you")
        );

        // A deadline Python does not meet: DEADLINE_EXCEEDED, in time.
        let started = Instant::now();
        let err = pricing
            .quote(
                Context::new()
                    .with_metadata(metadata("mode", "slow"))
                    .with_timeout(Duration::from_millis(300)),
                &request(1),
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, Code::DeadlineExceeded, "{err}");
        assert!(started.elapsed() < Duration::from_secs(2));

        // A server stream from Python.
        let mut list = Builder::new();
        ListProductsBuilder::new(&mut list)
            .unwrap()
            .finish()
            .unwrap();
        let mut products = catalog.list(Context::new(), list.as_bytes()).await.unwrap();
        let mut names = Vec::new();
        while let Some(product) = products.next().await {
            names.push(product.unwrap().get().name().to_string());
        }
        assert_eq!(names, ["from python 0", "from python 1"]);

        // A bidi stream with Python.
        let (mut sender, mut quotes) = pricing.quote_each(Context::new()).await.unwrap();
        for sku in [1, 2] {
            sender.send_bytes(request(sku)).await.unwrap();
        }
        sender.close();
        let mut answered = 0;
        while let Some(quote) = quotes.next().await {
            assert_eq!(quote.unwrap().get().sku(), 7);
            answered += 1;
        }
        assert_eq!(answered, 2);
    });
}
