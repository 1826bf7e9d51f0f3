//! FlatBuffers interop: existing FlatBuffers binaries are verified with FlatBuffers' rules
//! and read through the same views as weftbuf messages, and transcode both ways.
//!
//! Transcoding reads the whole source into a [`crate::message::Value`] and writes it in the
//! other format: linear in the size of the data (objects shared by many references are
//! expanded up to a budget proportional to the input, then refused). Values, unions (aliases, vectors of unions, struct and
//! string members), optional scalars, fixed arrays, nested messages (converted to the target
//! format) and deprecated fields (dropped, as FlatBuffers' builders drop them) all carry over.
//! One thing cannot: whether a FlatBuffers scalar equal to its default was stored or left out
//! of the vtable. weftbuf gives every scalar a slot, so both read back as the default value,
//! and the FlatBuffers written back leaves defaults out, as flatc does.

mod build;
mod verify;

pub use build::{WriteOptions, encode_flatbuffer};
pub use verify::{Framing, MAX_FLATBUFFER_SIZE, verify_flatbuffer};

use crate::layout::Layout;
use crate::message::{
    BuildError, Limits, ReadError, Reader, VerifyError, encode, read_value, verify,
};
use crate::schema::{Schema, TableId};

/// Why a conversion between FlatBuffers and weftbuf failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TranscodeError {
    /// The input does not verify.
    #[error("{0}")]
    Verify(#[from] VerifyError),
    /// The input could not be read.
    #[error("{0}")]
    Read(#[from] ReadError),
    /// The output could not be written.
    #[error("{0}")]
    Build(#[from] BuildError),
}

/// Converts a FlatBuffers buffer (framed as `framing` says) into a weftbuf message.
pub fn flatbuffer_to_message(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    bytes: &[u8],
    framing: Framing,
) -> Result<Vec<u8>, TranscodeError> {
    let verified = verify_flatbuffer(schema, layout, root, bytes, framing, &Limits::default())?;
    let value = read_value(&Reader::new(schema, layout, verified).root(root)?)?;
    Ok(encode(schema, layout, root, &value)?)
}

/// Converts a weftbuf message into a FlatBuffers buffer.
pub fn message_to_flatbuffer(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    bytes: &[u8],
    options: WriteOptions,
) -> Result<Vec<u8>, TranscodeError> {
    let verified = verify(schema, layout, root, bytes, &Limits::default())?;
    let value = read_value(&Reader::new(schema, layout, verified).root(root)?)?;
    Ok(encode_flatbuffer(schema, layout, root, &value, options)?)
}
