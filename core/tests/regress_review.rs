//! Findings of a review of the runtime against hostile input, each kept fixed:
//! sorting key fields that hold NaN; objects shared by many references (which a verifier
//! checks once, but an expanding reader would visit exponentially often); NONE elements of a
//! vector of unions through JSON; malformed escapes and numbers in JSON.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use weftbuf::json::{JsonOptions, JsonWriteError, json_to_message, message_to_json, to_json};
use weftbuf::layout::Layout;
use weftbuf::message::{Limits, ReadError, Reader, Scalar, Value, encode, read_value, verify};
use weftbuf::schema::{Compiler, Schema};

fn compile(text: &str) -> (Schema, Layout) {
    let schema = Compiler::new().compile_source("r.fbs", text).unwrap();
    let layout = Layout::new(&schema).unwrap();
    (schema, layout)
}

#[test]
fn nan_keys_sort_without_a_panic() {
    let (schema, layout) = compile("table E { k: float (key); } table R { v: [E]; } root_type R;");
    let json = "{v:[{k:9},{k:nan},{k:nan},{k:8},{k:3},{k:4},{k:nan},{k:5},{k:nan},{k:3},{k:7},\
                {k:nan},{k:3},{k:nan},{k:3},{k:6},{k:6},{k:6},{k:5},{k:3},{k:9}]}";
    let bytes = json_to_message(&schema, &layout, schema.root_table.unwrap(), json).unwrap();
    assert!(!bytes.is_empty());
}

#[test]
fn shared_objects_do_not_expand_exponentially() {
    let (schema, layout) = compile("table N { l: N; r: N; v: int; } root_type N;");
    let root = schema.root_table.unwrap();
    // A chain of 40 nodes through `l`; then every `r` is pointed at the same node as `l`,
    // making a DAG of 2^40 paths in under 2 KB.
    let mut value = Value::Table(vec![None, None, Some(Value::Scalar(Scalar::Int(0)))]);
    for i in 1..40 {
        value = Value::Table(vec![Some(value), None, Some(Value::Scalar(Scalar::Int(i)))]);
    }
    let mut bytes = encode(&schema, &layout, root, &value).unwrap();
    let fields = &layout.table(root).fields;
    let (l, r) = (fields[0].value_member, fields[1].value_member);
    let mut at = Some(
        Reader::unverified(&schema, &layout, &bytes)
            .root(root)
            .unwrap()
            .offset(),
    );
    let mut patches = Vec::new();
    while let Some(object) = at {
        let body = object + 8;
        let l_at = body + layout.table(root).members[l as usize].offset as usize;
        let r_at = body + layout.table(root).members[r as usize].offset as usize;
        let delta = i32::from_le_bytes(bytes[l_at..l_at + 4].try_into().unwrap());
        if delta == 0 {
            break;
        }
        let target = (l_at as i64 + i64::from(delta)) as usize;
        patches.push((r_at, (target as i64 - r_at as i64) as i32));
        at = Some(target);
    }
    for (r_at, delta) in patches {
        bytes[r_at..r_at + 4].copy_from_slice(&delta.to_le_bytes());
    }
    let verified =
        verify(&schema, &layout, root, &bytes, &Limits::default()).expect("a DAG is valid");
    let table = Reader::new(&schema, &layout, verified).root(root).unwrap();
    assert!(matches!(
        read_value(&table),
        Err(ReadError::TooMuchSharing { .. })
    ));
    assert_eq!(
        to_json(&table, JsonOptions::default()).unwrap_err(),
        JsonWriteError::TooMuchSharing
    );
}

#[test]
fn none_elements_of_a_union_vector_survive_json() {
    let (schema, layout) =
        compile("table A { x: int; } union U { A } table R { us: [U]; } root_type R;");
    let root = schema.root_table.unwrap();
    let value = Value::Table(vec![Some(Value::Vector(vec![
        Value::Null,
        Value::Union {
            discriminant: 1,
            value: Box::new(Value::Table(vec![Some(Value::Scalar(Scalar::Int(3)))])),
        },
    ]))]);
    let bytes = encode(&schema, &layout, root, &value).unwrap();
    let json = message_to_json(&schema, &layout, root, &bytes, JsonOptions::default()).unwrap();
    assert!(json.contains("\"NONE\""), "{json}");
    assert_eq!(
        json_to_message(&schema, &layout, root, &json).unwrap(),
        bytes
    );
}

#[test]
fn malformed_escapes_and_numbers_are_errors() {
    let (schema, layout) = compile("table R { s: string; f: float; } root_type R;");
    let root = schema.root_table.unwrap();
    for bad in [
        r#"{ s: "\ud800\u0041" }"#,
        r#"{ s: "\u+041" }"#,
        "{ f: --5 }",
        "{ f: +-5 }",
    ] {
        assert!(
            json_to_message(&schema, &layout, root, bad).is_err(),
            "{bad} was accepted"
        );
    }
    let surrogates = json_to_message(&schema, &layout, root, r#"{ s: "\ud83d\ude00" }"#).unwrap();
    let json =
        message_to_json(&schema, &layout, root, &surrogates, JsonOptions::default()).unwrap();
    assert!(json.contains('\u{1F600}'), "{json}");
}

#[test]
fn a_long_single_line_parses_in_linear_time() {
    // Columns used to be counted from the line start for every value: quadratic.
    let (schema, layout) = compile("table R { v: [ubyte]; } root_type R;");
    let json = format!("{{v:[{}0]}}", "0,".repeat(500_000));
    let bytes = json_to_message(&schema, &layout, schema.root_table.unwrap(), &json).unwrap();
    assert!(bytes.len() > 500_000);
}

/// A vector of union values shared by two fields with different discriminant vectors: its
/// elements were checked against the first field's discriminants only, so a reader of the
/// second would take an object for a type it is not. Rejected, whichever field comes first.
#[test]
fn a_union_values_vector_pairs_with_one_discriminant_vector() {
    use weftbuf::message::VerifyError;
    let (schema, layout) = compile(
        "table A { s: string; } table B { n: int; } union U { A, B }
         table R { a: [U]; b: [U]; } root_type R;",
    );
    let root = schema.root_table.unwrap();
    let json = r#"{ a_type: ["A"], a: [{ s: "x" }], b_type: ["B"], b: [{ n: 1 }] }"#;
    let mut bytes = json_to_message(&schema, &layout, root, json).unwrap();
    verify(&schema, &layout, root, &bytes, &Limits::default()).unwrap();
    let table = &layout.tables[root.0 as usize];
    let member = |name: &str| {
        let f = table.fields.iter().find(|f| f.name == name).unwrap();
        table.members[f.value_member as usize].offset as usize
    };
    let body = 24 + 8; // the root table is the first object
    let (a_at, b_at) = (body + member("a"), body + member("b"));
    let a_values = a_at as i64
        + i64::from(i32::from_le_bytes(
            bytes[a_at..a_at + 4].try_into().unwrap(),
        ));
    let patched = i32::try_from(a_values - b_at as i64).unwrap();
    bytes[b_at..b_at + 4].copy_from_slice(&patched.to_le_bytes());
    let err = verify(&schema, &layout, root, &bytes, &Limits::default()).unwrap_err();
    assert!(
        matches!(err, VerifyError::UnionVectorShared { .. }),
        "{err}"
    );
    assert!(
        err.to_string().starts_with("R.b: the union values at byte"),
        "{err}"
    );
}
