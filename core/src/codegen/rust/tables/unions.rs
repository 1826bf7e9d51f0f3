//! The pieces of union fields and vectors of unions.

use super::super::Printer;
use super::super::literals::{discriminant_bits, discriminant_literal, scalar_type};
use super::super::names::{snake, type_name};
use super::{FieldCtx, Pieces};
use crate::codegen::model::{FieldKind, UnionTarget};
use crate::codegen::writer::plus;

impl Printer<'_> {
    pub(super) fn union_field(&self, f: &FieldCtx<'_>) -> Pieces {
        let FieldKind::Union {
            offset: off,
            discriminant: tp,
            id,
            ..
        } = f.field.kind
        else {
            return Pieces::default();
        };
        let (m, bare, end, name) = (&f.m, &f.bare, f.field.end, &f.field.name);
        let u = self.model.union(id);
        let un = self.union_path(f.ns, id, "");
        let dty = scalar_type(u.discriminant);
        let mut p = Pieces {
            view: format!(
                "    #[inline(always)]\n    pub fn {m}(&self) -> {un}Ref{} {{\n        // SAFETY: a verified table of this type; the offsets are a union member's.\n        unsafe {{ self.t.union({tp}, {off}, {end}) }}\n    }}\n    /// The discriminant of `{name}`.\n    #[inline(always)]\n    pub fn {bare}_type(&self) -> {un} {{\n        {un}(self.t.scalar({tp}, {end}, 0{dty}))\n    }}\n",
                self.union_ref_params(id)
            ),
            unpack: format!("            {m}: self.{m}().unpack(),\n"),
            owned: (format!("{un}T"), format!("{un}T::NONE")),
            ..Pieces::default()
        };
        let mut arms = String::new();
        for um in &u.members {
            let mm = format!("{bare}_{}", snake(&um.name));
            let n = type_name(&um.name);
            let put = format!(
                "rt::build::put(self.b, {}, {}{dty});",
                plus("body", tp),
                discriminant_literal(u.discriminant, um.discriminant)
            );
            let at = plus("body", off);
            match um.target {
                UnionTarget::Table { id } => {
                    p.builder.push_str(&format!(
                        "    /// Sets `{name}` to a `{}` table, written now; fill it through the builder returned.\n    pub fn {mm}(&mut self) -> Result<{}<'_, 'buf>, rt::BuildError> {{\n        let body = self.object.body();\n        {put}\n        rt::build::child(self.b, {at})\n    }}\n",
                        um.name,
                        self.table_path(f.ns, id, "Builder")
                    ));
                    arms.push_str(&format!(
                        "            {un}T::{n}(t) => t.write(&mut b.{mm}()?)?,\n"
                    ));
                }
                UnionTarget::Struct { id, align, .. } => {
                    p.builder.push_str(&format!(
                        "    /// Sets `{name}` to a `{}` struct.\n    pub fn {mm}(&mut self, value: &{}) -> Result<&mut Self, rt::BuildError> {{\n        let body = self.object.body();\n        {put}\n        let s = rt::build::boxed_struct(self.b, (0x{:08x}, {align}), value)?;\n        self.b.set_ref({at}, s);\n        Ok(self)\n    }}\n",
                        um.name,
                        self.struct_path(f.ns, id),
                        um.tag
                    ));
                    arms.push_str(&format!(
                        "            {un}T::{n}(s) => {{\n                b.{mm}(s)?;\n            }}\n"
                    ));
                }
                UnionTarget::String => {
                    p.builder.push_str(&format!(
                        "    /// Sets `{name}` to a string.\n    pub fn {mm}(&mut self, value: &str) -> Result<&mut Self, rt::BuildError> {{\n        let body = self.object.body();\n        {put}\n        let s = rt::build::string(self.b, value)?;\n        self.b.set_ref({at}, s);\n        Ok(self)\n    }}\n"
                    ));
                    arms.push_str(&format!(
                        "            {un}T::{n}(s) => {{\n                b.{mm}(s)?;\n            }}\n"
                    ));
                }
            }
        }
        p.write = format!(
            "        match &self.{m} {{\n            {un}T::NONE => {{}}\n{arms}            {un}T::Unknown(d) => {{\n                return Err(rt::BuildError::UnknownUnionMember {{ path: {:?}.into(), discriminant: {} }});\n            }}\n        }}\n",
            f.path(),
            discriminant_bits(u.discriminant, "*d")
        );
        p
    }

    pub(super) fn union_vector(&self, f: &FieldCtx<'_>) -> Pieces {
        let FieldKind::UnionVector {
            offset: off,
            discriminants: tp,
            id,
            types,
            values,
            required,
        } = f.field.kind
        else {
            return Pieces::default();
        };
        let (m, end, name) = (&f.m, f.field.end, &f.field.name);
        let un = self.union_path(f.ns, id, "");
        let (types_align, values_tag) = (
            self.model.vector(types).body_align,
            self.model.vector(values).tag,
        );
        Pieces {
            view: format!(
                "    #[inline(always)]\n    pub fn {m}(&self) -> Option<rt::UnionVector<'a, {un}Ref{}>> {{\n        // SAFETY: a verified table of this type; the offsets are a vector of unions' members.\n        unsafe {{ self.t.union_vector({tp}, {off}, {end}) }}\n    }}\n",
                self.union_ref_params(id)
            ),
            unpack: format!(
                "            {m}: self.{m}().map(|v| v.iter().map(|u| u.unpack()).collect()),\n"
            ),
            builder: format!(
                "    /// Starts `{name}`: its discriminants are written now, then each element is pushed in order.\n    pub fn {m}(&mut self, discriminants: &[{un}]) -> Result<rt::build::UnionVector<'_, 'buf>, rt::BuildError> {{\n        let body = self.object.body();\n        rt::build::UnionVector::new(self.b, ({types_align}, 0x{values_tag:08x}), discriminants, ({}, {}))\n    }}\n",
                plus("body", tp),
                plus("body", off)
            ),
            owned: (format!("Option<Vec<{un}T>>"), "None".into()),
            write: format!(
                "        if let Some(v) = &self.{m} {{\n            let discriminants: Vec<{un}> = v.iter().map({un}T::discriminant).collect();\n            let mut values = b.{m}(&discriminants)?;\n            for u in v {{\n                u.write_element(&mut values)?;\n            }}\n        }}{}\n",
                f.missing_if(required)
            ),
            change: String::new(),
        }
    }
}
