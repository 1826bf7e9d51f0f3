//! The generated verifier's check of one table field, in the order the schema-driven
//! verifier checks it.

use std::fmt::Write;

use super::*;

/// `match x { Some(o) => arm, None => {} }` as `if let Some(o) = x { arm; }`.
pub(super) fn if_let(block: &str) -> String {
    if let Some(rest) = block.strip_prefix("    match ")
        && let Some((expr, tail)) = rest.split_once(" {\n        Some(o) => ")
        && let Some(arm) = tail.strip_suffix(",\n        None => {  }\n    }\n")
    {
        return format!("    if let Some(o) = {expr} {{\n        {arm};\n    }}\n");
    }
    block.to_string()
}

impl Gen<'_> {
    /// The verifier's code for field `index` of `table` (see `message::verify`, which
    /// checks the same things in the same order).
    pub(super) fn check_field(&self, o: &mut String, table: TableId, index: usize, kind: &Kind) {
        let def = self.schema.table_def(table);
        let f = &def.fields[index];
        let fl = &self.layout.table(table).fields[index];
        let tl = self.layout.table(table);
        let ns = &def.info.name.namespace;
        let end = fl.present_if_body_at_least;
        let within = format!(".map_err(|e| e.within({:?}))", format!(".{}", f.name));
        let required = f.presence == Presence::Required;
        let mut inner = String::new();
        if let Some(p) = fl.presence_member {
            let _ = writeln!(
                inner,
                "    c.presence(body + {}){within}?;",
                self.member_of(tl, p).offset
            );
        }
        let mark = inner.len();
        let value = self.member_of(tl, fl.value_member);
        let off = value.offset;
        let null = if required {
            format!("return Err(rt::Checker::required_missing(at)){within}")
        } else {
            String::new()
        };
        match kind {
            Kind::Scalar { .. } | Kind::Optional { .. } | Kind::Struct { .. } => {}
            Kind::String { .. } => {
                let _ = writeln!(
                    inner,
                    "    match c.reference(body + {off}){within}? {{\n        Some(o) => c.string(o, 0x{:08x}){within}?,\n        None => {{ {null} }}\n    }}",
                    self.layout.string_tag
                );
            }
            Kind::Table { id, .. } => {
                let t = self.name_of_table(ns, *id, "<'_>");
                let _ = writeln!(
                    inner,
                    "    match c.reference(body + {off}){within}? {{\n        Some(o) => <{t} as rt::Check>::check(c, o){within}?,\n        None => {{ {null} }}\n    }}"
                );
            }
            Kind::Vector(vk) => {
                let (tag, ident, stride, align) = self.vector_tag(tl, fl.value_member);
                let check = match vk {
                    VectorKind::Plain { .. } => {
                        let mut s = format!(
                            "{{\n            c.inline_vector(o, (0x{tag:08x}, {ident:?}), {stride}, {align}){within}?;"
                        );
                        if let Some(nested) = f.nested_flatbuffer {
                            let nt = self.name_of_table(ns, nested, "<'_>");
                            let _ = write!(
                                s,
                                "\n            c.nested(o, (<{nt} as rt::Check>::TAG, <{nt} as rt::Check>::NAME), <{nt} as rt::Check>::FILE_IDENTIFIER, |c, at| <{nt} as rt::Check>::check(c, at).map_err(|e| e.within(<{nt} as rt::Check>::SHORT_NAME))){within}?;"
                            );
                        }
                        s.push_str("\n        }");
                        s
                    }
                    VectorKind::Strings => format!(
                        "c.strings(o, (0x{tag:08x}, {ident:?}), 0x{:08x}){within}?",
                        self.layout.string_tag
                    ),
                    VectorKind::Tables { id, .. } => {
                        let t = self.name_of_table(ns, *id, "<'_>");
                        format!("c.tables::<{t}>(o, (0x{tag:08x}, {ident:?})){within}?")
                    }
                };
                let _ = writeln!(
                    inner,
                    "    match c.reference(body + {off}){within}? {{\n        Some(o) => {check},\n        None => {{ {null} }}\n    }}"
                );
            }
            Kind::Union { id } => {
                let un = self.name_of_union(ns, *id, "Ref");
                let tp = self.member_of(tl, fl.union_type_member.unwrap_or(0)).offset;
                let width = self.schema.union_def(*id).underlying.size();
                let null = if required {
                    null.clone()
                } else {
                    format!("c.union_none(body + {tp}, {width}){within}?")
                };
                let _ = writeln!(
                    inner,
                    "    match c.reference(body + {off}){within}? {{\n        Some(o) => {un}::check(c, c.discriminant(body + {tp}, {width}), o, body + {tp}){within}?,\n        None => {{ {null} }}\n    }}"
                );
            }
            Kind::UnionVector { id } => {
                let un = self.name_of_union(ns, *id, "Ref");
                let tm = fl.union_type_member.unwrap_or(0);
                let tp = self.member_of(tl, tm).offset;
                let (types_tag, types_ident, ..) = self.vector_tag(tl, tm);
                let (values_tag, ident, ..) = self.vector_tag(tl, fl.value_member);
                let width = self.schema.union_def(*id).underlying.size();
                let _ = writeln!(
                    inner,
                    "    match c.reference(body + {off}){within}? {{\n        Some(o) => c.unions(o, (0x{values_tag:08x}, {ident:?}), rt::UnionTypes {{ at: body + {tp}, tag: 0x{types_tag:08x}, name: {types_ident:?}, width: {width} }}, {un}::check){within}?,\n        None => {{ {null} }}\n    }}"
                );
            }
        }
        let tail = inner.split_off(mark);
        inner.push_str(&if_let(&tail));
        let absent = if required {
            format!(
                " else {{\n            return Err(rt::Checker::required_missing(at)){within};\n        }}"
            )
        } else {
            String::new()
        };
        if inner.is_empty() {
            if required {
                let _ = writeln!(
                    o,
                    "        if size < {end} {{\n            return Err(rt::Checker::required_missing(at)){within};\n        }}"
                );
            }
            return;
        }
        if let (false, Some(rest)) = (required, inner.strip_prefix("    if let Some(o) = "))
            && let Some((expr, body)) = rest.split_once(" {\n")
        {
            // Collapsed into one `if`, as clippy would have it.
            let _ = writeln!(
                o,
                "        if size >= {end}\n            && let Some(o) = {expr}\n        {{\n{}",
                indent(body, 1)
            );
            return;
        }
        let _ = writeln!(
            o,
            "        if size >= {end} {{\n{}        }}{absent}",
            indent(&inner, 2)
        );
    }
}
