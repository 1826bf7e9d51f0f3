//! The generated verifier's code for one field: the model's check, printed in the order the
//! schema-driven verifier checks it.

use super::super::Printer;
use crate::codegen::model::{Check, RefCheck};
use crate::codegen::writer::plus;

impl Printer<'_> {
    /// The code checking one field of a table in namespace `ns`.
    pub(super) fn check(&self, ns: &[String], c: &Check) -> String {
        let within = format!(".map_err(|e| e.within({:?}))", format!(".{}", c.field));
        let end = c.end;
        let presence = c
            .presence
            .map(|p| format!("    c.presence({}){within}?;\n", plus("body", p)));
        let reference = c.reference.map(|r| self.reference_check(ns, c, r, &within));
        let missing = format!("return Err(rt::Checker::required_missing(at)){within}");
        match (presence, reference) {
            (None, None) if c.required => {
                format!("        if size < {end} {{\n            {missing};\n        }}\n")
            }
            (None, None) => String::new(),
            // A reference to follow only when there is one: one `if`, as clippy would have it.
            (None, Some(Followed::IfSome { expr, arm })) => format!(
                "        if size >= {end}\n            && let Some(o) = {expr}\n        {{\n            {};\n        }}\n\n",
                arm.replace('\n', "\n    ")
            ),
            (presence, reference) => {
                let mut inner = presence.unwrap_or_default();
                match reference {
                    Some(Followed::Match(text)) => inner.push_str(&text),
                    Some(Followed::IfSome { expr, arm }) => inner.push_str(&format!(
                        "    if let Some(o) = {expr} {{\n        {arm};\n    }}\n"
                    )),
                    None => {}
                }
                let inner: String = inner.lines().map(|l| format!("        {l}\n")).collect();
                let absent = if c.required {
                    format!(" else {{\n            {missing};\n        }}")
                } else {
                    String::new()
                };
                format!("        if size >= {end} {{\n{inner}        }}{absent}\n")
            }
        }
    }

    /// What following the field's reference checks: an `if let` when a null reference needs
    /// nothing, else a `match` whose `None` arm says what it needs.
    fn reference_check(&self, ns: &[String], c: &Check, r: RefCheck, within: &str) -> Followed {
        let (offset, arm, null) = match r {
            RefCheck::String { offset } => (
                offset,
                format!("c.string(o, 0x{:08x}){within}?", self.model.string_tag),
                None,
            ),
            RefCheck::Table { offset, id } => (
                offset,
                format!(
                    "<{} as rt::Check>::check(c, o){within}?",
                    self.table_path(ns, id, "<'_>")
                ),
                None,
            ),
            RefCheck::InlineVector {
                offset,
                vector,
                nested,
            } => (
                offset,
                self.inline_vector_arm(ns, vector, nested, within),
                None,
            ),
            RefCheck::Strings { offset, vector } => {
                let v = self.model.vector(vector);
                (
                    offset,
                    format!(
                        "c.strings(o, (0x{:08x}, {:?}), 0x{:08x}){within}?",
                        v.tag, v.identity, self.model.string_tag
                    ),
                    None,
                )
            }
            RefCheck::Tables { offset, vector, id } => {
                let v = self.model.vector(vector);
                (
                    offset,
                    format!(
                        "c.tables::<{}>(o, (0x{:08x}, {:?})){within}?",
                        self.table_path(ns, id, "<'_>"),
                        v.tag,
                        v.identity
                    ),
                    None,
                )
            }
            RefCheck::Union {
                offset,
                discriminant,
                width,
                id,
            } => {
                let at = plus("body", discriminant);
                (
                    offset,
                    format!(
                        "{}::check(c, c.discriminant({at}, {width}), o, {at}){within}?",
                        self.union_path(ns, id, "Ref")
                    ),
                    // A null reference needs the discriminant NONE.
                    Some(format!("c.union_none({at}, {width}){within}?")),
                )
            }
            RefCheck::UnionVector {
                offset,
                discriminants,
                width,
                id,
                types,
                values,
            } => {
                let (t, v) = (self.model.vector(types), self.model.vector(values));
                (
                    offset,
                    format!(
                        "c.unions(o, (0x{:08x}, {:?}), rt::UnionTypes {{ at: {}, tag: 0x{:08x}, name: {:?}, width: {width} }}, {}::check){within}?",
                        v.tag,
                        v.identity,
                        plus("body", discriminants),
                        t.tag,
                        t.identity,
                        self.union_path(ns, id, "Ref")
                    ),
                    None,
                )
            }
        };
        let expr = format!("c.reference({}){within}?", plus("body", offset));
        let null = match (c.required, null) {
            (true, _) => Some(format!(
                "return Err(rt::Checker::required_missing(at)){within}"
            )),
            (false, null) => null,
        };
        match null {
            None => Followed::IfSome { expr, arm },
            Some(null) => Followed::Match(format!(
                "    match {expr} {{\n        Some(o) => {arm},\n        None => {{ {null} }}\n    }}\n"
            )),
        }
    }
}

impl Printer<'_> {
    /// The checks of an inline vector (and of the message it holds, for `nested_flatbuffer`),
    /// as a block.
    fn inline_vector_arm(
        &self,
        ns: &[String],
        vector: crate::layout::VectorId,
        nested: Option<crate::schema::TableId>,
        within: &str,
    ) -> String {
        let v = self.model.vector(vector);
        let mut arm = format!(
            "{{\n            c.inline_vector(o, (0x{:08x}, {:?}), {}, {}){within}?;",
            v.tag, v.identity, v.stride, v.body_align
        );
        if let Some(nested) = nested {
            let nt = self.table_path(ns, nested, "<'_>");
            arm.push_str(&format!(
                "\n            c.nested(o, (<{nt} as rt::Check>::TAG, <{nt} as rt::Check>::NAME), <{nt} as rt::Check>::FILE_IDENTIFIER, |c, at| <{nt} as rt::Check>::check(c, at).map_err(|e| e.within(<{nt} as rt::Check>::SHORT_NAME))){within}?;"
            ));
        }
        arm.push_str("\n        }");
        arm
    }
}

/// How a field's reference is followed.
enum Followed {
    /// `if let Some(o) = expr { arm; }`: nothing to check of a null reference.
    IfSome { expr: String, arm: String },
    /// A `match` with both arms, as its text.
    Match(String),
}
