//! Structs and tables: field types, ids, defaults and field attributes.

use std::collections::{HashMap, HashSet};

use super::super::ast::{
    AstBase, AstField, AstObject, AstType, AstTypeKind, AstValue, AstValueKind,
};
use super::super::model::*;
use super::super::source::Span;
use super::{Number, Resolver, Symbol, parse_number};

/// The largest fixed-size array, as in flatc (its length is stored as a `uint16`).
const MAX_ARRAY_LEN: i128 = 0xFFFF;
/// The largest `force_align`, as in flatc.
pub(crate) const MAX_FORCE_ALIGN: u64 = 32;

impl Resolver<'_> {
    fn base_type(&mut self, base: &AstBase, scope: &[String]) -> Option<BaseType> {
        match base {
            AstBase::Scalar(s) => Some(BaseType::Scalar(*s)),
            AstBase::String => Some(BaseType::String),
            AstBase::Named(path) => match self.lookup(path, scope) {
                Some(Symbol::Table(id)) => Some(BaseType::Table(id)),
                Some(Symbol::Struct(id)) => Some(BaseType::Struct(id)),
                Some(Symbol::Enum(id)) => Some(BaseType::Enum(id)),
                Some(Symbol::Union(id)) => Some(BaseType::Union(id)),
                Some(Symbol::Service) => {
                    self.error(
                        path.span,
                        format!("`{}` is an rpc_service, not a type", path.dotted()),
                    );
                    None
                }
                None => {
                    self.unknown_type(path);
                    None
                }
            },
        }
    }

    fn field_type(&mut self, ty: &AstType, scope: &[String]) -> Option<Type> {
        match &ty.kind {
            AstTypeKind::Base(b) => self.base_type(b, scope).map(Type::Base),
            AstTypeKind::Vector(b) => self.base_type(b, scope).map(Type::Vector),
            AstTypeKind::Array(b, len) => {
                let base = self.base_type(b, scope);
                let len = self.integer(len, "an array length")?;
                if !(1..=MAX_ARRAY_LEN).contains(&len) {
                    self.error(
                        ty.span,
                        format!("an array length must be from 1 to {MAX_ARRAY_LEN}, not {len}"),
                    );
                    return None;
                }
                Some(Type::Array(base?, u32::try_from(len).ok()?))
            }
        }
    }

    pub(super) fn struct_def(&mut self, ast: &AstObject, enums: &[EnumDef]) -> StructDef {
        let info = self.info(&ast.namespace, &ast.name, &ast.doc, &ast.attrs, ast.span);
        if ast.fields.is_empty() {
            self.error(
                ast.span,
                format!(
                    "struct `{}` has no fields; a struct needs at least one",
                    ast.name
                ),
            );
        }
        let force_align = find_attr(&info.attrs, "force_align")
            .cloned()
            .and_then(|a| {
                let v = self.attr_uint(&a, u64::from(u32::MAX))?;
                if !v.is_power_of_two() || v > MAX_FORCE_ALIGN {
                    self.error(
                        a.span,
                        format!(
                            "force_align must be a power of two from 1 to {MAX_FORCE_ALIGN}, not {v}"
                        ),
                    );
                    return None;
                }
                u32::try_from(v).ok()
            });
        let mut names = HashSet::new();
        let mut fields = Vec::with_capacity(ast.fields.len());
        for f in &ast.fields {
            if !names.insert(f.name.as_str()) {
                self.error(
                    f.span,
                    format!("field `{}` is declared twice in `{}`", f.name, ast.name),
                );
            }
            if let Some(default) = &f.default {
                self.error(default.span, "struct fields cannot have default values");
            }
            let attrs = self.attrs(&f.attrs);
            if let Some(a) = find_attr(&attrs, "deprecated") {
                self.error(
                    a.span,
                    "struct fields cannot be deprecated: a struct's layout is fixed",
                );
            }
            let Some(ty) = self.field_type(&f.ty, &ast.namespace) else {
                continue;
            };
            let allowed = matches!(
                ty,
                Type::Base(BaseType::Scalar(_) | BaseType::Enum(_) | BaseType::Struct(_))
                    | Type::Array(
                        BaseType::Scalar(_) | BaseType::Enum(_) | BaseType::Struct(_),
                        _
                    )
            );
            if !allowed {
                self.error(
                    f.ty.span,
                    format!(
                        "struct field `{}` cannot be `{}`: structs hold only scalars, enums, \
                         structs and fixed-size arrays of those",
                        f.name,
                        self.ast_type_text(&f.ty)
                    ),
                );
                continue;
            }
            if let BaseType::Enum(id) = ty.base() {
                self.check_zero_is_a_value(f, id, enums, true);
            }
            fields.push(StructField {
                name: f.name.clone(),
                ty,
                doc: f.doc.clone(),
                attrs,
                span: f.span,
            });
        }
        StructDef {
            info,
            fields,
            force_align,
        }
    }

    fn ast_type_text(&self, ty: &AstType) -> String {
        self.sources
            .get(ty.span.file)
            .and_then(|f| f.text.get(ty.span.start as usize..ty.span.end as usize))
            .unwrap_or("?")
            .to_string()
    }

    /// Reports every struct that contains itself, directly or through other structs.
    pub(super) fn check_struct_cycles(&mut self, structs: &[StructDef]) {
        let edges: Vec<Vec<usize>> = structs
            .iter()
            .map(|s| {
                s.fields
                    .iter()
                    .filter_map(|f| match f.ty.base() {
                        BaseType::Struct(id) => Some(id.0 as usize),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        // 0 = unvisited, 1 = on the current path, 2 = done. Iterative, so a chain of
        // thousands of nested structs cannot overflow the stack.
        let mut state = vec![0u8; structs.len()];
        for start in 0..structs.len() {
            if state[start] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let Some(&child) = edges.get(node).and_then(|e| e.get(*next)) else {
                    state[node] = 2;
                    stack.pop();
                    continue;
                };
                *next += 1;
                match state.get(child).copied() {
                    Some(0) => {
                        state[child] = 1;
                        stack.push((child, 0));
                    }
                    Some(1) => {
                        let path: Vec<String> = stack
                            .iter()
                            .skip_while(|(n, _)| *n != child)
                            .map(|(n, _)| structs[*n].info.name.name.clone())
                            .chain(std::iter::once(structs[child].info.name.name.clone()))
                            .collect();
                        self.error(
                            structs[child].info.span,
                            format!(
                                "struct `{}` contains itself ({}); use a table to nest a type in itself",
                                structs[child].info.name.name,
                                path.join(" -> ")
                            ),
                        );
                    }
                    _ => {}
                }
            }
        }
    }

    pub(super) fn table_def(&mut self, ast: &AstObject, enums: &[EnumDef]) -> TableDef {
        let info = self.info(&ast.namespace, &ast.name, &ast.doc, &ast.attrs, ast.span);
        let mut names: HashMap<&str, &AstField> = HashMap::new();
        for f in &ast.fields {
            if names.insert(f.name.as_str(), f).is_some() {
                self.error(
                    f.span,
                    format!("field `{}` is declared twice in `{}`", f.name, ast.name),
                );
            }
        }
        let mut fields = Vec::with_capacity(ast.fields.len());
        for f in &ast.fields {
            if let Some(field) = self.table_field(f, &ast.namespace, enums) {
                fields.push(field);
            }
        }
        // A union's discriminant is a hidden field named `<name>_type`.
        for f in &fields {
            if matches!(f.ty.base(), BaseType::Union(_)) {
                let hidden = format!("{}_type", f.name);
                if let Some(clash) = names.get(hidden.as_str()) {
                    self.error(
                        clash.span,
                        format!(
                            "field `{hidden}` clashes with the type field of union `{}`",
                            f.name
                        ),
                    );
                }
            }
        }
        self.assign_ids(ast, &mut fields);
        let keys: Vec<&TableField> = fields.iter().filter(|f| f.key).collect();
        if let [first, second, ..] = keys.as_slice() {
            self.error(
                second.span,
                format!(
                    "table `{}` has more than one key field (`{}` and `{}`)",
                    ast.name, first.name, second.name
                ),
            );
        }
        TableDef { info, fields }
    }

    fn table_field(
        &mut self,
        f: &AstField,
        scope: &[String],
        enums: &[EnumDef],
    ) -> Option<TableField> {
        let attrs = self.attrs(&f.attrs);
        let ty = self.field_type(&f.ty, scope)?;
        if let Type::Array(..) = ty {
            self.error(
                f.ty.span,
                "fixed-size arrays are only allowed in structs; use a vector in a table",
            );
            return None;
        }
        let is_scalar = matches!(ty, Type::Base(BaseType::Scalar(_) | BaseType::Enum(_)));
        let optional = matches!(&f.default, Some(AstValue { kind: AstValueKind::Ident(w), .. }) if w == "null");
        if let (None, Type::Base(BaseType::Enum(id))) = (&f.default, ty) {
            self.check_zero_is_a_value(f, id, enums, false);
        }
        let default = match &f.default {
            Some(v) if optional => {
                if !is_scalar {
                    self.error(v.span, "only scalar fields can be optional (`= null`)");
                }
                DefaultValue::None
            }
            other => self.default_value(&f.name, ty, other.as_ref(), enums),
        };
        let required = find_attr(&attrs, "required");
        if let Some(a) = required
            && is_scalar
        {
            self.error(
                a.span,
                "only non-scalar fields (strings, vectors, tables, structs, unions) can be `required`",
            );
        }
        let key = find_attr(&attrs, "key");
        if let Some(a) = key {
            let keyable = matches!(
                ty,
                Type::Base(BaseType::Scalar(_) | BaseType::Enum(_) | BaseType::String)
            );
            if !keyable {
                self.error(a.span, "a `key` field must be a scalar or a string");
            } else if optional {
                self.error(a.span, "an optional (`= null`) field cannot be a `key`");
            }
        }
        let nested_flatbuffer = self.check_field_attrs(&attrs, ty, scope);
        let presence = if optional {
            Presence::Optional
        } else if required.is_some() && !is_scalar {
            Presence::Required
        } else {
            Presence::Default
        };
        Some(TableField {
            name: f.name.clone(),
            id: 0,
            ty,
            default,
            presence,
            deprecated: find_attr(&attrs, "deprecated").is_some(),
            key: key.is_some(),
            nested_flatbuffer,
            doc: f.doc.clone(),
            attrs,
            span: f.span,
        })
    }

    /// flatc's rule: a field of a (non-`bit_flags`) enum with no default starts as 0, so 0
    /// must be one of the enum's values. Struct fields can set no other default.
    fn check_zero_is_a_value(
        &mut self,
        f: &AstField,
        id: EnumId,
        enums: &[EnumDef],
        in_struct: bool,
    ) {
        let Some(e) = enums.get(id.0 as usize) else {
            return;
        };
        if e.bit_flags || e.values.is_empty() || e.values.iter().any(|v| v.value == 0) {
            return;
        }
        let hint = if in_struct {
            " (struct fields cannot have another default)".to_string()
        } else {
            format!("; give it a default, e.g. `= {}`", e.values[0].name)
        };
        self.error(
            f.ty.span,
            format!(
                "`{}` defaults to 0, which is not a value of enum `{}`{hint}",
                f.name, e.info.name.name
            ),
        );
    }

    /// Checks a table field's attributes; returns the table a `nested_flatbuffer` names.
    fn check_field_attrs(
        &mut self,
        attrs: &[Attribute],
        ty: Type,
        scope: &[String],
    ) -> Option<TableId> {
        let ubyte_vector = ty == Type::Vector(BaseType::Scalar(ScalarType::UByte));
        let mut nested = None;
        for a in attrs {
            match a.name.as_str() {
                "hash" => {
                    let width = match ty {
                        Type::Base(BaseType::Scalar(s)) | Type::Vector(BaseType::Scalar(s))
                            if s.is_integer() && s.size() >= 4 =>
                        {
                            Some(s.size() * 8)
                        }
                        _ => None,
                    };
                    let expected = match a.value.as_deref() {
                        Some("fnv1_32" | "fnv1a_32") => Some(32),
                        Some("fnv1_64" | "fnv1a_64") => Some(64),
                        _ => None,
                    };
                    match (width, expected) {
                        (None, _) => self.error(
                            a.span,
                            "`hash` needs a 32- or 64-bit integer field (int, uint, long, ulong) or a vector of them",
                        ),
                        (_, None) => self.error(
                            a.span,
                            "`hash` must be \"fnv1_32\", \"fnv1a_32\", \"fnv1_64\" or \"fnv1a_64\"",
                        ),
                        (Some(w), Some(e)) if w != e => self.error(
                            a.span,
                            format!("a {e}-bit hash does not fit a {w}-bit field"),
                        ),
                        _ => {}
                    }
                }
                "nested_flatbuffer" => {
                    if !ubyte_vector {
                        self.error(
                            a.span,
                            "`nested_flatbuffer` is only allowed on a `[ubyte]` field",
                        );
                    }
                    match a.value.as_deref() {
                        Some(name) => {
                            let parts: Vec<String> = name.split('.').map(str::to_string).collect();
                            let path = super::super::ast::Path {
                                parts,
                                span: a.span,
                            };
                            match self.lookup(&path, scope) {
                                Some(Symbol::Table(id)) => nested = Some(id),
                                Some(_) => self.error(
                                    a.span,
                                    format!(
                                        "`nested_flatbuffer` must name a table; `{name}` is not one"
                                    ),
                                ),
                                None => self.unknown_type(&path),
                            }
                        }
                        None => self.error(
                            a.span,
                            "`nested_flatbuffer` needs a table name: (nested_flatbuffer: \"T\")",
                        ),
                    }
                }
                "flexbuffer" if !ubyte_vector => {
                    self.error(a.span, "`flexbuffer` is only allowed on a `[ubyte]` field");
                }
                "force_align" if !matches!(ty, Type::Vector(_)) => {
                    self.error(
                        a.span,
                        "`force_align` on a table field is only allowed on vectors",
                    );
                }
                "offset64" if !matches!(ty, Type::Vector(_) | Type::Base(BaseType::String)) => {
                    self.error(a.span, "`offset64` is only allowed on vectors and strings");
                }
                "vector64" if !matches!(ty, Type::Vector(_)) => {
                    self.error(a.span, "`vector64` is only allowed on vectors");
                }
                _ => {}
            }
        }
        nested
    }

    /// Assigns ids (explicit, or in declared order) and sorts fields by id.
    fn assign_ids(&mut self, ast: &AstObject, fields: &mut [TableField]) {
        let with_id = fields
            .iter()
            .filter(|f| find_attr(&f.attrs, "id").is_some())
            .count();
        let is_union = |f: &TableField| matches!(f.ty.base(), BaseType::Union(_));
        if with_id == 0 {
            let mut next = 0u32;
            for f in fields.iter_mut() {
                if is_union(f) {
                    next += 1;
                }
                f.id = next;
                next += 1;
            }
            return;
        }
        if with_id != fields.len() {
            if let Some(f) = fields.iter().find(|f| find_attr(&f.attrs, "id").is_none()) {
                let span = f.span;
                let name = f.name.clone();
                self.error(
                    span,
                    format!(
                        "field `{name}` has no `id`: either all fields of `{}` have one or none does",
                        ast.name
                    ),
                );
            }
            return;
        }
        let mut used: Vec<(u32, String, Span)> = Vec::new();
        for f in fields.iter_mut() {
            let Some(attr) = find_attr(&f.attrs, "id").cloned() else {
                continue;
            };
            let Some(id) = self.attr_uint(&attr, u64::from(u16::MAX)) else {
                continue;
            };
            let id = u32::try_from(id).unwrap_or(0);
            if is_union(f) {
                if id == 0 {
                    self.error(
                        attr.span,
                        format!(
                            "union field `{}` needs an id of at least 1: its `{}_type` field takes id - 1",
                            f.name, f.name
                        ),
                    );
                    continue;
                }
                used.push((id - 1, format!("{}_type", f.name), attr.span));
            }
            used.push((id, f.name.clone(), attr.span));
            f.id = id;
        }
        used.sort_by_key(|(id, _, _)| *id);
        let mut expected = 0u32;
        for (i, (id, name, span)) in used.iter().enumerate() {
            if i > 0 && used[i - 1].0 == *id {
                self.error(
                    *span,
                    format!("id {id} is used by both `{}` and `{name}`", used[i - 1].1),
                );
                continue;
            }
            if *id != expected {
                self.error(
                    *span,
                    format!(
                        "field ids of `{}` must be dense from 0: id {expected} is missing (`{name}` has {id})",
                        ast.name
                    ),
                );
                return;
            }
            expected += 1;
        }
        fields.sort_by_key(|f| f.id);
    }

    fn default_value(
        &mut self,
        field: &str,
        ty: Type,
        value: Option<&AstValue>,
        enums: &[EnumDef],
    ) -> DefaultValue {
        let Some(value) = value else {
            return match ty {
                Type::Base(BaseType::Scalar(s)) if s.is_float() => DefaultValue::Float(0.0),
                Type::Base(BaseType::Scalar(_) | BaseType::Enum(_)) => DefaultValue::Integer(0),
                _ => DefaultValue::None,
            };
        };
        match (ty, &value.kind) {
            (Type::Base(BaseType::Scalar(s)), _) => self.scalar_default(field, s, value),
            (Type::Base(BaseType::Enum(id)), _) => match enums.get(id.0 as usize) {
                Some(e) => self.enum_default(field, e, value),
                None => DefaultValue::Integer(0),
            },
            (Type::Base(BaseType::String), AstValueKind::Str(s)) => DefaultValue::String(s.clone()),
            (Type::Base(BaseType::String), _) => {
                self.error(
                    value.span,
                    "the default of a string field must be a string literal",
                );
                DefaultValue::None
            }
            (Type::Vector(_), AstValueKind::EmptyList) => DefaultValue::EmptyVector,
            (Type::Vector(_), _) => {
                self.error(value.span, "the only default a vector can have is `[]`");
                DefaultValue::None
            }
            _ => {
                self.error(
                    value.span,
                    format!("field `{field}` cannot have a default value: only scalars, enums, strings and vectors can"),
                );
                DefaultValue::None
            }
        }
    }

    fn scalar_default(&mut self, field: &str, s: ScalarType, value: &AstValue) -> DefaultValue {
        let number = match &value.kind {
            AstValueKind::Number(t) => parse_number(t),
            AstValueKind::Ident(w) if s == ScalarType::Bool && (w == "true" || w == "false") => {
                return DefaultValue::Integer(i128::from(w == "true"));
            }
            AstValueKind::Ident(w) if s.is_float() => parse_number(w),
            _ => None,
        };
        let text = match &value.kind {
            AstValueKind::Number(t) | AstValueKind::Ident(t) => t.clone(),
            AstValueKind::Str(t) => format!("\"{t}\""),
            AstValueKind::EmptyList => "[]".into(),
        };
        match number {
            Some(Number::Int(v)) if s.is_float() => DefaultValue::Float(v as f64),
            Some(Number::Float(v)) if s.is_float() => {
                if s == ScalarType::Float && v.is_finite() && v.abs() > f64::from(f32::MAX) {
                    self.error(
                        value.span,
                        format!("default `{text}` of `{field}` does not fit in a float"),
                    );
                }
                DefaultValue::Float(v)
            }
            Some(Number::Int(v)) => {
                let (min, max) = s.int_range();
                if !(min..=max).contains(&v) {
                    self.error(
                        value.span,
                        format!(
                            "default {v} of `{field}` does not fit in `{}` ({min} to {max})",
                            s.name()
                        ),
                    );
                }
                DefaultValue::Integer(v)
            }
            _ => {
                let wanted = match s {
                    ScalarType::Bool => "`true`, `false`, 0 or 1",
                    _ if s.is_float() => "a number, `nan` or `inf`",
                    _ => "an integer",
                };
                self.error(
                    value.span,
                    format!(
                        "default `{text}` of `{field}` is not valid for `{}`: expected {wanted}",
                        s.name()
                    ),
                );
                DefaultValue::Integer(0)
            }
        }
    }

    fn enum_default(&mut self, field: &str, e: &EnumDef, value: &AstValue) -> DefaultValue {
        let enum_name = &e.info.name.name;
        let names: Vec<&str> = match &value.kind {
            AstValueKind::Ident(w) => vec![w.rsplit('.').next().unwrap_or(w)],
            AstValueKind::Str(s) => s.split_whitespace().collect(),
            AstValueKind::Number(t) => {
                let Some(Number::Int(v)) = parse_number(t) else {
                    self.error(
                        value.span,
                        format!("default `{t}` of `{field}` must be a value of enum `{enum_name}`"),
                    );
                    return DefaultValue::Integer(0);
                };
                let all_flags = e.values.iter().fold(0i128, |acc, v| acc | v.value);
                let valid = if e.bit_flags {
                    v >= 0 && v & !all_flags == 0
                } else {
                    e.values.iter().any(|ev| ev.value == v)
                };
                if !valid {
                    self.error(
                        value.span,
                        format!("default {v} of `{field}` is not a value of enum `{enum_name}`"),
                    );
                }
                return DefaultValue::Integer(v);
            }
            AstValueKind::EmptyList => Vec::new(),
        };
        if names.is_empty() || (names.len() > 1 && !e.bit_flags) {
            self.error(
                value.span,
                format!("default of `{field}` must name one value of enum `{enum_name}`"),
            );
            return DefaultValue::Integer(0);
        }
        let mut combined = 0i128;
        for name in names {
            match e.value_named(name) {
                Some(v) => combined |= v.value,
                None => {
                    let known: Vec<&str> = e.values.iter().map(|v| v.name.as_str()).collect();
                    self.error(
                        value.span,
                        format!(
                            "`{name}` is not a value of enum `{enum_name}` (it has {})",
                            known.join(", ")
                        ),
                    );
                }
            }
        }
        DefaultValue::Integer(combined)
    }
}
