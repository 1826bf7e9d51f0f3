//! The FlatBuffers schema language: parse `.fbs` files, follow includes, resolve names and
//! check the result with flatc's rules.
//!
//! ```
//! let schema = weftbuf::schema::Compiler::new()
//!     .compile_source("inline.fbs", "table Point { x: int; y: int; } root_type Point;")
//!     .expect("a valid schema");
//! assert_eq!(schema.tables[0].info.name.dotted(), "Point");
//! ```

mod ast;
mod diag;
mod lexer;
mod loader;
mod model;
mod parser;
mod resolve;
mod source;

use std::path::{Path, PathBuf};

pub use diag::{Diagnostic, Diagnostics, MAX_DIAGNOSTICS};
pub use loader::MAX_SCHEMA_FILE_BYTES;
pub use model::*;
pub use resolve::{Number, parse_number};
pub use source::{FileId, LineCol, SourceFile, SourceMap, Span};

pub(crate) use diag::Reporter;

/// Compiles schemas: holds the include folders searched after the including file's own.
#[derive(Debug, Clone, Default)]
pub struct Compiler {
    include_dirs: Vec<PathBuf>,
}

impl Compiler {
    /// A compiler with no extra include folders.
    pub fn new() -> Self {
        Compiler::default()
    }

    /// Adds a folder to search for includes (like flatc's `-I`), after the including file's.
    pub fn include_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.include_dirs.push(dir.into());
        self
    }

    /// Compiles the schema files `roots` (and what they include) into one schema.
    pub fn compile(&self, roots: &[impl AsRef<Path>]) -> Result<Schema, Diagnostics> {
        let origins: Vec<loader::Origin<'_>> = roots
            .iter()
            .map(|p| loader::Origin::Disk(p.as_ref()))
            .collect();
        self.run(&origins)
    }

    /// Compiles schema text held in memory; `name` is the path shown in diagnostics and the
    /// folder its includes are found relative to.
    pub fn compile_source(&self, name: &str, text: &str) -> Result<Schema, Diagnostics> {
        self.run(&[loader::Origin::Memory { name, text }])
    }

    fn run(&self, origins: &[loader::Origin<'_>]) -> Result<Schema, Diagnostics> {
        let mut reporter = Reporter::default();
        let mut sources = SourceMap::default();
        let files = loader::load(origins, &self.include_dirs, &mut sources, &mut reporter);
        let schema = resolve::resolve(files, sources, &mut reporter);
        if reporter.has_errors() {
            Err(reporter.finish())
        } else {
            Ok(schema)
        }
    }
}
