//! weftbuf's message runtime against FlatBuffers, on the `log` and `mesh` datasets.
//!
//! Per dataset, three groups (`<dataset>-build`, `-verify`, `-read`), each holding weftbuf and
//! FlatBuffers side by side; every benchmark's throughput is the size of the message it works
//! on (the memcpy floor's is weftbuf's). In `-verify` and `-read`, `weftbuf-fb` is weftbuf's
//! FlatBuffers reader (`verify_flatbuffer`, then the same views) on the very bytes the
//! `flatbuffers` benchmark reads. `scripts/bench` runs this once and `scripts/bench_report.py`
//! turns criterion's estimates into `docs/benchmarks.md`.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput};
use flatbuffers::FlatBufferBuilder;
use weftbuf::message::{Builder, Limits, Value, encode, encode_into, verify};
use weftbuf_benches::data::{log_entries, mesh_checksum, mesh_triangles};
use weftbuf_benches::{Compiled, Error, log, mesh};

/// Records in the `log` dataset and triangles in the `mesh` dataset (as in
/// rust_serialization_benchmark).
const LOG_ENTRIES: usize = 10_000;
const MESH_TRIANGLES: usize = 125_000;
/// The datasets' seed: fixed, so every run measures the same bytes.
const SEED: u64 = 0x7765_6674_6275_6621;

/// Stops the run with a message when setting up fails: a benchmark of wrong bytes is worse
/// than none.
fn or_exit<T>(result: Result<T, Error>, what: &str) -> T {
    match result {
        Ok(value) => value,
        Err(e) => {
            eprintln!("benchmark setup failed: {what}: {e}");
            std::process::exit(1)
        }
    }
}

fn check<T: PartialEq + std::fmt::Debug>(what: &str, found: T, expected: T) {
    if found != expected {
        eprintln!("benchmark setup failed: {what} read {found:?}, expected {expected:?}");
        std::process::exit(1);
    }
}

fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    // Iterations take from microseconds to tens of milliseconds: the same iteration count in
    // every sample keeps the long ones within the time budget.
    g.sampling_mode(SamplingMode::Flat);
    g
}

/// The same dataset encoded by weftbuf and by FlatBuffers.
struct Messages {
    weft: Vec<u8>,
    flat: Vec<u8>,
}

/// The build, verify and memcpy benchmarks that both datasets share.
fn build_and_verify(
    c: &mut Criterion,
    name: &str,
    compiled: &Compiled,
    value: &Value,
    flat_build: &mut dyn FnMut(&mut FlatBufferBuilder<'static>) -> usize,
    messages: &Messages,
    flat_verify: fn(&[u8]) -> bool,
) {
    let (schema, layout, root) = (&compiled.schema, &compiled.layout, compiled.root);
    let weft_size = messages.weft.len() as u64;
    let flat_size = messages.flat.len() as u64;
    eprintln!("{name}: weftbuf {weft_size} bytes, FlatBuffers {flat_size} bytes");

    let mut g = group(c, &format!("{name}-build"));
    g.throughput(Throughput::Bytes(weft_size));
    // Into a buffer reused from one message to the next, as FlatBuffers' builder is reused.
    let mut scratch = vec![0u8; messages.weft.len()];
    g.bench_function("weftbuf", |b| {
        b.iter(|| {
            let built = Builder::in_slice(&mut scratch).and_then(|mut builder| {
                encode_into(schema, layout, root, black_box(value), &mut builder)?;
                Ok(builder.len())
            });
            black_box(built)
        })
    });
    // `encode`: a fresh growable buffer per message.
    g.bench_function("weftbuf-alloc", |b| {
        b.iter(|| black_box(encode(schema, layout, root, black_box(value))))
    });
    g.throughput(Throughput::Bytes(flat_size));
    let mut fbb = FlatBufferBuilder::with_capacity(messages.flat.len());
    g.bench_function("flatbuffers", |b| {
        b.iter(|| black_box(flat_build(&mut fbb)))
    });
    g.finish();

    let mut g = group(c, &format!("{name}-verify"));
    g.throughput(Throughput::Bytes(weft_size));
    g.bench_function("memcpy", |b| {
        b.iter(|| {
            scratch.copy_from_slice(black_box(&messages.weft));
            black_box(&scratch);
        })
    });
    let limits = Limits::default();
    g.bench_function("weftbuf", |b| {
        b.iter(|| {
            black_box(verify(schema, layout, root, black_box(&messages.weft), &limits).is_ok())
        })
    });
    g.throughput(Throughput::Bytes(flat_size));
    g.bench_function("flatbuffers", |b| {
        b.iter(|| black_box(flat_verify(black_box(&messages.flat))))
    });
    // weftbuf's FlatBuffers verifier on the same bytes.
    g.bench_function("weftbuf-fb", |b| {
        b.iter(|| {
            black_box(
                compiled
                    .verify_flatbuffer(black_box(&messages.flat))
                    .is_ok(),
            )
        })
    });
    g.finish();
}

fn bench_log(c: &mut Criterion) {
    let entries = log_entries(LOG_ENTRIES, SEED);
    let expected = entries
        .iter()
        .fold(0u64, |sum, e| sum.wrapping_add(e.checksum()));
    let weft = or_exit(log::Weft::new(), "compiling log.fbs");
    let value = weft.value(&entries);
    let compiled = &weft.compiled;
    let weft_bytes = or_exit(
        encode(&compiled.schema, &compiled.layout, compiled.root, &value).map_err(Into::into),
        "encoding the log dataset",
    );
    let mut fbb = FlatBufferBuilder::new();
    let flat_bytes = log::flat_build(&mut fbb, &entries).to_vec();
    check(
        "weftbuf (log)",
        or_exit(weft.read(&weft_bytes), "reading weftbuf"),
        expected,
    );
    check(
        "FlatBuffers (log)",
        or_exit(log::flat_read(&flat_bytes), "reading FlatBuffers"),
        expected,
    );
    check(
        "weftbuf's FlatBuffers reader (log)",
        or_exit(
            weft.read_flatbuffer(&flat_bytes),
            "reading FlatBuffers with weftbuf",
        ),
        expected,
    );
    let messages = Messages {
        weft: weft_bytes,
        flat: flat_bytes,
    };

    build_and_verify(
        c,
        "log",
        compiled,
        &value,
        &mut |fbb| log::flat_build(fbb, &entries).len(),
        &messages,
        |bytes| log::flat_verify(bytes).is_ok(),
    );

    let mut g = group(c, "log-read");
    g.throughput(Throughput::Bytes(messages.weft.len() as u64));
    g.bench_function("weftbuf", |b| {
        b.iter(|| black_box(weft.read(black_box(&messages.weft)).ok()))
    });
    g.throughput(Throughput::Bytes(messages.flat.len() as u64));
    g.bench_function("flatbuffers", |b| {
        b.iter(|| black_box(log::flat_read(black_box(&messages.flat)).ok()))
    });
    g.bench_function("weftbuf-fb", |b| {
        b.iter(|| black_box(weft.read_flatbuffer(black_box(&messages.flat)).ok()))
    });
    g.finish();
}

fn bench_mesh(c: &mut Criterion) {
    let triangles = mesh_triangles(MESH_TRIANGLES, SEED);
    let expected = mesh_checksum(&triangles);
    let weft = or_exit(mesh::Weft::new(), "compiling mesh.fbs");
    let value = weft.value(&triangles);
    let compiled = &weft.compiled;
    let weft_bytes = or_exit(
        encode(&compiled.schema, &compiled.layout, compiled.root, &value).map_err(Into::into),
        "encoding the mesh dataset",
    );
    let mut fbb = FlatBufferBuilder::new();
    let flat_bytes = mesh::flat_build(&mut fbb, &triangles).to_vec();
    check(
        "weftbuf (mesh)",
        or_exit(weft.read(&weft_bytes), "reading weftbuf").to_bits(),
        expected.to_bits(),
    );
    check(
        "weftbuf as_slice (mesh)",
        or_exit(weft.read_slice(&weft_bytes), "reading weftbuf").to_bits(),
        expected.to_bits(),
    );
    check(
        "FlatBuffers (mesh)",
        or_exit(mesh::flat_read(&flat_bytes), "reading FlatBuffers").to_bits(),
        expected.to_bits(),
    );
    check(
        "weftbuf's FlatBuffers reader (mesh)",
        or_exit(
            weft.read_flatbuffer(&flat_bytes),
            "reading FlatBuffers with weftbuf",
        )
        .to_bits(),
        expected.to_bits(),
    );
    let messages = Messages {
        weft: weft_bytes,
        flat: flat_bytes,
    };

    build_and_verify(
        c,
        "mesh",
        compiled,
        &value,
        &mut |fbb| mesh::flat_build(fbb, &triangles).len(),
        &messages,
        |bytes| mesh::flat_verify(bytes).is_ok(),
    );

    let mut g = group(c, "mesh-read");
    g.throughput(Throughput::Bytes(messages.weft.len() as u64));
    g.bench_function("weftbuf", |b| {
        b.iter(|| black_box(weft.read(black_box(&messages.weft)).ok()))
    });
    g.bench_function("weftbuf-slice", |b| {
        b.iter(|| black_box(weft.read_slice(black_box(&messages.weft)).ok()))
    });
    g.throughput(Throughput::Bytes(messages.flat.len() as u64));
    g.bench_function("flatbuffers", |b| {
        b.iter(|| black_box(mesh::flat_read(black_box(&messages.flat)).ok()))
    });
    g.bench_function("weftbuf-fb", |b| {
        b.iter(|| black_box(weft.read_flatbuffer(black_box(&messages.flat)).ok()))
    });
    g.finish();
}

/// The time budget: the whole run (21 benchmarks) stays within a few minutes on 2 cores.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .sample_size(30)
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = bench_log, bench_mesh
}
criterion::criterion_main!(benches);
