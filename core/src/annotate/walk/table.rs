//! Tables: each member of a table's body, and where its references lead.

use super::{Context, Expect, Followed, Walker, Work};
use crate::annotate::text::{enum_meaning, pieces, quoted, scalar_kind, scalar_value};
use crate::layout::format::COUNT_SIZE;
use crate::layout::{FieldLayout, Member, MemberRole, RefTarget, Storage, TableLayout};
use crate::message::nested_root;
use crate::rt::Scalar as _;
use crate::schema::{BaseType, DefaultValue, Presence, TableField, TableId, Type};

/// One member of one table object, with what the walk needs to know of its field.
#[derive(Clone, Copy)]
struct Slot<'l> {
    table: TableId,
    tl: &'l TableLayout,
    m: &'l Member,
    fl: &'l FieldLayout,
    field: Option<&'l TableField>,
    /// Where the object's body starts.
    body: usize,
}

impl Walker<'_> {
    /// A table's members, from `body` for `size` bytes.
    pub(super) fn table(&mut self, id: TableId, body: usize, size: u32) {
        let layout = self.layout;
        let tl = layout.table(id);
        let def = self.schema.table_def(id);
        let body_end = body + size as usize;
        let mut cursor = body;
        let mut children = Vec::new();
        for (_, m) in tl.by_offset() {
            let Some(fl) = tl.fields.get(m.field as usize) else {
                continue;
            };
            if fl.present_if_body_at_least > size {
                continue;
            }
            let at = body + m.offset as usize;
            if at > cursor {
                self.pad(
                    cursor,
                    at,
                    &format!("padding to align `{}` ({})", m.name, m.align),
                );
            }
            let slot = Slot {
                table: id,
                tl,
                m,
                fl,
                field: def.fields.get(m.field as usize),
                body,
            };
            self.member(slot, &mut children);
            cursor = at + m.size as usize;
        }
        if cursor < body_end {
            let cut = tl
                .members
                .iter()
                .find(|m| body + m.offset as usize >= cursor && m.end() > size);
            let comment = match cut {
                Some(m) if (m.offset as usize) < size as usize => format!(
                    "part of `{}`, a field this object does not hold (its body ends inside it)",
                    m.name
                ),
                _ => "body bytes past the last member this schema knows".to_string(),
            };
            self.run(cursor, body_end, "[u8]", &comment);
        }
        self.work.extend(children.into_iter().rev());
    }

    /// One member of a table object; objects its references lead to go to `children`.
    fn member(&mut self, slot: Slot<'_>, children: &mut Vec<Work>) {
        let Slot {
            tl,
            m,
            fl,
            field,
            body,
            ..
        } = slot;
        let at = body + m.offset as usize;
        let name = &m.name;
        let ty = field.map(|f| f.ty);
        let union = match ty.map(Type::base) {
            Some(BaseType::Union(u)) => Some(u),
            _ => None,
        };
        let presence = fl
            .presence_member
            .and_then(|p| tl.members.get(p as usize))
            .map(|p| self.byte(body + p.offset as usize));
        let deprecated = if field.is_some_and(|f| f.deprecated) {
            " (deprecated)"
        } else {
            ""
        };
        match (m.role, m.storage) {
            (MemberRole::Presence, _) => {
                let value = self.byte(at);
                let comment = match value {
                    0 => format!("`{name}`: {} is null", fl.name),
                    1 => format!("`{name}`: {} is set", fl.name),
                    _ => format!("`{name}` (invalid: a presence byte is 0 or 1)"),
                };
                self.push(at, 1, "u8", value.to_string(), comment);
            }
            (MemberRole::UnionType, Storage::Scalar { scalar }) => {
                let d = self.discriminant(union, at);
                let meaning = self.union_member_name(union, d);
                let comment = format!("`{name}`: {meaning}");
                let width = scalar.size() as usize;
                let shown = scalar_value(self.bytes, at, scalar).map_or(d.to_string(), |(_, t)| t);
                self.push(at, width, scalar_kind(scalar), shown, comment);
            }
            (MemberRole::Value, Storage::Scalar { scalar }) => {
                let Some((value, text)) = scalar_value(self.bytes, at, scalar) else {
                    return;
                };
                let mut comment = format!("`{name}`{deprecated}");
                if presence == Some(0) {
                    comment.push_str(": null");
                } else if let Some(Type::Base(BaseType::Enum(e))) = ty {
                    comment.push_str(": ");
                    comment.push_str(&enum_meaning(self.schema.enum_def(e), value));
                }
                self.push(
                    at,
                    scalar.size() as usize,
                    scalar_kind(scalar),
                    text,
                    comment,
                );
            }
            (MemberRole::Value, Storage::Struct { id }) => {
                if presence == Some(0) {
                    let comment = format!("`{name}`{deprecated}: null, so its bytes are zero");
                    self.zeros(at, at + m.size as usize, "[u8]", &comment);
                } else {
                    let sl = self.layout.struct_layout(id);
                    let note = format!("(struct {}, inline){deprecated}", sl.name);
                    self.structure(at, id, name.clone(), Some(note));
                }
            }
            (role, Storage::Ref { target }) => {
                let what = format!("`{name}`{deprecated}");
                let (line, followed) = self.reference(at, "ref", &what);
                let expect = match followed {
                    Followed::At(_) => self.expect(slot, target, role).map(Some),
                    _ => Ok(None),
                };
                match (followed, expect) {
                    (Followed::At(t), Ok(Some(expect))) => children.push(Work {
                        window: self.current,
                        at: t,
                        expect,
                        via: Some(line),
                    }),
                    (Followed::At(_), Err(problem)) => self.note(Some(line), problem),
                    (Followed::Null, _) => {
                        if field.is_some_and(|f| f.presence == Presence::Required) {
                            self.note(Some(line), "the field is required");
                        }
                        if let Some(DefaultValue::String(s)) = field.map(|f| &f.default) {
                            let mut text = String::from("reads as its default ");
                            text.push_str(&quoted(&pieces(s.as_bytes())));
                            self.remark(Some(line), &text);
                        }
                        if let (RefTarget::Union(_), Some(t)) = (target, fl.union_type_member) {
                            let d = tl
                                .members
                                .get(t as usize)
                                .map_or(0, |t| self.discriminant(union, body + t.offset as usize));
                            if d != 0 {
                                self.note(Some(line), "a union member needs its object");
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {
                let comment = format!("`{name}`");
                self.run(at, at + m.size as usize, "[u8]", &comment);
            }
        }
    }

    /// What the object a table member's reference leads to must be.
    fn expect(
        &self,
        slot: Slot<'_>,
        target: RefTarget,
        role: MemberRole,
    ) -> Result<Expect, &'static str> {
        let Slot {
            table,
            tl,
            m,
            fl,
            field,
            body,
        } = slot;
        let member_at = |index: Option<u32>| {
            index
                .and_then(|i| tl.members.get(i as usize))
                .map(|t| body + t.offset as usize)
        };
        Ok(match (target, field.map(|f| f.ty)) {
            (RefTarget::String, _) => Expect::String,
            (RefTarget::Table(t), _) => Expect::Table(t),
            (RefTarget::Union(u), _) => {
                let d =
                    member_at(fl.union_type_member).map_or(0, |at| self.discriminant(Some(u), at));
                if d == 0 {
                    return Err("the discriminant is NONE");
                }
                Expect::Union(u, d)
            }
            (RefTarget::Vector(v), Some(Type::Vector(BaseType::Union(u)))) => {
                if role == MemberRole::UnionType {
                    Expect::Vector(v, Context::UnionTypes(u))
                } else {
                    let types =
                        member_at(fl.union_type_member).and_then(|at| self.union_types(tl, fl, at));
                    Expect::Vector(v, Context::UnionValues(u, types))
                }
            }
            (RefTarget::Vector(v), Some(Type::Vector(BaseType::Enum(e)))) => {
                Expect::Vector(v, Context::Enum(e))
            }
            (RefTarget::Vector(v), _) => match nested_root(self.schema, table, m.field as usize) {
                Some(root) => Expect::Vector(v, Context::Nested(root)),
                None => Expect::Vector(v, Context::Plain),
            },
        })
    }

    /// The body and count of a vector of unions' discriminants, referenced from `at`, when
    /// that vector is sound.
    fn union_types(&self, tl: &TableLayout, fl: &FieldLayout, at: usize) -> Option<(usize, usize)> {
        let member = tl.members.get(fl.union_type_member? as usize)?;
        let Storage::Ref {
            target: RefTarget::Vector(v),
        } = member.storage
        else {
            return None;
        };
        let Followed::At(types) = self.follow(at) else {
            return None;
        };
        let vl = self.layout.vector(v);
        let count = u32::read(self.bytes, types)? as usize;
        let body = types + COUNT_SIZE as usize;
        let len = count.checked_mul(vl.stride as usize)?;
        (body.checked_add(len)? <= self.bounds().1).then_some((body, count))
    }
}
