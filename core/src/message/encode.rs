//! Writes a [`Value`] as a message, reading every offset from the [`Layout`].
//!
//! Objects are written in canonical order, the order every weftbuf writer uses so that the
//! same value gives the same bytes in every language: a table first, then the objects its
//! references point to in member order, each depth first (preorder).

use super::scalar::{Scalar, write_scalar};
use super::value::Value;
use super::verify::{Step, render_path};
use crate::layout::format::{NESTED_ALIGN, OBJECT_ALIGN, REF_SIZE};
use crate::layout::{Layout, RefTarget, Storage};
use crate::rt::{BuildError, Builder, Header, ObjectRef};
use crate::schema::{
    BaseType, DefaultValue, Presence, Schema, StructId, TableId, Type, UnionId, UnionMemberType,
};

/// How deep values may nest (tables in tables, structs in structs) before encoding stops:
/// the same bound the verifier applies when reading.
pub const MAX_ENCODE_DEPTH: usize = 64;

/// Encodes `value`, a table of type `root`, as a complete message.
pub fn encode(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    value: &Value,
) -> Result<Vec<u8>, BuildError> {
    let mut builder = Builder::new();
    encode_into(schema, layout, root, value, &mut builder)?;
    Ok(builder.into_vec())
}

/// Encodes `value` into `builder` (a growable buffer or a caller-given slice) and finishes
/// the message.
pub fn encode_into(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    value: &Value,
    builder: &mut Builder<'_>,
) -> Result<(), BuildError> {
    encode_at_depth(schema, layout, root, value, builder, 0)
}

/// [`encode_into`] for a message nested `depth` levels deep: its depth counts on from the
/// message around it, as the verifier counts it.
fn encode_at_depth(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    value: &Value,
    builder: &mut Builder<'_>,
    depth: usize,
) -> Result<(), BuildError> {
    let mut w = Writer {
        schema,
        layout,
        b: builder,
        root,
        path: Vec::new(),
        depth,
    };
    let object = w.table(root, value)?;
    let tag = layout.table(root).tag;
    builder.finish(object, tag, layout.file_identifier)?;
    Ok(())
}

struct Writer<'a, 'b> {
    schema: &'a Schema,
    layout: &'a Layout,
    b: &'a mut Builder<'b>,
    root: TableId,
    /// Where the value being written is, rendered only when an error needs it: building the
    /// text for every field would cost more than writing the field.
    path: Vec<Step>,
    depth: usize,
}

impl Writer<'_, '_> {
    fn error(&self, message: impl Into<String>) -> BuildError {
        BuildError::Value {
            path: render_path(self.schema, self.root, &self.path),
            message: message.into(),
        }
    }

    fn enter(&mut self) -> Result<(), BuildError> {
        self.depth += 1;
        if self.depth > MAX_ENCODE_DEPTH {
            return Err(self.error(format!("nested deeper than {MAX_ENCODE_DEPTH} levels")));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn put_scalar(
        &mut self,
        at: usize,
        ty: crate::schema::ScalarType,
        value: &Value,
    ) -> Result<(), BuildError> {
        let Value::Scalar(s) = value else {
            return Err(self.error(format!(
                "expected a `{}`, found {}",
                ty.name(),
                value.kind()
            )));
        };
        write_scalar(self.b.bytes_mut(), at, ty, *s).map_err(|e| self.error(e.to_string()))
    }

    fn table(&mut self, id: TableId, value: &Value) -> Result<ObjectRef, BuildError> {
        let Value::Table(values) = value else {
            return Err(self.error(format!("expected a table, found {}", value.kind())));
        };
        let layout = self.layout.table(id);
        let def = self.schema.table_def(id);
        if values.len() > def.fields.len() {
            return Err(self.error(format!(
                "{} field values given; `{}` has {} fields",
                values.len(),
                layout.name,
                def.fields.len()
            )));
        }
        let header = Header::Tagged {
            tag: layout.tag,
            size_or_count: layout.body_size,
        };
        let object = self
            .b
            .alloc_object(header, u64::from(layout.body_size), layout.body_align)?;
        let body = object.body();
        for (index, (field, fl)) in def.fields.iter().zip(&layout.fields).enumerate() {
            let given = values.get(index).and_then(Option::as_ref);
            let given = if field.deprecated { None } else { given };
            self.path.push(Step::Field(id, index as u32));
            let result = self.field(id, index, body, given);
            self.path.pop();
            if let (Some(p), Ok(true)) = (fl.presence_member, &result) {
                let presence = body + layout.members[p as usize].offset as usize;
                self.b.bytes_mut()[presence] = 1;
            }
            result?;
        }
        Ok(object)
    }

    /// Writes field `index` of a table whose body starts at `body`; returns whether a
    /// nullable value (optional scalar, struct) is set.
    fn field(
        &mut self,
        table: TableId,
        index: usize,
        body: usize,
        given: Option<&Value>,
    ) -> Result<bool, BuildError> {
        let def = &self.schema.table_def(table).fields[index];
        let layout = self.layout.table(table);
        let fl = &layout.fields[index];
        let at = body + layout.members[fl.value_member as usize].offset as usize;
        let type_at = fl
            .union_type_member
            .map(|m| body + layout.members[m as usize].offset as usize);
        let given = given.filter(|v| **v != Value::Null);
        if given.is_none() && def.presence == Presence::Required {
            return Err(self.error("required field is missing"));
        }
        match def.ty {
            Type::Base(BaseType::Scalar(_) | BaseType::Enum(_)) => {
                let Storage::Scalar { scalar } = layout.members[fl.value_member as usize].storage
                else {
                    return Ok(false);
                };
                match (given, &def.default) {
                    (Some(v), _) => self.put_scalar(at, scalar, v)?,
                    (None, DefaultValue::Integer(raw)) => {
                        let v = Value::Scalar(Scalar::from_i128(scalar, *raw));
                        self.put_scalar(at, scalar, &v)?;
                    }
                    (None, DefaultValue::Float(f)) => {
                        self.put_scalar(at, scalar, &Value::Scalar(Scalar::Float(*f)))?;
                    }
                    (None, _) => {}
                }
                Ok(given.is_some())
            }
            Type::Base(BaseType::Struct(id)) => {
                if let Some(v) = given {
                    self.structure(id, v, at)?;
                }
                Ok(given.is_some())
            }
            Type::Base(BaseType::String) => {
                if let Some(v) = given {
                    let child = self.string(v)?;
                    self.b.set_ref(at, child);
                }
                Ok(false)
            }
            Type::Base(BaseType::Table(id)) => {
                if let Some(v) = given {
                    self.enter()?;
                    let child = self.table(id, v);
                    self.leave();
                    self.b.set_ref(at, child?);
                }
                Ok(false)
            }
            Type::Base(BaseType::Union(id)) => {
                if let Some(v) = given {
                    let (discriminant, child) = self.union_value(id, v)?;
                    if let Some(type_at) = type_at {
                        let width = self.schema.union_def(id).underlying.size() as usize;
                        let bytes = discriminant.to_le_bytes();
                        self.b.bytes_mut()[type_at..type_at + width]
                            .copy_from_slice(&bytes[..width]);
                    }
                    self.b.set_ref(at, child);
                }
                Ok(false)
            }
            Type::Vector(element) => {
                let Some(v) = given else {
                    return Ok(false);
                };
                if let Some(root) = nested_root(self.schema, table, index) {
                    // A nested message comes as a value to encode, or as bytes that must
                    // already be a valid message of its root type.
                    let nested = match v {
                        Value::Table(_) => {
                            let mut nested = Builder::new();
                            encode_at_depth(
                                self.schema,
                                self.layout,
                                root,
                                v,
                                &mut nested,
                                self.depth + 1,
                            )
                            .map_err(|e| self.error(format!("nested message: {e}")))?;
                            nested.into_vec()
                        }
                        _ => {
                            let raw = self.raw_bytes(v)?;
                            super::verify::verify(
                                self.schema,
                                self.layout,
                                root,
                                &raw,
                                &Default::default(),
                            )
                            .map_err(|e| self.error(format!("nested message: {e}")))?;
                            raw
                        }
                    };
                    let child = self.packed_vector(nested.len(), &nested, NESTED_ALIGN)?;
                    self.b.set_ref(at, child);
                    return Ok(false);
                }
                let Value::Vector(items) = v else {
                    return Err(self.error(format!("expected a vector, found {}", v.kind())));
                };
                if let (BaseType::Union(u), Some(type_at)) = (element, type_at) {
                    let (Some(types), Some(values)) = (
                        fl.union_type_member
                            .and_then(|m| self.layout.member_vector(table, m)),
                        self.layout.member_vector(table, fl.value_member),
                    ) else {
                        return Err(self.error("a vector of unions without its two vectors"));
                    };
                    let vectors = (types.body_align, values.tag);
                    self.union_vector(u, items, vectors, (type_at, at))?;
                } else {
                    let Storage::Ref {
                        target: RefTarget::Vector(vid),
                    } = layout.members[fl.value_member as usize].storage
                    else {
                        return Ok(false);
                    };
                    let child = self.vector(vid, element, items)?;
                    self.b.set_ref(at, child);
                }
                Ok(false)
            }
            Type::Array(..) => Ok(false),
        }
    }

    fn string(&mut self, value: &Value) -> Result<ObjectRef, BuildError> {
        let Value::String(s) = value else {
            return Err(self.error(format!("expected a string, found {}", value.kind())));
        };
        let len = u32::try_from(s.len()).map_err(|_| BuildError::TooLarge)?;
        self.b
            .append_zero_terminated(Header::Counted(len), s.as_bytes())
    }

    /// The bytes a vector of `ubyte` values holds.
    fn raw_bytes(&self, value: &Value) -> Result<Vec<u8>, BuildError> {
        let Value::Vector(items) = value else {
            return Err(self.error(format!("expected a vector, found {}", value.kind())));
        };
        items
            .iter()
            .map(|item| match item {
                Value::Scalar(s) => s
                    .as_i128()
                    .and_then(|v| u8::try_from(v).ok())
                    .ok_or_else(|| self.error(format!("{s} is not a byte"))),
                other => Err(self.error(format!("expected a byte, found {}", other.kind()))),
            })
            .collect()
    }

    /// A vector of `count` plain elements whose body is `bytes`, aligned to `body_align`.
    fn packed_vector(
        &mut self,
        count: usize,
        bytes: &[u8],
        body_align: u32,
    ) -> Result<ObjectRef, BuildError> {
        let len = u32::try_from(count).map_err(|_| BuildError::TooLarge)?;
        self.b
            .append_object(Header::Counted(len), body_align, &[bytes])
    }

    /// Writes struct `id` from `value` at absolute offset `at`.
    fn structure(&mut self, id: StructId, value: &Value, at: usize) -> Result<(), BuildError> {
        let Value::Struct(fields) = value else {
            return Err(self.error(format!("expected a struct, found {}", value.kind())));
        };
        let layout = self.layout.struct_layout(id);
        if fields.len() != layout.fields.len() {
            return Err(self.error(format!(
                "struct `{}` has {} fields; {} given",
                layout.name,
                layout.fields.len(),
                fields.len()
            )));
        }
        self.enter()?;
        for (i, (f, v)) in layout.fields.iter().zip(fields).enumerate() {
            let field_at = at + f.offset as usize;
            self.path.push(Step::StructField(id, i as u32));
            let result = self.inline(f.storage, v, field_at);
            self.path.pop();
            if let Err(e) = result {
                self.leave();
                return Err(e);
            }
        }
        self.leave();
        Ok(())
    }

    fn inline(&mut self, storage: Storage, value: &Value, at: usize) -> Result<(), BuildError> {
        match storage {
            Storage::Scalar { scalar } => self.put_scalar(at, scalar, value),
            Storage::Struct { id } => self.structure(id, value, at),
            Storage::Array {
                element,
                len,
                stride,
            } => {
                let Value::Vector(items) = value else {
                    return Err(self.error(format!("expected an array, found {}", value.kind())));
                };
                if items.len() != len as usize {
                    return Err(self.error(format!(
                        "the array holds {len} elements; {} given",
                        items.len()
                    )));
                }
                let element = match element {
                    crate::layout::Inline::Scalar { scalar } => Storage::Scalar { scalar },
                    crate::layout::Inline::Struct { id } => Storage::Struct { id },
                };
                for (i, item) in items.iter().enumerate() {
                    self.path.push(Step::Element(i as u32));
                    let result = self.inline(element, item, at + i * stride as usize);
                    self.path.pop();
                    result?;
                }
                Ok(())
            }
            Storage::Ref { .. } => Ok(()),
        }
    }

    fn vector(
        &mut self,
        id: crate::layout::VectorId,
        element: BaseType,
        items: &[Value],
    ) -> Result<ObjectRef, BuildError> {
        let layout = self.layout.vector(id);
        let (stride, align, storage) = (layout.stride, layout.body_align, layout.element);
        let count = u32::try_from(items.len()).map_err(|_| BuildError::TooLarge)?;
        let header = if layout.tagged {
            Header::Tagged {
                tag: layout.tag,
                size_or_count: count,
            }
        } else {
            Header::Counted(count)
        };
        let object = self
            .b
            .alloc_object(header, u64::from(count) * u64::from(stride), align)?;
        let body = object.body();
        for (i, item) in items.iter().enumerate() {
            let at = body + i * stride as usize;
            self.path.push(Step::Element(i as u32));
            let result = match (storage, element) {
                (Storage::Ref { .. }, _) if *item == Value::Null => {
                    Err(self.error("vectors cannot hold null"))
                }
                (Storage::Ref { .. }, BaseType::String) => {
                    self.string(item).map(|c| self.b.set_ref(at, c))
                }
                (Storage::Ref { .. }, BaseType::Table(t)) => self.enter().and_then(|()| {
                    let child = self.table(t, item);
                    self.leave();
                    child.map(|c| self.b.set_ref(at, c))
                }),
                (other, _) => self.inline(other, item, at),
            };
            self.path.pop();
            result?;
        }
        Ok(object)
    }

    /// Writes a union member's object; returns its discriminant and the object.
    fn union_value(&mut self, id: UnionId, value: &Value) -> Result<(u64, ObjectRef), BuildError> {
        let (discriminant, value) = match value {
            Value::Union {
                discriminant,
                value,
            } => (discriminant, value),
            // How `read_value` gives a member this schema does not know.
            Value::Scalar(s) => {
                return Err(unknown_member(
                    render_path(self.schema, self.root, &self.path),
                    *s,
                ));
            }
            _ => return Err(self.error(format!("expected a union value, found {}", value.kind()))),
        };
        let union = self.schema.union_def(id);
        let Some(member) = union.members.iter().find(|m| m.value == *discriminant) else {
            return Err(BuildError::UnknownUnionMember {
                path: render_path(self.schema, self.root, &self.path),
                discriminant: *discriminant,
            });
        };
        let object = match member.ty {
            UnionMemberType::Table(t) => {
                self.enter()?;
                let child = self.table(t, value);
                self.leave();
                child?
            }
            UnionMemberType::String => self.string(value)?,
            UnionMemberType::Struct(s) => {
                let layout = self.layout.struct_layout(s);
                let header = Header::Tagged {
                    tag: layout.tag,
                    size_or_count: layout.size,
                };
                let object = self
                    .b
                    .alloc_object(header, u64::from(layout.size), layout.align)?;
                self.structure(s, value, object.body())?;
                object
            }
        };
        Ok((*discriminant, object))
    }

    /// A vector of unions: the vector of discriminants (referenced from `types_at`), then the
    /// vector of references (from `values_at`), then each member's object.
    fn union_vector(
        &mut self,
        id: UnionId,
        items: &[Value],
        (types_align, values_tag): (u32, u32),
        (types_at, values_at): (usize, usize),
    ) -> Result<(), BuildError> {
        let width = self.schema.union_def(id).underlying.size() as usize;
        let mut discriminants = Vec::with_capacity(items.len() * width);
        for (i, item) in items.iter().enumerate() {
            let discriminant: u64 = match item {
                Value::Union { discriminant, .. } => *discriminant,
                Value::Null => 0,
                Value::Scalar(s) => {
                    self.path.push(Step::Element(i as u32));
                    let path = render_path(self.schema, self.root, &self.path);
                    self.path.pop();
                    return Err(unknown_member(path, *s));
                }
                other => {
                    return Err(self.error(format!(
                        "[{i}]: expected a union value, found {}",
                        other.kind()
                    )));
                }
            };
            discriminants.extend_from_slice(&discriminant.to_le_bytes()[..width]);
        }
        let types = self.packed_vector(items.len(), &discriminants, types_align)?;
        self.b.set_ref(types_at, types);
        let count = u32::try_from(items.len()).map_err(|_| BuildError::TooLarge)?;
        let header = Header::Tagged {
            tag: values_tag,
            size_or_count: count,
        };
        let values =
            self.b
                .alloc_object(header, u64::from(count) * u64::from(REF_SIZE), OBJECT_ALIGN)?;
        self.b.set_ref(values_at, values);
        for (i, item) in items.iter().enumerate() {
            if *item == Value::Null {
                continue;
            }
            self.path.push(Step::Element(i as u32));
            let result = self.union_value(id, item);
            self.path.pop();
            let (_, child) = result?;
            self.b.set_ref(values.body() + i * REF_SIZE as usize, child);
        }
        Ok(())
    }
}

/// The error for a union value that is only a discriminant (a member this schema lacks).
pub(crate) fn unknown_member(path: String, discriminant: Scalar) -> BuildError {
    BuildError::UnknownUnionMember {
        path,
        discriminant: discriminant
            .as_i128()
            .and_then(|d| u64::try_from(d).ok())
            .unwrap_or(0),
    }
}

/// The root table of a `nested_flatbuffer` field's nested messages.
pub(crate) fn nested_root(schema: &Schema, table: TableId, index: usize) -> Option<TableId> {
    schema.table_def(table).fields.get(index)?.nested_flatbuffer
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Compiler;

    /// The worked example of `docs/layout.md`, section 12.
    pub(crate) const EXAMPLE_SCHEMA: &str = "namespace example;\n\
        struct Vec2 { x: float; y: float; }\n\
        table Point { pos: Vec2; label: string; hp: short = 100; tags: [ubyte]; }\n\
        root_type Point;\nfile_identifier \"PNT1\";";

    pub(crate) const EXAMPLE_HEX: &str = "574546540200000048000000e94d23be08000000504e5431\
        e94d23be18000000010000000000c03f000000c00c000000640000000c00000002000000686900000300\
        000001020300";

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn the_worked_example_is_byte_exact() {
        let schema = Compiler::new()
            .compile_source("example.fbs", EXAMPLE_SCHEMA)
            .unwrap();
        let layout = Layout::new(&schema).unwrap();
        let value = Value::Table(vec![
            Some(Value::Struct(vec![
                Value::Scalar(Scalar::Float(1.5)),
                Value::Scalar(Scalar::Float(-2.0)),
            ])),
            Some(Value::String("hi".into())),
            None,
            Some(Value::Vector(
                (1..=3).map(|i| Value::Scalar(Scalar::UInt(i))).collect(),
            )),
        ]);
        let bytes = encode(&schema, &layout, TableId(0), &value).unwrap();
        assert_eq!(hex(&bytes), EXAMPLE_HEX);
    }

    #[test]
    fn errors_name_the_path() {
        let schema = Compiler::new()
            .compile_source("example.fbs", EXAMPLE_SCHEMA)
            .unwrap();
        let layout = Layout::new(&schema).unwrap();
        let value = Value::Table(vec![
            None,
            None,
            Some(Value::Scalar(Scalar::Int(70_000))),
            Some(Value::Vector(vec![Value::Scalar(Scalar::Int(-1))])),
        ]);
        let err = encode(&schema, &layout, TableId(0), &value).unwrap_err();
        assert_eq!(err.to_string(), "Point.hp: 70000 does not fit in `short`");
        let value = Value::Table(vec![
            None,
            None,
            None,
            Some(Value::Vector(vec![Value::Scalar(Scalar::Int(-1))])),
        ]);
        let err = encode(&schema, &layout, TableId(0), &value).unwrap_err();
        assert_eq!(err.to_string(), "Point.tags[0]: -1 does not fit in `ubyte`");
    }
}
