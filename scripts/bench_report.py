#!/usr/bin/env python3
"""Writes docs/benchmarks.md from one criterion run of benches/ (scripts/bench calls this).

Reads every `<group>/<function>/new/{benchmark,estimates}.json` under the criterion folder whose
group is `<dataset>/<operation>` (benches/benches/datasets.rs), and the machine's description,
and prints per dataset a table of absolute figures and tables of ratios "weftbuf / peer". The
`weftbuf` implementation is weftbuf's generated code; until the bench has it, its ratios read
n/a. Only standard library modules.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

DATASETS = {
    "log": "10,000 HTTP access log records (`log.Log`: an `Address` struct of 4 ubytes, 4 "
    "strings, a ushort and a ulong)",
    "mesh": "125,000 `Triangle` structs (4 `Vector3` of 3 floats) in one vector",
    "minecraft_savedata": "500 player save files (`Player`: some 30 fields, among them "
    "strings, two vectors of `Item` tables, structs, optional `Entity` tables and a "
    "`RecipeBook` of two string vectors)",
    "mk48": "1,000 game state updates (`Update`: 20 to 39 `Contact` tables with structs, a "
    "bool vector and a ushort vector; 3 to 9 `TerrainUpdate` tables with a byte vector)",
}
OPS = ["serialize", "access", "read", "update"]
# The numerators of the ratio tables: weftbuf's generated code, always shown (n/a until it is
# benchmarked), then the dynamic API where it was measured.
WEFTBUF = "weftbuf"
NUMERATORS = [
    (WEFTBUF, "weftbuf (generated code)", True),
    ("weftbuf-dyn", "weftbuf's dynamic API", False),
]
# The implementations, in the order of the tables; others found in the run follow, sorted.
PEERS = ["plain", "flatbuffers", "rkyv", "capnp"]
KNOWN = [WEFTBUF] + PEERS + [
    "weftbuf-dyn",
    "weftbuf-dyn-alloc",
    "weftbuf-dyn-slice",
    "weftbuf-dyn-fb",
    "memcpy",
]
# A peer's time below this is a constant-time check, not a pass over the message.
TINY_NS = 1000.0

OP_WHAT = {
    "serialize": "the plain Rust structs into the implementation's format, into a buffer "
    "reused from one message to the next where the crate allows it",
    "access": "validate the message as untrusted bytes and get its root",
    "read": "validate, then touch every field of every record, summing them (integers, float "
    "bits, string lengths) into `black_box`; before measuring, the bench checks that every "
    "implementation's sum is the dataset's checksum",
    "update": "change one scalar of every record in the message, in place (log: `code` = 200; "
    "mesh: `normal.x` = 0; minecraft_savedata and mk48: `score` = 0); before measuring, the "
    "bench checks that a read after the update gives the updated data's checksum",
}
IMPL_WHAT = {
    WEFTBUF: "weftbuf's generated Rust code",
    "plain": "the plain Rust structs in a `Vec` (the data model itself). serialize: "
    "`Vec::clone_from` into a kept `Vec` (every string allocated afresh); access: n/a (nothing "
    "to validate); read: a walk of the `Vec`; update: a write of the field",
    "flatbuffers": "the flatbuffers crate with flatc's generated code. serialize: the generated "
    "builders, `FlatBufferBuilder` reused (`reset`); access: `flatbuffers::root` (the verifier, "
    "default options); read: `root`, then the generated accessors; update: n/a (flatc's Rust "
    "code has no in-place mutation)",
    "rkyv": "rkyv with `Archive` derived on the plain structs. serialize: "
    "`rkyv::api::high::to_bytes_in` into a reused `AlignedVec`; access: "
    "`rkyv::access::<_, rancor::Error>` (bytecheck validates the whole archive); read: that, "
    "then the archived fields; update: `rkyv::access_mut` (the same validation), then a write "
    "through `Seal` and `munge`",
    "capnp": "the capnp crate with capnpc's generated code (`benches/capnp/*.capnp`). serialize: "
    "the generated builders in a reused `ScratchSpaceHeapAllocator` (one segment), then "
    "`serialize::write_message` into a reused `Vec`; access: `read_message_from_flat_slice` with "
    "default `ReaderOptions` and `get_root`, which checks the segment table and the root pointer "
    "only (Cap'n Proto validates lazily); read: that, then the generated getters, which validate "
    "every pointer they follow (and `to_str` the UTF-8 of every text); update: n/a (no in-place "
    "update of a received message in capnp's Rust API)",
    "weftbuf-dyn": "weftbuf's dynamic (reflection) API. serialize: `encode_into` a reused slice "
    "(`Builder::in_slice`) from a prebuilt dynamic `Value`; access: `verify` "
    "(`Limits::default()`) and the root view; read: that, then every field through the views "
    "(`field_at`, `VectorView::iter`)",
    "weftbuf-dyn-alloc": "serialize with `encode` from the same `Value`, into a fresh growable "
    "buffer each time",
    "weftbuf-dyn-slice": "read: `verify`, then the triangles as one `&[[f32; 12]]` "
    "(`VectorView::as_slice`)",
    "weftbuf-dyn-fb": "weftbuf's FlatBuffers reader on the very bytes the flatbuffers rows read. "
    "access: `verify_flatbuffer` (no size prefix, `Limits::default()`) and the root view; read: "
    "that, then the traversal of weftbuf-dyn through the same views",
    "memcpy": "access: a copy of the weftbuf-dyn message into a preallocated buffer, the floor "
    "of any pass over the message",
}


def load(criterion: Path) -> dict:
    """dataset -> (operation, implementation) -> figures, from every benchmark of the run."""
    data = {d: {} for d in DATASETS}
    for meta_file in sorted(criterion.glob("*/*/new/benchmark.json")):
        meta = json.loads(meta_file.read_text())
        dataset, _, op = meta.get("group_id", "").partition("/")
        if dataset not in DATASETS or op not in OPS:
            continue
        est_file = meta_file.with_name("estimates.json")
        if not est_file.is_file():
            continue
        est = json.loads(est_file.read_text())
        throughput = meta.get("throughput") or {}
        median = est["median"]
        sample_file = meta_file.with_name("sample.json")
        samples = len(json.loads(sample_file.read_text())["iters"]) if sample_file.is_file() else 0
        data[dataset][(op, meta["function_id"])] = {
            "median_ns": median["point_estimate"],
            "ci": (
                median["confidence_interval"]["lower_bound"],
                median["confidence_interval"]["upper_bound"],
            ),
            "size": throughput.get("Bytes") or throughput.get("BytesDecimal"),
            "samples": samples,
        }
    return data


# The services benchmarks (benches/benches/services.rs): group prefix -> what it measures,
# and the (numerator, peer) pairs of its ratio column.
SERVICES = [
    ("call", "one call at a time, in process", ("inproc", "direct")),
    ("grpc", "one call at a time over gRPC on loopback", ("weftbuf", "tonic-prost")),
    ("grpc-64-in-flight", "64 calls in flight over gRPC on loopback (time for all 64)",
     ("weftbuf", "tonic-prost")),
]


def load_services(criterion: Path) -> dict:
    """(group, size) -> function -> median ns, for the services benchmarks."""
    found = {}
    prefixes = {prefix for prefix, _, _ in SERVICES}
    for meta_file in sorted(criterion.glob("*/*/new/benchmark.json")):
        meta = json.loads(meta_file.read_text())
        group, _, size = meta.get("group_id", "").partition("/")
        if group not in prefixes or not size:
            continue
        est_file = meta_file.with_name("estimates.json")
        if est_file.is_file():
            median = json.loads(est_file.read_text())["median"]["point_estimate"]
            found.setdefault((group, size), {})[meta["function_id"]] = median
    return found


def services_section(w, services: dict, run: dict) -> None:
    """The services tables: absolute medians and the ratio of each pair."""
    w("## Services")
    w("")
    w("What a call costs per boundary (`benches/benches/services.rs`): the storefront's")
    w("`Pricing.Quote`, its request about 64 bytes or 64 KiB (the customer's name makes up the")
    w("size), the request built and the response read on every call. In process, the channel")
    w("(`inproc`) against the same work as a direct call of the implementation (`direct`:")
    w("build the request, verify it, run the handler, verify the response); over gRPC, weftbuf's")
    w("transport against tonic 0.14 with prost and an equivalent protobuf message, both servers")
    w("and clients on one 2-thread tokio runtime, over loopback TCP with `TCP_NODELAY` and the")
    w("same HTTP/2 keepalive (a ping every 30 s). Ratios are weftbuf / peer: below 1 is faster.")
    if run:
        w("")
        w(f"Run: {run.get('date', '?')}, commit {run.get('commit', '?')}, load "
          f"{run.get('load_before', '?')} before and {run.get('load_after', '?')} after.")
    w("")
    w("| benchmark | size | weftbuf | peer | weftbuf / peer |")
    w("| --- | --- | ---: | ---: | ---: |")
    for prefix, what, (mine, peer) in SERVICES:
        for (group, size), functions in sorted(services.items()):
            if group != prefix or mine not in functions or peer not in functions:
                continue
            a, b = functions[mine], functions[peer]
            w(f"| {what}: `{mine}` vs `{peer}` | {size} | {fmt_time(a)} | {fmt_time(b)} "
              f"| {fmt_ratio(a / b)} |")
    w("")


PAIRED_WHAT = {
    "grpc": "one call at a time",
    "grpc-64-in-flight": "64 calls in flight",
}


def paired_section(w, criterion: Path) -> None:
    """The gRPC comparison again, from rounds in which the peers take turns."""
    file = criterion / "weftbuf-grpc-paired.json"
    if not file.is_file():
        return
    rows = json.loads(file.read_text())
    if not rows:
        return
    w("### gRPC in paired rounds")
    w("")
    w("Two criterion measurements made a minute apart differ by up to ±10% on this machine,")
    w("whichever is measured. So the gRPC cases are measured again in rounds: tonic + prost,")
    w("weftbuf, and tonic's client calling weftbuf's server (`split`: tonic's client and")
    w("weftbuf's server and messages) take turns in each round, about 100 ms each, in a")
    w("rotating order, and the ratio is taken within the round. Below: the median per call")
    w("(per 64 calls in flight) over the rounds, and the median of the per-round ratios with")
    w("its quartiles. `split` / tonic-prost tells a difference of the servers from one of")
    w("the clients.")
    w("")
    w("| calls | size | rounds | tonic-prost | weftbuf | split | weftbuf / tonic-prost (quartiles) | split / tonic-prost |")
    w("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        group, _, size = row["case"].partition("/")
        w(f"| {PAIRED_WHAT.get(group, group)} | {size} | {row['rounds']} "
          f"| {fmt_time(row['tonic_prost_ns'])} | {fmt_time(row['weftbuf_ns'])} "
          f"| {fmt_time(row['split_ns'])} "
          f"| {fmt_ratio(row['ratio_median'])} ({fmt_ratio(row['ratio_q1'])}–"
          f"{fmt_ratio(row['ratio_q3'])}) | {fmt_ratio(row['split_ratio_median'])} |")
    w("")


def shm_section(w, criterion: Path) -> None:
    """Round trips between two processes per transport, from benches/benches/shm.rs."""
    file = criterion / "weftbuf-shm-percentiles.json"
    if not file.is_file():
        return
    rows = json.loads(file.read_text())
    by = {(r["size"], r["transport"]): r for r in rows}
    sizes = [s for s in ("64B", "4KiB", "1MiB") if any(k[0] == s for k in by)]
    peers = ["iceoryx2", "unix-socket", "weftbuf-grpc"]
    w("## Shared memory")
    w("")
    w("Round trips between two processes (`benches/benches/shm.rs`): a `bench.Blob` request of")
    w("64 B, 4 KiB or 1 MiB, written on every call, the server answering its length. weftbuf's")
    w("shared memory (the request built in its slot, the response read in place) against")
    w("iceoryx2 0.10 request-response (loaned `[u8]` requests, `u64` responses, both sides")
    w("polling), a Unix stream socket that copies the bytes, and weftbuf over gRPC on loopback.")
    w("`weftbuf-shm-in-place` is weftbuf's shared memory with the payload produced in its slot")
    w("(`payload_in_place`, the caller writing only its first and last 8 bytes): the cost of the")
    w("transport alone, which no copy grows with the payload's size.")
    w("Each server is a process of its own, running only during its transport's benchmarks.")
    w("Every call is timed: p50 and p99 over all of criterion's samples.")
    w("")
    w("Throughput is one caller's, a call at a time: a second over criterion's mean call time.")
    w("")
    w("| size | transport | p50 | p99 | calls/s | p50: weftbuf-shm / transport |")
    w("| --- | --- | ---: | ---: | ---: | ---: |")
    for size in sizes:
        mine = by.get((size, "weftbuf-shm"))
        for transport in ["weftbuf-shm", "weftbuf-shm-in-place"] + peers:
            r = by.get((size, transport))
            if not r:
                continue
            ratio = fmt_ratio(mine["p50_ns"] / r["p50_ns"]) if mine else "n/a"
            estimates = criterion / f"shm-round-trip_{size}" / transport / "new" / "estimates.json"
            rate = "n/a"
            if estimates.is_file():
                mean = json.loads(estimates.read_text())["mean"]["point_estimate"]
                rate = f"{1e9 / mean:,.0f}"
            w(f"| {size} | `{transport}` | {fmt_time(r['p50_ns'])} | {fmt_time(r['p99_ns'])} "
              f"| {rate} | {ratio} |")
    small, large = by.get(("64B", "weftbuf-shm")), by.get(("1MiB", "weftbuf-shm"))
    if small and large:
        w("")
        line = (f"weftbuf-shm's 1 MiB round trip is {large['p50_ns'] / small['p50_ns']:.3g}× its "
                "64 B one (p50) when the megabyte is copied in on every call, which is most of it")
        if ("1MiB", "iceoryx2") in by and ("64B", "iceoryx2") in by:
            ratio = by[("1MiB", "iceoryx2")]["p50_ns"] / by[("64B", "iceoryx2")]["p50_ns"]
            line += f" (iceoryx2's ratio is {ratio:.3g}×)"
        placed = by.get(("1MiB", "weftbuf-shm-in-place"))
        if placed:
            line += (f"; produced in place, it is {placed['p50_ns'] / small['p50_ns']:.3g}× "
                     "(the target: within 2×)")
        w(line + ".")
    w("")


def implementations(results: dict) -> list:
    """The implementations of one dataset's results, in table order."""
    found = {impl for (_, impl) in results}
    return [i for i in KNOWN if i in found] + sorted(found - set(KNOWN))


def peers(results: dict) -> list:
    """The denominators of the ratio tables: the other formats (weftbuf's rows excluded)."""
    found = {impl for (_, impl) in results}
    extra = sorted(i for i in found - set(KNOWN) if not i.startswith("weftbuf"))
    return PEERS + extra


def size_of(results: dict, impl: str):
    """The size of the message an implementation serializes, if it has one."""
    r = results.get(("serialize", impl))
    return r["size"] if r and r["size"] else None


def fmt_time(ns: float) -> str:
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}" if ns / scale < 100 else f"{ns / scale:.0f} {unit}"
    return f"{ns:.3g} ns"


def fmt_rate(size: int, ns: float) -> str:
    mbps = size / ns * 1e3  # bytes per ns -> MB/s (10^6 bytes)
    return f"{mbps:,.0f}" if mbps >= 10 else f"{mbps:.2g}"


def fmt_ratio(r: float) -> str:
    return f"{r:.3g}" if r < 1000 else f"{r:,.0f}"


def ratio_table(w, results: dict, numerator: str) -> bool:
    """One row per operation and a size row, one column per peer: numerator / peer.

    Returns true when a peer's time was tiny (the cell is marked `*`)."""
    cols = peers(results)
    tiny = False
    w("| operation | " + " | ".join(cols) + " |")
    w("| --- | " + " | ".join("---:" for _ in cols) + " |")
    for op in OPS:
        cells = []
        for peer in cols:
            a, b = results.get((op, numerator)), results.get((op, peer))
            if not (a and b):
                cells.append("n/a")
                continue
            cell = fmt_ratio(a["median_ns"] / b["median_ns"])
            if b["median_ns"] < TINY_NS:
                cell += " *"
                tiny = True
            cells.append(cell)
        w(f"| {op} | " + " | ".join(cells) + " |")
    cells = []
    for peer in cols:
        a, b = size_of(results, numerator), size_of(results, peer)
        cells.append(f"{a / b:.2f}" if a and b else "n/a")
    w("| message size | " + " | ".join(cells) + " |")
    return tiny


def machine() -> list:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    rustc = subprocess.run(
        ["rustc", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return [("CPU", cpu), ("cores (nproc)", str(cores)), ("rustc", rustc)]


def lock_versions(lock: Path) -> dict:
    text = lock.read_text()
    versions = {}
    for name, version in re.findall(r'name = "([^"]+)"\nversion = "([^"]+)"', text):
        versions[name] = version
    return versions


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--criterion", type=Path, required=True, help="criterion's output folder")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--lock", type=Path, required=True, help="benches/Cargo.lock")
    p.add_argument("--observations", type=Path, help="text appended under Observations")
    args = p.parse_args()

    data = load(args.criterion)
    missing = [d for d, results in data.items() if not results]
    if missing:
        sys.exit(f"bench_report: no benchmarks of {', '.join(missing)} in {args.criterion}: "
                 "did the benchmarks run?")
    versions = lock_versions(args.lock)
    run_file = args.criterion / "weftbuf-run.json"
    if not run_file.is_file():
        sys.exit(f"bench_report: {run_file} is missing: run scripts/bench")
    run = json.loads(run_file.read_text())
    has_weftbuf = any((op, WEFTBUF) in results for results in data.values() for op in OPS)

    out = []
    w = out.append
    w("# Benchmarks")
    w("")
    w("<!-- Generated by scripts/bench (scripts/bench_report.py) from one run; do not edit. -->")
    w("")
    w("weftbuf against the formats a user would otherwise pick, on the four datasets of")
    w("[rust_serialization_benchmark](https://github.com/djkoloski/rust_serialization_benchmark)")
    w("(`log`, `mesh`, `minecraft_savedata`, `mk48`, with their FlatBuffers schemas), measured in")
    w("the same run on the same machine: plain Rust structs in a `Vec`, FlatBuffers with flatc's")
    w("generated code, rkyv, and Cap'n Proto with capnpc's generated code. Reproduce with")
    w("`scripts/bench`: it installs flatc 25.12.19 into `.venv` and the Cap'n Proto compiler if")
    w("needed, runs the criterion benchmarks of `benches/` once (`benches/benches/datasets.rs`)")
    w("and rewrites this page from their estimates.")
    w("")
    w("The data of each dataset is generated from a fixed seed in `benches/src/data/`, with the")
    w("sizes and distributions of rust_serialization_benchmark's generators (not their exact")
    w("values). Each ratio table divides weftbuf's time by a peer's for the same operation on the")
    w("same data: below 1 weftbuf is faster. The `weftbuf` rows are weftbuf's generated code;")
    if has_weftbuf:
        w("the `weftbuf-dyn` rows (log and mesh) are its dynamic (reflection) API, kept for")
        w("comparison.")
    else:
        w("this run has none yet, so those ratios read n/a. The `weftbuf-dyn` rows (log and mesh)")
        w("are weftbuf's dynamic (reflection) API, which looks every field up in the `Layout` at")
        w("run time: an upper bound of weftbuf's cost, not a like-for-like comparison with")
        w("generated code.")
    w("")
    w("## Machine and run")
    w("")
    w("| | |")
    w("| --- | --- |")
    for key, value in machine():
        w(f"| {key} | {value} |")
    w(f"| date | {run['date']} |")
    w(f"| weftbuf commit | {run['commit']} |")
    w(f"| load average (1, 5, 15 min) before / after | {run['load_before']} / {run['load_after']} |")
    w(f"| time | {run['run_seconds']} s of benchmarks, after {run['build_seconds']} s of build |")
    peer_versions = (
        f"flatbuffers {versions.get('flatbuffers', '?')} with {run['flatc']}, "
        f"rkyv {versions.get('rkyv', '?')}, "
        f"capnp {versions.get('capnp', '?')} with capnpc {versions.get('capnpc', '?')} and "
        f"{run.get('capnp', 'the Cap’n Proto compiler')}, "
        f"criterion {versions.get('criterion', '?')}"
    )
    w(f"| peers | {peer_versions} |")
    w("")
    busy = float(run["load_before"].split()[0]) >= 1.0
    if busy:
        w("The machine was shared during the run (a load average above 1 before it started means")
        w("other processes were using the CPU), so the absolute times carry noise; each ratio")
        w("compares two figures taken seconds apart in the same run.")
    samples = sorted({r["samples"] for results in data.values() for r in results.values()})
    w(f"Each figure is criterion's median over {', '.join(map(str, samples))} samples")
    w("(flat sampling; warm-up and measurement times are set in `benches/benches/datasets.rs`);")
    w("the details give the 95% confidence interval of each median.")
    w("")

    tiny = False
    for d, description in DATASETS.items():
        results = data[d]
        impls = implementations(results)
        w(f"## {d}")
        w("")
        w(description + ".")
        w("")
        w("Median times; n/a where the implementation has no such operation. Message bytes is")
        w("the size of what serialize writes.")
        w("")
        w("| implementation | " + " | ".join(OPS) + " | message bytes |")
        w("| --- | " + " | ".join("---:" for _ in OPS) + " | ---: |")
        for impl in impls:
            cells = []
            for op in OPS:
                r = results.get((op, impl))
                cells.append(fmt_time(r["median_ns"]) if r else "n/a")
            size = size_of(results, impl)
            w(f"| {impl} | " + " | ".join(cells) + f" | {f'{size:,}' if size else 'n/a'} |")
        w("")
        for numerator, label, always in NUMERATORS:
            if not always and not any((op, numerator) in results for op in OPS):
                continue
            w(f"**{label} / peer** (time over time, size over size):")
            w("")
            tiny = ratio_table(w, results, numerator) or tiny
            w("")
        same_bytes = []
        for op in OPS:
            a, b = results.get((op, "weftbuf-dyn-fb")), results.get((op, "flatbuffers"))
            if a and b:
                same_bytes.append(f"{op} {fmt_ratio(a['median_ns'] / b['median_ns'])}")
        if same_bytes:
            w("**weftbuf's FlatBuffers reader / the flatbuffers crate**, on the same FlatBuffers")
            w(f"bytes: {', '.join(same_bytes)}.")
            w("")
        access = results.get(("access", "weftbuf-dyn"))
        memcpy = results.get(("access", "memcpy"))
        if access and memcpy:
            w(
                f"weftbuf's dynamic access (verify and root) takes "
                f"{fmt_ratio(access['median_ns'] / memcpy['median_ns'])}× the time of a memcpy of "
                "the same message."
            )
            w("")
        w("<details><summary>Every benchmark of this dataset, with its confidence interval and "
          "throughput</summary>")
        w("")
        w("| operation | implementation | median time | 95% CI | throughput (MB/s) | message bytes |")
        w("| --- | --- | ---: | ---: | ---: | ---: |")
        for op in OPS:
            for impl in impls:
                r = results.get((op, impl))
                if r is None:
                    continue
                lo, hi = r["ci"]
                size = r["size"] or 0
                rate = fmt_rate(size, r["median_ns"]) if size else ""
                w(
                    f"| {op} | {impl} | {fmt_time(r['median_ns'])} | {fmt_time(lo)} – "
                    f"{fmt_time(hi)} | {rate} | {f'{size:,}' if size else ''} |"
                )
        w("")
        w("</details>")
        w("")
    if tiny:
        w("\\* The peer took under a microsecond: it checks a constant amount whatever the")
        w("message's length (Cap'n Proto's access reads the segment table and the root pointer")
        w("only; FlatBuffers and rkyv check a vector of structs by its bounds alone), so the ratio")
        w("compares near-constant costs, not throughput.")
        w("")

    w("## What each operation measures")
    w("")
    for op in OPS:
        w(f"- **{op}**: {OP_WHAT[op]}.")
    w("")
    w("Throughput (in the details) is the size of the message an implementation works on divided")
    w("by the time: its own format's message, FlatBuffers' for `weftbuf-dyn-fb`, weftbuf's for")
    w("the memcpy floor. MB is 10^6 bytes.")
    w("")
    w("## The implementations")
    w("")
    for impl, what in IMPL_WHAT.items():
        w(f"- **{impl}**: {what}.")
    w("")
    services = load_services(args.criterion)
    if services:
        services_file = args.criterion / "weftbuf-services-run.json"
        services_run = (json.loads(services_file.read_text())
                        if services_file.is_file() else {})
        services_section(w, services, services_run)
    paired_section(w, args.criterion)
    shm_section(w, args.criterion)
    if args.observations and args.observations.is_file():
        w("## Observations")
        w("")
        w(args.observations.read_text().rstrip())
        w("")

    args.out.write_text("\n".join(out))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
