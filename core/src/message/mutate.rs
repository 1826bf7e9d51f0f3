//! Changing a message in place: scalars of tables, structs and vectors that the message holds.
//!
//! Every scalar has a fixed slot, so a present scalar is overwritten where it lies, and an
//! optional scalar becomes set (or null) by flipping its presence byte. Nothing moves: growing
//! a message (a longer string, a new element) goes through a builder. Every write is
//! bounds-checked, like every read, so mutating a buffer another process also writes (a
//! shared-memory slot) can corrupt values but never memory.

use super::scalar::{Scalar, ScalarError, write_scalar};
use super::view::ReadError;
use crate::layout::format::{COUNT_SIZE, OBJECT_HEADER_SIZE};
use crate::layout::{Inline, Layout, MemberRole, RefTarget, Storage};
use crate::rt::Scalar as _;
use crate::schema::{Schema, StructId, TableId};

/// Why an in-place change was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MutateError {
    /// The bytes are not what the schema says at that place.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The value does not fit the field's type.
    #[error("{field}: {source}")]
    Value {
        /// The field.
        field: String,
        /// What is wrong.
        source: ScalarError,
    },
    /// The field is not a scalar, so it cannot change in place.
    #[error("`{field}` is not a scalar; it changes through a builder")]
    NotScalar {
        /// The field.
        field: String,
    },
    /// The object was written by an older schema that ends before this field: there is no
    /// slot to write.
    #[error(
        "`{field}` is not in this object (its body ends at {body_size} bytes); rebuild the message to add it"
    )]
    NotPresent {
        /// The field.
        field: String,
        /// The object's body size.
        body_size: u32,
    },
    /// The field is a null reference or unset struct: there is nothing to change.
    #[error("`{field}` is null")]
    Null {
        /// The field.
        field: String,
    },
    /// Null given for a field that cannot be null.
    #[error("`{field}` cannot be null")]
    NotNullable {
        /// The field.
        field: String,
    },
}

/// A table of a message, for changing in place.
pub struct TableMut<'a> {
    schema: &'a Schema,
    layout: &'a Layout,
    bytes: &'a mut [u8],
    id: TableId,
    at: usize,
    body_size: u32,
}

fn oob(bytes: &[u8], at: usize, what: &'static str) -> ReadError {
    ReadError::OutOfBounds {
        at,
        what,
        len: bytes.len(),
    }
}

/// The object a reference at `at` points to, bounds-checked.
fn follow(bytes: &[u8], at: usize) -> Result<Option<usize>, ReadError> {
    let value = i32::read(bytes, at).ok_or_else(|| oob(bytes, at, "a reference"))?;
    if value == 0 {
        return Ok(None);
    }
    let target = at as i64 + i64::from(value);
    if target < 0 || target as u64 + u64::from(COUNT_SIZE) > bytes.len() as u64 {
        return Err(oob(bytes, at, "the object a reference points to"));
    }
    Ok(Some(target as usize))
}

fn checked_header(bytes: &[u8], at: usize, tag: u32) -> Result<u32, ReadError> {
    let found = u32::read(bytes, at).ok_or_else(|| oob(bytes, at, "an object header"))?;
    if found != tag {
        return Err(ReadError::TagMismatch {
            at,
            found,
            expected: tag,
        });
    }
    u32::read(bytes, at + 4).ok_or_else(|| oob(bytes, at, "an object header"))
}

impl<'a> TableMut<'a> {
    /// The root table of `bytes`, a message with a `root` table. Call [`super::verify`] first
    /// to know the message is sound; without it, writes stay in bounds but may land on
    /// garbage.
    pub fn root(
        schema: &'a Schema,
        layout: &'a Layout,
        bytes: &'a mut [u8],
        root: TableId,
    ) -> Result<Self, ReadError> {
        let at = crate::layout::format::HEADER_ROOT_REF as usize;
        let target = follow(bytes, at)?.ok_or_else(|| oob(bytes, at, "the root reference"))?;
        let body_size = checked_header(bytes, target, layout.table(root).tag)?;
        Ok(TableMut {
            schema,
            layout,
            bytes,
            id: root,
            at: target,
            body_size,
        })
    }

    fn index(&self, name: &str) -> Result<usize, ReadError> {
        self.schema
            .table_def(self.id)
            .fields
            .iter()
            .position(|f| f.name == name)
            .ok_or_else(|| ReadError::NoSuchField {
                table: self.layout.table(self.id).name.clone(),
                name: name.to_string(),
            })
    }

    fn member_at(&self, member: u32) -> usize {
        self.at
            + OBJECT_HEADER_SIZE as usize
            + self.layout.table(self.id).members[member as usize].offset as usize
    }

    /// Sets scalar (or enum) field `name` to `value`; `None` makes an optional scalar null.
    pub fn set(&mut self, name: &str, value: Option<Scalar>) -> Result<(), MutateError> {
        let index = self.index(name)?;
        self.set_at(index, value)
    }

    /// Sets scalar field `index` (see [`TableMut::set`]).
    pub fn set_at(&mut self, index: usize, value: Option<Scalar>) -> Result<(), MutateError> {
        let table = self.layout.table(self.id);
        let fl = table.fields.get(index).ok_or(ReadError::IndexOutOfRange {
            index,
            len: table.fields.len(),
        })?;
        let field = fl.name.clone();
        if fl.present_if_body_at_least > self.body_size {
            return Err(MutateError::NotPresent {
                field,
                body_size: self.body_size,
            });
        }
        let member = &table.members[fl.value_member as usize];
        let Storage::Scalar { scalar } = member.storage else {
            return Err(MutateError::NotScalar { field });
        };
        let at = self.member_at(fl.value_member);
        let presence = fl
            .presence_member
            .filter(|&p| table.members[p as usize].role == MemberRole::Presence)
            .map(|p| self.member_at(p));
        match (value, presence) {
            (None, None) => Err(MutateError::NotNullable { field }),
            (None, Some(p)) => {
                // A null optional scalar keeps zero bytes in its slot, as a builder writes it.
                self.write(p, 1, &[0])?;
                self.write(at, scalar.size() as usize, &[0; 8])
            }
            (Some(v), presence) => {
                let mut encoded = [0u8; 8];
                write_scalar(&mut encoded, 0, scalar, v)
                    .map_err(|source| MutateError::Value { field, source })?;
                self.write(at, scalar.size() as usize, &encoded)?;
                if let Some(p) = presence {
                    self.write(p, 1, &[1])?;
                }
                Ok(())
            }
        }
    }

    fn write(&mut self, at: usize, len: usize, data: &[u8]) -> Result<(), MutateError> {
        let len_total = self.bytes.len();
        let dst = self
            .bytes
            .get_mut(at..at + len)
            .ok_or(ReadError::OutOfBounds {
                at,
                what: "a field",
                len: len_total,
            })?;
        dst.copy_from_slice(&data[..len]);
        Ok(())
    }

    /// The table field `name` refers to, for changing in place; `None` when it is null.
    pub fn table(&mut self, name: &str) -> Result<Option<TableMut<'_>>, MutateError> {
        let Some((id, object)) = self.object(name, |t| match t {
            RefTarget::Table(id) => Some(id),
            _ => None,
        })?
        else {
            return Ok(None);
        };
        let body_size = checked_header(self.bytes, object, self.layout.table(id).tag)?;
        Ok(Some(TableMut {
            schema: self.schema,
            layout: self.layout,
            bytes: self.bytes,
            id,
            at: object,
            body_size,
        }))
    }

    /// The vector field `name` refers to, for changing its scalar elements in place.
    pub fn vector(&mut self, name: &str) -> Result<Option<VectorMut<'_>>, MutateError> {
        let Some((id, object)) = self.object(name, |t| match t {
            RefTarget::Vector(id) => Some(id),
            _ => None,
        })?
        else {
            return Ok(None);
        };
        let v = self.layout.vector(id);
        let count = if v.tagged {
            checked_header(self.bytes, object, v.tag)?
        } else {
            u32::read(self.bytes, object).ok_or_else(|| oob(self.bytes, object, "a count"))?
        } as usize;
        let body = object + v.header_size() as usize;
        if body as u64 + count as u64 * u64::from(v.stride) > self.bytes.len() as u64 {
            return Err(oob(self.bytes, object, "a vector's elements").into());
        }
        Ok(Some(VectorMut {
            layout: self.layout,
            bytes: self.bytes,
            body,
            count,
            element: v.element,
            stride: v.stride as usize,
        }))
    }

    /// The struct field `name`, for changing its scalars in place; `None` when it is unset.
    pub fn structure(&mut self, name: &str) -> Result<Option<StructMut<'_>>, MutateError> {
        let index = self.index(name)?;
        let table = self.layout.table(self.id);
        let fl = &table.fields[index];
        if fl.present_if_body_at_least > self.body_size {
            return Err(MutateError::NotPresent {
                field: name.to_string(),
                body_size: self.body_size,
            });
        }
        let Storage::Struct { id } = table.members[fl.value_member as usize].storage else {
            return Err(MutateError::NotScalar {
                field: name.to_string(),
            });
        };
        if let Some(p) = fl.presence_member {
            let at = self.member_at(p);
            if self.bytes.get(at) == Some(&0) {
                return Ok(None);
            }
        }
        let at = self.member_at(fl.value_member);
        StructMut::new(self.layout, self.bytes, id, at).map(Some)
    }

    /// The object reference field `name` points to, when `kind` accepts what it refers to;
    /// `None` when the reference is null.
    fn object<T>(
        &self,
        name: &str,
        kind: impl FnOnce(RefTarget) -> Option<T>,
    ) -> Result<Option<(T, usize)>, MutateError> {
        let (target, at) = self.reference(self.index(name)?)?;
        let Some(id) = kind(target) else {
            return Err(MutateError::NotScalar {
                field: name.to_string(),
            });
        };
        Ok(at.map(|object| (id, object)))
    }

    fn reference(&self, index: usize) -> Result<(RefTarget, Option<usize>), MutateError> {
        let table = self.layout.table(self.id);
        let fl = &table.fields[index];
        if fl.present_if_body_at_least > self.body_size {
            return Err(MutateError::NotPresent {
                field: fl.name.clone(),
                body_size: self.body_size,
            });
        }
        let Storage::Ref { target } = table.members[fl.value_member as usize].storage else {
            return Err(MutateError::NotScalar {
                field: fl.name.clone(),
            });
        };
        Ok((target, follow(self.bytes, self.member_at(fl.value_member))?))
    }
}

/// A struct of a message, for changing its scalars in place.
pub struct StructMut<'a> {
    layout: &'a Layout,
    bytes: &'a mut [u8],
    id: StructId,
    at: usize,
}

impl<'a> StructMut<'a> {
    fn new(
        layout: &'a Layout,
        bytes: &'a mut [u8],
        id: StructId,
        at: usize,
    ) -> Result<Self, MutateError> {
        let size = layout.struct_layout(id).size as usize;
        if at + size > bytes.len() {
            return Err(oob(bytes, at, "a struct").into());
        }
        Ok(StructMut {
            layout,
            bytes,
            id,
            at,
        })
    }

    /// Sets scalar field `name` of the struct (or element `element` of a scalar array field).
    pub fn set(
        &mut self,
        name: &str,
        element: Option<usize>,
        value: Scalar,
    ) -> Result<(), MutateError> {
        let layout = self.layout.struct_layout(self.id);
        let f = layout
            .fields
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| ReadError::NoSuchField {
                table: layout.name.clone(),
                name: name.to_string(),
            })?;
        let (scalar, at) = match (f.storage, element) {
            (Storage::Scalar { scalar }, None) => (scalar, self.at + f.offset as usize),
            (
                Storage::Array {
                    element: Inline::Scalar { scalar },
                    len,
                    stride,
                },
                Some(i),
            ) if i < len as usize => (scalar, self.at + f.offset as usize + i * stride as usize),
            (Storage::Array { len, .. }, Some(i)) => {
                return Err(ReadError::IndexOutOfRange {
                    index: i,
                    len: len as usize,
                }
                .into());
            }
            _ => {
                return Err(MutateError::NotScalar {
                    field: name.to_string(),
                });
            }
        };
        write_scalar(self.bytes, at, scalar, value).map_err(|source| MutateError::Value {
            field: name.to_string(),
            source,
        })
    }

    /// The nested struct field `name`, for changing in place.
    pub fn structure(&mut self, name: &str) -> Result<StructMut<'_>, MutateError> {
        let layout = self.layout.struct_layout(self.id);
        let f = layout
            .fields
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| ReadError::NoSuchField {
                table: layout.name.clone(),
                name: name.to_string(),
            })?;
        let Storage::Struct { id } = f.storage else {
            return Err(MutateError::NotScalar {
                field: name.to_string(),
            });
        };
        let at = self.at + f.offset as usize;
        StructMut::new(self.layout, self.bytes, id, at)
    }
}

/// A vector of a message, for changing its scalar (or struct) elements in place.
pub struct VectorMut<'a> {
    layout: &'a Layout,
    bytes: &'a mut [u8],
    body: usize,
    count: usize,
    element: Storage,
    stride: usize,
}

impl VectorMut<'_> {
    /// Element count.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when the vector has no elements.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Sets scalar element `index`.
    pub fn set(&mut self, index: usize, value: Scalar) -> Result<(), MutateError> {
        if index >= self.count {
            return Err(ReadError::IndexOutOfRange {
                index,
                len: self.count,
            }
            .into());
        }
        let Storage::Scalar { scalar } = self.element else {
            return Err(MutateError::NotScalar {
                field: format!("[{index}]"),
            });
        };
        write_scalar(self.bytes, self.body + index * self.stride, scalar, value).map_err(|source| {
            MutateError::Value {
                field: format!("[{index}]"),
                source,
            }
        })
    }

    /// Struct element `index`, for changing in place.
    pub fn structure(&mut self, index: usize) -> Result<StructMut<'_>, MutateError> {
        if index >= self.count {
            return Err(ReadError::IndexOutOfRange {
                index,
                len: self.count,
            }
            .into());
        }
        let Storage::Struct { id } = self.element else {
            return Err(MutateError::NotScalar {
                field: format!("[{index}]"),
            });
        };
        let at = self.body + index * self.stride;
        StructMut::new(self.layout, self.bytes, id, at)
    }

    /// The elements as a mutable typed slice (scalars of exactly `T`'s size), when the body is
    /// aligned for `T` in memory.
    pub fn as_mut_slice<T: bytemuck::Pod>(&mut self) -> Option<&mut [T]> {
        let Storage::Scalar { scalar } = self.element else {
            return None;
        };
        if scalar.size() as usize != std::mem::size_of::<T>() {
            return None;
        }
        let body = self
            .bytes
            .get_mut(self.body..self.body + self.count * self.stride)?;
        bytemuck::try_cast_slice_mut(body).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{JsonOptions, json_to_message, message_to_json};
    use crate::schema::Compiler;

    const SCHEMA: &str = "struct P { x: float; y: [short:2]; }\n\
        table Child { n: int; }\n\
        table T { a: int = 5; b: short = null; p: P; child: Child; v: [int]; ps: [P]; s: string; }\n\
        root_type T;";

    #[test]
    fn scalars_change_in_place_and_the_message_still_verifies() {
        let schema = Compiler::new().compile_source("t.fbs", SCHEMA).unwrap();
        let layout = Layout::new(&schema).unwrap();
        let root = schema.root_table.unwrap();
        let json = r#"{ p: { x: 1, y: [1, 2] }, child: { n: 1 }, v: [1, 2, 3], ps: [{ x: 0, y: [0, 0] }], s: "x" }"#;
        let mut bytes = json_to_message(&schema, &layout, root, json).unwrap();
        let len = bytes.len();
        {
            let mut t = TableMut::root(&schema, &layout, &mut bytes, root).unwrap();
            t.set("a", Some(Scalar::Int(-7))).unwrap();
            t.set("b", Some(Scalar::Int(300))).unwrap();
            t.table("child")
                .unwrap()
                .unwrap()
                .set("n", Some(Scalar::Int(42)))
                .unwrap();
            let mut v = t.vector("v").unwrap().unwrap();
            v.set(2, Scalar::Int(9)).unwrap();
            t.structure("p")
                .unwrap()
                .unwrap()
                .set("y", Some(1), Scalar::Int(-2))
                .unwrap();
            t.vector("ps")
                .unwrap()
                .unwrap()
                .structure(0)
                .unwrap()
                .set("x", None, Scalar::Float(2.5))
                .unwrap();
            assert!(matches!(
                t.set("s", Some(Scalar::Int(1))),
                Err(MutateError::NotScalar { .. })
            ));
            assert!(matches!(
                t.set("a", Some(Scalar::Int(1 << 40))),
                Err(MutateError::Value { .. })
            ));
            assert!(matches!(
                t.set("a", None),
                Err(MutateError::NotNullable { .. })
            ));
        }
        assert_eq!(bytes.len(), len, "nothing moved");
        let out = message_to_json(&schema, &layout, root, &bytes, JsonOptions::default()).unwrap();
        let expected = "{\n  \"a\": -7,\n  \"b\": 300,\n  \"p\": {\n    \"x\": 1.0,\n    \"y\": [\n      1,\n      -2\n    ]\n  },\n  \
            \"child\": {\n    \"n\": 42\n  },\n  \"v\": [\n    1,\n    2,\n    9\n  ],\n  \"ps\": [\n    {\n      \"x\": 2.5,\n      \
            \"y\": [\n        0,\n        0\n      ]\n    }\n  ],\n  \"s\": \"x\"\n}\n";
        assert_eq!(out, expected);
        // An optional scalar goes back to null.
        TableMut::root(&schema, &layout, &mut bytes, root)
            .unwrap()
            .set("b", None)
            .unwrap();
        let out = message_to_json(&schema, &layout, root, &bytes, JsonOptions::default()).unwrap();
        assert!(!out.contains("\"b\""));
    }
}
