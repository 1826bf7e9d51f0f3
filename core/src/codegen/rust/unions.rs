//! Unions: the discriminant, the view enum, the owned enum.

use std::fmt::Write;

use super::*;

/// Discriminant `raw` (its bits, zero-extended) as a literal of the union's type `under`:
/// `-1` for the bits `0xff` of a `byte` union.
pub(super) fn discriminant_literal(under: ScalarType, raw: u64) -> String {
    if under.is_unsigned() {
        return raw.to_string();
    }
    let shift = 64 - under.size() * 8;
    (((raw << shift) as i64) >> shift).to_string()
}

/// An expression of `u64`: the bits of `expr`, a value of the union's type `under`.
pub(super) fn discriminant_bits(under: ScalarType, expr: &str) -> String {
    match under {
        ScalarType::ULong => expr.to_string(),
        ScalarType::Byte => format!("u64::from({expr} as u8)"),
        ScalarType::Short => format!("u64::from({expr} as u16)"),
        ScalarType::Int => format!("u64::from({expr} as u32)"),
        ScalarType::Long => format!("{expr} as u64"),
        _ => format!("u64::from({expr})"),
    }
}

/// An expression of the union's type `under`: the discriminant bits `expr` (a `u64`).
fn from_bits(under: ScalarType, expr: &str) -> String {
    match under {
        ScalarType::ULong => expr.to_string(),
        _ => format!("{expr} as {}", scalar_type(under)),
    }
}

/// The `discriminant()` method of a union's view or owned enum `of`, whose discriminant
/// type is `name`.
pub(super) fn discriminant_method(
    name: &str,
    of: &str,
    members: &[crate::schema::UnionMember],
) -> String {
    let mut o = format!(
        "    /// Its discriminant.\n    pub fn discriminant(&self) -> {name} {{\n        match self {{\n            {of}::NONE => {name}::NONE,\n"
    );
    for m in members {
        let _ = writeln!(
            o,
            "            {of}::{}(_) => {name}::{},",
            type_name(&m.name),
            upper(&m.name)
        );
    }
    let _ = writeln!(
        o,
        "            {of}::Unknown(d) => {name}(*d),\n        }}\n    }}"
    );
    o
}

impl Gen<'_> {
    /// The lifetime parameters of union `id`'s view: `<'a>`, or none when every member is a
    /// struct (read by value, so the view borrows nothing).
    pub(super) fn union_ref_params(&self, id: UnionId) -> &'static str {
        let members = &self.schema.union_def(id).members;
        if members
            .iter()
            .all(|m| matches!(m.ty, UnionMemberType::Struct(_)))
        {
            ""
        } else {
            "<'a>"
        }
    }

    pub(super) fn union(&self, id: UnionId) -> String {
        let def = self.schema.union_def(id);
        let ul = self.layout.union_layout(id);
        let ns = &def.info.name.namespace;
        let name = type_name(&def.info.name.name);
        let under = def.underlying;
        let ty = scalar_type(under);
        let literal = |raw| discriminant_literal(under, raw);
        let params = self.union_ref_params(id);
        let mut o = doc(&def.info.doc);
        // The discriminant.
        let _ = writeln!(
            o,
            "/// The discriminant of union `{}` (0 is NONE).\n#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]\n#[repr(transparent)]\npub struct {name}(pub {ty});\n",
            def.info.name.dotted()
        );
        let _ = writeln!(
            o,
            "impl {name} {{\n    /// No value.\n    pub const NONE: {name} = {name}(0);"
        );
        for m in &def.members {
            let _ = writeln!(
                o,
                "    /// Member `{0}`.\n    pub const {0}: {name} = {name}({1});",
                upper(&m.name),
                literal(m.value)
            );
        }
        let _ = writeln!(
            o,
            "    /// The member's name, if this schema knows it.\n    pub fn name(self) -> Option<&'static str> {{\n        match self.0 {{\n            0 => Some(\"NONE\"),"
        );
        for m in &def.members {
            let _ = writeln!(o, "            {} => Some({:?}),", literal(m.value), m.name);
        }
        let _ = writeln!(o, "            _ => None,\n        }}\n    }}\n}}\n");
        o.push_str(&newtype_traits(&name, ty));
        // The view.
        let _ = writeln!(
            o,
            "/// A value of union `{}`, read in place.\n#[derive(Clone, Copy, Debug)]\npub enum {name}Ref{params} {{\n    /// No value.\n    NONE,",
            def.info.name.dotted()
        );
        for m in &def.members {
            let ty = match m.ty {
                UnionMemberType::Table(t) => self.name_of_table(ns, t, "<'a>"),
                UnionMemberType::Struct(s) => self.name_of_struct(ns, s),
                UnionMemberType::String => "&'a str".into(),
            };
            o.push_str(&indent(
                &doc_or(&m.doc, &format!("Member `{}`.", m.name)),
                1,
            ));
            let _ = writeln!(o, "    {}({ty}),", type_name(&m.name));
        }
        let _ = writeln!(
            o,
            "    /// A member this schema does not know (a newer writer's): its discriminant.\n    Unknown({ty}),\n}}\n"
        );
        let _ = writeln!(
            o,
            "impl<'a> rt::UnionRead<'a> for {name}Ref{params} {{\n    const DISCRIMINANT_SIZE: usize = {};\n    #[inline(always)]\n    unsafe fn read(bytes: rt::Bytes<'a>, discriminant: u64, object: Option<usize>) -> Self {{\n        let Some(object) = object else {{\n            return {name}Ref::NONE;\n        }};\n        match discriminant {{",
            under.size()
        );
        for m in &def.members {
            let read = match m.ty {
                // SAFETY comments: the verifier checked the object for this discriminant.
                UnionMemberType::Table(_) => "unsafe { rt::table_at(bytes, object) }".to_string(),
                UnionMemberType::Struct(_) => "rt::boxed_struct_at(&bytes, object)".to_string(),
                UnionMemberType::String => "unsafe { rt::string_at(bytes, object) }".to_string(),
            };
            let _ = writeln!(
                o,
                "            // SAFETY: the verifier checked the object as this member's type.\n            {} => {name}Ref::{}({read}),",
                m.value,
                type_name(&m.name)
            );
        }
        let _ = writeln!(
            o,
            "            0 => {name}Ref::NONE,\n            d => {name}Ref::Unknown({}),\n        }}\n    }}\n}}\n",
            from_bits(under, "d")
        );
        let _ = writeln!(o, "impl{params} {name}Ref{params} {{");
        o.push_str(&discriminant_method(
            &name,
            &format!("{name}Ref"),
            &def.members,
        ));
        // Verifier of one member.
        let _ = writeln!(
            o,
            "    /// Checks the object at `at` as the member `discriminant` names.\n    #[doc(hidden)]\n    pub fn check(c: &mut rt::Checker<'_>, discriminant: u64, at: usize, type_at: usize) -> Result<(), rt::VerifyError> {{\n        match discriminant {{\n            0 => Err(rt::Checker::bad_union(type_at, 0, \"(NONE) comes with a non-null reference\")),"
        );
        for (m, ml) in def.members.iter().zip(&ul.members) {
            let check = match m.ty {
                UnionMemberType::Table(t) => format!(
                    "<{} as rt::Check>::check(c, at)",
                    self.name_of_table(ns, t, "<'_>")
                ),
                UnionMemberType::String => {
                    format!("c.string(at, 0x{:08x})", self.layout.string_tag)
                }
                UnionMemberType::Struct(s) => {
                    let sl = self.layout.struct_layout(s);
                    format!(
                        "c.boxed_struct(at, (0x{:08x}, {:?}), {}, {})",
                        ml.tag, sl.name, sl.size, sl.align
                    )
                }
            };
            let _ = writeln!(o, "            {} => {check},", m.value);
        }
        let _ = writeln!(
            o,
            "            _ => c.unknown_member(at),\n        }}\n    }}"
        );
        // Unpack.
        let _ = writeln!(
            o,
            "    /// The value as plain Rust data.\n    pub fn unpack(&self) -> {name}T {{\n        match self {{\n            {name}Ref::NONE => {name}T::NONE,"
        );
        for m in &def.members {
            let v = match m.ty {
                UnionMemberType::Table(_) => "Box::new(v.unpack())",
                UnionMemberType::Struct(_) => "*v",
                UnionMemberType::String => "(*v).to_string()",
            };
            let _ = writeln!(
                o,
                "            {name}Ref::{n}(v) => {name}T::{n}({v}),",
                n = type_name(&m.name)
            );
        }
        let _ = writeln!(
            o,
            "            {name}Ref::Unknown(d) => {name}T::Unknown(*d),\n        }}\n    }}\n}}\n"
        );
        // Owned.
        let _ = writeln!(
            o,
            "/// A value of union `{}` as plain Rust data.\n#[derive(Clone, Debug, PartialEq, Default)]\npub enum {name}T {{\n    /// No value.\n    #[default]\n    NONE,",
            def.info.name.dotted()
        );
        for m in &def.members {
            let ty = match m.ty {
                UnionMemberType::Table(t) => format!("Box<{}>", self.name_of_table(ns, t, "T")),
                UnionMemberType::Struct(s) => self.name_of_struct(ns, s),
                UnionMemberType::String => "String".into(),
            };
            let _ = writeln!(
                o,
                "    /// Member `{0}`.\n    {0}({ty}),",
                type_name(&m.name)
            );
        }
        let _ = writeln!(
            o,
            "    /// A member this schema does not know: it cannot be written.\n    Unknown({ty}),\n}}\n"
        );
        let _ = writeln!(o, "impl {name}T {{");
        o.push_str(&discriminant_method(
            &name,
            &format!("{name}T"),
            &def.members,
        ));
        o.push('\n');
        // Writing one element of a vector of unions.
        let _ = writeln!(
            o,
            "    /// Writes this value as the next element of a vector of unions.\n    #[doc(hidden)]\n    pub fn write_element(&self, v: &mut rt::build::UnionVector<'_, '_>) -> Result<(), rt::BuildError> {{\n        match self {{\n            {name}T::NONE => v.push_none(),"
        );
        for (m, ml) in def.members.iter().zip(&ul.members) {
            let n = type_name(&m.name);
            let line = match m.ty {
                UnionMemberType::Table(t) => format!(
                    "{name}T::{n}(t) => {{\n                let mut b = v.push_table::<{}>()?;\n                t.write(&mut b)\n            }}",
                    self.name_of_table(ns, t, "Builder<'_, '_>")
                ),
                UnionMemberType::Struct(s) => {
                    let sl = self.layout.struct_layout(s);
                    format!(
                        "{name}T::{n}(s) => v.push_struct((0x{:08x}, {}), s),",
                        ml.tag, sl.align
                    )
                }
                UnionMemberType::String => {
                    format!(
                        "{name}T::{n}(s) => v.push_string(0x{:08x}, s),",
                        self.layout.string_tag
                    )
                }
            };
            let _ = writeln!(o, "            {line}");
        }
        let _ = writeln!(
            o,
            "            {name}T::Unknown(d) => Err(rt::BuildError::UnknownUnionMember {{ path: {:?}.into(), discriminant: {} }}),\n        }}\n    }}\n}}\n",
            def.info.name.name,
            discriminant_bits(under, "*d")
        );
        o
    }
}
