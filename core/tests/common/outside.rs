//! What the tests take from outside the project: FlatBuffers' conformance corpus and schema
//! suite (folders beside the checkout, `../shared/`), flatc, and a Python with grpcio. Each
//! is found where the test command puts it, or through an environment variable.
//!
//! When one is missing, a test that needs it passes without running and says so on standard
//! error, written past the test harness's capture so that a plain `cargo test` shows it. With
//! `CI` set, a missing one fails the test instead: CI always has them.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::io::Write as _;
use std::path::PathBuf;

/// The workspace's root folder.
fn workspace() -> PathBuf {
    // Every crate with tests sits one folder below the workspace root.
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The conformance corpus (`WEFTBUF_CORPUS`, else `../shared/corpus` beside the checkout).
pub(crate) fn corpus() -> Option<PathBuf> {
    folder(
        "WEFTBUF_CORPUS",
        "../shared/corpus",
        "the conformance corpus",
    )
}

/// FlatBuffers' schema suite (`WEFTBUF_FLATBUFFERS_SUITE`, else
/// `../shared/flatbuffers-suite` beside the checkout).
pub(crate) fn suite() -> Option<PathBuf> {
    folder(
        "WEFTBUF_FLATBUFFERS_SUITE",
        "../shared/flatbuffers-suite",
        "FlatBuffers' schema suite",
    )
}

/// flatc 25.12 (`WEFTBUF_FLATC`, which the test command sets to the one it installs).
pub(crate) fn flatc() -> Option<PathBuf> {
    program("WEFTBUF_FLATC", "flatc 25.12")
}

/// A Python with grpcio (`WEFTBUF_PYTHON`, which the test command sets to its `.venv`'s).
pub(crate) fn python() -> Option<PathBuf> {
    program("WEFTBUF_PYTHON", "a Python with grpcio")
}

/// Whether the input file `path` is there (a test that takes files from several places asks
/// before it reads one from outside the project).
pub(crate) fn present(path: &std::path::Path) -> bool {
    path.exists() || skip::<()>(&path.display().to_string(), "it").is_some()
}

fn folder(variable: &str, beside: &str, what: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os(variable) {
        Some(dir) => PathBuf::from(dir),
        None => workspace().join(beside),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    skip(
        &format!(
            "{what}, looked for at {} (or set {variable})",
            dir.display()
        ),
        what,
    )
}

fn program(variable: &str, what: &str) -> Option<PathBuf> {
    match std::env::var_os(variable) {
        Some(path) => Some(PathBuf::from(path)),
        None => skip(
            &format!("{what} ({variable} is not set; the test command installs it and sets it)"),
            what,
        ),
    }
}

/// Says that the running test is skipped for want of `needed`; fails it under CI.
fn skip<T>(needed: &str, what: &str) -> Option<T> {
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(!ci, "{test} needs {needed}; CI must provide {what}");
    // Straight to the file descriptor: the harness captures `eprintln!`, not this.
    let _ = writeln!(std::io::stderr(), "skipped: {test}: needs {needed}");
    None
}
