#!/usr/bin/env python3
"""Writes docs/benchmarks.md from one criterion run of benches/ (scripts/bench calls this).

Reads every `<group>/<function>/new/{benchmark,estimates}.json` under the criterion folder for
the groups of benches/benches/runtime.rs, and the machine's description, and prints tables of
absolute figures and of weftbuf/FlatBuffers ratios. Only standard library modules.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

DATASETS = {
    "log": "`log.Logs`: 10,000 HTTP access log records (`log.Log`: an `Address` struct of 4 "
    "ubytes, 4 strings, a ushort and a ulong)",
    "mesh": "`mesh.Mesh`: 125,000 `Triangle` structs (4 `Vector3` of 3 floats) in one vector",
}
GROUPS = ["build", "verify", "read"]
# A FlatBuffers time below this is a constant-time check, not a pass over the message.
TINY_NS = 1000.0
# (group, function) -> what it does; the order of the tables.
WHAT = {
    ("build", "weftbuf"): "`encode_into` from a prebuilt dynamic `Value`, into a reused buffer "
    "(`Builder::in_slice`)",
    ("build", "weftbuf-alloc"): "`encode` from the same `Value`, into a fresh growable buffer",
    ("build", "flatbuffers"): "flatc-generated builders from plain Rust structs, "
    "`FlatBufferBuilder` reused (`reset`)",
    ("verify", "memcpy"): "copy the weftbuf message into a preallocated buffer: a floor",
    ("verify", "weftbuf"): "`verify` with `Limits::default()`",
    ("verify", "flatbuffers"): "`flatbuffers::root::<T>` (verifier, default options)",
    ("verify", "weftbuf-fb"): "weftbuf's FlatBuffers reader: `verify_flatbuffer` (no size prefix, "
    "`Limits::default()`) on the very bytes the FlatBuffers benchmarks read",
    ("read", "weftbuf"): "`verify`, then every field of every record through the dynamic views "
    "(`field_at`, `VectorView::iter`)",
    ("read", "weftbuf-slice"): "`verify`, then the triangles as one `&[[f32; 12]]` "
    "(`VectorView::as_slice`)",
    ("read", "flatbuffers"): "`flatbuffers::root::<T>`, then every field through the generated "
    "accessors",
    ("read", "weftbuf-fb"): "`verify_flatbuffer` on the FlatBuffers bytes, then the traversal of "
    "read / weftbuf through the same dynamic views",
}
# The ratio rows: (label, group, weftbuf function, FlatBuffers function).
RATIOS = [
    ("build", "build", "weftbuf", "flatbuffers"),
    ("build, weftbuf into a fresh buffer", "build", "weftbuf-alloc", "flatbuffers"),
    ("verify", "verify", "weftbuf", "flatbuffers"),
    ("verify + full read", "read", "weftbuf", "flatbuffers"),
    ("verify + read as a typed slice", "read", "weftbuf-slice", "flatbuffers"),
]
# The same FlatBuffers bytes read by weftbuf's FlatBuffers reader and by the flatbuffers crate.
SAME_BYTES_RATIOS = [
    ("verify", "verify", "weftbuf-fb", "flatbuffers"),
    ("verify + full read", "read", "weftbuf-fb", "flatbuffers"),
]


def load(criterion: Path, dataset: str) -> dict:
    """(group, function) -> figures, for one dataset's groups."""
    results = {}
    for group in GROUPS:
        folder = criterion / f"{dataset}-{group}"
        if not folder.is_dir():
            sys.exit(f"bench_report: {folder} is missing: did the benchmarks run?")
        for bench in sorted(folder.iterdir()):
            new = bench / "new"
            if not (new / "estimates.json").is_file():
                continue
            meta = json.loads((new / "benchmark.json").read_text())
            est = json.loads((new / "estimates.json").read_text())
            throughput = meta.get("throughput") or {}
            size = throughput.get("Bytes") or throughput.get("BytesDecimal")
            median = est["median"]
            results[(group, meta["function_id"])] = {
                "median_ns": median["point_estimate"],
                "ci": (
                    median["confidence_interval"]["lower_bound"],
                    median["confidence_interval"]["upper_bound"],
                ),
                "mad_ns": est["median_abs_dev"]["point_estimate"],
                "size": size,
            }
    return results


def sample_counts(criterion: Path) -> list:
    """The sample.json of every benchmark of this report."""
    found = []
    for d in DATASETS:
        for group in GROUPS:
            for sample in (criterion / f"{d}-{group}").glob("*/new/sample.json"):
                found.append(json.loads(sample.read_text()))
    return found


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


def ratio_rows(w, data: dict, rows: list) -> bool:
    """Writes one table row per ratio; true when a FlatBuffers time was tiny (marked `*`)."""
    tiny = False
    for label, group, weft, flat in rows:
        cells = []
        for d in DATASETS:
            a, b = data[d].get((group, weft)), data[d].get((group, flat))
            if not (a and b):
                cells.append("n/a")
                continue
            cell = fmt_ratio(a["median_ns"] / b["median_ns"])
            if b["median_ns"] < TINY_NS:
                cell += " *"
                tiny = True
            cells.append(cell)
        if all(c == "n/a" for c in cells):
            continue
        w(f"| {label} | " + " | ".join(cells) + " |")
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

    data = {d: load(args.criterion, d) for d in DATASETS}
    versions = lock_versions(args.lock)
    run_file = args.criterion / "weftbuf-run.json"
    if not run_file.is_file():
        sys.exit(f"bench_report: {run_file} is missing: run scripts/bench")
    run = json.loads(run_file.read_text())

    out = []
    w = out.append
    w("# Benchmarks")
    w("")
    w("<!-- Generated by scripts/bench (scripts/bench_report.py) from one run; do not edit. -->")
    w("")
    w("weftbuf's message runtime against FlatBuffers, the format a user would otherwise pick,")
    w("measured in the same run on the same machine. Reproduce with `scripts/bench`: it installs")
    w("flatc 25.12.19 into `.venv` if needed, runs the criterion benchmarks of `benches/` once")
    w("(`benches/benches/runtime.rs`) and rewrites this page from their estimates.")
    w("")
    w("**What this compares.** weftbuf is driven through its *dynamic* (reflection) API: `encode`")
    w("walks a `Value` tree, the views look every field up in the `Layout` and return a `Field`")
    w("enum. FlatBuffers runs flatc's *generated* Rust code, which knows every offset at compile")
    w("time. Typed generated weftbuf code comes with the Rust code generator and will be measured")
    w("here then; until that, the build and read ratios below are an upper bound of weftbuf's cost,")
    w("not a like-for-like comparison of the formats. Verification is the closest to like for")
    w("like: both check the whole message, but weftbuf's verifier walks the `Layout` at run time")
    w("while FlatBuffers' runs generated code. weftbuf also reads FlatBuffers binaries")
    w("(`weftbuf::flatbuffers`): the `weftbuf-fb` rows run that reader on the very bytes the")
    w("FlatBuffers rows read, which takes the format out of the comparison.")
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
    peers = (
        f"flatbuffers {versions.get('flatbuffers', '?')} with {run['flatc']}, "
        f"criterion {versions.get('criterion', '?')}"
    )
    w(f"| peers | {peers} |")
    w("")
    busy = float(run["load_before"].split()[0]) >= 1.0
    if busy:
        w("The machine was shared during the run (a load average above 1 before it started means")
        w("other processes were using the CPU), so the absolute times carry noise; each ratio")
        w("compares two figures taken seconds apart in the same run.")
    samples = {len(r["iters"]) for r in sample_counts(args.criterion)}
    w(f"Each figure is criterion's median over {', '.join(map(str, sorted(samples)))} samples")
    w("(flat sampling; warm-up and measurement times are set in `benches/benches/runtime.rs`),")
    w("with the 95% confidence interval of that median.")
    w("")
    w("## Result: weftbuf / FlatBuffers")
    w("")
    w("Time of weftbuf divided by time of FlatBuffers for the same work on the same data:")
    w("below 1 weftbuf is faster, above 1 it is slower. Size is bytes over bytes.")
    w("")
    w("| operation | " + " | ".join(DATASETS) + " |")
    w("| --- | " + " | ".join("---:" for _ in DATASETS) + " |")
    tiny = ratio_rows(w, data, RATIOS)
    cells = []
    for d in DATASETS:
        a, b = data[d].get(("build", "weftbuf")), data[d].get(("build", "flatbuffers"))
        cells.append(f"{a['size'] / b['size']:.2f}" if a and b else "n/a")
    w("| message size | " + " | ".join(cells) + " |")
    w("")
    w("### The same FlatBuffers bytes: weftbuf's FlatBuffers reader / the flatbuffers crate")
    w("")
    w("weftbuf's FlatBuffers reader (`verify_flatbuffer`, then the same dynamic views as on")
    w("weftbuf's own messages) on the very bytes FlatBuffers' builder made, against the")
    w("flatbuffers crate with flatc's generated code on those bytes: same format, same bytes,")
    w("dynamic against generated code.")
    w("")
    w("| operation | " + " | ".join(DATASETS) + " |")
    w("| --- | " + " | ".join("---:" for _ in DATASETS) + " |")
    tiny = ratio_rows(w, data, SAME_BYTES_RATIOS) or tiny
    w("")
    if tiny:
        w("\\* FlatBuffers took under a microsecond here: it checks a vector of structs by its")
        w("bounds alone, whatever its length, so the ratio compares two near-constant costs, not")
        w("throughput (see the observations).")
        w("")

    for d, description in DATASETS.items():
        w(f"## {d}")
        w("")
        w(description + ", generated from a fixed seed in `benches/src/data.rs`.")
        w("")
        w("| operation | implementation | median time | 95% CI | throughput (MB/s) | message bytes |")
        w("| --- | --- | ---: | ---: | ---: | ---: |")
        for group in GROUPS:
            for (g, function), what in WHAT.items():
                r = data[d].get((g, function))
                if g != group or r is None:
                    continue
                lo, hi = r["ci"]
                ci = f"{fmt_time(lo)} – {fmt_time(hi)}"
                size = r["size"] or 0
                rate = fmt_rate(size, r["median_ns"]) if size else ""
                w(
                    f"| {group} | {function} | {fmt_time(r['median_ns'])} | {ci} | {rate} "
                    f"| {size:,} |"
                )
        w("")
        verify = data[d].get(("verify", "weftbuf"))
        memcpy = data[d].get(("verify", "memcpy"))
        if verify and memcpy:
            w(
                f"weftbuf's verifier takes {fmt_ratio(verify['median_ns'] / memcpy['median_ns'])}× "
                f"the time of a memcpy of the same message."
            )
            w("")

    w("## What each operation measures")
    w("")
    w("Throughput is the size of the message an implementation works on divided by the time:")
    w("its own format's message, FlatBuffers' for `weftbuf-fb`, weftbuf's for the memcpy floor.")
    w("MB is 10^6 bytes.")
    w("")
    for (group, function), what in WHAT.items():
        w(f"- **{group} / {function}**: {what}.")
    w("")
    w("Every read sums what it touches (string lengths, integers, floats) into `black_box`, and")
    w("before measuring, the bench checks that every read (`weftbuf-fb` too) gives the dataset's")
    w("checksum.")
    w("")
    if args.observations:
        w("## Observations")
        w("")
        w(args.observations.read_text().rstrip())
        w("")

    args.out.write_text("\n".join(out))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
