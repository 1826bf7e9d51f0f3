//! Checks untrusted bytes against a schema before anything reads them in place.
//!
//! Every reference, size, alignment, tag, UTF-8 string, union discriminant and nested message
//! is checked, depth and object count are bounded, and nothing is read outside the bytes.
//! Work stays linear in the message size even when many references share one object: each
//! object is checked once (each object is marked "entered" and "done", which also catches
//! reference cycles; a few objects in a list, many in two bitsets over the 8-byte slots).

use crate::layout::format::*;
use crate::layout::{Layout, MemberRole, RefTarget, Storage, VectorId};
use crate::rt::Scalar as _;
use crate::rt::{Checker, Limits, UnionTypes, VerifyError};
use crate::schema::{BaseType, Presence, Schema, TableId, Type, UnionId, UnionMemberType};

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
        (at as i64 + i64::from(i32::read(self.bytes, at).unwrap_or(0))) as usize
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
    verify_message(schema, layout, root, bytes, limits)?;
    Ok(Verified {
        bytes,
        root,
        format: super::view::Format::Weftbuf,
    })
}

fn verify_message(
    schema: &Schema,
    layout: &Layout,
    root: TableId,
    bytes: &[u8],
    limits: &Limits,
) -> Result<usize, VerifyError> {
    let expected = layout.table(root);
    let (mut c, at) = Checker::message(
        bytes,
        limits,
        (expected.tag, &expected.name),
        layout.file_identifier,
    )
    .map_err(|e| e.at_path(|| render_path(schema, root, &[])))?;
    let mut v = Verifier {
        schema,
        layout,
        c: &mut c,
        path: Vec::new(),
        root,
    };
    v.table(root, at)?;
    Ok(c.objects())
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

struct Verifier<'a, 'c> {
    schema: &'a Schema,
    layout: &'a Layout,
    c: &'c mut Checker<'a>,
    path: Vec<Step>,
    root: TableId,
}

impl<'a> Verifier<'a, '_> {
    fn path(&self) -> String {
        render_path(self.schema, self.root, &self.path)
    }

    /// Gives an error from a check the path of the value being checked.
    fn here<T>(&self, result: Result<T, VerifyError>) -> Result<T, VerifyError> {
        result.map_err(|e| e.at_path(|| self.path()))
    }

    fn table(&mut self, id: TableId, at: usize) -> Result<(), VerifyError> {
        let layout = self.layout.table(id);
        let tag_name = (layout.tag, layout.name.as_str());
        let size = if layout.leaf {
            // Checked at every reference, remembered nowhere: nothing to leave afterwards.
            let checked = self.c.leaf_table(at, tag_name, layout.body_align);
            self.here(checked)?
        } else {
            let entered = self.c.table(at, tag_name, layout.body_align);
            let Some(size) = self.here(entered)? else {
                return Ok(());
            };
            size
        };
        let body = at + OBJECT_HEADER_SIZE as usize;
        let def = self.schema.table_def(id);
        for (index, (field, fl)) in def.fields.iter().zip(&layout.fields).enumerate() {
            let present = fl.present_if_body_at_least <= size;
            self.path.push(Step::Field(id, index as u32));
            let result = if present {
                self.field(id, index, body)
            } else if field.presence == Presence::Required {
                self.here(Err(Checker::required_missing(at)))
            } else {
                Ok(())
            };
            self.path.pop();
            result?;
        }
        if !layout.leaf {
            self.c.leave(at);
        }
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
            self.here(self.c.presence(presence_at))?;
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
        if let (RefTarget::Vector(vid), Type::Vector(BaseType::Union(u)), Some((t, _))) =
            (target, def.ty, type_at)
        {
            let Some(values) = self.here(self.c.reference(at))? else {
                if def.presence == Presence::Required {
                    return self.here(Err(Checker::required_missing(
                        body - OBJECT_HEADER_SIZE as usize,
                    )));
                }
                return Ok(());
            };
            let width = self.schema.union_def(u).underlying.size() as usize;
            let types = UnionTypes { at: t, width };
            return self.union_vector(u, vid, types, values);
        }
        let Some(object) = self.here(self.c.reference(at))? else {
            if def.presence == Presence::Required {
                return self.here(Err(Checker::required_missing(
                    body - OBJECT_HEADER_SIZE as usize,
                )));
            }
            if let (Some((type_at, MemberRole::UnionType)), Type::Base(BaseType::Union(u))) =
                (type_at, def.ty)
            {
                let width = self.schema.union_def(u).underlying.size() as usize;
                self.here(self.c.union_none(type_at, width))?;
            }
            return Ok(());
        };
        match (target, def.ty) {
            (RefTarget::Union(u), Type::Base(_)) => {
                let type_at = type_at.map_or(at, |(t, _)| t);
                let width = self.schema.union_def(u).underlying.size() as usize;
                let discriminant = self.c.discriminant(type_at, width);
                self.union_member(u, discriminant, object, type_at)
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
            RefTarget::String => {
                let checked = self.c.string(at);
                self.here(checked)
            }
            RefTarget::Table(t) => self.table(t, at),
            RefTarget::Vector(v) => self.vector(v, at),
            // Unions are checked with their discriminant, by the caller.
            RefTarget::Union(_) => Ok(()),
        }
    }

    fn vector(&mut self, id: VectorId, at: usize) -> Result<(), VerifyError> {
        let layout = self.layout.vector(id);
        let Storage::Ref { target } = layout.element else {
            let checked = self.c.inline_vector(at, layout.stride, layout.body_align);
            return self.here(checked).map(|_| ());
        };
        let entered = self.c.ref_vector(at, (layout.tag, &layout.identity));
        let Some(count) = self.here(entered)? else {
            return Ok(());
        };
        let body = at + OBJECT_HEADER_SIZE as usize;
        for i in 0..count {
            let element_at = body + i as usize * REF_SIZE as usize;
            self.path.push(Step::Element(i));
            let result = match self.c.element(element_at) {
                Ok(object) => self.object(target, object),
                Err(e) => self.here(Err(e)),
            };
            self.path.pop();
            result?;
        }
        self.c.leave(at);
        Ok(())
    }

    /// Checks a union member's object against its discriminant.
    fn union_member(
        &mut self,
        id: UnionId,
        discriminant: u64,
        at: usize,
        type_at: usize,
    ) -> Result<(), VerifyError> {
        if discriminant == 0 {
            return self.here(Err(Checker::bad_union(
                type_at,
                discriminant,
                "(NONE) comes with a non-null reference",
            )));
        }
        let union = self.schema.union_def(id);
        let Some(member) = union.members.iter().find(|m| m.value == discriminant) else {
            // A member this schema does not know (a newer writer): bounds only.
            return self.here(self.c.unknown_member(at));
        };
        match member.ty {
            UnionMemberType::Table(t) => self.table(t, at),
            UnionMemberType::String => self.object(RefTarget::String, at),
            UnionMemberType::Struct(s) => {
                let layout = self.layout.struct_layout(s);
                self.here(self.c.boxed_struct(
                    at,
                    (layout.tag, &layout.name),
                    layout.size,
                    layout.align,
                ))
            }
        }
    }

    fn union_vector(
        &mut self,
        id: UnionId,
        values_id: VectorId,
        types: UnionTypes,
        values_at: usize,
    ) -> Result<(), VerifyError> {
        let values = self.layout.vector(values_id);
        let width = types.width;
        let entered = self
            .c
            .union_vector(values_at, (values.tag, &values.identity), types);
        let Some((count, types_body)) = self.here(entered)? else {
            return Ok(());
        };
        let body = values_at + OBJECT_HEADER_SIZE as usize;
        for i in 0..count as usize {
            self.path.push(Step::Element(i as u32));
            let type_at = types_body + i * width;
            let discriminant = self.c.discriminant(type_at, width);
            let result = match self.c.reference(body + i * REF_SIZE as usize) {
                Ok(Some(object)) => self.union_member(id, discriminant, object, type_at),
                Ok(None) => {
                    let checked = self.c.union_none(type_at, width);
                    self.here(checked)
                }
                Err(e) => self.here(Err(e)),
            };
            self.path.pop();
            result?;
        }
        self.c.leave(values_at);
        Ok(())
    }

    /// Verifies the bytes of the `[ubyte]` at `at` as a nested message of root `root`.
    fn nested(&mut self, root: TableId, at: usize) -> Result<(), VerifyError> {
        let layout = self.layout.table(root);
        let (schema, outer_layout) = (self.schema, self.layout);
        let checked = self.c.nested(
            at,
            (layout.tag, &layout.name),
            outer_layout.file_identifier,
            |c, root_at| {
                // The nested message gets a verifier of its own, over its own bytes.
                Verifier {
                    schema,
                    layout: outer_layout,
                    c,
                    path: Vec::new(),
                    root,
                }
                .table(root, root_at)
            },
        );
        self.here(checked)
    }
}
