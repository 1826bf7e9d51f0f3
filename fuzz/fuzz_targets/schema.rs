//! Any text as a schema: the compiler and the layout return diagnostics or a result, and
//! never panic, hang or overflow the stack. A schema that compiles also lays out and prints
//! its WebAssembly GC types and its Rust.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weftbuf::codegen::{rust, wat};
use weftbuf::layout::Layout;
use weftbuf::schema::Compiler;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The file name has no folder, so includes resolve against a folder that has no schemas.
    let Ok(schema) = Compiler::new().compile_source("fuzz-input/schema.fbs", text) else {
        return;
    };
    if let Ok(layout) = Layout::new(&schema) {
        // Every schema with a layout has a code-generation model: a `ModelError` is a bug.
        let wat = wat::generate(&schema, &layout).expect("the model of an accepted schema");
        assert!(wat.starts_with("(module"));
        rust::generate(&schema, &layout, "schema.fbs").expect("Rust of an accepted schema");
    }
});
