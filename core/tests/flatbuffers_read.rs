//! Real FlatBuffers binaries, verified with FlatBuffers' rules and read through weftbuf's
//! views.
//!
//! `monsterdata_test.mon` was built by flatc from `monsterdata_test.json`. It reads as flatc
//! itself reads it, and as the JSON it came from. (The corpus's `monsterdata_test.golden` is
//! the text of another buffer, the one FlatBuffers' C++ tests build in code: flatc's own
//! reading of the `.mon` differs from it too, e.g. 5 inventory items against 10.)
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::path::PathBuf;

use common::json_compare::json_differences;
use weftbuf::flatbuffers::{Framing, verify_flatbuffer};
use weftbuf::json::{JsonOptions, json_to_message, message_to_json, to_json};
use weftbuf::layout::Layout;
use weftbuf::message::{Format, Limits, Reader};
use weftbuf::schema::Schema;

fn tests_dir() -> PathBuf {
    common::corpus_dir().join("flatbuffers/tests")
}

fn monster() -> (Schema, Layout) {
    let schema = common::corpus_compiler()
        .compile(&[tests_dir().join("monster_test.fbs")])
        .unwrap();
    let layout = Layout::new(&schema).unwrap();
    (schema, layout)
}

/// The `.mon` through weftbuf's FlatBuffers reader, as JSON with defaults.
fn mon_as_json(schema: &Schema, layout: &Layout) -> String {
    let root = schema.root_table.unwrap();
    let bytes = std::fs::read(tests_dir().join("monsterdata_test.mon")).unwrap();
    let verified = verify_flatbuffer(
        schema,
        layout,
        root,
        &bytes,
        Framing::default(),
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(verified.format(), Format::FlatBuffers);
    let table = Reader::new(schema, layout, verified).root(root).unwrap();
    to_json(&table, JsonOptions { defaults: true }).unwrap()
}

#[test]
fn monsterdata_test_mon_reads_as_the_json_it_was_built_from() {
    let Some(_) = common::corpus() else { return };
    let (schema, layout) = monster();
    let root = schema.root_table.unwrap();
    let source = std::fs::read_to_string(tests_dir().join("monsterdata_test.json")).unwrap();
    let message = json_to_message(&schema, &layout, root, &source).unwrap();
    let expected = message_to_json(
        &schema,
        &layout,
        root,
        &message,
        JsonOptions { defaults: true },
    )
    .unwrap();
    assert_eq!(
        json_differences(&expected, &mon_as_json(&schema, &layout)),
        Vec::<String>::new()
    );
}

#[test]
fn monsterdata_test_mon_reads_as_flatc_reads_it() {
    let Some(flatc) = common::flatc() else { return };
    let Some(_) = common::corpus() else { return };
    let (schema, layout) = monster();
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(&flatc)
        .args([
            "--json",
            "--strict-json",
            "--defaults-json",
            "--raw-binary",
            "-o",
        ])
        .arg(out.path())
        .arg("-I")
        .arg(tests_dir().join("include_test"))
        .arg(tests_dir().join("monster_test.fbs"))
        .arg("--")
        .arg(tests_dir().join("monsterdata_test.mon"))
        .status()
        .unwrap();
    assert!(status.success());
    let theirs = std::fs::read_to_string(out.path().join("monsterdata_test.json")).unwrap();
    assert_eq!(
        json_differences(&theirs, &mon_as_json(&schema, &layout)),
        Vec::<String>::new()
    );
}
