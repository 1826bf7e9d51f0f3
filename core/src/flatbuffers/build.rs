//! Writes a [`Value`] as a FlatBuffers binary, the way FlatBuffers' own builders do: back to
//! front, children before their parents, identical vtables shared, scalars that hold their
//! default left out, every object aligned as the format requires.

use crate::layout::{Inline, Layout, StructLayout};
use crate::message::{BuildError, MAX_ENCODE_DEPTH, Scalar, Value, encode_scalar};
use crate::schema::{
    BaseType, DefaultValue, Presence, ScalarType, Schema, StructId, TableId, Type, UnionId,
    UnionMemberType,
};

use super::verify::MAX_FLATBUFFER_SIZE;

/// How a FlatBuffers binary is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriteOptions {
    /// Start the buffer with its size as a u32 (flatc's `--size-prefixed`).
    pub size_prefixed: bool,
}

/// Encodes `value`, a `root` table, as a FlatBuffers buffer (with the schema's
/// `file_identifier`, when it declares one).
pub fn encode_flatbuffer(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    value: &Value,
    options: WriteOptions,
) -> Result<Vec<u8>, BuildError> {
    let (bytes, _) = encode_buffer(schema, layout, root, value, options, 0)?;
    Ok(bytes)
}

/// The buffer and its alignment (for nesting it inside another buffer).
fn encode_buffer(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    value: &Value,
    options: WriteOptions,
    depth: usize,
) -> Result<(Vec<u8>, usize), BuildError> {
    let mut w = FlatWriter {
        schema,
        layout,
        fb: Arena::new(),
        depth,
        path: vec![schema.table_def(root).info.name.name.clone()],
    };
    let object = w.table(root, value)?;
    let identifier = (layout.file_identifier != [0; 4]).then_some(layout.file_identifier);
    let minalign = w.fb.minalign;
    Ok((
        w.fb.finish(object, identifier, options.size_prefixed)?,
        minalign,
    ))
}

/// The back-to-front byte arena. Positions are offsets from the end, which stay valid as
/// the buffer grows at the front.
struct Arena {
    buf: Vec<u8>,
    head: usize,
    minalign: usize,
    vtables: Vec<usize>,
}

impl Arena {
    fn new() -> Self {
        Arena {
            buf: vec![0; 1024],
            head: 1024,
            minalign: 1,
            vtables: Vec::new(),
        }
    }

    fn used(&self) -> usize {
        self.buf.len() - self.head
    }

    fn reserve(&mut self, n: usize) -> Result<(), BuildError> {
        if self.head >= n {
            return Ok(());
        }
        let used = self.used();
        let len = (self.buf.len() * 2).max(used + n + 64);
        if len > MAX_FLATBUFFER_SIZE {
            return Err(BuildError::TooLarge);
        }
        let mut grown = vec![0; len];
        grown[len - used..].copy_from_slice(&self.buf[self.head..]);
        self.head = len - used;
        self.buf = grown;
        Ok(())
    }

    /// Pads (with zeros) so that after `additional` more bytes the size is a multiple of
    /// `align`: FlatBuffers' `prep`.
    fn align(&mut self, align: usize, additional: usize) -> Result<(), BuildError> {
        self.minalign = self.minalign.max(align);
        let pad = (align - (self.used() + additional) % align) % align;
        self.reserve(pad)?;
        self.head -= pad;
        Ok(())
    }

    fn push(&mut self, bytes: &[u8]) -> Result<(), BuildError> {
        self.reserve(bytes.len())?;
        self.head -= bytes.len();
        self.buf[self.head..self.head + bytes.len()].copy_from_slice(bytes);
        Ok(())
    }

    /// A `uoffset_t` to the object at `target` (an offset from the end).
    fn push_offset(&mut self, target: usize) -> Result<(), BuildError> {
        self.align(4, 0)?;
        let offset = u32::try_from(self.used() + 4 - target).map_err(|_| BuildError::TooLarge)?;
        self.push(&offset.to_le_bytes())
    }

    fn string(&mut self, text: &str) -> Result<usize, BuildError> {
        let len = u32::try_from(text.len()).map_err(|_| BuildError::TooLarge)?;
        self.align(4, text.len() + 1)?;
        self.push(&[0])?;
        self.push(text.as_bytes())?;
        self.push(&len.to_le_bytes())?;
        Ok(self.used())
    }

    /// A vector of `count` elements of `size` bytes aligned to `align`, pushed by `elements`
    /// last to first.
    fn vector(
        &mut self,
        count: usize,
        size: usize,
        align: usize,
        elements: impl FnOnce(&mut Self) -> Result<(), BuildError>,
    ) -> Result<usize, BuildError> {
        let len = u32::try_from(count).map_err(|_| BuildError::TooLarge)?;
        self.align(4, count * size)?;
        self.align(align.max(1), count * size)?;
        elements(self)?;
        self.push(&len.to_le_bytes())?;
        Ok(self.used())
    }

    /// Closes a table begun at `start` whose fields were pushed at `fields` (id, position).
    fn end_table(&mut self, start: usize, fields: &[(u32, usize)]) -> Result<usize, BuildError> {
        self.align(4, 0)?;
        self.push(&[0; 4])?;
        let object = self.used();
        let slots = fields
            .iter()
            .map(|&(id, _)| id as usize + 1)
            .max()
            .unwrap_or(0);
        let too_big = || BuildError::Value {
            path: String::new(),
            message: "a table larger than 64 KiB does not fit a FlatBuffers vtable".into(),
        };
        let mut vtable = Vec::with_capacity(4 + 2 * slots);
        vtable.extend_from_slice(
            &u16::try_from(4 + 2 * slots)
                .map_err(|_| too_big())?
                .to_le_bytes(),
        );
        vtable.extend_from_slice(
            &u16::try_from(object - start)
                .map_err(|_| too_big())?
                .to_le_bytes(),
        );
        let mut entries = vec![0u16; slots];
        for &(id, at) in fields {
            entries[id as usize] = u16::try_from(object - at).map_err(|_| too_big())?;
        }
        for e in entries {
            vtable.extend_from_slice(&e.to_le_bytes());
        }
        let end = self.buf.len();
        let existing = self.vtables.iter().copied().find(|&v| {
            let at = end - v;
            self.buf.get(at..at + vtable.len()) == Some(vtable.as_slice())
        });
        let vtable_at = match existing {
            Some(v) => v,
            None => {
                self.push(&vtable)?;
                self.vtables.push(self.used());
                self.used()
            }
        };
        // The table's first word: the signed distance back to its vtable.
        let soffset =
            i32::try_from(vtable_at as i64 - object as i64).map_err(|_| BuildError::TooLarge)?;
        let at = self.buf.len() - object;
        self.buf[at..at + 4].copy_from_slice(&soffset.to_le_bytes());
        Ok(object)
    }

    fn finish(
        mut self,
        root: usize,
        identifier: Option<[u8; 4]>,
        size_prefixed: bool,
    ) -> Result<Vec<u8>, BuildError> {
        let extra =
            4 + if identifier.is_some() { 4 } else { 0 } + if size_prefixed { 4 } else { 0 };
        let minalign = self.minalign;
        self.align(minalign, extra)?;
        if let Some(id) = identifier {
            self.push(&id)?;
        }
        self.push_offset(root)?;
        if size_prefixed {
            let size = u32::try_from(self.used()).map_err(|_| BuildError::TooLarge)?;
            self.push(&size.to_le_bytes())?;
        }
        Ok(self.buf.split_off(self.head))
    }
}

/// What a table field contributes once its children are written.
enum Slot {
    Scalar(ScalarType, Scalar),
    Struct(Vec<u8>, usize),
    Offset(usize),
    /// A union's discriminant and its width in bytes.
    Discriminant(u64, usize),
}

struct FlatWriter<'a> {
    schema: &'a Schema,
    layout: &'a Layout,
    fb: Arena,
    depth: usize,
    path: Vec<String>,
}

impl FlatWriter<'_> {
    fn error(&self, message: impl Into<String>) -> BuildError {
        BuildError::Value {
            path: self.path.concat(),
            message: message.into(),
        }
    }

    fn table(&mut self, id: TableId, value: &Value) -> Result<usize, BuildError> {
        let Value::Table(values) = value else {
            return Err(self.error(format!("expected a table, found {}", value.kind())));
        };
        self.depth += 1;
        if self.depth > MAX_ENCODE_DEPTH {
            return Err(self.error(format!("nested deeper than {MAX_ENCODE_DEPTH} levels")));
        }
        let def = self.schema.table_def(id);
        // Children first: FlatBuffers offsets point forward, to objects written earlier.
        let mut slots: Vec<(u32, usize, Slot)> = Vec::new();
        for (index, field) in def.fields.iter().enumerate() {
            if field.deprecated {
                continue;
            }
            let given = values
                .get(index)
                .and_then(Option::as_ref)
                .filter(|v| **v != Value::Null);
            self.path.push(format!(".{}", field.name));
            let result = self.field(id, index, given, &mut slots);
            self.path.pop();
            result?;
        }
        // Largest first, as FlatBuffers' builders do, to keep padding small.
        slots.sort_by_key(|(_, size, _)| std::cmp::Reverse(*size));
        let start = self.fb.used();
        let mut placed = Vec::with_capacity(slots.len());
        for (field_id, _, slot) in slots {
            match slot {
                Slot::Scalar(ty, v) => {
                    let size = ty.size() as usize;
                    let bytes = encode_scalar(ty, v).map_err(|e| self.error(e.to_string()))?;
                    self.fb.align(size, 0)?;
                    self.fb.push(&bytes[..size])?;
                }
                Slot::Struct(bytes, align) => {
                    self.fb.align(align, 0)?;
                    self.fb.push(&bytes)?;
                }
                Slot::Offset(target) => self.fb.push_offset(target)?,
                Slot::Discriminant(d, width) => {
                    self.fb.align(width, 0)?;
                    self.fb.push(&d.to_le_bytes()[..width])?;
                }
            }
            placed.push((field_id, self.fb.used()));
        }
        let object = self.fb.end_table(start, &placed);
        self.depth -= 1;
        object.map_err(|e| match e {
            BuildError::Value { message, .. } => self.error(message),
            other => other,
        })
    }

    fn field(
        &mut self,
        table: TableId,
        index: usize,
        given: Option<&Value>,
        slots: &mut Vec<(u32, usize, Slot)>,
    ) -> Result<(), BuildError> {
        let field = &self.schema.table_def(table).fields[index];
        let Some(value) = given else {
            if field.presence == Presence::Required {
                return Err(self.error("required field is missing"));
            }
            return Ok(());
        };
        let id = field.id;
        match field.ty {
            Type::Base(BaseType::Scalar(_) | BaseType::Enum(_)) => {
                let ty = match field.ty.base() {
                    BaseType::Enum(e) => self.schema.enum_def(e).underlying,
                    BaseType::Scalar(s) => s,
                    _ => return Ok(()),
                };
                let Value::Scalar(s) = value else {
                    return Err(self.error(format!(
                        "expected a `{}`, found {}",
                        ty.name(),
                        value.kind()
                    )));
                };
                let is_default = match &field.default {
                    _ if field.presence == Presence::Optional => false,
                    DefaultValue::Integer(d) => {
                        s.as_i128() == Some(*d)
                            || (ty.is_float() && s.as_f64().to_bits() == (*d as f64).to_bits())
                    }
                    DefaultValue::Float(d) => {
                        let v = s.as_f64();
                        (v.is_nan() && d.is_nan()) || stored_bits(ty, v) == stored_bits(ty, *d)
                    }
                    _ => false,
                };
                if !is_default {
                    slots.push((id, ty.size() as usize, Slot::Scalar(ty, *s)));
                }
            }
            Type::Base(BaseType::Struct(s)) => {
                let bytes = self.struct_bytes(s, value)?;
                let align = self.layout.struct_layout(s).align as usize;
                slots.push((id, bytes.len(), Slot::Struct(bytes, align)));
            }
            Type::Base(BaseType::String) => {
                let Value::String(text) = value else {
                    return Err(self.error(format!("expected a string, found {}", value.kind())));
                };
                let at = self.fb.string(text)?;
                slots.push((id, 4, Slot::Offset(at)));
            }
            Type::Base(BaseType::Table(t)) => {
                let at = self.table(t, value)?;
                slots.push((id, 4, Slot::Offset(at)));
            }
            Type::Base(BaseType::Union(u)) => {
                let (discriminant, at) = self.union_value(u, value)?;
                let width = self.schema.union_def(u).underlying.size() as usize;
                slots.push((id - 1, width, Slot::Discriminant(discriminant, width)));
                slots.push((id, 4, Slot::Offset(at)));
            }
            Type::Vector(element) => {
                if let (Some(root), Value::Table(_)) = (field.nested_flatbuffer, value) {
                    let (nested, align) = encode_buffer(
                        self.schema,
                        self.layout,
                        root,
                        value,
                        WriteOptions::default(),
                        self.depth,
                    )?;
                    let at = self
                        .fb
                        .vector(nested.len(), 1, align, |fb| fb.push(&nested))?;
                    slots.push((id, 4, Slot::Offset(at)));
                    return Ok(());
                }
                let Value::Vector(items) = value else {
                    return Err(self.error(format!("expected a vector, found {}", value.kind())));
                };
                if let Some(root) = field.nested_flatbuffer {
                    // Nested bytes given as such must already be a FlatBuffers buffer of the
                    // nested root type, as the weftbuf encoder demands a weftbuf message.
                    let bytes: Vec<u8> = items
                        .iter()
                        .map(|item| match item {
                            Value::Scalar(s) => s.as_i128().and_then(|v| u8::try_from(v).ok()),
                            _ => None,
                        })
                        .collect::<Option<_>>()
                        .ok_or_else(|| self.error("a nested buffer's bytes must be ubytes"))?;
                    let framing = super::Framing {
                        size_prefixed: false,
                        check_identifier: false,
                    };
                    super::verify_flatbuffer(
                        self.schema,
                        self.layout,
                        root,
                        &bytes,
                        framing,
                        &Default::default(),
                    )
                    .map_err(|e| self.error(format!("nested buffer: {e}")))?;
                }
                if let BaseType::Union(u) = element {
                    let (types, values) = self.union_vector(u, items)?;
                    slots.push((id - 1, 4, Slot::Offset(types)));
                    slots.push((id, 4, Slot::Offset(values)));
                } else {
                    let at = self.vector(element, items)?;
                    slots.push((id, 4, Slot::Offset(at)));
                }
            }
            Type::Array(..) => {}
        }
        Ok(())
    }

    fn vector(&mut self, element: BaseType, items: &[Value]) -> Result<usize, BuildError> {
        match element {
            BaseType::Scalar(_) | BaseType::Enum(_) => {
                let ty = match element {
                    BaseType::Enum(e) => self.schema.enum_def(e).underlying,
                    BaseType::Scalar(s) => s,
                    _ => return Err(self.error("not a scalar vector")),
                };
                let size = ty.size() as usize;
                let mut encoded = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let Value::Scalar(s) = item else {
                        return Err(self.error(format!(
                            "[{i}]: expected a `{}`, found {}",
                            ty.name(),
                            item.kind()
                        )));
                    };
                    encoded.push(
                        encode_scalar(ty, *s).map_err(|e| self.error(format!("[{i}]: {e}")))?,
                    );
                }
                self.fb.vector(items.len(), size, size, |fb| {
                    encoded.iter().rev().try_for_each(|b| fb.push(&b[..size]))
                })
            }
            BaseType::Struct(s) => {
                let layout = self.layout.struct_layout(s);
                let (size, align) = (layout.size as usize, layout.align as usize);
                let encoded: Vec<Vec<u8>> = items
                    .iter()
                    .map(|v| self.struct_bytes(s, v))
                    .collect::<Result<_, _>>()?;
                self.fb.vector(items.len(), size, align, |fb| {
                    encoded.iter().rev().try_for_each(|b| fb.push(b))
                })
            }
            BaseType::String | BaseType::Table(_) => {
                let mut offsets = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    self.path.push(format!("[{i}]"));
                    let at = match (element, item) {
                        (BaseType::String, Value::String(text)) => self.fb.string(text),
                        (BaseType::Table(t), _) => self.table(t, item),
                        _ => Err(self.error(format!("expected a string, found {}", item.kind()))),
                    };
                    self.path.pop();
                    offsets.push(at?);
                }
                self.fb.vector(items.len(), 4, 4, |fb| {
                    offsets.iter().rev().try_for_each(|&o| fb.push_offset(o))
                })
            }
            BaseType::Union(_) => Err(self.error("a vector of unions needs its types")),
        }
    }

    /// A union member's object; its discriminant and where it is.
    fn union_value(&mut self, id: UnionId, value: &Value) -> Result<(u64, usize), BuildError> {
        let (discriminant, value) = match value {
            Value::Union {
                discriminant,
                value,
            } => (discriminant, value),
            // How `read_value` gives a member this schema does not know.
            Value::Scalar(s) => return Err(crate::message::unknown_member(self.path.concat(), *s)),
            _ => return Err(self.error(format!("expected a union value, found {}", value.kind()))),
        };
        let union = self.schema.union_def(id);
        let Some(member) = union.members.iter().find(|m| m.value == *discriminant) else {
            return Err(BuildError::UnknownUnionMember {
                path: self.path.concat(),
                discriminant: *discriminant,
            });
        };
        let at = match member.ty {
            UnionMemberType::Table(t) => self.table(t, value)?,
            UnionMemberType::String => match &**value {
                Value::String(text) => self.fb.string(text)?,
                other => {
                    return Err(self.error(format!("expected a string, found {}", other.kind())));
                }
            },
            UnionMemberType::Struct(s) => {
                // A struct in a union is written out of line, the offset pointing at its bytes.
                let bytes = self.struct_bytes(s, value)?;
                self.fb
                    .align(self.layout.struct_layout(s).align as usize, 0)?;
                self.fb.push(&bytes)?;
                self.fb.used()
            }
        };
        Ok((*discriminant, at))
    }

    /// The vector of discriminants and the vector of offsets of a vector of unions.
    fn union_vector(&mut self, id: UnionId, items: &[Value]) -> Result<(usize, usize), BuildError> {
        let mut members = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            self.path.push(format!("[{i}]"));
            let member = match item {
                Value::Null => Ok((0, None)),
                _ => self.union_value(id, item).map(|(d, at)| (d, Some(at))),
            };
            self.path.pop();
            members.push(member?);
        }
        let width = self.schema.union_def(id).underlying.size() as usize;
        let types = self.fb.vector(members.len(), width, width, |fb| {
            members
                .iter()
                .rev()
                .try_for_each(|(d, _)| fb.push(&d.to_le_bytes()[..width]))
        })?;
        let values = self.fb.vector(members.len(), 4, 4, |fb| {
            members.iter().rev().try_for_each(|(_, at)| match at {
                Some(at) => fb.push_offset(*at),
                None => fb.push(&[0; 4]),
            })
        })?;
        Ok((types, values))
    }

    /// A struct's bytes, laid out by the `Layout` (the same bytes in both formats).
    fn struct_bytes(&self, id: StructId, value: &Value) -> Result<Vec<u8>, BuildError> {
        let layout = self.layout.struct_layout(id);
        let mut bytes = vec![0; layout.size as usize];
        self.write_struct(layout, value, &mut bytes, 0, self.depth)?;
        Ok(bytes)
    }

    fn write_struct(
        &self,
        layout: &StructLayout,
        value: &Value,
        out: &mut [u8],
        at: usize,
        depth: usize,
    ) -> Result<(), BuildError> {
        if depth > MAX_ENCODE_DEPTH {
            return Err(self.error(format!("nested deeper than {MAX_ENCODE_DEPTH} levels")));
        }
        let Value::Struct(fields) = value else {
            return Err(self.error(format!("expected a struct, found {}", value.kind())));
        };
        if fields.len() != layout.fields.len() {
            return Err(self.error(format!(
                "struct `{}` has {} fields; {} given",
                layout.name,
                layout.fields.len(),
                fields.len()
            )));
        }
        for (f, v) in layout.fields.iter().zip(fields) {
            let field_at = at + f.offset as usize;
            match (f.storage, v) {
                (crate::layout::Storage::Scalar { scalar }, Value::Scalar(s)) => {
                    self.put(out, field_at, scalar, *s)?
                }
                (crate::layout::Storage::Struct { id }, _) => {
                    self.write_struct(self.layout.struct_layout(id), v, out, field_at, depth + 1)?;
                }
                (
                    crate::layout::Storage::Array {
                        element,
                        len,
                        stride,
                    },
                    Value::Vector(items),
                ) if items.len() == len as usize => {
                    for (i, item) in items.iter().enumerate() {
                        let item_at = field_at + i * stride as usize;
                        match (element, item) {
                            (Inline::Scalar { scalar }, Value::Scalar(s)) => {
                                self.put(out, item_at, scalar, *s)?
                            }
                            (Inline::Struct { id }, _) => {
                                self.write_struct(
                                    self.layout.struct_layout(id),
                                    item,
                                    out,
                                    item_at,
                                    depth + 1,
                                )?;
                            }
                            _ => {
                                return Err(self.error(format!(
                                    "`{}[{i}]` has the wrong kind of value",
                                    f.name
                                )));
                            }
                        }
                    }
                }
                _ => {
                    return Err(self.error(format!(
                        "`{}` has the wrong kind of value ({})",
                        f.name,
                        v.kind()
                    )));
                }
            }
        }
        Ok(())
    }

    fn put(
        &self,
        out: &mut [u8],
        at: usize,
        ty: ScalarType,
        value: Scalar,
    ) -> Result<(), BuildError> {
        let bytes = encode_scalar(ty, value).map_err(|e| self.error(e.to_string()))?;
        let size = ty.size() as usize;
        out.get_mut(at..at + size)
            .ok_or_else(|| self.error("a struct field lies outside its struct"))?
            .copy_from_slice(&bytes[..size]);
        Ok(())
    }
}

/// The bits a float has once stored as `ty`.
fn stored_bits(ty: ScalarType, v: f64) -> u64 {
    if ty == ScalarType::Float {
        u64::from(crate::message::narrow_f64(v).to_bits())
    } else {
        v.to_bits()
    }
}
