//! Round trips between two processes, per transport, with payloads of 64 B, 4 KiB and 1 MiB
//! (`bench.Blob`: an id and a byte vector; the server answers the id plus the payload's
//! length, reading the payload where it lies):
//!
//! - `weftbuf-shm`: weftbuf's shared memory; the request built in its slot (the payload
//!   copied in from the caller's buffer on every call, as the peers copy theirs), the response
//!   read in place;
//! - `weftbuf-shm-in-place`: the same, the payload produced where it is sent from
//!   (`payload_in_place`): the caller writes only its first and last 8 bytes, standing for a
//!   producer that writes it there anyway, so what is left is what the transport costs;
//! - `iceoryx2`: iceoryx2 0.10 request-response (`[u8]` requests loaned and written in place,
//!   `u64` responses), both sides polling, as iceoryx2's own benchmarks do;
//! - `unix-socket`: the bytes written to a Unix stream socket and read out of it (copied);
//! - `weftbuf-grpc`: weftbuf over gRPC on loopback.
//!
//! Each server is a process of its own (this program again). Besides criterion's estimates,
//! every call is timed, and the 50th and 99th percentiles go to
//! `$CARGO_TARGET_DIR/criterion/weftbuf-shm-percentiles.json` for the report.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    missing_docs,
    reason = "benchmark setup fails loudly"
)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use criterion::Criterion;
use std::sync::Arc;
use weftbuf_rt::Builder;

use weftbuf_rpc::{Channel, Context, Status};

#[allow(unused_imports, dead_code, unreachable_pub, missing_docs, clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/echo/echo.rs"));
}

use generated::bench::{Blob, BlobBuilder, EchoClient, EchoServer, EchoService};

/// Set in a server process: what it serves, and where.
const ROLE: &str = "WEFTBUF_BENCH_SHM_SERVER";

const SIZES: [(&str, usize); 3] = [("64B", 64), ("4KiB", 4096), ("1MiB", 1 << 20)];

/// Answers the id plus the payload's length.
struct Echo;

impl EchoService for Echo {
    async fn echo(
        &self,
        _ctx: &Context,
        request: Blob<'_>,
        response: &mut Builder<'static>,
    ) -> Result<(), Status> {
        let len = request.payload().map_or(0, |p| p.len()) as u64;
        let mut blob = BlobBuilder::new(response)?;
        blob.id(request.id() + len);
        blob.finish()?;
        Ok(())
    }
}

fn geometry() -> weftbuf_rpc::shm::Geometry {
    weftbuf_rpc::shm::Geometry {
        slot_size: (1 << 20) + 64 * 1024,
        slots: 4,
    }
}

/// The server side of `role` (`<transport>:<where>`): serves until killed.
fn serve(role: &str) {
    let (transport, at) = role.split_once(':').unwrap();
    match transport {
        "shm" | "grpc" => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                if transport == "shm" {
                    let address = weftbuf_rpc::shm::Address::new(at.as_ref());
                    let listener = weftbuf_rpc::shm::Listener::bind(&address).unwrap();
                    println!("ready");
                    weftbuf_rpc::shm::Server::new()
                        .geometry(geometry())
                        .serve(EchoServer(Echo))
                        .run_on(listener, std::future::pending())
                        .await
                        .unwrap();
                } else {
                    let listener = tokio::net::TcpListener::bind(at).await.unwrap();
                    println!("ready");
                    weftbuf_rpc::grpc::Server::new()
                        .max_decoding_message_size(8 << 20)
                        .serve(EchoServer(Echo))
                        .run_on(listener, std::future::pending())
                        .await
                        .unwrap();
                }
            });
        }
        "iceoryx2" => iceoryx2_server(at),
        _ => unix_socket_server(at),
    }
}

fn iceoryx2_server(name: &str) {
    use iceoryx2::prelude::*;
    let node = NodeBuilder::new().create::<ipc::Service>().unwrap();
    let service = node
        .service_builder(&name.try_into().unwrap())
        .request_response::<[u8], u64>()
        .open_or_create()
        .unwrap();
    let server = service.server_builder().create().unwrap();
    println!("ready");
    loop {
        match server.receive().unwrap() {
            Some(request) => {
                let len = request.payload().len() as u64;
                let response = request.loan_uninit().unwrap();
                response.write_payload(len).send().unwrap();
            }
            None => std::hint::spin_loop(),
        }
    }
}

fn unix_socket_server(path: &str) {
    let listener = UnixListener::bind(path).unwrap();
    println!("ready");
    let (mut stream, _) = listener.accept().unwrap();
    let mut buffer = vec![0u8; 2 << 20];
    loop {
        let mut len = [0u8; 4];
        if stream.read_exact(&mut len).is_err() {
            return;
        }
        let len = u32::from_le_bytes(len) as usize;
        stream.read_exact(&mut buffer[..len]).unwrap();
        stream.write_all(&(len as u64).to_le_bytes()).unwrap();
    }
}

/// A server process, killed when dropped.
struct Server(Child);

impl Server {
    fn start(role: &str) -> Server {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(ROLE, role)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the {role} server did not start");
        Server(child)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every call's time of each benchmark: (size, transport) -> durations.
type Samples = BTreeMap<(String, String), Vec<Duration>>;

/// Benchmarks `call` as `size`/`transport`, keeping each call's time.
fn bench(
    c: &mut Criterion,
    samples: &mut Samples,
    size: &str,
    transport: &str,
    mut call: impl FnMut(u64),
) {
    let kept = samples
        .entry((size.to_string(), transport.to_string()))
        .or_default();
    c.benchmark_group(format!("shm-round-trip/{size}"))
        .bench_function(transport, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for i in 0..iters {
                    let started = Instant::now();
                    call(i);
                    let took = started.elapsed();
                    kept.push(took);
                    total += took;
                }
                total
            })
        });
}

/// Like [`bench`], for an async `call`: every call of a sample runs within one `block_on` of
/// `runtime`, as an async application's calls do.
fn bench_async<F: Future<Output = ()>>(
    c: &mut Criterion,
    samples: &mut Samples,
    size: &str,
    transport: &str,
    runtime: &tokio::runtime::Runtime,
    call: impl Fn(u64) -> F,
) {
    let kept = samples
        .entry((size.to_string(), transport.to_string()))
        .or_default();
    c.benchmark_group(format!("shm-round-trip/{size}"))
        .bench_function(transport, |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let mut total = Duration::ZERO;
                    for i in 0..iters {
                        let started = Instant::now();
                        call(i).await;
                        let took = started.elapsed();
                        kept.push(took);
                        total += took;
                    }
                    total
                })
            })
        });
}

fn main() {
    if let Ok(role) = std::env::var(ROLE) {
        serve(&role);
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    let mut samples = Samples::new();
    let pid = std::process::id();
    let dir = tempfile_dir(pid);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let payloads: Vec<(&str, Vec<u8>)> = SIZES
        .iter()
        .map(|&(label, size)| (label, vec![0x5Au8; size]))
        .collect();
    // One transport at a time, its server running only meanwhile: a server that polls
    // (iceoryx2's does, always) must not take a core from the others' benchmarks.
    async fn echo(client: &EchoClient<Arc<dyn Channel>>, payload: &[u8], i: u64) {
        let reply = client
            .echo_with(Context::new(), |b| {
                let mut blob = BlobBuilder::new(b)?;
                blob.id(i);
                blob.payload(payload)?;
                blob.finish()?;
                Ok(())
            })
            .await
            .unwrap();
        assert_eq!(reply.get().id(), i + payload.len() as u64);
    }

    async fn echo_in_place(client: &EchoClient<Arc<dyn Channel>>, len: usize, i: u64) {
        let reply = client
            .echo_with(Context::new(), |b| {
                let mut blob = BlobBuilder::new(b)?;
                blob.id(i);
                let payload = blob.payload_in_place(len)?;
                let edge = len.min(8);
                payload[..edge].fill(0x5A);
                payload[len - edge..].fill(0x5A);
                blob.finish()?;
                Ok(())
            })
            .await
            .unwrap();
        assert_eq!(reply.get().id(), i + len as u64);
    }

    // weftbuf over shared memory.
    {
        let socket = dir.join("echo.sock");
        let _server = Server::start(&format!("shm:{}", socket.display()));
        let shm: EchoClient<Arc<dyn Channel>> = EchoClient::new(Arc::new(
            weftbuf_rpc::shm::ShmChannel::new(weftbuf_rpc::shm::Address::new(&socket)),
        ) as Arc<dyn Channel>);
        for (label, payload) in &payloads {
            bench_async(&mut c, &mut samples, label, "weftbuf-shm", &runtime, |i| {
                echo(&shm, payload, i)
            });
            let len = payload.len();
            bench_async(
                &mut c,
                &mut samples,
                label,
                "weftbuf-shm-in-place",
                &runtime,
                |i| echo_in_place(&shm, len, i),
            );
        }
    }
    // iceoryx2.
    {
        let name = format!("weftbuf/bench/echo/{pid}");
        let _server = Server::start(&format!("iceoryx2:{name}"));
        let node = {
            use iceoryx2::prelude::*;
            NodeBuilder::new().create::<ipc::Service>().unwrap()
        };
        let service = node
            .service_builder(&name.as_str().try_into().unwrap())
            .request_response::<[u8], u64>()
            .open_or_create()
            .unwrap();
        let client = service
            .client_builder()
            .initial_max_slice_len(1 << 20)
            .create()
            .unwrap();
        for (label, payload) in &payloads {
            bench(&mut c, &mut samples, label, "iceoryx2", |_| {
                let request = client
                    .loan_slice_uninit(payload.len())
                    .unwrap()
                    .write_from_slice(payload);
                let pending = request.send().unwrap();
                loop {
                    if let Some(response) = pending.receive().unwrap() {
                        assert_eq!(*response.payload(), payload.len() as u64);
                        break;
                    }
                    std::hint::spin_loop();
                }
            });
        }
    }
    // A Unix socket, copying.
    {
        let path = dir.join("unix.sock");
        let _server = Server::start(&format!("unix:{}", path.display()));
        let mut unix = UnixStream::connect(&path).unwrap();
        for (label, payload) in &payloads {
            bench(&mut c, &mut samples, label, "unix-socket", |_| {
                unix.write_all(&(payload.len() as u32).to_le_bytes())
                    .unwrap();
                unix.write_all(payload).unwrap();
                let mut answer = [0u8; 8];
                unix.read_exact(&mut answer).unwrap();
                assert_eq!(u64::from_le_bytes(answer), payload.len() as u64);
            });
        }
    }
    // weftbuf over gRPC on loopback.
    {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let _server = Server::start(&format!("grpc:127.0.0.1:{port}"));
        let grpc: EchoClient<Arc<dyn Channel>> = runtime.block_on(async {
            EchoClient::new(Arc::new(
                weftbuf_rpc::grpc::GrpcChannel::builder(&format!("http://127.0.0.1:{port}"))
                    .unwrap()
                    .max_encoding_message_size(8 << 20)
                    .connect()
                    .await
                    .unwrap(),
            ) as Arc<dyn Channel>)
        });
        for (label, payload) in &payloads {
            bench_async(&mut c, &mut samples, label, "weftbuf-grpc", &runtime, |i| {
                echo(&grpc, payload, i)
            });
        }
    }
    c.final_summary();
    write_percentiles(&samples);
    let _ = std::fs::remove_dir_all(dir);
}

/// A folder of this run's own for the sockets.
fn tempfile_dir(pid: u32) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("weftbuf-bench-shm-{pid}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The 50th and 99th percentile of every benchmark, as JSON beside criterion's estimates.
fn write_percentiles(samples: &Samples) {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let dir = std::path::Path::new(&target).join("criterion");
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let mut rows = Vec::new();
    for ((size, transport), times) in samples {
        let mut times = times.clone();
        if times.is_empty() {
            continue;
        }
        times.sort();
        let at = |p: f64| times[((times.len() - 1) as f64 * p) as usize].as_nanos();
        rows.push(format!(
            "{{\"size\": \"{size}\", \"transport\": \"{transport}\", \"p50_ns\": {}, \"p99_ns\": {}, \"calls\": {}}}",
            at(0.5),
            at(0.99),
            times.len()
        ));
    }
    let _ = std::fs::write(
        dir.join("weftbuf-shm-percentiles.json"),
        format!("[\n{}\n]\n", rows.join(",\n")),
    );
}
