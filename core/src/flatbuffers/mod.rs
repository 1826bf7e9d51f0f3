//! FlatBuffers interop: existing FlatBuffers binaries are verified with FlatBuffers' rules
//! and read through the same views as weftbuf messages, and transcode both ways.

mod verify;

pub use verify::{Framing, MAX_FLATBUFFER_SIZE, verify_flatbuffer};
