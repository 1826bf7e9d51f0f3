//! Enums: a transparent newtype over the underlying integer, so unknown values pass through.

use std::fmt::Write;

use super::*;

impl Gen<'_> {
    pub(super) fn enumeration(&self, id: EnumId) -> String {
        let e = self.schema.enum_def(id);
        let name = type_name(&e.info.name.name);
        let under = scalar_type(e.underlying);
        let mut o = String::new();
        o.push_str(&doc(&e.info.doc));
        let _ = writeln!(
            o,
            "/// `{}`: values a reader does not know pass through unchanged.",
            e.info.name.dotted()
        );
        let _ = writeln!(
            o,
            "#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]\n#[repr(transparent)]\npub struct {name}(pub {under});\n"
        );
        let _ = writeln!(o, "impl {name} {{");
        for v in &e.values {
            o.push_str(&indent(&doc_or(&v.doc, &format!("`{}`.", v.name)), 1));
            let _ = writeln!(
                o,
                "    pub const {}: {name} = {name}({});",
                upper(&v.name),
                int_literal(e.underlying, v.value)
            );
        }
        let _ = writeln!(o, "    /// Every named value, in ascending order.");
        let list: Vec<String> = e
            .values
            .iter()
            .map(|v| format!("{name}::{}", upper(&v.name)))
            .collect();
        let _ = writeln!(
            o,
            "    pub const VALUES: &'static [{name}] = &[{}];",
            list.join(", ")
        );
        let _ = writeln!(
            o,
            "    /// The name of this value as the schema writes it, if it has one."
        );
        let _ = writeln!(
            o,
            "    pub fn name(self) -> Option<&'static str> {{\n        match self {{"
        );
        for v in &e.values {
            let _ = writeln!(
                o,
                "            {name}::{} => Some({:?}),",
                upper(&v.name),
                v.name
            );
        }
        let _ = writeln!(o, "            _ => None,\n        }}\n    }}");
        if e.bit_flags {
            let _ = writeln!(
                o,
                "    /// No flag set.\n    pub const fn empty() -> {name} {{\n        {name}(0)\n    }}\n    \
                 /// Whether every flag of `other` is set here.\n    pub const fn contains(self, other: {name}) -> bool {{\n        self.0 & other.0 == other.0\n    }}\n    \
                 /// The raw bits.\n    pub const fn bits(self) -> {under} {{\n        self.0\n    }}"
            );
        }
        let _ = writeln!(o, "}}\n");
        if e.bit_flags {
            for (tr, op) in [("BitOr", "|"), ("BitAnd", "&"), ("BitXor", "^")] {
                let _ = writeln!(
                    o,
                    "impl ::core::ops::{tr} for {name} {{\n    type Output = {name};\n    fn {}(self, other: {name}) -> {name} {{\n        {name}(self.0 {op} other.0)\n    }}\n}}\n",
                    tr.to_ascii_lowercase()
                );
            }
        }
        o.push_str(&newtype_traits(&name, under));
        let _ = writeln!(
            o,
            "impl rt::Scalar for {name} {{\n    const SIZE: usize = {size};\n    #[inline(always)]\n    fn read(bytes: &[u8], at: usize) -> Option<Self> {{\n        <{under} as rt::Scalar>::read(bytes, at).map({name})\n    }}\n    #[inline(always)]\n    fn write(self, bytes: &mut [u8], at: usize) -> bool {{\n        rt::Scalar::write(self.0, bytes, at)\n    }}\n}}\n",
            size = e.underlying.size()
        );
        let _ = writeln!(
            o,
            "// SAFETY: reads {size} bytes, bounds-checked, and follows nothing.\nunsafe impl<'a> rt::Element<'a> for {name} {{\n    const STRIDE: usize = {size};\n    #[inline(always)]\n    unsafe fn read(bytes: rt::Bytes<'a>, at: usize) -> Self {{\n        rt::read_or(&bytes, at, {name}(0))\n    }}\n}}\n",
            size = e.underlying.size()
        );
        let _ = under;
        o
    }
}
