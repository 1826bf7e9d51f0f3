//! The `Layout`: every offset, size, alignment and type tag of a schema, computed once.
//!
//! The verifier, views, builders, JSON, FlatBuffers transcoding, code generators and the
//! WebAssembly GC mapping all read their numbers from here; none computes an offset of its
//! own. The byte format is specified in `docs/layout.md`.

pub use weftbuf_rt::format;
mod objects;
pub(crate) use objects::reads_absent_from_zeros as takes_gaps;
pub mod tag;

use serde::Serialize;

use crate::schema::{
    DefaultValue, Diagnostics, Reporter, ScalarType, Schema, StructId, TableId, UnionId, find_attr,
};

/// Index of a vector type in [`Layout::vectors`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct VectorId(pub u32);

/// What a reference points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum RefTarget {
    /// A string object.
    String,
    /// A table object.
    Table(TableId),
    /// A vector object.
    Vector(VectorId),
    /// Any member of a union: a table, a boxed struct or a string.
    Union(UnionId),
}

/// How a value is stored in the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Storage {
    /// A little-endian scalar (enums are stored as their underlying scalar).
    Scalar {
        /// The scalar type.
        scalar: ScalarType,
    },
    /// A struct, inline by value.
    Struct {
        /// The struct.
        id: StructId,
    },
    /// A fixed-size array inside a struct: `len` elements, `stride` bytes apart.
    Array {
        /// The element, itself a scalar or a struct.
        element: Inline,
        /// Element count.
        len: u32,
        /// Bytes from one element to the next.
        stride: u32,
    },
    /// A reference: i32 relative to its own offset, 0 for null.
    Ref {
        /// What it points to.
        target: RefTarget,
    },
}

/// The element of a fixed-size array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Inline {
    /// A scalar.
    Scalar {
        /// The scalar type.
        scalar: ScalarType,
    },
    /// A struct.
    Struct {
        /// The struct.
        id: StructId,
    },
}

/// What part of a schema field a table member holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// The field's value.
    Value,
    /// A union's discriminant (`ubyte`, or the union's underlying type), or for a vector of
    /// unions the vector of discriminants: the hidden `<name>_type` field.
    UnionType,
    /// The presence byte of an optional scalar or a non-required struct: 1 when the value
    /// is set, 0 when it is null (the value's bytes are then zero).
    Presence,
}

/// One slot of a table body: a WebAssembly GC struct field, one to one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    /// `name`, `name_type` for a union's discriminant, `name.present` for presence bytes.
    pub name: String,
    /// Index of the schema field in [`crate::schema::TableDef::fields`].
    pub field: u32,
    /// Which part of the field this is.
    pub role: MemberRole,
    /// Byte offset from the start of the body.
    pub offset: u32,
    /// Size in bytes.
    pub size: u32,
    /// Alignment in bytes.
    pub align: u32,
    /// How the bytes are read.
    pub storage: Storage,
}

impl Member {
    /// The offset one past this member's last byte.
    pub fn end(&self) -> u32 {
        self.offset + self.size
    }
}

/// Where one schema field of a table lives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldLayout {
    /// The field's name.
    pub name: String,
    /// Index of its value member in [`TableLayout::members`].
    pub value_member: u32,
    /// Index of its discriminant member, for unions and vectors of unions.
    pub union_type_member: Option<u32>,
    /// Index of its presence member, for optional scalars and non-required structs.
    pub presence_member: Option<u32>,
    /// The field is present in an object iff the object's body size is at least this (the
    /// end of its member that ends last); otherwise it reads as its default (this is how
    /// schemas evolve).
    pub present_if_body_at_least: u32,
    /// The schema type, as a schema would write it.
    pub type_name: String,
    /// What a reader sees when the field is absent.
    pub default: DefaultValue,
}

/// The layout of a table's object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableLayout {
    /// Fully qualified name.
    pub name: String,
    /// The identity its tag hashes: the name, or its pinned `weftbuf_id`.
    pub identity: String,
    /// The type tag in the object header.
    pub tag: u32,
    /// Body size this schema writes: the end of the member that ends last, unpadded.
    pub body_size: u32,
    /// Its objects reach no table (no field refers to a table, a union or a vector of either,
    /// and none holds a nested message): a verifier checks one at every reference to it, in
    /// time the schema bounds, instead of remembering that it did.
    pub leaf: bool,
    /// The body's alignment: the largest member alignment, at least 4.
    pub body_align: u32,
    /// Members in id order (the order they were placed in; a member may sit in a gap before
    /// earlier ones, see [`TableLayout::by_offset`]).
    pub members: Vec<Member>,
    /// One entry per schema field, in id order (the order of `TableDef::fields`).
    pub fields: Vec<FieldLayout>,
}

/// One field of a struct.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StructFieldLayout {
    /// Its name.
    pub name: String,
    /// Byte offset from the start of the struct.
    pub offset: u32,
    /// Size in bytes.
    pub size: u32,
    /// Alignment in bytes.
    pub align: u32,
    /// Padding bytes before it.
    pub padding_before: u32,
    /// How the bytes are read.
    pub storage: Storage,
    /// The schema type, as a schema would write it.
    pub type_name: String,
}

/// The layout of a struct: fixed, the same inline, in vectors, and boxed in a union.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StructLayout {
    /// Fully qualified name.
    pub name: String,
    /// The identity its tag hashes.
    pub identity: String,
    /// The tag of a boxed struct's object and part of its vectors' identity.
    pub tag: u32,
    /// Size in bytes, a multiple of `align`.
    pub size: u32,
    /// Alignment: the largest field alignment, or `force_align`.
    pub align: u32,
    /// Fields in declared order.
    pub fields: Vec<StructFieldLayout>,
    /// Padding after the last field.
    pub padding_after: u32,
}

/// The layout of one vector type (every distinct vector type the schema uses).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VectorLayout {
    /// Its identity, e.g. `[int]`, `[MyGame.Example.Vec3]`.
    pub identity: String,
    /// The hash of its identity: the tag in its header when it is `tagged`.
    pub tag: u32,
    /// Whether its objects start with a tag and a count (vectors of references) or with the
    /// count alone (vectors of scalars and structs).
    pub tagged: bool,
    /// How each element is stored.
    pub element: Storage,
    /// Bytes from one element to the next.
    pub stride: u32,
    /// The body's alignment: the element's, at least 4.
    pub body_align: u32,
}

/// One member of a union, with the tag of its type (which its object carries when it is a
/// table or a boxed struct; strings carry none).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnionMemberLayout {
    /// The member's name.
    pub name: String,
    /// Its discriminant, as the union's discriminant bytes read unsigned.
    pub discriminant: u64,
    /// The tag of the object its reference points to.
    pub tag: u32,
}

/// The layout of a union.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnionLayout {
    /// Fully qualified name.
    pub name: String,
    /// The discriminant's type (`ubyte` unless the schema says `union U : T`).
    pub discriminant: ScalarType,
    /// Members by discriminant.
    pub members: Vec<UnionMemberLayout>,
}

/// Every layout fact of a schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    /// Tables, indexed by [`TableId`].
    pub tables: Vec<TableLayout>,
    /// Structs, indexed by [`StructId`].
    pub structs: Vec<StructLayout>,
    /// Vector types, indexed by [`VectorId`].
    pub vectors: Vec<VectorLayout>,
    /// Unions, indexed by [`UnionId`].
    pub unions: Vec<UnionLayout>,
    /// The root table, from `root_type`.
    pub root_table: Option<TableId>,
    /// The header's file identifier (zeros when the schema declares none).
    pub file_identifier: [u8; 4],
}

impl Layout {
    /// Computes the layout of a compiled schema. Fails when a type is too large for a
    /// message, when `force_align` is below a struct's natural alignment, or when two types'
    /// tags collide.
    pub fn new(schema: &Schema) -> Result<Layout, Diagnostics> {
        let mut reporter = Reporter::default();
        let layout = objects::compute(schema, &mut reporter);
        if reporter.has_errors() {
            Err(reporter.finish())
        } else {
            Ok(layout)
        }
    }

    /// The layout of a table.
    pub fn table(&self, id: TableId) -> &TableLayout {
        &self.tables[id.0 as usize]
    }

    /// The layout of a struct.
    pub fn struct_layout(&self, id: StructId) -> &StructLayout {
        &self.structs[id.0 as usize]
    }

    /// The layout of a vector type.
    pub fn vector(&self, id: VectorId) -> &VectorLayout {
        &self.vectors[id.0 as usize]
    }

    /// The layout of a union.
    pub fn union_layout(&self, id: UnionId) -> &UnionLayout {
        &self.unions[id.0 as usize]
    }

    /// The vector type member `member` of `table` refers to, if it refers to a vector.
    pub fn member_vector(&self, table: TableId, member: u32) -> Option<&VectorLayout> {
        match self.table(table).members.get(member as usize)?.storage {
            Storage::Ref {
                target: RefTarget::Vector(id),
            } => Some(self.vector(id)),
            _ => None,
        }
    }
}

impl TableLayout {
    /// The members in the order they sit in the body, with the padding before each (the gap
    /// between the end of the one before and its offset): how a dump or a table of the
    /// layout shows them.
    pub fn by_offset(&self) -> Vec<(u32, &Member)> {
        let mut sorted: Vec<&Member> = self.members.iter().collect();
        sorted.sort_by_key(|m| (m.offset, m.size));
        let mut end = 0;
        sorted
            .into_iter()
            .map(|m| {
                let padding = m.offset.saturating_sub(end);
                end = end.max(m.end());
                (padding, m)
            })
            .collect()
    }
}

impl VectorLayout {
    /// The size of its objects' header: a tag and a count, or the count alone.
    pub fn header_size(&self) -> u32 {
        if self.tagged {
            format::OBJECT_HEADER_SIZE
        } else {
            format::COUNT_SIZE
        }
    }
}

/// The identity a table or struct's tag hashes: its pinned `weftbuf_id`, else its name.
/// Schema comparison (`crate::compat`) matches types by it too.
pub(crate) fn identity_of(info: &crate::schema::DefInfo) -> String {
    find_attr(&info.attrs, "weftbuf_id")
        .and_then(|a| a.value.clone())
        .unwrap_or_else(|| info.name.dotted())
}
