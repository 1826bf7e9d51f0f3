//! Checks untrusted bytes against a schema before anything reads them in place.
//!
//! Every reference, size, alignment, tag, UTF-8 string, union discriminant and nested message
//! is checked, depth and object count are bounded, and nothing is read outside the bytes.
//! Work stays linear in the message size even when many references share one object: each
//! object is checked once (each object is marked "entered" and "done", which also catches
//! reference cycles; a few objects in a list, many in two bitsets over the 8-byte slots).

use super::scalar::{i32_at, u8_at, u16_at, u32_at};
use super::verify_error::VerifyError;
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

/// Bytes that passed verification as a message of one root table type. Only [`verify`] makes
/// one.
#[derive(Debug, Clone, Copy)]
pub struct Verified<'a> {
    bytes: &'a [u8],
    root: TableId,
    format: super::view::Format,
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

    /// The wire format the bytes were verified as.
    pub fn format(&self) -> super::view::Format {
        self.format
    }

    /// Marks `bytes` verified as a FlatBuffers buffer; only the FlatBuffers verifier calls it.
    pub(crate) fn flatbuffers(bytes: &'a [u8], root: TableId) -> Self {
        Verified {
            bytes,
            root,
            format: super::view::Format::FlatBuffers,
        }
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
    verify_at_depth(schema, layout, root, bytes, limits, (0, 0))?;
    Ok(Verified {
        bytes,
        root,
        format: super::view::Format::Weftbuf,
    })
}

fn verify_at_depth(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    bytes: &[u8],
    limits: &Limits,
    (depth, objects): (usize, usize),
) -> Result<usize, VerifyError> {
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
            at: HEADER_FILE_IDENTIFIER as usize,
            found: String::from_utf8_lossy(&identifier).into_owned(),
            expected: String::from_utf8_lossy(&layout.file_identifier).into_owned(),
        });
    }
    let mut v = Verifier {
        schema,
        layout,
        bytes,
        limits,
        objects,
        marks: Marks::Few(Vec::new()),
        path: Vec::new(),
        root,
        nested_done: std::collections::HashSet::new(),
        depth,
    };
    let target = v.reference(HEADER_ROOT_REF as usize)?;
    match target {
        Some(target) => v.table(root, target).map(|()| v.objects),
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
pub(crate) enum Step {
    Field(TableId, u32),
    StructField(crate::schema::StructId, u32),
    Element(u32),
}

/// `Root.field[3].other`, from the steps taken from the root.
pub(crate) fn render_path(schema: &Schema, root: TableId, steps: &[Step]) -> String {
    let mut out = schema.table_def(root).info.name.name.clone();
    for step in steps {
        let name = match *step {
            Step::Field(table, index) => schema
                .table_def(table)
                .fields
                .get(index as usize)
                .map(|f| f.name.as_str()),
            Step::StructField(id, index) => schema
                .struct_def(id)
                .fields
                .get(index as usize)
                .map(|f| f.name.as_str()),
            Step::Element(i) => {
                out.push_str(&format!("[{i}]"));
                continue;
            }
        };
        out.push('.');
        out.push_str(name.unwrap_or("?"));
    }
    out
}

struct Verifier<'a> {
    schema: &'a Schema,
    layout: &'a Layout,
    bytes: &'a [u8],
    limits: &'a Limits,
    objects: usize,
    marks: Marks,
    path: Vec<Step>,
    root: TableId,
    /// Nested messages already verified, by offset and root type.
    nested_done: std::collections::HashSet<(usize, TableId)>,
    /// Nesting depth of the enclosing message (for nested messages).
    depth: usize,
}

/// Which objects (by 8-byte slot) were entered and which are done. Most messages hold few
/// objects worth marking: a short list serves them without allocating for the whole message;
/// past [`FEW_MARKS`] it turns into two bitsets over the message's slots.
enum Marks {
    Few(Vec<(usize, bool)>),
    Many { entered: Vec<u64>, done: Vec<u64> },
}

const FEW_MARKS: usize = 32;

fn bit(set: &[u64], slot: usize) -> bool {
    set.get(slot / 64)
        .is_some_and(|w| w & (1 << (slot % 64)) != 0)
}

fn set_bit(set: &mut [u64], slot: usize) {
    if let Some(w) = set.get_mut(slot / 64) {
        *w |= 1 << (slot % 64);
    }
}

impl Marks {
    /// (entered, done) for `slot`.
    fn get(&self, slot: usize) -> (bool, bool) {
        match self {
            Marks::Few(list) => list
                .iter()
                .find(|(s, _)| *s == slot)
                .map_or((false, false), |&(_, done)| (true, done)),
            Marks::Many { entered, done } => (bit(entered, slot), bit(done, slot)),
        }
    }

    fn enter(&mut self, slot: usize, message_len: usize) {
        if let Marks::Few(list) = self {
            if list.len() < FEW_MARKS {
                list.push((slot, false));
                return;
            }
            let words = message_len.div_ceil(64 * OBJECT_ALIGN as usize);
            let (mut entered, mut done) = (vec![0; words], vec![0; words]);
            for &(s, finished) in list.iter() {
                set_bit(&mut entered, s);
                if finished {
                    set_bit(&mut done, s);
                }
            }
            *self = Marks::Many { entered, done };
        }
        if let Marks::Many { entered, .. } = self {
            set_bit(entered, slot);
        }
    }

    fn finish(&mut self, slot: usize, message_len: usize) {
        if let Marks::Few(list) = self {
            if let Some(entry) = list.iter_mut().find(|(s, _)| *s == slot) {
                entry.1 = true;
                return;
            }
            // A leaf (a string) done without being entered.
            self.enter(slot, message_len);
            return self.finish(slot, message_len);
        }
        if let Marks::Many { entered, done } = self {
            set_bit(entered, slot);
            set_bit(done, slot);
        }
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
        render_path(self.schema, self.root, &self.path)
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
        let (entered, done) = self.marks.get(slot);
        if done {
            return Ok(Visit::Seen);
        }
        if entered {
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
        self.marks.enter(slot, self.bytes.len());
        self.depth += 1;
        Ok(Visit::New)
    }

    fn leave(&mut self, at: usize) {
        self.marks
            .finish(at / OBJECT_ALIGN as usize, self.bytes.len());
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
                let types_tag = fl
                    .union_type_member
                    .and_then(|m| self.layout.member_vector(table, m))
                    .map_or(0, |v| v.tag);
                self.union_vector(u, vid, types.map(|t| (t, types_tag)), object)
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
        if self.marks.get(slot).1 {
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
        self.marks.finish(slot, self.bytes.len());
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
        types: Option<(usize, u32)>,
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
        let (types_at, type_count) = match types {
            Some((t, tag)) => (
                t,
                self.header(t, tag, || "[ubyte]".into(), u64::from, OBJECT_ALIGN)?,
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
        if !self.nested_done.insert((at, root)) {
            return Ok(());
        }
        let count = u32_at(self.bytes, at + 4).unwrap_or(0) as usize;
        let body = at + OBJECT_HEADER_SIZE as usize;
        let Some(inner) = self.bytes.get(body..body + count) else {
            return Err(self.out_of_bounds(at, count as u64));
        };
        // Nested messages share the outer one's object budget: however their bytes overlap,
        // the whole message costs at most `max_objects` objects of work.
        let objects = verify_at_depth(
            self.schema,
            self.layout,
            root,
            inner,
            self.limits,
            (self.depth + 1, self.objects),
        )
        .map_err(|inner| VerifyError::Nested {
            path: self.path(),
            at,
            inner: Box::new(inner),
        })?;
        self.objects = objects;
        Ok(())
    }
}
