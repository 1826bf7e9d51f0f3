//! The model says what the layout says, field by field, and fails rather than guess.

use super::*;
use crate::layout::Layout;
use crate::schema::{Compiler, Schema};

fn model(text: &str) -> (Schema, Layout, Model) {
    let schema = Compiler::new()
        .compile_source("m.fbs", text)
        .unwrap_or_else(|e| panic!("{e}"));
    let layout = Layout::new(&schema).unwrap_or_else(|e| panic!("{e}"));
    let model = Model::new(&schema, &layout, "m.fbs").unwrap();
    (schema, layout, model)
}

#[test]
fn each_field_kind_carries_the_layouts_offsets() {
    let (_, layout, m) = model(
        "enum C : ubyte { A, B } struct P { x: float; } table Q { a: int; }
         union U : short { Q, P, S: string }
         table T { s: short = 3; o: C = null; p: P; r: P (required); n: string (required);
                   q: Q; v: [P]; e: [C]; u: U; w: [U]; nested: [ubyte] (nested_flatbuffer: \"Q\"); }",
    );
    let t = m.tables.iter().find(|t| t.name.name == "T").unwrap();
    let tl = layout.tables.iter().find(|l| l.name == "T").unwrap();
    let offset = |name: &str| tl.members.iter().find(|m| m.name == name).unwrap().offset;
    let field = |name: &str| &t.fields.iter().find(|f| f.name == name).unwrap().kind;
    assert_eq!(
        *field("s"),
        FieldKind::Scalar {
            offset: offset("s"),
            value: Value::Scalar {
                scalar: ScalarType::Short
            },
            default: ScalarDefault::Int(3)
        }
    );
    assert!(
        matches!(field("o"), FieldKind::Optional { presence, value: Value::Enum { .. }, .. } if *presence == offset("o.present"))
    );
    assert!(matches!(
        field("p"),
        FieldKind::Struct {
            presence: Some(_),
            ..
        }
    ));
    assert!(matches!(
        field("r"),
        FieldKind::Struct { presence: None, .. }
    ));
    assert!(matches!(
        field("n"),
        FieldKind::String { required: true, .. }
    ));
    assert!(matches!(
        field("e"),
        FieldKind::Vector {
            element: Element::Inline {
                value: Inline::Enum { .. }
            },
            ..
        }
    ));
    assert!(
        matches!(field("u"), FieldKind::Union { discriminant, .. } if *discriminant == offset("u_type"))
    );
    assert!(matches!(field("w"), FieldKind::UnionVector { .. }));
    assert!(matches!(
        field("nested"),
        FieldKind::Vector {
            nested: Some(_),
            ..
        }
    ));
    // The union's discriminants and tags.
    let u = &m.unions[0];
    assert_eq!(u.discriminant, ScalarType::Short);
    assert_eq!(
        u.members.iter().map(|m| m.discriminant).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(matches!(
        u.members[1].target,
        UnionTarget::Struct {
            size: 4,
            align: 4,
            ..
        }
    ));
    // Only the non-zero default is written first, and every field has its check.
    assert_eq!(t.prefill.len(), 1);
    assert_eq!(t.checks.len(), t.fields.len());
    let checks: Vec<bool> = t.checks.iter().map(|c| c.required).collect();
    assert_eq!(checks.iter().filter(|r| **r).count(), 2);
}

#[test]
fn a_layout_of_another_schema_is_an_error_not_a_guess() {
    let (schema, _, _) = model("table T { a: int; b: string; }");
    let (_, other, _) = model("table T { a: int; } table U { x: long; }");
    let err = Model::new(&schema, &other, "m.fbs").unwrap_err();
    assert!(err.to_string().contains("layout"), "{err}");
}

#[test]
fn the_model_is_json_with_every_default_kept() {
    let (_, _, m) = model(
        "table T { f: float = nan; g: double = -inf; h: ulong = 18446744073709551615; b: bool = true; }",
    );
    let json = serde_json::to_value(&m).unwrap();
    let defaults: Vec<String> = json["tables"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"]["default"]["value"].to_string())
        .collect();
    assert_eq!(
        defaults,
        ["\"nan\"", "\"-inf\"", "18446744073709551615", "true"]
    );
}
