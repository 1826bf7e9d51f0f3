//! Structs: `#[repr(C)]` plain data whose layout is asserted against the model's.

use super::literals::scalar_type;
use super::names::{member, type_name};
use super::{Printer, Writer};
use crate::codegen::model::{Inline, Struct, StructFieldType};
use crate::schema::StructId;

/// One field as the printed struct holds it: its Rust name, stored type and read type.
struct Printed {
    name: String,
    stored: String,
    read: String,
    is_bool: bool,
}

impl Printer<'_> {
    /// The Rust type of an inline value, as stored (`bool` as `u8` when `bool_as_byte`).
    pub(super) fn inline_type(&self, from: &[String], value: Inline) -> String {
        match value {
            Inline::Bool => "bool".into(),
            Inline::Scalar { scalar } => scalar_type(scalar).into(),
            Inline::Enum { id, .. } => self.enum_path(from, id),
            Inline::Struct { id } => self.struct_path(from, id),
        }
    }

    /// How a struct field is stored in the `#[repr(C)]` struct, and how it is read.
    fn struct_field_types(&self, from: &[String], ty: StructFieldType) -> (String, String) {
        match ty {
            StructFieldType::Value {
                value: Inline::Bool,
            } => ("u8".into(), "bool".into()),
            StructFieldType::Array {
                element: Inline::Bool,
                len,
                ..
            } => (format!("[u8; {len}]"), format!("[u8; {len}]")),
            StructFieldType::Array { element, len, .. } => {
                let t = format!("[{}; {len}]", self.inline_type(from, element));
                (t.clone(), t)
            }
            StructFieldType::Value { value } => {
                let t = self.inline_type(from, value);
                (t.clone(), t)
            }
        }
    }

    pub(super) fn structure(&self, id: StructId) -> String {
        let s = self.model.structure(id);
        let name = type_name(&s.name.name);
        let mut w = Writer::new();
        w.doc(&s.doc);
        w.line(format!(
            "/// `{}`: {} bytes, aligned to {}, laid out as in the message (plain data).",
            s.name.dotted(),
            s.size,
            s.align
        ));
        let fields = self.struct_declaration(&mut w, s, &name);
        w.block_then("const _: () =", ";\n", |w| {
            w.line(format!(
                "assert!(::core::mem::size_of::<{name}>() == {});\nassert!(::core::mem::align_of::<{name}>() == {});",
                s.size, s.align
            ));
            for (f, printed) in s.fields.iter().zip(&fields) {
                w.line(format!(
                    "assert!(::core::mem::offset_of!({name}, {}) == {});",
                    printed.name, f.offset
                ));
            }
        });
        w.line(format!(
            "// SAFETY: `repr(C)`, every field plain data, padding spelled out as fields (the sizes\n// and offsets above are asserted against the layout), so no byte is uninitialized.\nunsafe impl rt::bytemuck::Zeroable for {name} {{}}\n// SAFETY: as above; every bit pattern of every field is valid.\nunsafe impl rt::bytemuck::Pod for {name} {{}}\n"
        ));
        let runs: Vec<String> = s
            .padding
            .iter()
            .map(|(o, l)| format!("({o}, {l})"))
            .collect();
        w.line(format!(
            "impl rt::build::Struct for {name} {{\n    const PADDING: &'static [(u32, u32)] = &[{}];\n}}\n",
            runs.join(", ")
        ));
        w.block(format!("impl {name}"), |w| {
            struct_new(w, &name, &fields);
            for (f, printed) in s.fields.iter().zip(&fields) {
                w.doc_or(&f.doc, &format!("`{}`.", f.name));
                struct_accessors(w, &f.name, printed);
            }
        });
        w.blank();
        w.line(format!(
            "impl Default for {name} {{\n    fn default() -> Self {{\n        rt::bytemuck::Zeroable::zeroed()\n    }}\n}}\n"
        ));
        w.line(format!(
            "impl ::core::fmt::Debug for {name} {{\n    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {{\n        f.debug_struct({:?})",
            s.name.name
        ));
        for (f, printed) in s.fields.iter().zip(&fields) {
            w.line(format!(
                "            .field({:?}, &self.{}())",
                f.name, printed.name
            ));
        }
        w.line("            .finish()\n    }\n}\n");
        w.line(format!(
            "// SAFETY: reads its {size} bytes by value and follows nothing.\nunsafe impl<'a> rt::Element<'a> for {name} {{\n    const STRIDE: usize = {size};\n    #[inline(always)]\n    unsafe fn read(bytes: rt::Bytes<'a>, at: usize) -> Self {{\n        // SAFETY: forwarded contract: the slot is inside the bytes.\n        unsafe {{ rt::struct_element(&bytes, at) }}\n    }}\n}}\n",
            size = s.size
        ));
        w.finish()
    }

    /// The `#[repr(C)]` declaration, padding spelled out as fields; the fields as printed.
    fn struct_declaration(&self, w: &mut Writer, s: &Struct, name: &str) -> Vec<Printed> {
        let ns = &s.name.namespace;
        let repr = if s.align > s.natural_align {
            format!("#[repr(C, align({}))]", s.align)
        } else {
            "#[repr(C)]".into()
        };
        w.line(format!("{repr}\n#[derive(Clone, Copy, PartialEq)]"));
        let mut printed = Vec::new();
        w.block(format!("pub struct {name}"), |w| {
            let mut pads = 0;
            for f in &s.fields {
                if f.padding_before > 0 {
                    w.line(format!("_pad{pads}: [u8; {}],", f.padding_before));
                    pads += 1;
                }
                let (stored, read) = self.struct_field_types(ns, f.ty);
                let field = member(&f.name);
                w.line(format!("{field}: {stored},"));
                printed.push(Printed {
                    name: field,
                    stored,
                    read,
                    is_bool: f.ty
                        == StructFieldType::Value {
                            value: Inline::Bool,
                        },
                });
            }
            if s.padding_after > 0 {
                w.line(format!("_pad{pads}: [u8; {}],", s.padding_after));
            }
        });
        w.blank();
        printed
    }
}

/// `new`, from every field's value.
fn struct_new(w: &mut Writer, name: &str, fields: &[Printed]) {
    let params: Vec<String> = fields
        .iter()
        .map(|f| format!("{}: {}", f.name, f.read))
        .collect();
    w.line(format!("/// A `{name}` from its fields' values."));
    w.line("#[allow(clippy::too_many_arguments)]");
    w.block(format!("pub fn new({}) -> Self", params.join(", ")), |w| {
        w.line(format!(
            "let mut s: {name} = rt::bytemuck::Zeroable::zeroed();"
        ));
        for f in fields {
            let value = if f.is_bool {
                format!("u8::from({})", f.name)
            } else {
                f.name.clone()
            };
            w.line(format!("s.{} = {value};", f.name));
        }
        w.line("s");
    });
}

/// A field's getter and setter.
fn struct_accessors(w: &mut Writer, schema_name: &str, f: &Printed) {
    let field = &f.name;
    let read = &f.read;
    let _ = &f.stored;
    let get = if f.is_bool {
        format!("self.{field} != 0")
    } else {
        format!("self.{field}")
    };
    w.line(format!(
        "#[inline(always)]\npub fn {field}(&self) -> {read} {{\n    {get}\n}}"
    ));
    let set = if f.is_bool {
        "u8::from(value)"
    } else {
        "value"
    };
    w.line(format!(
        "/// Sets `{schema_name}`.\n#[inline(always)]\npub fn set_{}(&mut self, value: {read}) {{\n    self.{field} = {set};\n}}",
        field.trim_end_matches('_')
    ));
}
