//! `encode`, `decode` and `verify`: messages to and from JSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use weftbuf::json::{JsonOptions, json_to_message, message_to_json};
use weftbuf::layout::Layout;
use weftbuf::message::{Limits, verify as verify_message};
use weftbuf::schema::{NamedType, Schema, TableId};

/// The schema a message command reads by.
#[derive(Args)]
pub(crate) struct SchemaArgs {
    /// The schema file (`.fbs`).
    #[arg(long, value_name = "FILE")]
    schema: PathBuf,
    /// The message's root table; defaults to the schema's `root_type`.
    #[arg(long = "type", value_name = "NAME")]
    type_name: Option<String>,
    /// Folders to search for includes, after the including file's own.
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    include: Vec<PathBuf>,
}

/// A compiled schema, its layout and the message root table the arguments name.
pub(crate) struct Loaded {
    pub(crate) schema: Schema,
    pub(crate) layout: Layout,
    pub(crate) root: TableId,
}

/// Compiles the schema and finds the root table; `None` after printing diagnostics.
pub(crate) fn load(args: &SchemaArgs) -> Result<Option<Loaded>> {
    let Some((schema, layout)) =
        crate::compile(crate::compiler(&args.include).compile(&[&args.schema]))
    else {
        return Ok(None);
    };
    let root = match &args.type_name {
        Some(name) => match crate::find_type(&schema, name)? {
            NamedType::Table(id) => id,
            _ => bail!("`{name}` is a struct; a message's root is a table"),
        },
        None => match schema.root_table {
            Some(id) => id,
            None => bail!(
                "{} declares no root_type; name the root table with --type",
                args.schema.display()
            ),
        },
    };
    Ok(Some(Loaded {
        schema,
        layout,
        root,
    }))
}

pub(crate) fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

pub(crate) fn encode(args: &SchemaArgs, input: &Path, output: &Path) -> Result<ExitCode> {
    let Some(l) = load(args)? else {
        return Ok(ExitCode::FAILURE);
    };
    let text = String::from_utf8(read(input)?)
        .with_context(|| format!("{} is not UTF-8 text", input.display()))?;
    match json_to_message(&l.schema, &l.layout, l.root, &text) {
        Ok(bytes) => {
            std::fs::write(output, &bytes)
                .with_context(|| format!("cannot write {}", output.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{}:{e}", input.display());
            Ok(ExitCode::FAILURE)
        }
    }
}

pub(crate) fn decode(
    args: &SchemaArgs,
    input: &Path,
    output: Option<&Path>,
    defaults: bool,
) -> Result<ExitCode> {
    let Some(l) = load(args)? else {
        return Ok(ExitCode::FAILURE);
    };
    let bytes = read(input)?;
    match message_to_json(
        &l.schema,
        &l.layout,
        l.root,
        &bytes,
        JsonOptions { defaults },
    ) {
        Ok(json) => {
            match output {
                Some(path) => std::fs::write(path, json)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => crate::output::print(&json)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{}: {e}", input.display());
            Ok(ExitCode::FAILURE)
        }
    }
}

pub(crate) fn verify(args: &SchemaArgs, input: &Path) -> Result<ExitCode> {
    let Some(l) = load(args)? else {
        return Ok(ExitCode::FAILURE);
    };
    let bytes = read(input)?;
    match verify_message(&l.schema, &l.layout, l.root, &bytes, &Limits::default()) {
        Ok(_) => {
            crate::output::println(format!(
                "{}: valid {} message, {} bytes",
                input.display(),
                l.layout.table(l.root).name,
                bytes.len()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{}: invalid: {e}", input.display());
            Ok(ExitCode::FAILURE)
        }
    }
}
