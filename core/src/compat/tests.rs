//! Unit tests of the comparison's building blocks; `core/tests/compat.rs` has the table of
//! schema pairs.

use super::tables::{layout_difference, same_default};
use super::*;
use crate::schema::{Compiler, DefaultValue};

fn schema(name: &str, text: &str) -> Schema {
    Compiler::new()
        .compile_source(name, text)
        .unwrap_or_else(|e| panic!("{name} does not compile:\n{e}"))
}

fn kinds(old: &str, new: &str) -> Vec<ChangeKind> {
    compare(&schema("old.fbs", old), &schema("new.fbs", new))
        .iter()
        .map(|c| c.kind)
        .collect()
}

#[test]
fn only_default_changes_are_not_breaking() {
    assert!(!ChangeKind::DefaultChanged.is_breaking());
    assert!(ChangeKind::FieldRemoved.is_breaking());
    assert!(ChangeKind::TableLayoutChanged.is_breaking());
}

#[test]
fn a_default_that_stops_being_zero_breaks_only_when_the_field_moves() {
    // `c` fills the gap after `a` while its default is zero; with another it goes at the end.
    let gap = "table T { a: byte; b: int; c: byte; }";
    let end = "table T { a: byte; b: int; c: byte = 5; }";
    assert_eq!(kinds(gap, end), vec![ChangeKind::DefaultMovesField]);
    assert_eq!(kinds(end, gap), vec![ChangeKind::DefaultMovesField]);
    // No gap to fill: the field stays where it is, and only its default changed.
    let last = "table T { a: int; c: byte; }";
    let last_five = "table T { a: int; c: byte = 5; }";
    assert_eq!(kinds(last, last_five), vec![ChangeKind::DefaultChanged]);
}

#[test]
fn nan_defaults_are_the_same_default() {
    let nan = DefaultValue::Float(f64::NAN);
    assert!(same_default(&nan, &DefaultValue::Float(f64::NAN)));
    assert!(!same_default(&nan, &DefaultValue::Float(0.0)));
    assert!(same_default(
        &DefaultValue::Integer(3),
        &DefaultValue::Integer(3)
    ));
    assert!(!same_default(
        &DefaultValue::None,
        &DefaultValue::Integer(0)
    ));
}

#[test]
fn identity_is_the_pinned_id_for_tables_and_the_name_for_enums() {
    let s = schema(
        "a.fbs",
        "attribute \"weftbuf_id\"; namespace N;
         table T (weftbuf_id: \"Old.T\") {} enum E : byte (weftbuf_id: \"X\") { A }",
    );
    assert_eq!(identity(&s, NamedType::Table(TableId(0))), "Old.T");
    assert_eq!(
        identity(&s, NamedType::Enum(crate::schema::EnumId(0))),
        "N.E"
    );
}

#[test]
fn enum_and_its_underlying_integer_are_the_same_type() {
    let old = schema("old.fbs", "enum E : byte { A } table T { e: E; v: [E]; }");
    let new = schema(
        "new.fbs",
        "enum E : byte { A } table T { e: byte; v: [byte]; }",
    );
    let cx = Compare::new(&old, &new);
    let (o, n) = (&old.tables[0].fields, &new.tables[0].fields);
    assert!(cx.same_type(o[0].ty, n[0].ty));
    assert!(cx.same_type(o[1].ty, n[1].ty));
    assert!(!cx.same_type(o[0].ty, n[1].ty));
    assert!(compare(&old, &new).is_empty());
    assert_eq!(
        kinds(
            "enum E : byte { A } table T { e: E; }",
            "enum E : byte { A } table T { e: ubyte; }"
        ),
        [ChangeKind::FieldTypeChanged]
    );
}

#[test]
fn the_layout_safety_net_finds_moved_members() {
    let old = Layout::new(&schema("old.fbs", "table T { a: int; b: int; }")).unwrap();
    let grown = Layout::new(&schema("new.fbs", "table T { a: int; b: int; c: long; }")).unwrap();
    let moved = Layout::new(&schema("new.fbs", "table T { a: long; b: int; }")).unwrap();
    let shrunk = Layout::new(&schema("new.fbs", "table T { a: int; }")).unwrap();
    assert_eq!(layout_difference(&old.tables[0], &grown.tables[0]), None);
    let problem = layout_difference(&old.tables[0], &moved.tables[0]).unwrap();
    assert!(
        problem.starts_with("member 0 (`a`) is 8 bytes"),
        "{problem}"
    );
    assert_eq!(
        layout_difference(&old.tables[0], &shrunk.tables[0]).as_deref(),
        Some("member `b` is gone")
    );
}

#[test]
fn changes_render_with_the_position_in_their_schema() {
    let old = schema("old.fbs", "table T {\n  a: int;\n  b: int;\n}\n");
    let new = schema("new.fbs", "table T {\n  a: uint;\n}\n");
    let changes = compare(&old, &new);
    let lines: Vec<String> = changes.iter().map(|c| c.render(&old, &new)).collect();
    assert_eq!(
        lines,
        [
            "new.fbs:2:3: breaking: field `T.a` is `uint` now, it was `int`",
            "old.fbs:3:3: breaking: field `T.b` (id 1) was removed: deprecate it instead, so its \
             id stays taken",
        ]
    );
    assert_eq!(changes[0].subject, "T.a");
    assert_eq!(changes[1].side, Side::Old);
}

#[test]
fn notes_render_as_notes() {
    let old = schema("old.fbs", "table T { a: int = 1; }");
    let new = schema("new.fbs", "table T { a: int = 2; }");
    let changes = compare(&old, &new);
    assert_eq!(changes.len(), 1);
    assert!(
        changes[0]
            .render(&old, &new)
            .starts_with("new.fbs:1:11: note: the default of `T.a` is 2 now, it was 1"),
        "{}",
        changes[0].render(&old, &new)
    );
}

#[test]
fn the_safety_net_stays_quiet_when_a_rule_already_fired() {
    // `S` grows, which moves `T.b`: the struct is reported, the table is not.
    assert_eq!(
        kinds(
            "struct S { x: int; } table T { s: S (required); b: int; }",
            "struct S { x: int; y: int; } table T { s: S (required); b: int; }"
        ),
        [ChangeKind::StructChanged]
    );
}

#[test]
fn a_wider_union_discriminant_is_breaking() {
    let found = kinds(
        "table A {} union U { A } table T { u: U; }",
        "table A {} union U : ushort { A } table T { u: U; }",
    );
    assert!(
        found.contains(&ChangeKind::UnionUnderlyingChanged),
        "{found:?}"
    );
    assert!(ChangeKind::UnionUnderlyingChanged.is_breaking());
}
