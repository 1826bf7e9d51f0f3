//! FlatBuffers interop against real flatc, for every corpus JSON file and the project's
//! `everything` sample:
//! (a) flatc builds the binary; weftbuf verifies it and reads the same data flatc reads;
//! (b) weftbuf writes a FlatBuffers binary (from its own message); flatc reads it back to the
//!     same data;
//! and both transcodings compose: FlatBuffers -> weftbuf -> FlatBuffers reads the same, and
//! weftbuf -> FlatBuffers -> weftbuf gives back the very same bytes. A size-prefixed buffer
//! round-trips too.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::path::{Path, PathBuf};

use common::flatc_run::{flatc_binary, flatc_read};
use common::json_compare::json_differences;
use weftbuf::flatbuffers::{
    Framing, WriteOptions, flatbuffer_to_message, message_to_flatbuffer, verify_flatbuffer,
};
use weftbuf::json::{JsonOptions, json_to_message, to_json};
use weftbuf::layout::Layout;
use weftbuf::message::{Limits, Reader};
use weftbuf::schema::Schema;

fn cases() -> Vec<(PathBuf, PathBuf)> {
    let tests = common::corpus_dir().join("flatbuffers/tests");
    let project = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    common::CORPUS_JSON
        .iter()
        .map(|(s, j)| (tests.join(s), tests.join(j)))
        .chain(std::iter::once((
            project.join("everything.fbs"),
            project.join("everything.json"),
        )))
        .collect()
}

fn load(schema: &Path) -> (Schema, Layout) {
    let schema = common::corpus_compiler().compile(&[schema]).unwrap();
    let layout = Layout::new(&schema).unwrap();
    (schema, layout)
}

/// weftbuf's reading of a FlatBuffers binary, as JSON with defaults.
fn read_flatbuffer(schema: &Schema, layout: &Layout, bytes: &[u8], framing: Framing) -> String {
    let root = schema.root_table.unwrap();
    let verified = verify_flatbuffer(schema, layout, root, bytes, framing, &Limits::default())
        .unwrap_or_else(|e| panic!("{e}"));
    to_json(
        &Reader::new(schema, layout, verified).root(root).unwrap(),
        JsonOptions { defaults: true },
    )
    .unwrap()
}

fn check(failures: &mut Vec<String>, what: &str, json: &Path, expected: &str, found: &str) {
    let differences = json_differences(expected, found);
    if !differences.is_empty() {
        failures.push(format!(
            "{what} {}:\n  {}",
            json.display(),
            differences.join("\n  ")
        ));
    }
}

#[test]
fn flatbuffers_interop_agrees_with_flatc() {
    let Some(flatc) = common::flatc() else { return };
    let Some(_) = common::corpus() else { return };
    let mut failures = Vec::new();
    for (schema_path, json_path) in cases() {
        let (schema, layout) = load(&schema_path);
        let root = schema.root_table.unwrap();
        let flatc_bin = flatc_binary(&flatc, &schema_path, &json_path, &[]);
        let flatc_json = flatc_read(&flatc, &schema_path, &flatc_bin, &[]);

        // (a) weftbuf reads flatc's binary as flatc does.
        let ours = read_flatbuffer(&schema, &layout, &flatc_bin, Framing::default());
        check(&mut failures, "(a) reading", &json_path, &flatc_json, &ours);

        // (b) flatc reads weftbuf's FlatBuffers as the same data.
        let text = std::fs::read_to_string(&json_path).unwrap();
        let message = json_to_message(&schema, &layout, root, &text).unwrap();
        let ours_bin =
            message_to_flatbuffer(&schema, &layout, root, &message, WriteOptions::default())
                .unwrap();
        let back = flatc_read(&flatc, &schema_path, &ours_bin, &[]);
        check(
            &mut failures,
            "(b) flatc reading weftbuf's",
            &json_path,
            &flatc_json,
            &back,
        );

        // FlatBuffers -> weftbuf -> FlatBuffers reads the same, and weftbuf -> FlatBuffers ->
        // weftbuf is the identity on bytes.
        let transcoded =
            flatbuffer_to_message(&schema, &layout, root, &flatc_bin, Framing::default()).unwrap();
        let again =
            message_to_flatbuffer(&schema, &layout, root, &transcoded, WriteOptions::default())
                .unwrap();
        check(
            &mut failures,
            "FlatBuffers -> weftbuf -> FlatBuffers",
            &json_path,
            &flatc_json,
            &flatc_read(&flatc, &schema_path, &again, &[]),
        );
        let round =
            flatbuffer_to_message(&schema, &layout, root, &ours_bin, Framing::default()).unwrap();
        if round != message {
            failures.push(format!(
                "weftbuf -> FlatBuffers -> weftbuf changed the bytes of {}",
                json_path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn size_prefixed_buffers_round_trip() {
    let Some(flatc) = common::flatc() else { return };
    let Some(_) = common::corpus() else { return };
    let (schema_path, json_path) = cases().remove(0);
    let (schema, layout) = load(&schema_path);
    let root = schema.root_table.unwrap();
    let prefixed = flatc_binary(&flatc, &schema_path, &json_path, &["--size-prefixed"]);
    let framing = Framing {
        size_prefixed: true,
        ..Framing::default()
    };
    let expected = flatc_read(&flatc, &schema_path, &prefixed, &["--size-prefixed"]);
    assert_eq!(
        json_differences(
            &expected,
            &read_flatbuffer(&schema, &layout, &prefixed, framing)
        ),
        Vec::<String>::new()
    );
    let message = flatbuffer_to_message(&schema, &layout, root, &prefixed, framing).unwrap();
    let ours = message_to_flatbuffer(
        &schema,
        &layout,
        root,
        &message,
        WriteOptions {
            size_prefixed: true,
        },
    )
    .unwrap();
    let back = flatc_read(&flatc, &schema_path, &ours, &["--size-prefixed"]);
    assert_eq!(json_differences(&expected, &back), Vec::<String>::new());
}
