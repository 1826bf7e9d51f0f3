//! Found by fuzzing (`fuzz/fuzz_targets/flatbuffers.rs`): in a vector of unions, the offset of
//! an element whose discriminant is NONE means nothing, and FlatBuffers' verifier leaves it
//! unchecked. The views followed it anyway, so a verified buffer could fail to read. They now
//! look at the discriminant first.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use weftbuf::flatbuffers::{Framing, WriteOptions, encode_flatbuffer, verify_flatbuffer};
use weftbuf::json::{JsonOptions, to_json};
use weftbuf::layout::Layout;
use weftbuf::message::{Field, Limits, Reader, Scalar, Value};
use weftbuf::schema::Compiler;

#[test]
fn a_none_element_with_a_wild_offset_verifies_and_reads() {
    let schema = Compiler::new()
        .compile_source(
            "r.fbs",
            "table A { x: int; } union U { A } table R { us: [U]; } root_type R;",
        )
        .unwrap();
    let layout = Layout::new(&schema).unwrap();
    let root = schema.root_table.unwrap();
    let a = Value::Table(vec![Some(Value::Scalar(Scalar::Int(7)))]);
    let value = Value::Table(vec![Some(Value::Vector(vec![
        Value::Union {
            discriminant: 1,
            value: Box::new(a),
        },
        Value::Null,
    ]))]);
    let mut bytes =
        encode_flatbuffer(&schema, &layout, root, &value, WriteOptions::default()).unwrap();

    // Point the NONE element's offset far outside the buffer.
    let verified = verify_flatbuffer(
        &schema,
        &layout,
        root,
        &bytes,
        Framing::default(),
        &Limits::default(),
    )
    .unwrap();
    let Field::Vector(us) = Reader::new(&schema, &layout, verified)
        .root(root)
        .unwrap()
        .field("us")
        .unwrap()
    else {
        panic!("not a vector")
    };
    let second = us.offset() + 4 + 4;
    bytes[second..second + 4].copy_from_slice(&0xFFFF_FF00u32.to_le_bytes());

    let verified = verify_flatbuffer(
        &schema,
        &layout,
        root,
        &bytes,
        Framing::default(),
        &Limits::default(),
    )
    .expect("FlatBuffers leaves a NONE element's offset unchecked");
    let json = to_json(
        &Reader::new(&schema, &layout, verified).root(root).unwrap(),
        JsonOptions::default(),
    )
    .expect("a verified buffer reads in full");
    assert!(json.contains("\"NONE\""), "{json}");
}
