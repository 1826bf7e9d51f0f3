//! Structs: `#[repr(C)]` plain data whose layout is asserted against the `Layout`.

use std::fmt::Write;

use super::*;

impl Gen<'_> {
    /// How a struct field is stored in the `#[repr(C)]` struct, and how it is read.
    pub(super) fn struct_field_type(&self, from: &[String], ty: Type) -> (String, String) {
        match ty {
            Type::Base(BaseType::Scalar(ScalarType::Bool)) => ("u8".into(), "bool".into()),
            Type::Array(BaseType::Scalar(ScalarType::Bool), n) => {
                (format!("[u8; {n}]"), format!("[u8; {n}]"))
            }
            Type::Array(b, n) => {
                let t = self.plain_type(from, b);
                (format!("[{t}; {n}]"), format!("[{t}; {n}]"))
            }
            Type::Base(b) => {
                let t = self.plain_type(from, b);
                (t.clone(), t)
            }
            Type::Vector(_) => ("u8".into(), "u8".into()),
        }
    }

    pub(super) fn structure(&self, id: StructId) -> String {
        let def = self.schema.struct_def(id);
        let sl = self.layout.struct_layout(id);
        let ns = &def.info.name.namespace;
        let name = type_name(&def.info.name.name);
        let natural = sl.fields.iter().map(|f| f.align).max().unwrap_or(1);
        let mut o = doc(&def.info.doc);
        let _ = writeln!(
            o,
            "/// `{}`: {} bytes, aligned to {}, laid out as in the message (plain data).",
            def.info.name.dotted(),
            sl.size,
            sl.align
        );
        let repr = if sl.align > natural {
            format!("#[repr(C, align({}))]", sl.align)
        } else {
            "#[repr(C)]".into()
        };
        let _ = writeln!(
            o,
            "{repr}\n#[derive(Clone, Copy, PartialEq)]\npub struct {name} {{"
        );
        let mut pads = 0;
        let mut fields = Vec::new();
        for (f, fl) in def.fields.iter().zip(&sl.fields) {
            if fl.padding_before > 0 {
                let _ = writeln!(o, "    _pad{pads}: [u8; {}],", fl.padding_before);
                pads += 1;
            }
            let (stored, read) = self.struct_field_type(ns, f.ty);
            let field = member(&f.name);
            let _ = writeln!(o, "    {field}: {stored},");
            fields.push((f, fl, field, stored, read));
        }
        if sl.padding_after > 0 {
            let _ = writeln!(o, "    _pad{pads}: [u8; {}],", sl.padding_after);
            pads += 1;
        }
        let _ = writeln!(o, "}}\n");
        // Layout assertions: the Rust compiler's layout is the Layout's, byte for byte.
        let _ = writeln!(o, "const _: () = {{");
        let _ = writeln!(
            o,
            "    assert!(::core::mem::size_of::<{name}>() == {});\n    assert!(::core::mem::align_of::<{name}>() == {});",
            sl.size, sl.align
        );
        for (_, fl, field, _, _) in &fields {
            let _ = writeln!(
                o,
                "    assert!(::core::mem::offset_of!({name}, {field}) == {});",
                fl.offset
            );
        }
        let _ = writeln!(o, "}};\n");
        let _ = writeln!(
            o,
            "// SAFETY: `repr(C)`, every field plain data, padding spelled out as fields (the sizes\n// and offsets above are asserted against the layout), so no byte is uninitialized.\nunsafe impl rt::bytemuck::Zeroable for {name} {{}}\n// SAFETY: as above; every bit pattern of every field is valid.\nunsafe impl rt::bytemuck::Pod for {name} {{}}\n"
        );
        let mut padding = Vec::new();
        self.padding_runs(id, 0, &mut padding);
        let runs: Vec<String> = padding.iter().map(|(o, l)| format!("({o}, {l})")).collect();
        let _ = writeln!(
            o,
            "impl rt::build::Struct for {name} {{\n    const PADDING: &'static [(u32, u32)] = &[{}];\n}}\n",
            runs.join(", ")
        );
        let _ = writeln!(o, "impl {name} {{");
        let params: Vec<String> = fields
            .iter()
            .map(|(_, _, field, _, read)| format!("{field}: {read}"))
            .collect();
        let _ = writeln!(o, "    /// A `{name}` from its fields' values.");
        let _ = writeln!(o, "    #[allow(clippy::too_many_arguments)]");
        let _ = writeln!(o, "    pub fn new({}) -> Self {{", params.join(", "));
        let _ = writeln!(
            o,
            "        let mut s: {name} = rt::bytemuck::Zeroable::zeroed();"
        );
        for (f, _, field, _, _) in &fields {
            let value = if f.ty == Type::Base(BaseType::Scalar(ScalarType::Bool)) {
                format!("u8::from({field})")
            } else {
                field.clone()
            };
            let _ = writeln!(o, "        s.{field} = {value};");
        }
        let _ = writeln!(o, "        s\n    }}");
        for (f, _, field, _, read) in &fields {
            o.push_str(&indent(&doc_or(&f.doc, &format!("`{}`.", f.name)), 1));
            let is_bool = f.ty == Type::Base(BaseType::Scalar(ScalarType::Bool));
            let get = if is_bool {
                format!("self.{field} != 0")
            } else {
                format!("self.{field}")
            };
            let getter = field.clone();
            let _ = writeln!(
                o,
                "    #[inline(always)]\n    pub fn {getter}(&self) -> {read} {{\n        {get}\n    }}"
            );
            let set = if is_bool {
                "u8::from(value)".to_string()
            } else {
                "value".into()
            };
            let _ = writeln!(
                o,
                "    /// Sets `{}`.\n    #[inline(always)]\n    pub fn set_{}(&mut self, value: {read}) {{\n        self.{field} = {set};\n    }}",
                f.name,
                field.trim_end_matches('_')
            );
        }
        let _ = writeln!(o, "}}\n");
        let _ = writeln!(
            o,
            "impl Default for {name} {{\n    fn default() -> Self {{\n        rt::bytemuck::Zeroable::zeroed()\n    }}\n}}\n"
        );
        let _ = writeln!(
            o,
            "impl ::core::fmt::Debug for {name} {{\n    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {{\n        f.debug_struct({:?})",
            def.info.name.name
        );
        for (f, _, field, _, _) in &fields {
            let _ = writeln!(o, "            .field({:?}, &self.{field}())", f.name);
        }
        let _ = writeln!(o, "            .finish()\n    }}\n}}\n");
        let _ = writeln!(
            o,
            "// SAFETY: reads {size} bytes by value, bounds-checked, and follows nothing.\nunsafe impl<'a> rt::Element<'a> for {name} {{\n    const STRIDE: usize = {size};\n    #[inline(always)]\n    unsafe fn read(bytes: rt::Bytes<'a>, at: usize) -> Self {{\n        rt::struct_element(&bytes, at)\n    }}\n}}\n",
            size = sl.size
        );
        let _ = pads;
        o
    }

    /// The padding of struct `id` placed at `base`, nested structs and arrays included,
    /// as `(offset, length)` runs, adjacent runs merged.
    pub(super) fn padding_runs(&self, id: StructId, base: u32, out: &mut Vec<(u32, u32)>) {
        let sl = self.layout.struct_layout(id);
        let push = |at: u32, len: u32, out: &mut Vec<(u32, u32)>| {
            if len == 0 {
                return;
            }
            match out.last_mut() {
                Some(last) if last.0 + last.1 == at => last.1 += len,
                _ => out.push((at, len)),
            }
        };
        for f in &sl.fields {
            push(base + f.offset - f.padding_before, f.padding_before, out);
            match f.storage {
                Storage::Struct { id: inner } => self.padding_runs(inner, base + f.offset, out),
                Storage::Array {
                    element: crate::layout::Inline::Struct { id: inner },
                    len,
                    stride,
                } => {
                    for i in 0..len {
                        self.padding_runs(inner, base + f.offset + i * stride, out);
                    }
                }
                _ => {}
            }
        }
        push(base + sl.size - sl.padding_after, sl.padding_after, out);
    }
}
