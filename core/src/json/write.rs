//! A message as JSON, in flatc's conventions: quoted keys, enum values by name (`bit_flags` as
//! space-separated names), unions as `x_type` + `x`, floats that read back to the same bits,
//! `nan`/`inf`/`-inf` as flatc writes them, fields at their default left out unless asked for.

use std::fmt::Write as _;

use crate::message::{Field, ReadError, Scalar, TableView, VectorView};
use crate::schema::{
    BaseType, DefaultValue, EnumId, Presence, ScalarType, Schema, StructId, TableId, Type,
};

/// How to write JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JsonOptions {
    /// Also write scalar fields that hold their default (flatc's `--defaults-json`).
    pub defaults: bool,
}

/// How deep the writer follows references before giving up (bytes changed after
/// verification could otherwise send it round a cycle).
const MAX_WRITE_DEPTH: usize = 128;

/// Why JSON could not be written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonWriteError {
    /// The bytes could not be read as the schema says.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Shared objects would expand to far more JSON than the message holds bytes.
    #[error("the message's shared objects expand to more values than its size allows")]
    TooMuchSharing,
    /// References nest deeper than the writer follows.
    #[error("the message nests deeper than {MAX_WRITE_DEPTH} levels")]
    TooDeep,
}

/// Writes the table `view` (a message's root, typically) as JSON text ending in a newline.
pub fn to_json(view: &TableView<'_>, options: JsonOptions) -> Result<String, JsonWriteError> {
    let mut w = Writer {
        schema: view.reader().schema(),
        out: String::new(),
        options,
        depth: 0,
        budget: crate::message::expansion_budget(view.reader().bytes().len()),
    };
    w.table(view, 0)?;
    w.out.push('\n');
    Ok(w.out)
}

struct Writer<'a> {
    schema: &'a Schema,
    out: String,
    options: JsonOptions,
    depth: usize,
    /// Objects left to write (see `read_value`: shared objects could expand exponentially).
    budget: usize,
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// A JSON string literal.
pub(crate) fn quote(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A float in the shortest form that reads back to the same value of its type.
pub(crate) fn float_text(value: f64, ty: ScalarType) -> String {
    if value.is_nan() {
        return "nan".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.into();
    }
    match ty {
        ScalarType::Float => format!("{:?}", value as f32),
        _ => format!("{value:?}"),
    }
}

fn scalar_text(value: Scalar, ty: ScalarType) -> String {
    match value {
        Scalar::Float(v) => float_text(v, ty),
        other => other.to_string(),
    }
}

impl Writer<'_> {
    fn enter(&mut self) -> Result<(), JsonWriteError> {
        self.budget = self
            .budget
            .checked_sub(1)
            .ok_or(JsonWriteError::TooMuchSharing)?;
        self.depth += 1;
        if self.depth > MAX_WRITE_DEPTH {
            return Err(JsonWriteError::TooDeep);
        }
        Ok(())
    }

    fn enum_text(&self, id: EnumId, value: Scalar) -> String {
        let def = self.schema.enum_def(id);
        let Some(raw) = value.as_i128() else {
            return value.to_string();
        };
        if let Some(names) = def.names_of(raw) {
            return format!("\"{names}\"");
        }
        raw.to_string()
    }

    /// Whether a scalar field holding `field` may be left out (it equals its default). Floats
    /// compare at the field's own precision: a `float` default of 3.14159 is stored as the
    /// nearest f32, which is not the f64 3.14159.
    fn is_default(
        &self,
        ty: Type,
        default: &DefaultValue,
        presence: Presence,
        field: &Field<'_>,
    ) -> bool {
        if presence == Presence::Optional {
            return false;
        }
        let single = matches!(ty, Type::Base(BaseType::Scalar(ScalarType::Float)));
        match (field, default) {
            // Bit equality: -0.0 is not the default 0.0, and leaving it out would lose its sign.
            (Field::Scalar(Scalar::Float(v)), DefaultValue::Float(d)) => {
                if v.is_nan() || d.is_nan() {
                    v.is_nan() && d.is_nan()
                } else if single {
                    (*v as f32).to_bits() == (*d as f32).to_bits()
                } else {
                    v.to_bits() == d.to_bits()
                }
            }
            (Field::Scalar(Scalar::Float(v)), DefaultValue::Integer(d)) => {
                v.to_bits() == (*d as f64).to_bits()
            }
            (Field::Scalar(s), DefaultValue::Integer(d)) => s.as_i128() == Some(*d),
            _ => false,
        }
    }

    fn table(&mut self, view: &TableView<'_>, level: usize) -> Result<(), JsonWriteError> {
        self.enter()?;
        let def = self.schema.table_def(view.table_id());
        let mut first = true;
        self.out.push('{');
        for (index, field) in def.fields.iter().enumerate() {
            if field.deprecated {
                continue;
            }
            let value = view.field_at(index)?;
            if value == Field::Null
                && self.options.defaults
                && matches!(field.ty, Type::Base(BaseType::Union(_)))
            {
                // flatc writes an unset union's type as NONE when defaults are asked for.
                self.out.push_str(if first { "\n" } else { ",\n" });
                first = false;
                indent(&mut self.out, level + 1);
                quote(&mut self.out, &format!("{}_type", field.name));
                self.out.push_str(": \"NONE\"");
                continue;
            }
            if value == Field::Null && self.options.defaults && field.presence == Presence::Optional
            {
                // flatc writes an unset optional scalar as null when defaults are asked for.
                self.out.push_str(if first { "\n" } else { ",\n" });
                first = false;
                indent(&mut self.out, level + 1);
                quote(&mut self.out, &field.name);
                self.out.push_str(": null");
                continue;
            }
            let skip = match value {
                Field::Null => true,
                // A null reference that reads as the schema's default string is not written,
                // as flatc does not.
                Field::String(_) => !view.is_set(index)?,
                Field::Scalar(_) => {
                    !self.options.defaults
                        && self.is_default(field.ty, &field.default, field.presence, &value)
                }
                _ => false,
            };
            if skip {
                continue;
            }
            let mut member = |w: &mut Self, name: &str| {
                w.out.push_str(if first { "\n" } else { ",\n" });
                first = false;
                indent(&mut w.out, level + 1);
                quote(&mut w.out, name);
                w.out.push_str(": ");
            };
            match (&value, field.ty) {
                (Field::Union(u), _) => {
                    member(self, &format!("{}_type", field.name));
                    match u.member {
                        Some(name) => quote(&mut self.out, name),
                        None => {
                            let _ = write!(self.out, "{}", u.number());
                        }
                    }
                    if let Some(v) = &u.value {
                        member(self, &field.name);
                        self.field(v, field.ty.base(), level + 1)?;
                    }
                }
                (Field::Vector(v), Type::Vector(BaseType::Union(_))) => {
                    member(self, &format!("{}_type", field.name));
                    self.union_types(v, level + 1)?;
                    member(self, &field.name);
                    self.vector(v, field.ty.base(), level + 1, None)?;
                }
                (Field::Vector(v), Type::Vector(base)) => {
                    member(self, &field.name);
                    let nested = crate::message::nested_root(self.schema, view.table_id(), index);
                    self.vector(v, base, level + 1, nested)?;
                }
                _ => {
                    member(self, &field.name);
                    self.field(&value, field.ty.base(), level + 1)?;
                }
            }
        }
        if !first {
            self.out.push('\n');
            indent(&mut self.out, level);
        }
        self.out.push('}');
        self.depth -= 1;
        Ok(())
    }

    fn field(
        &mut self,
        value: &Field<'_>,
        base: BaseType,
        level: usize,
    ) -> Result<(), JsonWriteError> {
        match (value, base) {
            (Field::Null, _) => self.out.push_str("null"),
            (Field::Scalar(s), BaseType::Enum(e)) => {
                let text = self.enum_text(e, *s);
                self.out.push_str(&text);
            }
            (Field::Scalar(s), BaseType::Scalar(ty)) => self.out.push_str(&scalar_text(*s, ty)),
            (Field::Scalar(s), _) => self.out.push_str(&s.to_string()),
            (Field::String(s), _) => quote(&mut self.out, s),
            (Field::Table(t), _) => self.table(t, level)?,
            (Field::Struct(s), _) => self.structure(s.struct_id(), |i| s.field_at(i), level)?,
            (Field::Array(a), _) => {
                let items: Vec<Field<'_>> =
                    (0..a.len()).map(|i| a.get(i)).collect::<Result<_, _>>()?;
                self.list(&items, base, level)?;
            }
            (Field::Vector(v), _) => self.vector(v, base, level, None)?,
            (Field::Union(u), _) => match &u.value {
                Some(v) => self.field(v, base, level)?,
                None => self.out.push_str("null"),
            },
        }
        Ok(())
    }

    fn structure<'v>(
        &mut self,
        id: StructId,
        field_at: impl Fn(usize) -> Result<Field<'v>, ReadError>,
        level: usize,
    ) -> Result<(), JsonWriteError> {
        self.enter()?;
        let def = self.schema.struct_def(id);
        self.out.push('{');
        for (i, f) in def.fields.iter().enumerate() {
            self.out.push_str(if i == 0 { "\n" } else { ",\n" });
            indent(&mut self.out, level + 1);
            quote(&mut self.out, &f.name);
            self.out.push_str(": ");
            let value = field_at(i)?;
            self.field(&value, f.ty.base(), level + 1)?;
        }
        self.out.push('\n');
        indent(&mut self.out, level);
        self.out.push('}');
        self.depth -= 1;
        Ok(())
    }

    fn list(
        &mut self,
        items: &[Field<'_>],
        base: BaseType,
        level: usize,
    ) -> Result<(), JsonWriteError> {
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            self.out.push_str(if i == 0 { "\n" } else { ",\n" });
            indent(&mut self.out, level + 1);
            self.field(item, base, level + 1)?;
        }
        if !items.is_empty() {
            self.out.push('\n');
            indent(&mut self.out, level);
        }
        self.out.push(']');
        Ok(())
    }

    fn vector(
        &mut self,
        v: &VectorView<'_>,
        base: BaseType,
        level: usize,
        nested: Option<TableId>,
    ) -> Result<(), JsonWriteError> {
        self.enter()?;
        if let Some(root) = nested {
            let outer = v.reader();
            let reader = crate::message::Reader::unverified_as(
                outer.schema(),
                outer.layout(),
                v.body(),
                outer.format(),
            );
            if let Ok(table) = reader.root(root) {
                self.table(&table, level)?;
                self.depth -= 1;
                return Ok(());
            }
        }
        let items: Vec<Field<'_>> = v.iter().collect::<Result<_, _>>()?;
        self.list(&items, base, level)?;
        self.depth -= 1;
        Ok(())
    }

    fn union_types(&mut self, v: &VectorView<'_>, level: usize) -> Result<(), JsonWriteError> {
        let mut items = Vec::with_capacity(v.len());
        for i in 0..v.len() {
            let name = match v.get(i)? {
                Field::Union(u) => u
                    .member
                    .map_or_else(|| u.number().to_string(), |n| format!("\"{n}\"")),
                _ => "\"NONE\"".into(),
            };
            items.push(name);
        }
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            self.out.push_str(if i == 0 { "\n" } else { ",\n" });
            indent(&mut self.out, level + 1);
            self.out.push_str(item);
        }
        if !items.is_empty() {
            self.out.push('\n');
            indent(&mut self.out, level);
        }
        self.out.push(']');
        Ok(())
    }
}
