//! Reads a whole table into an owned [`Value`]: the inverse of [`super::encode`].
//!
//! Every field comes back as `Some`: set fields with their value, unset ones with what a
//! reader sees (the default, or [`Value::Null`]). Deprecated fields come back as `None`, the
//! way a builder treats them. A nested message comes back as the table it holds. Encoding the result gives the same bytes as the message it was
//! read from, when that message was written in canonical order.

use super::scalar::Scalar;
use super::value::Value;
use super::view::{Field, ReadError, TableView};

/// How deep [`read_value`] follows references (bytes changed after verification could
/// otherwise make a cycle).
pub const MAX_READ_DEPTH: usize = 128;

/// Reads `table` and everything it refers to.
pub fn read_value(table: &TableView<'_>) -> Result<Value, ReadError> {
    let mut budget = expansion_budget(table.reader().bytes().len());
    table_value(table, 0, &mut budget)
}

/// How many tables and vectors a message of `len` bytes may expand to: four per 8 bytes (an
/// object takes at least 8), plus slack. A tree visits each object once; only objects shared
/// by many references expand past this, and they could expand exponentially.
pub(crate) fn expansion_budget(len: usize) -> usize {
    (len / 8).saturating_mul(4).saturating_add(1024)
}

fn spend(budget: &mut usize, table: &TableView<'_>) -> Result<(), ReadError> {
    if *budget == 0 {
        return Err(ReadError::TooMuchSharing { at: table.offset() });
    }
    *budget -= 1;
    Ok(())
}

fn too_deep(table: &TableView<'_>) -> ReadError {
    ReadError::OutOfBounds {
        at: table.offset(),
        what: "a value nested deeper than the reader follows",
        len: table.reader().bytes().len(),
    }
}

fn table_value(
    table: &TableView<'_>,
    depth: usize,
    budget: &mut usize,
) -> Result<Value, ReadError> {
    spend(budget, table)?;
    if depth > MAX_READ_DEPTH {
        return Err(too_deep(table));
    }
    let def = table.reader().schema().table_def(table.table_id());
    let mut fields = Vec::with_capacity(def.fields.len());
    for (index, field) in def.fields.iter().enumerate() {
        if field.deprecated {
            fields.push(None);
            continue;
        }
        let value = table.field_at(index)?;
        if let (Some(root), Field::Vector(bytes)) = (field.nested_flatbuffer, &value) {
            // A nested message reads as the table it holds (in the same format as the
            // message around it), so that a writer can re-encode it in its own format.
            let outer = table.reader();
            let inner = super::view::Reader::unverified_as(
                outer.schema(),
                outer.layout(),
                bytes.body(),
                outer.format(),
            );
            fields.push(Some(table_value(&inner.root(root)?, depth + 1, budget)?));
            continue;
        }
        // What is stored, not what a reader shows: an unset string reads as its schema
        // default, but the value holds no string.
        if let Field::String(_) = value
            && !table.is_set(index)?
        {
            fields.push(Some(Value::Null));
            continue;
        }
        fields.push(Some(field_value(&value, table, depth, budget)?));
    }
    Ok(Value::Table(fields))
}

fn field_value(
    field: &Field<'_>,
    context: &TableView<'_>,
    depth: usize,
    budget: &mut usize,
) -> Result<Value, ReadError> {
    Ok(match field {
        Field::Null => Value::Null,
        Field::Scalar(s) => Value::Scalar(*s),
        Field::String(s) => Value::String((*s).to_string()),
        Field::Table(t) => table_value(t, depth + 1, budget)?,
        Field::Struct(s) => {
            let count = context
                .reader()
                .layout()
                .struct_layout(s.struct_id())
                .fields
                .len();
            let mut values = Vec::with_capacity(count);
            for i in 0..count {
                values.push(field_value(&s.field_at(i)?, context, depth + 1, budget)?);
            }
            Value::Struct(values)
        }
        Field::Array(a) => {
            let mut values = Vec::with_capacity(a.len());
            for i in 0..a.len() {
                values.push(field_value(&a.get(i)?, context, depth + 1, budget)?);
            }
            Value::Vector(values)
        }
        Field::Vector(v) => {
            spend(budget, context)?;
            if depth > MAX_READ_DEPTH {
                return Err(too_deep(context));
            }
            let mut values = Vec::with_capacity(v.len());
            for item in v.iter() {
                values.push(field_value(&item?, context, depth + 1, budget)?);
            }
            Value::Vector(values)
        }
        Field::Union(u) => match &u.value {
            Some(v) => Value::Union {
                discriminant: u.discriminant,
                value: Box::new(field_value(v, context, depth + 1, budget)?),
            },
            // A member this schema does not know cannot be rebuilt; it reads as its number.
            None => Value::Scalar(Scalar::UInt(u.discriminant)),
        },
    })
}
