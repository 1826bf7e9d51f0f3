//! JSON in flatc's conventions, both ways: `.json` files flatc reads are read here, and what
//! is written here flatc reads back.

mod read;
mod syntax;
mod write;

pub use read::{JsonValueError, value_from_json};
pub use syntax::{Json, JsonError, JsonKind, MAX_JSON_DEPTH, parse};
pub use write::{JsonOptions, JsonWriteError, to_json};

use crate::layout::Layout;
use crate::message::{BuildError, Limits, Reader, VerifyError, encode, verify};
use crate::schema::{Schema, TableId};

/// Why a conversion between JSON and a message failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// The JSON text is malformed.
    #[error("{0}")]
    Syntax(#[from] JsonError),
    /// The JSON does not fit the schema.
    #[error("{0}")]
    Value(#[from] JsonValueError),
    /// The value could not be written.
    #[error("{0}")]
    Build(#[from] BuildError),
    /// The message bytes are invalid.
    #[error("{0}")]
    Verify(#[from] VerifyError),
    /// The message could not be written as JSON.
    #[error("{0}")]
    Write(#[from] JsonWriteError),
}

/// Parses JSON text as a `root` table and encodes it as a message.
pub fn json_to_message(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    text: &str,
) -> Result<Vec<u8>, ConvertError> {
    let json = parse(text)?;
    let value = value_from_json(schema, root, &json)?;
    Ok(encode(schema, layout, root, &value)?)
}

/// Verifies `bytes` as a `root` message and writes it as JSON.
pub fn message_to_json(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    bytes: &[u8],
    options: JsonOptions,
) -> Result<String, ConvertError> {
    let verified = verify(schema, layout, root, bytes, &Limits::default())?;
    let reader = Reader::new(schema, layout, verified);
    let table = reader.root(root).map_err(JsonWriteError::from)?;
    Ok(to_json(&table, options)?)
}
