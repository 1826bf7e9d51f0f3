//! Any text as JSON for `schemas/everything.fbs`: it is rejected with an error, or it encodes
//! to a message that verifies, and the JSON written from that message encodes to a message
//! that writes the same JSON again (JSON -> message -> JSON is stable).
#![no_main]

mod everything;

use libfuzzer_sys::fuzz_target;
use weftbuf::json::{JsonOptions, json_to_message, message_to_json};
use weftbuf::message::{Limits, verify};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (schema, layout, root) = everything::everything();
    let root = *root;
    let Ok(bytes) = json_to_message(schema, layout, root, text) else {
        return;
    };
    verify(schema, layout, root, &bytes, &Limits::default()).expect("encoder output verifies");
    let options = JsonOptions { defaults: true };
    let first = message_to_json(schema, layout, root, &bytes, options).expect("reads as JSON");
    let again = json_to_message(schema, layout, root, &first).expect("weftbuf's JSON reads back");
    let second = message_to_json(schema, layout, root, &again, options).expect("reads as JSON");
    assert_eq!(first, second, "JSON -> message -> JSON must be stable");
});
