//! Schema evolution on the corpus pair `evolution_v1.fbs` / `evolution_v2.fbs`: data written with
//! one version reads with the other, both ways (ids swapped in the file, fields added,
//! deprecated and renamed, a union member and enum values added). A reader that meets a union
//! member or enum value it does not know sees it as unknown, not as an error.
//!
//! The corpus pair also moves every type from namespace `Evolution.V1` to `Evolution.V2`. Type
//! identity is the qualified name, so weftbuf treats that move as a breaking change (a message
//! of one is refused as the other); the round trips below use v2 with its namespace line set
//! back to `Evolution.V1`.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use common::json_compare::json_differences;
use weftbuf::json::{JsonOptions, json_to_message, message_to_json};
use weftbuf::layout::Layout;
use weftbuf::message::{Limits, VerifyError, verify};
use weftbuf::schema::{Compiler, Schema};

struct Version {
    schema: Schema,
    layout: Layout,
}

fn dir() -> std::path::PathBuf {
    common::corpus_dir().join("flatbuffers/tests/evolution_test")
}

fn version(file: &str, same_namespace: bool) -> Version {
    let path = dir().join(file);
    let mut text = std::fs::read_to_string(&path).unwrap();
    if same_namespace {
        text = text.replace("namespace Evolution.V2;", "namespace Evolution.V1;");
    }
    let schema = Compiler::new()
        .compile_source(path.to_str().unwrap(), &text)
        .unwrap();
    let layout = Layout::new(&schema).unwrap();
    Version { schema, layout }
}

fn write(v: &Version, json: &str) -> Vec<u8> {
    json_to_message(&v.schema, &v.layout, v.schema.root_table.unwrap(), json).unwrap()
}

fn read(v: &Version, bytes: &[u8]) -> String {
    message_to_json(
        &v.schema,
        &v.layout,
        v.schema.root_table.unwrap(),
        bytes,
        JsonOptions::default(),
    )
    .unwrap()
}

fn data(file: &str) -> String {
    let text = std::fs::read_to_string(dir().join(file)).unwrap();
    // v1's `j` has no `j_type` (see json_flatc.rs): flatc reads it as NONE, so does this test.
    text.replace(",\n  \"j\": {\n    \"a\": 984\n  }", "")
}

#[test]
fn v1_data_reads_with_v2() {
    let Some(_) = common::corpus() else { return };
    let (v1, v2) = (
        version("evolution_v1.fbs", false),
        version("evolution_v2.fbs", true),
    );
    let bytes = write(&v1, &data("evolution_v1.json"));
    // v2 deprecated `a` and `j`, renamed `f` to `ff`, made `i` a uint, and added `k` and `l`
    // (`d` = King, `i` = 1234 and `l` = 56 hold their defaults, which JSON leaves out).
    let expected = r#"{
      "b": true, "c_type": "TableB", "c": { "a": 15 },
      "e": { "a": 3.1452, "b": 325 }, "ff": { "a": 16, "b": 243.980943 },
      "g": [7, 8, 9], "h": [{ "a": 212 }, { "a": 459 }]
    }"#;
    assert_eq!(
        json_differences(expected, &read(&v2, &bytes)),
        Vec::<String>::new()
    );
    let all = message_to_json(
        &v2.schema,
        &v2.layout,
        v2.schema.root_table.unwrap(),
        &bytes,
        JsonOptions { defaults: true },
    )
    .unwrap();
    for expected in ["\"d\": \"King\"", "\"i\": 1234", "\"l\": 56"] {
        assert!(all.contains(expected), "{expected} missing in {all}");
    }
}

#[test]
fn v2_data_reads_with_v1() {
    let Some(_) = common::corpus() else { return };
    let (v1, v2) = (
        version("evolution_v1.fbs", false),
        version("evolution_v2.fbs", true),
    );
    let bytes = write(&v2, &data("evolution_v2.json"));
    // v1 does not know union member TableC (3) nor enum value Bishop (3): both read as
    // numbers; `e.c`, `k` and `l` are past the objects v1 knows and are ignored.
    let expected = r#"{
      "c_type": 3, "d": 3,
      "e": { "a": 3.1452, "b": 435 }, "f": { "a": 35, "b": 243.980943 },
      "g": [7, 8, 10], "h": [{ "a": 212 }, { "a": 459 }, { "a": 333 }], "i": 4321
    }"#;
    assert_eq!(
        json_differences(expected, &read(&v1, &bytes)),
        Vec::<String>::new()
    );
}

#[test]
fn a_namespace_move_is_a_breaking_change() {
    let Some(_) = common::corpus() else { return };
    let (v1, v2) = (
        version("evolution_v1.fbs", false),
        version("evolution_v2.fbs", false),
    );
    let bytes = write(&v1, &data("evolution_v1.json"));
    let err = verify(
        &v2.schema,
        &v2.layout,
        v2.schema.root_table.unwrap(),
        &bytes,
        &Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(err, VerifyError::RootTypeMismatch { .. }), "{err}");
    assert!(err.to_string().contains("not `Evolution.V2.Root`"), "{err}");
}

/// Fields added into the gaps alignment left (`docs/layout.md`, section 8): an old message
/// reads them as absent, and an old reader reads a new message as before.
#[test]
fn fields_added_into_gaps_read_as_absent_both_ways() {
    let compile = |text: &str| {
        let schema = Compiler::new().compile_source("gaps.fbs", text).unwrap();
        let layout = Layout::new(&schema).unwrap();
        Version { schema, layout }
    };
    let old = compile("table T { a: byte; b: int; } root_type T;");
    let new = compile(
        "table T { a: byte; b: int; c: short; d: byte = null; e: [ubyte]; hp: short = 100; }
         root_type T;",
    );
    // `c` and `d` take the gap between `a` and `b`; `e` and `hp` go past the old end.
    let members: Vec<(&str, u32)> = new.layout.tables[0]
        .members
        .iter()
        .map(|m| (m.name.as_str(), m.offset))
        .collect();
    assert_eq!(
        members,
        [
            ("a", 0),
            ("b", 4),
            ("c", 2),
            ("d.present", 1),
            ("d", 8),
            ("e", 12),
            ("hp", 16)
        ]
    );
    let old_bytes = write(&old, "{ a: 1, b: 2 }");
    // Every new field reads as its default (`c` 0, `d` and `e` null, `hp` 100), which JSON
    // leaves out.
    let as_new = read(&new, &old_bytes);
    assert_eq!(
        json_differences(&as_new, r#"{ "a": 1, "b": 2 }"#),
        Vec::<String>::new(),
        "{as_new}"
    );
    let new_bytes = write(&new, "{ a: 1, b: 2, c: 3, d: 4, e: [5], hp: 6 }");
    let as_old = read(&old, &new_bytes);
    assert_eq!(
        json_differences(&as_old, r#"{ "a": 1, "b": 2 }"#),
        Vec::<String>::new(),
        "{as_old}"
    );
}
