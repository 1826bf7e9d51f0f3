//! The schema the message, JSON and FlatBuffers targets read by: `schemas/everything.fbs`,
//! which uses every feature of the layout, compiled once.

use std::sync::OnceLock;

use weftbuf::layout::Layout;
use weftbuf::schema::{Compiler, Schema, TableId};

/// The compiled schema, its layout and its root table.
pub fn everything() -> &'static (Schema, Layout, TableId) {
    static SCHEMA: OnceLock<(Schema, Layout, TableId)> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let text = include_str!("../../schemas/everything.fbs");
        let schema = Compiler::new()
            .compile_source("everything.fbs", text)
            .expect("schema");
        let layout = Layout::new(&schema).expect("layout");
        let root = schema.root_table.expect("root_type");
        (schema, layout, root)
    })
}
