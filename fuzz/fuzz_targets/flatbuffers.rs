//! Any bytes as a FlatBuffers buffer of `schemas/everything.fbs`: verification fails or
//! passes; a verified buffer reads in full, transcodes to a weftbuf message that verifies,
//! and transcodes back; reading any bytes unverified, as FlatBuffers, never panics.
#![no_main]

mod everything;

use libfuzzer_sys::fuzz_target;
use weftbuf::flatbuffers::{
    Framing, TranscodeError, WriteOptions, flatbuffer_to_message, message_to_flatbuffer,
    verify_flatbuffer,
};
use weftbuf::json::{JsonOptions, to_json};
use weftbuf::message::{BuildError, Format, Limits, Reader, read_value, verify};

fuzz_target!(|data: &[u8]| {
    let (schema, layout, root) = everything::everything();
    let root = *root;
    // The identifier check would reject almost every mutant before the interesting parts.
    let framing = Framing {
        size_prefixed: false,
        check_identifier: false,
    };
    if let Ok(verified) = verify_flatbuffer(schema, layout, root, data, framing, &Limits::default())
    {
        let table = Reader::new(schema, layout, verified)
            .root(root)
            .expect("verified root");
        to_json(&table, JsonOptions { defaults: true }).expect("a verified buffer reads in full");
        read_value(&table).expect("a verified buffer reads as a value");
        match flatbuffer_to_message(schema, layout, root, data, framing) {
            Ok(message) => {
                verify(schema, layout, root, &message, &Limits::default())
                    .expect("transcoded output verifies");
                message_to_flatbuffer(schema, layout, root, &message, WriteOptions::default())
                    .expect("and transcodes back");
            }
            // A union member this schema does not know verifies (forward compatibility) but
            // cannot be written without its type: the one way a verified buffer may fail.
            Err(TranscodeError::Build(BuildError::UnknownUnionMember { .. })) => {}
            Err(e) => panic!("a verified buffer must transcode: {e}"),
        }
    }
    let unverified = Reader::unverified_as(schema, layout, data, Format::FlatBuffers);
    if let Ok(table) = unverified.root(root) {
        let _ = to_json(&table, JsonOptions { defaults: true });
        let _ = read_value(&table);
    }
});
