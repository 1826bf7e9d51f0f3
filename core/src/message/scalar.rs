//! Scalar values and their little-endian encoding, with every access bounds-checked.

use std::fmt;

use crate::rt::Scalar as _;
use crate::schema::ScalarType;

/// A scalar read from or written to a message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar {
    /// `bool`.
    Bool(bool),
    /// Signed integers (`byte` to `long`).
    Int(i64),
    /// Unsigned integers (`ubyte` to `ulong`).
    UInt(u64),
    /// `float` (widened) and `double`.
    Float(f64),
}

impl Scalar {
    /// The value as an i128, for integers and bools; floats are not converted.
    pub fn as_i128(self) -> Option<i128> {
        match self {
            Scalar::Bool(b) => Some(i128::from(b)),
            Scalar::Int(v) => Some(i128::from(v)),
            Scalar::UInt(v) => Some(i128::from(v)),
            Scalar::Float(_) => None,
        }
    }

    /// The value as an f64 (integers converted, possibly rounding).
    pub fn as_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => f64::from(u8::from(b)),
            Scalar::Int(v) => v as f64,
            Scalar::UInt(v) => v as f64,
            Scalar::Float(v) => v,
        }
    }

    /// Builds the value of type `ty` that `raw` (an integer, as defaults are stored) denotes.
    pub fn from_i128(ty: ScalarType, raw: i128) -> Scalar {
        match ty {
            ScalarType::Bool => Scalar::Bool(raw != 0),
            ScalarType::Float | ScalarType::Double => Scalar::Float(raw as f64),
            t if t.is_unsigned() => Scalar::UInt(raw as u64),
            _ => Scalar::Int(raw as i64),
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Int(v) => write!(f, "{v}"),
            Scalar::UInt(v) => write!(f, "{v}"),
            Scalar::Float(v) => write!(f, "{v}"),
        }
    }
}

/// An f32 as an f64, NaN payloads kept bit for bit (a plain conversion may set the quiet
/// bit of a signaling NaN; the format preserves every NaN, `docs/layout.md` section 2).
pub(crate) fn widen_f32(v: f32) -> f64 {
    if !v.is_nan() {
        return f64::from(v);
    }
    let bits = v.to_bits();
    let sign = u64::from(bits >> 31);
    let payload = u64::from(bits & 0x007f_ffff);
    f64::from_bits(sign << 63 | 0x7ff << 52 | payload << 29)
}

/// The f32 an f64 from [`widen_f32`] came from (other values rounded), NaN payloads kept.
pub(crate) fn narrow_f64(v: f64) -> f32 {
    if !v.is_nan() {
        return v as f32;
    }
    let bits = v.to_bits();
    let sign = (bits >> 63) as u32;
    let payload = ((bits >> 29) & 0x007f_ffff) as u32;
    // A payload only in the low bits would read as infinity: keep it a (quiet) NaN.
    let payload = if payload == 0 { 0x0040_0000 } else { payload };
    f32::from_bits(sign << 31 | 0xff << 23 | payload)
}

/// Reads a scalar of type `ty` at `at`.
pub fn read_scalar(bytes: &[u8], at: usize, ty: ScalarType) -> Option<Scalar> {
    Some(match ty {
        ScalarType::Bool => Scalar::Bool(bool::read(bytes, at)?),
        ScalarType::Byte => Scalar::Int(i8::read(bytes, at)?.into()),
        ScalarType::UByte => Scalar::UInt(u8::read(bytes, at)?.into()),
        ScalarType::Short => Scalar::Int(i16::read(bytes, at)?.into()),
        ScalarType::UShort => Scalar::UInt(u16::read(bytes, at)?.into()),
        ScalarType::Int => Scalar::Int(i32::read(bytes, at)?.into()),
        ScalarType::UInt => Scalar::UInt(u32::read(bytes, at)?.into()),
        ScalarType::Long => Scalar::Int(i64::read(bytes, at)?),
        ScalarType::ULong => Scalar::UInt(u64::read(bytes, at)?),
        ScalarType::Float => Scalar::Float(widen_f32(f32::read(bytes, at)?)),
        ScalarType::Double => Scalar::Float(f64::read(bytes, at)?),
    })
}

/// Why a scalar cannot be stored as a type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScalarError {
    /// The value is outside the type's range.
    #[error("{value} does not fit in `{}`", .ty.name())]
    OutOfRange {
        /// The value.
        value: String,
        /// The type.
        ty: ScalarType,
    },
    /// A float given for an integer type, or similar.
    #[error("{value} is not a valid `{}`", .ty.name())]
    WrongKind {
        /// The value.
        value: String,
        /// The type.
        ty: ScalarType,
    },
}

/// The little-endian bytes of `value` as type `ty` (at most 8; the rest zero).
pub fn encode_scalar(ty: ScalarType, value: Scalar) -> Result<[u8; 8], ScalarError> {
    let out_of_range = || ScalarError::OutOfRange {
        value: value.to_string(),
        ty,
    };
    let mut out = [0u8; 8];
    if ty.is_float() {
        let v = value.as_f64();
        match ty {
            ScalarType::Float => out[..4].copy_from_slice(&narrow_f64(v).to_le_bytes()),
            _ => out.copy_from_slice(&v.to_le_bytes()),
        }
        return Ok(out);
    }
    let int = match value {
        Scalar::Float(f) if f.fract() == 0.0 && f.is_finite() => f as i128,
        Scalar::Float(_) => {
            return Err(ScalarError::WrongKind {
                value: value.to_string(),
                ty,
            });
        }
        other => other.as_i128().unwrap_or(0),
    };
    let (min, max) = ty.int_range();
    if !(min..=max).contains(&int) {
        return Err(out_of_range());
    }
    let bytes = (int as u64).to_le_bytes();
    let size = ty.size() as usize;
    out[..size].copy_from_slice(&bytes[..size]);
    Ok(out)
}

/// Writes `value` as `ty` at `at`; the caller guarantees the bytes are inside `bytes`.
pub(crate) fn write_scalar(
    bytes: &mut [u8],
    at: usize,
    ty: ScalarType,
    value: Scalar,
) -> Result<(), ScalarError> {
    let encoded = encode_scalar(ty, value)?;
    let size = ty.size() as usize;
    if let Some(dst) = bytes.get_mut(at..at + size) {
        dst.copy_from_slice(&encoded[..size]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_type() {
        let mut buf = [0u8; 16];
        for (ty, v) in [
            (ScalarType::Bool, Scalar::Bool(true)),
            (ScalarType::Byte, Scalar::Int(-128)),
            (ScalarType::UShort, Scalar::UInt(65535)),
            (ScalarType::Long, Scalar::Int(i64::MIN)),
            (ScalarType::ULong, Scalar::UInt(u64::MAX)),
            (ScalarType::Float, Scalar::Float(1.5)),
            (ScalarType::Double, Scalar::Float(-0.25)),
        ] {
            write_scalar(&mut buf, 3, ty, v).unwrap();
            assert_eq!(read_scalar(&buf, 3, ty), Some(v));
        }
    }

    #[test]
    fn rejects_out_of_range_and_reads_out_of_bounds_as_none() {
        assert!(encode_scalar(ScalarType::UByte, Scalar::Int(256)).is_err());
        assert!(encode_scalar(ScalarType::Int, Scalar::Float(1.5)).is_err());
        assert_eq!(read_scalar(&[0u8; 3], 0, ScalarType::Int), None);
        assert_eq!(read_scalar(&[0u8; 3], usize::MAX, ScalarType::Byte), None);
    }

    #[test]
    fn float_nan_payloads_survive_widening() {
        for bits in [0x7f80_0001u32, 0xffbf_ffff, 0x7fc0_0000, 0x7fa5_5aa5] {
            let wide = widen_f32(f32::from_bits(bits));
            assert_eq!(narrow_f64(wide).to_bits(), bits);
            let encoded = encode_scalar(ScalarType::Float, Scalar::Float(wide)).unwrap();
            assert_eq!(encoded[..4], bits.to_le_bytes());
        }
        assert!(narrow_f64(f64::from_bits(0x7ff0_0000_0000_0001)).is_nan());
    }
}
