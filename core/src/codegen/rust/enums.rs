//! Enums: a transparent newtype over the underlying integer, so unknown values pass through.

use super::literals::{int_literal, scalar_type};
use super::names::{type_name, upper};
use super::{Printer, Writer};
use crate::schema::EnumId;

impl Printer<'_> {
    pub(super) fn enumeration(&self, id: EnumId) -> String {
        let e = self.model.enumeration(id);
        let name = type_name(&e.name.name);
        let under = scalar_type(e.underlying);
        let mut w = Writer::new();
        w.doc(&e.doc);
        w.line(format!(
            "/// `{}`: values a reader does not know pass through unchanged.",
            e.name.dotted()
        ));
        w.line(format!(
            "#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]\n#[repr(transparent)]\npub struct {name}(pub {under});\n"
        ));
        w.block(format!("impl {name}"), |w| {
            for v in &e.values {
                w.doc_or(&v.doc, &format!("`{}`.", v.name));
                w.line(format!(
                    "pub const {}: {name} = {name}({});",
                    upper(&v.name),
                    int_literal(e.underlying, v.value)
                ));
            }
            let list: Vec<String> = e
                .values
                .iter()
                .map(|v| format!("{name}::{}", upper(&v.name)))
                .collect();
            w.line("/// Every named value, in ascending order.");
            w.line(format!(
                "pub const VALUES: &'static [{name}] = &[{}];",
                list.join(", ")
            ));
            w.line("/// The name of this value as the schema writes it, if it has one.");
            w.block("pub fn name(self) -> Option<&'static str>", |w| {
                w.block("match self", |w| {
                    for v in &e.values {
                        w.line(format!("{name}::{} => Some({:?}),", upper(&v.name), v.name));
                    }
                    w.line("_ => None,");
                });
            });
            if e.bit_flags {
                flag_methods(w, &name, under);
            }
        });
        w.blank();
        if e.bit_flags {
            for (tr, op) in [("BitOr", "|"), ("BitAnd", "&"), ("BitXor", "^")] {
                w.line(format!(
                    "impl ::core::ops::{tr} for {name} {{\n    type Output = {name};\n    fn {}(self, other: {name}) -> {name} {{\n        {name}(self.0 {op} other.0)\n    }}\n}}\n",
                    tr.to_ascii_lowercase()
                ));
            }
        }
        newtype_traits(&mut w, &name, under);
        let size = e.underlying.size();
        w.line(format!(
            "impl rt::Scalar for {name} {{\n    const SIZE: usize = {size};\n    #[inline(always)]\n    fn read(bytes: &[u8], at: usize) -> Option<Self> {{\n        <{under} as rt::Scalar>::read(bytes, at).map({name})\n    }}\n    #[inline(always)]\n    fn write(self, bytes: &mut [u8], at: usize) -> bool {{\n        rt::Scalar::write(self.0, bytes, at)\n    }}\n    #[inline(always)]\n    unsafe fn read_unchecked(bytes: &[u8], at: usize) -> Self {{\n        // SAFETY: forwarded contract: the bytes are inside.\n        {name}(unsafe {{ <{under} as rt::Scalar>::read_unchecked(bytes, at) }})\n    }}\n}}\n"
        ));
        w.line(format!(
            "// SAFETY: reads its {size} bytes and follows nothing.\nunsafe impl<'a> rt::Element<'a> for {name} {{\n    const STRIDE: usize = {size};\n    #[inline(always)]\n    unsafe fn read(bytes: rt::Bytes<'a>, at: usize) -> Self {{\n        // SAFETY: forwarded contract: the slot is inside the bytes.\n        unsafe {{ <{name} as rt::Scalar>::read_unchecked(&bytes, at) }}\n    }}\n}}\n"
        ));
        w.finish()
    }
}

/// The methods of a `bit_flags` enum.
fn flag_methods(w: &mut Writer, name: &str, under: &str) {
    w.line(format!(
        "/// No flag set.\npub const fn empty() -> {name} {{\n    {name}(0)\n}}"
    ));
    w.line(format!(
        "/// Whether every flag of `other` is set here.\npub const fn contains(self, other: {name}) -> bool {{\n    self.0 & other.0 == other.0\n}}"
    ));
    w.line(format!(
        "/// The raw bits.\npub const fn bits(self) -> {under} {{\n    self.0\n}}"
    ));
}

/// `Debug` (by name, else the number) and `Pod` for a generated newtype over the integer
/// `under` (an enum, or a union's discriminant), which has a `name()` method.
pub(super) fn newtype_traits(w: &mut Writer, name: &str, under: &str) {
    w.line(format!(
        "impl ::core::fmt::Debug for {name} {{\n    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {{\n        match self.name() {{\n            Some(n) => f.write_str(n),\n            None => write!(f, \"{name}({{}})\", self.0),\n        }}\n    }}\n}}\n"
    ));
    w.line(format!(
        "// SAFETY: a transparent wrapper of `{under}`, which is plain data.\nunsafe impl rt::bytemuck::Zeroable for {name} {{}}\n// SAFETY: as above.\nunsafe impl rt::bytemuck::Pod for {name} {{}}\n"
    ));
}
