//! Unions: the discriminant, the view enum, the owned enum.

use super::enums::newtype_traits;
use super::literals::{discriminant_bits, discriminant_literal, from_bits, scalar_type};
use super::names::{type_name, upper};
use super::{Printer, Writer};
use crate::codegen::model::{Union, UnionMember, UnionTarget};
use crate::schema::UnionId;

impl Printer<'_> {
    pub(super) fn union(&self, id: UnionId) -> String {
        let u = self.model.union(id);
        let name = type_name(&u.name.name);
        let mut w = Writer::new();
        w.doc(&u.doc);
        self.union_discriminant(&mut w, u, &name);
        self.union_view(&mut w, id, &name);
        self.union_owned(&mut w, u, &name);
        w.finish()
    }

    /// The discriminant's newtype and its constants.
    fn union_discriminant(&self, w: &mut Writer, u: &Union, name: &str) {
        let ty = scalar_type(u.discriminant);
        let literal = |raw| discriminant_literal(u.discriminant, raw);
        w.line(format!(
            "/// The discriminant of union `{}` (0 is NONE).\n#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]\n#[repr(transparent)]\npub struct {name}(pub {ty});\n",
            u.name.dotted()
        ));
        w.block(format!("impl {name}"), |w| {
            w.line(format!(
                "/// No value.\npub const NONE: {name} = {name}(0);"
            ));
            for m in &u.members {
                w.line(format!(
                    "/// Member `{0}`.\npub const {0}: {name} = {name}({1});",
                    upper(&m.name),
                    literal(m.discriminant)
                ));
            }
            w.line("/// The member's name, if this schema knows it.");
            w.block("pub fn name(self) -> Option<&'static str>", |w| {
                w.block("match self.0", |w| {
                    w.line("0 => Some(\"NONE\"),");
                    for m in &u.members {
                        w.line(format!(
                            "{} => Some({:?}),",
                            literal(m.discriminant),
                            m.name
                        ));
                    }
                    w.line("_ => None,");
                });
            });
        });
        w.blank();
        newtype_traits(w, name, ty);
    }

    /// The view enum, read in place, and its reading and checking.
    fn union_view(&self, w: &mut Writer, id: UnionId, name: &str) {
        let u = self.model.union(id);
        let ns = &u.name.namespace;
        let params = self.union_ref_params(id);
        let ty = scalar_type(u.discriminant);
        w.line(format!(
            "/// A value of union `{}`, read in place.\n#[derive(Clone, Copy, Debug)]",
            u.name.dotted()
        ));
        w.block(format!("pub enum {name}Ref{params}"), |w| {
            w.line("/// No value.\nNONE,");
            for m in &u.members {
                let member = match m.target {
                    UnionTarget::Table { id } => self.table_path(ns, id, "<'a>"),
                    UnionTarget::Struct { id, .. } => self.struct_path(ns, id),
                    UnionTarget::String => "&'a str".into(),
                };
                w.doc_or(&m.doc, &format!("Member `{}`.", m.name));
                w.line(format!("{}({member}),", type_name(&m.name)));
            }
            w.line(format!(
                "/// A member this schema does not know (a newer writer's): its discriminant.\nUnknown({ty}),"
            ));
        });
        w.blank();
        w.block(
            format!("impl<'a> rt::UnionRead<'a> for {name}Ref{params}"),
            |w| {
                w.line(format!(
                    "const DISCRIMINANT_SIZE: usize = {};\n#[inline(always)]",
                    u.discriminant.size()
                ));
                w.block(
                    "unsafe fn read(bytes: rt::Bytes<'a>, discriminant: u64, object: Option<usize>) -> Self",
                    |w| {
                        w.line(format!(
                            "let Some(object) = object else {{\n    return {name}Ref::NONE;\n}};"
                        ));
                        w.block("match discriminant", |w| {
                            for m in &u.members {
                                let read = match m.target {
                                    UnionTarget::Table { .. } => "unsafe { rt::table_at(bytes, object) }",
                                    UnionTarget::Struct { .. } => "rt::boxed_struct_at(&bytes, object)",
                                    UnionTarget::String => "unsafe { rt::string_at(bytes, object) }",
                                };
                                w.line(format!(
                                    "// SAFETY: the verifier checked the object as this member's type.\n{} => {name}Ref::{}({read}),",
                                    m.discriminant,
                                    type_name(&m.name)
                                ));
                            }
                            w.line(format!(
                                "0 => {name}Ref::NONE,\nd => {name}Ref::Unknown({}),",
                                from_bits(u.discriminant, "d")
                            ));
                        });
                    },
                );
            },
        );
        w.blank();
        w.block(format!("impl{params} {name}Ref{params}"), |w| {
            discriminant_method(w, name, &format!("{name}Ref"), &u.members);
            self.union_check(w, u);
            w.line(format!(
                "/// The value as plain Rust data.\npub fn unpack(&self) -> {name}T {{"
            ));
            w.indented(|w| {
                w.block("match self", |w| {
                    w.line(format!("{name}Ref::NONE => {name}T::NONE,"));
                    for m in &u.members {
                        let v = match m.target {
                            UnionTarget::Table { .. } => "Box::new(v.unpack())",
                            UnionTarget::Struct { .. } => "*v",
                            UnionTarget::String => "(*v).to_string()",
                        };
                        w.line(format!(
                            "{name}Ref::{n}(v) => {name}T::{n}({v}),",
                            n = type_name(&m.name)
                        ));
                    }
                    w.line(format!("{name}Ref::Unknown(d) => {name}T::Unknown(*d),"));
                });
            });
            w.line("}");
        });
        w.blank();
    }

    /// The check of the object a member's discriminant names.
    fn union_check(&self, w: &mut Writer, u: &Union) {
        let ns = &u.name.namespace;
        w.line("/// Checks the object at `at` as the member `discriminant` names.\n#[doc(hidden)]");
        w.block(
            "pub fn check(c: &mut rt::Checker<'_>, discriminant: u64, at: usize, type_at: usize) -> Result<(), rt::VerifyError>",
            |w| {
                w.block("match discriminant", |w| {
                    w.line("0 => Err(rt::Checker::bad_union(type_at, 0, \"(NONE) comes with a non-null reference\")),");
                    for m in &u.members {
                        let check = match m.target {
                            UnionTarget::Table { id } => format!(
                                "<{} as rt::Check>::check(c, at)",
                                self.table_path(ns, id, "<'_>")
                            ),
                            UnionTarget::String => "c.string(at)".to_string(),
                            UnionTarget::Struct { id, size, align } => format!(
                                "c.boxed_struct(at, (0x{:08x}, {:?}), {size}, {align})",
                                m.tag,
                                self.model.structure(id).name.dotted()
                            ),
                        };
                        w.line(format!("{} => {check},", m.discriminant));
                    }
                    w.line("_ => c.unknown_member(at),");
                });
            },
        );
    }

    /// The owned enum, and how it writes itself as an element of a vector of unions.
    fn union_owned(&self, w: &mut Writer, u: &Union, name: &str) {
        let ns = &u.name.namespace;
        let ty = scalar_type(u.discriminant);
        w.line(format!(
            "/// A value of union `{}` as plain Rust data.\n#[derive(Clone, Debug, PartialEq, Default)]",
            u.name.dotted()
        ));
        w.block(format!("pub enum {name}T"), |w| {
            w.line("/// No value.\n#[default]\nNONE,");
            for m in &u.members {
                let member = match m.target {
                    UnionTarget::Table { id } => format!("Box<{}>", self.table_path(ns, id, "T")),
                    UnionTarget::Struct { id, .. } => self.struct_path(ns, id),
                    UnionTarget::String => "String".into(),
                };
                w.line(format!(
                    "/// Member `{0}`.\n{0}({member}),",
                    type_name(&m.name)
                ));
            }
            w.line(format!(
                "/// A member this schema does not know: it cannot be written.\nUnknown({ty}),"
            ));
        });
        w.blank();
        w.block(format!("impl {name}T"), |w| {
            discriminant_method(w, name, &format!("{name}T"), &u.members);
            w.blank();
            w.line("/// Writes this value as the next element of a vector of unions.\n#[doc(hidden)]");
            w.block(
                "pub fn write_element(&self, v: &mut rt::build::UnionVector<'_, '_>) -> Result<(), rt::BuildError>",
                |w| {
                    w.block("match self", |w| {
                        w.line(format!("{name}T::NONE => v.push_none(),"));
                        for m in &u.members {
                            w.line(self.element_write(ns, name, m));
                        }
                        w.line(format!(
                            "{name}T::Unknown(d) => Err(rt::BuildError::UnknownUnionMember {{ path: {:?}.into(), discriminant: {} }}),",
                            u.name.name,
                            discriminant_bits(u.discriminant, "*d")
                        ));
                    });
                },
            );
        });
        w.blank();
    }

    /// The arm of `write_element` for member `m`.
    fn element_write(&self, ns: &[String], name: &str, m: &UnionMember) -> String {
        let n = type_name(&m.name);
        match m.target {
            UnionTarget::Table { id } => format!(
                "{name}T::{n}(t) => {{\n    let mut b = v.push_table::<{}<'_, '_>>()?;\n    t.write(&mut b)\n}}",
                self.table_path(ns, id, "Builder")
            ),
            UnionTarget::Struct { align, .. } => format!(
                "{name}T::{n}(s) => v.push_struct((0x{:08x}, {align}), s),",
                m.tag
            ),
            UnionTarget::String => format!("{name}T::{n}(s) => v.push_string(s),"),
        }
    }
}

/// The `discriminant()` method of a union's view or owned enum `of`, whose discriminant
/// type is `name`.
fn discriminant_method(w: &mut Writer, name: &str, of: &str, members: &[UnionMember]) {
    w.line(format!(
        "/// Its discriminant.\npub fn discriminant(&self) -> {name} {{"
    ));
    w.indented(|w| {
        w.block("match self", |w| {
            w.line(format!("{of}::NONE => {name}::NONE,"));
            for m in members {
                w.line(format!(
                    "{of}::{}(_) => {name}::{},",
                    type_name(&m.name),
                    upper(&m.name)
                ));
            }
            w.line(format!("{of}::Unknown(d) => {name}(*d),"));
        });
    });
    w.line("}");
}
