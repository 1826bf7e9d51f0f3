//! Checks untrusted bytes against a schema before anything reads them in place.
//!
//! Every reference, size, alignment, tag, UTF-8 string, union discriminant and nested message
//! is checked, depth and object count are bounded, and nothing is read outside the bytes.
//! Work stays linear in the message size even when many references share one object: each
//! object is checked once (two bits per 8-byte slot record "entered" and "done", which also
//! catches reference cycles).

use super::scalar::{i32_at, u8_at, u16_at, u32_at};
use crate::layout::format::*;
use crate::layout::{Layout, MemberRole, RefTarget, Storage, VectorId};
use crate::schema::{BaseType, Presence, Schema, TableId, Type, UnionId, UnionMemberType};

/// Bounds a verification run applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How deep tables and vectors may nest (the root table is depth 1).
    pub max_depth: usize,
    /// How many objects a message may hold.
    pub max_objects: usize,
    /// The largest message accepted, in bytes.
    pub max_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_objects: 1_000_000,
            max_size: MAX_MESSAGE_SIZE as usize,
        }
    }
}

/// One way bytes can fail verification. Every variant names the byte offset, and those
/// inside the message the path to the value (`Monster.inventory[3]`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Fewer bytes than a header.
    #[error("{len} bytes is too short for a message (the header alone is {MESSAGE_HEADER_SIZE})")]
    TooShort {
        /// Bytes given.
        len: usize,
    },
    /// The first four bytes are not `WEFT`.
    #[error("byte 0: magic {found:02x?} is not `WEFT`: not a weftbuf message")]
    BadMagic {
        /// The bytes found.
        found: [u8; 4],
    },
    /// A format version this reader does not know.
    #[error(
        "byte 4: format version {found} is not supported (this reader reads version {FORMAT_VERSION})"
    )]
    UnsupportedVersion {
        /// The version found.
        found: u16,
    },
    /// Reserved flag bits are set.
    #[error("byte 6: unknown header flags 0x{flags:04x}")]
    UnknownFlags {
        /// The flags found.
        flags: u16,
    },
    /// The header's length is not the byte count, or not a multiple of 8.
    #[error("byte 8: the header says {declared} bytes, but the message is {actual} bytes")]
    LengthMismatch {
        /// The length in the header.
        declared: u32,
        /// The bytes given.
        actual: usize,
    },
    /// Larger than [`Limits::max_size`].
    #[error("the message is {len} bytes; the limit is {max}")]
    TooLarge {
        /// Bytes given.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The root is not of the expected type.
    #[error(
        "byte 12: the root's type tag is 0x{found:08x}, not `{expected}` (0x{expected_tag:08x})"
    )]
    RootTypeMismatch {
        /// The tag found.
        found: u32,
        /// The expected type.
        expected: String,
        /// The expected tag.
        expected_tag: u32,
    },
    /// The header's file identifier is not the one the schema declares.
    #[error("byte 20: file identifier {found:?} is not the schema's {expected:?}")]
    FileIdentifierMismatch {
        /// The identifier found (lossy text).
        found: String,
        /// The identifier the schema declares.
        expected: String,
    },
    /// A reference points outside the message, into the header, or at a misaligned offset.
    #[error(
        "{path}: reference at byte {at} points to byte {target}, which is not an object in this {len}-byte message"
    )]
    BadReference {
        /// Where.
        path: String,
        /// The reference's offset.
        at: usize,
        /// Where it points.
        target: i64,
        /// The message length.
        len: usize,
    },
    /// An object's tag is not the type expected at that place.
    #[error(
        "{path}: object at byte {at} has type tag 0x{found:08x}, expected `{expected}` (0x{expected_tag:08x})"
    )]
    TagMismatch {
        /// Where.
        path: String,
        /// The object's offset.
        at: usize,
        /// The tag found.
        found: u32,
        /// The expected type.
        expected: String,
        /// The expected tag.
        expected_tag: u32,
    },
    /// An object's body runs past the end of the message, or is misaligned.
    #[error(
        "{path}: object at byte {at} needs {needed} bytes of body, past the end of the message ({len} bytes)"
    )]
    ObjectOutOfBounds {
        /// Where.
        path: String,
        /// The object's offset.
        at: usize,
        /// Body bytes it claims.
        needed: u64,
        /// The message length.
        len: usize,
    },
    /// An object's body is not aligned as its type needs.
    #[error(
        "{path}: object at byte {at} has its body at a multiple of {found}, but it needs {align}"
    )]
    MisalignedBody {
        /// Where.
        path: String,
        /// The object's offset.
        at: usize,
        /// The alignment needed.
        align: u32,
        /// The largest power of two the body's offset is a multiple of.
        found: u32,
    },
    /// A string is not valid UTF-8.
    #[error("{path}: string at byte {at} is not valid UTF-8 (bad byte at {bad})")]
    InvalidUtf8 {
        /// Where.
        path: String,
        /// The string object's offset.
        at: usize,
        /// The offset of the first bad byte.
        bad: usize,
    },
    /// A string's terminating NUL is missing.
    #[error("{path}: string at byte {at} is not followed by its terminating 0 byte")]
    MissingNul {
        /// Where.
        path: String,
        /// The string object's offset.
        at: usize,
    },
    /// A required field is null or absent.
    #[error("{path}: required field is missing (object at byte {at})")]
    RequiredMissing {
        /// Where.
        path: String,
        /// The table's offset.
        at: usize,
    },
    /// A vector of references holds a null.
    #[error("{path}: null reference at byte {at}; vectors cannot hold null")]
    NullElement {
        /// Where.
        path: String,
        /// The element's offset.
        at: usize,
    },
    /// A union discriminant and its reference disagree.
    #[error("{path}: union discriminant {discriminant} at byte {at} {problem}")]
    BadUnion {
        /// Where.
        path: String,
        /// The discriminant's offset.
        at: usize,
        /// The discriminant.
        discriminant: u8,
        /// What is wrong.
        problem: &'static str,
    },
    /// A presence byte that is neither 0 nor 1.
    #[error("{path}: presence byte at byte {at} is {value}; it must be 0 or 1")]
    BadPresence {
        /// Where.
        path: String,
        /// Its offset.
        at: usize,
        /// Its value.
        value: u8,
    },
    /// The two vectors of a vector of unions differ in length.
    #[error(
        "{path}: {types} union discriminants but {values} values (vectors at bytes {at} and {values_at})"
    )]
    UnionVectorMismatch {
        /// Where.
        path: String,
        /// The discriminant vector's offset.
        at: usize,
        /// The value vector's offset.
        values_at: usize,
        /// Discriminants.
        types: u32,
        /// Values.
        values: u32,
    },
    /// Nesting deeper than [`Limits::max_depth`].
    #[error("{path}: object at byte {at} is nested deeper than {max} levels")]
    TooDeep {
        /// Where.
        path: String,
        /// The object's offset.
        at: usize,
        /// The limit.
        max: usize,
    },
    /// A reference cycle.
    #[error("{path}: object at byte {at} refers back to itself (a reference cycle)")]
    Cycle {
        /// Where.
        path: String,
        /// The object's offset.
        at: usize,
    },
    /// More objects than [`Limits::max_objects`].
    #[error("{path}: more than {max} objects (at byte {at})")]
    TooManyObjects {
        /// Where.
        path: String,
        /// The object that went over.
        at: usize,
        /// The limit.
        max: usize,
    },
    /// A nested message is invalid.
    #[error("{path}: nested message at byte {at}: {inner}")]
    Nested {
        /// Where.
        path: String,
        /// The nested message's offset.
        at: usize,
        /// What is wrong inside it.
        inner: Box<VerifyError>,
    },
}

/// Bytes that passed verification as a message of one root table type. Only [`verify`] makes
/// one.
#[derive(Debug, Clone, Copy)]
pub struct Verified<'a> {
    bytes: &'a [u8],
    root: TableId,
}

impl<'a> Verified<'a> {
    /// The verified bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The root table type.
    pub fn root_type(&self) -> TableId {
        self.root
    }

    /// The offset of the root object.
    pub fn root_offset(&self) -> usize {
        // Verification proved the reference valid.
        let at = HEADER_ROOT_REF as usize;
        (at as i64 + i64::from(i32_at(self.bytes, at).unwrap_or(0))) as usize
    }
}

/// Verifies `bytes` as a message whose root is a `root` table.
pub fn verify<'a>(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<Verified<'a>, VerifyError> {
    verify_at_depth(schema, layout, root, bytes, limits, 0)?;
    Ok(Verified { bytes, root })
}

fn verify_at_depth(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    bytes: &[u8],
    limits: &Limits,
    depth: usize,
) -> Result<(), VerifyError> {
    let len = bytes.len();
    if len < MESSAGE_HEADER_SIZE as usize {
        return Err(VerifyError::TooShort { len });
    }
    if len > limits.max_size {
        return Err(VerifyError::TooLarge {
            len,
            max: limits.max_size,
        });
    }
    let magic = super::scalar::array_at::<4>(bytes, 0).unwrap_or_default();
    if magic != MAGIC {
        return Err(VerifyError::BadMagic { found: magic });
    }
    let version = u16_at(bytes, HEADER_VERSION as usize).unwrap_or(0);
    if version != FORMAT_VERSION {
        return Err(VerifyError::UnsupportedVersion { found: version });
    }
    let flags = u16_at(bytes, HEADER_FLAGS as usize).unwrap_or(0);
    if flags != 0 {
        return Err(VerifyError::UnknownFlags { flags });
    }
    let declared = u32_at(bytes, HEADER_LENGTH as usize).unwrap_or(0);
    if declared as usize != len || !len.is_multiple_of(MESSAGE_ALIGN as usize) {
        return Err(VerifyError::LengthMismatch {
            declared,
            actual: len,
        });
    }
    let expected = layout.table(root);
    let found = u32_at(bytes, HEADER_ROOT_TAG as usize).unwrap_or(0);
    if found != expected.tag {
        return Err(VerifyError::RootTypeMismatch {
            found,
            expected: expected.name.clone(),
            expected_tag: expected.tag,
        });
    }
    let identifier =
        super::scalar::array_at::<4>(bytes, HEADER_FILE_IDENTIFIER as usize).unwrap_or_default();
    if layout.file_identifier != [0; 4] && identifier != layout.file_identifier {
        return Err(VerifyError::FileIdentifierMismatch {
            found: String::from_utf8_lossy(&identifier).into_owned(),
            expected: String::from_utf8_lossy(&layout.file_identifier).into_owned(),
        });
    }
    let slots = len.div_ceil(64 * 8);
    let mut v = Verifier {
        schema,
        layout,
        bytes,
        limits,
        objects: 0,
        entered: vec![0; slots],
        done: vec![0; slots],
        path: Vec::new(),
        root,
        nested_done: std::collections::HashSet::new(),
        depth,
    };
    let target = v.reference(HEADER_ROOT_REF as usize)?;
    match target {
        Some(target) => v.table(root, target),
        None => Err(VerifyError::BadReference {
            path: expected.name.clone(),
            at: HEADER_ROOT_REF as usize,
            target: i64::from(HEADER_ROOT_REF),
            len,
        }),
    }
}

/// A step of the path to the value being checked, rendered only when an error needs it.
#[derive(Debug, Clone, Copy)]
enum Step {
    Field(TableId, u32),
    Element(u32),
}

struct Verifier<'a> {
    schema: &'a Schema,
    layout: &'a Layout,
    bytes: &'a [u8],
    limits: &'a Limits,
    objects: usize,
    entered: Vec<u64>,
    done: Vec<u64>,
    path: Vec<Step>,
    root: TableId,
    /// Nested messages already verified, by offset.
    nested_done: std::collections::HashSet<usize>,
    /// Nesting depth of the enclosing message (for nested messages).
    depth: usize,
}

fn bit(set: &[u64], slot: usize) -> bool {
    set.get(slot / 64)
        .is_some_and(|w| w & (1 << (slot % 64)) != 0)
}

fn set_bit(set: &mut [u64], slot: usize) {
    if let Some(w) = set.get_mut(slot / 64) {
        *w |= 1 << (slot % 64);
    }
}

/// Outcome of entering an object.
enum Visit {
    /// First visit: check its contents.
    New,
    /// Already checked through another reference.
    Seen,
}

impl Verifier<'_> {
    fn path(&self) -> String {
        let mut out = self.schema.table_def(self.root).info.name.name.clone();
        for step in &self.path {
            match *step {
                Step::Field(table, index) => {
                    let name = self
                        .schema
                        .table_def(table)
                        .fields
                        .get(index as usize)
                        .map_or("?", |f| f.name.as_str());
                    out.push('.');
                    out.push_str(name);
                }
                Step::Element(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Follows the reference at `at` (already known to be inside the message): `None` for
    /// null, or the target object's offset once its header is known to be inside.
    fn reference(&self, at: usize) -> Result<Option<usize>, VerifyError> {
        let value = i32_at(self.bytes, at).ok_or_else(|| self.out_of_bounds(at, 4))?;
        if value == 0 {
            return Ok(None);
        }
        let target = at as i64 + i64::from(value);
        let header = i64::from(MESSAGE_HEADER_SIZE);
        let fits = target >= header
            && target % i64::from(OBJECT_ALIGN) == 0
            && target + i64::from(OBJECT_HEADER_SIZE) <= self.len() as i64;
        if !fits {
            return Err(VerifyError::BadReference {
                path: self.path(),
                at,
                target,
                len: self.len(),
            });
        }
        Ok(Some(target as usize))
    }

    fn out_of_bounds(&self, at: usize, needed: u64) -> VerifyError {
        VerifyError::ObjectOutOfBounds {
            path: self.path(),
            at,
            needed,
            len: self.len(),
        }
    }

    /// Checks an object's tag and that `body_bytes(size_field)` fit; returns the size field.
    fn header(
        &self,
        at: usize,
        tag: u32,
        name: impl FnOnce() -> String,
        body_bytes: impl FnOnce(u32) -> u64,
        body_align: u32,
    ) -> Result<u32, VerifyError> {
        let found = u32_at(self.bytes, at).unwrap_or(0);
        if found != tag {
            return Err(VerifyError::TagMismatch {
                path: self.path(),
                at,
                found,
                expected: name(),
                expected_tag: tag,
            });
        }
        let size = u32_at(self.bytes, at + 4).unwrap_or(0);
        let body = at + OBJECT_HEADER_SIZE as usize;
        let needed = body_bytes(size);
        if body as u64 + needed > self.len() as u64 {
            return Err(self.out_of_bounds(at, needed));
        }
        if body_align > OBJECT_ALIGN && !body.is_multiple_of(body_align as usize) {
            return Err(VerifyError::MisalignedBody {
                path: self.path(),
                at,
                align: body_align,
                found: 1 << body.trailing_zeros().min(31),
            });
        }
        Ok(size)
    }

    /// Marks `at` entered; reports cycles, depth and object count.
    fn enter(&mut self, at: usize) -> Result<Visit, VerifyError> {
        let slot = at / OBJECT_ALIGN as usize;
        if bit(&self.done, slot) {
            return Ok(Visit::Seen);
        }
        if bit(&self.entered, slot) {
            return Err(VerifyError::Cycle {
                path: self.path(),
                at,
            });
        }
        if self.depth + 1 > self.limits.max_depth {
            return Err(VerifyError::TooDeep {
                path: self.path(),
                at,
                max: self.limits.max_depth,
            });
        }
        self.count_object(at)?;
        set_bit(&mut self.entered, slot);
        self.depth += 1;
        Ok(Visit::New)
    }

    fn leave(&mut self, at: usize) {
        set_bit(&mut self.done, at / OBJECT_ALIGN as usize);
        self.depth -= 1;
    }

    fn table(&mut self, id: TableId, at: usize) -> Result<(), VerifyError> {
        let layout = self.layout.table(id);
        let size = self.header(
            at,
            layout.tag,
            || layout.name.clone(),
            u64::from,
            layout.body_align,
        )?;
        if let Visit::Seen = self.enter(at)? {
            return Ok(());
        }
        let body = at + OBJECT_HEADER_SIZE as usize;
        let def = self.schema.table_def(id);
        for (index, (field, fl)) in def.fields.iter().zip(&layout.fields).enumerate() {
            let present = fl.present_if_body_at_least <= size;
            self.path.push(Step::Field(id, index as u32));
            let result = if present {
                self.field(id, index, body)
            } else if field.presence == Presence::Required {
                Err(VerifyError::RequiredMissing {
                    path: self.path(),
                    at,
                })
            } else {
                Ok(())
            };
            self.path.pop();
            result?;
        }
        self.leave(at);
        Ok(())
    }

    fn field(&mut self, table: TableId, index: usize, body: usize) -> Result<(), VerifyError> {
        let layout = self.layout.table(table);
        let def = &self.schema.table_def(table).fields[index];
        let fl = &layout.fields[index];
        let member = &layout.members[fl.value_member as usize];
        let at = body + member.offset as usize;
        if let Some(p) = fl.presence_member {
            let presence_at = body + layout.members[p as usize].offset as usize;
            let value = u8_at(self.bytes, presence_at).unwrap_or(0);
            if value > 1 {
                return Err(VerifyError::BadPresence {
                    path: self.path(),
                    at: presence_at,
                    value,
                });
            }
        }
        let Storage::Ref { target } = member.storage else {
            return Ok(());
        };
        let type_at = fl.union_type_member.map(|m| {
            (
                body + layout.members[m as usize].offset as usize,
                layout.members[m as usize].role,
            )
        });
        let object = self.reference(at)?;
        let Some(object) = object else {
            if def.presence == Presence::Required {
                return Err(VerifyError::RequiredMissing {
                    path: self.path(),
                    at: body - 8,
                });
            }
            if let (Some((type_at, MemberRole::UnionType)), Type::Base(_)) = (type_at, def.ty) {
                let discriminant = u8_at(self.bytes, type_at).unwrap_or(0);
                if discriminant != 0 {
                    return Err(VerifyError::BadUnion {
                        path: self.path(),
                        at: type_at,
                        discriminant,
                        problem: "has a null reference",
                    });
                }
            }
            return Ok(());
        };
        match (target, def.ty) {
            (RefTarget::Union(u), Type::Base(_)) => {
                let discriminant = type_at.and_then(|(t, _)| u8_at(self.bytes, t)).unwrap_or(0);
                self.union_member(u, discriminant, object, type_at.map_or(at, |(t, _)| t))
            }
            (RefTarget::Vector(vid), Type::Vector(BaseType::Union(u))) => {
                let types = match type_at {
                    Some((t, _)) => self.reference(t)?,
                    None => None,
                };
                self.union_vector(u, vid, types, object)
            }
            (target, _) => {
                self.object(target, object)?;
                if let Some(nested) = super::encode::nested_root(self.schema, table, index) {
                    self.nested(nested, object)?;
                }
                Ok(())
            }
        }
    }

    /// Checks the object at `at` as a `target`.
    fn object(&mut self, target: RefTarget, at: usize) -> Result<(), VerifyError> {
        match target {
            RefTarget::String => self.string(at),
            RefTarget::Table(t) => self.table(t, at),
            RefTarget::Vector(v) => self.vector(v, at),
            // Unions are checked with their discriminant, by the caller.
            RefTarget::Union(_) => Ok(()),
        }
    }

    fn string(&mut self, at: usize) -> Result<(), VerifyError> {
        let slot = at / OBJECT_ALIGN as usize;
        if bit(&self.done, slot) {
            return self
                .header(
                    at,
                    self.layout.string_tag,
                    || "string".into(),
                    |c| u64::from(c) + 1,
                    OBJECT_ALIGN,
                )
                .map(|_| ());
        }
        let count = self.header(
            at,
            self.layout.string_tag,
            || "string".into(),
            |count| u64::from(count) + 1,
            OBJECT_ALIGN,
        )?;
        let body = at + OBJECT_HEADER_SIZE as usize;
        let end = body + count as usize;
        if self.bytes.get(end) != Some(&0) {
            return Err(VerifyError::MissingNul {
                path: self.path(),
                at,
            });
        }
        let text = self.bytes.get(body..end).unwrap_or_default();
        if let Err(e) = std::str::from_utf8(text) {
            return Err(VerifyError::InvalidUtf8 {
                path: self.path(),
                at,
                bad: body + e.valid_up_to(),
            });
        }
        // A string is a leaf: it counts as an object but adds no depth.
        self.count_object(at)?;
        set_bit(&mut self.done, slot);
        Ok(())
    }

    fn count_object(&mut self, at: usize) -> Result<(), VerifyError> {
        self.objects += 1;
        if self.objects > self.limits.max_objects {
            return Err(VerifyError::TooManyObjects {
                path: self.path(),
                at,
                max: self.limits.max_objects,
            });
        }
        Ok(())
    }

    fn vector(&mut self, id: VectorId, at: usize) -> Result<(), VerifyError> {
        let layout = self.layout.vector(id);
        let stride = u64::from(layout.stride);
        let count = self.header(
            at,
            layout.tag,
            || layout.identity.clone(),
            |count| u64::from(count) * stride,
            layout.body_align,
        )?;
        let Storage::Ref { target } = layout.element else {
            return Ok(());
        };
        if let Visit::Seen = self.enter(at)? {
            return Ok(());
        }
        let body = at + OBJECT_HEADER_SIZE as usize;
        for i in 0..count {
            let element_at = body + i as usize * stride as usize;
            self.path.push(Step::Element(i));
            let result = match self.reference(element_at) {
                Ok(Some(object)) => self.object(target, object),
                Ok(None) => Err(VerifyError::NullElement {
                    path: self.path(),
                    at: element_at,
                }),
                Err(e) => Err(e),
            };
            self.path.pop();
            result?;
        }
        self.leave(at);
        Ok(())
    }

    /// Checks a union member's object against its discriminant.
    fn union_member(
        &mut self,
        id: UnionId,
        discriminant: u8,
        at: usize,
        type_at: usize,
    ) -> Result<(), VerifyError> {
        if discriminant == 0 {
            return Err(VerifyError::BadUnion {
                path: self.path(),
                at: type_at,
                discriminant,
                problem: "(NONE) comes with a non-null reference",
            });
        }
        let union = self.schema.union_def(id);
        let Some(member) = union.members.iter().find(|m| m.value == discriminant) else {
            // A member this schema does not know (a newer writer): bounds only.
            let size = u32_at(self.bytes, at + 4).unwrap_or(0);
            let body = at as u64 + u64::from(OBJECT_HEADER_SIZE);
            if body + u64::from(size) > self.len() as u64 {
                return Err(self.out_of_bounds(at, u64::from(size)));
            }
            return Ok(());
        };
        match member.ty {
            UnionMemberType::Table(t) => self.table(t, at),
            UnionMemberType::String => self.string(at),
            UnionMemberType::Struct(s) => {
                let layout = self.layout.struct_layout(s);
                let size = self.header(
                    at,
                    layout.tag,
                    || layout.name.clone(),
                    u64::from,
                    layout.align,
                )?;
                if size != layout.size {
                    return Err(self.out_of_bounds(at, u64::from(layout.size)));
                }
                Ok(())
            }
        }
    }

    fn union_vector(
        &mut self,
        id: UnionId,
        values_id: VectorId,
        types: Option<usize>,
        values_at: usize,
    ) -> Result<(), VerifyError> {
        let values = self.layout.vector(values_id);
        let count = self.header(
            values_at,
            values.tag,
            || values.identity.clone(),
            |count| u64::from(count) * u64::from(REF_SIZE),
            OBJECT_ALIGN,
        )?;
        let types_tag = crate::layout::tag::type_tag("[ubyte]");
        let (types_at, type_count) = match types {
            Some(t) => (
                t,
                self.header(t, types_tag, || "[ubyte]".into(), u64::from, OBJECT_ALIGN)?,
            ),
            None => (values_at, 0),
        };
        if type_count != count {
            return Err(VerifyError::UnionVectorMismatch {
                path: self.path(),
                at: types_at,
                values_at,
                types: type_count,
                values: count,
            });
        }
        if let Visit::Seen = self.enter(values_at)? {
            return Ok(());
        }
        let body = values_at + OBJECT_HEADER_SIZE as usize;
        let types_body = types_at + OBJECT_HEADER_SIZE as usize;
        for i in 0..count as usize {
            self.path.push(Step::Element(i as u32));
            let discriminant = u8_at(self.bytes, types_body + i).unwrap_or(0);
            let result = match self.reference(body + i * REF_SIZE as usize) {
                Ok(Some(object)) => self.union_member(id, discriminant, object, types_body + i),
                Ok(None) if discriminant == 0 => Ok(()),
                Ok(None) => Err(VerifyError::BadUnion {
                    path: self.path(),
                    at: types_body + i,
                    discriminant,
                    problem: "has a null reference",
                }),
                Err(e) => Err(e),
            };
            self.path.pop();
            result?;
        }
        self.leave(values_at);
        Ok(())
    }

    /// Verifies the bytes of the `[ubyte]` at `at` as a nested message of root `root`.
    fn nested(&mut self, root: TableId, at: usize) -> Result<(), VerifyError> {
        if !self.nested_done.insert(at) {
            return Ok(());
        }
        let count = u32_at(self.bytes, at + 4).unwrap_or(0) as usize;
        let body = at + OBJECT_HEADER_SIZE as usize;
        let Some(inner) = self.bytes.get(body..body + count) else {
            return Err(self.out_of_bounds(at, count as u64));
        };
        verify_at_depth(
            self.schema,
            self.layout,
            root,
            inner,
            self.limits,
            self.depth + 1,
        )
        .map_err(|inner| VerifyError::Nested {
            path: self.path(),
            at,
            inner: Box::new(inner),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{Scalar, Value, encode};
    use crate::schema::Compiler;

    fn message() -> (Schema, Layout, Vec<u8>) {
        let schema = Compiler::new()
            .compile_source(
                "t.fbs",
                "table T { a: int; s: string; next: T; } root_type T; file_identifier \"TEST\";",
            )
            .unwrap();
        let layout = Layout::new(&schema).unwrap();
        let value = Value::Table(vec![
            Some(Value::Scalar(Scalar::Int(1))),
            Some(Value::String("hi".into())),
            Some(Value::Table(vec![None, None, None])),
        ]);
        let bytes = encode(&schema, &layout, TableId(0), &value).unwrap();
        (schema, layout, bytes)
    }

    fn check(schema: &Schema, layout: &Layout, bytes: &[u8]) -> Result<(), VerifyError> {
        verify(schema, layout, TableId(0), bytes, &Limits::default()).map(|_| ())
    }

    #[test]
    fn header_errors_name_the_byte() {
        let (schema, layout, bytes) = message();
        check(&schema, &layout, &bytes).unwrap();
        let mut wrong = bytes.clone();
        wrong[20..24].copy_from_slice(b"XXXX");
        assert_eq!(
            check(&schema, &layout, &wrong).unwrap_err().to_string(),
            "byte 20: file identifier \"XXXX\" is not the schema's \"TEST\""
        );
        let mut wrong = bytes.clone();
        wrong[0] = b'X';
        assert!(matches!(
            check(&schema, &layout, &wrong),
            Err(VerifyError::BadMagic { .. })
        ));
        assert!(matches!(
            check(&schema, &layout, &bytes[..16]),
            Err(VerifyError::TooShort { len: 16 })
        ));
    }

    #[test]
    fn a_reference_cycle_is_caught() {
        let (schema, layout, mut bytes) = message();
        // Point the child table's `next` back at the root (the root object starts at 24).
        let root_layout = layout.table(TableId(0));
        let next = &root_layout.members[root_layout.fields[2].value_member as usize];
        let child = 24 + 8 + next.offset as usize;
        let child_object = (child as i64
            + i64::from(i32::from_le_bytes(
                bytes[child..child + 4].try_into().unwrap(),
            ))) as usize;
        let child_next = child_object + 8 + next.offset as usize;
        let back = (24i64 - child_next as i64) as i32;
        bytes[child_next..child_next + 4].copy_from_slice(&back.to_le_bytes());
        let err = check(&schema, &layout, &bytes).unwrap_err();
        assert!(matches!(err, VerifyError::Cycle { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "T.next.next: object at byte 24 refers back to itself (a reference cycle)"
        );
    }

    #[test]
    fn limits_bound_depth_and_objects() {
        let (schema, layout, bytes) = message();
        let tight = Limits {
            max_depth: 1,
            ..Limits::default()
        };
        let err = verify(&schema, &layout, TableId(0), &bytes, &tight).unwrap_err();
        assert!(matches!(err, VerifyError::TooDeep { max: 1, .. }), "{err}");
        let few = Limits {
            max_objects: 2,
            ..Limits::default()
        };
        let err = verify(&schema, &layout, TableId(0), &bytes, &few).unwrap_err();
        assert!(
            matches!(err, VerifyError::TooManyObjects { max: 2, .. }),
            "{err}"
        );
    }
}
