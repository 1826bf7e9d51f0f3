//! Makes the [`Model`] of a schema from the schema and its layout: each decision once.

use super::*;
use crate::layout::format::NESTED_ALIGN;
use crate::layout::{
    Layout, Member as LayoutMember, RefTarget, Storage, StructLayout, TableLayout,
};
use crate::schema::{
    BaseType, DefaultValue, Presence, Schema, ServiceDef, StructDef, TableDef, TableField, Type,
    UnionMemberType,
};

/// A schema and a layout that do not fit together (a layout made from another schema, say):
/// the model cannot say what a printer needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{item}: {problem}")]
pub struct ModelError {
    /// The type or field concerned.
    pub item: String,
    /// What the layout lacks.
    pub problem: String,
}

fn missing(item: impl Into<String>, problem: impl Into<String>) -> ModelError {
    ModelError {
        item: item.into(),
        problem: problem.into(),
    }
}

impl Model {
    /// The model of `schema`, laid out as `layout` (which must be `Layout::new(schema)`);
    /// `source` names the schema file in generated code.
    pub fn new(schema: &Schema, layout: &Layout, source: &str) -> Result<Model, ModelError> {
        let enums = schema
            .enums
            .iter()
            .map(|e| Enum {
                name: e.info.name.clone(),
                doc: e.info.doc.clone(),
                underlying: e.underlying,
                bit_flags: e.bit_flags,
                values: e
                    .values
                    .iter()
                    .map(|v| EnumValue {
                        name: v.name.clone(),
                        value: v.value,
                        doc: v.doc.clone(),
                    })
                    .collect(),
            })
            .collect();
        let structs = schema
            .structs
            .iter()
            .zip(&layout.structs)
            .map(|(def, sl)| structure(schema, layout, def, sl))
            .collect::<Result<_, _>>()?;
        let unions = (0..schema.unions.len())
            .map(|i| union(schema, layout, UnionId(i as u32)))
            .collect::<Result<_, _>>()?;
        let vectors = layout
            .vectors
            .iter()
            .map(|v| {
                Ok(Vector {
                    identity: v.identity.clone(),
                    tag: v.tag,
                    tagged: v.tagged,
                    stride: v.stride,
                    body_align: v.body_align,
                    element: vector_element(v.element)
                        .ok_or_else(|| missing(&v.identity, "elements the layout cannot store"))?,
                })
            })
            .collect::<Result<_, ModelError>>()?;
        let tables = schema
            .tables
            .iter()
            .zip(&layout.tables)
            .map(|(def, tl)| table(schema, layout, def, tl))
            .collect::<Result<_, _>>()?;
        if schema.structs.len() != layout.structs.len()
            || schema.tables.len() != layout.tables.len()
        {
            return Err(missing(source, "the layout is not this schema's"));
        }
        Ok(Model {
            source: source.to_string(),
            file_identifier: layout.file_identifier,
            root: schema.root_table,
            enums,
            structs,
            unions,
            tables,
            vectors,
            services: schema.services.iter().map(|s| service(layout, s)).collect(),
        })
    }
}

/// An inline value of schema type `base` (a scalar, enum or struct).
fn inline(schema: &Schema, base: BaseType) -> Option<Inline> {
    Some(match base {
        BaseType::Scalar(ScalarType::Bool) => Inline::Bool,
        BaseType::Scalar(scalar) => Inline::Scalar { scalar },
        BaseType::Enum(id) => Inline::Enum {
            id,
            underlying: schema.enum_def(id).underlying,
        },
        BaseType::Struct(id) => Inline::Struct { id },
        BaseType::String | BaseType::Table(_) | BaseType::Union(_) => return None,
    })
}

fn structure(
    schema: &Schema,
    layout: &Layout,
    def: &StructDef,
    sl: &StructLayout,
) -> Result<Struct, ModelError> {
    let item = def.info.name.dotted();
    if def.fields.len() != sl.fields.len() {
        return Err(missing(item, "its layout has another number of fields"));
    }
    let fields = def
        .fields
        .iter()
        .zip(&sl.fields)
        .map(|(f, fl)| {
            let not_inline = || missing(format!("{item}.{}", f.name), "not an inline type");
            let ty = match (f.ty, fl.storage) {
                (Type::Array(base, len), Storage::Array { stride, .. }) => StructFieldType::Array {
                    element: inline(schema, base).ok_or_else(not_inline)?,
                    len,
                    stride,
                },
                (Type::Base(base), _) => StructFieldType::Value {
                    value: inline(schema, base).ok_or_else(not_inline)?,
                },
                _ => return Err(not_inline()),
            };
            Ok(StructField {
                name: f.name.clone(),
                doc: f.doc.clone(),
                offset: fl.offset,
                padding_before: fl.padding_before,
                ty,
            })
        })
        .collect::<Result<_, _>>()?;
    let mut padding = Vec::new();
    padding_runs(layout, sl, 0, &mut padding);
    Ok(Struct {
        name: def.info.name.clone(),
        doc: def.info.doc.clone(),
        identity: sl.identity.clone(),
        tag: sl.tag,
        size: sl.size,
        align: sl.align,
        natural_align: sl.fields.iter().map(|f| f.align).max().unwrap_or(1),
        fields,
        padding_after: sl.padding_after,
        padding,
    })
}

/// The padding of struct `sl` placed at `base`, nested structs and arrays included, as
/// `(offset, length)` runs, adjacent runs merged.
fn padding_runs(layout: &Layout, sl: &StructLayout, base: u32, out: &mut Vec<(u32, u32)>) {
    let push = |at: u32, len: u32, out: &mut Vec<(u32, u32)>| {
        if len == 0 {
            return;
        }
        match out.last_mut() {
            Some(last) if last.0 + last.1 == at => last.1 += len,
            _ => out.push((at, len)),
        }
    };
    for f in &sl.fields {
        push(base + f.offset - f.padding_before, f.padding_before, out);
        match f.storage {
            Storage::Struct { id } => {
                padding_runs(layout, layout.struct_layout(id), base + f.offset, out);
            }
            Storage::Array {
                element: crate::layout::Inline::Struct { id },
                len,
                stride,
            } => {
                for i in 0..len {
                    let inner = layout.struct_layout(id);
                    padding_runs(layout, inner, base + f.offset + i * stride, out);
                }
            }
            _ => {}
        }
    }
    push(base + sl.size - sl.padding_after, sl.padding_after, out);
}

fn union(schema: &Schema, layout: &Layout, id: UnionId) -> Result<Union, ModelError> {
    let def = schema.union_def(id);
    let ul = layout.union_layout(id);
    let item = def.info.name.dotted();
    if def.members.len() != ul.members.len() {
        return Err(missing(item, "its layout has another number of members"));
    }
    let members = def
        .members
        .iter()
        .zip(&ul.members)
        .map(|(m, ml)| UnionMember {
            name: m.name.clone(),
            doc: m.doc.clone(),
            discriminant: m.value,
            tag: ml.tag,
            target: match m.ty {
                UnionMemberType::Table(id) => UnionTarget::Table { id },
                UnionMemberType::Struct(id) => {
                    let sl = layout.struct_layout(id);
                    UnionTarget::Struct {
                        id,
                        size: sl.size,
                        align: sl.align,
                    }
                }
                UnionMemberType::String => UnionTarget::String,
            },
        })
        .collect();
    Ok(Union {
        name: def.info.name.clone(),
        doc: def.info.doc.clone(),
        discriminant: def.underlying,
        members,
    })
}

fn vector_element(storage: Storage) -> Option<VectorElement> {
    Some(match storage {
        Storage::Scalar { scalar } => VectorElement::Scalar { scalar },
        Storage::Struct { id } => VectorElement::Struct { id },
        Storage::Ref {
            target: RefTarget::String,
        } => VectorElement::String,
        Storage::Ref {
            target: RefTarget::Table(id),
        } => VectorElement::Table { id },
        Storage::Ref {
            target: RefTarget::Union(id),
        } => VectorElement::Union { id },
        Storage::Ref {
            target: RefTarget::Vector(_),
        }
        | Storage::Array { .. } => return None,
    })
}

fn member_storage(storage: Storage) -> Option<MemberStorage> {
    Some(match storage {
        Storage::Scalar { scalar } => MemberStorage::Scalar { scalar },
        Storage::Struct { id } => MemberStorage::Struct { id },
        Storage::Ref { target } => match target {
            RefTarget::String => MemberStorage::String,
            RefTarget::Table(id) => MemberStorage::Table { id },
            RefTarget::Vector(id) => MemberStorage::Vector { id },
            RefTarget::Union(id) => MemberStorage::Union { id },
        },
        Storage::Array { .. } => return None,
    })
}

/// The scalar value of schema type `base`.
fn value(schema: &Schema, base: BaseType) -> Option<Value> {
    Some(match base {
        BaseType::Scalar(ScalarType::Bool) => Value::Bool,
        BaseType::Scalar(scalar) => Value::Scalar { scalar },
        BaseType::Enum(id) => Value::Enum {
            id,
            underlying: schema.enum_def(id).underlying,
        },
        _ => return None,
    })
}

/// The typed default of a field of type `value` whose schema default is `default`.
fn scalar_default(value: Value, default: &DefaultValue) -> Option<ScalarDefault> {
    Some(match (value.scalar(), default) {
        (ScalarType::Bool, DefaultValue::Integer(v)) => ScalarDefault::Bool(*v != 0),
        (ScalarType::Bool, DefaultValue::None) => ScalarDefault::Bool(false),
        (s, DefaultValue::Integer(v)) if s.is_float() => ScalarDefault::Float(*v as f64),
        (s, DefaultValue::Float(v)) if s.is_float() => ScalarDefault::Float(*v),
        (s, DefaultValue::None) if s.is_float() => ScalarDefault::Float(0.0),
        (_, DefaultValue::Integer(v)) => ScalarDefault::Int(*v),
        (_, DefaultValue::None) => ScalarDefault::Int(0),
        _ => return None,
    })
}

/// Where a table's facts are looked up, for one field.
struct FieldFacts<'a> {
    item: String,
    tl: &'a TableLayout,
    index: usize,
}

impl FieldFacts<'_> {
    fn member(&self, index: Option<u32>, what: &str) -> Result<&LayoutMember, ModelError> {
        index
            .and_then(|i| self.tl.members.get(i as usize))
            .ok_or_else(|| missing(&self.item, format!("its layout has no {what} member")))
    }

    fn offset(&self, index: Option<u32>, what: &str) -> Result<u32, ModelError> {
        self.member(index, what).map(|m| m.offset)
    }

    fn vector(&self, index: Option<u32>, what: &str) -> Result<VectorId, ModelError> {
        match self.member(index, what)?.storage {
            Storage::Ref {
                target: RefTarget::Vector(id),
            } => Ok(id),
            _ => Err(missing(
                &self.item,
                format!("its {what} member is not a vector"),
            )),
        }
    }
}

fn field_kind(
    schema: &Schema,
    layout: &Layout,
    f: &TableField,
    facts: &FieldFacts<'_>,
) -> Result<FieldKind, ModelError> {
    let fl = &facts.tl.fields[facts.index];
    let offset = facts.offset(Some(fl.value_member), "value")?;
    let required = f.presence == Presence::Required;
    Ok(match f.ty {
        Type::Base(BaseType::String) => FieldKind::String {
            offset,
            required,
            default: match &f.default {
                DefaultValue::String(s) => Some(s.clone()),
                _ => None,
            },
        },
        Type::Base(BaseType::Table(id)) => FieldKind::Table {
            offset,
            id,
            required,
        },
        Type::Base(BaseType::Union(id)) => FieldKind::Union {
            offset,
            discriminant: facts.offset(fl.union_type_member, "discriminant")?,
            id,
            required,
        },
        Type::Base(BaseType::Struct(id)) => FieldKind::Struct {
            offset,
            id,
            presence: match f.presence {
                Presence::Required => None,
                _ => Some(facts.offset(fl.presence_member, "presence")?),
            },
        },
        Type::Base(base) => {
            let value = value(schema, base).ok_or_else(|| missing(&facts.item, "not a value"))?;
            if f.presence == Presence::Optional {
                FieldKind::Optional {
                    offset,
                    presence: facts.offset(fl.presence_member, "presence")?,
                    value,
                }
            } else {
                FieldKind::Scalar {
                    offset,
                    value,
                    default: scalar_default(value, &fl.default)
                        .ok_or_else(|| missing(&facts.item, "a default of another type"))?,
                }
            }
        }
        Type::Vector(BaseType::Union(id)) => FieldKind::UnionVector {
            offset,
            discriminants: facts.offset(fl.union_type_member, "discriminants")?,
            id,
            types: facts.vector(fl.union_type_member, "discriminants")?,
            values: facts.vector(Some(fl.value_member), "value")?,
            required,
        },
        Type::Vector(base) => FieldKind::Vector {
            offset,
            vector: facts.vector(Some(fl.value_member), "value")?,
            body_align: {
                let v = layout.vector(facts.vector(Some(fl.value_member), "value")?);
                match f.nested_flatbuffer {
                    Some(_) => v.body_align.max(NESTED_ALIGN),
                    None => v.body_align,
                }
            },
            element: match base {
                BaseType::String => Element::String,
                BaseType::Table(id) => Element::Table { id },
                other => Element::Inline {
                    value: inline(schema, other)
                        .ok_or_else(|| missing(&facts.item, "a vector of vectors"))?,
                },
            },
            required,
            nested: f.nested_flatbuffer,
        },
        Type::Array(..) => return Err(missing(&facts.item, "a fixed-size array in a table")),
    })
}

fn table(
    schema: &Schema,
    layout: &Layout,
    def: &TableDef,
    tl: &TableLayout,
) -> Result<Table, ModelError> {
    let name = def.info.name.dotted();
    if def.fields.len() != tl.fields.len() {
        return Err(missing(name, "its layout has another number of fields"));
    }
    let members = tl
        .members
        .iter()
        .map(|m| {
            Ok(Member {
                name: m.name.clone(),
                field: m.field,
                role: m.role,
                offset: m.offset,
                size: m.size,
                storage: member_storage(m.storage)
                    .ok_or_else(|| missing(format!("{name}.{}", m.name), "an array member"))?,
            })
        })
        .collect::<Result<_, ModelError>>()?;
    let mut fields = Vec::with_capacity(def.fields.len());
    for (index, (f, fl)) in def.fields.iter().zip(&tl.fields).enumerate() {
        let facts = FieldFacts {
            item: format!("{name}.{}", f.name),
            tl,
            index,
        };
        fields.push(Field {
            name: f.name.clone(),
            id: f.id,
            doc: f.doc.clone(),
            deprecated: f.deprecated,
            key: f.key,
            type_name: fl.type_name.clone(),
            end: fl.present_if_body_at_least,
            kind: field_kind(schema, layout, f, &facts)?,
        });
    }
    let prefill = fields
        .iter()
        .filter_map(|f| match f.kind {
            FieldKind::Scalar {
                offset,
                value,
                default,
            } if !default.is_zero() => Some(Prefill {
                offset,
                value,
                default,
            }),
            _ => None,
        })
        .collect();
    let checks = fields.iter().map(|f| checks::check(layout, f)).collect();
    Ok(Table {
        name: def.info.name.clone(),
        doc: def.info.doc.clone(),
        identity: tl.identity.clone(),
        tag: tl.tag,
        body_size: tl.body_size,
        leaf: tl.leaf,
        body_align: tl.body_align,
        members,
        fields,
        prefill,
        checks,
    })
}

fn service(layout: &Layout, s: &ServiceDef) -> Service {
    let _ = layout;
    Service {
        name: s.info.name.clone(),
        doc: s.info.doc.clone(),
        methods: s
            .methods
            .iter()
            .map(|m| Method {
                name: m.name.clone(),
                doc: m.doc.clone(),
                path: format!("/{}/{}", s.info.name.dotted(), m.name),
                request: m.request,
                response: m.response,
                streaming: m.streaming,
                idempotent: m.idempotent,
            })
            .collect(),
    }
}
