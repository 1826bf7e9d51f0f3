//! The WebAssembly GC type of every schema type, printed as one `rec` group in WAT.
//!
//! The mapping is one to one with the layout: GC struct field `i` of a table type is
//! [`super::TableLayout::members`]`[i]`, and field `i` of a struct type is
//! [`super::StructLayout::fields`]`[i]`. A host lifts a message into GC objects, and lowers them
//! back, by walking the two lists side by side.
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

use std::fmt::Write as _;

use super::{Inline, Layout, MemberRole, RefTarget, Storage, VectorId};
use crate::schema::{ScalarType, Schema, StructId, TableId, UnionId, UnionMemberType};

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

/// The WAT name of a table's type.
pub fn table_type_name(schema: &Schema, id: TableId) -> String {
    format!("${}", schema.table_def(id).info.name.dotted())
}

/// The WAT name of a struct's type.
pub fn struct_type_name(schema: &Schema, id: StructId) -> String {
    format!("${}", schema.struct_def(id).info.name.dotted())
}

/// The WAT name of a vector type: `$vec.` and the element's identity.
pub fn vector_type_name(layout: &Layout, id: VectorId) -> String {
    let identity = &layout.vector(id).identity;
    let element = identity
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(identity);
    format!("$vec.{}", wat_safe(element))
}

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

fn union_ref(schema: &Schema, id: UnionId) -> &'static str {
    let has_string = schema
        .union_def(id)
        .members
        .iter()
        .any(|m| m.ty == UnionMemberType::String);
    if has_string {
        "(ref null eq)"
    } else {
        "(ref null struct)"
    }
}

fn inline_name(schema: &Schema, element: Inline) -> String {
    match element {
        Inline::Scalar { scalar } => scalar.name().to_string(),
        Inline::Struct { id } => schema.struct_def(id).info.name.dotted(),
    }
}

fn inline_storage(schema: &Schema, element: Inline) -> String {
    match element {
        Inline::Scalar { scalar } => scalar_storage(scalar).to_string(),
        Inline::Struct { id } => format!("(ref {})", struct_type_name(schema, id)),
    }
}

/// The GC type a reference field or element holds; `nullable` is false for vector elements,
/// which are never null.
fn ref_type(schema: &Schema, layout: &Layout, target: RefTarget, nullable: bool) -> String {
    let null = if nullable { "null " } else { "" };
    match target {
        RefTarget::String => format!("(ref {null}{STRING_TYPE})"),
        RefTarget::Table(id) => format!("(ref {null}{})", table_type_name(schema, id)),
        RefTarget::Vector(id) => format!("(ref {null}{})", vector_type_name(layout, id)),
        RefTarget::Union(id) => union_ref(schema, id).to_string(),
    }
}

/// Prints the whole schema as a WAT module holding one `rec` group. A validator with the GC
/// proposal enabled accepts it.
pub fn wat(schema: &Schema, layout: &Layout) -> String {
    let mut out = String::from("(module\n  (rec\n");
    let _ = writeln!(out, "    (type {STRING_TYPE} (array (mut i8)))");
    let mut arrays: Vec<Inline> = Vec::new();
    for (i, s) in layout.structs.iter().enumerate() {
        let id = StructId(i as u32);
        let _ = writeln!(
            out,
            "    ;; struct {}: {} bytes, align {}, tag 0x{:08x}",
            s.name, s.size, s.align, s.tag
        );
        let _ = write!(out, "    (type {} (struct", struct_type_name(schema, id));
        for f in &s.fields {
            let storage = match f.storage {
                Storage::Scalar { scalar } => scalar_storage(scalar).to_string(),
                Storage::Struct { id } => format!("(ref {})", struct_type_name(schema, id)),
                Storage::Array { element, .. } => {
                    if !arrays.contains(&element) {
                        arrays.push(element);
                    }
                    format!("(ref $array.{})", inline_name(schema, element))
                }
                Storage::Ref { target } => ref_type(schema, layout, target, true),
            };
            let _ = write!(out, "\n      (field ${} {storage})", f.name);
        }
        out.push_str("))\n");
    }
    for element in arrays {
        let _ = writeln!(
            out,
            "    (type $array.{} (array {}))",
            inline_name(schema, element),
            inline_storage(schema, element)
        );
    }
    for (i, v) in layout.vectors.iter().enumerate() {
        let element = match v.element {
            Storage::Scalar { scalar } => format!("(mut {})", scalar_storage(scalar)),
            Storage::Struct { id } => format!("(ref {})", struct_type_name(schema, id)),
            Storage::Ref { target } => ref_type(
                schema,
                layout,
                target,
                matches!(target, RefTarget::Union(_)),
            ),
            Storage::Array { element, .. } => inline_storage(schema, element),
        };
        let _ = writeln!(
            out,
            "    (type {} (array {element}))",
            vector_type_name(layout, VectorId(i as u32))
        );
    }
    for (i, t) in layout.tables.iter().enumerate() {
        let id = TableId(i as u32);
        let _ = writeln!(
            out,
            "    ;; table {}: body {} bytes, tag 0x{:08x}",
            t.name, t.body_size, t.tag
        );
        let _ = write!(
            out,
            "    (type {} (sub (struct",
            table_type_name(schema, id)
        );
        for m in &t.members {
            let storage = match (m.role, m.storage) {
                (MemberRole::Presence, _) => {
                    let def = schema.table_def(id);
                    let is_struct = def
                        .fields
                        .get(m.field as usize)
                        .is_some_and(|f| matches!(f.ty.base(), crate::schema::BaseType::Struct(_)));
                    if is_struct {
                        "i8".into()
                    } else {
                        "(mut i8)".into()
                    }
                }
                (MemberRole::UnionType, Storage::Scalar { scalar }) => {
                    scalar_storage(scalar).into()
                }
                (_, Storage::Scalar { scalar }) => format!("(mut {})", scalar_storage(scalar)),
                (_, Storage::Struct { id }) => {
                    format!("(ref null {})", struct_type_name(schema, id))
                }
                (_, Storage::Ref { target }) => ref_type(schema, layout, target, true),
                (_, Storage::Array { element, .. }) => inline_storage(schema, element),
            };
            let _ = write!(out, "\n      (field ${} {storage})", m.name);
        }
        out.push_str(")))\n");
    }
    for service in &schema.services {
        for method in &service.methods {
            let _ = writeln!(
                out,
                "    (type $rpc.{}.{} (func (param (ref {})) (result (ref {}))))",
                service.info.name.dotted(),
                method.name,
                table_type_name(schema, method.request),
                table_type_name(schema, method.response)
            );
        }
    }
    out.push_str("  )\n)\n");
    out
}
