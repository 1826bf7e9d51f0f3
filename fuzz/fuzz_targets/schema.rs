//! Any text as a schema: the compiler and the layout return diagnostics or a result, and
//! never panic, hang or overflow the stack. A schema that compiles also lays out and prints
//! its WebAssembly GC types.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weftbuf::layout::{Layout, gc};
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
        let wat = gc::wat(&schema, &layout);
        assert!(wat.starts_with("(module"));
    }
});
