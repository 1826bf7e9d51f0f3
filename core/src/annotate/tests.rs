//! Annotations of hand-made and hostile bytes: every byte covered once, never a panic, and
//! the reason on the line where the bytes go wrong.

use super::*;
use crate::json::json_to_message;
use crate::message::VerifyError;
use crate::schema::Compiler;

/// The worked example of `docs/layout.md`, section 12.
const POINT: &str = "namespace example;\n\
    struct Vec2 { x: float; y: float; }\n\
    table Point { pos: Vec2; label: string; hp: short = 100; tags: [ubyte]; }\n\
    root_type Point;\nfile_identifier \"PNT1\";";

fn compile(text: &str) -> (Schema, Layout) {
    let schema = Compiler::new().compile_source("test.fbs", text).unwrap();
    let layout = Layout::new(&schema).unwrap();
    (schema, layout)
}

fn root(schema: &Schema) -> TableId {
    schema.root_table.unwrap()
}

fn encode(schema: &Schema, layout: &Layout, json: &str) -> Vec<u8> {
    json_to_message(schema, layout, root(schema), json).unwrap()
}

/// Asserts the lines tile the bytes: in order, no gap, no overlap, 1 to 8 bytes each.
fn assert_covers(annotation: &Annotation<'_>) {
    let mut next = 0;
    for line in annotation.lines() {
        assert_eq!(line.offset, next, "{line:?}\n{annotation}");
        assert!((1..=BYTES_PER_LINE).contains(&line.len), "{line:?}");
        next += line.len;
    }
    assert_eq!(next, annotation.bytes().len(), "{annotation}");
}

fn comments<'a>(annotation: &'a Annotation<'_>) -> Vec<&'a str> {
    annotation
        .lines()
        .iter()
        .map(|l| l.comment.as_str())
        .collect()
}

/// A message with the usual header in front of `objects` (the root first, at 24).
fn message(root_tag: u32, objects: &[u8]) -> Vec<u8> {
    let len = 24 + objects.len() as u32;
    let mut out = b"WEFT\x02\x00\x00\x00".to_vec();
    out.extend(len.to_le_bytes());
    out.extend(root_tag.to_le_bytes());
    out.extend(8i32.to_le_bytes());
    out.extend([0; 4]);
    out.extend(objects);
    out
}

/// A tagged object (a table): its header, then `body`, zero-padded to a multiple of 8.
fn object(tag: u32, size: u32, body: &[u8]) -> Vec<u8> {
    let mut out = tag.to_le_bytes().to_vec();
    out.extend(size.to_le_bytes());
    out.extend(body);
    out.resize(out.len().next_multiple_of(8), 0);
    out
}

#[test]
fn inputs_shorter_than_a_header_are_unreachable() {
    let (schema, layout) = compile(POINT);
    for bytes in [&b""[..], b"W", b"WEFT\x02\x00", &[0; 23]] {
        let annotation = annotate(&schema, &layout, root(&schema), bytes);
        assert!(
            matches!(annotation.error(), Some(VerifyError::TooShort { .. })),
            "{bytes:?}"
        );
        assert_covers(&annotation);
    }
    let annotation = annotate(&schema, &layout, root(&schema), b"WEFT\x02\x00");
    assert_eq!(
        annotation.render(),
        "+0x0000 | 57 45 46 54             | magic  | WEFT       | message header: magic\n\
         +0x0004 | 02 00                   | u16    | 2          | format version\n"
    );
    // A version 1 message names both versions.
    let annotation = annotate(&schema, &layout, root(&schema), b"WEFT\x01\x00");
    assert!(
        annotation
            .render()
            .contains("format version (invalid: this reader reads version 2)"),
        "{annotation}"
    );
}

#[test]
fn a_header_of_zeros_is_annotated_and_nothing_followed() {
    let (schema, layout) = compile(POINT);
    let bytes = [0u8; 32];
    let annotation = annotate(&schema, &layout, root(&schema), &bytes);
    assert_covers(&annotation);
    assert!(matches!(
        annotation.error(),
        Some(VerifyError::BadMagic { .. })
    ));
    let text = annotation.render();
    assert!(
        text.contains("message header: magic (invalid: not `WEFT`"),
        "{text}"
    );
    assert!(text.contains("root reference: null"), "{text}");
    let last = annotation.lines().last().unwrap();
    assert_eq!((last.offset, last.kind.as_str()), (24, "unreachable"));
}

#[test]
fn a_bad_reference_says_why_and_what_it_hid_is_unreachable() {
    let (schema, layout) = compile(POINT);
    let mut bytes = encode(&schema, &layout, "{ label: \"hi\", tags: [1] }");
    // The `label` reference sits at 0x2C (body 0x20 + member offset 12); aim it far away.
    bytes[0x2C..0x30].copy_from_slice(&0x7F0i32.to_le_bytes());
    let annotation = annotate(&schema, &layout, root(&schema), &bytes);
    assert_covers(&annotation);
    assert!(matches!(
        annotation.error(),
        Some(VerifyError::BadReference { .. })
    ));
    let text = annotation.render();
    assert!(
        text.contains("`label` -> 0x081C (invalid: that is outside the message)"),
        "{text}"
    );
    let hidden: usize = annotation
        .lines()
        .iter()
        .filter(|l| l.kind == "unreachable")
        .map(|l| l.len)
        .sum();
    assert_eq!(
        hidden, 8,
        "the string object, count, text, NUL, padding:\n{text}"
    );
    let lines = annotation.lines();
    let elements = &lines[lines.len() - 2];
    assert_eq!(
        (elements.value.as_str(), elements.comment.as_str()),
        ("1", "elements")
    );
}

#[test]
fn invalid_utf8_and_a_missing_nul_are_shown_in_place() {
    let (schema, layout) = compile(POINT);
    let mut bytes = encode(&schema, &layout, "{ label: \"hi!\" }");
    let string = bytes.windows(4).position(|w| w == b"hi!\0").unwrap();
    bytes[string] = 0xFF;
    bytes[string + 3] = b'x';
    let annotation = annotate(&schema, &layout, root(&schema), &bytes);
    assert_covers(&annotation);
    assert!(matches!(
        annotation.error(),
        Some(VerifyError::MissingNul { .. })
    ));
    let line = annotation
        .lines()
        .iter()
        .find(|l| l.kind == "utf8")
        .unwrap();
    assert_eq!(line.value, "\"\\xffi!\"");
    assert_eq!(
        line.comment,
        "bytes, then 0x78 where the NUL must be (invalid) (invalid: not UTF-8)"
    );
}

const NODE: &str = "table Node { next: Node; value: int; } root_type Node;";

#[test]
fn a_reference_cycle_is_annotated_once() {
    let (schema, layout) = compile(NODE);
    let tag = layout.table(root(&schema)).tag;
    // The root's `next` (at 0x20) points back to the root at 0x18.
    let mut body = (-8i32).to_le_bytes().to_vec();
    body.extend(7i32.to_le_bytes());
    let bytes = message(tag, &object(tag, 8, &body));
    let annotation = annotate(&schema, &layout, root(&schema), &bytes);
    assert_covers(&annotation);
    assert!(matches!(
        annotation.error(),
        Some(VerifyError::Cycle { .. })
    ));
    assert!(comments(&annotation).contains(&"`next` -> 0x0018"));
    assert!(annotation.lines().iter().all(|l| l.kind != "unreachable"));
}

#[test]
fn a_chain_far_deeper_than_the_verifier_allows_is_walked_without_recursion() {
    let (schema, layout) = compile(NODE);
    let tag = layout.table(root(&schema)).tag;
    const NODES: usize = 20_000;
    let mut objects = Vec::with_capacity(NODES * 16);
    for i in 0..NODES {
        let next: i32 = if i + 1 < NODES { 8 } else { 0 };
        let mut body = next.to_le_bytes().to_vec();
        body.extend((i as i32).to_le_bytes());
        objects.extend(object(tag, 8, &body));
    }
    let bytes = message(tag, &objects);
    let lines = std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(move || {
            let annotation = annotate(&schema, &layout, root(&schema), &bytes);
            assert_covers(&annotation);
            assert!(matches!(
                annotation.error(),
                Some(VerifyError::TooDeep { .. })
            ));
            annotation.lines().len()
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(lines, 7 + NODES * 4);
}

#[test]
fn an_object_inside_another_is_not_annotated_twice() {
    let (schema, layout) =
        compile("table Leaf { x: int; } table T { raw: [ubyte]; inner: Leaf; } root_type T;");
    let t = layout.table(root(&schema)).tag;
    let leaf = layout.tables[0].tag;
    // T at 0x18 (body 0x20: raw -> 0x28, inner -> 0x30), the [ubyte] at 0x28 whose 16 bytes
    // (from 0x2C) hold a well-formed Leaf at 0x30.
    let mut body = 8i32.to_le_bytes().to_vec();
    body.extend(12i32.to_le_bytes());
    let mut objects = object(t, 8, &body);
    objects.extend(16u32.to_le_bytes());
    objects.extend([0; 4]);
    objects.extend(leaf.to_le_bytes());
    objects.extend(4u32.to_le_bytes());
    objects.extend(5i32.to_le_bytes());
    objects.extend([0; 4]);
    let bytes = message(t, &objects);
    let annotation = annotate(&schema, &layout, root(&schema), &bytes);
    assert_covers(&annotation);
    assert!(annotation.error().is_none(), "{annotation}");
    assert!(
        comments(&annotation)
            .contains(&"`inner` -> 0x0030 (not annotated: the object overlaps the one at 0x0028)"),
        "{annotation}"
    );
}

#[test]
fn newer_writers_members_and_fields_are_shown_as_bytes() {
    let v1 = "table A { x: int; } union U { A } table R { u: U; n: int; } root_type R;";
    let v2 = "table A { x: int; } table B { y: long; } union U { A, B }\n\
              table R { u: U; n: int; extra: long; } root_type R;";
    let (new_schema, new_layout) = compile(v2);
    let bytes = encode(
        &new_schema,
        &new_layout,
        "{ u_type: B, u: { y: 5 }, n: 1, extra: 9 }",
    );
    let (schema, layout) = compile(v1);
    let annotation = annotate(&schema, &layout, root(&schema), &bytes);
    assert_covers(&annotation);
    assert!(annotation.error().is_none(), "{annotation}");
    let found = comments(&annotation);
    for expected in [
        "`u_type`: a member this schema does not know",
        "body bytes past the last member this schema knows",
        // Its type, and so its header, are unknown: its bytes are shown as unknown.
        "`u` -> 0x0038 (not annotated: a union member this schema does not know)",
    ] {
        assert!(found.contains(&expected), "{expected}\n{annotation}");
    }
    // And the other way round: an old message read with the new schema.
    let old = encode(&schema, &layout, "{ n: 3 }");
    let annotation = annotate(&new_schema, &new_layout, root(&new_schema), &old);
    assert_covers(&annotation);
    assert!(annotation.error().is_none());
    assert!(!annotation.render().contains("extra"), "{annotation}");
}

#[test]
fn a_body_that_ends_inside_a_field_says_so() {
    let (schema, layout) = compile(POINT);
    let mut bytes = encode(&schema, &layout, "{ hp: 5 }");
    // Body size 14 instead of 24: it ends inside `label` (12..16).
    bytes[0x1C] = 14;
    let annotation = annotate(&schema, &layout, root(&schema), &bytes);
    assert_covers(&annotation);
    assert!(annotation.error().is_none(), "{annotation}");
    assert!(
        comments(&annotation).contains(
            &"part of `label`, a field this object does not hold (its body ends inside it)"
        ),
        "{annotation}"
    );
    // The object now ends at 0x30: what was `hp` belongs to no object.
    let last = annotation.lines().last().unwrap();
    assert_eq!((last.offset, last.kind.as_str()), (0x30, "unknown"));
    assert_eq!(last.comment, "bytes no object accounts for");
}

#[test]
fn an_over_aligned_body_is_preceded_by_its_padding() {
    let (schema, layout) = compile(
        "struct A (force_align: 16) { x: float; } table T { s: string; v: [A]; } root_type T;",
    );
    // The string ends at 0x38; `[A]`'s count goes at 0x3C, before its body at 0x40.
    let bytes = encode(&schema, &layout, "{ s: \"hello world\", v: [{ x: 1.0 }] }");
    let annotation = annotate(&schema, &layout, root(&schema), &bytes);
    assert_covers(&annotation);
    assert!(annotation.error().is_none());
    let line = annotation
        .lines()
        .iter()
        .find(|l| l.comment == "padding to align the body of [A] (16)")
        .unwrap_or_else(|| panic!("{annotation}"));
    assert_eq!(
        (line.offset, line.len, line.kind.as_str()),
        (0x38, 4, "pad")
    );
}

/// Pseudo-random numbers (xorshift64*), so the garbage is the same on every run.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn garbage_behind_a_valid_header_never_panics() {
    let schemas = [
        POINT,
        NODE,
        "table L { v: long; } struct S { a: byte; b: [short:3]; }\n\
         union U { L, S, T: string } table R { u: U; us: [U]; ls: [L]; ss: [S];\n\
         names: [string]; n: [ubyte] (nested_flatbuffer: \"R\"); o: int = null; } root_type R;",
    ];
    let mut noise = Noise(0x5eed);
    for text in schemas {
        let (schema, layout) = compile(text);
        let tag = layout.table(root(&schema)).tag;
        for round in 0..400 {
            let len = 8 * (noise.next() % 40) as usize;
            // Small numbers make more of the garbage look like references and counts.
            let body: Vec<u8> = (0..len)
                .map(|_| match noise.next() % 4 {
                    0 => (noise.next() % 64) as u8,
                    1 => 0,
                    _ => noise.next() as u8,
                })
                .collect();
            let bytes = message(tag, &body);
            let annotation = annotate(&schema, &layout, root(&schema), &bytes);
            assert_covers(&annotation);
            let invalid = annotation.error().is_some();
            assert!(
                invalid || annotation.lines().iter().all(|l| l.kind != "unreachable"),
                "round {round}"
            );
        }
    }
}

#[test]
fn a_nested_message_is_walked_inside_its_vector_and_garbage_there_is_named() {
    let (schema, layout) = compile(
        "table In { v: int; } table Out { n: [ubyte] (nested_flatbuffer: \"In\"); }\n\
         root_type Out;",
    );
    let mut bytes = encode(&schema, &layout, "{ n: { v: 3 } }");
    let annotation = annotate(&schema, &layout, root(&schema), &bytes);
    assert_covers(&annotation);
    assert!(annotation.error().is_none());
    assert!(
        comments(&annotation).contains(&"> object header: tag of In"),
        "{annotation}"
    );
    // Break the nested magic: the vector's bytes are then shown as bytes.
    let magic = bytes.windows(4).rposition(|w| w == b"WEFT").unwrap();
    bytes[magic] = b'X';
    let annotation = annotate(&schema, &layout, root(&schema), &bytes);
    assert_covers(&annotation);
    assert!(matches!(
        annotation.error(),
        Some(VerifyError::Nested { .. })
    ));
    assert!(
        comments(&annotation)
            .contains(&"[ubyte]: element count (invalid: the bytes are not a weftbuf message)"),
        "{annotation}"
    );
}
