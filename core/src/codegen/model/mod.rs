//! The code-generation model: everything a backend prints, resolved once from a schema and its
//! [`Layout`](crate::layout::Layout).
//!
//! A field's kind carries every offset its accessors and checks need; union members carry
//! their discriminants and tags; defaults are typed; the defaults a builder writes first and
//! the verifier's steps, in order, are data. A backend (Rust, the WebAssembly GC types, and
//! the C, Python and TypeScript printers to come) prints from this and decides nothing about
//! the layout: it never computes an offset, and a fact the model lacks is an error when the
//! model is made ([`ModelError`]), never a default a printer falls back to.
//!
//! Names are the schema's, untouched: each backend applies its own naming rules. The model
//! serializes to JSON (`weftbuf layout --format model`), so a backend in another language can
//! read it.

mod build;
mod checks;

use serde::Serialize;

pub use build::ModelError;
pub use checks::{Check, RefCheck};

use crate::layout::{MemberRole, VectorId};
use crate::schema::{EnumId, QualifiedName, ScalarType, Streaming, StructId, TableId, UnionId};

/// Everything the code generators print for one schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Model {
    /// The schema's file name, as generated files cite it.
    pub source: String,
    /// The file identifier in every message's header (zeros when the schema declares none).
    pub file_identifier: [u8; 4],
    /// The root table, from `root_type`.
    pub root: Option<TableId>,
    /// Enums, indexed by [`EnumId`].
    pub enums: Vec<Enum>,
    /// Structs, indexed by [`StructId`].
    pub structs: Vec<Struct>,
    /// Unions, indexed by [`UnionId`].
    pub unions: Vec<Union>,
    /// Tables, indexed by [`TableId`].
    pub tables: Vec<Table>,
    /// Every vector type the schema uses, indexed by [`VectorId`].
    pub vectors: Vec<Vector>,
    /// Services, in declared order.
    pub services: Vec<Service>,
}

impl Model {
    /// The enum `id`.
    pub fn enumeration(&self, id: EnumId) -> &Enum {
        &self.enums[id.0 as usize]
    }

    /// The struct `id`.
    pub fn structure(&self, id: StructId) -> &Struct {
        &self.structs[id.0 as usize]
    }

    /// The union `id`.
    pub fn union(&self, id: UnionId) -> &Union {
        &self.unions[id.0 as usize]
    }

    /// The table `id`.
    pub fn table(&self, id: TableId) -> &Table {
        &self.tables[id.0 as usize]
    }

    /// The vector type `id`.
    pub fn vector(&self, id: VectorId) -> &Vector {
        &self.vectors[id.0 as usize]
    }
}

/// An enum: a newtype over its underlying integer, whose values a reader may not all know.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Enum {
    /// Its name.
    pub name: QualifiedName,
    /// `///` comment lines.
    pub doc: Vec<String>,
    /// The integer it is stored as.
    pub underlying: ScalarType,
    /// `bit_flags`: values are masks, combined with `|`.
    pub bit_flags: bool,
    /// Its values, in ascending order (masks for `bit_flags`).
    pub values: Vec<EnumValue>,
}

/// One value of an enum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnumValue {
    /// Its name.
    pub name: String,
    /// Its value (for `bit_flags`, the mask).
    pub value: i128,
    /// `///` comment lines.
    pub doc: Vec<String>,
}

/// A scalar value: what a table's scalar fields, optional scalars and defaults hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Value {
    /// `bool`: one byte, any non-zero byte reads as true.
    Bool,
    /// An integer or float.
    Scalar {
        /// Its type.
        scalar: ScalarType,
    },
    /// An enum, stored as its underlying integer.
    Enum {
        /// The enum.
        id: EnumId,
        /// Its underlying integer.
        underlying: ScalarType,
    },
}

impl Value {
    /// The scalar its bytes are.
    pub fn scalar(self) -> ScalarType {
        match self {
            Value::Bool => ScalarType::Bool,
            Value::Scalar { scalar } => scalar,
            Value::Enum { underlying, .. } => underlying,
        }
    }
}

/// A value stored inline: a scalar, an enum, or a struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Inline {
    /// `bool`: one byte, any non-zero byte reads as true.
    Bool,
    /// An integer or float.
    Scalar {
        /// Its type.
        scalar: ScalarType,
    },
    /// An enum, stored as its underlying integer.
    Enum {
        /// The enum.
        id: EnumId,
        /// Its underlying integer.
        underlying: ScalarType,
    },
    /// A struct, by value.
    Struct {
        /// The struct.
        id: StructId,
    },
}

impl Inline {
    /// The scalar its bytes are, for scalars, enums and bools.
    pub fn scalar(self) -> Option<ScalarType> {
        match self {
            Inline::Bool => Some(ScalarType::Bool),
            Inline::Scalar { scalar } => Some(scalar),
            Inline::Enum { underlying, .. } => Some(underlying),
            Inline::Struct { .. } => None,
        }
    }
}

/// A struct: a fixed layout of inline fields, the same in a table, a vector and a union.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Struct {
    /// Its name.
    pub name: QualifiedName,
    /// `///` comment lines.
    pub doc: Vec<String>,
    /// The identity its tag hashes (its name, or a pinned `weftbuf_id`).
    pub identity: String,
    /// The tag of a boxed struct's object (a union member).
    pub tag: u32,
    /// Size in bytes.
    pub size: u32,
    /// Alignment in bytes (raised by `force_align`).
    pub align: u32,
    /// The largest alignment of its fields: below `align` when `force_align` raised it.
    pub natural_align: u32,
    /// Fields in declared order.
    pub fields: Vec<StructField>,
    /// Padding after the last field.
    pub padding_after: u32,
    /// Every padding byte, nested structs' and arrays' included, as `(offset, length)` runs,
    /// adjacent runs merged: what a writer zeroes.
    pub padding: Vec<(u32, u32)>,
}

/// One field of a struct.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StructField {
    /// Its name.
    pub name: String,
    /// `///` comment lines.
    pub doc: Vec<String>,
    /// Byte offset from the start of the struct.
    pub offset: u32,
    /// Padding bytes before it.
    pub padding_before: u32,
    /// A value, or a fixed-size array of them.
    pub ty: StructFieldType,
}

/// What a struct field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum StructFieldType {
    /// One value.
    Value {
        /// It.
        value: Inline,
    },
    /// `[T:N]`: `len` elements `stride` bytes apart.
    Array {
        /// The element.
        element: Inline,
        /// How many.
        len: u32,
        /// Bytes from one to the next.
        stride: u32,
    },
}

/// A union: a discriminant and a reference to one of its members' objects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Union {
    /// Its name.
    pub name: QualifiedName,
    /// `///` comment lines.
    pub doc: Vec<String>,
    /// The discriminant's type: `ubyte`, or the schema's `union U : T`.
    pub discriminant: ScalarType,
    /// Members in ascending order of discriminant (NONE, 0, not included).
    pub members: Vec<UnionMember>,
}

impl Union {
    /// Whether every member is a struct (read by value: a view of it borrows nothing).
    pub fn only_structs(&self) -> bool {
        self.members
            .iter()
            .all(|m| matches!(m.target, UnionTarget::Struct { .. }))
    }
}

/// One member of a union.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnionMember {
    /// Its name: the alias, or the type's name.
    pub name: String,
    /// `///` comment lines.
    pub doc: Vec<String>,
    /// Its discriminant, as the discriminant's bytes read unsigned.
    pub discriminant: u64,
    /// The tag of its type, which its object carries when it is a table or a boxed struct
    /// (strings carry none).
    pub tag: u32,
    /// What its reference points to.
    pub target: UnionTarget,
}

/// The object of a union member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum UnionTarget {
    /// A table.
    Table {
        /// The table.
        id: TableId,
    },
    /// A struct, boxed in an object of its own.
    Struct {
        /// The struct.
        id: StructId,
        /// Its size, the object's body size.
        size: u32,
        /// Its alignment.
        align: u32,
    },
    /// A string.
    String,
}

/// A vector type: its object's tag and how its elements lie.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vector {
    /// Its identity, `[int]`, `[MyGame.Example.Vec3]`.
    pub identity: String,
    /// The hash of its identity: the tag in its objects' header when `tagged`.
    pub tag: u32,
    /// Whether its objects start with a tag and a count (vectors of references) or with the
    /// count alone (vectors of scalars and structs).
    pub tagged: bool,
    /// Bytes from one element to the next.
    pub stride: u32,
    /// The alignment of its body: the element's, at least 4.
    pub body_align: u32,
    /// What each element is.
    pub element: VectorElement,
}

/// What a vector type's elements are, as the layout stores them (an enum's elements are its
/// integer's: `[Color]` and `[ubyte]` are one vector type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum VectorElement {
    /// A scalar, inline.
    Scalar {
        /// Its type.
        scalar: ScalarType,
    },
    /// A struct, inline.
    Struct {
        /// The struct.
        id: StructId,
    },
    /// A reference to a string.
    String,
    /// A reference to a table.
    Table {
        /// The table.
        id: TableId,
    },
    /// A reference to a union member's object (with a vector of discriminants beside).
    Union {
        /// The union.
        id: UnionId,
    },
}

/// A table: fields at fixed offsets in a body that grows by appending fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Its name.
    pub name: QualifiedName,
    /// `///` comment lines.
    pub doc: Vec<String>,
    /// The identity its tag hashes.
    pub identity: String,
    /// The tag of its objects.
    pub tag: u32,
    /// The body size this schema writes.
    pub body_size: u32,
    /// Its objects reach no table: a verifier checks one at every reference instead of
    /// remembering it (`Checker::leaf_table`, no `leave`).
    pub leaf: bool,
    /// The body's alignment: the largest member alignment, at least 4.
    pub body_align: u32,
    /// Its members (a field's value, presence byte or discriminant each), in id order: the
    /// fields of its WebAssembly GC struct, one to one. A member may sit in a gap before
    /// earlier ones (`docs/layout.md`, section 8).
    pub members: Vec<Member>,
    /// Its fields, in id order.
    pub fields: Vec<Field>,
    /// The scalars a builder writes when it allocates the table: the fields whose default is
    /// not all zero bytes, in id order.
    pub prefill: Vec<Prefill>,
    /// What a verifier checks of each field, in id order (deprecated fields too).
    pub checks: Vec<Check>,
}

/// One member of a table's body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    /// `name`, `name_type` for a discriminant, `name.present` for a presence byte.
    pub name: String,
    /// The index of its field in [`Table::fields`].
    pub field: u32,
    /// Which part of its field it is.
    pub role: MemberRole,
    /// Byte offset in the body.
    pub offset: u32,
    /// Size in bytes.
    pub size: u32,
    /// What its bytes hold.
    pub storage: MemberStorage,
}

/// What a table member's bytes hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum MemberStorage {
    /// A scalar (an enum's integer, a presence byte, a discriminant).
    Scalar {
        /// Its type.
        scalar: ScalarType,
    },
    /// A struct, inline.
    Struct {
        /// The struct.
        id: StructId,
    },
    /// A reference to a string.
    String,
    /// A reference to a table.
    Table {
        /// The table.
        id: TableId,
    },
    /// A reference to a vector.
    Vector {
        /// The vector type.
        id: VectorId,
    },
    /// A reference to a union member's object.
    Union {
        /// The union.
        id: UnionId,
    },
}

/// A table field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// Its name.
    pub name: String,
    /// Its id.
    pub id: u32,
    /// `///` comment lines.
    pub doc: Vec<String>,
    /// Kept for its slot only: no accessors, written as its default.
    pub deprecated: bool,
    /// The field vectors of this table sort by.
    pub key: bool,
    /// Its type as a schema writes it.
    pub type_name: String,
    /// The field is in an object whose body is at least this long; else it reads as absent.
    pub end: u32,
    /// How it is read and written.
    pub kind: FieldKind,
}

impl Field {
    /// Whether a message without it is invalid.
    pub fn required(&self) -> bool {
        match &self.kind {
            FieldKind::Struct { presence, .. } => presence.is_none(),
            FieldKind::String { required, .. }
            | FieldKind::Table { required, .. }
            | FieldKind::Vector { required, .. }
            | FieldKind::Union { required, .. }
            | FieldKind::UnionVector { required, .. } => *required,
            FieldKind::Scalar { .. } | FieldKind::Optional { .. } => false,
        }
    }
}

/// A scalar's typed default. As JSON: `{"kind": "float", "value": 1.5}`, with `"nan"`,
/// `"inf"` and `"-inf"` as strings (JSON has no numbers for them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScalarDefault {
    /// For `bool`.
    Bool(bool),
    /// For integers and enums.
    Int(i128),
    /// For floats (NaN and infinities kept).
    Float(f64),
}

impl Serialize for ScalarDefault {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("ScalarDefault", 2)?;
        match *self {
            ScalarDefault::Bool(b) => {
                s.serialize_field("kind", "bool")?;
                s.serialize_field("value", &b)?;
            }
            ScalarDefault::Int(v) => {
                s.serialize_field("kind", "int")?;
                s.serialize_field("value", &v)?;
            }
            ScalarDefault::Float(v) => {
                s.serialize_field("kind", "float")?;
                match v {
                    v if v.is_nan() => s.serialize_field("value", "nan")?,
                    v if v.is_infinite() && v > 0.0 => s.serialize_field("value", "inf")?,
                    v if v.is_infinite() => s.serialize_field("value", "-inf")?,
                    v => s.serialize_field("value", &v)?,
                }
            }
        }
        s.end()
    }
}

impl ScalarDefault {
    /// Whether the default is all zero bytes (what a zero-filled body already holds).
    pub fn is_zero(self) -> bool {
        match self {
            ScalarDefault::Bool(b) => !b,
            ScalarDefault::Int(v) => v == 0,
            ScalarDefault::Float(v) => v == 0.0 && v.is_sign_positive(),
        }
    }
}

/// How a table field is read and written: each kind with every offset it needs (body
/// offsets).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldKind {
    /// A scalar or enum with a default.
    Scalar {
        /// Its value's offset.
        offset: u32,
        /// Its type.
        value: Value,
        /// What it reads as when absent.
        default: ScalarDefault,
    },
    /// A scalar or enum that may be null (`= null`): a presence byte, then the value.
    Optional {
        /// Its value's offset.
        offset: u32,
        /// Its presence byte's offset.
        presence: u32,
        /// Its type.
        value: Value,
    },
    /// A struct, inline.
    Struct {
        /// Its offset.
        offset: u32,
        /// The struct.
        id: StructId,
        /// Its presence byte's offset; `None` when the field is `required`.
        presence: Option<u32>,
    },
    /// A string.
    String {
        /// Its reference's offset.
        offset: u32,
        /// `required`.
        required: bool,
        /// The schema's default, which the schema-driven reader gives for a null string.
        default: Option<String>,
    },
    /// A table.
    Table {
        /// Its reference's offset.
        offset: u32,
        /// The table.
        id: TableId,
        /// `required`.
        required: bool,
    },
    /// A vector of scalars, enums, structs, strings or tables.
    Vector {
        /// Its reference's offset.
        offset: u32,
        /// The vector type.
        vector: VectorId,
        /// What each element is, enums as enums.
        element: Element,
        /// The alignment writers give its body: its type's, or a nested message's.
        body_align: u32,
        /// `required`.
        required: bool,
        /// For `nested_flatbuffer`: the root table of the message its bytes hold.
        nested: Option<TableId>,
    },
    /// A union: a discriminant, then a reference.
    Union {
        /// Its reference's offset.
        offset: u32,
        /// Its discriminant's offset.
        discriminant: u32,
        /// The union.
        id: UnionId,
        /// `required`.
        required: bool,
    },
    /// A vector of unions: a reference to the discriminants' vector, then to the values'.
    UnionVector {
        /// The values' reference's offset.
        offset: u32,
        /// The discriminants' reference's offset.
        discriminants: u32,
        /// The union.
        id: UnionId,
        /// The discriminants' vector type.
        types: VectorId,
        /// The values' vector type.
        values: VectorId,
        /// `required`.
        required: bool,
    },
}

/// An element of a vector field, enums as enums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Element {
    /// A scalar, enum or struct, inline.
    Inline {
        /// It.
        value: Inline,
    },
    /// A string.
    String,
    /// A table.
    Table {
        /// The table.
        id: TableId,
    },
}

/// A scalar a builder writes into a new table before anything else: a field's default that is
/// not all zero bytes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prefill {
    /// The body offset.
    pub offset: u32,
    /// Its type.
    pub value: Value,
    /// The value.
    pub default: ScalarDefault,
}

/// An `rpc_service`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    /// Its name.
    pub name: QualifiedName,
    /// `///` comment lines.
    pub doc: Vec<String>,
    /// Its methods, in declared order.
    pub methods: Vec<Method>,
}

/// One method of a service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Method {
    /// Its name.
    pub name: String,
    /// `///` comment lines.
    pub doc: Vec<String>,
    /// Its gRPC path, `/namespace.Service/Method`.
    pub path: String,
    /// The request table.
    pub request: TableId,
    /// The response table.
    pub response: TableId,
    /// How it streams.
    pub streaming: Streaming,
    /// Safe to retry.
    pub idempotent: bool,
}

#[cfg(test)]
mod tests;
