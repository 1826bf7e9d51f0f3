//! Schema evolution (`weftbuf::compat`): a table of small schema pairs, one per breaking rule
//! and several compatible changes, each with the exact kinds of change reported; the
//! FlatBuffers evolution corpus; and flatc 25.12's `--conform` as an oracle for the verdict.
//!
//! Every pair says how flatc judges it. [`Flatc::Agrees`]: flatc's verdict (conforms or not)
//! is weftbuf's. [`Flatc::Differs`]: flatc's verdict is the opposite, for the reason given
//! (the module docs of `weftbuf::compat` list them); the oracle checks that it still is, so
//! the documented differences stay true. [`Flatc::Skip`]: a weftbuf-only rule about type
//! identity, which flatc does not model at all.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::path::Path;

use common::{corpus_dir, flatc};
use weftbuf::compat::{Change, ChangeKind, Side, compare};
use weftbuf::schema::{Compiler, Schema};

use ChangeKind::*;

/// How flatc's `--conform` judges a pair.
#[derive(Debug, Clone, Copy)]
enum Flatc {
    /// The same verdict as weftbuf.
    Agrees,
    /// The opposite verdict, on purpose: why.
    Differs(&'static str),
    /// Not compared: a weftbuf-only rule (type identity): why.
    Skip(&'static str),
}

struct Case {
    name: &'static str,
    old: &'static str,
    new: &'static str,
    /// Every kind reported, in any order.
    kinds: &'static [ChangeKind],
    flatc: Flatc,
}

const fn case(
    name: &'static str,
    old: &'static str,
    new: &'static str,
    kinds: &'static [ChangeKind],
    flatc: Flatc,
) -> Case {
    Case {
        name,
        old,
        new,
        kinds,
        flatc,
    }
}

const IDENTITY: Flatc = Flatc::Skip("flatc skips types it cannot find by name");

const CASES: &[Case] = &[
    // ---- compatible ----
    case(
        "field appended",
        "table T { a: int; }",
        "table T { a: int; b: string; c: double = 1.5; d: short = null; }",
        &[],
        Flatc::Agrees,
    ),
    case(
        "union field appended",
        "table A {} union U { A } table T { a: int; }",
        "table A {} union U { A } table T { a: int; u: U; }",
        &[],
        Flatc::Agrees,
    ),
    case(
        "field deprecated",
        "table T { a: int; b: string; }",
        "table T { a: int (deprecated); b: string; }",
        &[],
        Flatc::Agrees,
    ),
    case(
        "field renamed, same id",
        "table T { a: int; b: string; }",
        "table T { alpha: int; b: string; }",
        &[],
        Flatc::Agrees,
    ),
    case(
        "explicit ids reordered in the file",
        "table T { a: int (id: 0); b: string (id: 1); c: [ubyte] (id: 2); }",
        "table T { c: [ubyte] (id: 2); a: int (id: 0); b: string (id: 1); }",
        &[],
        Flatc::Agrees,
    ),
    case(
        "enum value appended",
        "enum E : byte { A, B } table T { e: E; }",
        "enum E : byte { A, B, C } table T { e: E; }",
        &[],
        Flatc::Agrees,
    ),
    case(
        "enum value renamed",
        "enum E : byte { A, B }",
        "enum E : byte { A, Bee }",
        &[],
        Flatc::Agrees,
    ),
    case(
        "bit_flags flag appended",
        "enum F : ubyte (bit_flags) { A, B }",
        "enum F : ubyte (bit_flags) { A, B, C }",
        &[],
        Flatc::Agrees,
    ),
    case(
        "union member appended",
        "table A {} table B {} union U { A } table T { u: U; }",
        "table A {} table B {} union U { A, B } table T { u: U; }",
        &[],
        Flatc::Agrees,
    ),
    case(
        "struct field renamed",
        "struct S { x: int; y: int; }",
        "struct S { x: int; why: int; }",
        &[],
        Flatc::Agrees,
    ),
    case(
        "force_align at the natural alignment",
        "struct S { x: int; }",
        "struct S (force_align: 4) { x: int; }",
        &[],
        Flatc::Agrees,
    ),
    case(
        "type added and declarations reordered",
        "table A { x: int; } table B { y: int; }",
        "table C { z: int; } table B { y: int; } table A { x: int; }",
        &[],
        Flatc::Agrees,
    ),
    case(
        "default changed",
        "table T { a: int = 1; b: float; }",
        "table T { a: int = 2; b: float = 0.5; }",
        &[DefaultChanged, DefaultChanged],
        Flatc::Differs(
            "flatc rejects any changed default; weftbuf writes every field, so only a writer \
             that dropped a trailing default is affected: a note",
        ),
    ),
    case(
        "enum field retyped to its underlying integer",
        "enum E : short { A } table T { e: E; v: [E]; }",
        "enum E : short { A } table T { e: short; v: [short]; }",
        &[],
        Flatc::Differs(
            "flatc compares the enum by name; the bytes and the vector tag are the same",
        ),
    ),
    case(
        "table renamed and moved, identity pinned",
        "namespace N; table T { a: int; }",
        "attribute \"weftbuf_id\"; namespace M; table Hero (weftbuf_id: \"N.T\") { a: int; }",
        &[],
        IDENTITY,
    ),
    // ---- breaking: types ----
    case(
        "table removed",
        "table A { x: int; } table T { a: int; }",
        "table T { a: int; }",
        &[TypeRemoved],
        IDENTITY,
    ),
    case(
        "table moved to another namespace",
        "namespace N; table T { a: int; }",
        "namespace M; table T { a: int; }",
        &[TypeRemoved],
        IDENTITY,
    ),
    case(
        "pinned identity dropped",
        "attribute \"weftbuf_id\"; table Hero (weftbuf_id: \"Old.Hero\") { a: int; }",
        "attribute \"weftbuf_id\"; table Hero { a: int; }",
        &[TypeRemoved],
        IDENTITY,
    ),
    case(
        "enum and union renamed",
        "table A {} enum E : byte { X } union U { A }",
        "table A {} enum E2 : byte { X } union U2 { A }",
        &[TypeRemoved, TypeRemoved],
        IDENTITY,
    ),
    case(
        "table became a struct",
        "table S { a: int; }",
        "struct S { a: int; }",
        &[TypeKindChanged],
        Flatc::Agrees,
    ),
    case(
        "table became a struct, with a field of it",
        "table S { a: int; } table T { s: S; }",
        "struct S { a: int; } table T { s: S; }",
        &[TypeKindChanged, FieldTypeChanged],
        Flatc::Agrees,
    ),
    case(
        "root type changed",
        "table A { x: int; } table B { y: int; } root_type A;",
        "table A { x: int; } table B { y: int; } root_type B;",
        &[RootTypeChanged],
        Flatc::Differs("flatc ignores root_type; a message header carries the root's tag"),
    ),
    // ---- breaking: table fields ----
    case(
        "field removed",
        "table T { a: int; b: int; }",
        "table T { a: int; }",
        &[FieldRemoved],
        Flatc::Agrees,
    ),
    case(
        "deprecated field removed",
        "table T { a: int; b: int (deprecated); }",
        "table T { a: int; }",
        &[FieldRemoved],
        Flatc::Agrees,
    ),
    case(
        "field removed from the middle",
        "table T { a: int; b: string; c: int; }",
        "table T { a: int; c: int; }",
        &[FieldRemoved, FieldIdChanged],
        Flatc::Agrees,
    ),
    case(
        "field inserted in the middle",
        "table T { a: int; c: int; }",
        "table T { a: int; b: int; c: int; }",
        &[FieldIdChanged],
        Flatc::Agrees,
    ),
    case(
        "field ids swapped",
        "table T { a: int; b: int; }",
        "table T { b: int (id: 0); a: int (id: 1); }",
        &[FieldIdChanged, FieldIdChanged],
        Flatc::Agrees,
    ),
    case(
        "scalar retyped",
        "table T { a: int; }",
        "table T { a: uint; }",
        &[FieldTypeChanged],
        Flatc::Agrees,
    ),
    case(
        "field renamed to another type",
        "table T { a: int; }",
        "table T { b: float; }",
        &[FieldTypeChanged],
        Flatc::Agrees,
    ),
    case(
        "vector element retyped",
        "table T { v: [int]; }",
        "table T { v: [uint]; }",
        &[FieldTypeChanged],
        Flatc::Agrees,
    ),
    case(
        "table reference retyped",
        "table X {} table Y {} table T { a: X; }",
        "table X {} table Y {} table T { a: Y; }",
        &[FieldTypeChanged],
        Flatc::Agrees,
    ),
    case(
        "enum field retyped to another enum",
        "enum E : byte { A } enum F : byte { A } table T { e: E; }",
        "enum E : byte { A } enum F : byte { A } table T { e: F; }",
        &[FieldTypeChanged],
        Flatc::Agrees,
    ),
    case(
        "field points at a same-named table of another namespace",
        "namespace N; table X {} table T { a: X; }",
        "namespace N; table X {} namespace M; table X {} namespace N; table T { a: M.X; }",
        &[FieldTypeChanged],
        Flatc::Differs("flatc compares referenced types by short name"),
    ),
    case(
        "union became a vector of unions",
        "table A {} union U { A } table T { u: U; }",
        "table A {} union U { A } table T { u: [U]; }",
        &[UnionVectorChanged],
        Flatc::Agrees,
    ),
    case(
        "vector of unions became a union",
        "table A {} union U { A } table T { u: [U]; }",
        "table A {} union U { A } table T { u: U; }",
        &[UnionVectorChanged],
        Flatc::Agrees,
    ),
    case(
        "required field added",
        "table T { a: int; }",
        "table T { a: int; s: string (required); }",
        &[RequiredAdded],
        Flatc::Differs("old messages lack the field, and readers reject that"),
    ),
    case(
        "field made required",
        "table T { s: string; }",
        "table T { s: string (required); }",
        &[RequiredAdded],
        Flatc::Differs("old messages may lack the field, and readers reject that"),
    ),
    case(
        "struct field made required",
        "struct S { x: int; } table T { s: S; }",
        "struct S { x: int; } table T { s: S (required); }",
        &[RequiredAdded],
        Flatc::Differs("a required struct has no presence byte: the table's layout changes"),
    ),
    case(
        "required dropped",
        "table T { s: string (required); }",
        "table T { s: string; }",
        &[RequiredRemoved],
        Flatc::Differs("old readers reject new messages that omit the field"),
    ),
    case(
        "scalar made optional",
        "table T { a: int; b: int; }",
        "table T { a: int = null; b: int; }",
        &[PresenceChanged],
        Flatc::Agrees,
    ),
    case(
        "optional scalar given a default",
        "table T { a: int = null; }",
        "table T { a: int = 3; }",
        &[PresenceChanged],
        Flatc::Agrees,
    ),
    // ---- breaking: structs ----
    case(
        "struct field appended",
        "struct S { x: int; } table T { s: S; }",
        "struct S { x: int; y: int; } table T { s: S; }",
        &[StructChanged],
        Flatc::Differs("flatc allows appending to a struct; its size changes"),
    ),
    case(
        "struct field removed",
        "struct S { x: int; y: int; }",
        "struct S { x: int; }",
        &[StructChanged],
        Flatc::Agrees,
    ),
    case(
        "struct fields reordered",
        "struct S { x: int; y: double; }",
        "struct S { y: double; x: int; }",
        &[StructChanged],
        Flatc::Agrees,
    ),
    case(
        "struct field retyped",
        "struct S { x: int; y: int; }",
        "struct S { x: int; y: uint; }",
        &[StructChanged],
        Flatc::Agrees,
    ),
    case(
        "struct force_align raised",
        "struct S { x: int; y: int; }",
        "struct S (force_align: 8) { x: int; y: int; }",
        &[StructChanged],
        Flatc::Differs("flatc ignores force_align; the struct's alignment changes"),
    ),
    case(
        "nested struct grew",
        "struct A { x: int; } struct B { a: A; }",
        "struct A { x: int; y: int; } struct B { a: A; }",
        &[StructChanged, StructChanged],
        Flatc::Differs("flatc allows appending to a struct; both sizes change"),
    ),
    // ---- breaking: enums ----
    case(
        "enum value renumbered",
        "enum E : byte { A, B }",
        "enum E : byte { A, B = 2 }",
        &[EnumValueChanged],
        Flatc::Agrees,
    ),
    case(
        "enum values swapped",
        "enum E : byte { A, B }",
        "enum E : byte { B, A }",
        &[EnumValueChanged, EnumValueChanged],
        Flatc::Agrees,
    ),
    case(
        "enum value removed",
        "enum E : byte { A, B, C }",
        "enum E : byte { A, C = 2 }",
        &[EnumValueRemoved],
        Flatc::Differs("old messages may hold the value, which the new schema cannot name"),
    ),
    case(
        "enum underlying type changed",
        "enum E : byte { A, B }",
        "enum E : short { A, B }",
        &[EnumUnderlyingChanged],
        Flatc::Agrees,
    ),
    case(
        "bit_flags flag inserted",
        "enum F : ubyte (bit_flags) { A, B }",
        "enum F : ubyte (bit_flags) { A, C, B }",
        &[EnumValueChanged],
        Flatc::Agrees,
    ),
    // ---- breaking: unions ----
    case(
        "union member removed",
        "table A {} table B {} union U { A, B }",
        "table A {} table B {} union U { A }",
        &[UnionMemberRemoved],
        Flatc::Differs("old messages may hold the member, which the new schema cannot read"),
    ),
    case(
        "union members swapped",
        "table A {} table B {} union U { A, B }",
        "table A {} table B {} union U { B, A }",
        &[UnionMemberChanged, UnionMemberChanged],
        Flatc::Agrees,
    ),
    case(
        "union member points at another type",
        "table A {} table B {} union U { A, B }",
        "table A {} table B {} union U { A, B: A }",
        &[UnionMemberChanged],
        Flatc::Differs("old messages hold B objects, with B's tag, under that discriminant"),
    ),
];

fn compile(name: &str, text: &str) -> Schema {
    Compiler::new()
        .compile_source(name, text)
        .unwrap_or_else(|e| panic!("{name} does not compile:\n{e}"))
}

fn sorted_kinds(changes: &[Change]) -> Vec<ChangeKind> {
    let mut kinds: Vec<ChangeKind> = changes.iter().map(|c| c.kind).collect();
    kinds.sort();
    kinds
}

#[test]
fn every_pair_reports_exactly_its_kinds() {
    let mut failures = Vec::new();
    for case in CASES {
        let (old, new) = (compile("old.fbs", case.old), compile("new.fbs", case.new));
        let changes = compare(&old, &new);
        for c in &changes {
            eprintln!("[{}] {}", case.name, c.render(&old, &new));
        }
        let mut expected = case.kinds.to_vec();
        expected.sort();
        if sorted_kinds(&changes) != expected {
            let shown: Vec<String> = changes.iter().map(|c| c.render(&old, &new)).collect();
            failures.push(format!(
                "{}: expected {expected:?}, got:\n  {}",
                case.name,
                shown.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_difference_from_flatc_is_explained() {
    for case in CASES {
        if let Flatc::Differs(why) | Flatc::Skip(why) = case.flatc {
            assert!(why.len() > 10, "{}: say why flatc differs", case.name);
        }
    }
}

#[test]
fn every_breaking_kind_has_a_pair() {
    let all = [
        TypeRemoved,
        TypeKindChanged,
        FieldRemoved,
        FieldIdChanged,
        FieldTypeChanged,
        UnionVectorChanged,
        RequiredAdded,
        RequiredRemoved,
        PresenceChanged,
        StructChanged,
        EnumValueChanged,
        EnumValueRemoved,
        EnumUnderlyingChanged,
        UnionMemberRemoved,
        UnionMemberChanged,
        RootTypeChanged,
        DefaultChanged,
    ];
    for kind in all {
        assert!(
            CASES
                .iter()
                .any(|c| c.kinds == [kind] || c.kinds == [kind, kind]),
            "no pair reports only {kind:?}"
        );
    }
    // `TableLayoutChanged` is the safety net behind the rules: no pair reaches it (the unit
    // tests of `compat` exercise it directly).
}

#[test]
fn removed_things_point_into_the_old_schema_and_the_rest_into_the_new() {
    let old = compile("old.fbs", "table T {\n  a: int;\n  b: int;\n}\n");
    let new = compile("new.fbs", "table T {\n  a: long;\n}\n");
    let changes = compare(&old, &new);
    let sides: Vec<(ChangeKind, Side)> = changes.iter().map(|c| (c.kind, c.side)).collect();
    assert_eq!(
        sides,
        [(FieldTypeChanged, Side::New), (FieldRemoved, Side::Old)]
    );
    assert_eq!(
        changes[1].render(&old, &new),
        "old.fbs:3:3: breaking: field `T.b` (id 1) was removed: deprecate it instead, so its id \
         stays taken"
    );
}

#[test]
fn a_moved_type_names_where_it_went() {
    let old = compile("old.fbs", "namespace N;\ntable T { a: int; }\n");
    let new = compile("new.fbs", "namespace M;\ntable T { a: int; }\n");
    let changes = compare(&old, &new);
    assert_eq!(changes.len(), 1);
    assert_eq!(
        changes[0].render(&old, &new),
        "old.fbs:2:7: breaking: table `N.T` is not in the new schema: it moved to another \
         namespace as `M.T`; a renamed or moved table keeps its tag only by pinning \
         `(weftbuf_id: \"N.T\")`"
    );
}

fn evolution_dir() -> std::path::PathBuf {
    corpus_dir().join("flatbuffers/tests/evolution_test")
}

fn compile_file(path: &Path) -> Schema {
    Compiler::new()
        .compile(&[path])
        .unwrap_or_else(|e| panic!("{} does not compile:\n{e}", path.display()))
}

/// evolution_v2.fbs with its namespace renamed to v1's, compiled under a name in the same
/// folder, and its text.
fn v2_in_v1_namespace(edit: impl Fn(String) -> String) -> (Schema, String) {
    let text = std::fs::read_to_string(evolution_dir().join("evolution_v2.fbs")).unwrap();
    let text = edit(text.replace("Evolution.V2", "Evolution.V1"));
    let name = evolution_dir().join("evolution_v2_in_v1.fbs");
    let schema = Compiler::new()
        .compile_source(name.to_str().unwrap(), &text)
        .unwrap_or_else(|e| panic!("the rewritten v2 does not compile:\n{e}"));
    (schema, text)
}

#[test]
fn corpus_v1_to_v2_moves_every_type_to_another_namespace() {
    let Some(_) = common::corpus() else { return };
    let old = compile_file(&evolution_dir().join("evolution_v1.fbs"));
    let new = compile_file(&evolution_dir().join("evolution_v2.fbs"));
    let changes = compare(&old, &new);
    let mut subjects: Vec<&str> = changes
        .iter()
        .inspect(|c| assert_eq!(c.kind, TypeRemoved, "{}", c.render(&old, &new)))
        .map(|c| c.subject.as_str())
        .collect();
    subjects.sort_unstable();
    assert_eq!(
        subjects,
        [
            "Evolution.V1.Enum",
            "Evolution.V1.Root",
            "Evolution.V1.Struct",
            "Evolution.V1.TableA",
            "Evolution.V1.TableB",
            "Evolution.V1.Union",
        ]
    );
    for change in &changes {
        let moved_to = change.subject.replace("V1", "V2");
        assert!(
            change.message.contains(&format!("as `{moved_to}`")),
            "{}",
            change.message
        );
    }
}

#[test]
fn corpus_v1_to_v2_in_the_same_namespace_breaks_only_where_flatc_does() {
    let Some(_) = common::corpus() else { return };
    let old = compile_file(&evolution_dir().join("evolution_v1.fbs"));
    let (new, _) = v2_in_v1_namespace(|t| t);
    let changes = compare(&old, &new);
    let shown: Vec<String> = changes.iter().map(|c| c.render(&old, &new)).collect();
    // flatc --conform: "types differ for field: Evolution.V1.Root.i" (int became uint).
    assert_eq!(changes.len(), 1, "{shown:#?}");
    assert_eq!(
        (changes[0].kind, changes[0].subject.as_str()),
        (FieldTypeChanged, "Evolution.V1.Root.i")
    );
    assert!(
        shown[0].contains("evolution_v2_in_v1.fbs:45:5: breaking:"),
        "{shown:#?}"
    );

    // Without that one change, v2 is a compatible evolution of v1.
    let (new, _) = v2_in_v1_namespace(|t| t.replace("i:uint = 1234", "i:int = 1234"));
    let changes = compare(&old, &new);
    assert!(changes.is_empty(), "{changes:#?}");
}

/// flatc's verdict on `new` as an evolution of `old`: `Ok(true)` when it conforms, with its
/// output.
fn flatc_conforms(flatc: &Path, old: &str, new: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let (old_path, new_path) = (dir.path().join("old.fbs"), dir.path().join("new.fbs"));
    std::fs::write(&old_path, old).unwrap();
    std::fs::write(&new_path, new).unwrap();
    // Options before files: flatc rejects an option after a file name.
    let output = std::process::Command::new(flatc)
        .arg("--conform")
        .arg(&old_path)
        .arg(&new_path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run flatc at {}: {e}", flatc.display()));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let conforms = output.status.success();
    assert!(
        conforms || text.contains("schemas don't conform"),
        "flatc failed for another reason than conformance:\n{text}"
    );
    (conforms, text)
}

#[test]
fn flatc_conform_agrees_except_where_documented() {
    let Some(flatc) = flatc() else { return };
    let mut wrong = Vec::new();
    let mut compared = 0;
    for case in CASES {
        let expected_same = match case.flatc {
            Flatc::Agrees => true,
            Flatc::Differs(_) => false,
            Flatc::Skip(_) => continue,
        };
        compared += 1;
        let changes = compare(&compile("old.fbs", case.old), &compile("new.fbs", case.new));
        let weftbuf_breaks = changes.iter().any(Change::is_breaking);
        let (flatc_conforms, text) = flatc_conforms(&flatc, case.old, case.new);
        if (weftbuf_breaks != flatc_conforms) != expected_same {
            wrong.push(format!(
                "{} ({:?}): weftbuf {}, flatc {}: {}",
                case.name,
                case.flatc,
                if weftbuf_breaks { "breaks" } else { "conforms" },
                if flatc_conforms { "conforms" } else { "breaks" },
                text.trim()
            ));
        }
    }
    assert!(compared >= 40, "only {compared} pairs compared with flatc");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn flatc_conform_agrees_on_the_corpus() {
    let Some(flatc) = flatc() else { return };
    let Some(_) = common::corpus() else { return };
    let v1 = std::fs::read_to_string(evolution_dir().join("evolution_v1.fbs")).unwrap();
    // As written (other namespace), flatc compares nothing: it matches types by name.
    let v2 = std::fs::read_to_string(evolution_dir().join("evolution_v2.fbs")).unwrap();
    assert!(flatc_conforms(&flatc, &v1, &v2).0);
    // In v1's namespace flatc finds the one change weftbuf finds.
    let (_, v2_same) = v2_in_v1_namespace(|t| t);
    let (conforms, text) = flatc_conforms(&flatc, &v1, &v2_same);
    assert!(!conforms);
    assert!(
        text.contains("types differ for field: Evolution.V1.Root.i"),
        "{text}"
    );
    let (_, v2_fixed) = v2_in_v1_namespace(|t| t.replace("i:uint = 1234", "i:int = 1234"));
    let (conforms, text) = flatc_conforms(&flatc, &v1, &v2_fixed);
    assert!(conforms, "{text}");
}
