//! Generates the peers' Rust code for the benchmark schemas: flatc for FlatBuffers (the corpus
//! `.fbs` files), capnpc for Cap'n Proto (`capnp/*.capnp` of this crate).
//!
//! flatc comes from `WEFTBUF_FLATC`, or `../.venv/bin/flatc` beside this crate (where
//! `scripts/test` and `scripts/bench` install flatc 25.12.19). The Cap'n Proto schema compiler
//! comes from `WEFTBUF_CAPNP`, or `capnp` on the `PATH` (`scripts/bench` installs it).
//! weftbuf's own generated code comes from `weftbuf-build`, as a user's build script would
//! make it: `wb_<dataset>/<dataset>.rs`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The rust_serialization_benchmark datasets: the FlatBuffers schemas are in the corpus folder
/// beside the checkout, the Cap'n Proto schemas in `capnp/` of this crate.
const DATASETS: &[&str] = &["log", "mesh", "minecraft_savedata", "mk48"];

/// The corpus folder of the FlatBuffers schemas, relative to this crate.
const CORPUS: &str = "../../shared/corpus/rust_serialization_benchmark";

fn main() -> ExitCode {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    match flatc(&manifest_dir, &out_dir)
        .and_then(|()| capnpc(&manifest_dir, &out_dir))
        .and_then(|()| weftbuf_gen(&manifest_dir, &out_dir))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs flatc on every corpus schema: `<dataset>_generated.rs` in `out_dir`.
fn flatc(manifest_dir: &Path, out_dir: &Path) -> Result<(), String> {
    println!("cargo::rerun-if-env-changed=WEFTBUF_FLATC");
    let flatc = match std::env::var_os("WEFTBUF_FLATC") {
        Some(path) => PathBuf::from(path),
        None => manifest_dir.join("../.venv/bin/flatc"),
    };
    for dataset in DATASETS {
        let schema = manifest_dir.join(CORPUS).join(format!("{dataset}.fbs"));
        println!("cargo::rerun-if-changed={}", schema.display());
        let status = Command::new(&flatc)
            .arg("--rust")
            .arg("-o")
            .arg(out_dir)
            .arg(&schema)
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => {
                return Err(format!(
                    "{} failed on {}: {s}",
                    flatc.display(),
                    schema.display()
                ));
            }
            Err(e) => {
                return Err(format!(
                    "cannot run flatc at {} ({e}); run scripts/bench, which installs it into \
                     .venv, or set WEFTBUF_FLATC",
                    flatc.display()
                ));
            }
        }
    }
    Ok(())
}

/// Runs capnpc on every schema of `capnp/`: `<dataset>_capnp.rs` in `out_dir`, for the module
/// `crate::capnp_gen`.
fn capnpc(manifest_dir: &Path, out_dir: &Path) -> Result<(), String> {
    println!("cargo::rerun-if-env-changed=WEFTBUF_CAPNP");
    let capnp =
        std::env::var_os("WEFTBUF_CAPNP").map_or_else(|| PathBuf::from("capnp"), PathBuf::from);
    let src = manifest_dir.join("capnp");
    let mut command = capnpc::CompilerCommand::new();
    command
        .capnp_executable(&capnp)
        .src_prefix(&src)
        .output_path(out_dir)
        .default_parent_module(vec!["capnp_gen".to_string()]);
    for dataset in DATASETS {
        let schema = src.join(format!("{dataset}.capnp"));
        println!("cargo::rerun-if-changed={}", schema.display());
        command.file(&schema);
    }
    command.run().map_err(|e| {
        format!(
            "capnpc failed with the schema compiler {} ({e}); run scripts/bench, which installs \
             it (Debian: apt-get install capnproto), or set WEFTBUF_CAPNP",
            capnp.display()
        )
    })
}

/// Generates weftbuf's Rust code for every corpus schema: `wb_<dataset>/<dataset>.rs`.
fn weftbuf_gen(manifest_dir: &Path, out_dir: &Path) -> Result<(), String> {
    for dataset in DATASETS {
        let schema = manifest_dir.join(CORPUS).join(format!("{dataset}.fbs"));
        let dir = out_dir.join(format!("wb_{dataset}"));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        weftbuf_build::Config::new()
            .out_dir(&dir)
            .compile(&[&schema])
            .map_err(|e| e.to_string())?;
    }
    // The shared-memory benchmarks' echo service, with its service code.
    let echo = manifest_dir.join("schemas/echo.fbs");
    let dir = out_dir.join("echo");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    weftbuf_build::Config::new()
        .out_dir(&dir)
        .rpc(true)
        .compile(&[&echo])
        .map_err(|e| e.to_string())?;
    Ok(())
}
