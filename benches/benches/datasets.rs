//! The rust_serialization_benchmark datasets through every peer of `weftbuf_benches::peers`.
//!
//! Per dataset (`log`, `mesh`, `minecraft_savedata`, `mk48`) and operation (`serialize`,
//! `access`, `read`, `update`), one criterion group `<dataset>/<operation>` holds one benchmark
//! per peer that implements the operation, with the peer's name as its id. Every benchmark that
//! works on a message has that message's size as its throughput (the report's size column).
//! Before measuring, `weftbuf_benches::prepare` checks that every peer reads the dataset's
//! checksum (and the updated data's after an update). `scripts/bench` runs this once and
//! `scripts/bench_report.py` turns criterion's estimates into `docs/benchmarks.md`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput};
use weftbuf_benches::data::minecraft_savedata::MinecraftSavedata;
use weftbuf_benches::data::mk48::Mk48;
use weftbuf_benches::data::{Log, Mesh};
use weftbuf_benches::peers::{Op, Peers};
use weftbuf_benches::prepare;

/// The datasets' seed: fixed, so every run measures the same data.
const SEED: u64 = 0x7765_6674_6275_6621;

/// Measures every operation of every peer of dataset `D`.
fn bench<D: Peers>(c: &mut Criterion) {
    let data = D::generate(D::COUNT, SEED);
    let mut peers = match prepare::<D>(&data) {
        Ok(peers) => peers,
        Err(e) => {
            // A benchmark of wrong bytes is worse than none.
            eprintln!("benchmark setup failed: {e}");
            std::process::exit(1)
        }
    };
    for peer in &peers {
        if let (true, Some(message)) = (peer.ops().contains(&Op::Serialize), peer.message()) {
            eprintln!("{}: {} {} bytes", D::NAME, peer.name(), message.len());
        }
    }
    for op in Op::ALL {
        for peer in &mut peers {
            if !peer.ops().contains(&op) {
                continue;
            }
            let name = peer.name();
            let mut g = c.benchmark_group(format!("{}/{op}", D::NAME));
            // Iterations take from nanoseconds to tens of milliseconds: the same iteration
            // count in every sample keeps the long ones within the time budget.
            g.sampling_mode(SamplingMode::Flat);
            if let Some(message) = peer.message() {
                g.throughput(Throughput::Bytes(message.len() as u64));
            }
            match op {
                Op::Serialize => g.bench_function(name, |b| {
                    b.iter(|| black_box(peer.serialize(black_box(&data)).ok()))
                }),
                Op::Access => g.bench_function(name, |b| {
                    b.iter(|| black_box(black_box(&*peer).access().is_ok()))
                }),
                Op::Read => g.bench_function(name, |b| {
                    b.iter(|| black_box(black_box(&*peer).read().ok()))
                }),
                Op::Update => g.bench_function(name, |b| {
                    b.iter(|| black_box(black_box(&mut *peer).update().is_ok()))
                }),
            };
            g.finish();
        }
    }
}

/// The time budget: about 70 benchmarks of 4 s each, about 5 minutes on 2 cores.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = bench::<Log>, bench::<Mesh>, bench::<MinecraftSavedata>, bench::<Mk48>
}
criterion::criterion_main!(benches);
