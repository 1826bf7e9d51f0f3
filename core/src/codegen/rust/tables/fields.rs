//! The pieces of scalar, struct, string, table and vector fields.

use super::super::Printer;
use super::{FieldCtx, Pieces};
use crate::codegen::model::{Element, FieldKind, Inline};
use crate::codegen::writer::plus;

/// `self.object.body() + offset`: where a builder writes a member.
pub(super) fn at_body(offset: u32) -> String {
    plus("self.object.body()", offset)
}

impl Printer<'_> {
    pub(super) fn scalar(&self, f: &FieldCtx<'_>) -> Pieces {
        let FieldKind::Scalar {
            offset: off,
            value,
            default,
        } = f.field.kind
        else {
            return Pieces::default();
        };
        let (m, bare, end, name) = (&f.m, &f.bare, f.field.end, &f.field.name);
        let ty = self.value_type(f.ns, value);
        let default = self.value_default(f.ns, value, default);
        Pieces {
            view: format!(
                "    #[inline(always)]\n    pub fn {m}(&self) -> {ty} {{\n        self.t.scalar({off}, {end}, {default})\n    }}\n"
            ),
            unpack: format!("            {m}: self.{m}(),\n"),
            builder: format!(
                "    /// Sets `{name}`.\n    #[inline]\n    pub fn {m}(&mut self, value: {ty}) -> &mut Self {{\n        rt::build::put(self.b, {}, value);\n        self\n    }}\n",
                at_body(off)
            ),
            owned: (ty.clone(), default.clone()),
            write: format!("        b.{m}(self.{m});\n"),
            change: format!(
                "    /// Sets `{name}` in place; `false` when this object predates the field.\n    pub fn set_{bare}(&mut self, value: {ty}) -> bool {{\n        self.t.set({off}, {end}, value)\n    }}\n    /// Reads `{name}`.\n    pub fn {m}(&self) -> {ty} {{\n        self.t.scalar({off}, {end}, {default})\n    }}\n"
            ),
        }
    }

    pub(super) fn optional(&self, f: &FieldCtx<'_>) -> Pieces {
        let FieldKind::Optional {
            offset: off,
            presence: p,
            value,
        } = f.field.kind
        else {
            return Pieces::default();
        };
        let (m, bare, end, name) = (&f.m, &f.bare, f.field.end, &f.field.name);
        let ty = self.value_type(f.ns, value);
        Pieces {
            view: format!(
                "    #[inline(always)]\n    pub fn {m}(&self) -> Option<{ty}> {{\n        self.t.optional({p}, {off}, {end})\n    }}\n"
            ),
            unpack: format!("            {m}: self.{m}(),\n"),
            builder: format!(
                "    /// Sets `{name}`.\n    #[inline]\n    pub fn {m}(&mut self, value: {ty}) -> &mut Self {{\n        let body = self.object.body();\n        rt::build::put(self.b, {}, value);\n        rt::build::put(self.b, {}, 1u8);\n        self\n    }}\n",
                plus("body", off),
                plus("body", p)
            ),
            owned: (format!("Option<{ty}>"), "None".into()),
            write: format!(
                "        if let Some(v) = self.{m} {{\n            b.{m}(v);\n        }}\n"
            ),
            change: format!(
                "    /// Sets or clears `{name}` in place; `false` when this object predates the field.\n    pub fn set_{bare}(&mut self, value: Option<{ty}>) -> bool {{\n        self.t.set_optional({p}, {off}, {end}, value)\n    }}\n"
            ),
        }
    }

    pub(super) fn struct_field(&self, f: &FieldCtx<'_>) -> Pieces {
        let FieldKind::Struct {
            offset: off,
            id,
            presence,
        } = f.field.kind
        else {
            return Pieces::default();
        };
        let (m, bare, end, name) = (&f.m, &f.bare, f.field.end, &f.field.name);
        let ty = self.struct_path(f.ns, id);
        let p_arg = presence.map_or("None".to_string(), |p| format!("Some({p})"));
        let (view, unpack) = match presence {
            None => (
                format!(
                    "    #[inline(always)]\n    pub fn {m}(&self) -> {ty} {{\n        self.t.structure({p_arg}, {off}, {end}).unwrap_or_default()\n    }}\n"
                ),
                format!("            {m}: Some(self.{m}()),\n"),
            ),
            Some(_) => (
                format!(
                    "    #[inline(always)]\n    pub fn {m}(&self) -> Option<{ty}> {{\n        self.t.structure({p_arg}, {off}, {end})\n    }}\n"
                ),
                format!("            {m}: self.{m}(),\n"),
            ),
        };
        let set_p = presence.map_or(String::new(), |p| {
            format!(
                "\n        rt::build::put(self.b, {}, 1u8);",
                plus("body", p)
            )
        });
        Pieces {
            view,
            unpack,
            builder: format!(
                "    /// Sets `{name}`.\n    #[inline]\n    pub fn {m}(&mut self, value: &{ty}) -> &mut Self {{\n        let body = self.object.body();\n        rt::build::put_struct(self.b, {}, value);{set_p}\n        self\n    }}\n",
                plus("body", off)
            ),
            owned: (format!("Option<{ty}>"), "None".into()),
            write: format!(
                "        if let Some(v) = &self.{m} {{\n            b.{m}(v);\n        }}{}\n",
                f.missing_if(presence.is_none())
            ),
            change: format!(
                "    /// Overwrites `{name}` in place; `false` when it is not set.\n    pub fn set_{bare}(&mut self, value: &{ty}) -> bool {{\n        self.t.set_struct({p_arg}, {off}, {end}, value)\n    }}\n"
            ),
        }
    }

    pub(super) fn string(&self, f: &FieldCtx<'_>) -> Pieces {
        let FieldKind::String {
            offset: off,
            required,
            ..
        } = f.field.kind
        else {
            return Pieces::default();
        };
        let (m, end, name) = (&f.m, f.field.end, &f.field.name);
        let (view, unpack) = if required {
            (
                format!(
                    "    #[inline(always)]\n    pub fn {m}(&self) -> &'a str {{\n        // SAFETY: a verified table of this type; the offset is a string member's.\n        unsafe {{ self.t.string({off}, {end}) }}.unwrap_or_default()\n    }}\n"
                ),
                format!("            {m}: Some(self.{m}().to_string()),\n"),
            )
        } else {
            (
                format!(
                    "    #[inline(always)]\n    pub fn {m}(&self) -> Option<&'a str> {{\n        // SAFETY: a verified table of this type; the offset is a string member's.\n        unsafe {{ self.t.string({off}, {end}) }}\n    }}\n"
                ),
                format!("            {m}: self.{m}().map(str::to_string),\n"),
            )
        };
        Pieces {
            view,
            unpack,
            builder: format!(
                "    /// Writes `{name}`.\n    pub fn {m}(&mut self, value: &str) -> Result<&mut Self, rt::BuildError> {{\n        let s = rt::build::string(self.b, value)?;\n        self.b.set_ref({}, s);\n        Ok(self)\n    }}\n",
                at_body(off)
            ),
            owned: ("Option<String>".into(), "None".into()),
            write: format!(
                "        if let Some(v) = &self.{m} {{\n            b.{m}(v)?;\n        }}{}\n",
                f.missing_if(required)
            ),
            change: String::new(),
        }
    }

    pub(super) fn table_field(&self, f: &FieldCtx<'_>) -> Pieces {
        let FieldKind::Table {
            offset: off,
            id,
            required,
        } = f.field.kind
        else {
            return Pieces::default();
        };
        let (m, bare, end, name) = (&f.m, &f.bare, f.field.end, &f.field.name);
        let v = self.table_path(f.ns, id, "<'a>");
        Pieces {
            view: format!(
                "    #[inline(always)]\n    pub fn {m}(&self) -> Option<{v}> {{\n        // SAFETY: a verified table of this type; the offset is a table member's.\n        unsafe {{ self.t.table({off}, {end}) }}.map(<{v} as rt::TableElement<'a>>::from_table)\n    }}\n"
            ),
            unpack: format!("            {m}: self.{m}().map(|t| Box::new(t.unpack())),\n"),
            builder: format!(
                "    /// Starts `{name}`: the table is written now, its fields through the builder returned.\n    pub fn {m}(&mut self) -> Result<{}<'_, 'buf>, rt::BuildError> {{\n        rt::build::child(self.b, {})\n    }}\n",
                self.table_path(f.ns, id, "Builder"),
                at_body(off)
            ),
            owned: (
                format!("Option<Box<{}>>", self.table_path(f.ns, id, "T")),
                "None".into(),
            ),
            write: format!(
                "        if let Some(v) = &self.{m} {{\n            v.write(&mut b.{m}()?)?;\n        }}{}\n",
                f.missing_if(required)
            ),
            change: format!(
                "    /// `{name}`, to change in place.\n    pub fn {bare}_mut(&mut self) -> Option<{}> {{\n        self.t.table({off}, {end}).map({})\n    }}\n",
                self.table_path(f.ns, id, "Mut<'_>"),
                self.table_path(f.ns, id, "Mut::from_table")
            ),
        }
    }

    pub(super) fn vector(&self, f: &FieldCtx<'_>) -> Pieces {
        let FieldKind::Vector {
            offset,
            element,
            required,
            nested,
            ..
        } = f.field.kind
        else {
            return Pieces::default();
        };
        let (m, end) = (&f.m, f.field.end);
        let (elem, owned_elem, unpack_elem) = match element {
            Element::Inline { value } => {
                let t = self.inline_type(f.ns, value);
                (t.clone(), t, "v.iter().collect()".to_string())
            }
            Element::String => (
                "&'a str".into(),
                "String".into(),
                "v.iter().map(str::to_string).collect()".into(),
            ),
            Element::Table { id } => (
                self.table_path(f.ns, id, "<'a>"),
                self.table_path(f.ns, id, "T"),
                "v.iter().map(|t| t.unpack()).collect()".into(),
            ),
        };
        let base = f
            .field
            .type_name
            .trim_start_matches('[')
            .trim_end_matches(']');
        let get = format!(
            "// SAFETY: a verified table of this type; the offset is a `[{base}]` member's.\n        unsafe {{ self.t.vector::<{elem}>({offset}, {end}) }}"
        );
        let (view, unpack) = if nested.is_some() {
            (
                format!(
                    "    #[inline(always)]\n    pub fn {m}(&self) -> Option<rt::Vector<'a, {elem}>> {{\n        {get}\n    }}\n"
                ),
                format!(
                    "            {m}: self.{m}().map(|v| match self.{}_nested() {{\n                Some(Ok(n)) => n.unpack().pack().unwrap_or_else(|_| v.iter().collect()),\n                _ => v.iter().collect(),\n            }}),\n",
                    f.bare
                ),
            )
        } else if required {
            (
                format!(
                    "    #[inline(always)]\n    pub fn {m}(&self) -> rt::Vector<'a, {elem}> {{\n        {get}.unwrap_or_default()\n    }}\n"
                ),
                format!("            {m}: Some({{ let v = self.{m}(); {unpack_elem} }}),\n"),
            )
        } else {
            (
                format!(
                    "    #[inline(always)]\n    pub fn {m}(&self) -> Option<rt::Vector<'a, {elem}>> {{\n        {get}\n    }}\n"
                ),
                format!("            {m}: self.{m}().map(|v| {unpack_elem}),\n"),
            )
        };
        let mut pieces = Pieces {
            view,
            unpack,
            owned: (format!("Option<Vec<{owned_elem}>>"), "None".into()),
            ..Pieces::default()
        };
        match element {
            Element::Inline { value } => self.inline_vector(f, value, &elem, &mut pieces),
            Element::String => self.strings_vector(f, &mut pieces),
            Element::Table { id } => self.tables_vector(f, id, &mut pieces),
        }
        pieces
    }

    fn inline_vector(&self, f: &FieldCtx<'_>, value: Inline, element: &str, p: &mut Pieces) {
        let FieldKind::Vector {
            offset: off,
            required,
            nested,
            body_align: align,
            ..
        } = f.field.kind
        else {
            return;
        };
        let (m, bare, end, name) = (&f.m, &f.bare, f.field.end, &f.field.name);
        let is_struct = matches!(value, Inline::Struct { .. });
        let call = if is_struct {
            format!("rt::build::structs(self.b, {align}, value)?")
        } else {
            format!("rt::build::scalars(self.b, {align}, value)?")
        };
        p.builder.push_str(&format!(
            "    /// Writes `{name}`.\n    pub fn {m}(&mut self, value: &[{element}]) -> Result<&mut Self, rt::BuildError> {{\n        let v = {call};\n        self.b.set_ref({}, v);\n        Ok(self)\n    }}\n",
            at_body(off)
        ));
        if element == "u8" {
            p.builder.push_str(&format!(
                "    /// Makes room for `{name}`'s `len` bytes and gives them to be written in place (all of them: they hold zeros, or in a slot what an earlier message left there).\n    pub fn {bare}_in_place(&mut self, len: usize) -> Result<&mut [u8], rt::BuildError> {{\n        rt::build::bytes_in_place(self.b, {align}, len, {})\n    }}\n",
                at_body(off)
            ));
        }
        if is_struct {
            p.builder.push_str(&format!(
                "    /// Writes `{name}` from `count` structs an iterator makes, each written once, in place.\n    pub fn {bare}_from_iter(&mut self, count: usize, items: impl IntoIterator<Item = {element}>) -> Result<&mut Self, rt::BuildError> {{\n        let v = rt::build::structs_from_iter(self.b, {align}, count, items)?;\n        self.b.set_ref({}, v);\n        Ok(self)\n    }}\n",
                at_body(off)
            ));
        }
        let missing = f.missing_if(required);
        match nested {
            Some(nested) => {
                let nv = self.table_path(f.ns, nested, "<'a>");
                p.view.push_str(&format!(
                    "    /// `{name}` verified and read as the nested message it holds.\n    pub fn {bare}_nested(&self) -> Option<Result<{nv}, rt::VerifyError>> {{\n        self.{m}().map(|v| rt::root_in(v.body(), &rt::Limits::default()))\n    }}\n"
                ));
                let nc = self.table_path(f.ns, nested, "<'_>");
                p.write.push_str(&format!(
                    "        if let Some(v) = &self.{m} {{\n            rt::check_root::<{nc}>(v, &rt::Limits::default()).map_err(|e| rt::BuildError::Value {{ path: {:?}.into(), message: format!(\"nested message: {{e}}\") }})?;\n            b.{m}(v)?;\n        }}{missing}\n",
                    f.path()
                ));
            }
            None => p.write.push_str(&format!(
                "        if let Some(v) = &self.{m} {{\n            b.{m}(v)?;\n        }}{missing}\n"
            )),
        }
        if value != Inline::Bool {
            p.change.push_str(&format!(
                "    /// `{name}`, to change its elements in place.\n    pub fn {bare}_mut(&mut self) -> Option<rt::VectorMut<'_, {element}>> {{\n        self.t.vector({off}, {end})\n    }}\n"
            ));
        }
    }

    fn strings_vector(&self, f: &FieldCtx<'_>, p: &mut Pieces) {
        let FieldKind::Vector {
            offset: off,
            required,
            vector,
            ..
        } = f.field.kind
        else {
            return;
        };
        let (m, name) = (&f.m, &f.field.name);
        let tag = self.model.vector(vector).tag;
        p.builder.push_str(&format!(
            "    /// Writes `{name}`: the vector, then each string.\n    pub fn {m}<S: AsRef<str>>(&mut self, value: &[S]) -> Result<&mut Self, rt::BuildError> {{\n        let v = rt::build::strings(self.b, 0x{tag:08x}, value)?;\n        self.b.set_ref({}, v);\n        Ok(self)\n    }}\n",
            at_body(off)
        ));
        p.write.push_str(&format!(
            "        if let Some(v) = &self.{m} {{\n            b.{m}(v)?;\n        }}{}\n",
            f.missing_if(required)
        ));
    }

    fn tables_vector(&self, f: &FieldCtx<'_>, id: crate::schema::TableId, p: &mut Pieces) {
        let FieldKind::Vector {
            offset: off,
            required,
            vector,
            ..
        } = f.field.kind
        else {
            return;
        };
        let (m, bare, end, name) = (&f.m, &f.bare, f.field.end, &f.field.name);
        let tag = self.model.vector(vector).tag;
        p.builder.push_str(&format!(
            "    /// Starts `{name}` with room for `count` tables, pushed in order.\n    pub fn {m}(&mut self, count: usize) -> Result<rt::build::TableVector<'_, 'buf>, rt::BuildError> {{\n        rt::build::TableVector::new(self.b, 0x{tag:08x}, count, {})\n    }}\n",
            at_body(off)
        ));
        p.write.push_str(&format!(
            "        if let Some(v) = &self.{m} {{\n            let mut tables = b.{m}(v.len())?;\n            for t in v {{\n                t.write(&mut tables.push::<{}<'_, '_>>()?)?;\n            }}\n        }}{}\n",
            self.table_path(f.ns, id, "Builder"),
            f.missing_if(required)
        ));
        let mt = self.table_path(f.ns, id, "Mut");
        p.change.push_str(&format!(
            "    /// Element `index` of `{name}`, to change in place.\n    pub fn {bare}_mut(&mut self, index: usize) -> Option<{mt}<'_>> {{\n        self.t.tables({off}, {end})?.into_get(index).map({mt}::from_table)\n    }}\n"
        ));
    }
}
