//! The runtime builds for a WebAssembly guest (`wasm32-unknown-unknown`, no operating system):
//! without default features (views, in-place changes, descriptors) and with `alloc` (what
//! generated code needs).
//!
//! The target comes from `rustup target add wasm32-unknown-unknown`, which the test command
//! runs. Without it the test passes without running and says why; with `CI` set it fails.
#![allow(clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";

/// The rustc beside the cargo that builds this test, so both come from one toolchain.
fn rustc() -> PathBuf {
    Path::new(env!("CARGO")).with_file_name("rustc")
}

/// Whether the toolchain has the standard library for `TARGET`.
fn target_installed() -> bool {
    let sysroot = Command::new(rustc())
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc runs");
    let sysroot = String::from_utf8_lossy(&sysroot.stdout);
    Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(TARGET)
        .join("lib")
        .is_dir()
}

fn build(features: &[&str]) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    // A folder of its own: the cargo running this test may still hold the shared one.
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasm32");
    let output = Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "--target",
            TARGET,
            "--no-default-features",
        ])
        .args(features)
        .arg("--manifest-path")
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("RUSTC", rustc())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "weftbuf-rt does not build for {TARGET} with {features:?}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn builds_for_a_webassembly_guest() {
    if !target_installed() {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        assert!(
            !ci,
            "CI must install the {TARGET} target (rustup target add {TARGET})"
        );
        // Straight to the file descriptor: the harness captures `eprintln!`, not this.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: builds_for_a_webassembly_guest: needs the {TARGET} target \
             (rustup target add {TARGET})"
        );
        return;
    }
    build(&[]);
    build(&["--features", "alloc"]);
}
