//! Tables: the view, its verifier's entry, the builder, the owned type, the in-place view.

use std::fmt::Write;

use super::*;

/// A field of an owned type, `ty` typed, and its value in `Default`.
pub(super) fn owned_field(
    fields: &mut String,
    defaults: &mut String,
    m: &str,
    ty: &str,
    default: &str,
) {
    let _ = writeln!(fields, "    /// `{m}`.\n    pub {m}: {ty},");
    let _ = writeln!(defaults, "            {m}: {default},");
}

impl Gen<'_> {
    pub(super) fn table(&self, id: TableId) -> String {
        let def = self.schema.table_def(id);
        let tl = self.layout.table(id);
        let ns = &def.info.name.namespace;
        let name = type_name(&def.info.name.name);
        let fid = self.layout.file_identifier;
        let mut view = String::new();
        let mut check = String::new();
        let mut debug = String::new();
        let mut builder = String::new();
        let mut owned_fields = String::new();
        let mut owned_default = String::new();
        let mut unpack = String::new();
        let mut write = String::new();
        let mut muts = String::new();
        let mut defaults = String::new();
        for (index, (f, fl)) in def.fields.iter().zip(&tl.fields).enumerate() {
            let value = self.member_of(tl, fl.value_member);
            let off = value.offset;
            let end = fl.present_if_body_at_least;
            let kind = self.kind(id, index);
            // The verifier checks deprecated fields too: their bytes are still there.
            self.check_field(&mut check, id, index, &kind);
            if let Kind::Scalar { ty, default } = &kind {
                let is_zero = matches!(fl.default, DefaultValue::Integer(0) | DefaultValue::None)
                    || matches!(fl.default, DefaultValue::Float(v) if v == 0.0 && v.is_sign_positive());
                if !is_zero {
                    let _ = writeln!(
                        defaults,
                        "        rt::build::put::<{ty}>(b, body + {off}, {default});"
                    );
                }
            }
            if f.deprecated {
                continue;
            }
            let m = member(&f.name);
            let bare = m.trim_end_matches('_').to_string();
            view.push_str(&indent(
                &doc_or(&f.doc, &format!("`{}`: `{}`.", f.name, fl.type_name)),
                1,
            ));
            match &kind {
                Kind::Scalar { ty, default } => {
                    let _ = writeln!(
                        view,
                        "    #[inline(always)]\n    pub fn {m}(&self) -> {ty} {{\n        self.t.scalar({off}, {end}, {default})\n    }}"
                    );
                    let _ = writeln!(
                        builder,
                        "    /// Sets `{}`.\n    #[inline]\n    pub fn {m}(&mut self, value: {ty}) -> &mut Self {{\n        rt::build::put(self.b, self.object.body() + {off}, value);\n        self\n    }}",
                        f.name
                    );
                    owned_field(&mut owned_fields, &mut owned_default, &m, ty, default);
                    let _ = writeln!(unpack, "            {m}: self.{m}(),");
                    let _ = writeln!(write, "        b.{m}(self.{m});");
                    let _ = writeln!(
                        muts,
                        "    /// Sets `{}` in place; `false` when this object predates the field.\n    pub fn set_{bare}(&mut self, value: {ty}) -> bool {{\n        self.t.set({off}, {end}, value)\n    }}\n    /// Reads `{}`.\n    pub fn {m}(&self) -> {ty} {{\n        self.t.scalar({off}, {end}, {default})\n    }}",
                        f.name, f.name
                    );
                }
                Kind::Optional { ty } => {
                    let p = self.member_of(tl, fl.presence_member.unwrap_or(0)).offset;
                    let _ = writeln!(
                        view,
                        "    #[inline(always)]\n    pub fn {m}(&self) -> Option<{ty}> {{\n        self.t.optional({p}, {off}, {end})\n    }}"
                    );
                    let _ = writeln!(
                        builder,
                        "    /// Sets `{}`.\n    #[inline]\n    pub fn {m}(&mut self, value: {ty}) -> &mut Self {{\n        let body = self.object.body();\n        rt::build::put(self.b, body + {off}, value);\n        rt::build::put(self.b, body + {p}, 1u8);\n        self\n    }}",
                        f.name
                    );
                    owned_field(
                        &mut owned_fields,
                        &mut owned_default,
                        &m,
                        &format!("Option<{ty}>"),
                        "None",
                    );
                    let _ = writeln!(unpack, "            {m}: self.{m}(),");
                    let _ = writeln!(
                        write,
                        "        if let Some(v) = self.{m} {{\n            b.{m}(v);\n        }}"
                    );
                    let _ = writeln!(
                        muts,
                        "    /// Sets or clears `{}` in place; `false` when this object predates the field.\n    pub fn set_{bare}(&mut self, value: Option<{ty}>) -> bool {{\n        self.t.set_optional({p}, {off}, {end}, value)\n    }}",
                        f.name
                    );
                }
                Kind::Struct { ty, required } => {
                    let p = fl.presence_member.map(|p| self.member_of(tl, p).offset);
                    let p_arg = p.map_or("None".to_string(), |p| format!("Some({p})"));
                    if *required {
                        let _ = writeln!(
                            view,
                            "    #[inline(always)]\n    pub fn {m}(&self) -> {ty} {{\n        self.t.structure({p_arg}, {off}, {end}).unwrap_or_default()\n    }}"
                        );
                        let _ = writeln!(unpack, "            {m}: Some(self.{m}()),");
                    } else {
                        let _ = writeln!(
                            view,
                            "    #[inline(always)]\n    pub fn {m}(&self) -> Option<{ty}> {{\n        self.t.structure({p_arg}, {off}, {end})\n    }}"
                        );
                        let _ = writeln!(unpack, "            {m}: self.{m}(),");
                    }
                    let set_p = p.map_or(String::new(), |p| {
                        format!("\n        rt::build::put(self.b, body + {p}, 1u8);")
                    });
                    let _ = writeln!(
                        builder,
                        "    /// Sets `{}`.\n    #[inline]\n    pub fn {m}(&mut self, value: &{ty}) -> &mut Self {{\n        let body = self.object.body();\n        rt::build::put_struct(self.b, body + {off}, value);{set_p}\n        self\n    }}",
                        f.name
                    );
                    owned_field(
                        &mut owned_fields,
                        &mut owned_default,
                        &m,
                        &format!("Option<{ty}>"),
                        "None",
                    );
                    let missing = self.missing_if(*required, &def.info.name, &f.name);
                    let _ = writeln!(
                        write,
                        "        if let Some(v) = &self.{m} {{\n            b.{m}(v);\n        }}{missing}"
                    );
                    let _ = writeln!(
                        muts,
                        "    /// Overwrites `{}` in place; `false` when it is not set.\n    pub fn set_{bare}(&mut self, value: &{ty}) -> bool {{\n        self.t.set_struct({p_arg}, {off}, {end}, value)\n    }}",
                        f.name
                    );
                }
                Kind::String { required } => {
                    if *required {
                        let _ = writeln!(
                            view,
                            "    #[inline(always)]\n    pub fn {m}(&self) -> &'a str {{\n        // SAFETY: a verified table of this type; the offset is a string member's.\n        unsafe {{ self.t.string({off}, {end}) }}.unwrap_or_default()\n    }}"
                        );
                        let _ = writeln!(unpack, "            {m}: Some(self.{m}().to_string()),");
                    } else {
                        let _ = writeln!(
                            view,
                            "    #[inline(always)]\n    pub fn {m}(&self) -> Option<&'a str> {{\n        // SAFETY: a verified table of this type; the offset is a string member's.\n        unsafe {{ self.t.string({off}, {end}) }}\n    }}"
                        );
                        let _ =
                            writeln!(unpack, "            {m}: self.{m}().map(str::to_string),");
                    }
                    let _ = writeln!(
                        builder,
                        "    /// Writes `{}`.\n    pub fn {m}(&mut self, value: &str) -> Result<&mut Self, rt::BuildError> {{\n        let s = rt::build::string(self.b, 0x{:08x}, value)?;\n        self.b.set_ref(self.object.body() + {off}, s);\n        Ok(self)\n    }}",
                        f.name, self.layout.string_tag
                    );
                    owned_field(
                        &mut owned_fields,
                        &mut owned_default,
                        &m,
                        "Option<String>",
                        "None",
                    );
                    let missing = self.missing_if(*required, &def.info.name, &f.name);
                    let _ = writeln!(
                        write,
                        "        if let Some(v) = &self.{m} {{\n            b.{m}(v)?;\n        }}{missing}"
                    );
                }
                Kind::Table {
                    view: v,
                    owned,
                    builder: bl,
                    ..
                } => {
                    let _ = writeln!(
                        view,
                        "    #[inline(always)]\n    pub fn {m}(&self) -> Option<{v}> {{\n        // SAFETY: a verified table of this type; the offset is a table member's.\n        unsafe {{ self.t.table({off}, {end}) }}.map(<{v} as rt::TableElement<'a>>::from_table)\n    }}"
                    );
                    let _ = writeln!(
                        builder,
                        "    /// Starts `{}`: the table is written now, its fields through the builder returned.\n    pub fn {m}(&mut self) -> Result<{bl}<'_, 'buf>, rt::BuildError> {{\n        rt::build::child(self.b, self.object.body() + {off})\n    }}",
                        f.name
                    );
                    owned_field(
                        &mut owned_fields,
                        &mut owned_default,
                        &m,
                        &format!("Option<Box<{owned}>>"),
                        "None",
                    );
                    let _ = writeln!(
                        unpack,
                        "            {m}: self.{m}().map(|t| Box::new(t.unpack())),"
                    );
                    let missing =
                        self.missing_if(f.presence == Presence::Required, &def.info.name, &f.name);
                    let _ = writeln!(
                        write,
                        "        if let Some(v) = &self.{m} {{\n            v.write(&mut b.{m}()?)?;\n        }}{missing}"
                    );
                    let mv = v.replace("<'a>", "Mut<'_>");
                    let _ = writeln!(
                        muts,
                        "    /// `{}`, to change in place.\n    pub fn {bare}_mut(&mut self) -> Option<{mv}> {{\n        self.t.table({off}, {end}).map({})\n    }}",
                        f.name,
                        v.replace("<'a>", "Mut::from_table")
                    );
                }
                Kind::Vector(vk) => {
                    let (tag, _, stride, align) = self.vector_tag(tl, fl.value_member);
                    let _ = stride;
                    let required = f.presence == Presence::Required;
                    let (elem, owned_elem, unpack_elem) = match vk {
                        VectorKind::Plain { element, .. } => (
                            element.clone(),
                            element.clone(),
                            "v.iter().collect()".to_string(),
                        ),
                        VectorKind::Strings => (
                            "&'a str".into(),
                            "String".into(),
                            "v.iter().map(str::to_string).collect()".into(),
                        ),
                        VectorKind::Tables {
                            view: tv, owned, ..
                        } => (
                            tv.clone(),
                            owned.clone(),
                            "v.iter().map(|t| t.unpack()).collect()".into(),
                        ),
                    };
                    let get = format!(
                        "// SAFETY: a verified table of this type; the offset is a `[{}]` member's.\n        unsafe {{ self.t.vector::<{elem}>({off}, {end}) }}",
                        self.schema.base_type_name(f.ty.base())
                    );
                    if let Some(nested) = f.nested_flatbuffer {
                        // A nested message unpacks to its canonical bytes, as the dynamic
                        // reader reads it as a value; bytes that do not verify stay as they are.
                        let _ = nested;
                        let _ = writeln!(
                            view,
                            "    #[inline(always)]\n    pub fn {m}(&self) -> Option<rt::Vector<'a, {elem}>> {{\n        {get}\n    }}"
                        );
                        let _ = writeln!(
                            unpack,
                            "            {m}: self.{m}().map(|v| match self.{bare}_nested() {{\n                Some(Ok(n)) => n.unpack().pack().unwrap_or_else(|_| v.iter().collect()),\n                _ => v.iter().collect(),\n            }}),"
                        );
                    } else if required {
                        let _ = writeln!(
                            view,
                            "    #[inline(always)]\n    pub fn {m}(&self) -> rt::Vector<'a, {elem}> {{\n        {get}.unwrap_or_default()\n    }}"
                        );
                        let _ = writeln!(
                            unpack,
                            "            {m}: Some({{ let v = self.{m}(); {unpack_elem} }}),"
                        );
                    } else {
                        let _ = writeln!(
                            view,
                            "    #[inline(always)]\n    pub fn {m}(&self) -> Option<rt::Vector<'a, {elem}>> {{\n        {get}\n    }}"
                        );
                        let _ = writeln!(
                            unpack,
                            "            {m}: self.{m}().map(|v| {unpack_elem}),"
                        );
                    }
                    owned_field(
                        &mut owned_fields,
                        &mut owned_default,
                        &m,
                        &format!("Option<Vec<{owned_elem}>>"),
                        "None",
                    );
                    let missing = self.missing_if(required, &def.info.name, &f.name);
                    match vk {
                        VectorKind::Plain {
                            element,
                            pod,
                            is_struct,
                        } => {
                            let call = if *is_struct {
                                format!("rt::build::structs(self.b, 0x{tag:08x}, {align}, value)?")
                            } else {
                                format!("rt::build::scalars(self.b, 0x{tag:08x}, value)?")
                            };
                            let _ = writeln!(
                                builder,
                                "    /// Writes `{}`.\n    pub fn {m}(&mut self, value: &[{element}]) -> Result<&mut Self, rt::BuildError> {{\n        let v = {call};\n        self.b.set_ref(self.object.body() + {off}, v);\n        Ok(self)\n    }}",
                                f.name
                            );
                            if element == "u8" {
                                let _ = writeln!(
                                    builder,
                                    "    /// Makes room for `{}`'s `len` bytes and gives them to be written in place (all of them: they hold zeros, or in a slot what an earlier message left there).\n    pub fn {bare}_in_place(&mut self, len: usize) -> Result<&mut [u8], rt::BuildError> {{\n        rt::build::bytes_in_place(self.b, 0x{tag:08x}, len, self.object.body() + {off})\n    }}",
                                    f.name
                                );
                            }
                            if *is_struct {
                                let _ = writeln!(
                                    builder,
                                    "    /// Writes `{}` from `count` structs an iterator makes, each written once, in place.\n    pub fn {bare}_from_iter(&mut self, count: usize, items: impl IntoIterator<Item = {element}>) -> Result<&mut Self, rt::BuildError> {{\n        let v = rt::build::structs_from_iter(self.b, (0x{tag:08x}, {align}), count, items)?;\n        self.b.set_ref(self.object.body() + {off}, v);\n        Ok(self)\n    }}",
                                    f.name
                                );
                            }
                            if let Some(nested) = f.nested_flatbuffer {
                                let nv = self.name_of_table(ns, nested, "<'a>");
                                let _ = writeln!(
                                    view,
                                    "    /// `{}` verified and read as the nested message it holds.\n    pub fn {bare}_nested(&self) -> Option<Result<{nv}, rt::VerifyError>> {{\n        self.{m}().map(|v| rt::root_in(v.body(), &rt::Limits::default()))\n    }}",
                                    f.name
                                );
                                let nc = self.name_of_table(ns, nested, "<'_>");
                                let _ = writeln!(
                                    write,
                                    "        if let Some(v) = &self.{m} {{\n            rt::check_root::<{nc}>(v, &rt::Limits::default()).map_err(|e| rt::BuildError::Value {{ path: {:?}.into(), message: format!(\"nested message: {{e}}\") }})?;\n            b.{m}(v)?;\n        }}{missing}",
                                    format!("{}.{}", def.info.name.name, f.name)
                                );
                            } else {
                                let _ = writeln!(
                                    write,
                                    "        if let Some(v) = &self.{m} {{\n            b.{m}(v)?;\n        }}{missing}"
                                );
                            }
                            if *pod {
                                let _ = writeln!(
                                    muts,
                                    "    /// `{}`, to change its elements in place.\n    pub fn {bare}_mut(&mut self) -> Option<rt::VectorMut<'_, {element}>> {{\n        self.t.vector({off}, {end})\n    }}",
                                    f.name
                                );
                            }
                        }
                        VectorKind::Strings => {
                            let _ = writeln!(
                                builder,
                                "    /// Writes `{}`: the vector, then each string.\n    pub fn {m}<S: AsRef<str>>(&mut self, value: &[S]) -> Result<&mut Self, rt::BuildError> {{\n        let v = rt::build::strings(self.b, (0x{tag:08x}, 0x{:08x}), value)?;\n        self.b.set_ref(self.object.body() + {off}, v);\n        Ok(self)\n    }}",
                                f.name, self.layout.string_tag
                            );
                            let _ = writeln!(
                                write,
                                "        if let Some(v) = &self.{m} {{\n            b.{m}(v)?;\n        }}{missing}"
                            );
                        }
                        VectorKind::Tables {
                            view: tv,
                            builder: bl,
                            ..
                        } => {
                            let _ = writeln!(
                                builder,
                                "    /// Starts `{}` with room for `count` tables, pushed in order.\n    pub fn {m}(&mut self, count: usize) -> Result<rt::build::TableVector<'_, 'buf>, rt::BuildError> {{\n        rt::build::TableVector::new(self.b, 0x{tag:08x}, count, self.object.body() + {off})\n    }}",
                                f.name
                            );
                            let _ = writeln!(
                                write,
                                "        if let Some(v) = &self.{m} {{\n            let mut tables = b.{m}(v.len())?;\n            for t in v {{\n                t.write(&mut tables.push::<{bl}<'_, '_>>()?)?;\n            }}\n        }}{missing}"
                            );
                            let mt = tv.replace("<'a>", "Mut");
                            let _ = writeln!(
                                muts,
                                "    /// Element `index` of `{}`, to change in place.\n    pub fn {bare}_mut(&mut self, index: usize) -> Option<{mt}<'_>> {{\n        self.t.tables({off}, {end})?.into_get(index).map({mt}::from_table)\n    }}",
                                f.name
                            );
                        }
                    }
                }
                Kind::Union { id: u } => {
                    let un = self.name_of_union(ns, *u, "");
                    let tp = self.member_of(tl, fl.union_type_member.unwrap_or(0)).offset;
                    let under = self.schema.union_def(*u).underlying;
                    let dty = scalar_type(under);
                    let put = |raw| format!("{}{dty}", unions::discriminant_literal(under, raw));
                    let _ = writeln!(
                        view,
                        "    #[inline(always)]\n    pub fn {m}(&self) -> {un}Ref{} {{\n        // SAFETY: a verified table of this type; the offsets are a union member's.\n        unsafe {{ self.t.union({tp}, {off}, {end}) }}\n    }}",
                        self.union_ref_params(*u)
                    );
                    let _ = writeln!(
                        view,
                        "    /// The discriminant of `{}`.\n    #[inline(always)]\n    pub fn {bare}_type(&self) -> {un} {{\n        {un}(self.t.scalar({tp}, {end}, 0{dty}))\n    }}",
                        f.name
                    );
                    owned_field(
                        &mut owned_fields,
                        &mut owned_default,
                        &m,
                        &format!("{un}T"),
                        &format!("{un}T::NONE"),
                    );
                    let _ = writeln!(unpack, "            {m}: self.{m}().unpack(),");
                    let ud = self.schema.union_def(*u);
                    let ul = self.layout.union_layout(*u);
                    let mut arms = String::new();
                    for (um, uml) in ud.members.iter().zip(&ul.members) {
                        let mm = format!("{bare}_{}", snake(&um.name));
                        let n = type_name(&um.name);
                        match um.ty {
                            UnionMemberType::Table(t) => {
                                let bl = self.name_of_table(ns, t, "Builder");
                                let _ = writeln!(
                                    builder,
                                    "    /// Sets `{}` to a `{}` table, written now; fill it through the builder returned.\n    pub fn {mm}(&mut self) -> Result<{bl}<'_, 'buf>, rt::BuildError> {{\n        let body = self.object.body();\n        rt::build::put(self.b, body + {tp}, {});\n        rt::build::child(self.b, body + {off})\n    }}",
                                    f.name,
                                    um.name,
                                    put(um.value)
                                );
                                let _ = writeln!(
                                    arms,
                                    "            {un}T::{n}(t) => t.write(&mut b.{mm}()?)?,"
                                );
                            }
                            UnionMemberType::Struct(s) => {
                                let sn = self.name_of_struct(ns, s);
                                let sl = self.layout.struct_layout(s);
                                let _ = writeln!(
                                    builder,
                                    "    /// Sets `{}` to a `{}` struct.\n    pub fn {mm}(&mut self, value: &{sn}) -> Result<&mut Self, rt::BuildError> {{\n        let body = self.object.body();\n        rt::build::put(self.b, body + {tp}, {});\n        let s = rt::build::boxed_struct(self.b, (0x{:08x}, {}), value)?;\n        self.b.set_ref(body + {off}, s);\n        Ok(self)\n    }}",
                                    f.name,
                                    um.name,
                                    put(um.value),
                                    uml.tag,
                                    sl.align
                                );
                                let _ = writeln!(
                                    arms,
                                    "            {un}T::{n}(s) => {{\n                b.{mm}(s)?;\n            }}"
                                );
                            }
                            UnionMemberType::String => {
                                let _ = writeln!(
                                    builder,
                                    "    /// Sets `{}` to a string.\n    pub fn {mm}(&mut self, value: &str) -> Result<&mut Self, rt::BuildError> {{\n        let body = self.object.body();\n        rt::build::put(self.b, body + {tp}, {});\n        let s = rt::build::string(self.b, 0x{:08x}, value)?;\n        self.b.set_ref(body + {off}, s);\n        Ok(self)\n    }}",
                                    f.name,
                                    put(um.value),
                                    self.layout.string_tag
                                );
                                let _ = writeln!(
                                    arms,
                                    "            {un}T::{n}(s) => {{\n                b.{mm}(s)?;\n            }}"
                                );
                            }
                        }
                    }
                    let _ = writeln!(
                        write,
                        "        match &self.{m} {{\n            {un}T::NONE => {{}}\n{arms}            {un}T::Unknown(d) => {{\n                return Err(rt::BuildError::UnknownUnionMember {{ path: {:?}.into(), discriminant: {} }});\n            }}\n        }}",
                        format!("{}.{}", def.info.name.name, f.name),
                        unions::discriminant_bits(under, "*d")
                    );
                }
                Kind::UnionVector { id: u } => {
                    let un = self.name_of_union(ns, *u, "");
                    let tm = fl.union_type_member.unwrap_or(0);
                    let tp = self.member_of(tl, tm).offset;
                    let (types_tag, ..) = self.vector_tag(tl, tm);
                    let (values_tag, ..) = self.vector_tag(tl, fl.value_member);
                    let _ = writeln!(
                        view,
                        "    #[inline(always)]\n    pub fn {m}(&self) -> Option<rt::UnionVector<'a, {un}Ref{}>> {{\n        // SAFETY: a verified table of this type; the offsets are a vector of unions' members.\n        unsafe {{ self.t.union_vector({tp}, {off}, {end}) }}\n    }}",
                        self.union_ref_params(*u)
                    );
                    let _ = writeln!(
                        builder,
                        "    /// Starts `{}`: its discriminants are written now, then each element is pushed in order.\n    pub fn {m}(&mut self, discriminants: &[{un}]) -> Result<rt::build::UnionVector<'_, 'buf>, rt::BuildError> {{\n        let body = self.object.body();\n        rt::build::UnionVector::new(self.b, (0x{types_tag:08x}, 0x{values_tag:08x}), discriminants, (body + {tp}, body + {off}))\n    }}",
                        f.name
                    );
                    owned_field(
                        &mut owned_fields,
                        &mut owned_default,
                        &m,
                        &format!("Option<Vec<{un}T>>"),
                        "None",
                    );
                    let _ = writeln!(
                        unpack,
                        "            {m}: self.{m}().map(|v| v.iter().map(|u| u.unpack()).collect()),"
                    );
                    let missing =
                        self.missing_if(f.presence == Presence::Required, &def.info.name, &f.name);
                    let _ = writeln!(
                        write,
                        "        if let Some(v) = &self.{m} {{\n            let discriminants: Vec<{un}> = v.iter().map({un}T::discriminant).collect();\n            let mut values = b.{m}(&discriminants)?;\n            for u in v {{\n                u.write_element(&mut values)?;\n            }}\n        }}{missing}"
                    );
                }
            }
            let _ = writeln!(debug, "            .field({:?}, &self.{m}())", f.name);
        }
        let mut o = doc(&def.info.doc);
        let _ = writeln!(
            o,
            "/// A `{}` read in place from a verified message. `Copy`: pass it by value.\n#[derive(Clone, Copy)]\npub struct {name}<'a> {{\n    t: rt::Table<'a>,\n}}\n",
            def.info.name.dotted()
        );
        let _ = writeln!(o, "impl<'a> {name}<'a> {{");
        let _ = writeln!(
            o,
            "    /// The type tag of its objects.\n    pub const TAG: u32 = 0x{:08x};",
            tl.tag
        );
        let _ = writeln!(
            o,
            "    /// Verifies `bytes` as a message whose root is a `{name}`, then views it.\n    pub fn root(bytes: &'a [u8]) -> Result<Self, rt::VerifyError> {{\n        rt::root(bytes)\n    }}"
        );
        let _ = writeln!(
            o,
            "    /// The table underneath.\n    pub fn as_table(&self) -> rt::Table<'a> {{\n        self.t\n    }}"
        );
        o.push_str(&view);
        let _ = writeln!(
            o,
            "    /// A copy of everything as plain Rust data.\n    pub fn unpack(&self) -> {name}T {{\n        {name}T {{\n{unpack}        }}\n    }}\n}}\n"
        );
        // Debug.
        let _ = writeln!(
            o,
            "impl ::core::fmt::Debug for {name}<'_> {{\n    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {{\n        f.debug_struct({:?})\n{debug}            .finish()\n    }}\n}}\n",
            def.info.name.name
        );
        // Element, TableElement, Check.
        let _ = writeln!(
            o,
            "impl<'a> rt::TableElement<'a> for {name}<'a> {{\n    #[inline(always)]\n    unsafe fn from_object(bytes: rt::Bytes<'a>, object: usize) -> Self {{\n        // SAFETY: forwarded contract: a verified `{name}` object.\n        {name} {{ t: unsafe {{ rt::Table::new(bytes, object) }} }}\n    }}\n    #[inline(always)]\n    fn from_table(t: rt::Table<'a>) -> Self {{\n        {name} {{ t }}\n    }}\n}}\n"
        );
        let _ = writeln!(
            o,
            "// SAFETY: follows the slot's reference to a table, which the verifier checked as a `{name}`\n// because the caller's vector is a verified vector of them.\nunsafe impl<'a> rt::Element<'a> for {name}<'a> {{\n    const STRIDE: usize = 4;\n    #[inline(always)]\n    unsafe fn read(bytes: rt::Bytes<'a>, at: usize) -> Self {{\n        // SAFETY: forwarded contract.\n        unsafe {{ rt::table_element(bytes, at) }}\n    }}\n}}\n"
        );
        let _ = writeln!(
            o,
            "impl rt::Check for {name}<'_> {{\n    const TAG: u32 = 0x{:08x};\n    const NAME: &'static str = {:?};\n    const SHORT_NAME: &'static str = {:?};\n    const FILE_IDENTIFIER: [u8; 4] = {fid:?};\n    fn check(c: &mut rt::Checker<'_>, at: usize) -> Result<(), rt::VerifyError> {{\n        let Some(size) = c.table(at, (0x{:08x}, {:?}), {})? else {{\n            return Ok(());\n        }};\n        let body = at + 8;\n        let _ = (body, size);\n{check}        c.leave(at);\n        Ok(())\n    }}\n}}\n",
            tl.tag, tl.name, def.info.name.name, tl.tag, tl.name, tl.body_align
        );
        // Builder.
        let _ = writeln!(
            o,
            "/// Writes a `{name}` front to back: the table first, then what its fields refer to.\npub struct {name}Builder<'b, 'buf> {{\n    b: &'b mut rt::Builder<'buf>,\n    object: rt::ObjectRef,\n}}\n"
        );
        let _ = writeln!(
            o,
            "impl<'c, 'buf: 'c> rt::build::TableBuild<'c, 'buf> for {name}Builder<'c, 'buf> {{\n    fn alloc(b: &mut rt::Builder<'buf>) -> Result<rt::ObjectRef, rt::BuildError> {{\n        let object = rt::build::table(b, 0x{:08x}, {}, {})?;\n        let body = object.body();\n        let _ = body;\n{defaults}        Ok(object)\n    }}\n    fn resume(b: &'c mut rt::Builder<'buf>, object: rt::ObjectRef) -> Self {{\n        {name}Builder {{ b, object }}\n    }}\n}}\n",
            tl.tag, tl.body_size, tl.body_align
        );
        let _ = writeln!(
            o,
            "impl<'b, 'buf> {name}Builder<'b, 'buf> {{\n    /// Starts a `{name}` as the next object of `b` (the root, when `b` is empty).\n    pub fn new(b: &'b mut rt::Builder<'buf>) -> Result<Self, rt::BuildError> {{\n        let object = <Self as rt::build::TableBuild<'b, 'buf>>::alloc(b)?;\n        Ok({name}Builder {{ b, object }})\n    }}\n    /// The object being written.\n    pub fn object(&self) -> rt::ObjectRef {{\n        self.object\n    }}\n    /// Finishes the message with this table as its root.\n    pub fn finish(self) -> Result<&'b [u8], rt::BuildError> {{\n        self.b.finish(self.object, 0x{:08x}, {fid:?})\n    }}",
            tl.tag
        );
        o.push_str(&builder);
        let _ = writeln!(o, "}}\n");
        // Owned.
        let _ = writeln!(
            o,
            "/// A `{}` as plain Rust data.\n#[derive(Clone, Debug, PartialEq)]\npub struct {name}T {{\n{owned_fields}}}\n",
            def.info.name.dotted()
        );
        let _ = writeln!(
            o,
            "#[allow(clippy::derivable_impls)]\nimpl Default for {name}T {{\n    fn default() -> Self {{\n        {name}T {{\n{owned_default}        }}\n    }}\n}}\n\nimpl rt::Family for {name}T {{\n    type View<'a> = {name}<'a>;\n}}\n"
        );
        let _ = writeln!(
            o,
            "impl {name}T {{\n    /// Writes this value as a complete message with a `{name}` root.\n    pub fn pack(&self) -> Result<Vec<u8>, rt::BuildError> {{\n        let mut b = rt::Builder::new();\n        self.pack_into(&mut b)?;\n        Ok(b.into_vec())\n    }}\n    /// Writes this value as a complete message into `b` (a growable buffer or a caller's slice).\n    pub fn pack_into(&self, b: &mut rt::Builder<'_>) -> Result<(), rt::BuildError> {{\n        let mut root = {name}Builder::new(b)?;\n        self.write(&mut root)?;\n        root.finish().map(|_| ())\n    }}\n    /// Writes the fields through a builder, in canonical order.\n    pub fn write(&self, b: &mut {name}Builder<'_, '_>) -> Result<(), rt::BuildError> {{\n        let _ = &b;\n{write}        Ok(())\n    }}\n}}\n"
        );
        // Mut.
        let _ = writeln!(
            o,
            "/// A `{name}` to change in place (scalars, optional scalars, structs, elements).\npub struct {name}Mut<'a> {{\n    t: rt::TableMut<'a>,\n}}\n"
        );
        let _ = writeln!(
            o,
            "impl<'a> {name}Mut<'a> {{\n    /// Verifies `bytes` as a message whose root is a `{name}`, then gives it to change.\n    pub fn root(bytes: &'a mut [u8]) -> Result<Self, rt::VerifyError> {{\n        rt::root_mut::<{name}<'static>>(bytes).map(|t| {name}Mut {{ t }})\n    }}\n    #[doc(hidden)]\n    pub fn from_table(t: rt::TableMut<'a>) -> Self {{\n        {name}Mut {{ t }}\n    }}\n{muts}}}\n"
        );
        o
    }

    /// The `else` of a required field's write: the error for its absence (nothing when the
    /// field is optional).
    pub(super) fn missing_if(&self, required: bool, table: &QualifiedName, field: &str) -> String {
        if required {
            self.missing(table, field)
        } else {
            String::new()
        }
    }

    pub(super) fn missing(&self, table: &QualifiedName, field: &str) -> String {
        format!(
            " else {{\n            return Err(rt::BuildError::Value {{ path: {:?}.into(), message: \"required field is missing\".into() }});\n        }}",
            format!("{}.{field}", table.name)
        )
    }
}
