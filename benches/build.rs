//! Generates the FlatBuffers peer's Rust code for the benchmark schemas with flatc.
//!
//! flatc comes from `WEFTBUF_FLATC`, or `../.venv/bin/flatc` beside this crate (where
//! `scripts/test` and `scripts/bench` install flatc 25.12.19).

use std::path::PathBuf;
use std::process::{Command, ExitCode};

/// The schemas, relative to this crate: the corpus folder beside the checkout.
const SCHEMAS: &[&str] = &[
    "../../shared/corpus/rust_serialization_benchmark/log.fbs",
    "../../shared/corpus/rust_serialization_benchmark/mesh.fbs",
];

fn main() -> ExitCode {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    println!("cargo::rerun-if-env-changed=WEFTBUF_FLATC");
    let flatc = match std::env::var_os("WEFTBUF_FLATC") {
        Some(path) => PathBuf::from(path),
        None => manifest_dir.join("../.venv/bin/flatc"),
    };
    for schema in SCHEMAS {
        let schema = manifest_dir.join(schema);
        println!("cargo::rerun-if-changed={}", schema.display());
        let status = Command::new(&flatc)
            .arg("--rust")
            .arg("-o")
            .arg(&out_dir)
            .arg(&schema)
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => {
                eprintln!("{} failed on {}: {s}", flatc.display(), schema.display());
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!(
                    "cannot run flatc at {} ({e}); run scripts/bench, which installs it into \
                     .venv, or set WEFTBUF_FLATC",
                    flatc.display()
                );
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
