//! Any bytes as a message of `schemas/everything.fbs` (every feature of the layout): the
//! verifier returns an error or accepts; accepted bytes read in full; and reading any bytes
//! without verification, through the bounds-checked views, never panics.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use weftbuf::json::{JsonOptions, to_json};
use weftbuf::layout::Layout;
use weftbuf::message::{Limits, Reader, verify};
use weftbuf::schema::{Compiler, Schema};

fn schema() -> &'static (Schema, Layout) {
    static SCHEMA: OnceLock<(Schema, Layout)> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let text = include_str!("../../schemas/everything.fbs");
        let schema = Compiler::new().compile_source("everything.fbs", text).expect("schema");
        let layout = Layout::new(&schema).expect("layout");
        (schema, layout)
    })
}

fuzz_target!(|data: &[u8]| {
    let (schema, layout) = schema();
    let root = schema.root_table.expect("root_type");
    if let Ok(verified) = verify(schema, layout, root, data, &Limits::default()) {
        let table = Reader::new(schema, layout, verified).root(root).expect("verified root");
        to_json(&table, JsonOptions { defaults: true }).expect("a verified message reads in full");
    }
    if let Ok(table) = Reader::unverified(schema, layout, data).root(root) {
        let _ = to_json(&table, JsonOptions { defaults: true });
    }
});
