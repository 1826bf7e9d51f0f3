//! Rust types and literals for the model's scalars, defaults and discriminants.

use crate::codegen::model::{ScalarDefault, Value};
use crate::schema::ScalarType;

/// The Rust type a scalar is read as.
pub(super) fn scalar_type(s: ScalarType) -> &'static str {
    use ScalarType::*;
    match s {
        Bool => "bool",
        Byte => "i8",
        UByte => "u8",
        Short => "i16",
        UShort => "u16",
        Int => "i32",
        UInt => "u32",
        Long => "i64",
        ULong => "u64",
        Float => "f32",
        Double => "f64",
    }
}

/// A Rust literal of type `s` for the integer `raw`.
pub(super) fn int_literal(s: ScalarType, raw: i128) -> String {
    match s {
        ScalarType::Bool => (raw != 0).to_string(),
        ScalarType::Float | ScalarType::Double => float_literal(s, raw as f64),
        _ => format!("{raw}{}", scalar_type(s)),
    }
}

/// A Rust literal of float type `s` for `v` (NaN and infinities as constants).
pub(super) fn float_literal(s: ScalarType, v: f64) -> String {
    let t = scalar_type(s);
    if v.is_nan() {
        format!("{t}::NAN")
    } else if v.is_infinite() {
        format!("{t}::{}", if v > 0.0 { "INFINITY" } else { "NEG_INFINITY" })
    } else if s == ScalarType::Float {
        format!("{:?}f32", v as f32)
    } else {
        format!("{v:?}f64")
    }
}

/// A Rust literal of the scalar `s` for `default`.
pub(super) fn default_literal(s: ScalarType, default: ScalarDefault) -> String {
    match default {
        ScalarDefault::Bool(b) => int_literal(s, i128::from(b)),
        ScalarDefault::Int(v) => int_literal(s, v),
        ScalarDefault::Float(v) => float_literal(s, v),
    }
}

/// The Rust expression of a value's `default`: an enum's wraps its integer (`Color(2u8)`),
/// with `enum_name` the path to the enum.
pub(super) fn value_default(value: Value, enum_name: &str, default: ScalarDefault) -> String {
    match value {
        Value::Enum { underlying, .. } => {
            format!("{enum_name}({})", default_literal(underlying, default))
        }
        other => default_literal(other.scalar(), default),
    }
}

/// Discriminant `raw` (its bits, zero-extended) as a literal of the union's type `under`:
/// `-1` for the bits `0xff` of a `byte` union.
pub(super) fn discriminant_literal(under: ScalarType, raw: u64) -> String {
    under.value_of_bits(raw).to_string()
}

/// An expression of `u64`: the bits of `expr`, a value of the union's type `under`.
pub(super) fn discriminant_bits(under: ScalarType, expr: &str) -> String {
    match under {
        ScalarType::ULong => expr.to_string(),
        ScalarType::Byte => format!("u64::from({expr} as u8)"),
        ScalarType::Short => format!("u64::from({expr} as u16)"),
        ScalarType::Int => format!("u64::from({expr} as u32)"),
        ScalarType::Long => format!("{expr} as u64"),
        _ => format!("u64::from({expr})"),
    }
}

/// An expression of the union's type `under`: the discriminant bits `expr` (a `u64`).
pub(super) fn from_bits(under: ScalarType, expr: &str) -> String {
    match under {
        ScalarType::ULong => expr.to_string(),
        _ => format!("{expr} as {}", scalar_type(under)),
    }
}
