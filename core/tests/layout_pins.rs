//! Sizes, offsets and tags of known types, pinned: changing any of them changes the bytes of
//! every message of that type, so a change here is a format change and must be deliberate.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use weftbuf::layout::{Layout, MemberRole, StructLayout, TableLayout};
use weftbuf::schema::{NamedType, Schema};

fn monster_test() -> (Schema, Layout) {
    let path = common::corpus_dir().join("flatbuffers/tests/monster_test.fbs");
    let schema = common::corpus_compiler()
        .compile(&[path])
        .expect("compiles");
    let layout = Layout::new(&schema).expect("lays out");
    (schema, layout)
}

fn table<'a>(schema: &Schema, layout: &'a Layout, name: &str) -> &'a TableLayout {
    match schema.find_type(name) {
        Some(NamedType::Table(id)) => layout.table(id),
        other => panic!("{name} is not a table: {other:?}"),
    }
}

fn structure<'a>(schema: &Schema, layout: &'a Layout, name: &str) -> &'a StructLayout {
    match schema.find_type(name) {
        Some(NamedType::Struct(id)) => layout.struct_layout(id),
        other => panic!("{name} is not a struct: {other:?}"),
    }
}

fn offsets(members: impl Iterator<Item = (String, u32)>) -> Vec<(String, u32)> {
    members.collect()
}

#[test]
fn monster_test_structs_match_flatbuffers_struct_layout() {
    let Some(_) = common::corpus() else { return };
    let (schema, layout) = monster_test();
    // (name, size, align) as flatc's generated code asserts them.
    for (name, size, align) in [
        ("MyGame.Example.Test", 4, 2),
        ("MyGame.Example.Vec3", 32, 8),
        ("MyGame.Example.Ability", 8, 4),
        ("MyGame.Example.StructOfStructs", 20, 4),
        ("MyGame.Example.StructOfStructsOfStructs", 20, 4),
    ] {
        let s = structure(&schema, &layout, name);
        assert_eq!((s.size, s.align), (size, align), "{name}");
    }
    let vec3 = structure(&schema, &layout, "MyGame.Example.Vec3");
    let fields = offsets(vec3.fields.iter().map(|f| (f.name.clone(), f.offset)));
    let expected: Vec<(String, u32)> = [
        ("x", 0),
        ("y", 4),
        ("z", 8),
        ("test1", 16),
        ("test2", 24),
        ("test3", 26),
    ]
    .map(|(n, o)| (n.to_string(), o))
    .to_vec();
    assert_eq!(fields, expected);
    assert_eq!(vec3.padding_after, 2);
}

#[test]
fn monster_table_members_are_pinned() {
    let Some(_) = common::corpus() else { return };
    let (schema, layout) = monster_test();
    let monster = table(&schema, &layout, "MyGame.Example.Monster");
    assert_eq!(monster.tag, 0x330e_f481);
    assert_eq!(monster.body_size, 304);
    // 62 ids (59 fields + 3 union discriminants) + presence bytes of `pos` and `native_inline`.
    assert_eq!(monster.fields.len(), 59);
    assert_eq!(monster.members.len(), 64);
    let head = offsets(
        monster
            .members
            .iter()
            .take(12)
            .map(|m| (m.name.clone(), m.offset)),
    );
    // In id order, each in the first gap that holds it when zero bytes read as its absence
    // (`mana = 150` and `hp = 100` do not take gaps; `name`, `friendly`, `test_type` do).
    let expected: Vec<(String, u32)> = [
        ("pos.present", 0),
        ("pos", 8),
        ("mana", 40),
        ("hp", 42),
        ("name", 4),
        ("friendly", 1),
        ("inventory", 44),
        ("color", 48),
        ("test_type", 2),
        ("test", 52),
        ("test4", 56),
        ("testarrayofstring", 60),
    ]
    .map(|(n, o)| (n.to_string(), o))
    .to_vec();
    assert_eq!(head, expected);
    // Every member sits at its natural alignment, without overlap, inside the body.
    let mut end = 0;
    for (padding, m) in monster.by_offset() {
        assert_eq!(m.offset % m.align, 0, "{}", m.name);
        assert_eq!(m.offset, end + padding, "{} overlaps", m.name);
        end = m.end();
    }
    assert_eq!(end, monster.body_size);
    // A field is present from the end of its member that ends last.
    for (i, fl) in monster.fields.iter().enumerate() {
        let last = monster
            .members
            .iter()
            .filter(|m| m.field as usize == i)
            .map(|m| m.end())
            .max();
        assert_eq!(Some(fl.present_if_body_at_least), last, "{}", fl.name);
    }
    // A union's discriminant is placed just before its reference, in id order.
    for (i, m) in monster.members.iter().enumerate() {
        if m.role == MemberRole::UnionType {
            assert_eq!(monster.members[i + 1].field, m.field);
        }
    }
}

#[test]
fn fixed_arrays_match_flatbuffers_struct_layout() {
    let Some(_) = common::corpus() else { return };
    let path = common::corpus_dir().join("flatbuffers/tests/arrays_test.fbs");
    let schema = common::corpus_compiler()
        .compile(&[path])
        .expect("compiles");
    let layout = Layout::new(&schema).expect("lays out");
    for (name, size, align) in [
        ("MyGame.Example.NestedStruct", 32, 8),
        ("MyGame.Example.ArrayStruct", 160, 8),
        ("MyGame.Example.LargeArrayStruct", 2496, 8),
    ] {
        let s = structure(&schema, &layout, name);
        assert_eq!((s.size, s.align), (size, align), "{name}");
    }
}

#[test]
fn worked_example_of_the_layout_spec() {
    // docs/layout.md, section 12.
    let schema = weftbuf::schema::Compiler::new()
        .compile_source(
            "example.fbs",
            "namespace example;\nstruct Vec2 { x: float; y: float; }\n\
             table Point { pos: Vec2; label: string; hp: short = 100; tags: [ubyte]; }\n\
             root_type Point;\nfile_identifier \"PNT1\";",
        )
        .expect("compiles");
    let layout = Layout::new(&schema).expect("lays out");
    let point = table(&schema, &layout, "example.Point");
    assert_eq!(point.tag, 0xbe23_4de9);
    assert_eq!(point.body_size, 24);
    let members = offsets(point.members.iter().map(|m| (m.name.clone(), m.offset)));
    let expected: Vec<(String, u32)> = [
        ("pos.present", 0),
        ("pos", 4),
        ("label", 12),
        ("hp", 16),
        ("tags", 20),
    ]
    .map(|(n, o)| (n.to_string(), o))
    .to_vec();
    assert_eq!(members, expected);
    assert_eq!(point.fields[2].present_if_body_at_least, 18);
    // `[ubyte]` starts with its count alone; its identity still hashes as pinned.
    assert_eq!(layout.vectors[0].tag, 0x32e7_dd2e);
    assert!(!layout.vectors[0].tagged);
    assert_eq!(&layout.file_identifier, b"PNT1");
}

#[test]
fn pinned_identity_keeps_the_tag_after_a_rename() {
    let old = weftbuf::schema::Compiler::new()
        .compile_source("old.fbs", "namespace A; table Monster { hp: short; }")
        .expect("compiles");
    let new = weftbuf::schema::Compiler::new()
        .compile_source(
            "new.fbs",
            "attribute \"weftbuf_id\";\nnamespace B; table Hero (weftbuf_id: \"A.Monster\") { hp: short; }",
        )
        .expect("compiles");
    let old_tag = Layout::new(&old).expect("layout").tables[0].tag;
    let new_tag = Layout::new(&new).expect("layout").tables[0].tag;
    assert_eq!(old_tag, new_tag);
}
