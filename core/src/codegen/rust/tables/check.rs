//! The generated verifier's code for one field: the model's check, printed in the order the
//! schema-driven verifier checks it.

use super::super::{Printer, Writer};
use crate::codegen::model::{Check, RefCheck};
use crate::codegen::writer::plus;
use crate::layout::VectorId;
use crate::schema::TableId;

impl Printer<'_> {
    /// Writes the code checking one field of a table in namespace `ns`.
    pub(super) fn check(&self, w: &mut Writer, ns: &[String], c: &Check) {
        let within = format!(".map_err(|e| e.within({:?}))", format!(".{}", c.field));
        let end = c.end;
        let presence = c
            .presence
            .map(|p| format!("c.presence({}){within}?;", plus("body", p)));
        let reference = c.reference.map(|r| self.reference_check(ns, c, r, &within));
        let missing = format!("return Err(rt::Checker::required_missing(at)){within};");
        match (presence, reference) {
            (None, None) if c.required => {
                w.block(format!("if size < {end}"), |w| w.line(&missing));
            }
            (None, None) => {}
            // A reference to follow only when there is one: one `if`, as clippy would have it.
            (None, Some(Followed::IfSome { expr, arm })) => {
                w.line(format!("if size >= {end}\n    && let Some(o) = {expr}"));
                w.block("", |w| statements(w, &arm));
            }
            (presence, reference) => {
                let present = |w: &mut Writer| {
                    if let Some(presence) = &presence {
                        w.line(presence);
                    }
                    match &reference {
                        Some(Followed::IfSome { expr, arm }) => {
                            w.block(format!("if let Some(o) = {expr}"), |w| statements(w, arm));
                        }
                        Some(Followed::Match { expr, arm, null }) => {
                            // The arm is a block: a check may return what it found (a count).
                            w.block(format!("match {expr}"), |w| {
                                w.block("Some(o) =>", |w| statements(w, arm));
                                w.line(format!("None => {null},"));
                            });
                        }
                        None => {}
                    }
                };
                if c.required {
                    w.block_then(format!("if size >= {end}"), " else {", present);
                    w.indented(|w| w.line(&missing));
                    w.line("}");
                } else {
                    w.block(format!("if size >= {end}"), present);
                }
            }
        }
    }

    /// What following the field's reference checks: an `if let` when a null reference needs
    /// nothing, else a `match` whose `None` arm says what it needs.
    fn reference_check(&self, ns: &[String], c: &Check, r: RefCheck, within: &str) -> Followed {
        let (offset, arm, null) = self.reference_arm(ns, r, within);
        let expr = format!("c.reference({}){within}?", plus("body", offset));
        let null = match (c.required, null) {
            (true, _) => Some(format!(
                "return Err(rt::Checker::required_missing(at)){within}"
            )),
            (false, null) => null,
        };
        match null {
            None => Followed::IfSome { expr, arm },
            Some(null) => Followed::Match { expr, arm, null },
        }
    }

    /// The reference's offset, the checks of the object it refers to (`o`), and the check a
    /// null reference needs, if any.
    fn reference_arm(
        &self,
        ns: &[String],
        r: RefCheck,
        within: &str,
    ) -> (u32, Vec<String>, Option<String>) {
        match r {
            RefCheck::String { offset } => (offset, vec![format!("c.string(o){within}?")], None),
            RefCheck::Table { offset, id } => (
                offset,
                vec![format!(
                    "<{} as rt::Check>::check(c, o){within}?",
                    self.table_path(ns, id, "<'_>")
                )],
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
                    vec![format!(
                        "c.strings(o, (0x{:08x}, {:?})){within}?",
                        v.tag, v.identity
                    )],
                    None,
                )
            }
            RefCheck::Tables { offset, vector, id } => {
                let v = self.model.vector(vector);
                (
                    offset,
                    vec![format!(
                        "c.tables::<{}>(o, (0x{:08x}, {:?})){within}?",
                        self.table_path(ns, id, "<'_>"),
                        v.tag,
                        v.identity
                    )],
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
                    vec![format!(
                        "{}::check(c, c.discriminant({at}, {width}), o, {at}){within}?",
                        self.union_path(ns, id, "Ref")
                    )],
                    // A null reference needs the discriminant NONE.
                    Some(format!("c.union_none({at}, {width}){within}?")),
                )
            }
            RefCheck::UnionVector {
                offset,
                discriminants,
                width,
                id,
                values,
                ..
            } => {
                let v = self.model.vector(values);
                (
                    offset,
                    vec![format!(
                        "c.unions(o, (0x{:08x}, {:?}), rt::UnionTypes {{ at: {}, width: {width} }}, {}::check){within}?",
                        v.tag,
                        v.identity,
                        plus("body", discriminants),
                        self.union_path(ns, id, "Ref")
                    )],
                    None,
                )
            }
        }
    }
}

impl Printer<'_> {
    /// The checks of an inline vector (and of the message it holds, for `nested_flatbuffer`).
    fn inline_vector_arm(
        &self,
        ns: &[String],
        vector: VectorId,
        nested: Option<TableId>,
        within: &str,
    ) -> Vec<String> {
        let v = self.model.vector(vector);
        let mut arm = vec![format!(
            "c.inline_vector(o, {}, {}){within}?",
            v.stride, v.body_align
        )];
        if let Some(nested) = nested {
            let nt = self.table_path(ns, nested, "<'_>");
            arm.push(format!(
                "c.nested(o, (<{nt} as rt::Check>::TAG, <{nt} as rt::Check>::NAME), <{nt} as rt::Check>::FILE_IDENTIFIER, |c, at| <{nt} as rt::Check>::check(c, at).map_err(|e| e.within(<{nt} as rt::Check>::SHORT_NAME))){within}?"
            ));
        }
        arm
    }
}

/// Writes `statements`, one per line, each ended with `;`.
fn statements(w: &mut Writer, statements: &[String]) {
    for s in statements {
        w.line(format!("{s};"));
    }
}

/// How a field's reference is followed: statements (`arm`) over the referenced object `o`.
enum Followed {
    /// `if let Some(o) = expr { arm }`: nothing to check of a null reference.
    IfSome { expr: String, arm: Vec<String> },
    /// `match expr { Some(o) => arm, None => null }`: a null reference has a check of its own.
    Match {
        expr: String,
        arm: Vec<String>,
        null: String,
    },
}
