//! FlatBuffers' whole schema suite (`../shared/flatbuffers-suite/`), with flatc 25.12 as the
//! oracle: weftbuf accepts every schema flatc accepts (it compiles, lays out, maps to
//! WebAssembly GC types and generates Rust) and rejects every schema flatc rejects.
//!
//! Both run each schema the way FlatBuffers' own tests run flatc: with the schema's folder,
//! `tests/`, `tests/include_test`, `tests/include_test/sub` and the suite's root (where
//! FlatBuffers' scripts run, for `include "tests/..."`) as include folders, in that order.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::path::{Path, PathBuf};

use weftbuf::layout::Layout;
use weftbuf::schema::Compiler;

/// Fewer schemas than this means the suite is incomplete.
const MIN_SCHEMAS: usize = 80;

/// The suite's schemas and, for each, its include folders.
fn cases() -> Option<Vec<(PathBuf, Vec<PathBuf>)>> {
    let root = common::suite()?;
    let tests = root.join("tests");
    let schemas = common::schemas_under(tests.clone());
    assert!(
        schemas.len() >= MIN_SCHEMAS,
        "only {} schemas in the suite",
        schemas.len()
    );
    Some(
        schemas
            .into_iter()
            .map(|schema| {
                let own = schema.parent().map(Path::to_path_buf).unwrap_or_default();
                let includes = vec![
                    own,
                    tests.clone(),
                    tests.join("include_test"),
                    tests.join("include_test/sub"),
                    root.clone(),
                ];
                (schema, includes)
            })
            .collect(),
    )
}

/// What weftbuf makes of `schema`: `Ok` when it compiles and every later stage takes it, else
/// the diagnostics.
fn weftbuf_verdict(schema: &Path, includes: &[PathBuf]) -> Result<(), String> {
    let compiler = includes
        .iter()
        .fold(Compiler::new(), |c, dir| c.include_dir(dir));
    let compiled = compiler.compile(&[schema]).map_err(|d| d.to_string())?;
    let layout = Layout::new(&compiled).map_err(|d| d.to_string())?;
    // The later stages of an accepted schema run too: none may fail or panic on it.
    weftbuf::codegen::wat::generate(&compiled, &layout).map_err(|e| e.to_string())?;
    let name = schema.file_name().unwrap().to_string_lossy();
    let options = weftbuf::codegen::rust::Options { rpc: true };
    weftbuf::codegen::rust::generate_with(&compiled, &layout, &name, &options)
        .map_err(|e| e.to_string())?;
    Ok(())
}

#[test]
fn weftbuf_accepts_and_rejects_the_suite_as_flatc_does() {
    let Some(flatc) = common::flatc() else { return };
    let Some(cases) = cases() else { return };
    let mut disagreements = Vec::new();
    let mut rejected = 0;
    for (schema, includes) in &cases {
        let dirs: Vec<&Path> = includes.iter().map(PathBuf::as_path).collect();
        let (flatc_accepts, flatc_says) = common::run_flatc_with(&flatc, schema, &dirs);
        let ours = weftbuf_verdict(schema, includes);
        rejected += usize::from(!flatc_accepts);
        let listed = REJECTED.iter().any(|(path, _)| schema.ends_with(path));
        if flatc_accepts == listed {
            disagreements.push(format!(
                "{}: flatc {}, and REJECTED says otherwise",
                schema.display(),
                if flatc_accepts { "accepts" } else { "rejects" }
            ));
        }
        if flatc_accepts != ours.is_ok() {
            disagreements.push(format!(
                "{}: flatc {}, weftbuf {}\n  flatc: {}\n  weftbuf: {}",
                schema.display(),
                if flatc_accepts { "accepts" } else { "rejects" },
                if ours.is_ok() { "accepts" } else { "rejects" },
                flatc_says.trim(),
                ours.err().unwrap_or_default().trim(),
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} schemas:\n{}",
        disagreements.len(),
        cases.len(),
        disagreements.join("\n\n")
    );
    assert_eq!(rejected, REJECTED.len());
}

/// The schemas flatc rejects (the test above checks this list against it), and why.
const REJECTED: &[(&str, &str)] = &[
    (
        "name_clash_test/invalid_test1.fbs",
        "the suite's negative case: two tables of one name",
    ),
    (
        "flatc/bar/bar_with_foo.fbs",
        "includes `baz/baz.fbs`, which the suite does not hold",
    ),
    (
        "ts/typescript_keywords.fbs",
        "includes `reflection/reflection.fbs`, outside FlatBuffers' `tests/`",
    ),
    (
        "test.fbs",
        "includes `imported.fbs`, generated from a `.proto` by FlatBuffers' scripts",
    ),
    ("prototest/test_include.golden.fbs", "as `test.fbs`"),
    ("prototest/test_include_id.golden.fbs", "as `test.fbs`"),
    ("prototest/test_union_include.golden.fbs", "as `test.fbs`"),
    (
        "prototest/test_union_include_id.golden.fbs",
        "as `test.fbs`",
    ),
];

/// Without flatc, what the oracle says is known ([`REJECTED`]): every other schema of the
/// suite is accepted.
#[test]
fn every_suite_schema_flatc_accepts_is_accepted() {
    let Some(cases) = cases() else { return };
    let mut failures = Vec::new();
    for (schema, includes) in &cases {
        let negative = REJECTED.iter().any(|(path, _)| schema.ends_with(path));
        match (negative, weftbuf_verdict(schema, includes)) {
            (false, Err(diagnostics)) => failures.push(diagnostics),
            (true, Ok(())) => failures.push(format!("{} was accepted", schema.display())),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
