//! Any bytes as a message of `schemas/everything.fbs` (every feature of the layout): the
//! verifier returns an error or accepts; accepted bytes read in full; and reading any bytes
//! without verification, through the bounds-checked views, never panics.
#![no_main]

mod everything;

use libfuzzer_sys::fuzz_target;
use weftbuf::json::{JsonOptions, to_json};
use weftbuf::message::{Limits, Reader, verify};

fuzz_target!(|data: &[u8]| {
    let (schema, layout, root) = everything::everything();
    let root = *root;
    if let Ok(verified) = verify(schema, layout, root, data, &Limits::default()) {
        let table = Reader::new(schema, layout, verified)
            .root(root)
            .expect("verified root");
        to_json(&table, JsonOptions { defaults: true }).expect("a verified message reads in full");
    }
    if let Ok(table) = Reader::unverified(schema, layout, data).root(root) {
        let _ = to_json(&table, JsonOptions { defaults: true });
    }
});
