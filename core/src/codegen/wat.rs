//! The WebAssembly GC type of every schema type, printed from the [`Model`] as one `rec` group
//! in WAT.
//!
//! The mapping is one to one with the layout: GC struct field `i` of a table type is the
//! table's member `i` ([`Table::members`](super::model::Table::members)), and field `i` of a
//! struct type is the struct's field `i`. A host lifts a message into GC objects, and lowers
//! them back, by walking the two lists side by side.
//!
//! | layout | GC storage type |
//! | --- | --- |
//! | bool, byte, ubyte | `i8` |
//! | short, ushort | `i16` |
//! | int, uint, long, ulong, float, double | `i32`, `i64`, `f32`, `f64` |
//! | presence byte | `i8` |
//! | union discriminant | its type's, immutable (`i8` for the default `ubyte`) |
//! | string | `(ref null $string)`, `$string = (array (mut i8))` |
//! | `[T]` | `(ref null $vec.T)`, `$vec.T = (array (mut T'))` (references immutable) |
//! | table `T` | `(ref null $T)`, `$T = (sub (struct ...))`, extensible by appending fields |
//! | struct `S` | `(ref null $S)` in tables, `(ref $S)` in structs; `$S` final and immutable |
//! | `[T:N]` in a struct | `(ref $array.T)`, `$array.T = (array T')` |
//! | union | `(ref null struct)`, or `(ref null eq)` when a member is a string |
//! | rpc method | `(func (param (ref $Req)) (result (ref $Resp)))` |
//!
//! Scalars in tables and vectors are `mut`: they can be changed in place. References and
//! struct fields are not: growing a message goes through a builder.

use super::model::{
    FieldKind, Inline, MemberStorage, Model, StructFieldType, UnionTarget, VectorElement,
};
use super::writer::Writer;
use crate::layout::{MemberRole, VectorId};
use crate::schema::{ScalarType, StructId, TableId, UnionId};

/// The GC storage type of a scalar.
pub fn scalar_storage(scalar: ScalarType) -> &'static str {
    match scalar {
        ScalarType::Bool | ScalarType::Byte | ScalarType::UByte => "i8",
        ScalarType::Short | ScalarType::UShort => "i16",
        ScalarType::Int | ScalarType::UInt => "i32",
        ScalarType::Long | ScalarType::ULong => "i64",
        ScalarType::Float => "f32",
        ScalarType::Double => "f64",
    }
}

/// The WAT name of the string type.
pub const STRING_TYPE: &str = "$string";

/// Keeps only characters WAT allows in identifiers (a pinned identity may hold others).
fn wat_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "!#$%&'*+-./:<=>?@\\^_`|~".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The WAT of `schema`'s types, laid out as `layout` (its model's, see [`print`]).
pub fn generate(
    schema: &crate::schema::Schema,
    layout: &crate::layout::Layout,
) -> Result<String, super::model::ModelError> {
    Ok(print(&Model::new(schema, layout, "")?))
}

/// Prints `model`'s types as a WAT module holding one `rec` group. A validator with the GC
/// proposal enabled accepts it.
pub fn print(model: &Model) -> String {
    let p = Printer { model };
    let mut w = Writer::new();
    // WAT nests by two spaces: the types sit one writer level (four) in.
    w.line("(module\n  (rec");
    w.indented(|w| {
        w.line(format!("(type {STRING_TYPE} (array (mut i8)))"));
        let arrays = p.structs(w);
        p.arrays(w, &arrays);
        p.vectors(w);
        p.tables(w);
        p.methods(w);
    });
    w.line("  )\n)");
    w.finish()
}

/// Prints the types of one model.
struct Printer<'m> {
    model: &'m Model,
}

impl Printer<'_> {
    fn table_type(&self, id: TableId) -> String {
        format!("${}", self.model.table(id).name.dotted())
    }

    fn struct_type(&self, id: StructId) -> String {
        format!("${}", self.model.structure(id).name.dotted())
    }

    /// `$vec.` and the element's identity.
    fn vector_type(&self, id: VectorId) -> String {
        let identity = &self.model.vector(id).identity;
        let element = identity
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .unwrap_or(identity);
        format!("$vec.{}", wat_safe(element))
    }

    /// A union's reference: to any struct, or to anything comparable when a member is a
    /// string (an array).
    fn union_ref(&self, id: UnionId) -> &'static str {
        let string = self
            .model
            .union(id)
            .members
            .iter()
            .any(|m| m.target == UnionTarget::String);
        if string {
            "(ref null eq)"
        } else {
            "(ref null struct)"
        }
    }

    /// The name an array type takes after `$array.`: its element's scalar, or struct.
    fn inline_name(&self, element: Inline) -> String {
        match element {
            Inline::Struct { id } => self.model.structure(id).name.dotted(),
            other => other.scalar().map_or("", ScalarType::name).to_string(),
        }
    }

    fn inline_storage(&self, element: Inline) -> String {
        match element {
            Inline::Struct { id } => format!("(ref {})", self.struct_type(id)),
            other => other.scalar().map_or("", scalar_storage).to_string(),
        }
    }

    /// Every struct type; the array types their fields need, in order of first use.
    fn structs(&self, w: &mut Writer) -> Vec<Inline> {
        let mut arrays: Vec<Inline> = Vec::new();
        for (i, s) in self.model.structs.iter().enumerate() {
            w.line(format!(
                ";; struct {}: {} bytes, align {}, tag 0x{:08x}",
                s.name.dotted(),
                s.size,
                s.align,
                s.tag
            ));
            w.line(format!(
                "(type {} (struct",
                self.struct_type(StructId(i as u32))
            ));
            for f in &s.fields {
                let storage = match f.ty {
                    StructFieldType::Value {
                        value: Inline::Struct { id },
                    } => format!("(ref {})", self.struct_type(id)),
                    StructFieldType::Value { value } => self.inline_storage(value),
                    StructFieldType::Array { element, .. } => {
                        if !arrays.contains(&element) {
                            arrays.push(element);
                        }
                        format!("(ref $array.{})", self.inline_name(element))
                    }
                };
                w.line(format!("  (field ${} {storage})", f.name));
            }
            close(w, "))");
        }
        arrays
    }

    fn arrays(&self, w: &mut Writer, arrays: &[Inline]) {
        for &element in arrays {
            w.line(format!(
                "(type $array.{} (array {}))",
                self.inline_name(element),
                self.inline_storage(element)
            ));
        }
    }

    fn vectors(&self, w: &mut Writer) {
        for (i, v) in self.model.vectors.iter().enumerate() {
            let element = match v.element {
                VectorElement::Scalar { scalar } => format!("(mut {})", scalar_storage(scalar)),
                VectorElement::Struct { id } => format!("(ref {})", self.struct_type(id)),
                VectorElement::String => format!("(ref {STRING_TYPE})"),
                VectorElement::Table { id } => format!("(ref {})", self.table_type(id)),
                VectorElement::Union { id } => self.union_ref(id).to_string(),
            };
            w.line(format!(
                "(type {} (array {element}))",
                self.vector_type(VectorId(i as u32))
            ));
        }
    }

    fn tables(&self, w: &mut Writer) {
        for (i, t) in self.model.tables.iter().enumerate() {
            w.line(format!(
                ";; table {}: body {} bytes, tag 0x{:08x}",
                t.name.dotted(),
                t.body_size,
                t.tag
            ));
            w.line(format!(
                "(type {} (sub (struct",
                self.table_type(TableId(i as u32))
            ));
            for m in &t.members {
                let struct_presence = t
                    .fields
                    .get(m.field as usize)
                    .is_some_and(|f| matches!(f.kind, FieldKind::Struct { .. }));
                let storage = match (m.role, m.storage) {
                    // A struct's presence goes with the struct, which does not change in place.
                    (MemberRole::Presence, _) if struct_presence => "i8".into(),
                    (MemberRole::Presence, _) => "(mut i8)".into(),
                    (MemberRole::UnionType, MemberStorage::Scalar { scalar }) => {
                        scalar_storage(scalar).into()
                    }
                    (_, MemberStorage::Scalar { scalar }) => {
                        format!("(mut {})", scalar_storage(scalar))
                    }
                    (_, MemberStorage::Struct { id }) => {
                        format!("(ref null {})", self.struct_type(id))
                    }
                    (_, MemberStorage::String) => format!("(ref null {STRING_TYPE})"),
                    (_, MemberStorage::Table { id }) => {
                        format!("(ref null {})", self.table_type(id))
                    }
                    (_, MemberStorage::Vector { id }) => {
                        format!("(ref null {})", self.vector_type(id))
                    }
                    (_, MemberStorage::Union { id }) => self.union_ref(id).to_string(),
                };
                w.line(format!("  (field ${} {storage})", m.name));
            }
            close(w, ")))");
        }
    }

    fn methods(&self, w: &mut Writer) {
        for service in &self.model.services {
            for method in &service.methods {
                w.line(format!(
                    "(type $rpc.{}.{} (func (param (ref {})) (result (ref {}))))",
                    service.name.dotted(),
                    method.name,
                    self.table_type(method.request),
                    self.table_type(method.response)
                ));
            }
        }
    }
}

/// Closes a type's parentheses at the end of its last line (or of its opening line, when it
/// has no fields).
fn close(w: &mut Writer, parens: &str) {
    w.extend_last(parens);
}
