//! Verifies FlatBuffers binaries with FlatBuffers' own rules and limits.
//!
//! The checks are those of FlatBuffers' verifier (offsets and vtables in bounds and aligned,
//! strings terminated, vectors in bounds, required fields present, unions consistent, depth
//! and table count bounded), plus two it leaves out: strings must be UTF-8 (they are read as
//! `&str`), and `nested_flatbuffer` fields are verified as buffers of their own root type (the
//! upstream Rust verifier skips them and readers then read them unchecked).
//!
//! FlatBuffers offsets only point forward, so references cannot form a cycle, but one object
//! may be reached many times; as in FlatBuffers, every table visited counts towards
//! [`Limits::max_objects`], which bounds the work.

use crate::layout::{Layout, RefTarget, Storage, VectorId};
use crate::message::{Limits, Step, Verified, VerifyError, render_path};
use crate::rt::{Scalar, unsigned_at};
use crate::schema::{BaseType, Presence, Schema, TableId, Type, UnionId, UnionMemberType};

/// How a FlatBuffers binary is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framing {
    /// The buffer starts with a u32 giving the size of the rest (`--size-prefixed` in flatc).
    pub size_prefixed: bool,
    /// Check the 4-byte `file_identifier` after the root offset, when the schema declares one.
    pub check_identifier: bool,
}

impl Default for Framing {
    fn default() -> Self {
        Framing {
            size_prefixed: false,
            check_identifier: true,
        }
    }
}

/// The largest FlatBuffers buffer (offsets are 32-bit, and FlatBuffers caps buffers below
/// 2 GiB).
pub const MAX_FLATBUFFER_SIZE: usize = i32::MAX as usize;

/// Verifies `bytes` as a FlatBuffers buffer whose root is a `root` table; the result reads
/// through the same views as a weftbuf message.
pub fn verify_flatbuffer<'a>(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    bytes: &'a [u8],
    framing: Framing,
    limits: &Limits,
) -> Result<Verified<'a>, VerifyError> {
    let bytes = unframe(bytes, framing.size_prefixed)?;
    // Alignment counts from the start of the whole buffer, size prefix included.
    let base = if framing.size_prefixed { 4 } else { 0 };
    verify_buffer(
        schema,
        layout,
        root,
        bytes,
        framing.check_identifier,
        limits,
        (0, base, Budget::default()),
    )?;
    Ok(Verified::flatbuffers(bytes, root))
}

/// The buffer inside a size prefix.
fn unframe(bytes: &[u8], size_prefixed: bool) -> Result<&[u8], VerifyError> {
    if !size_prefixed {
        return Ok(bytes);
    }
    let (Some(declared), Some(rest)) = (u32::read(bytes, 0), bytes.get(4..)) else {
        return Err(VerifyError::TooShort { len: bytes.len() });
    };
    if declared as usize != rest.len() {
        return Err(VerifyError::SizePrefixMismatch {
            declared,
            actual: rest.len(),
        });
    }
    Ok(rest)
}

fn verify_buffer(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    bytes: &[u8],
    check_identifier: bool,
    limits: &Limits,
    (depth, base, budget): (usize, usize, Budget),
) -> Result<Budget, VerifyError> {
    if bytes.len() < 8 {
        return Err(VerifyError::TooShort { len: bytes.len() });
    }
    let max = limits.max_size.min(MAX_FLATBUFFER_SIZE);
    if bytes.len() > max {
        return Err(VerifyError::TooLarge {
            len: bytes.len(),
            max,
        });
    }
    if check_identifier && layout.file_identifier != [0; 4] && bytes[4..8] != layout.file_identifier
    {
        return Err(VerifyError::FileIdentifierMismatch {
            at: 4 + base,
            found: String::from_utf8_lossy(&bytes[4..8]).into_owned(),
            expected: String::from_utf8_lossy(&layout.file_identifier).into_owned(),
        });
    }
    let mut v = FlatVerifier {
        schema,
        layout,
        bytes,
        limits,
        tables: budget.tables,
        apparent: std::cell::Cell::new(budget.apparent),
        depth,
        base,
        path: Vec::new(),
        root,
    };
    let table = v.offset(0)?;
    v.table(root, table)?;
    Ok(Budget {
        tables: v.tables,
        apparent: v.apparent.get(),
    })
}

/// The work a buffer has cost so far, carried into the buffers nested in it: FlatBuffers
/// offsets cannot make cycles, but they can reach one object many times, and every visit
/// counts, so sharing cannot make verification run longer than these bounds allow.
#[derive(Debug, Clone, Copy, Default)]
struct Budget {
    /// Tables visited (bounded by `Limits::max_objects`).
    tables: usize,
    /// Bytes of strings, vectors and nested buffers visited (bounded by `Limits::max_size`).
    apparent: u64,
}

struct FlatVerifier<'a> {
    schema: &'a Schema,
    layout: &'a Layout,
    bytes: &'a [u8],
    limits: &'a Limits,
    tables: usize,
    apparent: std::cell::Cell<u64>,
    depth: usize,
    /// Where `bytes` start in the buffer alignment is measured from.
    base: usize,
    path: Vec<Step>,
    root: TableId,
}

impl FlatVerifier<'_> {
    fn path(&self) -> String {
        render_path(self.schema, self.root, &self.path)
    }

    fn out_of_bounds(&self, at: usize, needed: u64) -> VerifyError {
        VerifyError::ObjectOutOfBounds {
            path: self.path(),
            at,
            needed,
            len: self.bytes.len(),
        }
    }

    fn aligned(&self, what: &'static str, at: usize, align: usize) -> Result<(), VerifyError> {
        if align > 1 && !(self.base + at).is_multiple_of(align) {
            return Err(VerifyError::Misaligned {
                path: self.path(),
                what,
                at,
                align,
            });
        }
        Ok(())
    }

    fn in_bounds(&self, at: usize, len: u64) -> Result<(), VerifyError> {
        if at as u64 + len > self.bytes.len() as u64 {
            return Err(self.out_of_bounds(at, len));
        }
        Ok(())
    }

    /// The scalar at `at`, or the error naming the bytes it needed.
    fn read<T: Scalar>(&self, at: usize) -> Result<T, VerifyError> {
        T::read(self.bytes, at).ok_or_else(|| self.out_of_bounds(at, T::SIZE as u64))
    }

    /// Follows the `uoffset_t` at `at` (4-aligned, in bounds) to an object at least 4 bytes
    /// long.
    fn offset(&self, at: usize) -> Result<usize, VerifyError> {
        self.aligned("an offset", at, 4)?;
        let value = self.read::<u32>(at)?;
        let target = at as u64 + u64::from(value);
        if value == 0 || target + 4 > self.bytes.len() as u64 {
            return Err(VerifyError::BadReference {
                path: self.path(),
                at,
                target: target as i64,
                len: self.bytes.len(),
            });
        }
        Ok(target as usize)
    }

    fn table(&mut self, id: TableId, at: usize) -> Result<(), VerifyError> {
        self.aligned("a table", at, 4)?;
        self.depth += 1;
        self.tables += 1;
        if self.depth > self.limits.max_depth {
            return Err(VerifyError::TooDeep {
                path: self.path(),
                at,
                max: self.limits.max_depth,
            });
        }
        if self.tables > self.limits.max_objects {
            return Err(VerifyError::TooManyObjects {
                path: self.path(),
                at,
                max: self.limits.max_objects,
            });
        }
        let back = self.read::<u32>(at)? as i32;
        let vtable = at as i64 - i64::from(back);
        let bad = |problem| VerifyError::BadVtable {
            path: self.path(),
            at,
            problem,
        };
        let vtable = usize::try_from(vtable).map_err(|_| bad("it lies before the buffer"))?;
        if !vtable.is_multiple_of(2) {
            return Err(bad("it is not 2-aligned"));
        }
        let vtable_size = self
            .read::<u16>(vtable)
            .map_err(|_| bad("it lies outside the buffer"))?;
        if vtable_size < 4 || vtable_size % 2 != 0 {
            return Err(bad("its size is not an even number of at least 4"));
        }
        self.in_bounds(vtable, u64::from(vtable_size))
            .map_err(|_| bad("it runs past the buffer"))?;
        let table_size = self.read::<u16>(vtable + 2)?;
        self.in_bounds(at, u64::from(table_size))?;
        let slot = |field_id: u32| -> Result<Option<usize>, VerifyError> {
            let slot = 4 + 2 * field_id as usize;
            if slot + 2 > usize::from(vtable_size) {
                return Ok(None);
            }
            let offset = self.read::<u16>(vtable + slot)?;
            Ok((offset != 0).then_some(at + usize::from(offset)))
        };
        let def = self.schema.table_def(id);
        let layout = self.layout.table(id);
        let mut located = Vec::with_capacity(def.fields.len());
        for field in &def.fields {
            let union_type = match field.ty.base() {
                BaseType::Union(_) => slot(field.id.saturating_sub(1))?,
                _ => None,
            };
            located.push((slot(field.id)?, union_type));
        }
        for (index, (field, fl)) in def.fields.iter().zip(&layout.fields).enumerate() {
            let (value, union_type) = located[index];
            self.path.push(Step::Field(id, index as u32));
            let result = match value {
                None if field.presence == Presence::Required => Err(VerifyError::RequiredMissing {
                    path: self.path(),
                    at,
                }),
                None => match (field.ty, union_type) {
                    // A union type with no value is fine only when it is NONE.
                    (Type::Base(BaseType::Union(u)), Some(t)) => match self.discriminant(u, t) {
                        Ok(0) => Ok(()),
                        Ok(discriminant) => Err(VerifyError::BadUnion {
                            path: self.path(),
                            at: t,
                            discriminant,
                            problem: "has no value",
                        }),
                        Err(e) => Err(e),
                    },
                    _ => Ok(()),
                },
                Some(pos) => {
                    let storage = layout.members[fl.value_member as usize].storage;
                    self.field(id, index, field.ty, storage, pos, union_type)
                }
            };
            self.path.pop();
            result?;
        }
        self.depth -= 1;
        Ok(())
    }

    fn field(
        &mut self,
        table: TableId,
        index: usize,
        ty: Type,
        storage: Storage,
        pos: usize,
        union_type: Option<usize>,
    ) -> Result<(), VerifyError> {
        match storage {
            Storage::Scalar { scalar } => {
                let size = scalar.size() as usize;
                self.aligned("a scalar", pos, size)?;
                self.in_bounds(pos, size as u64)
            }
            Storage::Struct { id } => {
                let s = self.layout.struct_layout(id);
                self.aligned("a struct", pos, s.align as usize)?;
                self.in_bounds(pos, u64::from(s.size))
            }
            Storage::Array { .. } => Ok(()),
            Storage::Ref { target } => {
                let object = self.offset(pos)?;
                match (target, ty) {
                    (RefTarget::Union(u), _) => {
                        let discriminant = match union_type {
                            Some(t) => self.discriminant(u, t)?,
                            None => 0,
                        };
                        self.union_member(u, discriminant, object, union_type.unwrap_or(pos))
                    }
                    (RefTarget::Vector(v), Type::Vector(BaseType::Union(u))) => {
                        let types = match union_type {
                            Some(t) => Some(self.offset(t)?),
                            None => None,
                        };
                        self.union_vector(u, v, types, object)
                    }
                    (RefTarget::String, _) => self.string(object),
                    (RefTarget::Table(t), _) => self.table(t, object),
                    (RefTarget::Vector(v), _) => {
                        self.vector(v, object)?;
                        match crate::message::nested_root(self.schema, table, index) {
                            Some(root) => self.nested(root, object),
                            None => Ok(()),
                        }
                    }
                }
            }
        }
    }

    /// Counts `bytes` more of apparent size.
    fn charge(&self, at: usize, bytes: u64) -> Result<(), VerifyError> {
        let total = self.apparent.get().saturating_add(bytes);
        let max = self.limits.max_size as u64;
        if total > max {
            return Err(VerifyError::ApparentSizeExceeded {
                path: self.path(),
                at,
                max,
            });
        }
        self.apparent.set(total);
        Ok(())
    }

    fn string(&self, at: usize) -> Result<(), VerifyError> {
        self.aligned("a string", at, 4)?;
        let len = self.read::<u32>(at)? as usize;
        let body = at + 4;
        self.in_bounds(body, len as u64 + 1)?;
        self.charge(at, len as u64 + 1)?;
        if self.bytes[body + len] != 0 {
            return Err(VerifyError::MissingNul {
                path: self.path(),
                at,
            });
        }
        if let Err(e) = std::str::from_utf8(&self.bytes[body..body + len]) {
            return Err(VerifyError::InvalidUtf8 {
                path: self.path(),
                at,
                bad: body + e.valid_up_to(),
            });
        }
        Ok(())
    }

    /// A vector's length and elements in bounds; its element count.
    fn vector_bounds(
        &self,
        at: usize,
        stride: usize,
        element_align: usize,
    ) -> Result<usize, VerifyError> {
        self.aligned("a vector", at, 4)?;
        let count = self.read::<u32>(at)? as usize;
        let body = at + 4;
        self.aligned("a vector's elements", body, element_align)?;
        self.in_bounds(body, count as u64 * stride as u64)?;
        self.charge(at, count as u64 * stride as u64)?;
        Ok(count)
    }

    fn vector(&mut self, id: VectorId, at: usize) -> Result<(), VerifyError> {
        let layout = self.layout.vector(id);
        let element_align = match layout.element {
            Storage::Scalar { scalar } => scalar.size() as usize,
            Storage::Struct { id } => self.layout.struct_layout(id).align as usize,
            _ => 4,
        };
        let count = self.vector_bounds(at, layout.stride as usize, element_align)?;
        let Storage::Ref { target } = layout.element else {
            return Ok(());
        };
        for i in 0..count {
            let element = at + 4 + 4 * i;
            self.path.push(Step::Element(i as u32));
            let object = self.offset(element);
            let result = object.and_then(|object| match target {
                RefTarget::String => self.string(object),
                RefTarget::Table(t) => self.table(t, object),
                // Vectors of vectors do not exist; unions come through `union_vector`.
                _ => Ok(()),
            });
            self.path.pop();
            result?;
        }
        Ok(())
    }

    /// The discriminant of union `id` in the scalar field at `at`, bounds and alignment checked.
    fn discriminant(&self, id: UnionId, at: usize) -> Result<u64, VerifyError> {
        let width = self.schema.union_def(id).underlying.size() as usize;
        self.aligned("a union type", at, width)?;
        self.in_bounds(at, width as u64)?;
        Ok(unsigned_at(self.bytes, at, width).unwrap_or(0))
    }

    fn union_member(
        &mut self,
        id: UnionId,
        discriminant: u64,
        at: usize,
        type_at: usize,
    ) -> Result<(), VerifyError> {
        if discriminant == 0 {
            return Err(VerifyError::BadUnion {
                path: self.path(),
                at: type_at,
                discriminant,
                problem: "(NONE) comes with a value",
            });
        }
        let union = self.schema.union_def(id);
        // A member this schema does not know (a newer writer) is accepted, as FlatBuffers does.
        let Some(member) = union.members.iter().find(|m| m.value == discriminant) else {
            return Ok(());
        };
        match member.ty {
            UnionMemberType::Table(t) => self.table(t, at),
            UnionMemberType::String => self.string(at),
            UnionMemberType::Struct(s) => {
                let layout = self.layout.struct_layout(s);
                self.aligned("a struct", at, layout.align as usize)?;
                self.in_bounds(at, u64::from(layout.size))
            }
        }
    }

    fn union_vector(
        &mut self,
        id: UnionId,
        values: VectorId,
        types: Option<usize>,
        values_at: usize,
    ) -> Result<(), VerifyError> {
        let count = self.vector_bounds(values_at, 4, 4)?;
        let _ = values;
        let width = self.schema.union_def(id).underlying.size() as usize;
        let (types_at, type_count) = match types {
            Some(t) => (t, self.vector_bounds(t, width, width)?),
            None => (values_at, 0),
        };
        if type_count != count {
            return Err(VerifyError::UnionVectorMismatch {
                path: self.path(),
                at: types_at,
                values_at,
                types: type_count as u32,
                values: count as u32,
            });
        }
        for i in 0..count {
            self.path.push(Step::Element(i as u32));
            let type_at = types_at + 4 + i * width;
            let discriminant = unsigned_at(self.bytes, type_at, width).unwrap_or(0);
            let element = values_at + 4 + 4 * i;
            let result = if discriminant == 0 {
                Ok(())
            } else {
                self.offset(element)
                    .and_then(|object| self.union_member(id, discriminant, object, type_at))
            };
            self.path.pop();
            result?;
        }
        Ok(())
    }

    /// The bytes of the `[ubyte]` at `at`, as a FlatBuffers buffer of root `root`.
    fn nested(&mut self, root: TableId, at: usize) -> Result<(), VerifyError> {
        let count = self.read::<u32>(at)? as usize;
        let inner = &self.bytes[at + 4..at + 4 + count];
        let budget = Budget {
            tables: self.tables,
            apparent: self.apparent.get(),
        };
        let spent = verify_buffer(
            self.schema,
            self.layout,
            root,
            inner,
            false,
            self.limits,
            (self.depth + 1, self.base + at + 4, budget),
        )
        .map_err(|inner| VerifyError::Nested {
            path: self.path(),
            at,
            inner: Box::new(inner),
        })?;
        self.tables = spent.tables;
        self.apparent.set(spent.apparent);
        Ok(())
    }
}
