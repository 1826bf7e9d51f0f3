//! `compat`: every breaking change between two versions of a schema.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use weftbuf::compat::compare;

/// The two schemas `compat` compares.
#[derive(Args)]
pub(crate) struct CompatArgs {
    /// The old version of the schema (`.fbs`).
    old: PathBuf,
    /// The new version.
    new: PathBuf,
    /// Folders to search for includes (for both schemas), after the including file's own.
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    include: Vec<PathBuf>,
}

/// Prints each breaking change as `path:line:col: breaking: message` on standard output and
/// each note on standard error. Exits 1 when a change is breaking or a schema is invalid (its
/// diagnostics printed as `check` prints them), 0 otherwise; an unreadable file is an error
/// (exit 2).
pub(crate) fn run(args: &CompatArgs) -> Result<ExitCode> {
    readable(&args.old)?;
    readable(&args.new)?;
    let old = crate::compile(crate::compiler(&args.include).compile(&[&args.old]));
    let new = crate::compile(crate::compiler(&args.include).compile(&[&args.new]));
    let (Some((old, _)), Some((new, _))) = (old, new) else {
        return Ok(ExitCode::FAILURE);
    };
    let changes = compare(&old, &new);
    let mut breaking = 0usize;
    for change in &changes {
        let line = change.render(&old, &new);
        if change.is_breaking() {
            breaking += 1;
            crate::output::println(&line)?;
        } else {
            eprintln!("{line}");
        }
    }
    Ok(match breaking {
        0 => {
            eprintln!(
                "{} is a compatible evolution of {}",
                args.new.display(),
                args.old.display()
            );
            ExitCode::SUCCESS
        }
        1 => {
            eprintln!("1 breaking change found");
            ExitCode::FAILURE
        }
        n => {
            eprintln!("{n} breaking changes found");
            ExitCode::FAILURE
        }
    })
}

/// Fails (exit 2) when `path` cannot be opened, before the compiler reports it as a schema
/// problem.
fn readable(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .map(drop)
        .with_context(|| format!("cannot read {}", path.display()))
}
