//! Zero-copy views: read any field of a message in place, by name or index, from the
//! `Layout` alone.
//!
//! Every access is bounds-checked against the message, also after verification: bytes in
//! shared memory can change after they were checked, and such a change may only ever produce
//! wrong values or a [`ReadError`], never a read outside the message. The cost is one
//! comparison per read, and a UTF-8 check per string access (strings are handed out as
//! `&str`, so their bytes must be valid every time).

use super::scalar::{Scalar, read_scalar};
use super::verify::Verified;
use crate::layout::format::{COUNT_SIZE, OBJECT_HEADER_SIZE};
use crate::layout::{Inline, Layout, RefTarget, Storage};
use crate::rt::Scalar as _;
use crate::rt::unsigned_at;
use crate::schema::ScalarType;
use crate::schema::{
    BaseType, DefaultValue, Presence, Schema, StructId, TableId, Type, UnionId, UnionMemberType,
};

/// Why a read failed: the bytes are not what the schema says at that place.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// A read would leave the message.
    #[error("byte {at}: {what} lies outside the message ({len} bytes)")]
    OutOfBounds {
        /// Where the read starts.
        at: usize,
        /// What was being read.
        what: &'static str,
        /// The message length.
        len: usize,
    },
    /// An object has another type than expected.
    #[error("byte {at}: object has type tag 0x{found:08x}, expected 0x{expected:08x}")]
    TagMismatch {
        /// The object's offset.
        at: usize,
        /// The tag found.
        found: u32,
        /// The tag expected.
        expected: u32,
    },
    /// A string's bytes are not UTF-8.
    #[error("byte {at}: string is not valid UTF-8")]
    InvalidUtf8 {
        /// The string object's offset.
        at: usize,
    },
    /// Objects shared by many references would expand to far more values than the message
    /// holds bytes (see `read_value`).
    #[error("byte {at}: the message's shared objects expand to more values than its size allows")]
    TooMuchSharing {
        /// Where the budget ran out.
        at: usize,
    },
    /// No field of that name.
    #[error("`{table}` has no field `{name}`")]
    NoSuchField {
        /// The table or struct.
        table: String,
        /// The name asked for.
        name: String,
    },
    /// An index past the end of a vector or array.
    #[error("index {index} is past the end ({len} elements)")]
    IndexOutOfRange {
        /// The index asked for.
        index: usize,
        /// The element count.
        len: usize,
    },
}

/// Which wire format a message is in. Both are read through the same views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// weftbuf's own layout (`docs/layout.md`).
    Weftbuf,
    /// A FlatBuffers binary (without its size prefix): tables through vtables, forward
    /// unsigned offsets, length-prefixed strings and vectors.
    FlatBuffers,
}

/// The bytes of one message and the schema to read them with.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    schema: &'a Schema,
    layout: &'a Layout,
    bytes: &'a [u8],
    format: Format,
}

impl<'a> Reader<'a> {
    /// A reader of verified bytes.
    pub fn new(schema: &'a Schema, layout: &'a Layout, verified: Verified<'a>) -> Self {
        Reader {
            schema,
            layout,
            bytes: verified.bytes(),
            format: verified.format(),
        }
    }

    /// A reader of weftbuf bytes that were not verified. Reads stay bounds-checked, so this
    /// is safe, but any read may fail or return garbage.
    pub fn unverified(schema: &'a Schema, layout: &'a Layout, bytes: &'a [u8]) -> Self {
        Reader::unverified_as(schema, layout, bytes, Format::Weftbuf)
    }

    /// A reader of unverified bytes in `format` (see [`Reader::unverified`]).
    pub fn unverified_as(
        schema: &'a Schema,
        layout: &'a Layout,
        bytes: &'a [u8],
        format: Format,
    ) -> Self {
        Reader {
            schema,
            layout,
            bytes,
            format,
        }
    }

    /// The wire format being read.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The root table, as type `root`.
    pub fn root(&self, root: TableId) -> Result<TableView<'a>, ReadError> {
        let at = match self.format {
            Format::Weftbuf => crate::layout::format::HEADER_ROOT_REF as usize,
            Format::FlatBuffers => 0,
        };
        let target = self.follow(at)?.ok_or(ReadError::OutOfBounds {
            at,
            what: "the root reference",
            len: self.bytes.len(),
        })?;
        self.table(root, target)
    }

    /// The message's bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The schema.
    pub fn schema(&self) -> &'a Schema {
        self.schema
    }

    /// The layout.
    pub fn layout(&self) -> &'a Layout {
        self.layout
    }

    fn oob(&self, at: usize, what: &'static str) -> ReadError {
        ReadError::OutOfBounds {
            at,
            what,
            len: self.bytes.len(),
        }
    }

    /// The target of the reference at `at`, or `None` for null.
    fn follow(&self, at: usize) -> Result<Option<usize>, ReadError> {
        if self.format == Format::FlatBuffers {
            // A `uoffset_t`: unsigned, forward, never zero for a present reference.
            let value = u32::read(self.bytes, at).ok_or_else(|| self.oob(at, "an offset"))?;
            if value == 0 {
                return Ok(None);
            }
            let target = at as u64 + u64::from(value);
            if target + 4 > self.bytes.len() as u64 {
                return Err(self.oob(at, "the object an offset points to"));
            }
            return Ok(Some(target as usize));
        }
        let value = i32::read(self.bytes, at).ok_or_else(|| self.oob(at, "a reference"))?;
        if value == 0 {
            return Ok(None);
        }
        let target = at as i64 + i64::from(value);
        if target < 0 || target as u64 + u64::from(COUNT_SIZE) > self.bytes.len() as u64 {
            return Err(self.oob(at, "the object a reference points to"));
        }
        Ok(Some(target as usize))
    }

    /// Checks the tag at `at`; returns the size/count field.
    fn header(&self, at: usize, tag: u32) -> Result<u32, ReadError> {
        let found = u32::read(self.bytes, at).ok_or_else(|| self.oob(at, "an object header"))?;
        if found != tag {
            return Err(ReadError::TagMismatch {
                at,
                found,
                expected: tag,
            });
        }
        u32::read(self.bytes, at + 4).ok_or_else(|| self.oob(at, "an object header"))
    }

    fn table(&self, id: TableId, at: usize) -> Result<TableView<'a>, ReadError> {
        if self.format == Format::FlatBuffers {
            // A FlatBuffers table starts with a signed offset back (usually) to its vtable.
            let back = i32::read(self.bytes, at).ok_or_else(|| self.oob(at, "a table"))?;
            let vtable = at as i64 - i64::from(back);
            let vtable_size = usize::try_from(vtable)
                .ok()
                .and_then(|v| u16::read(self.bytes, v).map(|size| (v, size)));
            let Some((vtable, size)) = vtable_size.filter(|&(v, size)| {
                size >= 4 && size % 2 == 0 && v + usize::from(size) <= self.bytes.len()
            }) else {
                return Err(self.oob(at, "a table's vtable"));
            };
            let table_size = u16::read(self.bytes, vtable + 2).unwrap_or(0);
            return Ok(TableView {
                r: *self,
                id,
                at,
                body_size: u32::from(table_size),
                vtable: Some((vtable, size)),
            });
        }
        let body_size = self.header(at, self.layout.table(id).tag)?;
        Ok(TableView {
            r: *self,
            id,
            at,
            body_size,
            vtable: None,
        })
    }

    /// A string or vector: its count and first element. FlatBuffers' carry a length alone,
    /// as weftbuf's do unless they hold references (`tag`: then a tag and a count).
    fn counted(&self, at: usize, tag: Option<u32>) -> Result<(usize, usize), ReadError> {
        match (self.format, tag) {
            (Format::Weftbuf, Some(tag)) => {
                let count = self.header(at, tag)?;
                Ok((count as usize, at + OBJECT_HEADER_SIZE as usize))
            }
            _ => {
                let count = u32::read(self.bytes, at).ok_or_else(|| self.oob(at, "a length"))?;
                Ok((count as usize, at + COUNT_SIZE as usize))
            }
        }
    }

    fn string(&self, at: usize) -> Result<&'a str, ReadError> {
        let (count, body) = self.counted(at, None)?;
        let bytes = self
            .bytes
            .get(body..body.saturating_add(count))
            .ok_or_else(|| self.oob(at, "a string"))?;
        std::str::from_utf8(bytes).map_err(|_| ReadError::InvalidUtf8 { at })
    }

    fn vector(
        &self,
        storage_id: crate::layout::VectorId,
        at: usize,
        union: Option<(UnionId, usize)>,
    ) -> Result<VectorView<'a>, ReadError> {
        let layout = self.layout.vector(storage_id);
        let (count, body) = self.counted(at, layout.tagged.then_some(layout.tag))?;
        let end = body as u64 + count as u64 * u64::from(layout.stride);
        if end > self.bytes.len() as u64 {
            return Err(self.oob(at, "a vector's elements"));
        }
        Ok(VectorView {
            r: *self,
            at,
            body,
            count,
            element: layout.element,
            stride: layout.stride as usize,
            union,
        })
    }

    /// Bytes of union `id`'s discriminant.
    fn discriminant_width(&self, id: UnionId) -> usize {
        self.schema.union_def(id).underlying.size() as usize
    }

    /// Reads a union member's object.
    fn union(&self, id: UnionId, discriminant: u64, at: usize) -> Result<UnionView<'a>, ReadError> {
        let union = self.schema.union_def(id);
        let Some(member) = union.members.iter().find(|m| m.value == discriminant) else {
            return Ok(UnionView {
                discriminant,
                scalar: union.underlying,
                member: None,
                value: None,
            });
        };
        let value = match member.ty {
            UnionMemberType::Table(t) => Field::Table(self.table(t, at)?),
            UnionMemberType::String => Field::String(self.string(at)?),
            UnionMemberType::Struct(s) => {
                let body = match self.format {
                    // FlatBuffers points straight at the struct's bytes.
                    Format::FlatBuffers => at,
                    Format::Weftbuf => {
                        self.header(at, self.layout.struct_layout(s).tag)?;
                        at + OBJECT_HEADER_SIZE as usize
                    }
                };
                return self
                    .inline(Storage::Struct { id: s }, body)
                    .map(|value| UnionView {
                        discriminant,
                        scalar: union.underlying,
                        member: Some(member.name.as_str()),
                        value: Some(Box::new(value)),
                    });
            }
        };
        Ok(UnionView {
            discriminant,
            scalar: union.underlying,
            member: Some(member.name.as_str()),
            value: Some(Box::new(value)),
        })
    }

    fn inline(&self, storage: Storage, at: usize) -> Result<Field<'a>, ReadError> {
        match storage {
            Storage::Scalar { scalar } => read_scalar(self.bytes, at, scalar)
                .map(Field::Scalar)
                .ok_or_else(|| self.oob(at, "a scalar")),
            Storage::Struct { id } => {
                let size = self.layout.struct_layout(id).size as usize;
                if at.saturating_add(size) > self.bytes.len() {
                    return Err(self.oob(at, "a struct"));
                }
                Ok(Field::Struct(StructView { r: *self, id, at }))
            }
            Storage::Array {
                element,
                len,
                stride,
            } => Ok(Field::Array(ArrayView {
                r: *self,
                at,
                element,
                len: len as usize,
                stride: stride as usize,
            })),
            Storage::Ref { .. } => Err(self.oob(at, "a reference inside a struct")),
        }
    }
}

/// A value read from a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Field<'a> {
    /// Null: an absent reference, an unset optional scalar or struct, union NONE.
    Null,
    /// A scalar (enums as their integer).
    Scalar(Scalar),
    /// A string, in place.
    String(&'a str),
    /// A struct, in place.
    Struct(StructView<'a>),
    /// A fixed-size array inside a struct.
    Array(ArrayView<'a>),
    /// A table.
    Table(TableView<'a>),
    /// A vector.
    Vector(VectorView<'a>),
    /// A union value.
    Union(UnionView<'a>),
}

/// A table object in a message.
#[derive(Debug, Clone, Copy)]
pub struct TableView<'a> {
    r: Reader<'a>,
    id: TableId,
    at: usize,
    body_size: u32,
    /// For a FlatBuffers table: where its vtable is and its size in bytes.
    vtable: Option<(usize, u16)>,
}

/// Where a present field's bytes are.
struct Located {
    value: usize,
    union_type: Option<usize>,
}

impl PartialEq for TableView<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.at == other.at && std::ptr::eq(self.r.bytes, other.r.bytes)
    }
}

impl<'a> TableView<'a> {
    /// The table type.
    pub fn table_id(&self) -> TableId {
        self.id
    }

    /// The object's offset in the message.
    pub fn offset(&self) -> usize {
        self.at
    }

    /// The body size the writer recorded.
    pub fn body_size(&self) -> u32 {
        self.body_size
    }

    /// The reader this view reads through.
    pub fn reader(&self) -> Reader<'a> {
        self.r
    }

    /// The index of the field called `name`.
    pub fn field_index(&self, name: &str) -> Result<usize, ReadError> {
        self.r
            .schema
            .table_def(self.id)
            .fields
            .iter()
            .position(|f| f.name == name)
            .ok_or_else(|| ReadError::NoSuchField {
                table: self.r.layout.table(self.id).name.clone(),
                name: name.to_string(),
            })
    }

    /// The field called `name`.
    pub fn field(&self, name: &str) -> Result<Field<'a>, ReadError> {
        self.field_at(self.field_index(name)?)
    }

    /// Whether field `index` is in the object at all: inside the recorded body (weftbuf) or in
    /// the vtable (FlatBuffers). A field that is not reads as its default.
    pub fn is_present(&self, index: usize) -> bool {
        if self.vtable.is_some() {
            let id = self
                .r
                .schema
                .table_def(self.id)
                .fields
                .get(index)
                .map(|f| f.id);
            return id.is_some_and(|id| self.vtable_slot(id).is_some());
        }
        self.r
            .layout
            .table(self.id)
            .fields
            .get(index)
            .is_some_and(|f| f.present_if_body_at_least <= self.body_size)
    }

    /// A FlatBuffers field's absolute offset, from the vtable; `None` when absent.
    fn vtable_slot(&self, id: u32) -> Option<usize> {
        let (vtable, size) = self.vtable?;
        let slot = 4 + 2 * id as usize;
        if slot + 2 > usize::from(size) {
            return None;
        }
        let offset = u16::read(self.r.bytes, vtable + slot)?;
        (offset != 0).then_some(self.at + usize::from(offset))
    }

    /// Where field `index` lies, or `None` when it is absent or null (it then reads as its
    /// default, or null).
    fn locate(&self, index: usize) -> Result<Option<Located>, ReadError> {
        let def = self.r.schema.table_def(self.id);
        let layout = self.r.layout.table(self.id);
        let (Some(field), Some(fl)) = (def.fields.get(index), layout.fields.get(index)) else {
            return Err(ReadError::IndexOutOfRange {
                index,
                len: def.fields.len(),
            });
        };
        if self.vtable.is_some() {
            let union_type = fl
                .union_type_member
                .and_then(|_| self.vtable_slot(field.id.saturating_sub(1)));
            return Ok(self
                .vtable_slot(field.id)
                .map(|value| Located { value, union_type }));
        }
        if !self.is_present(index) {
            return Ok(None);
        }
        if let Some(p) = fl.presence_member
            && u8::read(self.r.bytes, self.member_offset(p)) == Some(0)
        {
            return Ok(None);
        }
        Ok(Some(Located {
            value: self.member_offset(fl.value_member),
            union_type: fl.union_type_member.map(|m| self.member_offset(m)),
        }))
    }

    /// Whether field `index` holds a value of its own: inside the body, its presence byte (if
    /// any) set, its reference (if any) not null. A field that is not set reads as its default.
    pub fn is_set(&self, index: usize) -> Result<bool, ReadError> {
        let Some(located) = self.locate(index)? else {
            return Ok(false);
        };
        let layout = self.r.layout.table(self.id);
        match layout
            .fields
            .get(index)
            .map(|fl| layout.members[fl.value_member as usize].storage)
        {
            Some(Storage::Ref { .. }) => Ok(self.r.follow(located.value)?.is_some()),
            _ => Ok(true),
        }
    }

    /// The absolute offset of member `member` of this table.
    pub fn member_offset(&self, member: u32) -> usize {
        let m = &self.r.layout.table(self.id).members[member as usize];
        self.at + OBJECT_HEADER_SIZE as usize + m.offset as usize
    }

    /// Field `index` (in id order, as in [`crate::schema::TableDef::fields`]).
    pub fn field_at(&self, index: usize) -> Result<Field<'a>, ReadError> {
        let layout = self.r.layout.table(self.id);
        let def = self.r.schema.table_def(self.id);
        let (Some(field), Some(fl)) = (def.fields.get(index), layout.fields.get(index)) else {
            return Err(ReadError::IndexOutOfRange {
                index,
                len: def.fields.len(),
            });
        };
        let Some(located) = self.locate(index)? else {
            return Ok(default_field(
                self.r.schema,
                field.ty,
                &field.default,
                field.presence,
            ));
        };
        let at = located.value;
        let Storage::Ref { target } = layout.members[fl.value_member as usize].storage else {
            return self
                .r
                .inline(layout.members[fl.value_member as usize].storage, at);
        };
        let type_at = located.union_type;
        let Some(object) = self.r.follow(at)? else {
            // A null string with a schema default reads as the default, as in FlatBuffers.
            return Ok(match &field.default {
                DefaultValue::String(s) => Field::String(s.as_str()),
                _ => Field::Null,
            });
        };
        Ok(match (target, field.ty) {
            (RefTarget::String, _) => Field::String(self.r.string(object)?),
            (RefTarget::Table(t), _) => Field::Table(self.r.table(t, object)?),
            (RefTarget::Union(u), _) => {
                let width = self.r.discriminant_width(u);
                let discriminant = type_at
                    .and_then(|t| unsigned_at(self.r.bytes, t, width))
                    .ok_or_else(|| self.r.oob(at, "a union discriminant"))?;
                if discriminant == 0 {
                    Field::Null
                } else {
                    Field::Union(self.r.union(u, discriminant, object)?)
                }
            }
            (RefTarget::Vector(v), Type::Vector(BaseType::Union(u))) => {
                let types = match type_at {
                    Some(t) => self.r.follow(t)?,
                    None => None,
                };
                let types_body = match types {
                    Some(types_at) => {
                        let (count, body) = self.r.counted(types_at, None)?;
                        let width = self.r.discriminant_width(u);
                        if body as u64 + count as u64 * width as u64 > self.r.bytes.len() as u64 {
                            return Err(self.r.oob(types_at, "a vector of union discriminants"));
                        }
                        body
                    }
                    None => return Ok(Field::Null),
                };
                Field::Vector(self.r.vector(v, object, Some((u, types_body)))?)
            }
            (RefTarget::Vector(v), _) => Field::Vector(self.r.vector(v, object, None)?),
        })
    }
}

/// What a field reads as when the object's body does not reach it.
fn default_field(
    schema: &Schema,
    ty: Type,
    default: &DefaultValue,
    presence: Presence,
) -> Field<'static> {
    if presence == Presence::Optional {
        return Field::Null;
    }
    let scalar = match ty {
        Type::Base(BaseType::Scalar(s)) => s,
        Type::Base(BaseType::Enum(e)) => schema.enum_def(e).underlying,
        _ => return Field::Null,
    };
    match default {
        DefaultValue::Integer(v) => Field::Scalar(Scalar::from_i128(scalar, *v)),
        DefaultValue::Float(v) => Field::Scalar(Scalar::Float(*v)),
        _ => Field::Null,
    }
}

/// A struct in place (inline in a table, a vector element, or boxed in a union).
#[derive(Debug, Clone, Copy)]
pub struct StructView<'a> {
    r: Reader<'a>,
    id: StructId,
    at: usize,
}

impl PartialEq for StructView<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.at == other.at && std::ptr::eq(self.r.bytes, other.r.bytes)
    }
}

impl<'a> StructView<'a> {
    /// The struct type.
    pub fn struct_id(&self) -> StructId {
        self.id
    }

    /// The struct's offset in the message.
    pub fn offset(&self) -> usize {
        self.at
    }

    /// The struct's bytes.
    pub fn bytes(&self) -> Result<&'a [u8], ReadError> {
        let size = self.r.layout.struct_layout(self.id).size as usize;
        self.r
            .bytes
            .get(self.at..self.at + size)
            .ok_or_else(|| self.r.oob(self.at, "a struct"))
    }

    /// The field called `name`.
    pub fn field(&self, name: &str) -> Result<Field<'a>, ReadError> {
        let layout = self.r.layout.struct_layout(self.id);
        let index = layout
            .fields
            .iter()
            .position(|f| f.name == name)
            .ok_or_else(|| ReadError::NoSuchField {
                table: layout.name.clone(),
                name: name.to_string(),
            })?;
        self.field_at(index)
    }

    /// Field `index`, in declared order.
    pub fn field_at(&self, index: usize) -> Result<Field<'a>, ReadError> {
        let layout = self.r.layout.struct_layout(self.id);
        let f = layout.fields.get(index).ok_or(ReadError::IndexOutOfRange {
            index,
            len: layout.fields.len(),
        })?;
        self.r.inline(f.storage, self.at + f.offset as usize)
    }
}

/// A fixed-size array inside a struct.
#[derive(Debug, Clone, Copy)]
pub struct ArrayView<'a> {
    r: Reader<'a>,
    at: usize,
    element: Inline,
    len: usize,
    stride: usize,
}

impl PartialEq for ArrayView<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && self.len == other.len && std::ptr::eq(self.r.bytes, other.r.bytes)
    }
}

impl<'a> ArrayView<'a> {
    /// Element count.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when it has no elements (never, for a valid schema).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Element `index`.
    pub fn get(&self, index: usize) -> Result<Field<'a>, ReadError> {
        if index >= self.len {
            return Err(ReadError::IndexOutOfRange {
                index,
                len: self.len,
            });
        }
        let storage = match self.element {
            Inline::Scalar { scalar } => Storage::Scalar { scalar },
            Inline::Struct { id } => Storage::Struct { id },
        };
        self.r.inline(storage, self.at + index * self.stride)
    }
}

/// A vector in place.
#[derive(Debug, Clone, Copy)]
pub struct VectorView<'a> {
    r: Reader<'a>,
    at: usize,
    /// Where the first element is.
    body: usize,
    count: usize,
    element: Storage,
    stride: usize,
    /// For a vector of unions: the union and where its discriminants start.
    union: Option<(UnionId, usize)>,
}

impl PartialEq for VectorView<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && std::ptr::eq(self.r.bytes, other.r.bytes)
    }
}

impl<'a> VectorView<'a> {
    /// Element count.
    pub fn len(&self) -> usize {
        self.count
    }

    /// The reader this view reads through.
    pub fn reader(&self) -> Reader<'a> {
        self.r
    }

    /// True when the vector has no elements.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The vector object's offset in the message.
    pub fn offset(&self) -> usize {
        self.at
    }

    /// The elements' bytes (for scalar and struct vectors, the data itself).
    pub fn body(&self) -> &'a [u8] {
        // The constructor checked that the body is inside the message.
        self.r
            .bytes
            .get(self.body..self.body + self.count * self.stride)
            .unwrap_or_default()
    }

    /// The elements as a typed slice, without copying: for vectors of scalars (or structs)
    /// of exactly `T`'s size, when the body is aligned for `T` in memory.
    pub fn as_slice<T: bytemuck::Pod>(&self) -> Option<&'a [T]> {
        let scalar_size = match self.element {
            Storage::Scalar { scalar } => scalar.size() as usize,
            Storage::Struct { .. } => self.stride,
            _ => return None,
        };
        if scalar_size != std::mem::size_of::<T>() {
            return None;
        }
        bytemuck::try_cast_slice(self.body()).ok()
    }

    /// Element `index`.
    pub fn get(&self, index: usize) -> Result<Field<'a>, ReadError> {
        if index >= self.count {
            return Err(ReadError::IndexOutOfRange {
                index,
                len: self.count,
            });
        }
        let at = self.body + index * self.stride;
        match self.element {
            Storage::Ref { target } => {
                // A NONE element's reference means nothing (FlatBuffers leaves it unchecked):
                // look at the discriminant before following it.
                if let (RefTarget::Union(_), Some(0)) = (target, self.union_discriminant(index)) {
                    return Ok(Field::Null);
                }
                let Some(object) = self.r.follow(at)? else {
                    return Ok(Field::Null);
                };
                Ok(match target {
                    RefTarget::String => Field::String(self.r.string(object)?),
                    RefTarget::Table(t) => Field::Table(self.r.table(t, object)?),
                    RefTarget::Vector(v) => Field::Vector(self.r.vector(v, object, None)?),
                    RefTarget::Union(u) => {
                        let Some((_, types_body)) = self.union else {
                            return Err(self.r.oob(at, "a union element without discriminants"));
                        };
                        let discriminant = self
                            .union_discriminant(index)
                            .ok_or_else(|| self.r.oob(types_body, "a union discriminant"))?;
                        Field::Union(self.r.union(u, discriminant, object)?)
                    }
                })
            }
            other => self.r.inline(other, at),
        }
    }

    /// The elements, in order.
    pub fn iter(&self) -> impl Iterator<Item = Result<Field<'a>, ReadError>> + 'a {
        let view = *self;
        (0..self.count).map(move |i| view.get(i))
    }

    /// Bytes from one element to the next.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// For a vector of unions, the discriminant of element `index`.
    pub fn union_discriminant(&self, index: usize) -> Option<u64> {
        let (u, types_body) = self.union?;
        let width = self.r.discriminant_width(u);
        (index < self.count)
            .then(|| unsigned_at(self.r.bytes, types_body + index * width, width))
            .flatten()
    }
}

impl UnionView<'_> {
    /// The discriminant as a number of its type: signed for a signed union (`-1`, not 255).
    pub fn number(&self) -> i128 {
        self.scalar.value_of_bits(self.discriminant)
    }
}

/// A union value: which member, and its object.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionView<'a> {
    /// The discriminant, its bytes read unsigned.
    pub discriminant: u64,
    /// The discriminant's type (`ubyte` unless the schema gives the union one).
    pub scalar: ScalarType,
    /// The member's name, or `None` for a member this schema does not know (a newer writer).
    pub member: Option<&'a str>,
    /// The member's value (a table, struct or string), or `None` when the member is unknown.
    pub value: Option<Box<Field<'a>>>,
}
