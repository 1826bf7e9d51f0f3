//! JSON to [`Value`], by flatc's rules: enum values by name (`bit_flags` as space-separated
//! names), unions as `x_type` + `x` (in either order), numbers also as strings, strings hashed
//! into fields with a `hash` attribute, nested flatbuffers as objects, `null` as absent.

use super::syntax::{Json, JsonKind};
use crate::message::{Scalar, Value, encode_scalar};
use crate::schema::{
    BaseType, EnumId, Number, ScalarType, Schema, StructId, TableId, Type, UnionId,
    UnionMemberType, find_attr, parse_number,
};

/// A JSON value that does not fit the schema, with its position and path.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{line}:{col}: {path}: {message}")]
pub struct JsonValueError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
    /// Where in the value (`Monster.inventory[3]`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Converts parsed JSON into a value of table `root`.
pub fn value_from_json(
    schema: &Schema,
    root: TableId,
    json: &Json,
) -> Result<Value, JsonValueError> {
    let mut r = ReadJson {
        schema,
        path: vec![schema.table_def(root).info.name.name.clone()],
    };
    r.table(root, json)
}

struct ReadJson<'a> {
    schema: &'a Schema,
    path: Vec<String>,
}

fn describe(json: &Json) -> String {
    match &json.kind {
        JsonKind::Null => "null".into(),
        JsonKind::Bool(b) => b.to_string(),
        JsonKind::Number(n) => n.clone(),
        JsonKind::Word(w) => w.clone(),
        JsonKind::String(s) => format!("\"{s}\""),
        JsonKind::Array(_) => "an array".into(),
        JsonKind::Object(_) => "an object".into(),
    }
}

impl ReadJson<'_> {
    fn error(&self, at: &Json, message: impl Into<String>) -> JsonValueError {
        JsonValueError {
            line: at.line,
            col: at.col,
            path: self.path.concat(),
            message: message.into(),
        }
    }

    fn table(&mut self, id: TableId, json: &Json) -> Result<Value, JsonValueError> {
        let JsonKind::Object(members) = &json.kind else {
            return Err(self.error(
                json,
                format!("expected an object, found {}", describe(json)),
            ));
        };
        let def = self.schema.table_def(id);
        let mut values: Vec<Option<Value>> = vec![None; def.fields.len()];
        let mut given: Vec<Option<&Json>> = vec![None; def.fields.len()];
        let mut union_types: Vec<Option<&Json>> = vec![None; def.fields.len()];
        for (key, value) in members {
            if let Some(index) = def.fields.iter().position(|f| f.name == *key) {
                if given[index].replace(value).is_some() {
                    return Err(self.error(value, format!("field `{key}` is given twice")));
                }
                continue;
            }
            let union_field = key.strip_suffix("_type").and_then(|base| {
                def.fields
                    .iter()
                    .position(|f| f.name == base && matches!(f.ty.base(), BaseType::Union(_)))
            });
            match union_field {
                Some(index) => union_types[index] = Some(value),
                None => {
                    return Err(
                        self.error(value, format!("`{}` has no field `{key}`", def.info.name))
                    );
                }
            }
        }
        for (index, field) in def.fields.iter().enumerate() {
            let value = given[index].filter(|v| v.kind != JsonKind::Null);
            let union_type = union_types[index].filter(|v| v.kind != JsonKind::Null);
            if field.deprecated {
                continue;
            }
            self.path.push(format!(".{}", field.name));
            let converted = match (field.ty, value, union_type) {
                (_, None, None) => Ok(None),
                (Type::Base(BaseType::Union(u)), value, types) => {
                    self.union(u, types, value, json).map(Some)
                }
                (Type::Vector(BaseType::Union(u)), value, types) => {
                    self.union_vector(u, types, value, json).map(Some)
                }
                (_, Some(v), _) => {
                    let nested = crate::message::nested_root(self.schema, id, index);
                    match (nested, &v.kind) {
                        (Some(root), JsonKind::Object(_)) => self.table(root, v).map(Some),
                        _ => self.field_value(field.ty, v, &field.attrs).map(Some),
                    }
                }
                (_, None, Some(t)) => Err(self.error(t, "only union fields have a `_type`")),
            };
            self.path.pop();
            values[index] = converted?;
        }
        Ok(Value::Table(values))
    }

    fn field_value(
        &mut self,
        ty: Type,
        json: &Json,
        attrs: &[crate::schema::Attribute],
    ) -> Result<Value, JsonValueError> {
        match ty {
            Type::Base(base) => self.base(base, json, attrs),
            Type::Vector(base) | Type::Array(base, _) => {
                let JsonKind::Array(items) = &json.kind else {
                    return Err(
                        self.error(json, format!("expected an array, found {}", describe(json)))
                    );
                };
                if let Type::Array(_, len) = ty
                    && items.len() != len as usize
                {
                    return Err(self.error(
                        json,
                        format!("the array holds {len} elements; {} given", items.len()),
                    ));
                }
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    self.path.push(format!("[{i}]"));
                    let v = self.base(base, item, attrs);
                    self.path.pop();
                    out.push(v?);
                }
                if let Type::Vector(_) = ty {
                    sort_by_key(self.schema, base, &mut out);
                }
                Ok(Value::Vector(out))
            }
        }
    }

    fn base(
        &mut self,
        base: BaseType,
        json: &Json,
        attrs: &[crate::schema::Attribute],
    ) -> Result<Value, JsonValueError> {
        match base {
            BaseType::Scalar(s) => {
                let hash = find_attr(attrs, "hash").and_then(|a| a.value.as_deref());
                self.scalar(s, json, hash).map(Value::Scalar)
            }
            BaseType::Enum(e) => self.enumeration(e, json).map(Value::Scalar),
            BaseType::String => match &json.kind {
                JsonKind::String(s) => Ok(Value::String(s.clone())),
                _ => Err(self.error(json, format!("expected a string, found {}", describe(json)))),
            },
            BaseType::Struct(id) => self.structure(id, json),
            BaseType::Table(id) => self.table(id, json),
            BaseType::Union(_) => Err(self.error(json, "a union needs its `_type` field")),
        }
    }

    fn scalar(
        &self,
        ty: ScalarType,
        json: &Json,
        hash: Option<&str>,
    ) -> Result<Scalar, JsonValueError> {
        let text = match &json.kind {
            JsonKind::Bool(b) if ty == ScalarType::Bool => return Ok(Scalar::Bool(*b)),
            JsonKind::String(s) if hash.is_some() => {
                let h = hash
                    .and_then(|name| crate::hash::by_name(name, s))
                    .unwrap_or(0);
                // A 32-bit hash into a signed field keeps its bits, as flatc does.
                let v = match ty.size() {
                    4 if !ty.is_unsigned() => Scalar::Int(i64::from(h as u32 as i32)),
                    8 if !ty.is_unsigned() => Scalar::Int(h as i64),
                    _ => Scalar::UInt(h),
                };
                return Ok(v);
            }
            JsonKind::Number(t) | JsonKind::Word(t) | JsonKind::String(t) => t.trim(),
            _ => {
                return Err(self.error(
                    json,
                    format!("expected a `{}`, found {}", ty.name(), describe(json)),
                ));
            }
        };
        let value = match (ty, text) {
            (ScalarType::Bool, "true") => return Ok(Scalar::Bool(true)),
            (ScalarType::Bool, "false") => return Ok(Scalar::Bool(false)),
            _ => parse_number(text),
        };
        let scalar = match value {
            Some(Number::Int(v)) if ty.is_float() => Scalar::Float(v as f64),
            Some(Number::Float(v)) if ty.is_float() => Scalar::Float(v),
            Some(Number::Int(v)) if v < 0 => Scalar::Int(i64::try_from(v).unwrap_or(i64::MIN)),
            Some(Number::Int(v)) => Scalar::UInt(u64::try_from(v).unwrap_or(u64::MAX)),
            _ => return Err(self.error(json, format!("`{text}` is not a valid `{}`", ty.name()))),
        };
        let scalar = match (ty, scalar) {
            (ScalarType::Bool, Scalar::UInt(v)) if v <= 1 => Scalar::Bool(v == 1),
            _ => scalar,
        };
        if matches!(value, Some(Number::Int(v)) if v > i128::from(u64::MAX) || v < i128::from(i64::MIN))
        {
            return Err(self.error(json, format!("`{text}` does not fit in `{}`", ty.name())));
        }
        encode_scalar(ty, scalar).map_err(|e| self.error(json, e.to_string()))?;
        Ok(scalar)
    }

    fn enumeration(&self, id: EnumId, json: &Json) -> Result<Scalar, JsonValueError> {
        let def = self.schema.enum_def(id);
        let ty = def.underlying;
        let names = match &json.kind {
            JsonKind::Number(_) => return self.scalar(ty, json, None),
            JsonKind::Word(w) | JsonKind::String(w) if parse_number(w.trim()).is_some() => {
                return self.scalar(ty, json, None);
            }
            JsonKind::Word(w) | JsonKind::String(w) => w,
            _ => {
                return Err(self.error(
                    json,
                    format!(
                        "expected a value of enum `{}`, found {}",
                        def.info.name,
                        describe(json)
                    ),
                ));
            }
        };
        let mut combined: i128 = 0;
        let mut count = 0;
        for name in names.split_whitespace() {
            // Accept `Color.Red` as well as `Red`.
            let short = name.rsplit('.').next().unwrap_or(name);
            let Some(v) = def.value_named(short) else {
                let known: Vec<&str> = def.values.iter().map(|v| v.name.as_str()).collect();
                return Err(self.error(
                    json,
                    format!(
                        "`{name}` is not a value of enum `{}` (it has {})",
                        def.info.name,
                        known.join(", ")
                    ),
                ));
            };
            combined |= v.value;
            count += 1;
        }
        if count == 0 || (count > 1 && !def.bit_flags) {
            return Err(self.error(
                json,
                format!("expected one value of enum `{}`", def.info.name),
            ));
        }
        Ok(Scalar::from_i128(ty, combined))
    }

    fn structure(&mut self, id: StructId, json: &Json) -> Result<Value, JsonValueError> {
        let JsonKind::Object(members) = &json.kind else {
            return Err(self.error(
                json,
                format!("expected an object, found {}", describe(json)),
            ));
        };
        let def = self.schema.struct_def(id);
        let mut fields = Vec::with_capacity(def.fields.len());
        for f in &def.fields {
            let Some((_, v)) = members.iter().find(|(k, _)| *k == f.name) else {
                return Err(self.error(
                    json,
                    format!("struct `{}` needs field `{}`", def.info.name, f.name),
                ));
            };
            self.path.push(format!(".{}", f.name));
            let value = self.field_value(f.ty, v, &f.attrs);
            self.path.pop();
            fields.push(value?);
        }
        if let Some((key, v)) = members
            .iter()
            .find(|(k, _)| !def.fields.iter().any(|f| f.name == *k))
        {
            return Err(self.error(
                v,
                format!("struct `{}` has no field `{key}`", def.info.name),
            ));
        }
        Ok(Value::Struct(fields))
    }

    /// The discriminant named by a `_type` value: a member name or a number.
    fn discriminant(&self, id: UnionId, json: &Json) -> Result<u64, JsonValueError> {
        let union = self.schema.union_def(id);
        let (min, max) = union.underlying.int_range();
        // A signed union's discriminant is also taken as its bits, as it is written back.
        let bits = i128::from(union.underlying.unsigned_bits(-1));
        match &json.kind {
            JsonKind::Number(t) => match parse_number(t) {
                Some(Number::Int(v)) if (min..=max).contains(&v) || (0..=bits).contains(&v) => {
                    Ok(union.underlying.unsigned_bits(v))
                }
                _ => Err(self.error(
                    json,
                    format!("`{t}` is not a member of union `{}`", union.info.name),
                )),
            },
            JsonKind::Word(name) | JsonKind::String(name) => {
                if name == "NONE" {
                    return Ok(0);
                }
                let short = name.rsplit('.').next().unwrap_or(name);
                union
                    .members
                    .iter()
                    .find(|m| {
                        m.name == *name || m.name == short || m.name == name.replace('.', "_")
                    })
                    .map(|m| m.value)
                    .ok_or_else(|| {
                        let known: Vec<&str> =
                            union.members.iter().map(|m| m.name.as_str()).collect();
                        self.error(
                            json,
                            format!(
                                "`{name}` is not a member of union `{}` (it has NONE, {})",
                                union.info.name,
                                known.join(", ")
                            ),
                        )
                    })
            }
            _ => Err(self.error(
                json,
                format!(
                    "expected a member of union `{}`, found {}",
                    union.info.name,
                    describe(json)
                ),
            )),
        }
    }

    fn member(
        &mut self,
        id: UnionId,
        discriminant: u64,
        json: &Json,
    ) -> Result<Value, JsonValueError> {
        let union = self.schema.union_def(id);
        let Some(member) = union.members.iter().find(|m| m.value == discriminant) else {
            return Err(self.error(
                json,
                format!("union `{}` has no member {discriminant}", union.info.name),
            ));
        };
        let value = match member.ty {
            UnionMemberType::Table(t) => self.table(t, json)?,
            UnionMemberType::Struct(s) => self.structure(s, json)?,
            UnionMemberType::String => self.base(BaseType::String, json, &[])?,
        };
        Ok(Value::Union {
            discriminant,
            value: Box::new(value),
        })
    }

    fn union(
        &mut self,
        id: UnionId,
        types: Option<&Json>,
        value: Option<&Json>,
        table: &Json,
    ) -> Result<Value, JsonValueError> {
        let discriminant = match types {
            Some(t) => self.discriminant(id, t)?,
            None => 0,
        };
        match (discriminant, value) {
            (0, None) => Ok(Value::Null),
            (0, Some(v)) => Err(self.error(v, "a union value needs its `_type` field")),
            (_, None) => Err(self.error(
                types.unwrap_or(table),
                "the union's type is given but not its value",
            )),
            (d, Some(v)) => self.member(id, d, v),
        }
    }

    fn union_vector(
        &mut self,
        id: UnionId,
        types: Option<&Json>,
        values: Option<&Json>,
        table: &Json,
    ) -> Result<Value, JsonValueError> {
        let (Some(types), Some(values)) = (types, values) else {
            let at = types.or(values).unwrap_or(table);
            return Err(self.error(at, "a vector of unions needs both `_type` and the values"));
        };
        let (JsonKind::Array(types), JsonKind::Array(items)) = (&types.kind, &values.kind) else {
            return Err(self.error(values, "a vector of unions needs two arrays"));
        };
        if types.len() != items.len() {
            return Err(self.error(
                values,
                format!("{} union types but {} values", types.len(), items.len()),
            ));
        }
        let mut out = Vec::with_capacity(items.len());
        for (i, (t, v)) in types.iter().zip(items).enumerate() {
            self.path.push(format!("[{i}]"));
            // A NONE element comes as `"NONE"` with a null value, as weftbuf writes it.
            let value = self.discriminant(id, t).and_then(|d| match (d, &v.kind) {
                (0, JsonKind::Null) => Ok(Value::Null),
                _ => self.member(id, d, v),
            });
            self.path.pop();
            out.push(value?);
        }
        Ok(Value::Vector(out))
    }
}

/// Sorts a vector of tables or structs whose type has a `key` field by that key, as flatc
/// does when it reads JSON, so readers can binary-search it.
fn sort_by_key(schema: &Schema, base: BaseType, items: &mut [Value]) {
    let key = match base {
        BaseType::Table(t) => schema.table_def(t).fields.iter().position(|f| f.key),
        BaseType::Struct(s) => schema
            .struct_def(s)
            .fields
            .iter()
            .position(|f| find_attr(&f.attrs, "key").is_some()),
        _ => None,
    };
    let Some(key) = key else {
        return;
    };
    // An absent key of a table reads as the field's default.
    let default = match base {
        BaseType::Table(t) => match &schema.table_def(t).fields[key].default {
            crate::schema::DefaultValue::Integer(v) => Some(Value::Scalar(Scalar::Int(*v as i64))),
            crate::schema::DefaultValue::Float(v) => Some(Value::Scalar(Scalar::Float(*v))),
            crate::schema::DefaultValue::String(v) => Some(Value::String(v.clone())),
            _ => Some(Value::String(String::new())),
        },
        _ => None,
    };
    let key_of = |v: &Value| -> Option<Value> {
        match v {
            Value::Table(fields) => fields
                .get(key)
                .cloned()
                .flatten()
                .or_else(|| default.clone()),
            Value::Struct(fields) => fields.get(key).cloned(),
            _ => None,
        }
    };
    items.sort_by(|a, b| compare_keys(key_of(a).as_ref(), key_of(b).as_ref()));
}

fn compare_keys(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Some(Value::String(x)), Some(Value::String(y))) => x.as_bytes().cmp(y.as_bytes()),
        (Some(Value::Scalar(x)), Some(Value::Scalar(y))) => match (x.as_i128(), y.as_i128()) {
            (Some(i), Some(j)) => i.cmp(&j),
            // A total order (NaN included): sorting panics on a comparator that is not one.
            _ => x.as_f64().total_cmp(&y.as_f64()),
        },
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}
