//! Every JSON file of the corpus, through weftbuf and through real flatc: weftbuf encodes it,
//! verifies the message, and decodes it to the same data flatc reads from the same JSON
//! (compared with `--defaults-json`, so every field counts); and flatc reads weftbuf's JSON.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::path::{Path, PathBuf};

use common::flatc_run::flatc_json;
use common::json_compare::json_differences;
use weftbuf::json::{JsonOptions, json_to_message, message_to_json};
use weftbuf::layout::Layout;

/// The corpus cases, and `evolution_v1.json` (read through `corpus_json`).
fn corpus_cases() -> impl Iterator<Item = (&'static str, &'static str)> {
    common::CORPUS_JSON.iter().copied().chain(std::iter::once((
        "evolution_test/evolution_v1.fbs",
        "evolution_test/evolution_v1.json",
    )))
}

fn tests_dir() -> PathBuf {
    common::corpus_dir().join("flatbuffers/tests")
}

/// Every (schema, JSON) pair: the corpus's, and the project's own `everything` sample, which
/// uses every feature of the layout.
fn cases() -> Vec<(PathBuf, PathBuf)> {
    let project = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    corpus_cases()
        .map(|(schema, json)| {
            (
                tests_dir().join(schema),
                corpus_json(&tests_dir().join(json)),
            )
        })
        .chain(std::iter::once((
            project.join("everything.fbs"),
            project.join("everything.json"),
        )))
        .collect()
}

/// `evolution_v1.json` sets the union `j` without `j_type`. flatc stores the value with a NONE
/// discriminant (a union its own reader then refuses to print); weftbuf rejects the file with a
/// clear error (see `a_union_value_without_its_type_is_an_error`). The comparison uses the file
/// without `j`, which is what flatc's binary means: `j` is NONE.
fn corpus_json(json: &Path) -> PathBuf {
    let text = std::fs::read_to_string(json).unwrap();
    let dangling = ",\n  \"j\": {\n    \"a\": 984\n  }";
    if !text.contains(dangling) {
        return json.to_path_buf();
    }
    let dir = std::env::temp_dir().join(format!("weftbuf-json-flatc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(json.file_name().unwrap());
    std::fs::write(&path, text.replace(dangling, "")).unwrap();
    path
}

/// weftbuf's JSON (with defaults) for `json`: encode, verify, decode.
fn weftbuf_json(schema_path: &Path, json: &Path) -> String {
    let schema = common::corpus_compiler().compile(&[schema_path]).unwrap();
    let layout = Layout::new(&schema).unwrap();
    let root = schema.root_table.unwrap();
    let text = std::fs::read_to_string(json).unwrap();
    let bytes = json_to_message(&schema, &layout, root, &text)
        .unwrap_or_else(|e| panic!("{}: {e}", json.display()));
    message_to_json(
        &schema,
        &layout,
        root,
        &bytes,
        JsonOptions { defaults: true },
    )
    .unwrap_or_else(|e| panic!("{}: {e}", json.display()))
}

#[test]
fn every_corpus_json_decodes_as_flatc_reads_it() {
    let Some(flatc) = common::flatc() else { return };
    let Some(_) = common::corpus() else { return };
    let mut failures = Vec::new();
    for (schema, json) in cases() {
        let ours = weftbuf_json(&schema, &json);
        let theirs = flatc_json(&flatc, &schema, &json);
        let differences = json_differences(&theirs, &ours);
        if !differences.is_empty() {
            failures.push(format!(
                "{}:\n  {}",
                json.display(),
                differences.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn flatc_reads_the_json_weftbuf_writes() {
    let Some(flatc) = common::flatc() else { return };
    let Some(_) = common::corpus() else { return };
    let mut failures = Vec::new();
    for (schema, json) in cases() {
        let ours = weftbuf_json(&schema, &json);
        let dir = tempfile::tempdir().unwrap();
        let ours_path = dir.path().join(json.file_name().unwrap());
        std::fs::write(&ours_path, &ours).unwrap();
        // flatc builds a binary from weftbuf's JSON and reads it back to the same data.
        let round_trip = flatc_json(&flatc, &schema, &ours_path);
        let differences = json_differences(&ours, &round_trip);
        if !differences.is_empty() {
            failures.push(format!(
                "{}:\n  {}",
                json.display(),
                differences.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_union_value_without_its_type_is_an_error() {
    let Some(_) = common::corpus() else { return };
    let schema_path = tests_dir().join("evolution_test/evolution_v1.fbs");
    let schema = common::corpus_compiler().compile(&[schema_path]).unwrap();
    let layout = Layout::new(&schema).unwrap();
    let text =
        std::fs::read_to_string(tests_dir().join("evolution_test/evolution_v1.json")).unwrap();
    let err = json_to_message(&schema, &layout, schema.root_table.unwrap(), &text).unwrap_err();
    assert_eq!(
        err.to_string(),
        "26:8: Root.j: a union value needs its `_type` field"
    );
}
