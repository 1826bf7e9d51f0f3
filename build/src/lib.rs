//! Generates weftbuf's Rust code from `.fbs` schemas in a build script.
//!
//! ```no_run
//! // build.rs, in `fn main`:
//! if let Err(e) = weftbuf_build::Config::new()
//!     .include_dir("schemas")
//!     .compile(&["schemas/monster.fbs"])
//! {
//!     // The diagnostics went to cargo already; this stops the build with them.
//!     eprintln!("{e}");
//!     std::process::exit(1);
//! }
//! ```
//!
//! ```ignore
//! // src/lib.rs
//! include!(concat!(env!("OUT_DIR"), "/monster.rs"));
//! ```
//!
//! Each schema becomes one file, `OUT_DIR/<schema stem>.rs`, the same file
//! `weftbuf gen --lang rust` writes. Cargo reruns the build script when a schema, or any file
//! it includes, changes; schema errors are reported to cargo with their `file:line:col`.
//!
//! The crate that includes the file depends on `weftbuf-rt` (the runtime of generated code),
//! and on `weftbuf-rpc` too when services are generated.

use std::path::{Path, PathBuf};

use weftbuf::codegen::rust::{Options, generate_with};
use weftbuf::layout::Layout;
use weftbuf::schema::{Compiler, Diagnostics};

/// Why code could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A schema has errors (each was also printed for cargo).
    #[error("{path}: schema errors:\n{diagnostics}")]
    Schema {
        /// The schema given.
        path: PathBuf,
        /// Its diagnostics.
        diagnostics: Diagnostics,
    },
    /// The schema's layout does not say what the generator needs (a bug of weftbuf's: the
    /// layout is always the schema's).
    #[error("{path}: {source}")]
    Model {
        /// The schema given.
        path: PathBuf,
        /// What is missing.
        source: weftbuf::codegen::model::ModelError,
    },
    /// Neither an output folder was set nor `OUT_DIR` (not running in a build script).
    #[error("no output folder: set one with `out_dir`, or run from a build script (OUT_DIR)")]
    NoOutDir,
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// What to generate, and where.
#[derive(Debug, Clone, Default)]
pub struct Config {
    includes: Vec<PathBuf>,
    out_dir: Option<PathBuf>,
    cargo: bool,
    options: Options,
}

impl Config {
    /// A configuration that writes into `OUT_DIR` and talks to cargo.
    pub fn new() -> Self {
        Config {
            includes: Vec::new(),
            out_dir: None,
            cargo: true,
            options: Options::default(),
        }
    }

    /// Also generates a trait, server and client per `rpc_service`, over the `weftbuf-rpc`
    /// crate (which the including crate then depends on).
    pub fn rpc(mut self, on: bool) -> Self {
        self.options.rpc = on;
        self
    }

    /// Adds a folder to search for included schemas, after the including file's own.
    pub fn include_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.includes.push(dir.into());
        self
    }

    /// Writes into `dir` instead of `OUT_DIR`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Whether to print `cargo:` instructions (on by default; off outside build scripts).
    pub fn cargo_instructions(mut self, on: bool) -> Self {
        self.cargo = on;
        self
    }

    /// Generates `<out>/<stem>.rs` for each schema; returns the files written.
    pub fn compile(&self, schemas: &[impl AsRef<Path>]) -> Result<Vec<PathBuf>, Error> {
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(Error::NoOutDir)?,
        };
        let mut written = Vec::new();
        for path in schemas {
            let path = path.as_ref();
            let compiler = self
                .includes
                .iter()
                .fold(Compiler::new(), |c, dir| c.include_dir(dir.clone()));
            let compiled = compiler.compile(&[path]).and_then(|schema| {
                let layout = Layout::new(&schema)?;
                Ok((schema, layout))
            });
            let (schema, layout) = match compiled {
                Ok(done) => done,
                Err(diagnostics) => {
                    self.rerun_if_changed(path);
                    for dir in &self.includes {
                        self.rerun_if_changed(dir);
                    }
                    self.report(&diagnostics);
                    return Err(Error::Schema {
                        path: path.to_path_buf(),
                        diagnostics,
                    });
                }
            };
            for (_, file) in schema.sources.files() {
                self.rerun_if_changed(&file.path);
            }
            let stem = path
                .file_stem()
                .map_or_else(|| "schema".into(), |s| s.to_string_lossy().into_owned());
            let name = path
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let target = out_dir.join(format!("{stem}.rs"));
            let code = generate_with(&schema, &layout, &name, &self.options).map_err(|source| {
                Error::Model {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
            // Leave an unchanged file alone, so cargo does not rebuild what includes it.
            if std::fs::read_to_string(&target).ok().as_deref() != Some(code.as_str()) {
                std::fs::write(&target, code).map_err(|source| Error::Write {
                    path: target.clone(),
                    source,
                })?;
            }
            written.push(target);
        }
        Ok(written)
    }

    fn rerun_if_changed(&self, path: &Path) {
        if self.cargo {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }

    /// Each diagnostic as a cargo error, `file:line:col: message`, then the rendered report.
    fn report(&self, diagnostics: &Diagnostics) {
        if !self.cargo {
            return;
        }
        for d in &diagnostics.items {
            println!(
                "cargo::error={}:{}:{}: {}",
                d.path.display(),
                d.line,
                d.col,
                d.message
            );
        }
        eprintln!("{diagnostics}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_one_file_per_schema_and_reports_errors() {
        let dir = tempfile::tempdir().unwrap();
        let schema = dir.path().join("point.fbs");
        std::fs::write(&schema, "table Point { x: int; }\nroot_type Point;\n").unwrap();
        let written = Config::new()
            .cargo_instructions(false)
            .out_dir(dir.path())
            .compile(&[&schema])
            .unwrap();
        assert_eq!(written, vec![dir.path().join("point.rs")]);
        let code = std::fs::read_to_string(&written[0]).unwrap();
        assert!(code.contains("pub struct Point<'a>"));

        std::fs::write(&schema, "table Point { x: nope; }\n").unwrap();
        let err = Config::new()
            .cargo_instructions(false)
            .out_dir(dir.path())
            .compile(&[&schema])
            .unwrap_err();
        assert!(err.to_string().contains("point.fbs:1:18"), "{err}");
    }
}
