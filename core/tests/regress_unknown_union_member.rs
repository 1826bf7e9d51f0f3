//! Found by fuzzing (`fuzz/fuzz_targets/flatbuffers.rs`): a FlatBuffers buffer whose union
//! holds a member the reader's schema does not know (a newer writer added it) verifies and
//! reads, as forward compatibility requires, but cannot be transcoded: its type is unknown.
//! The transcoder must say so with a typed error, not a confusing one (or a panic).
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use weftbuf::flatbuffers::{
    Framing, TranscodeError, WriteOptions, encode_flatbuffer, flatbuffer_to_message,
    verify_flatbuffer,
};
use weftbuf::json::{JsonOptions, to_json};
use weftbuf::layout::Layout;
use weftbuf::message::{BuildError, Limits, Reader, Scalar, Value};
use weftbuf::schema::{Compiler, Schema, TableId};

fn compile(union: &str) -> (Schema, Layout, TableId) {
    let text = format!(
        "table A {{ x: int; }} table B {{ y: int; }} union U {{ {union} }} table R {{ u: U; }} root_type R;"
    );
    let schema = Compiler::new().compile_source("r.fbs", &text).unwrap();
    let layout = Layout::new(&schema).unwrap();
    let root = schema.root_table.unwrap();
    (schema, layout, root)
}

#[test]
fn an_unknown_union_member_reads_but_does_not_transcode() {
    let (new, new_layout, new_root) = compile("A, B");
    let (old, old_layout, old_root) = compile("A");
    let value = Value::Table(vec![Some(Value::Union {
        discriminant: 2,
        value: Box::new(Value::Table(vec![Some(Value::Scalar(Scalar::Int(5)))])),
    })]);
    let buffer =
        encode_flatbuffer(&new, &new_layout, new_root, &value, WriteOptions::default()).unwrap();

    let verified = verify_flatbuffer(
        &old,
        &old_layout,
        old_root,
        &buffer,
        Framing::default(),
        &Limits::default(),
    )
    .expect("an unknown member verifies");
    let json = to_json(
        &Reader::new(&old, &old_layout, verified)
            .root(old_root)
            .unwrap(),
        JsonOptions::default(),
    )
    .unwrap();
    assert_eq!(json, "{\n  \"u_type\": 2\n}\n");

    let err = flatbuffer_to_message(&old, &old_layout, old_root, &buffer, Framing::default())
        .unwrap_err();
    assert_eq!(
        err,
        TranscodeError::Build(BuildError::UnknownUnionMember {
            path: "R.u".into(),
            discriminant: 2
        })
    );
    assert_eq!(
        err.to_string(),
        "R.u: union member 2 is not in this schema (a newer writer's?), so it cannot be written"
    );
}
