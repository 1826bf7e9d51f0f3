//! A dynamic value of any schema type: what JSON parses into and what a builder encodes.

use super::scalar::Scalar;

/// A value of a schema type, built without generated code.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An explicit null: an absent reference, optional scalar or struct, or union NONE.
    Null,
    /// A scalar (enums as their integer value).
    Scalar(Scalar),
    /// A string.
    String(String),
    /// A vector's elements, or a fixed-size array's.
    Vector(Vec<Value>),
    /// A struct's fields, in declared order (every field given).
    Struct(Vec<Value>),
    /// A table's fields by field index ([`crate::schema::TableDef::fields`]); `None` for a
    /// field not given, which is written as its default.
    Table(Vec<Option<Value>>),
    /// A union member: its discriminant and the member's value (a table, struct or string).
    Union {
        /// The member's discriminant (never 0), its bytes read unsigned.
        discriminant: u64,
        /// The member's value.
        value: Box<Value>,
    },
}

impl Value {
    /// A short name of the value's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Scalar(Scalar::Bool(_)) => "a bool",
            Value::Scalar(Scalar::Float(_)) => "a float",
            Value::Scalar(_) => "an integer",
            Value::String(_) => "a string",
            Value::Vector(_) => "a vector",
            Value::Struct(_) => "a struct",
            Value::Table(_) => "a table",
            Value::Union { .. } => "a union value",
        }
    }
}
