//! `weftbuf convert`: between JSON, weftbuf messages and FlatBuffers binaries.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use weftbuf::flatbuffers::{
    Framing, WriteOptions, flatbuffer_to_message, message_to_flatbuffer, verify_flatbuffer,
};
use weftbuf::json::{JsonOptions, json_to_message, message_to_json, to_json};
use weftbuf::message::{Limits, Reader, verify};

use crate::messages::{Loaded, SchemaArgs, load, read};

/// A data format `convert` reads or writes.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DataFormat {
    /// JSON in flatc's dialect.
    Json,
    /// A weftbuf message.
    Weftbuf,
    /// A FlatBuffers binary.
    Flatbuffers,
}

/// Arguments of `weftbuf convert`.
#[derive(Args)]
pub(crate) struct ConvertArgs {
    #[command(flatten)]
    schema: SchemaArgs,
    /// The input's format.
    #[arg(long, value_enum)]
    from: DataFormat,
    /// The output's format.
    #[arg(long, value_enum)]
    to: DataFormat,
    /// FlatBuffers input and output carry a u32 size prefix (flatc's --size-prefixed).
    #[arg(long)]
    size_prefixed: bool,
    /// Accept FlatBuffers input whose file identifier is not the schema's.
    #[arg(long)]
    no_identifier_check: bool,
    /// Write JSON fields that hold their default too.
    #[arg(long)]
    defaults: bool,
    /// The input file.
    input: PathBuf,
    /// Where to write the output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
}

/// Runs `weftbuf convert`: exit 0 on success, 1 when the input is invalid.
pub(crate) fn run(args: &ConvertArgs) -> Result<ExitCode> {
    let Some(l) = load(&args.schema)? else {
        return Ok(ExitCode::FAILURE);
    };
    let input = read(&args.input)?;
    match convert(&l, args, &input) {
        Ok(output) => {
            std::fs::write(&args.output, output)
                .with_context(|| format!("cannot write {}", args.output.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(message) => {
            eprintln!("{}: {message}", args.input.display());
            Ok(ExitCode::FAILURE)
        }
    }
}

fn convert(l: &Loaded, args: &ConvertArgs, input: &[u8]) -> Result<Vec<u8>, String> {
    let framing = Framing {
        size_prefixed: args.size_prefixed,
        check_identifier: !args.no_identifier_check,
    };
    let json_options = JsonOptions {
        defaults: args.defaults,
    };
    let (schema, layout, root) = (&l.schema, &l.layout, l.root);
    // A FlatBuffers binary becomes JSON in place, through the views, without a copy.
    if args.from == DataFormat::Flatbuffers && args.to == DataFormat::Json {
        let verified = verify_flatbuffer(schema, layout, root, input, framing, &Limits::default())
            .map_err(|e| format!("not a valid FlatBuffers binary: {e}"))?;
        let table = Reader::new(schema, layout, verified)
            .root(root)
            .map_err(|e| e.to_string())?;
        return to_json(&table, json_options)
            .map(String::into_bytes)
            .map_err(|e| e.to_string());
    }
    // Everything else goes through a weftbuf message.
    let message = match args.from {
        DataFormat::Json => {
            let text = std::str::from_utf8(input).map_err(|e| format!("not UTF-8 text: {e}"))?;
            json_to_message(schema, layout, root, text).map_err(|e| e.to_string())?
        }
        DataFormat::Flatbuffers => flatbuffer_to_message(schema, layout, root, input, framing)
            .map_err(|e| format!("not a valid FlatBuffers binary: {e}"))?,
        DataFormat::Weftbuf => {
            verify(schema, layout, root, input, &Limits::default())
                .map_err(|e| format!("not a valid weftbuf message: {e}"))?;
            input.to_vec()
        }
    };
    match args.to {
        DataFormat::Weftbuf => Ok(message),
        DataFormat::Json => message_to_json(schema, layout, root, &message, json_options)
            .map(String::into_bytes)
            .map_err(|e| e.to_string()),
        DataFormat::Flatbuffers => {
            let options = WriteOptions {
                size_prefixed: args.size_prefixed,
            };
            message_to_flatbuffer(schema, layout, root, &message, options)
                .map_err(|e| e.to_string())
        }
    }
}
