//! The verifier's errors on hand-damaged messages: each names the byte, and those inside the
//! message the path to the value.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use weftbuf::layout::Layout;
use weftbuf::message::{Limits, Scalar, Value, VerifyError, encode, verify};
use weftbuf::schema::{Compiler, Schema, TableId};

fn message() -> (Schema, Layout, Vec<u8>) {
    let schema = Compiler::new()
        .compile_source(
            "t.fbs",
            "table T { a: int; s: string; next: T; } root_type T; file_identifier \"TEST\";",
        )
        .unwrap();
    let layout = Layout::new(&schema).unwrap();
    let value = Value::Table(vec![
        Some(Value::Scalar(Scalar::Int(1))),
        Some(Value::String("hi".into())),
        Some(Value::Table(vec![None, None, None])),
    ]);
    let bytes = encode(&schema, &layout, TableId(0), &value).unwrap();
    (schema, layout, bytes)
}

fn check(schema: &Schema, layout: &Layout, bytes: &[u8]) -> Result<(), VerifyError> {
    verify(schema, layout, TableId(0), bytes, &Limits::default()).map(|_| ())
}

#[test]
fn header_errors_name_the_byte() {
    let (schema, layout, bytes) = message();
    check(&schema, &layout, &bytes).unwrap();
    let mut wrong = bytes.clone();
    wrong[20..24].copy_from_slice(b"XXXX");
    assert_eq!(
        check(&schema, &layout, &wrong).unwrap_err().to_string(),
        "byte 20: file identifier \"XXXX\" is not the schema's \"TEST\""
    );
    let mut wrong = bytes.clone();
    wrong[0] = b'X';
    assert!(matches!(
        check(&schema, &layout, &wrong),
        Err(VerifyError::BadMagic { .. })
    ));
    assert!(matches!(
        check(&schema, &layout, &bytes[..16]),
        Err(VerifyError::TooShort { len: 16 })
    ));
}

#[test]
fn a_reference_cycle_is_caught() {
    let (schema, layout, mut bytes) = message();
    // Point the child table's `next` back at the root (the root object starts at 24).
    let root_layout = layout.table(TableId(0));
    let next = &root_layout.members[root_layout.fields[2].value_member as usize];
    let child = 24 + 8 + next.offset as usize;
    let child_object = (child as i64
        + i64::from(i32::from_le_bytes(
            bytes[child..child + 4].try_into().unwrap(),
        ))) as usize;
    let child_next = child_object + 8 + next.offset as usize;
    let back = (24i64 - child_next as i64) as i32;
    bytes[child_next..child_next + 4].copy_from_slice(&back.to_le_bytes());
    let err = check(&schema, &layout, &bytes).unwrap_err();
    assert!(matches!(err, VerifyError::Cycle { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "T.next.next: object at byte 24 refers back to itself (a reference cycle)"
    );
}

#[test]
fn limits_bound_depth_and_objects() {
    let (schema, layout, bytes) = message();
    let tight = Limits {
        max_depth: 1,
        ..Limits::default()
    };
    let err = verify(&schema, &layout, TableId(0), &bytes, &tight).unwrap_err();
    assert!(matches!(err, VerifyError::TooDeep { max: 1, .. }), "{err}");
    let few = Limits {
        max_objects: 2,
        ..Limits::default()
    };
    let err = verify(&schema, &layout, TableId(0), &bytes, &few).unwrap_err();
    assert!(
        matches!(err, VerifyError::TooManyObjects { max: 2, .. }),
        "{err}"
    );
}
