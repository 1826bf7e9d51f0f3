//! Computes struct, table, vector and union layouts and checks their tags.

use std::collections::HashMap;

use super::format::{MAX_MESSAGE_SIZE, OBJECT_ALIGN, REF_SIZE, align_up};
use super::tag::{NO_TAG, STRING_IDENTITY, type_tag, vector_identity};
use super::*;
use crate::schema::{BaseType, DefaultValue, Presence, Span, TableField, Type, UnionMemberType};

struct Computer<'a> {
    schema: &'a Schema,
    reporter: &'a mut Reporter,
    structs: Vec<Option<StructLayout>>,
    vectors: Vec<VectorLayout>,
    vector_ids: HashMap<String, VectorId>,
    /// Tag -> (identity, where it was declared), to report collisions.
    tags: HashMap<u32, (String, Option<Span>)>,
}

pub(super) fn compute(schema: &Schema, reporter: &mut Reporter) -> Layout {
    let mut c = Computer {
        schema,
        reporter,
        structs: vec![None; schema.structs.len()],
        vectors: Vec::new(),
        vector_ids: HashMap::new(),
        tags: HashMap::new(),
    };
    c.claim_tag(STRING_IDENTITY, None);
    for id in 0..schema.structs.len() {
        c.struct_layout(StructId(id as u32));
    }
    let mut tables: Vec<TableLayout> = (0..schema.tables.len())
        .map(|i| c.table_layout(TableId(i as u32)))
        .collect();
    for (t, def) in tables.iter_mut().zip(&schema.tables) {
        t.leaf = is_leaf(t, def, &c.vectors);
    }
    let unions = schema
        .unions
        .iter()
        .map(|u| UnionLayout {
            name: u.info.name.dotted(),
            discriminant: u.underlying,
            members: u
                .members
                .iter()
                .map(|m| UnionMemberLayout {
                    name: m.name.clone(),
                    discriminant: m.value,
                    tag: match m.ty {
                        UnionMemberType::Table(t) => {
                            type_tag(&identity_of(&schema.table_def(t).info))
                        }
                        UnionMemberType::Struct(s) => {
                            type_tag(&identity_of(&schema.struct_def(s).info))
                        }
                        UnionMemberType::String => type_tag(STRING_IDENTITY),
                    },
                })
                .collect(),
        })
        .collect();
    let structs = c
        .structs
        .into_iter()
        .map(|s| s.unwrap_or_else(empty_struct))
        .collect();
    Layout {
        tables,
        structs,
        vectors: c.vectors,
        unions,
        root_table: schema.root_table,
        file_identifier: schema.file_identifier.unwrap_or([0; 4]),
    }
}

fn empty_struct() -> StructLayout {
    StructLayout {
        name: String::new(),
        identity: String::new(),
        tag: NO_TAG,
        size: 0,
        align: 1,
        fields: Vec::new(),
        padding_after: 0,
    }
}

/// Appends `size` bytes at `align` after `end`; the offset and the new end, or `None` when
/// the object outgrows a message.
fn place(end: u64, size: u64, align: u32) -> Option<(u64, u64)> {
    let offset = align_up(end, align)?;
    let new_end = offset.checked_add(size)?;
    (new_end <= u64::from(MAX_MESSAGE_SIZE)).then_some((offset, new_end))
}

impl Computer<'_> {
    fn claim_tag(&mut self, identity: &str, span: Option<Span>) -> u32 {
        let tag = type_tag(identity);
        match self.tags.get(&tag) {
            Some((other, _)) if other != identity => {
                let message = format!(
                    "type tag 0x{tag:08x} of `{identity}` collides with that of `{other}`; pin a \
                     different identity with (weftbuf_id: \"...\")"
                );
                match span {
                    Some(span) => self.reporter.error(&self.schema.sources, span, message),
                    None => self.reporter.push_plain(Default::default(), message),
                }
            }
            Some(_) => {
                if let Some(span) = span {
                    let message = format!(
                        "`{identity}` is the identity of two types; each type needs its own"
                    );
                    self.reporter.error(&self.schema.sources, span, message);
                }
            }
            None if tag == NO_TAG => {
                let message = format!(
                    "the type tag of `{identity}` is 0, which is reserved; pin another identity \
                     with (weftbuf_id: \"...\")"
                );
                match span {
                    Some(span) => self.reporter.error(&self.schema.sources, span, message),
                    None => self.reporter.push_plain(Default::default(), message),
                }
            }
            None => {
                self.tags.insert(tag, (identity.to_string(), span));
            }
        }
        tag
    }

    fn too_large(&mut self, span: Span, name: &str) {
        let message =
            format!("`{name}` is larger than a message can hold ({MAX_MESSAGE_SIZE} bytes)");
        self.reporter.error(&self.schema.sources, span, message);
    }

    /// Computes struct `root` and every struct it contains, depth first without recursion.
    fn struct_layout(&mut self, root: StructId) {
        let mut stack = vec![root];
        while let Some(&id) = stack.last() {
            if self.structs[id.0 as usize].is_some() {
                stack.pop();
                continue;
            }
            let def = self.schema.struct_def(id);
            let pending = def.fields.iter().find_map(|f| match f.ty.base() {
                BaseType::Struct(inner) if self.structs[inner.0 as usize].is_none() => Some(inner),
                _ => None,
            });
            if let Some(inner) = pending {
                if stack.len() > self.schema.structs.len() {
                    // Only reachable through a cycle, which resolution already reported.
                    self.structs[id.0 as usize] = Some(empty_struct());
                    stack.pop();
                } else {
                    stack.push(inner);
                }
                continue;
            }
            let layout = self.struct_fields(id);
            self.structs[id.0 as usize] = Some(layout);
            stack.pop();
        }
    }

    fn inline(&self, base: BaseType) -> Option<(Inline, u32, u32)> {
        match base {
            BaseType::Scalar(s) => Some((Inline::Scalar { scalar: s }, s.size(), s.size())),
            BaseType::Enum(e) => {
                let s = self.schema.enum_def(e).underlying;
                Some((Inline::Scalar { scalar: s }, s.size(), s.size()))
            }
            BaseType::Struct(id) => {
                let l = self.structs[id.0 as usize].as_ref()?;
                Some((Inline::Struct { id }, l.size, l.align))
            }
            _ => None,
        }
    }

    /// Lays out one struct whose nested structs are already computed.
    fn struct_fields(&mut self, id: StructId) -> StructLayout {
        let def = self.schema.struct_def(id);
        let name = def.info.name.dotted();
        let identity = identity_of(&def.info);
        let tag = self.claim_tag(&identity, Some(def.info.span));
        let mut fields = Vec::with_capacity(def.fields.len());
        let mut end: u64 = 0;
        let mut align = 1;
        for f in &def.fields {
            let Some((element, elem_size, elem_align)) = self.inline(f.ty.base()) else {
                continue;
            };
            let (storage, size) = match f.ty {
                Type::Array(_, len) => (
                    Storage::Array {
                        element,
                        len,
                        stride: elem_size,
                    },
                    u64::from(elem_size) * u64::from(len),
                ),
                _ => (
                    match element {
                        Inline::Scalar { scalar } => Storage::Scalar { scalar },
                        Inline::Struct { id } => Storage::Struct { id },
                    },
                    u64::from(elem_size),
                ),
            };
            let Some((offset, new_end)) = place(end, size, elem_align) else {
                self.too_large(def.info.span, &name);
                return empty_struct();
            };
            fields.push(StructFieldLayout {
                name: f.name.clone(),
                offset: offset as u32,
                size: size as u32,
                align: elem_align,
                padding_before: (offset - end) as u32,
                storage,
                type_name: self.schema.type_name(f.ty),
            });
            end = new_end;
            align = align.max(elem_align);
        }
        if let Some(forced) = def.force_align {
            if forced < align {
                let message = format!(
                    "force_align {forced} is below the natural alignment {align} of `{name}`"
                );
                self.reporter
                    .error(&self.schema.sources, def.info.span, message);
            }
            align = align.max(forced);
        }
        let Some(size) = align_up(end, align).filter(|s| *s <= u64::from(MAX_MESSAGE_SIZE)) else {
            self.too_large(def.info.span, &name);
            return empty_struct();
        };
        StructLayout {
            name,
            identity,
            tag,
            size: size as u32,
            align,
            fields,
            padding_after: (size - end) as u32,
        }
    }

    fn element_identity(&self, base: BaseType) -> String {
        match base {
            BaseType::Scalar(s) => s.name().to_string(),
            BaseType::Enum(e) => self.schema.enum_def(e).underlying.name().to_string(),
            BaseType::String => STRING_IDENTITY.to_string(),
            BaseType::Struct(id) => identity_of(&self.schema.struct_def(id).info),
            BaseType::Table(id) => identity_of(&self.schema.table_def(id).info),
            BaseType::Union(id) => self.schema.union_def(id).info.name.dotted(),
        }
    }

    /// A single value of `base` in a table or vector: storage, size, alignment.
    fn slot(&mut self, base: BaseType) -> (Storage, u32, u32) {
        let reference = |target| (Storage::Ref { target }, REF_SIZE, REF_SIZE);
        match base {
            BaseType::Scalar(s) => (Storage::Scalar { scalar: s }, s.size(), s.size()),
            BaseType::Enum(e) => {
                let s = self.schema.enum_def(e).underlying;
                (Storage::Scalar { scalar: s }, s.size(), s.size())
            }
            BaseType::Struct(id) => {
                let (size, align) = self.structs[id.0 as usize]
                    .as_ref()
                    .map_or((0, 1), |l| (l.size, l.align));
                (Storage::Struct { id }, size, align)
            }
            BaseType::String => reference(RefTarget::String),
            BaseType::Table(id) => reference(RefTarget::Table(id)),
            BaseType::Union(id) => reference(RefTarget::Union(id)),
        }
    }

    fn vector_of(&mut self, base: BaseType, span: Span) -> VectorId {
        let identity = vector_identity(&self.element_identity(base));
        if let Some(&id) = self.vector_ids.get(&identity) {
            return id;
        }
        let tag = self.claim_tag(&identity, Some(span));
        let (element, stride, align) = self.slot(base);
        let id = VectorId(self.vectors.len() as u32);
        self.vectors.push(VectorLayout {
            identity: identity.clone(),
            tag,
            tagged: matches!(element, Storage::Ref { .. }),
            element,
            stride,
            body_align: align.max(OBJECT_ALIGN),
        });
        self.vector_ids.insert(identity, id);
        id
    }

    fn table_layout(&mut self, id: TableId) -> TableLayout {
        let schema = self.schema;
        let def = schema.table_def(id);
        let name = def.info.name.dotted();
        let identity = identity_of(&def.info);
        let tag = self.claim_tag(&identity, Some(def.info.span));
        let mut members: Vec<Member> = Vec::new();
        let mut fields = Vec::with_capacity(def.fields.len());
        let mut body = Body::default();
        let mut body_align = OBJECT_ALIGN;
        let mut overflow = false;
        for (index, f) in def.fields.iter().enumerate() {
            let into_gap = reads_absent_from_zeros(f);
            let mut field_end = 0;
            let mut push = |member_name: String, role, storage, size: u32, align: u32| {
                let Some(offset) = body.place(size, align, into_gap) else {
                    overflow = true;
                    return 0;
                };
                field_end = field_end.max(offset + size);
                members.push(Member {
                    name: member_name,
                    field: index as u32,
                    role,
                    offset,
                    size,
                    align,
                    storage,
                });
                body_align = body_align.max(align);
                members.len() as u32 - 1
            };
            let ubyte = Storage::Scalar {
                scalar: ScalarType::UByte,
            };
            let mut union_type = None;
            let mut presence = None;
            let (storage, size, align) = match f.ty {
                Type::Base(BaseType::Union(u)) => {
                    let scalar = self.schema.union_def(u).underlying;
                    union_type = Some(push(
                        format!("{}_type", f.name),
                        MemberRole::UnionType,
                        Storage::Scalar { scalar },
                        scalar.size(),
                        scalar.size(),
                    ));
                    self.slot(f.ty.base())
                }
                Type::Vector(base) => {
                    if let BaseType::Union(u) = base {
                        let scalar = self.schema.union_def(u).underlying;
                        let types = self.vector_of(BaseType::Scalar(scalar), f.span);
                        let storage = Storage::Ref {
                            target: RefTarget::Vector(types),
                        };
                        union_type = Some(push(
                            format!("{}_type", f.name),
                            MemberRole::UnionType,
                            storage,
                            REF_SIZE,
                            REF_SIZE,
                        ));
                    }
                    let vector = self.vector_of(base, f.span);
                    let target = RefTarget::Vector(vector);
                    (Storage::Ref { target }, REF_SIZE, REF_SIZE)
                }
                Type::Base(base) => {
                    // Optional scalars and non-required structs can be absent: both carry a
                    // presence byte (a struct's bytes cannot say "null" themselves).
                    let nullable_struct =
                        matches!(base, BaseType::Struct(_)) && f.presence != Presence::Required;
                    if f.presence == Presence::Optional || nullable_struct {
                        presence = Some(push(
                            format!("{}.present", f.name),
                            MemberRole::Presence,
                            ubyte,
                            1,
                            1,
                        ));
                    }
                    self.slot(base)
                }
                Type::Array(..) => continue,
            };
            let value = push(f.name.clone(), MemberRole::Value, storage, size, align);
            fields.push(FieldLayout {
                name: f.name.clone(),
                value_member: value,
                union_type_member: union_type,
                presence_member: presence,
                present_if_body_at_least: field_end,
                type_name: self.schema.type_name(f.ty),
                default: f.default.clone(),
            });
        }
        if overflow {
            self.too_large(def.info.span, &name);
        }
        TableLayout {
            name,
            identity,
            tag,
            body_size: body.end as u32,
            leaf: false,
            body_align,
            members,
            fields,
        }
    }
}

/// Whether zero bytes in every member of field `f` read as the field being absent (null, NONE,
/// not present, or a default that is zero in every bit): such a field may take a gap, whose
/// bytes an older writer wrote as zero padding (`docs/layout.md`, section 8).
pub(crate) fn reads_absent_from_zeros(f: &TableField) -> bool {
    match f.ty {
        Type::Base(BaseType::Scalar(_) | BaseType::Enum(_)) => {
            f.presence == Presence::Optional
                || match f.default {
                    DefaultValue::Integer(v) => v == 0,
                    DefaultValue::Float(v) => v.to_bits() == 0,
                    _ => true,
                }
        }
        Type::Base(BaseType::Struct(_)) => f.presence != Presence::Required,
        _ => true,
    }
}

/// A table body being laid out: its end so far and the gaps alignment left below it.
#[derive(Default)]
struct Body {
    end: u64,
    /// Free ranges below `end`, `(start, end)`, in increasing order.
    gaps: Vec<(u64, u64)>,
}

impl Body {
    /// Places `size` bytes at a multiple of `align`: in the lowest gap that holds them when
    /// `into_gap`, else after the end. The offset, or `None` when the body outgrows a message.
    fn place(&mut self, size: u32, align: u32, into_gap: bool) -> Option<u32> {
        let (size, align) = (u64::from(size), u64::from(align.max(1)));
        if into_gap {
            let fits = self.gaps.iter().enumerate().find_map(|(i, &(start, end))| {
                let offset = start.div_ceil(align) * align;
                (offset + size <= end).then_some((i, offset))
            });
            if let Some((i, offset)) = fits {
                let (start, end) = self.gaps.remove(i);
                let mut at = i;
                for piece in [(start, offset), (offset + size, end)] {
                    if piece.0 < piece.1 {
                        self.gaps.insert(at, piece);
                        at += 1;
                    }
                }
                return u32::try_from(offset).ok();
            }
        }
        let (offset, new_end) = place(self.end, size, align as u32)?;
        if offset > self.end {
            self.gaps.push((self.end, offset));
        }
        self.end = new_end;
        u32::try_from(offset).ok()
    }
}

/// Whether a table's objects reach no table: no field refers to a table, a union or a vector
/// of either, and none holds a nested message. A verifier checks such a table at every
/// reference, in time its schema bounds, instead of remembering it (`docs/layout.md`,
/// section 13).
fn is_leaf(t: &TableLayout, def: &crate::schema::TableDef, vectors: &[VectorLayout]) -> bool {
    let reaches_tables = |target: RefTarget| match target {
        RefTarget::String => false,
        RefTarget::Table(_) | RefTarget::Union(_) => true,
        RefTarget::Vector(v) => vectors.get(v.0 as usize).is_none_or(|v| {
            matches!(
                v.element,
                Storage::Ref {
                    target: RefTarget::Table(_) | RefTarget::Union(_)
                }
            )
        }),
    };
    let nested = def.fields.iter().any(|f| f.nested_flatbuffer.is_some());
    !nested
        && t.members.iter().all(|m| match m.storage {
            Storage::Ref { target } => !reaches_tables(target),
            _ => true,
        })
}
