//! FlatBuffers interop at scale: a seeded document of `schemas/everything.fbs` whose flatc-built
//! binary is over 10 MB (tens of thousands of tables with strings, thousands of unions of every
//! member kind, large scalar vectors, a deep `Branch` chain, a nested buffer). flatc builds the
//! binary; weftbuf verifies it, reads it as flatc reads it, and transcodes it to a weftbuf
//! message and back to FlatBuffers, which flatc reads back to the same data.
//!
//! The times of verification and of both transcodings, the sizes and the process's peak
//! memory are printed (run with `--nocapture` to see them); none is asserted, so a slow or
//! shared machine cannot fail the test.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::flatc_run::{flatc_binary, flatc_read};
use common::json_compare::json_differences;
use weftbuf::flatbuffers::{
    Framing, WriteOptions, flatbuffer_to_message, message_to_flatbuffer, verify_flatbuffer,
};
use weftbuf::json::{JsonOptions, to_json};
use weftbuf::layout::Layout;
use weftbuf::message::{Limits, Reader};

/// The smallest flatc-built binary the test accepts: the point is a large buffer.
const MIN_BINARY: usize = 10 * 1024 * 1024;
const SEED: u64 = 0x5eed_f1a7_b0ff_e125;

// What the document holds.
const LEAVES: usize = 80_000;
const PAYLOADS_PER_KIND: usize = 1_500;
const TEXTS: usize = 30_000;
const LONGS: usize = 500_000;
const DOUBLES: usize = 200_000;
const BYTES: usize = 1_000_000;
const SMALL_VECTORS: usize = 10_000;
const ALIGNEDS: usize = 2_000;
/// `Branch.next` levels under `Everything.branch` (the verifiers allow 64 levels of nesting).
const CHAIN: usize = 24;

/// SplitMix64: a small seeded generator, the same document on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Pieces of string contents, as JSON text: ASCII words, two- to four-byte UTF-8 (as
/// characters and as `\u` escapes, a surrogate pair included), quotes, backslashes and
/// control characters.
const PIECES: &[&str] = &[
    "leaf",
    "branch",
    "-",
    "weft",
    "warp",
    "x",
    "0123456789",
    " ",
    "é",
    "ß",
    "漢字",
    "🦀",
    "\\u00e9",
    "\\ud83e\\udd80",
    "\\\"",
    "\\\\",
    "\\n",
    "\\t",
    "\\u0001",
    "/",
    "ü",
    "Ωmega",
];

/// A JSON string literal of `min..=max` pieces.
fn string(rng: &mut Rng, out: &mut String, min: u64, max: u64) {
    out.push('"');
    for _ in 0..min + rng.below(max - min + 1) {
        out.push_str(rng.pick(PIECES));
    }
    out.push('"');
}

/// A `Leaf`: `id` given (keys of one vector increase), name and flags often present.
fn leaf(rng: &mut Rng, out: &mut String, id: u64) {
    write!(out, "{{id: {id}").unwrap();
    if rng.chance(90) {
        out.push_str(", name: ");
        string(rng, out, 1, 6);
    }
    if rng.chance(70) {
        let flags = rng.pick(&["\"A\"", "\"B C\"", "\"A B C H\"", "\"H\"", "0", "3", "133"]);
        write!(out, ", flags: {flags}").unwrap();
    }
    out.push('}');
}

/// A vector of `n` leaves with increasing ids.
fn leaves(rng: &mut Rng, out: &mut String, n: usize) {
    out.push('[');
    let mut id = rng.below(4);
    for i in 0..n {
        if i > 0 {
            out.push_str(",\n");
        }
        leaf(rng, out, id);
        id += 1 + rng.below(5);
    }
    out.push(']');
}

fn small(rng: &mut Rng, out: &mut String) {
    let a = rng.next() as i8;
    let b = rng.next() as u16;
    write!(out, "{{a: {a}, b: {b}}}").unwrap();
}

fn kind(rng: &mut Rng) -> &'static str {
    rng.pick(&["\"Zero\"", "\"One\"", "\"Two\"", "\"Many\"", "7", "-3"])
}

fn aligned(rng: &mut Rng, out: &mut String) {
    let x = (rng.next() as i64 >> 20) as f64 / 1024.0;
    write!(out, "{{x: {x:?}, small: ").unwrap();
    small(rng, out);
    let kinds = [kind(rng), kind(rng), kind(rng)];
    write!(out, ", kinds: [{}], grid: [", kinds.join(", ")).unwrap();
    small(rng, out);
    out.push_str(", ");
    small(rng, out);
    out.push_str("]}");
}

/// A `Branch` with a few leaves and `depth` levels of `next` under it.
fn branch(rng: &mut Rng, out: &mut String, depth: usize, leaf_count: usize) {
    out.push_str("{label: ");
    string(rng, out, 1, 3);
    if leaf_count > 0 {
        out.push_str(", leaves: ");
        leaves(rng, out, leaf_count);
    }
    if depth > 0 {
        out.push_str(", next: ");
        branch(rng, out, depth - 1, leaf_count);
    }
    out.push('}');
}

/// A double as JSON text. flatc prints doubles in fixed notation with a limited number of
/// decimals, so it would print a tiny magnitude such as `1e-300` as `0`: the document keeps to
/// magnitudes flatc's JSON shows, which weftbuf then must read exactly as flatc does.
fn double(rng: &mut Rng) -> String {
    match rng.below(1000) {
        0 => "nan".into(),
        1 => "inf".into(),
        2 => "-inf".into(),
        3 => "-0.0".into(),
        4 => "1e300".into(),
        5 => "2.5e-7".into(),
        _ => format!("{:?}", (rng.next() as i64 >> 11) as f64 / 1e6),
    }
}

/// A comma-separated list of `n` items written by `item`.
fn list(out: &mut String, n: usize, mut item: impl FnMut(&mut String)) {
    out.push('[');
    for i in 0..n {
        if i > 0 {
            out.push_str(if i % 16 == 0 { ",\n" } else { ", " });
        }
        item(out);
    }
    out.push(']');
}

/// The whole document, in flatc's JSON dialect.
fn document(seed: u64) -> String {
    let mut rng = Rng(seed);
    let rng = &mut rng;
    let mut out = String::with_capacity(40 << 20);
    out.push_str(
        "{\n  b: false, i8: -7, u8: 200, i16: 1234, u16: 65000, i32: -2000000000, \
         u32: 4000000000, i64: -9223372036854775807, u64: 18446744073709551615, f32: 0.75, \
         f64: -1e300, kind: \"One\", flags: \"A H\", maybe_i32: -1, maybe_f64: 2.5, \
         maybe_kind: \"Zero\", small: {a: -128, b: 65535},\n  aligned: ",
    );
    aligned(rng, &mut out);
    out.push_str(",\n  must: {a: 127, b: 0}, text: ");
    string(rng, &mut out, 10, 40);
    out.push_str(",\n  leaf: ");
    leaf(rng, &mut out, 42);
    out.push_str(",\n  branch: ");
    branch(rng, &mut out, CHAIN, 100);
    out.push_str(",\n  payload_type: \"Branch\", payload: ");
    branch(rng, &mut out, 3, 5);

    // Every member kind, shuffled: table, table, struct, string.
    let mut kinds: Vec<u8> = (0..4 * PAYLOADS_PER_KIND).map(|i| (i % 4) as u8).collect();
    for i in (1..kinds.len()).rev() {
        kinds.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let names = ["\"Leaf\"", "\"Branch\"", "\"Small\"", "\"Text\""];
    out.push_str(",\n  payloads_type: ");
    list(&mut out, kinds.len(), |out| {
        out.push_str(names[usize::from(kinds[0])]);
        kinds.rotate_left(1);
    });
    out.push_str(",\n  payloads: ");
    list(&mut out, kinds.len(), |out| {
        match kinds[0] {
            0 => {
                let id = rng.below(1 << 32);
                leaf(rng, out, id);
            }
            1 => {
                let (depth, count) = (rng.below(3) as usize, rng.below(6) as usize);
                branch(rng, out, depth, count);
            }
            2 => small(rng, out),
            _ => string(rng, out, 0, 12),
        }
        kinds.rotate_left(1);
    });

    out.push_str(",\n  bytes: ");
    list(&mut out, BYTES, |out| {
        write!(out, "{}", rng.next() as u8).unwrap();
    });
    out.push_str(",\n  longs: ");
    list(&mut out, LONGS, |out| {
        let v = match rng.below(500) {
            0 => i64::MIN,
            1 => i64::MAX,
            2 => 0,
            // Small and large magnitudes alike.
            _ => (rng.next() as i64) >> rng.below(64),
        };
        write!(out, "{v}").unwrap();
    });
    out.push_str(",\n  doubles: ");
    list(&mut out, DOUBLES, |out| out.push_str(&double(rng)));
    out.push_str(",\n  bools: ");
    list(&mut out, SMALL_VECTORS, |out| {
        out.push_str(if rng.chance(50) { "true" } else { "false" });
    });
    out.push_str(",\n  kinds: ");
    list(&mut out, SMALL_VECTORS, |out| out.push_str(kind(rng)));
    out.push_str(",\n  texts: ");
    list(&mut out, TEXTS, |out| string(rng, out, 0, 8));
    out.push_str(",\n  smalls: ");
    list(&mut out, SMALL_VECTORS, |out| small(rng, out));
    out.push_str(",\n  aligneds: ");
    list(&mut out, ALIGNEDS, |out| aligned(rng, out));
    out.push_str(",\n  leaves: ");
    leaves(rng, &mut out, LEAVES);
    out.push_str(",\n  nested: {must: {a: 1, b: 2}, text: \"inner\", longs: [1, 2, 3], branch: ");
    branch(rng, &mut out, 4, 3);
    out.push_str(
        ", payloads_type: [\"Text\", \"Small\"], payloads: [\"in\", {a: 1, b: 1}], leaves: ",
    );
    leaves(rng, &mut out, 50);
    out.push_str("},\n  last: 9\n}\n");
    out
}

/// The process's peak resident memory so far (`VmHWM`), in kB, where Linux reports it.
fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mb(bytes: usize) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let out = f();
    (out, started.elapsed())
}

#[test]
fn a_ten_megabyte_flatbuffer_reads_and_round_trips_as_flatc_reads_it() {
    let Some(flatc) = common::flatc() else { return };
    let Some(_) = common::corpus() else { return };
    let peak_before = peak_memory_kb();
    let schema_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas/everything.fbs");
    let schema = common::corpus_compiler().compile(&[&schema_path]).unwrap();
    let layout = Layout::new(&schema).unwrap();
    let root = schema.root_table.unwrap();

    let (json, generate) = timed(|| document(SEED));
    let dir = tempfile::tempdir().unwrap();
    let json_path = common::write_file(dir.path(), "scale.json", &json);
    let json_len = json.len();
    drop(json);
    let (original, flatc_build) = timed(|| flatc_binary(&flatc, &schema_path, &json_path, &[]));
    assert!(
        original.len() >= MIN_BINARY,
        "flatc's binary is only {} bytes: the document needs more data",
        original.len()
    );
    let peak_before_weftbuf = peak_memory_kb();

    let (verified, verify_time) = timed(|| {
        verify_flatbuffer(
            &schema,
            &layout,
            root,
            &original,
            Framing::default(),
            &Limits::default(),
        )
        .unwrap_or_else(|e| panic!("flatc's binary does not verify: {e}"))
    });
    let (ours, to_json_time) = timed(|| {
        let view = Reader::new(&schema, &layout, verified).root(root).unwrap();
        to_json(&view, JsonOptions { defaults: true }).unwrap()
    });
    let (message, to_weftbuf) = timed(|| {
        flatbuffer_to_message(&schema, &layout, root, &original, Framing::default())
            .unwrap_or_else(|e| panic!("FlatBuffers -> weftbuf: {e}"))
    });
    let (back, to_flatbuffers) = timed(|| {
        message_to_flatbuffer(&schema, &layout, root, &message, WriteOptions::default())
            .unwrap_or_else(|e| panic!("weftbuf -> FlatBuffers: {e}"))
    });
    let peak_weftbuf = peak_memory_kb();

    let (expected, flatc_reads) = timed(|| {
        (
            flatc_read(&flatc, &schema_path, &original, &[]),
            flatc_read(&flatc, &schema_path, &back, &[]),
        )
    });
    let (expected, flatc_back) = expected;
    let (differences, compare) = timed(|| {
        let mut all: Vec<String> = json_differences(&expected, &ours)
            .into_iter()
            .map(|d| format!("weftbuf's reading of flatc's binary: {d}"))
            .collect();
        all.extend(
            json_differences(&expected, &flatc_back)
                .into_iter()
                .map(|d| {
                    format!("flatc's reading after FlatBuffers -> weftbuf -> FlatBuffers: {d}")
                }),
        );
        all
    });
    let peak_after = peak_memory_kb();

    let mib = |k: Option<u64>| {
        k.map_or("n/a".to_string(), |k| {
            format!("{:.1} MiB", k as f64 / 1024.0)
        })
    };
    eprintln!(
        "scale: JSON {} ({} to generate), flatc's binary {} ({} for flatc to build)",
        mb(json_len),
        ms(generate),
        mb(original.len()),
        ms(flatc_build)
    );
    eprintln!(
        "scale: verify_flatbuffer {} ({:.0} MB/s); to_json {} ({} of JSON)",
        ms(verify_time),
        original.len() as f64 / 1e6 / verify_time.as_secs_f64(),
        ms(to_json_time),
        mb(ours.len())
    );
    eprintln!(
        "scale: FlatBuffers -> weftbuf {} ({} message), weftbuf -> FlatBuffers {} ({} binary, {} \
         flatc's bytes)",
        ms(to_weftbuf),
        mb(message.len()),
        ms(to_flatbuffers),
        mb(back.len()),
        if back == original {
            "the same as"
        } else {
            "not"
        }
    );
    eprintln!(
        "scale: flatc reading both binaries {} ({} of JSON each), comparing {}",
        ms(flatc_reads),
        mb(expected.len()),
        ms(compare)
    );
    eprintln!(
        "scale: peak memory (VmHWM) {} at the start, {} before weftbuf's work (the document \
         generated and dropped, flatc's binary read), {} after it (verify, to_json, both \
         transcodings), {} at the end (flatc's JSON of both binaries parsed and compared)",
        mib(peak_before),
        mib(peak_before_weftbuf),
        mib(peak_weftbuf),
        mib(peak_after)
    );
    let shown: Vec<&String> = differences.iter().take(20).collect();
    assert!(
        differences.is_empty(),
        "{} differences, the first ones:\n{}",
        differences.len(),
        shown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
