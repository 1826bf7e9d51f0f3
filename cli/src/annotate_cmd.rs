//! `annotate`: a message byte by byte with field names, as `docs/layout.md` section 12 shows.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use weftbuf::annotate::annotate;

/// The arguments of `weftbuf annotate`.
#[derive(Args)]
pub(crate) struct AnnotateArgs {
    #[command(flatten)]
    schema: crate::messages::SchemaArgs,
    /// The message.
    input: PathBuf,
}

/// Prints the annotated dump. Invalid bytes are annotated as far as they can be reached
/// safely; the verifier's error goes to standard error and the exit code is 1.
pub(crate) fn run(args: &AnnotateArgs) -> Result<ExitCode> {
    let Some(loaded) = crate::messages::load(&args.schema)? else {
        return Ok(ExitCode::FAILURE);
    };
    let bytes = std::fs::read(&args.input)
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    let annotation = annotate(&loaded.schema, &loaded.layout, loaded.root, &bytes);
    crate::output::print(annotation.render())?;
    match annotation.error() {
        None => Ok(ExitCode::SUCCESS),
        Some(e) => {
            eprintln!("{}: invalid: {e}", args.input.display());
            Ok(ExitCode::FAILURE)
        }
    }
}
