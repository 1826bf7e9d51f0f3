//! Every schema of the outside corpus compiles, and its layout is computed.

mod common;

#[test]
fn every_corpus_schema_compiles() {
    let Some(schemas) = common::corpus_schemas() else {
        return;
    };
    assert!(schemas.len() >= 15, "corpus incomplete: {schemas:?}");
    let mut failures = Vec::new();
    for path in &schemas {
        if let Err(diagnostics) = common::corpus_compiler().compile(&[path]) {
            failures.push(diagnostics.to_string());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
