//! `weftbuf`: check schemas and print their layouts.

mod annotate_cmd;
mod compat_cmd;
mod convert_cmd;
mod demo;
mod layout_text;
mod messages;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use weftbuf::layout::Layout;
use weftbuf::schema::{Compiler, NamedType, Schema};

/// The schema bundled into the binary, used when `layout` is given none.
const DEFAULT_SCHEMA: &str = include_str!("../../schemas/storefront.fbs");
const DEFAULT_SCHEMA_NAME: &str = "schemas/storefront.fbs";

/// Rounds of the demo's workload unless told otherwise.
const DEMO_ROUNDS: usize = 500;

/// Exit statuses, the same for every command.
const EXIT_STATUSES: &str = "Exit status: 0 when the command did what it was asked, 1 when the \
input is invalid or the work failed (a schema or message with errors, a breaking change, an \
unreadable file, a call that failed; the reasons are on standard error), 2 when the command \
line itself is wrong (an unknown option, a missing or malformed argument).";

/// One schema, one zero-copy memory layout, every boundary.
#[derive(Parser)]
#[command(name = "weftbuf", version, about, after_help = EXIT_STATUSES)]
struct Cli {
    /// What to do; without a command, the demo (`weftbuf demo`).
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check schemas: exit 0 when valid, 1 with every diagnostic otherwise.
    Check {
        /// Schema files (`.fbs`).
        #[arg(required = true)]
        schemas: Vec<PathBuf>,
        /// Folders to search for includes, after the including file's own.
        #[arg(short = 'I', long = "include", value_name = "DIR")]
        include: Vec<PathBuf>,
    },
    /// Print the byte layout of a schema's types (the bundled storefront schema by default).
    Layout {
        /// A schema file; without one, the bundled `schemas/storefront.fbs`.
        schema: Option<PathBuf>,
        /// Only this type (a table or struct, fully qualified or unique short name).
        #[arg(long = "type", value_name = "NAME")]
        type_name: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Folders to search for includes, after the including file's own.
        #[arg(short = 'I', long = "include", value_name = "DIR")]
        include: Vec<PathBuf>,
    },
    /// Encode JSON (flatc's dialect) as a weftbuf message.
    Encode {
        #[command(flatten)]
        schema: messages::SchemaArgs,
        /// The JSON input.
        input: PathBuf,
        /// Where to write the message.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
    /// Decode a weftbuf message as JSON (after verifying it).
    Decode {
        #[command(flatten)]
        schema: messages::SchemaArgs,
        /// The message.
        input: PathBuf,
        /// Where to write the JSON (standard output when omitted).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Also write fields that hold their default (flatc's --defaults-json).
        #[arg(long)]
        defaults: bool,
    },
    /// Verify a message: exit 0 when valid, 1 with the error otherwise.
    Verify {
        #[command(flatten)]
        schema: messages::SchemaArgs,
        /// The message.
        input: PathBuf,
    },
    /// Print a message byte by byte with field names (invalid bytes as far as they can be
    /// read safely; exit 1 with the verifier's error then).
    Annotate(annotate_cmd::AnnotateArgs),
    /// List every breaking change from an old schema to a new one: exit 1 when there is one.
    Compat(compat_cmd::CompatArgs),
    /// Convert between JSON, weftbuf messages and FlatBuffers binaries (input verified first).
    Convert(convert_cmd::ConvertArgs),
    /// Run the bundled storefront (frontend -> catalog -> pricing) and print what a call
    /// costs on each boundary.
    Demo {
        /// A deployment configuration (`weftbuf.toml`); without one, every service in process.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Rounds of the workload (a catalog listing and 8 quotes each), at least 1.
        #[arg(
            long,
            default_value_t = DEMO_ROUNDS,
            value_parser = at_least_one
        )]
        rounds: usize,
        /// With `--config`: the component this process runs (`frontend`, `catalog` or
        /// `pricing`); `catalog` and `pricing` serve their service where the file says.
        #[arg(long, value_name = "NAME", requires = "config")]
        component: Option<String>,
    },
    /// Generate code: one self-contained file `OUT/<schema stem>.rs` per schema.
    Gen {
        /// The language (Rust only, for now).
        #[arg(long, value_enum, default_value_t = Lang::Rust)]
        lang: Lang,
        /// Schema files (`.fbs`).
        #[arg(required = true)]
        schemas: Vec<PathBuf>,
        /// Folders to search for includes, after the including file's own.
        #[arg(short = 'I', long = "include", value_name = "DIR")]
        include: Vec<PathBuf>,
        /// The output folder.
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: PathBuf,
        /// Also a trait, server and client per `rpc_service`, over the `weftbuf-rpc` crate.
        #[arg(long)]
        rpc: bool,
    },
}

/// A language `gen` writes.
#[derive(Clone, Copy, ValueEnum)]
enum Lang {
    /// Rust: views, verifiers, builders and owned types over `weftbuf_rt`.
    Rust,
}

/// How `layout` prints.
#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A table per type: offset, size, padding, field.
    Text,
    /// The whole `Layout` as JSON, for tools.
    Json,
    /// The WebAssembly GC type definitions, as a module with one `rec` group.
    Wat,
    /// The code-generation model (what every code generator prints from) as JSON, for code
    /// generators written elsewhere.
    Model,
}

fn main() -> ExitCode {
    // A wrong command line exits with 2, after clap's usage message.
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) if output::reader_gone(&e) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A count of at least 1, for options where 0 would measure nothing.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("it must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("not a count: {e}")),
    }
}

pub(crate) fn compiler(include: &[PathBuf]) -> Compiler {
    include
        .iter()
        .fold(Compiler::new(), |c, dir| c.include_dir(dir.clone()))
}

/// Compiles and lays out; on diagnostics prints them and returns `None`.
pub(crate) fn compile(
    result: Result<Schema, weftbuf::schema::Diagnostics>,
) -> Option<(Schema, Layout)> {
    let schema = match result {
        Ok(schema) => schema,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return None;
        }
    };
    match Layout::new(&schema) {
        Ok(layout) => Some((schema, layout)),
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            None
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let command = cli.command.unwrap_or(Command::Demo {
        config: None,
        rounds: DEMO_ROUNDS,
        component: None,
    });
    match command {
        Command::Demo {
            config,
            rounds,
            component,
        } => {
            demo::run(config.as_deref(), component.as_deref(), rounds)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Gen {
            lang: Lang::Rust,
            schemas,
            include,
            output,
            rpc,
        } => {
            std::fs::create_dir_all(&output)
                .with_context(|| format!("cannot create {}", output.display()))?;
            for path in &schemas {
                let Some((schema, layout)) = compile(compiler(&include).compile(&[path])) else {
                    return Ok(ExitCode::FAILURE);
                };
                let stem = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "schema".into());
                let name = path
                    .file_name()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let options = weftbuf::codegen::rust::Options { rpc };
                let code = weftbuf::codegen::rust::generate_with(&schema, &layout, &name, &options)
                    .with_context(|| format!("generating Rust for {}", path.display()))?;
                let target = output.join(format!("{stem}.rs"));
                std::fs::write(&target, code)
                    .with_context(|| format!("cannot write {}", target.display()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { schemas, include } => {
            let mut ok = true;
            // Each file is checked on its own, as `flatc` does with several inputs.
            for path in &schemas {
                ok &= compile(compiler(&include).compile(&[path])).is_some();
            }
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Encode {
            schema,
            input,
            output,
        } => messages::encode(&schema, &input, &output),
        Command::Decode {
            schema,
            input,
            output,
            defaults,
        } => messages::decode(&schema, &input, output.as_deref(), defaults),
        Command::Verify { schema, input } => messages::verify(&schema, &input),
        Command::Annotate(args) => annotate_cmd::run(&args),
        Command::Compat(args) => compat_cmd::run(&args),
        Command::Convert(args) => convert_cmd::run(&args),
        Command::Layout {
            schema,
            type_name,
            format,
            include,
        } => {
            // The schema file's name, as generated code cites it.
            let source = schema
                .as_ref()
                .and_then(|p| p.file_name())
                .map_or(DEFAULT_SCHEMA_NAME.to_string(), |n| {
                    n.to_string_lossy().into_owned()
                });
            let compiled = match &schema {
                Some(path) => compile(compiler(&include).compile(&[path])),
                None => {
                    compile(compiler(&include).compile_source(DEFAULT_SCHEMA_NAME, DEFAULT_SCHEMA))
                }
            };
            let Some((schema, layout)) = compiled else {
                return Ok(ExitCode::FAILURE);
            };
            let selected = match &type_name {
                Some(name) => Some(find_type(&schema, name)?),
                None => None,
            };
            let text = match format {
                Format::Text => layout_text::render(&schema, &layout, selected),
                Format::Json => {
                    let json = match selected {
                        None => serde_json::to_string_pretty(&layout),
                        Some(NamedType::Table(id)) => {
                            serde_json::to_string_pretty(layout.table(id))
                        }
                        Some(NamedType::Struct(id)) => {
                            serde_json::to_string_pretty(layout.struct_layout(id))
                        }
                        Some(_) => bail!("only tables and structs have a layout"),
                    };
                    json.context("serializing the layout")? + "\n"
                }
                Format::Wat => weftbuf::codegen::wat::generate(&schema, &layout)?,
                Format::Model => {
                    let model = weftbuf::codegen::model::Model::new(&schema, &layout, &source)?;
                    let json = match selected {
                        None => serde_json::to_string_pretty(&model),
                        Some(NamedType::Table(id)) => serde_json::to_string_pretty(model.table(id)),
                        Some(NamedType::Struct(id)) => {
                            serde_json::to_string_pretty(model.structure(id))
                        }
                        Some(_) => bail!("only tables and structs have a layout"),
                    };
                    json.context("serializing the model")? + "\n"
                }
            };
            output::print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Finds a table or struct by qualified name, or by a short name that is unique.
pub(crate) fn find_type(schema: &Schema, name: &str) -> Result<NamedType> {
    if let Some(found) = schema.find_type(name) {
        return match found {
            NamedType::Table(_) | NamedType::Struct(_) => Ok(found),
            _ => bail!("`{name}` is an enum or union; only tables and structs have a layout"),
        };
    }
    let candidates: Vec<String> = schema
        .tables
        .iter()
        .map(|t| &t.info.name)
        .chain(schema.structs.iter().map(|s| &s.info.name))
        .filter(|q| q.name == name)
        .map(|q| q.dotted())
        .collect();
    match candidates.as_slice() {
        [one] => find_type(schema, one),
        [] => {
            let known: Vec<String> = schema
                .tables
                .iter()
                .map(|t| t.info.name.dotted())
                .chain(schema.structs.iter().map(|s| s.info.name.dotted()))
                .collect();
            match weftbuf::suggest::closest(name, known.iter().map(String::as_str)) {
                Some(near) => {
                    bail!(
                        "no table or struct named `{name}` in the schema (did you mean `{near}`?)"
                    )
                }
                None => bail!("no table or struct named `{name}` in the schema"),
            }
        }
        many => bail!("`{name}` is ambiguous: {}", many.join(", ")),
    }
}
