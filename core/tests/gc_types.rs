//! The WAT of every corpus schema is a valid module under a real validator with GC enabled.

mod common;

use weftbuf::codegen::wat;
use weftbuf::layout::Layout;

fn validate(wat_text: &str) -> Result<(), String> {
    let bytes = ::wat::parse_str(wat_text).map_err(|e| format!("wat: {e}"))?;
    let features = wasmparser::WasmFeatures::default()
        | wasmparser::WasmFeatures::GC
        | wasmparser::WasmFeatures::REFERENCE_TYPES
        | wasmparser::WasmFeatures::FUNCTION_REFERENCES;
    wasmparser::Validator::new_with_features(features)
        .validate_all(&bytes)
        .map(|_| ())
        .map_err(|e| format!("validate: {e}"))
}

#[test]
fn every_corpus_schema_maps_to_valid_gc_types() {
    let mut failures = Vec::new();
    for path in common::corpus_schemas().into_iter().flatten() {
        let schema = common::corpus_compiler()
            .compile(&[&path])
            .unwrap_or_else(|d| panic!("{d}"));
        let layout = Layout::new(&schema).unwrap_or_else(|d| panic!("{d}"));
        let text = wat::generate(&schema, &layout).unwrap();
        if let Err(e) = validate(&text) {
            failures.push(format!("{}: {e}\n{text}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_table_gc_type_has_one_field_per_member() {
    let schema = weftbuf::schema::Compiler::new()
        .compile_source(
            "t.fbs",
            "struct P { x: float; y: float; }\nunion U { T }\n\
             table T { a: int = 3; b: short = null; p: P; u: U; s: string; v: [P]; }",
        )
        .expect("valid");
    let layout = Layout::new(&schema).expect("layout");
    let text = wat::generate(&schema, &layout).unwrap();
    validate(&text).expect("valid module");
    let table = &layout.tables[0];
    let names: Vec<&str> = table.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "a",
            "b.present",
            "b",
            "p.present",
            "p",
            "u_type",
            "u",
            "s",
            "v"
        ]
    );
    for name in names {
        assert!(
            text.contains(&format!("(field ${name} ")),
            "{name} missing in\n{text}"
        );
    }
}
